//! The allocations workbook `npg allocate` writes, and the weights workbook it reads (written
//! here for the fixture year), laid out as `templates/allocations.toml` and `weights.toml` say.

use crate::text::fit_cell;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::domain::{FinancialYear, ForceId, ForceList, Money};
use crate::layout::{TableLayout, ValueKind, layouts};
use crate::rules::allocate::{Allocation, WeightLine};

use super::formats::{self, NUMBER_FORMAT_HEADCOUNT, NUMBER_FORMAT_MONEY};
use super::print::{Heading, Orientation, PageSetup, Paper, Scaling, set_up_page};
use super::table::{header_format, width};

/// One cell of a table row.
enum Value<'a> {
    Text(&'a str),
    /// Written with the column's number format.
    Number(Decimal),
}

/// Writes the Allocations workbook: the `Allocations` sheet (a row per force, sorted by id,
/// no totals row) and the `Check` sheet (pot, total allocated, difference, unit, number of
/// forces). The creation date is the first day of `year`, so the same allocation always
/// gives the same bytes (rules §10).
pub fn write_allocations(
    allocation: &Allocation,
    forces: &ForceList,
    year: FinancialYear,
) -> Result<Vec<u8>, XlsxError> {
    let layout = &layouts().allocations;
    let mut workbook = new_workbook(year, "allocations")?;
    let mut lines: Vec<_> = allocation.lines.iter().collect();
    lines.sort_by(|a, b| a.force.cmp(&b.force));
    let rows: Vec<Vec<(&str, Value)>> = lines
        .iter()
        .map(|line| {
            vec![
                ("force_id", Value::Text(line.force.as_str())),
                ("force_name", Value::Text(force_name(forces, &line.force))),
                ("weight", Value::Number(line.weight.as_decimal())),
                ("allocation", Value::Number(line.allocation.as_decimal())),
            ]
        })
        .collect();
    let year_text = year.to_string();
    let heading = heading(&year_text, "allocations");
    let sheet = workbook.add_worksheet();
    write_table(sheet, layout, &rows)?;
    sheet.set_active(true);
    set_up_page(sheet, &heading, &table_page())?;

    let check_name = layout.check_sheet.as_deref().unwrap_or("Check");
    let check = workbook.add_worksheet();
    write_check(check, check_name, allocation)?;
    set_up_page(
        check,
        &heading,
        &PageSetup::page(Paper::A4, Orientation::Portrait, Scaling::PagesWide(1)),
    )?;
    workbook.save_to_buffer()
}

/// Writes the weights workbook (sheet `Weights`: Force id | Force name | Weight), a row per
/// force sorted by id, with the first day of `year` as its creation date.
pub fn write_weights(
    weights: &[WeightLine],
    forces: &ForceList,
    year: FinancialYear,
) -> Result<Vec<u8>, XlsxError> {
    let layout = &layouts().weights;
    let mut workbook = new_workbook(year, "allocation weights")?;
    let mut lines: Vec<&WeightLine> = weights.iter().collect();
    lines.sort_by(|a, b| a.force.cmp(&b.force));
    let rows: Vec<Vec<(&str, Value)>> = lines
        .iter()
        .map(|line| {
            vec![
                ("force_id", Value::Text(line.force.as_str())),
                ("force_name", Value::Text(force_name(forces, &line.force))),
                ("weight", Value::Number(line.weight.as_decimal())),
            ]
        })
        .collect();
    let year_text = year.to_string();
    let sheet = workbook.add_worksheet();
    write_table(sheet, layout, &rows)?;
    sheet.set_active(true);
    set_up_page(
        sheet,
        &heading(&year_text, "allocation weights"),
        &table_page(),
    )?;
    workbook.save_to_buffer()
}

/// The header and footer of the year's allocation workbooks (no run, so no fingerprint).
fn heading<'a>(year: &'a str, what: &'a str) -> Heading<'a> {
    Heading {
        scheme: SCHEME,
        year,
        quarter: None,
        what,
        fingerprint: None,
    }
}

/// A table of forces: A4 portrait, one page wide, the header row on every page.
fn table_page() -> PageSetup {
    PageSetup::table(Paper::A4, Orientation::Portrait, Scaling::PagesWide(1))
}

/// The scheme these workbooks are of, as their titles name it.
const SCHEME: &str = "Neighbourhood Policing Grant";

/// A workbook whose properties are fixed by the year (its creation date the year's first
/// day), so that the same figures always give the same bytes; `what` ends its title.
fn new_workbook(year: FinancialYear, what: &str) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&formats::fixed_properties(
        year.first_day(),
        &format!("{SCHEME} {year}: {what}"),
    )?);
    Ok(workbook)
}

/// The force's name from the force list, or blank for a force not in it.
fn force_name<'a>(forces: &'a ForceList, force: &ForceId) -> &'a str {
    forces.get(force).map_or("", |f| f.name.as_str())
}

/// The number format of a column of `kind`.
fn number_format(kind: ValueKind) -> Format {
    match kind {
        ValueKind::Money => Format::new().set_num_format(NUMBER_FORMAT_MONEY),
        _ => Format::new().set_num_format("General"),
    }
}

/// Writes a header row from the layout and one row per item, each value in the column its
/// key names, with a frozen header and widths that fit the contents.
fn write_table(
    sheet: &mut Worksheet,
    layout: &TableLayout,
    rows: &[Vec<(&str, Value)>],
) -> Result<(), XlsxError> {
    sheet.set_name(&layout.sheet)?;
    let header = header_format();
    let text = Format::new().set_num_format("@");
    for (index, column) in layout.columns.iter().enumerate() {
        let col = u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(0, col, &column.header, &header)?;
        let number = number_format(column.kind);
        let mut widest = column.header.chars().count();
        for (row_index, row) in rows.iter().enumerate() {
            let row_num =
                u32::try_from(row_index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            match row
                .iter()
                .find(|(key, _)| *key == column.key)
                .map(|(_, v)| v)
            {
                Some(Value::Text(value)) => {
                    widest = widest.max(value.chars().count());
                    sheet.write_string_with_format(row_num, col, fit_cell(value), &text)?;
                }
                Some(Value::Number(value)) => {
                    // The one conversion to a float: a spreadsheet number is a float, and
                    // every amount here has at most 2 places (weights at most 6), which
                    // reads back exactly (rules §1).
                    let float = value.to_f64().ok_or_else(|| {
                        XlsxError::ParameterError(format!("{value} cannot be written as a number"))
                    })?;
                    let shown = if column.kind == ValueKind::Money {
                        Money::round(*value).to_gbp()
                    } else {
                        value.to_string()
                    };
                    widest = widest.max(shown.chars().count());
                    sheet.write_number_with_format(row_num, col, float, &number)?;
                }
                None => {}
            }
        }
        sheet.set_column_width(col, width(widest))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The Check sheet: the figures a reader checks the allocation by, one label and value a row.
fn write_check(
    sheet: &mut Worksheet,
    name: &str,
    allocation: &Allocation,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let header = header_format();
    let label = Format::new().set_bold();
    let money = Format::new().set_num_format(NUMBER_FORMAT_MONEY);
    let count = Format::new().set_num_format(NUMBER_FORMAT_HEADCOUNT);
    sheet.write_string_with_format(0, 0, "Check", &header)?;
    sheet.write_string_with_format(0, 1, "Value", &header)?;
    let amounts = [
        ("Pot", allocation.pot),
        ("Total allocated", allocation.total()),
        ("Difference", allocation.difference()),
    ];
    for (row, (text, amount)) in (1u32..).zip(amounts) {
        sheet.write_string_with_format(row, 0, text, &label)?;
        let float = amount.as_decimal().to_f64().ok_or_else(|| {
            XlsxError::ParameterError(format!("{amount} cannot be written as a number"))
        })?;
        sheet.write_number_with_format(row, 1, float, &money)?;
    }
    sheet.write_string_with_format(4, 0, "Unit", &label)?;
    sheet.write_string(
        4,
        1,
        format!(
            "{} ({})",
            allocation.unit,
            allocation.unit.amount().to_gbp()
        ),
    )?;
    sheet.write_string_with_format(5, 0, "Number of forces", &label)?;
    let forces =
        u32::try_from(allocation.lines.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.write_number_with_format(5, 1, f64::from(forces), &count)?;
    sheet.set_column_width(0, width("Number of forces".len()))?;
    sheet.set_column_width(1, width(allocation.pot.to_gbp().len().max(16)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::{CellValue, SheetGrid, WorkbookData};
    use crate::read::tables::{read_allocations, read_weights};
    use crate::rules::allocate::{AllocationUnit, allocate};
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn forces() -> ForceList {
        ForceList::parse("id,name\na,Force A\nb,Force B\nc,Force C\n", "forces.csv").unwrap()
    }

    fn weights() -> Vec<WeightLine> {
        [("c", "1"), ("a", "1"), ("b", "1")]
            .iter()
            .map(|(f, w)| WeightLine {
                force: f.parse().unwrap(),
                weight: w.parse().unwrap(),
            })
            .collect()
    }

    /// The workbook as the reader sees it, read with calamine straight from the bytes.
    fn read_back(bytes: &[u8]) -> WorkbookData {
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
        let mut sheets = Vec::new();
        for (index, name) in book.sheet_names().into_iter().enumerate() {
            let range = book.worksheet_range(&name).unwrap();
            let mut grid = SheetGrid::new(name.clone(), index);
            for (row, col, value) in range.used_cells() {
                let value = match value {
                    Data::String(s) => CellValue::Text(s.clone()),
                    Data::Float(f) => CellValue::Number(*f),
                    Data::Int(i) => CellValue::Number(*i as f64),
                    _ => CellValue::Empty,
                };
                grid.set(row as u32, col as u32, value);
            }
            sheets.push(grid);
        }
        WorkbookData { sheets }
    }

    fn year() -> FinancialYear {
        "2025-26".parse().unwrap()
    }

    #[test]
    fn the_allocations_workbook_reads_back_as_written() {
        let allocation = allocate(Money::pounds(100), AllocationUnit::Penny, &weights()).unwrap();
        let bytes = write_allocations(&allocation, &forces(), year()).unwrap();
        let data = read_back(&bytes);
        assert_eq!(data.sheet_names(), ["Allocations", "Check"]);
        let (amounts, findings) =
            read_allocations("a.xlsx", &data, &forces(), Some(Money::pounds(100)));
        assert!(findings.is_empty(), "{findings:?}");
        let got: Vec<String> = amounts.iter().map(|(f, m)| format!("{f} {m}")).collect();
        assert_eq!(got, ["a 33.34", "b 33.33", "c 33.33"]);
        let sheet = data.sheet("Allocations").unwrap();
        assert_eq!(sheet.get(1, 1), &CellValue::Text("Force A".into()));
        // No totals row: the last row is the last force.
        assert_eq!(sheet.last_row(), Some(3));
        let check = data.sheet("Check").unwrap();
        let rows: Vec<(String, String)> = (1..=5)
            .map(|r| (check.get(r, 0).shown(), check.get(r, 1).shown()))
            .collect();
        assert_eq!(
            rows,
            [
                ("Pot", "100"),
                ("Total allocated", "100"),
                ("Difference", "0"),
                ("Unit", "penny (£0.01)"),
                ("Number of forces", "3"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
    }

    #[test]
    fn the_weights_workbook_reads_back_as_written() {
        let bytes = write_weights(&weights(), &forces(), year()).unwrap();
        let (lines, findings) = read_weights("w.xlsx", &read_back(&bytes), &forces());
        assert!(findings.is_empty(), "{findings:?}");
        let ids: Vec<&str> = lines.iter().map(|l| l.force.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[test]
    fn the_same_allocation_gives_the_same_bytes() {
        let allocation = allocate(Money::pounds(10), AllocationUnit::Pound, &weights()).unwrap();
        let first = write_allocations(&allocation, &forces(), year()).unwrap();
        let second = write_allocations(&allocation, &forces(), year()).unwrap();
        assert_eq!(first, second);
    }
}
