//! calamine's cells (`Data`, `DataRef`) as [`CellValue`]s, dates resolved, and the dense read.

use std::fmt::Display;
use std::io::{Read, Seek};

use calamine::{Data, DataRef, ExcelDateTime, Reader};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::limits::{Limits, Room};
use super::sheets::check_sheets;
use super::{Refusal, reader_error};
use crate::read::grid::{CellValue, SheetGrid, WorkbookData};

pub(super) fn from_data(value: &Data) -> CellValue {
    match value {
        Data::Int(n) => CellValue::Number(*n as f64),
        Data::Float(n) => CellValue::Number(*n),
        Data::String(text) => CellValue::Text(text.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(date) => excel_date(date),
        Data::DateTimeIso(text) => iso_date(text),
        Data::DurationIso(text) => CellValue::Text(text.clone()),
        Data::Error(error) => CellValue::Error(error.to_string()),
        Data::Empty => CellValue::Empty,
    }
}

pub(super) fn from_data_ref(value: &DataRef) -> CellValue {
    match value {
        DataRef::Int(n) => CellValue::Number(*n as f64),
        DataRef::Float(n) => CellValue::Number(*n),
        DataRef::String(text) => CellValue::Text(text.clone()),
        DataRef::SharedString(text) => CellValue::Text((*text).to_owned()),
        DataRef::Bool(b) => CellValue::Bool(*b),
        DataRef::DateTime(date) => excel_date(date),
        DataRef::DateTimeIso(text) => iso_date(text),
        DataRef::DurationIso(text) => CellValue::Text(text.clone()),
        DataRef::Error(error) => CellValue::Error(error.to_string()),
        DataRef::Empty => CellValue::Empty,
    }
}

/// The serial Excel's dates can take: 0 to 9999-12-31.
const LAST_EXCEL_SERIAL: f64 = 2_958_466.0;

/// A date-formatted number, resolved in the workbook's 1900 or 1904 system. A duration, or a
/// serial no date can have, stays the number it is, so that it is reported rather than lost.
pub(super) fn excel_date(date: &ExcelDateTime) -> CellValue {
    let serial = date.as_f64();
    // as_datetime() panics on a serial too large for chrono, so it is asked only in range.
    if date.is_datetime()
        && serial.is_finite()
        && (0.0..LAST_EXCEL_SERIAL).contains(&serial)
        && let Some(at) = date.as_datetime()
    {
        return CellValue::Date(at);
    }
    CellValue::Number(serial)
}

/// An .ods date cell: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (fractions allowed). Anything
/// else stays text, to be reported where a date is expected.
pub(super) fn iso_date(text: &str) -> CellValue {
    let trimmed = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return CellValue::Date(day.and_time(NaiveTime::MIN));
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f") {
        return CellValue::Date(at);
    }
    CellValue::Text(text.to_owned())
}

/// Reads every sheet of an .xls or .ods through calamine's dense ranges, which the scans
/// have already bounded.
pub(super) fn read_dense<RS, R>(book: &mut R, limits: &Limits) -> Result<WorkbookData, Refusal>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: Display,
{
    let sheets = book.sheets_metadata().to_vec();
    check_sheets(&sheets)?;
    let mut room = Room::new(limits);
    let mut grids = Vec::with_capacity(sheets.len());
    for (index, sheet) in sheets.iter().enumerate() {
        let range = book.worksheet_range(&sheet.name).map_err(reader_error)?;
        let mut grid = SheetGrid::new(sheet.name.clone(), index);
        // used_cells() counts from the range's start; the grid keeps places in the sheet.
        let (top, left) = range.start().unwrap_or((0, 0));
        for (row, col, value) in range.used_cells() {
            let value = from_data(value);
            if value == CellValue::Empty {
                continue;
            }
            let row = u64::from(top).saturating_add(row as u64);
            let col = u64::from(left).saturating_add(col as u64);
            room.place(&sheet.name, index, row, col, &value)?;
            let (Ok(row), Ok(col)) = (u32::try_from(row), u32::try_from(col)) else {
                continue; // not reached: within_limits bounds both
            };
            grid.set(row, col, value);
        }
        grids.push(grid);
    }
    Ok(WorkbookData { sheets: grids })
}
