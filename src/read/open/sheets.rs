//! Checks on a workbook's sheets in every format: names that tell them apart, none very
//! hidden, and no value hidden under merged cells.

use super::limits::MAX_SHEET_NAME_CHARS;
use super::{Refusal, damaged, no_sheets};
use crate::findings::{a1, quote};
use crate::read::grid::{SheetGrid, label_key};
use crate::text::thousands;

/// The most merged ranges a sheet may have (a return's template has none).
const MAX_MERGED_RANGES: usize = 1_000;

/// A value in a cell covered by merged cells (any but the range's first) is shown by no
/// spreadsheet program, yet calamine reads it: such a cell is an error at that cell.
pub(super) fn check_merged(
    grid: &SheetGrid,
    merged: &[calamine::Dimensions],
) -> Result<(), Refusal> {
    if merged.len() > MAX_MERGED_RANGES {
        return Err(Refusal::Unreadable(format!(
            "sheet {} has more than {} ranges of merged cells, far more than a return has; \
             unmerge them and save it again",
            quote(&grid.name),
            thousands(MAX_MERGED_RANGES)
        )));
    }
    let Some(last_row) = grid.last_row() else {
        return Ok(());
    };
    for range in merged {
        let (top, left) = range.start;
        let (bottom, right) = range.end;
        for row in top..=bottom.min(last_row) {
            for (col, value) in grid.row_between(row, left, right) {
                if (row, col) != (top, left) && !value.is_blank() {
                    return Err(Refusal::Ambiguous {
                        sheet: grid.name.clone(),
                        index: grid.index,
                        row: u64::from(row),
                        col: u64::from(col),
                        detail: format!(
                            "the cell is hidden under the merged cells {}:{} but still holds a \
                             value ({}), which a spreadsheet program does not show; unmerge the \
                             cells, check the figures and save it again",
                            a1(top, left),
                            a1(bottom, right),
                            quote(&value.shown())
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Sheet names must tell the sheets apart: a return's sheets are found by name, ignoring
/// case, and a program shows only one of two sheets of the same name. And no sheet may be
/// "very hidden", which Excel can hold but never show: a person would check one sheet while
/// npg read another.
pub(super) fn check_sheets(sheets: &[calamine::Sheet]) -> Result<(), Refusal> {
    let mut seen: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    let mut any = false;
    for sheet in sheets {
        let name = sheet.name.as_str();
        any = true;
        if sheet.visible == calamine::SheetVisible::VeryHidden {
            return Err(Refusal::Unreadable(format!(
                "the workbook has a sheet {} hidden so that Excel cannot show it (\"very \
                 hidden\"), so no one can check what it holds; delete it, or make it visible, \
                 and save it again",
                quote(name)
            )));
        }
        let chars = name.chars().count();
        if chars > MAX_SHEET_NAME_CHARS {
            return Err(damaged(format!(
                "it has a sheet whose name is {} characters long (a sheet name is at most {}), \
                 starting {}",
                thousands(chars as u64),
                MAX_SHEET_NAME_CHARS,
                quote(name)
            )));
        }
        // Folded as the reader finds sheets by name (trimmed, any case), so that a second
        // "Expenditure " or "EXPENDITURE" can never stand in for the one a person sees.
        if let Some(earlier) = seen.insert(label_key(name), name) {
            return Err(Refusal::Unreadable(format!(
                "the workbook has two sheets named {} and {}; a spreadsheet program shows one \
                 of them and npg would read the other, so neither can be trusted: delete or \
                 rename the one that is not the return and save it again",
                quote(earlier),
                quote(name)
            )));
        }
    }
    if any { Ok(()) } else { Err(no_sheets()) }
}
