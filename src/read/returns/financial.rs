//! A financial return: its quarter, version and sign-off from the About sheet, and a row a
//! category of actual and forecast spend, checked by `rules::validate::financial`.

use std::collections::BTreeMap;

use crate::domain::Quarter;
use crate::domain::category::CategoryId;
use crate::domain::returns::{FinanceLine, FinancialReturn, Return, ReturnHeader};
use crate::findings::{Code, quote};
use crate::layout::ReturnKind;
use crate::rules::validate::Figure;
use crate::rules::validate::financial::{
    categories_missing, category, ineligible_explained, signed_off,
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
    const KIND: ReturnKind = ReturnKind::Finance;
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
        about: FinancialAbout,
        header: Option<ReturnHeader>,
        ctx: &ReadContext,
        _key: &ReturnKey,
    ) -> Option<Return> {
        let mut lines = Vec::new();
        let mut seen: BTreeMap<CategoryId, u32> = BTreeMap::new();
        for row in table.rows() {
            let Some(id_cell) = table.cell(row, "category_id") else {
                continue;
            };
            let id_text = read_text(&id_cell).unwrap_or_default();
            let found = category(&id_cell.at(), &id_text, ctx.categories, &mut seen);
            let Some(category) = reader.check(found) else {
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
        Some(Return::Financial(FinancialReturn {
            header: header?,
            quarter: about.quarter?,
            version: about.version?,
            chief_finance_officer: about.chief_finance_officer?,
            lines,
        }))
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
