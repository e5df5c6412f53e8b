//! Turning the designed returns into workbooks, through the same layouts and template writer
//! as `npg template`, then filled in.

use rust_decimal::Decimal;

use crate::cycle::config::CycleConfig;
use crate::domain::returns::Return;
use crate::domain::{ForceList, Fte, Headcount, Money};
use crate::layout::ReturnKind;
use crate::write::template::{FillValue, Filled, TemplateRequest, write_return};

use super::FixtureError;
use super::design::DesignedReturn;

/// Writes one designed return as an `.xlsx` workbook.
pub fn return_workbook(
    designed: &DesignedReturn,
    config: &CycleConfig,
    forces: &ForceList,
) -> Result<Vec<u8>, FixtureError> {
    let header = designed.value.header();
    let force = forces.get(&header.force).ok_or_else(|| {
        FixtureError::Design(format!("{} is not in the force list", header.force))
    })?;
    let mut request = TemplateRequest {
        kind: ReturnKind::Plan,
        year: header.year,
        force,
        categories: &config.categories,
        quarter: None,
        months_to: None,
    };
    let mut filled = Filled::default();
    let text = |s: &str| FillValue::Text(s.to_owned());
    match &designed.value {
        Return::Plan(plan) => {
            filled.about = vec![
                about("version", whole(plan.version)),
                about("baseline_officers", fte(plan.baseline_officers)),
                about("baseline_pcsos", fte(plan.baseline_pcsos)),
                about("baseline_specials", count(plan.baseline_specials)),
                about("prepared_by", text(&plan.header.prepared_by)),
                about("approved_by", text(&plan.approved_by)),
                about("submitted_on", FillValue::Date(plan.header.submitted_on)),
            ];
            filled.rows = plan
                .months
                .iter()
                .map(|m| {
                    vec![
                        about("officers", fte(m.officers)),
                        about("pcsos", fte(m.pcsos)),
                        about("specials", count(m.specials)),
                        about("planned_spend", money(m.planned_spend)),
                    ]
                })
                .collect();
        }
        Return::Monitoring(monitoring) => {
            request.kind = ReturnKind::Monitoring;
            request.months_to = Some(monitoring.months_to);
            filled.about = vec![
                about("prepared_by", text(&monitoring.header.prepared_by)),
                about(
                    "submitted_on",
                    FillValue::Date(monitoring.header.submitted_on),
                ),
            ];
            filled.rows = monitoring
                .months
                .iter()
                .map(|m| {
                    let mut row = vec![
                        about("officers", fte(m.officers)),
                        about("pcsos", fte(m.pcsos)),
                        about("specials", count(m.specials)),
                    ];
                    if let Some(q) = m.queries_received {
                        row.push(about("queries_received", count(q)));
                    }
                    if let Some(r) = m.responded_72h {
                        row.push(about("responded_72h", count(r)));
                    }
                    if let Some(a) = m.abstraction_rate {
                        row.push(about("abstraction_rate", FillValue::Number(a)));
                    }
                    row
                })
                .collect();
        }
        Return::Financial(financial) => {
            request.kind = ReturnKind::Finance;
            request.quarter = Some(financial.quarter);
            filled.about = vec![
                about("version", whole(financial.version)),
                about("prepared_by", text(&financial.header.prepared_by)),
                about(
                    "chief_finance_officer",
                    text(&financial.chief_finance_officer),
                ),
                about(
                    "submitted_on",
                    FillValue::Date(financial.header.submitted_on),
                ),
            ];
            // Rows follow the cycle's categories, which is the order of the lines.
            filled.rows = config
                .categories
                .iter()
                .map(|category| {
                    let Some(line) = financial.lines.iter().find(|l| l.category == category.id)
                    else {
                        return Vec::new();
                    };
                    let mut row = vec![
                        about("actual", money(line.actual)),
                        about("forecast", money(line.forecast)),
                    ];
                    if let Some(notes) = &line.notes {
                        row.push(about("notes", text(notes)));
                    }
                    row
                })
                .collect();
        }
    }
    for cell in &designed.text_cells {
        let row = filled.rows.get_mut(cell.row).ok_or_else(|| {
            FixtureError::Design(format!("{}: no data row {}", designed.path, cell.row))
        })?;
        row.retain(|(key, _)| key != cell.key);
        row.push((cell.key.to_owned(), FillValue::Text(cell.text.clone())));
    }
    Ok(write_return(&request, &filled)?)
}

fn about(key: &str, value: FillValue) -> (String, FillValue) {
    (key.to_owned(), value)
}

fn fte(value: Fte) -> FillValue {
    FillValue::Number(value.as_decimal())
}

fn money(value: Money) -> FillValue {
    FillValue::Number(value.as_decimal())
}

fn count(value: Headcount) -> FillValue {
    FillValue::Number(Decimal::from(value.get()))
}

fn whole(value: u32) -> FillValue {
    FillValue::Number(Decimal::from(value))
}
