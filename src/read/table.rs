//! A sheet read as a table: its columns found by header label in row 1, in any order, and
//! its data rows below. The returns' data sheets and the one-table workbooks (weights,
//! allocations) share it; each words its own F04 from what is missing.

use std::collections::BTreeMap;

use crate::findings::{Location, quote};
use crate::layout::{Column, ValueKind};

use super::cell::CellAt;
use super::grid::{SheetGrid, same_label};

/// A data sheet's columns, found by header label in row 1, any order.
pub struct Table<'a> {
    pub file: &'a str,
    pub sheet: &'a SheetGrid,
    /// The column of each layout key whose header was found.
    pub columns: BTreeMap<&'a str, (u32, &'a Column)>,
}

/// The headers a table lacks, for its F04: each quoted, with the headers row 1 does hold.
pub struct MissingHeaders {
    pub missing: Vec<String>,
    pub found: Vec<String>,
}

impl<'a> Table<'a> {
    /// Matches row 1 of `sheet` against the layout's `columns`. The table is kept with the
    /// headers that were found, so that every other finding of the file is reported too.
    pub fn match_header(
        file: &'a str,
        sheet: &'a SheetGrid,
        columns: &'a [Column],
    ) -> (Table<'a>, Option<MissingHeaders>) {
        let headers: Vec<(u32, String)> = sheet
            .row(0)
            .filter(|(_, v)| !v.is_blank())
            .map(|(col, v)| (col, v.shown().trim().to_owned()))
            .collect();
        let mut found_columns = BTreeMap::new();
        let mut missing = Vec::new();
        for column in columns {
            match headers.iter().find(|(_, h)| same_label(h, &column.header)) {
                Some((col, _)) => {
                    found_columns.insert(column.key.as_str(), (*col, column));
                }
                None => missing.push(quote(&column.header)),
            }
        }
        let lacking = (!missing.is_empty()).then(|| MissingHeaders {
            missing,
            found: headers.iter().map(|(_, h)| quote(h)).collect(),
        });
        let table = Table {
            file,
            sheet,
            columns: found_columns,
        };
        (table, lacking)
    }

    /// The data rows: every row below the header that is not wholly blank (rules §10).
    pub fn rows(&self) -> Vec<u32> {
        let last = self.sheet.last_row().unwrap_or(0);
        (1..=last)
            .filter(|row| !self.sheet.row_is_blank(*row))
            .collect()
    }

    /// The cell of column `key` in `row`, when the column was found.
    pub fn cell(&self, row: u32, key: &str) -> Option<CellAt<'a>> {
        let &(col, column) = self.columns.get(key)?;
        Some(CellAt {
            file: self.file,
            sheet: self.sheet,
            row,
            col,
            label: &column.header,
            row_label: None,
        })
    }

    /// The kind of value column `key` holds, when it was found.
    pub fn kind(&self, key: &str) -> Option<ValueKind> {
        self.columns.get(key).map(|(_, c)| c.kind)
    }

    /// The sheet, as a finding about the whole table names it.
    pub fn sheet_location(&self) -> Location {
        Location::sheet(self.file, &self.sheet.name, self.sheet.index)
    }

    /// The header cell of a column (where a finding about the whole column points), or
    /// the sheet when the column was not found.
    pub fn header_location(&self, key: &str) -> Location {
        match self.cell(0, key) {
            Some(cell) => cell.location(),
            None => self.sheet_location(),
        }
    }

    /// The input columns (not the fixed ones a template fills in), left to right.
    fn inputs(&self) -> Vec<(u32, &'a Column)> {
        let mut inputs: Vec<(u32, &Column)> = self
            .columns
            .values()
            .filter(|(_, c)| !c.fixed)
            .copied()
            .collect();
        inputs.sort_by_key(|(col, _)| *col);
        inputs
    }

    /// The row's first input cell that is not blank, if any.
    pub fn first_filled_input(&self, row: u32) -> Option<CellAt<'a>> {
        self.inputs()
            .into_iter()
            .find(|(col, _)| !self.sheet.get(row, *col).is_blank())
            .map(|(col, column)| CellAt {
                file: self.file,
                sheet: self.sheet,
                row,
                col,
                label: &column.header,
                row_label: None,
            })
    }
}
