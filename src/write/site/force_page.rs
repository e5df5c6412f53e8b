//! A force's page: what it was paid and why, its growth against its delivery profile (see
//! `force_growth`), and the monthly measures the audience sees.

use rust_decimal::Decimal;

use crate::cycle::publish::Held;
use crate::domain::{Force, Money, Month};
use crate::pay::publish::SiteFacts;
use crate::rules::payment::Status;

use super::chart::LineChart;
use super::force_growth::{growth, line};
use super::national::{latest_month, money_parts, rag_word};
use super::plain::{reason_codes, reasons_words, status_words};
use super::tables::{Cell, Table, data_figure_column, figure_column, key_column, text_column};
use super::words::{fte_prose, month_words, percent, percent_reported, pounds, pounds_prose};

/// Why some of what is withheld has been paid, and what happens to it.
const PAID_BEYOND_WORDS: &str = "paid before its growth fell behind; it is recovered at the year end unless its growth catches up";

/// What a force's page shows, built from the facts.
pub struct ForceFigures {
    pub lead: String,
    pub summary: Vec<(String, String)>,
    pub charts: Vec<LineChart>,
    pub growth: Table,
    pub workforce: Table,
    pub payments: Table,
    pub measures: Option<Table>,
    pub measures_note: String,
}

/// The money recovered from the force over the runs published, and the quarters.
fn recovered(facts: &SiteFacts, force: &Force) -> Option<(Money, Vec<String>)> {
    let mut total = Money::ZERO;
    let mut quarters = Vec::new();
    for run in &facts.runs {
        if let Some(l) = run.ledger.lines.get(&force.id)
            && l.status == Status::Recovery
        {
            total += l.payment;
            quarters.push(run.quarter.to_string());
        }
    }
    (!quarters.is_empty()).then_some((-total, quarters))
}

fn lead(facts: &SiteFacts, force: &Force) -> String {
    let latest = latest_month(facts);
    let ledger = facts.latest().ledger.lines.get(&force.id);
    let now = line(facts, force, latest);
    let growth = match now.and_then(|l| l.assessment) {
        Some(a) => {
            let planned = now
                .and_then(|l| l.planned_uplift)
                .map(fte_prose)
                .unwrap_or_default();
            let grown = if a.actual_uplift.as_decimal().is_sign_negative()
                && !a.actual_uplift.as_decimal().is_zero()
            {
                format!(
                    "had {} fewer neighbourhood police officers and police community support officers (PCSOs) than at its baseline",
                    fte_prose(crate::domain::Fte::ZERO - a.actual_uplift)
                )
            } else {
                format!(
                    "had grown its neighbourhood police officers and police community support officers (PCSOs) by {}",
                    fte_prose(a.actual_uplift)
                )
            };
            format!(
                "By {}, {} {grown}, against growth of {planned} planned (FTE: full-time equivalent): progress {}, rated {}.",
                month_words(latest),
                force.name,
                percent(a.progress),
                rag_word(a.rag).to_lowercase(),
            )
        }
        None => format!(
            "{}'s growth to {} is not reported: it needs both a delivery plan and a monthly workforce return for that month.",
            force.name,
            month_words(latest)
        ),
    };
    let money = match (ledger, recovered(facts, force)) {
        (Some(l), Some((amount, quarters))) => format!(
            " It has been paid {} of its {} allocation to date, after {} was recovered in {} because its growth fell behind.",
            pounds_prose(l.paid_after),
            pounds_prose(l.allocation),
            pounds_prose(amount),
            quarters.join(" and "),
        ),
        (Some(l), None) => format!(
            " It has been paid {} of its {} allocation to date.",
            pounds_prose(l.paid_after),
            pounds_prose(l.allocation),
        ),
        (None, _) => String::new(),
    };
    growth + &money
}

pub fn force_figures(facts: &SiteFacts, force: &Force) -> ForceFigures {
    let latest = latest_month(facts);
    let ledger = facts.latest().ledger.lines.get(&force.id);
    let mut summary = Vec::new();
    if let Some(l) = ledger {
        let parts = money_parts(l);
        summary.push(("Allocation for the year".to_owned(), pounds(l.allocation)));
        summary.push(("Paid to date".to_owned(), pounds(l.paid_after)));
        summary.push((
            "Withheld to date because growth is behind plan".to_owned(),
            match l.withheld {
                Some(w) => pounds(w),
                None => "nothing: the payment is held".to_owned(),
            },
        ));
        if parts.paid_beyond > Money::ZERO {
            summary.push((
                "Withheld, but already paid".to_owned(),
                format!("{} ({})", pounds(parts.paid_beyond), PAID_BEYOND_WORDS),
            ));
        }
        summary.push((
            "The rest of the allocation".to_owned(),
            format!(
                "{} (not yet spent, spent beyond the spending plan, or in a return that could not count)",
                pounds(parts.rest)
            ),
        ));
    }
    if let Some(a) = line(facts, force, latest).and_then(|l| l.assessment) {
        summary.push((
            format!("Progress at {}", month_words(latest)),
            format!("{} ({})", percent(a.progress), rag_word(a.rag)),
        ));
    }

    // Quarter by quarter, from each run's ledger and reasons.
    let payment_rows = facts
        .runs
        .iter()
        .filter_map(|run| {
            let l = run.ledger.lines.get(&force.id)?;
            let result = run.result.forces.iter().find(|r| r.force == force.id);
            let parts = money_parts(l);
            let mut why = result
                .map(|r| reasons_words(&r.reasons))
                .unwrap_or_default();
            if parts.paid_beyond > Money::ZERO {
                why = format!(
                    "{why}. {} of the withheld was {PAID_BEYOND_WORDS}",
                    pounds(parts.paid_beyond)
                );
            }
            Some(vec![
                Cell::text(run.quarter.to_string()),
                Cell::figure(status_words(l.status), l.status.as_str()),
                Cell::figure(pounds(l.payment), l.payment),
                Cell::figure(pounds(l.paid_after), l.paid_after),
                match l.withheld {
                    Some(w) => Cell::figure(pounds(w), w),
                    None => Cell::blank("nothing (held)"),
                },
                Cell::figure(pounds(parts.paid_beyond), parts.paid_beyond),
                Cell::text(why),
                Cell::text(result.map(|r| reason_codes(&r.reasons)).unwrap_or_default()),
                Cell::text(result.map(|r| r.explanation.clone()).unwrap_or_default()),
            ])
        })
        .collect();
    let payments = Table {
        name: format!("{}-payments", force.id),
        caption: format!("{}: payments by quarter", force.name),
        columns: vec![
            text_column("quarter", "Quarter"),
            text_column("status", "What happened"),
            figure_column("payment", "Payment this quarter"),
            figure_column("paid_to_date", "Paid to date"),
            figure_column("withheld_to_date", "Withheld to date"),
            data_figure_column(
                "paid_beyond_entitlement",
                "Withheld, but already paid (recovered at the year end unless growth catches up)",
            ),
            text_column("reason", "Why"),
            key_column("reason_codes", "Reason codes"),
            key_column(
                "explanation",
                "Explanation, as the payment run gives it (its paid to date is before this quarter's payment)",
            ),
        ],
        rows: payment_rows,
    };

    let growth = growth(facts, force);
    let (measures, measures_note) = measures_table(facts, force, latest);
    ForceFigures {
        lead: lead(facts, force),
        summary,
        charts: growth.charts,
        growth: growth.growth,
        workforce: growth.levels,
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
        columns.push(figure_column("responded_72h_percent", &m.name));
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
                    // A percentage, as the abstraction rate beside it is.
                    Some(rate) => Cell::figure(
                        percent(rate),
                        (rate.as_decimal() * Decimal::from(100)).normalize(),
                    ),
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
