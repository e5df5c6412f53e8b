//! The bounds a workbook is read within, and the room left of them as its cells are read.

use super::Refusal;
use crate::read::grid::CellValue;

/// Rows a sheet may hold values in (rows 1 to 5,000); templates use about 15.
pub const MAX_ROWS: u32 = 5_000;

/// Columns a sheet may hold values in (A to CV); templates use about 7.
pub const MAX_COLS: u32 = 100;

/// Cells a whole workbook may hold: four sheets filled to the limit, about 64 MB in calamine's
/// dense ranges. For .xls and .ods this counts the rectangles calamine fills.
pub const MAX_WORKBOOK_CELLS: u64 = 4 * MAX_ROWS as u64 * MAX_COLS as u64;

/// What the parts of a zip workbook may unpack to, together: 32 MB; a return's parts come to
/// a few hundred kilobytes.
pub const MAX_UNZIPPED_BYTES: u64 = 32 * 1024 * 1024;

/// The longest run of spaces one `text:s` element of an .ods may ask for (Excel's limit on
/// the text of one cell).
pub const MAX_SPACES: u64 = 32_767;

/// The most characters one cell may hold: 32,767, Excel's limit (and what an output cell
/// can hold, see [`crate::text::fit_cell`]).
pub const MAX_CELL_CHARS: usize = crate::text::CELL_TEXT_LIMIT;

/// The most bytes the text of one cell may come to: [`MAX_CELL_CHARS`] characters of up to
/// four bytes each (the exact count of characters is checked once the cell is read).
pub(super) const MAX_CELL_TEXT_BYTES: u64 = 4 * MAX_CELL_CHARS as u64;

/// The text all the cells of a return may hold together, repeats counted: 16 MB (a
/// template's text comes to about 3 KB).
pub const MAX_WORKBOOK_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// The longest sheet name read: 255 characters (Excel allows 31; LibreOffice more).
pub const MAX_SHEET_NAME_CHARS: usize = 255;

/// The bounds one workbook is read within. A return is read within [`Limits::RETURN`]; a run
/// folder's output, read again by `npg audit verify`, within bounds made from what the run
/// wrote (see `audit::diff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Rows a sheet may hold values in.
    pub rows: u32,
    /// Columns a sheet may hold values in.
    pub cols: u32,
    /// Cells the whole workbook may hold (for .xls and .ods, the rectangles calamine fills).
    pub cells: u64,
    /// What the parts of a zip workbook may unpack to, together.
    pub unzipped_bytes: u64,
    /// The text the workbook's cells may hold together, in bytes, repeats counted.
    pub text_bytes: u64,
    /// What is read within these bounds, for messages: "a return".
    pub what: &'static str,
}

impl Limits {
    /// The bounds of a return (and of an allocations or weights workbook).
    pub const RETURN: Limits = Limits {
        rows: MAX_ROWS,
        cols: MAX_COLS,
        cells: MAX_WORKBOOK_CELLS,
        unzipped_bytes: MAX_UNZIPPED_BYTES,
        text_bytes: MAX_WORKBOOK_TEXT_BYTES,
        what: "a return",
    };
}

/// What is left of a workbook's [`Limits`] as its cells are read: cells and text.
pub(super) struct Room<'a> {
    limits: &'a Limits,
    cells: u64,
    text: u64,
}

impl<'a> Room<'a> {
    pub(super) fn new(limits: &'a Limits) -> Room<'a> {
        Room {
            limits,
            cells: limits.cells,
            text: limits.text_bytes,
        }
    }

    /// Takes room for one cell holding `value`: within the rows and columns, within the
    /// cells and text left, and text no longer than a cell can hold.
    pub(super) fn place(
        &mut self,
        sheet: &str,
        index: usize,
        row: u64,
        col: u64,
        value: &CellValue,
    ) -> Result<(), Refusal> {
        within_limits(self.limits, sheet, index, row, col)?;
        take_cells(&mut self.cells, 1)?;
        if let CellValue::Text(text) | CellValue::Error(text) = value {
            if text.len() > MAX_CELL_CHARS {
                let chars = text.chars().count();
                if chars > MAX_CELL_CHARS {
                    return Err(Refusal::TooLong {
                        sheet: sheet.to_owned(),
                        index,
                        row,
                        col,
                        chars,
                    });
                }
            }
            self.text = self
                .text
                .checked_sub(text.len() as u64)
                .ok_or(Refusal::TooMuchText)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Limits shared by the readers and the scans.

pub(super) fn within_limits(
    limits: &Limits,
    sheet: &str,
    index: usize,
    row: u64,
    col: u64,
) -> Result<(), Refusal> {
    if row >= u64::from(limits.rows) || col >= u64::from(limits.cols) {
        return Err(Refusal::Stray {
            sheet: sheet.to_owned(),
            index,
            row,
            col,
        });
    }
    Ok(())
}

pub(super) fn take_cells(room: &mut u64, cells: u64) -> Result<(), Refusal> {
    *room = room.checked_sub(cells).ok_or(Refusal::TooManyCells)?;
    Ok(())
}

/// The rectangle a sheet's values span, inclusive.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bounds {
    top: u64,
    left: u64,
    bottom: u64,
    right: u64,
}

pub(super) fn widen(bounds: &mut Option<Bounds>, top: u64, left: u64, bottom: u64, right: u64) {
    *bounds = Some(match *bounds {
        None => Bounds {
            top,
            left,
            bottom,
            right,
        },
        Some(b) => Bounds {
            top: b.top.min(top),
            left: b.left.min(left),
            bottom: b.bottom.max(bottom),
            right: b.right.max(right),
        },
    });
}

pub(super) fn area(bounds: Option<Bounds>) -> u64 {
    bounds.map_or(0, |b| {
        (b.bottom - b.top + 1).saturating_mul(b.right - b.left + 1)
    })
}
