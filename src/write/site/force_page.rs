//! A force's page: its workforce month by month against its delivery profile, its payments
//! and withholdings by quarter with the reason, and the monthly measures the audience sees.

use rust_decimal::Decimal;

use crate::cycle::publish::Held;
use crate::domain::returns::DeliveryPlan;
use crate::domain::{Force, Fte, Month};
use crate::pay::publish::SiteFacts;
use crate::rules::reconcile::MonthLine;

use super::chart::{LineChart, Series, SeriesKind};
use super::national::{latest_month, rag_word};
use super::tables::{Cell, Table, figure_column, text_column};
use super::words::{
    fte, month_axis_label, month_words, percent, percent_reported, pounds, pounds_prose,
};

/// What a force's page shows, built from the facts.
pub struct ForceFigures {
    pub lead: String,
    pub summary: Vec<(String, String)>,
    pub charts: Vec<LineChart>,
    pub delivery: Table,
    pub payments: Table,
    pub measures: Option<Table>,
    pub measures_note: String,
}

/// The plan that counted for the force in the run published.
fn plan<'a>(facts: &'a SiteFacts, force: &Force) -> Option<&'a DeliveryPlan> {
    facts
        .latest()
        .result
        .counted
        .get(&force.id)
        .and_then(|c| c.plan.as_ref())
}

fn line<'a>(facts: &'a SiteFacts, force: &Force, month: Month) -> Option<&'a MonthLine> {
    facts.latest().reconciliation.line(&force.id, month)
}

pub fn force_figures(facts: &SiteFacts, force: &Force) -> ForceFigures {
    let year = facts.inputs.config.year;
    let latest = latest_month(facts);
    let months: Vec<Month> = year.months().collect();
    let plan = plan(facts, force);
    let ledger = facts.latest().ledger.lines.get(&force.id);
    let now = line(facts, force, latest);

    // The summary.
    let mut summary = Vec::new();
    if let Some(l) = ledger {
        summary.push(("Allocation for the year".to_owned(), pounds(l.allocation)));
        summary.push(("Paid to date".to_owned(), pounds(l.paid_after)));
        summary.push((
            "Withheld to date".to_owned(),
            l.withheld
                .map_or_else(|| "nothing (payments held)".to_owned(), pounds),
        ));
    }
    let lead = match now.and_then(|l| l.assessment) {
        Some(a) => {
            summary.push((
                format!("Progress at {}", month_words(latest)),
                format!("{} ({})", percent(a.progress), rag_word(a.rag)),
            ));
            format!(
                "{} had grown its neighbourhood officers and PCSOs by {} FTE by {}, against {} FTE planned: progress {}, rated {}. It has been paid {} of its {} allocation.",
                force.name,
                fte(a.actual_uplift),
                month_words(latest),
                now.and_then(|l| l.planned_uplift)
                    .map(fte)
                    .unwrap_or_default(),
                percent(a.progress),
                rag_word(a.rag).to_lowercase(),
                ledger
                    .map(|l| pounds_prose(l.paid_after))
                    .unwrap_or_default(),
                ledger
                    .map(|l| pounds_prose(l.allocation))
                    .unwrap_or_default(),
            )
        }
        None => format!(
            "{}'s growth to {} is not reported: it needs both a delivery plan and a monitoring return for that month.",
            force.name,
            month_words(latest)
        ),
    };

    // Month by month: the plan for every month, the actuals to the latest month.
    let planned = |m: Month| plan.and_then(|p| p.month(m));
    let actual = |m: Month| {
        (m <= latest)
            .then(|| line(facts, force, m).and_then(|l| l.actual))
            .flatten()
    };
    let blank = |m: Month| {
        if m <= latest {
            Cell::blank("not reported")
        } else {
            Cell::blank("not yet due")
        }
    };
    let fte_cell = |v: Option<Fte>, m: Month| match v {
        Some(v) => Cell::figure(fte(v), v),
        None => blank(m),
    };
    let delivery_rows = months
        .iter()
        .map(|&m| {
            let assessment = (m <= latest)
                .then(|| line(facts, force, m).and_then(|l| l.assessment))
                .flatten();
            vec![
                Cell::figure(month_words(m), m),
                fte_cell(planned(m).map(|p| p.officers), m),
                fte_cell(actual(m).map(|a| a.officers), m),
                fte_cell(planned(m).map(|p| p.pcsos), m),
                fte_cell(actual(m).map(|a| a.pcsos), m),
                match planned(m) {
                    Some(p) => Cell::figure(p.specials.to_string(), p.specials),
                    None => blank(m),
                },
                match actual(m) {
                    Some(a) => Cell::figure(a.specials.to_string(), a.specials),
                    None => blank(m),
                },
                match assessment {
                    Some(a) => Cell::figure(percent(a.progress), a.progress),
                    None => blank(m),
                },
                match assessment {
                    Some(a) => Cell::figure(rag_word(a.rag), a.rag.as_str()).with_rag(a.rag),
                    None => blank(m),
                },
            ]
        })
        .collect();
    let delivery = Table {
        name: format!("{}-delivery", force.id),
        caption: format!("{}: workforce against the delivery profile", force.name),
        columns: vec![
            text_column("month", "Month"),
            figure_column("planned_officers_fte", "Officers planned (FTE)"),
            figure_column("actual_officers_fte", "Officers actual (FTE)"),
            figure_column("planned_pcsos_fte", "PCSOs planned (FTE)"),
            figure_column("actual_pcsos_fte", "PCSOs actual (FTE)"),
            figure_column("planned_specials", "Specials planned (headcount)"),
            figure_column("actual_specials", "Specials actual (headcount)"),
            figure_column("progress", "Progress"),
            text_column("rag", "Rating"),
        ],
        rows: delivery_rows,
    };

    let series = |name: &str,
                  planned_of: &dyn Fn(Month) -> Option<Decimal>,
                  actual_of: &dyn Fn(Month) -> Option<Decimal>| {
        vec![
            Series {
                name: format!("{name} planned"),
                kind: SeriesKind::Planned,
                values: months.iter().map(|m| planned_of(*m)).collect(),
            },
            Series {
                name: format!("{name} actual"),
                kind: SeriesKind::Actual,
                values: months.iter().map(|m| actual_of(*m)).collect(),
            },
        ]
    };
    let chart = |key: &str, what: &str, unit: &str, series: Vec<Series>| LineChart {
        id: format!("chart-{}-{key}", force.id),
        title: format!("{}: {what}, planned and actual", force.name),
        description: format!(
            "A line chart of {}'s {what} ({unit}) at each month end from {} to {}: the delivery profile as a dashed line, the actual figures to {} as a solid line with markers. The figures are in the table below.",
            force.name,
            months.first().map(|m| month_words(*m)).unwrap_or_default(),
            months.last().map(|m| month_words(*m)).unwrap_or_default(),
            month_words(latest),
        ),
        x_labels: months.iter().map(|m| month_axis_label(*m)).collect(),
        y_title: unit.to_owned(),
        series,
    };
    let charts = vec![
        chart(
            "officers",
            "neighbourhood police officers",
            "FTE",
            series(
                "Officers",
                &|m| planned(m).map(|p| p.officers.as_decimal()),
                &|m| actual(m).map(|a| a.officers.as_decimal()),
            ),
        ),
        chart(
            "pcsos",
            "PCSOs",
            "FTE",
            series(
                "PCSOs",
                &|m| planned(m).map(|p| p.pcsos.as_decimal()),
                &|m| actual(m).map(|a| a.pcsos.as_decimal()),
            ),
        ),
        chart(
            "specials",
            "special constables",
            "headcount",
            series(
                "Specials",
                &|m| planned(m).map(|p| Decimal::from(p.specials.get())),
                &|m| actual(m).map(|a| Decimal::from(a.specials.get())),
            ),
        ),
    ];

    // Quarter by quarter, from each run's ledger and reasons.
    let payment_rows = facts
        .runs
        .iter()
        .filter_map(|run| {
            let l = run.ledger.lines.get(&force.id)?;
            let result = run.result.forces.iter().find(|r| r.force == force.id);
            Some(vec![
                Cell::text(run.quarter.to_string()),
                Cell::text(l.status.as_str()),
                Cell::figure(pounds(l.payment), l.payment),
                Cell::figure(pounds(l.paid_after), l.paid_after),
                match l.withheld {
                    Some(w) => Cell::figure(pounds(w), w),
                    None => Cell::blank("held"),
                },
                Cell::text(
                    result
                        .map(|r| {
                            r.reasons
                                .iter()
                                .map(|reason| reason.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                ),
                Cell::text(result.map(|r| r.explanation.clone()).unwrap_or_default()),
            ])
        })
        .collect();
    let payments = Table {
        name: format!("{}-payments", force.id),
        caption: format!("{}: payments by quarter", force.name),
        columns: vec![
            text_column("quarter", "Quarter"),
            text_column("status", "Status"),
            figure_column("payment", "Payment this quarter"),
            figure_column("paid_to_date", "Paid to date"),
            figure_column("withheld_to_date", "Withheld to date"),
            text_column("reason", "Reason"),
            text_column("explanation", "Explanation"),
        ],
        rows: payment_rows,
    };

    let (measures, measures_note) = measures_table(facts, force, latest);
    ForceFigures {
        lead,
        summary,
        charts,
        delivery,
        payments,
        measures,
        measures_note,
    }
}

/// The monthly measures npg holds that this audience may see.
fn measures_table(facts: &SiteFacts, force: &Force, latest: Month) -> (Option<Table>, String) {
    let shown = |held: Held| {
        facts
            .publish
            .measure(held)
            .filter(|m| facts.audience.sees(m.tier))
    };
    let abstraction = shown(Held::Abstraction);
    let response = shown(Held::Response72h);
    if abstraction.is_none() && response.is_none() {
        return (None, String::new());
    }
    let mut columns = vec![text_column("month", "Month")];
    if let Some(m) = abstraction {
        columns.push(figure_column("abstraction_rate_percent", &m.name));
    }
    if let Some(m) = response {
        columns.push(figure_column("responded_72h_rate", &m.name));
    }
    let rows = facts
        .inputs
        .config
        .year
        .months()
        .filter(|m| *m <= latest)
        .map(|m| {
            let context = line(facts, force, m).map(|l| l.context);
            let mut row = vec![Cell::figure(month_words(m), m)];
            if abstraction.is_some() {
                row.push(match context.and_then(|c| c.abstraction_rate) {
                    Some(rate) => Cell::figure(percent_reported(rate), rate.normalize()),
                    None => Cell::blank("not reported"),
                });
            }
            if response.is_some() {
                row.push(match context.and_then(|c| c.response_rate) {
                    Some(rate) => Cell::figure(percent(rate), rate),
                    None => Cell::blank("none received"),
                });
            }
            row
        })
        .collect();
    let note = if response.is_some() {
        "As the force's monitoring returns report them. The abstraction rate is the share of neighbourhood officers' time taken away to other duties; the 72-hour rate is the share of the public's queries answered within 72 hours, blank in a month with none."
    } else {
        "As the force's monitoring returns report them: the share of neighbourhood officers' time taken away to other duties."
    };
    (
        Some(Table {
            name: format!("{}-measures", force.id),
            caption: format!("{}: monthly measures", force.name),
            columns,
            rows,
        }),
        note.to_owned(),
    )
}
