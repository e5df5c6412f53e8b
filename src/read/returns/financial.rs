//! A financial return: its quarter, version and sign-off from the About sheet, and a row a
//! category of actual and forecast spend, checked by `rules::validate::financial`. From
//! template version 2 the Expenditure sheet ends with a locked total row, which is skipped:
//! the total is always the sum of the category rows as read.

use std::collections::BTreeMap;

use crate::domain::category::CategoryId;
use crate::domain::returns::{FinanceLine, FinancialReturn, Return, ReturnHeader};
use crate::domain::{Money, Quarter};
use crate::findings::{Code, quote};
use crate::layout::ReturnLayout;
use crate::rules::validate::Figure;
use crate::rules::validate::financial::{
    added_total_adds_up, categories_missing, category, ineligible_explained, signed_off,
};

use super::super::cell::{CellAt, read_date, read_money, read_text, read_version};
use super::super::table::Table;
use super::about::{AboutFields, required};
use super::table::{Row, required_cell};
use super::{ReadContext, Reader, ReturnKey, ReturnShape};

pub(super) struct Financial;

/// The financial return's own About fields.
pub(super) struct FinancialAbout {
    quarter: Option<Quarter>,
    version: Option<u32>,
    chief_finance_officer: Option<String>,
}

impl ReturnShape for Financial {
    type About = FinancialAbout;

    fn about(
        reader: &mut Reader,
        fields: &AboutFields,
        ctx: &ReadContext,
        key: &mut ReturnKey,
    ) -> FinancialAbout {
        let quarter = required(
            reader,
            fields,
            "quarter",
            "enter the quarter, Q1 to Q4",
            read_quarter,
        );
        key.quarter = quarter;
        let version = required(
            reader,
            fields,
            "version",
            "enter 1 for the first return for the quarter",
            read_version,
        );
        key.version = version;
        // X07: the sign-off. The date's own reading (C08) was noted with the header.
        let officer = fields.cell("chief_finance_officer").map(|cell| Figure {
            at: cell.at(),
            value: read_text(&cell),
            blank: cell.value().is_blank(),
        });
        let signed_on = fields.cell("submitted_on").map(|cell| Figure {
            at: cell.at(),
            value: read_date(&cell).ok().flatten(),
            blank: cell.value().is_blank(),
        });
        let year = key.year.or(ctx.cycle_year);
        let found = signed_off(officer.as_ref(), signed_on.as_ref(), year, quarter);
        reader.findings.extend(found);
        FinancialAbout {
            quarter,
            version,
            chief_finance_officer: officer.and_then(|f| f.value),
        }
    }

    fn rows(
        reader: &mut Reader,
        table: &Table,
        layout: &ReturnLayout,
        about: FinancialAbout,
        header: Option<ReturnHeader>,
        ctx: &ReadContext,
        _key: &ReturnKey,
    ) -> Option<Return> {
        let mut lines = Vec::new();
        let mut seen: BTreeMap<CategoryId, u32> = BTreeMap::new();
        // Version 2 and later: the template's own total row, skipped once found and never
        // read (its cached value may be stale), and any total row the force added (X12, and
        // X16 when it does not add up).
        let total_row = layout.total_row.as_ref();
        let mut template_total_seen = false;
        let mut added_totals = Vec::new();
        for row in table.rows() {
            let Some(id_cell) = table.cell(row, "category_id") else {
                continue;
            };
            let id_text = read_text(&id_cell).unwrap_or_default();
            if let Some(total) = total_row
                && !template_total_seen
                && id_text == total.marker
            {
                template_total_seen = true;
                continue;
            }
            let found = category(&id_cell.at(), &id_text, ctx.categories, &mut seen);
            let Some(category) = reader.check(found) else {
                if total_row.is_some() && is_added_total(table, row, &id_text) {
                    added_totals.push(row);
                }
                continue;
            };
            let row = Row::labelled(row, &category.label);
            let actual = required_cell(reader, table, row, "actual", read_money);
            let forecast = required_cell(reader, table, row, "forecast", read_money);
            let notes_cell = row.cell(table, "notes");
            let notes = notes_cell.as_ref().and_then(read_text);
            if let Some(cell) = notes_cell {
                let has_note = notes.is_some();
                let found = ineligible_explained(&cell.at(), category, has_note, actual, forecast);
                reader.note(found);
            }
            if let (Some(actual), Some(forecast)) = (actual, forecast) {
                lines.push(FinanceLine {
                    category: category.id.clone(),
                    label: category.label.clone(),
                    actual,
                    forecast,
                    notes,
                });
            }
        }
        reader.note(categories_missing(
            table.sheet_location(),
            ctx.categories,
            &seen,
        ));
        // A total is compared only with rows read in full: a sum of some rows says nothing.
        if lines.len() == seen.len() {
            for row in added_totals {
                check_added_total(reader, table, row, &lines);
            }
        }
        Some(Return::Financial(FinancialReturn {
            header: header?,
            quarter: about.quarter?,
            version: about.version?,
            chief_finance_officer: about.chief_finance_officer?,
            lines,
        }))
    }
}

/// A row without a category id that a force added as a total: its id or its category label
/// begins with "total" (`Total`, `TOTAL SPEND`, `Totals`).
fn is_added_total(table: &Table, row: u32, id_text: &str) -> bool {
    let label = table
        .cell(row, "category")
        .and_then(|cell| read_text(&cell))
        .unwrap_or_default();
    [id_text, label.as_str()]
        .iter()
        .any(|text| text.trim().to_lowercase().starts_with("total"))
}

/// X16 for each money column of an added total row whose figure is not what the category
/// rows add up to. A cell that is blank or not a readable amount is left alone: the row is
/// X12 already, and only a figure can disagree.
fn check_added_total(reader: &mut Reader, table: &Table, row: u32, lines: &[FinanceLine]) {
    let sums: [(&str, Money); 2] = [
        ("actual", lines.iter().map(|l| l.actual).sum()),
        ("forecast", lines.iter().map(|l| l.forecast).sum()),
    ];
    for (key, rows_add_up_to) in sums {
        let Some(cell) = table.cell(row, key) else {
            continue;
        };
        if let Ok(Some(given)) = read_money(&cell) {
            reader.note(added_total_adds_up(&cell.at(), given, rows_add_up_to));
        }
    }
}

/// A quarter: text `Q1` to `Q4` (C08 otherwise).
fn read_quarter(cell: &CellAt) -> Result<Option<Quarter>, crate::findings::Finding> {
    let Some(text) = read_text(cell) else {
        return Ok(None);
    };
    text.parse::<Quarter>().map(Some).map_err(|_| {
        cell.finding(
            Code::C08,
            format!(
                "{}: {} is not a quarter; enter Q1, Q2, Q3 or Q4",
                cell.label,
                quote(&text)
            ),
        )
    })
}
