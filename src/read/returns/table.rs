//! Reading the cells of a return's data table: required and optional cells (C01 for a blank
//! required one) and the month of each row, checked by the rules of `rules::validate::months`.

use std::collections::BTreeSet;

use crate::domain::{FinancialYear, Month};
use crate::findings::{CellRef, Finding};
use crate::layout::ValueKind;
use crate::rules::validate::months::{month_in_year, months_in_order, months_missing};

use super::super::cell::{CellAt, read_month};
use super::super::table::Table;
use super::Reader;

/// A data row: its number, and what names it in messages (the category's name, the
/// month) once its key has been read.
#[derive(Clone, Copy, Debug)]
pub(super) struct Row<'r> {
    pub number: u32,
    pub label: Option<&'r str>,
}

impl<'r> Row<'r> {
    pub(super) fn labelled(number: u32, label: &'r str) -> Row<'r> {
        Row {
            number,
            label: Some(label),
        }
    }

    /// The cell of column `key` in the row, named by the row's label too.
    pub(super) fn cell<'a>(&self, table: &Table<'a>, key: &str) -> Option<CellAt<'r>>
    where
        'a: 'r,
    {
        Some(table.cell(self.number, key)?.in_row(self.label))
    }
}

/// A row whose key is not read yet (or could not be): named by its column alone.
impl From<u32> for Row<'_> {
    fn from(number: u32) -> Self {
        Row {
            number,
            label: None,
        }
    }
}

/// Reads a required data cell, recording C01 when blank.
pub(super) fn required_cell<'r, T>(
    reader: &mut Reader,
    table: &Table,
    row: impl Into<Row<'r>>,
    key: &str,
    read: impl Fn(&CellAt) -> Result<Option<T>, Finding>,
) -> Option<T> {
    let row = row.into();
    let value = optional_cell(reader, table, row, key, read);
    let cell = row.cell(table, key)?;
    if value.is_none() && cell.value().is_blank() {
        let hint = match table.kind(key) {
            Some(ValueKind::Money) => "enter the amount, or 0 if none",
            _ => "enter the figure, or 0 if none",
        };
        reader.push(cell.blank_finding(hint));
    }
    value
}

/// Reads an optional data cell: blank is `None`, without a finding.
pub(super) fn optional_cell<'r, T>(
    reader: &mut Reader,
    table: &Table,
    row: impl Into<Row<'r>>,
    key: &str,
    read: impl Fn(&CellAt) -> Result<Option<T>, Finding>,
) -> Option<T> {
    let cell = row.into().cell(table, key)?;
    reader.take(read(&cell))
}

/// The month of each data row, each in the year (C08), with X03 for months repeated or out
/// of order and, up to `through` (March, or a monitoring `Months to`), missing.
pub(super) fn read_months<'a>(
    reader: &mut Reader,
    table: &Table<'a>,
    year: FinancialYear,
    through: Option<Month>,
) -> Vec<(u32, Option<Month>)> {
    let mut months = Vec::new();
    let mut placed: Vec<(CellRef<'a>, Month)> = Vec::new();
    for row in table.rows() {
        let month = required_cell(reader, table, row, "month", read_month);
        let month = match (month, table.cell(row, "month")) {
            (Some(month), Some(cell)) => {
                let month = reader.check(month_in_year(&cell.at(), month, year));
                if let Some(month) = month {
                    placed.push((cell.at(), month));
                }
                month
            }
            _ => None,
        };
        months.push((row, month));
    }
    reader.findings.extend(months_in_order(&placed));
    if let Some(through) = through {
        let present: BTreeSet<Month> = placed.iter().map(|(_, m)| *m).collect();
        reader.note(months_missing(
            table.sheet_location(),
            year,
            through,
            &present,
        ));
    }
    months
}
