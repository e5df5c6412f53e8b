//! Workbooks as read: sheets of cell values, independent of the reading library.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

/// One cell's value as the spreadsheet holds it, before any meaning is given to it.
#[derive(Clone, Debug, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date (or date-time) cell, already resolved from the workbook's 1900 or 1904 system.
    Date(NaiveDateTime),
    /// A formula error value such as `#DIV/0!`.
    Error(String),
}

impl CellValue {
    /// True for an empty cell and for text of only spaces (rules §10: such text is blank).
    pub fn is_blank(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a person would read it, for messages.
    pub fn shown(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(text) => text.clone(),
            CellValue::Number(n) => format!("{n}"),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            CellValue::Date(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    d.date().format("%Y-%m-%d").to_string()
                } else {
                    d.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            CellValue::Error(e) => e.clone(),
        }
    }
}

static EMPTY: CellValue = CellValue::Empty;

/// One sheet: its name, its position in the workbook and its non-empty cells, kept sparse so
/// that a stray cell far from the table never makes a huge grid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SheetGrid {
    pub name: String,
    /// Zero-based position of the sheet in the workbook.
    pub index: usize,
    cells: BTreeMap<(u32, u32), CellValue>,
}

impl SheetGrid {
    pub fn new(name: impl Into<String>, index: usize) -> SheetGrid {
        SheetGrid {
            name: name.into(),
            index,
            cells: BTreeMap::new(),
        }
    }

    /// Sets a cell (zero-based row and column); empty values are not stored.
    pub fn set(&mut self, row: u32, col: u32, value: CellValue) {
        if value == CellValue::Empty {
            self.cells.remove(&(row, col));
        } else {
            self.cells.insert((row, col), value);
        }
    }

    /// The cell at zero-based (row, col); `Empty` where nothing is.
    pub fn get(&self, row: u32, col: u32) -> &CellValue {
        self.cells.get(&(row, col)).unwrap_or(&EMPTY)
    }

    /// The last row holding any value (zero-based), if any.
    pub fn last_row(&self) -> Option<u32> {
        self.cells.keys().next_back().map(|(row, _)| *row)
    }

    /// The last column holding any value (zero-based), if any.
    pub fn last_col(&self) -> Option<u32> {
        self.cells.keys().map(|(_, col)| *col).max()
    }

    /// The non-empty cells of one row, in column order.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &CellValue)> {
        self.cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|((_, col), value)| (*col, value))
    }

    /// The non-empty cells of one row from column `first` to `last`, in column order.
    pub fn row_between(
        &self,
        row: u32,
        first: u32,
        last: u32,
    ) -> impl Iterator<Item = (u32, &CellValue)> {
        self.cells
            .range((row, first)..=(row, last.max(first)))
            .map(|((_, col), value)| (*col, value))
    }

    /// True when the row has no value other than blanks.
    pub fn row_is_blank(&self, row: u32) -> bool {
        self.row(row).all(|(_, value)| value.is_blank())
    }

    /// Every non-empty cell in row then column order.
    pub fn cells(&self) -> impl Iterator<Item = ((u32, u32), &CellValue)> {
        self.cells.iter().map(|(at, value)| (*at, value))
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// A whole workbook as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkbookData {
    pub sheets: Vec<SheetGrid>,
}

impl WorkbookData {
    /// The sheet whose name matches `name` after trimming, ignoring case (rules §10).
    pub fn sheet(&self, name: &str) -> Option<&SheetGrid> {
        self.sheets.iter().find(|s| same_label(&s.name, name))
    }

    pub fn sheet_names(&self) -> Vec<&str> {
        self.sheets.iter().map(|s| s.name.as_str()).collect()
    }
}

/// Labels, headers and sheet names match after trimming, ignoring case (rules §10).
pub fn same_label(found: &str, wanted: &str) -> bool {
    label_key(found) == label_key(wanted)
}

/// What a label is matched by: trimmed (of any white space, a no-break space included) and
/// lower-cased. Two sheet names with the same key are one sheet to the reader.
pub fn label_key(label: &str) -> String {
    label.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_sheet_keeps_only_what_is_there() {
        let mut sheet = SheetGrid::new("Profile", 1);
        sheet.set(0, 0, CellValue::Text("Month".into()));
        sheet.set(1_048_575, 16_383, CellValue::Number(1.0));
        sheet.set(2, 2, CellValue::Empty);
        assert_eq!(sheet.cells().count(), 2);
        assert_eq!(sheet.last_row(), Some(1_048_575));
        assert_eq!(sheet.last_col(), Some(16_383));
        assert_eq!(sheet.get(5, 5), &CellValue::Empty);
        assert!(sheet.row_is_blank(7));
    }

    #[test]
    fn blank_means_empty_or_only_spaces() {
        assert!(CellValue::Empty.is_blank());
        assert!(CellValue::Text("   ".into()).is_blank());
        assert!(!CellValue::Text(" 0 ".into()).is_blank());
        assert!(!CellValue::Number(0.0).is_blank());
    }

    #[test]
    fn labels_match_trimmed_ignoring_case() {
        assert!(same_label("  officers fte ", "Officers FTE"));
        assert!(!same_label("Officer FTE", "Officers FTE"));
    }
}
