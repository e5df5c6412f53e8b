//! `npg allocate`: the pot split to the penny, its workbook, and its refusals of bad input.
