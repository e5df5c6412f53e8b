//! The .xlsx/.xlsm path: calamine's streaming cell reader straight into the sparse grid.

use std::io::Cursor;

use calamine::{Reader, SheetType, Xlsx, XlsxError};

use super::limits::{Limits, Room};
use super::sheets::{check_merged, check_sheets};
use super::values::from_data_ref;
use super::{Refusal, SAVE_AGAIN, reader_error};
use crate::findings::{a1, quote};
use crate::read::grid::{CellValue, SheetGrid, WorkbookData};

pub(super) fn read_xlsx(
    bytes: &[u8],
    limits: &Limits,
    has_merges: bool,
) -> Result<WorkbookData, Refusal> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsxError::Password => Refusal::Locked,
        other => reader_error(other),
    })?;
    let sheets = book.sheets_metadata().to_vec();
    check_sheets(&sheets)?;
    let mut room = Room::new(limits);
    let mut grids = Vec::with_capacity(sheets.len());
    for (index, sheet) in sheets.iter().enumerate() {
        let mut grid = SheetGrid::new(sheet.name.clone(), index);
        // Chart and dialog sheets hold no cells; they keep their place in the workbook.
        if sheet.typ == SheetType::WorkSheet {
            let mut cells = book
                .worksheet_cells_reader(&sheet.name)
                .map_err(reader_error)?;
            while let Some(cell) = cells.next_cell().map_err(reader_error)? {
                let value = from_data_ref(cell.get_value());
                if value == CellValue::Empty {
                    continue;
                }
                let (row, col) = cell.get_position();
                room.place(&sheet.name, index, u64::from(row), u64::from(col), &value)?;
                // A cell written twice shows one value in one program and the other in
                // another (Excel calls such a file damaged).
                if grid.get(row, col) != &CellValue::Empty {
                    return Err(Refusal::Ambiguous {
                        sheet: sheet.name.clone(),
                        index,
                        row: u64::from(row),
                        col: u64::from(col),
                        detail: format!(
                            "the file holds cell {} twice ({} and {}), so programs differ on \
                             which value they show; {SAVE_AGAIN}",
                            a1(row, col),
                            quote(&grid.get(row, col).shown()),
                            quote(&value.shown())
                        ),
                    });
                }
                grid.set(row, col, value);
            }
            drop(cells);
            if has_merges {
                let merged = book
                    .merge_cells_by_sheet_name(&sheet.name)
                    .map_err(reader_error)?;
                check_merged(&grid, &merged)?;
            }
        }
        grids.push(grid);
    }
    Ok(WorkbookData { sheets: grids })
}
