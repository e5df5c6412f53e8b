//! Reading the one-table workbooks: the weights `npg allocate` splits the pot by, and the
//! allocations a payment run pays against, by the layouts under `templates/`.
//!
//! As with the returns, the sheet is found by name and the columns by header label in any
//! order, every cell is read by the shared cell readers, and every finding of the file is
//! collected rather than stopping at the first.

use std::collections::BTreeMap;

use crate::domain::{ForceId, ForceList, Money};
use crate::findings::{Code, Finding, Location, quote};
use crate::layout::{TableLayout, layouts};
use crate::rules::allocate::{Weight, WeightLine};
use crate::rules::validate::cells;
use crate::rules::validate::tables::{
    allocations_total_pot, every_force_allocated, force_once, some_weight_positive,
};

use super::cell::{CellAt, read_money, read_number, read_text};
use super::grid::WorkbookData;
use super::table::Table;

/// Reads the weights workbook (sheet `Weights`: Force id | Force name | Weight).
///
/// The lines are only meaningful when no finding is an error. Besides the cell findings:
/// X01 for a force id not in `forces`, X11 for a force listed twice, and X08 when no weight
/// is positive, since then the pot cannot be allocated at all.
pub fn read_weights(
    file: &str,
    data: &WorkbookData,
    forces: &ForceList,
) -> (Vec<WeightLine>, Vec<Finding>) {
    let layout = &layouts().weights;
    let mut findings = Vec::new();
    let Some(table) = find_table(file, data, layout, &mut findings) else {
        return (Vec::new(), findings);
    };
    let mut lines = Vec::new();
    let mut seen = BTreeMap::new();
    for row in table.rows() {
        let force = read_force(&table, row, forces, &mut seen, &mut findings);
        let label = force_label(&table, row);
        let weight = table.cell(row, "weight").and_then(|cell| {
            let cell = cell.in_row(label.as_deref());
            let weight = take(read_weight(&cell), &mut findings);
            if weight.is_none() && cell.value().is_blank() {
                findings.push(cell.blank_finding("enter the force's weight, or 0 for none"));
            }
            weight
        });
        if let (Some(force), Some(weight)) = (force, weight) {
            lines.push(WeightLine { force, weight });
        }
    }
    // Whether the pot can be allocated is only worth saying of weights that could be read.
    if !findings.iter().any(Finding::is_error) {
        findings.extend(some_weight_positive(
            table.header_location("weight"),
            &lines,
        ));
    }
    (lines, findings)
}

/// Reads an allocations workbook (sheet `Allocations`: Force id | Force name | Weight |
/// Allocation (£); `Weight` may be blank).
///
/// The map is only meaningful when no finding is an error. Besides the cell findings: X01
/// for a force id not in `forces`, X11 for a force listed twice, and, when the cycle's
/// `pot` is given, X08 when the allocations do not total it and X01 for each force of the
/// force list with no row (a cycle pays every force of its list from this workbook).
pub fn read_allocations(
    file: &str,
    data: &WorkbookData,
    forces: &ForceList,
    pot: Option<Money>,
) -> (BTreeMap<ForceId, Money>, Vec<Finding>) {
    let layout = &layouts().allocations;
    let mut findings = Vec::new();
    let Some(table) = find_table(file, data, layout, &mut findings) else {
        return (BTreeMap::new(), findings);
    };
    let mut amounts = BTreeMap::new();
    let mut seen = BTreeMap::new();
    let mut every_amount_read = true;
    for row in table.rows() {
        let force = read_force(&table, row, forces, &mut seen, &mut findings);
        let label = force_label(&table, row);
        if let Some(cell) = table.cell(row, "weight") {
            // Optional here: a hand-made allocation need not say how it was weighted.
            take(read_weight(&cell.in_row(label.as_deref())), &mut findings);
        }
        let amount = table.cell(row, "allocation").and_then(|cell| {
            let cell = cell.in_row(label.as_deref());
            let amount = take(read_money(&cell), &mut findings);
            if amount.is_none() && cell.value().is_blank() {
                findings.push(cell.blank_finding("enter the force's allocation, or 0 if none"));
            }
            amount
        });
        every_amount_read &= amount.is_some();
        if let (Some(force), Some(amount)) = (force, amount) {
            amounts.insert(force, amount);
        }
    }
    if let Some(pot) = pot {
        let sheet = table.sheet_location();
        findings.extend(every_force_allocated(&sheet, forces, &seen));
        // A total is only worth comparing when every amount could be read.
        if every_amount_read {
            findings.extend(allocations_total_pot(
                table.header_location("allocation"),
                amounts.values().copied(),
                pot,
            ));
        }
    }
    (amounts, findings)
}

/// A weight cell: a number, 0 or more, with at most 6 decimal places.
pub fn read_weight(cell: &CellAt) -> Result<Option<Weight>, Finding> {
    read_number(cell, "the weight", cells::weight)
}

fn take<T>(result: Result<Option<T>, Finding>, findings: &mut Vec<Finding>) -> Option<T> {
    result.unwrap_or_else(|finding| {
        findings.push(finding);
        None
    })
}

/// The workbook's table: F03 when the sheet is missing; F04 when a header is. The table is
/// still read by the headers that were found, so that every other finding is reported too.
fn find_table<'a>(
    file: &'a str,
    data: &'a WorkbookData,
    layout: &'a TableLayout,
    findings: &mut Vec<Finding>,
) -> Option<Table<'a>> {
    let Some(sheet) = data.sheet(&layout.sheet) else {
        let found: Vec<String> = data.sheet_names().iter().map(|n| quote(n)).collect();
        findings.push(Finding::new(
            Code::F03,
            Location::file(file),
            format!(
                "the required sheet {} is missing (found sheets: {}); put the table on a sheet named {}",
                quote(&layout.sheet),
                if found.is_empty() {
                    "none".to_owned()
                } else {
                    found.join(", ")
                },
                quote(&layout.sheet)
            ),
        ));
        return None;
    };
    let (table, lacking) = Table::match_header(file, sheet, &layout.columns);
    if let Some(lacking) = lacking {
        findings.push(Finding::new(
            Code::F04,
            Location::cell(file, &sheet.name, sheet.index, 0, 0),
            format!(
                "the header row lacks {} (found {}); row 1 must hold the headers {}",
                lacking.missing.join(", "),
                if lacking.found.is_empty() {
                    "no headers".to_owned()
                } else {
                    lacking.found.join(", ")
                },
                layout
                    .columns
                    .iter()
                    .map(|c| quote(&c.header))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Some(table)
}

/// What names a row in messages: its force id as typed (even one not in the force list,
/// since that is what the row shows), or nothing when the cell is blank.
fn force_label(table: &Table, row: u32) -> Option<String> {
    table.cell(row, "force_id").as_ref().and_then(read_text)
}

/// The row's force: C01 when blank, and the rules' X01 and X11 (`seen` holds the row each
/// force was first given in).
fn read_force(
    table: &Table,
    row: u32,
    forces: &ForceList,
    seen: &mut BTreeMap<ForceId, u32>,
    findings: &mut Vec<Finding>,
) -> Option<ForceId> {
    let cell = table.cell(row, "force_id")?;
    let Some(text) = read_text(&cell) else {
        findings.push(cell.blank_finding("enter the force's id, for example kent"));
        return None;
    };
    force_once(&cell.at(), &text, forces, seen)
        .map_err(|finding| findings.push(finding))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::read::grid::{CellValue, SheetGrid};

    fn forces() -> ForceList {
        ForceList::parse("id,name\na,Force A\nb,Force B\nc,Force C\n", "forces.csv").unwrap()
    }

    fn text(s: &str) -> CellValue {
        CellValue::Text(s.to_owned())
    }

    fn num(n: f64) -> CellValue {
        CellValue::Number(n)
    }

    /// A workbook with one sheet holding `rows` from A1.
    fn workbook(sheet: &str, rows: Vec<Vec<CellValue>>) -> WorkbookData {
        let mut grid = SheetGrid::new(sheet, 0);
        for (r, row) in rows.into_iter().enumerate() {
            for (c, value) in row.into_iter().enumerate() {
                grid.set(r as u32, c as u32, value);
            }
        }
        WorkbookData { sheets: vec![grid] }
    }

    fn weights_book(rows: Vec<Vec<CellValue>>) -> WorkbookData {
        let mut all = vec![vec![text("Force id"), text("Force name"), text("Weight")]];
        all.extend(rows);
        workbook("Weights", all)
    }

    fn allocations_book(rows: Vec<Vec<CellValue>>) -> WorkbookData {
        let mut all = vec![vec![
            text("Force id"),
            text("Force name"),
            text("Weight"),
            text("Allocation (£)"),
        ]];
        all.extend(rows);
        workbook("Allocations", all)
    }

    /// Findings as `CODE place: message` lines.
    fn shown(findings: &[Finding]) -> Vec<String> {
        findings.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn weights_are_read_exactly() {
        let data = weights_book(vec![
            vec![text("a"), text("Force A"), num(2.0)],
            vec![text("c"), text("Force C"), num(0.125)],
            vec![],
            vec![text("b"), text("Force B"), num(0.0)],
        ]);
        let (lines, findings) = read_weights("weights.xlsx", &data, &forces());
        assert!(findings.is_empty(), "{findings:?}");
        let got: Vec<(String, String)> = lines
            .iter()
            .map(|l| (l.force.to_string(), l.weight.to_string()))
            .collect();
        assert_eq!(
            got,
            [("a", "2"), ("c", "0.125"), ("b", "0")].map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
    }

    #[test]
    fn columns_are_found_by_header_in_any_order() {
        let data = workbook(
            "weights",
            vec![
                vec![text(" WEIGHT "), text("Force id"), text("Force name")],
                vec![num(3.5), text("b"), text("B")],
            ],
        );
        let (lines, findings) = read_weights("w.xlsx", &data, &forces());
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(lines[0].weight.to_string(), "3.5");
    }

    #[test]
    fn bad_weights_are_findings_naming_their_cells() {
        let data = weights_book(vec![
            vec![text("a"), text("A"), num(-1.0)],
            vec![text("b"), text("B"), text("12k")],
            vec![text("c"), text("C"), num(1.0000001)],
            vec![text("d"), text("D"), num(1.0)],
            vec![text("a"), text("A"), num(1.0)],
            vec![text("Kent"), text("K"), CellValue::Error("#DIV/0!".into())],
            vec![text(""), text("nobody"), num(1e300)],
            vec![text("b"), text("B again"), CellValue::Empty],
        ]);
        let (_, findings) = read_weights("w.xlsx", &data, &forces());
        assert_eq!(
            shown(&findings),
            [
                "error C05 w.xlsx › Weights!C2: a — Weight: -1 is negative; enter the weight as 0 or more",
                "error C02 w.xlsx › Weights!C3: b — Weight: \"12k\" is text; enter the weight as a number (digits only, no commas, £ sign or words)",
                "error C07 w.xlsx › Weights!C4: c — Weight: 1.0000001 has more than 6 decimal places; round the weight to 6 places",
                "error X01 w.xlsx › Weights!A5: Force id: \"d\" is not in the force list; use the force's id as forces.csv gives it (for example kent)",
                "error X11 w.xlsx › Weights!A6: Force id: a is listed twice (first in row 2); give each force one row",
                "error X01 w.xlsx › Weights!A7: Force id: \"Kent\" is not in the force list; use the force's id as forces.csv gives it (for example kent)",
                "error C04 w.xlsx › Weights!C7: Kent — Weight: the formula gives the error \"#DIV/0!\"; correct the formula or type the value in",
                "error C01 w.xlsx › Weights!A8: Force id is blank; enter the force's id, for example kent",
                "error C11 w.xlsx › Weights!C8: Weight: 1e300 is out of any real range (at most 1,000,000,000,000); check the figure",
                "error X11 w.xlsx › Weights!A9: Force id: b is listed twice (first in row 3); give each force one row",
                "error C01 w.xlsx › Weights!C9: b — Weight is blank; enter the force's weight, or 0 for none",
            ]
        );
    }

    #[test]
    fn all_zero_weights_cannot_be_allocated() {
        let data = weights_book(vec![
            vec![text("a"), text("A"), num(0.0)],
            vec![text("b"), text("B"), num(0.0)],
        ]);
        let (_, findings) = read_weights("w.xlsx", &data, &forces());
        assert_eq!(
            shown(&findings),
            [
                "error X08 w.xlsx › Weights!C1: every weight is 0, so the pot cannot be allocated; give at least one force a positive weight"
            ]
        );
        let (_, findings) = read_weights("w.xlsx", &weights_book(vec![]), &forces());
        assert_eq!(findings[0].code, Code::X08);
        assert!(findings[0].message.starts_with("no force is listed"));
    }

    #[test]
    fn a_missing_sheet_or_header_is_reported() {
        let data = workbook("Sheet1", vec![vec![text("Force id")]]);
        let (_, findings) = read_weights("w.xlsx", &data, &forces());
        assert_eq!(
            shown(&findings),
            [
                "error F03 w.xlsx: the required sheet \"Weights\" is missing (found sheets: \"Sheet1\"); put the table on a sheet named \"Weights\""
            ]
        );
        let data = workbook(
            "Weights",
            vec![
                vec![text("Force id"), text("Name"), text("Weight")],
                vec![text("a"), text("A"), num(1.0)],
            ],
        );
        let (lines, findings) = read_weights("w.xlsx", &data, &forces());
        assert_eq!(
            shown(&findings),
            [
                "error F04 w.xlsx › Weights!A1: the header row lacks \"Force name\" (found \"Force id\", \"Name\", \"Weight\"); row 1 must hold the headers \"Force id\", \"Force name\", \"Weight\""
            ]
        );
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn allocations_must_total_the_pot_and_cover_every_force() {
        let data = allocations_book(vec![
            vec![text("a"), text("A"), num(1.0), num(66_666_667.0)],
            vec![text("b"), text("B"), CellValue::Empty, num(133_333_332.0)],
        ]);
        let pot = Money::pounds(200_000_000);
        let (amounts, findings) = read_allocations("alloc.xlsx", &data, &forces(), Some(pot));
        assert_eq!(
            shown(&findings),
            [
                "error X01 alloc.xlsx › Allocations: force c (Force C) of the force list has no allocation row; add a row for it (0 if it gets nothing)",
                "error X08 alloc.xlsx › Allocations!D1: the allocations total £199,999,999.00 but the pot is £200,000,000.00 (difference -£1.00); make the allocations add up to the pot exactly",
            ]
        );
        assert_eq!(amounts.len(), 2);
        assert_eq!(
            amounts[&"b".parse::<ForceId>().unwrap()],
            Money::pounds(133_333_332)
        );
        // Without a cycle's pot, only the rows themselves are checked.
        let (_, findings) = read_allocations("alloc.xlsx", &data, &forces(), None);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn allocations_that_total_the_pot_are_clean() {
        let data = allocations_book(vec![
            vec![text("c"), text("C"), num(1.0), num(33.33)],
            vec![text("a"), text("A"), num(1.0), num(33.34)],
            vec![text("b"), text("B"), num(1.0), num(33.33)],
        ]);
        let (amounts, findings) =
            read_allocations("alloc.xlsx", &data, &forces(), Some(Money::pounds(100)));
        assert!(findings.is_empty(), "{findings:?}");
        let got: Vec<String> = amounts.iter().map(|(f, m)| format!("{f} {m}")).collect();
        assert_eq!(got, ["a 33.34", "b 33.33", "c 33.33"]);
    }

    #[test]
    fn bad_allocation_cells_are_reported_and_no_total_is_compared() {
        let data = allocations_book(vec![
            vec![text("a"), text("A"), text("one"), num(10.005)],
            vec![text("b"), text("B"), CellValue::Empty, CellValue::Empty],
            vec![text("c"), text("C"), CellValue::Empty, num(-3.0)],
            vec![text("c"), text("C"), CellValue::Empty, num(3.0)],
        ]);
        let (_, findings) =
            read_allocations("alloc.xlsx", &data, &forces(), Some(Money::pounds(100)));
        let codes: Vec<(Code, Option<String>)> =
            findings.iter().map(|f| (f.code, f.location.a1())).collect();
        assert_eq!(
            codes,
            [
                (Code::C02, Some("C2".to_owned())),
                (Code::C06, Some("D2".to_owned())),
                (Code::C01, Some("D3".to_owned())),
                (Code::C05, Some("D4".to_owned())),
                (Code::X11, Some("A5".to_owned())),
            ]
        );
        assert!(findings.iter().all(|f| f.severity == Severity::Error));
    }
}
