//! The national page's figures: the headline growth and money, national growth by month,
//! every force's delivery and payments, and the forces ranked by progress.

use crate::domain::{Fte, Money, Month, Ratio};
use crate::pay::publish::SiteFacts;
use crate::rules::payment::PaymentLine;
use crate::rules::reconcile::MonthLine;
use crate::rules::taper::Rag;

use super::chart::{Bar, BarChart, LineChart, Series, SeriesKind};
use super::tables::{Cell, Table, data_figure_column, figure_column, key_column, text_column};
use super::words::{
    fte, fte_prose, long_date, month_axis_label, month_words, percent, pounds, pounds_prose,
};

/// The month the site's delivery figures run to: the last month of the quarter published.
pub fn latest_month(facts: &SiteFacts) -> Month {
    facts.latest().quarter.end_month(facts.inputs.config.year)
}

/// The year's commitment: the growth every force's delivery plan sets for the year's last
/// month, summed over the plans that counted in the run published.
pub fn commitment(facts: &SiteFacts) -> Fte {
    let last = facts.inputs.config.year.last_month();
    facts
        .latest()
        .result
        .counted
        .values()
        .filter_map(|c| c.plan.as_ref())
        .filter_map(|plan| {
            plan.month(last)
                .map(|m| m.neighbourhood_fte() - plan.baseline())
        })
        .sum()
}

/// A force's allocation in parts that add up to it, none below zero:
/// `allocation = paid + withheld − paid_beyond + rest`.
///
/// `withheld` is the ledger's `B − E` (rules §7), the figure the payment run signs off. When
/// a later quarter's progress earns less than was already paid (`paid > E`, before Q4
/// settles the year), some of what is withheld has in fact been paid: that is
/// `paid_beyond`, recovered at the year end unless growth catches up. `rest` is what no
/// counted spending stands behind: `A − B` (not yet spent, spent beyond the spending plan,
/// or in a return that could not count), or `A − paid` in a hold, where there is no `E`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoneyParts {
    pub withheld: Option<Money>,
    pub paid_beyond: Money,
    pub rest: Money,
}

pub fn money_parts(line: &PaymentLine) -> MoneyParts {
    match (line.profiled_actuals, line.entitlement) {
        (Some(b), Some(e)) => MoneyParts {
            withheld: line.withheld,
            paid_beyond: (line.paid_after - e).max(Money::ZERO),
            rest: line.allocation - b,
        },
        _ => MoneyParts {
            withheld: line.withheld,
            paid_beyond: Money::ZERO,
            rest: line.allocation - line.paid_after,
        },
    }
}

/// The money of the run published, summed over every force: allocated, paid to date,
/// withheld (profiled actuals not paid because of the taper; a hold withholds nothing), the
/// part of that already paid, and the rest of the allocation.
pub struct MoneyTotals {
    pub allocated: Money,
    pub paid_to_date: Money,
    pub withheld: Money,
    pub paid_beyond: Money,
    pub rest: Money,
}

pub fn money_totals(facts: &SiteFacts) -> MoneyTotals {
    let lines = &facts.latest().ledger.lines;
    let parts: Vec<MoneyParts> = lines.values().map(money_parts).collect();
    MoneyTotals {
        allocated: lines.values().map(|l| l.allocation).sum(),
        paid_to_date: lines.values().map(|l| l.paid_after).sum(),
        withheld: lines.values().filter_map(|l| l.withheld).sum(),
        paid_beyond: parts.iter().map(|p| p.paid_beyond).sum(),
        rest: parts.iter().map(|p| p.rest).sum(),
    }
}

/// A force's reconciliation line at the latest month.
fn line_at<'a>(facts: &'a SiteFacts, force: &crate::domain::ForceId) -> Option<&'a MonthLine> {
    facts
        .latest()
        .reconciliation
        .line(force, latest_month(facts))
}

/// The headline figures, as label and value (the summary list and `data/headline`).
pub fn headline(facts: &SiteFacts) -> (Vec<(String, String)>, Table) {
    let month = latest_month(facts);
    let end = month_words(month);
    let national = facts
        .latest()
        .reconciliation
        .national
        .iter()
        .find(|n| n.month == month);
    let totals = money_totals(facts);
    let commitment = commitment(facts);
    let mut rows: Vec<(&'static str, String, String, String)> = Vec::new();
    // Rows in the data files only: `data/headline.*` keeps the same keys every quarter, so
    // that a reader's script finds them, while the page leaves out a row that says nothing.
    let mut data_only: Vec<&'static str> = Vec::new();
    match national.filter(|n| n.forces_counted > 0) {
        Some(n) => {
            let progress = n.assessment.map(|a| a.progress);
            rows.push((
                "actual_growth_fte",
                format!(
                    "Growth in neighbourhood police officers and police community support officers (PCSOs) to {end}"
                ),
                match progress {
                    Some(p) => format!(
                        "{} (full-time equivalent), progress {} against the plan",
                        fte_prose(n.actual_uplift),
                        percent(p)
                    ),
                    None => fte_prose(n.actual_uplift),
                },
                n.actual_uplift.to_string(),
            ));
            // At the year's end the growth planned to date is the year's commitment: said
            // once on the page, in the commitment's row.
            let year_end = month == facts.inputs.config.year.last_month();
            if year_end && n.planned_uplift == commitment {
                data_only.push("planned_growth_fte");
            }
            rows.push((
                "planned_growth_fte",
                format!("Growth planned to {end}"),
                fte_prose(n.planned_uplift),
                n.planned_uplift.to_string(),
            ));
            rows.push((
                "forces_reporting",
                format!("Forces reporting for {end}"),
                format!(
                    "{} of {}",
                    n.forces_counted,
                    facts.latest().ledger.lines.len()
                ),
                n.forces_counted.to_string(),
            ));
        }
        None => rows.push((
            "actual_growth_fte",
            format!("Growth in neighbourhood officers and PCSOs to {end}"),
            "not reported".to_owned(),
            String::new(),
        )),
    }
    rows.push((
        "commitment_fte",
        format!(
            "The year's commitment (growth planned by {})",
            month_words(facts.inputs.config.year.last_month())
        ),
        match national
            .filter(|n| n.forces_counted > 0)
            .and_then(|n| Ratio::of(n.actual_uplift.as_decimal(), commitment.as_decimal()))
        {
            Some(share) => {
                // A month some forces have not reported is growth of fewer forces than the
                // commitment counts: said, so the share is not read as the nation's.
                let counted = national.map_or(0, |n| n.forces_counted);
                let all = facts.latest().ledger.lines.len();
                let whose = if counted < all {
                    format!(" reported by {counted} of the {all} forces")
                } else {
                    String::new()
                };
                format!(
                    "{} (the growth to {end}{whose} is {} of it)",
                    fte_prose(commitment),
                    percent(share)
                )
            }
            None => fte_prose(commitment),
        },
        commitment.to_string(),
    ));
    if let Some((baseline, actual, forces)) = specials(facts) {
        let over = if forces == facts.latest().ledger.lines.len() {
            String::new()
        } else {
            format!(", over the {forces} forces reporting")
        };
        rows.push((
            "specials_headcount",
            format!("Special constables at {end} (headcount)"),
            format!(
                "{} ({} since 31 March {}{over})",
                thousands_count(actual),
                super::words::signed_count(i64::from(actual) - i64::from(baseline)),
                facts.inputs.config.year.start_year()
            ),
            actual.to_string(),
        ));
    }
    rows.push((
        "allocated",
        "Money allocated for the year".to_owned(),
        pounds_prose(totals.allocated),
        totals.allocated.to_string(),
    ));
    rows.push((
        "paid_to_date",
        "Paid to date".to_owned(),
        format!(
            "{} (after the payment run of {})",
            pounds_prose(totals.paid_to_date),
            long_date(
                facts
                    .inputs
                    .config
                    .quarter(facts.latest().quarter)
                    .payment_date
            )
        ),
        totals.paid_to_date.to_string(),
    ));
    rows.push((
        "withheld",
        "Withheld to date because growth is behind plan".to_owned(),
        pounds_prose(totals.withheld),
        totals.withheld.to_string(),
    ));
    if totals.paid_beyond == Money::ZERO {
        data_only.push("paid_beyond_entitlement");
    }
    rows.push((
        "paid_beyond_entitlement",
        "Withheld, but already paid".to_owned(),
        format!(
            "{} (paid to forces before their growth fell behind; recovered at the year end unless their growth catches up)",
            pounds_prose(totals.paid_beyond)
        ),
        totals.paid_beyond.to_string(),
    ));
    let rest = totals.rest;
    rows.push((
        "rest_of_allocation",
        "The rest of the allocation".to_owned(),
        format!(
            "{} (not yet spent, spent beyond a force's spending plan, or in a return that could not count: the grant pays only what forces spend)",
            pounds_prose(rest)
        ),
        rest.to_string(),
    ));
    let table = Table {
        name: "headline".to_owned(),
        caption: format!("Headline figures to {end}"),
        columns: vec![
            text_column("figure", "Figure"),
            key_column("key", "Key"),
            text_column("as_shown", "As shown"),
            figure_column("value", "Value"),
        ],
        rows: rows
            .iter()
            .map(|(key, label, shown, value)| {
                vec![
                    Cell::text(label.clone()),
                    Cell::text(*key),
                    Cell::text(shown.clone()),
                    if value.is_empty() {
                        Cell::blank("not reported")
                    } else {
                        Cell::figure(value.clone(), value)
                    },
                ]
            })
            .collect(),
    };
    let list = rows
        .into_iter()
        .filter(|(key, ..)| !data_only.contains(key))
        .map(|(_, label, shown, _)| (label, shown))
        .collect();
    (list, table)
}

/// Special constables nationally at the latest month, over the forces reporting it: their
/// plans' baseline and their actual headcount.
fn specials(facts: &SiteFacts) -> Option<(u32, u32, usize)> {
    let month = latest_month(facts);
    let mut baseline = 0u32;
    let mut actual = 0u32;
    let mut forces = 0;
    for (force, counted) in &facts.latest().result.counted {
        let (Some(plan), Some(line)) = (&counted.plan, line_at(facts, force)) else {
            continue;
        };
        let Some(levels) = line.actual.filter(|_| line.month == month) else {
            continue;
        };
        baseline = baseline.saturating_add(plan.baseline_specials.get());
        actual = actual.saturating_add(levels.specials.get());
        forces += 1;
    }
    (forces > 0).then_some((baseline, actual, forces))
}

fn thousands_count(n: u32) -> String {
    crate::text::thousands(n)
}

/// National planned and actual growth, month by month to the latest month.
pub fn national_table(facts: &SiteFacts) -> Table {
    let rows = facts
        .latest()
        .reconciliation
        .national
        .iter()
        .map(|n| {
            let counted = n.forces_counted > 0;
            let fte_cell = |v: Fte| {
                if counted {
                    Cell::figure(fte(v), v)
                } else {
                    Cell::blank("not reported")
                }
            };
            vec![
                Cell::figure(month_words(n.month), n.month),
                fte_cell(n.planned_uplift),
                fte_cell(n.actual_uplift),
                match n.assessment {
                    Some(a) => Cell::figure(percent(a.progress), a.progress),
                    None => Cell::blank("not reported"),
                },
                Cell::figure(n.forces_counted.to_string(), n.forces_counted),
            ]
        })
        .collect();
    Table {
        name: "national-growth".to_owned(),
        caption: "National growth in neighbourhood officers and PCSOs by month (FTE)".to_owned(),
        columns: vec![
            text_column("month", "Month"),
            figure_column("planned_growth_fte", "Planned growth (FTE)"),
            figure_column("actual_growth_fte", "Actual growth (FTE)"),
            figure_column("progress", "Progress"),
            figure_column("forces_reporting", "Forces reporting"),
        ],
        rows,
    }
}

/// The national growth chart: the same figures as [`national_table`].
pub fn national_chart(facts: &SiteFacts) -> LineChart {
    let national = &facts.latest().reconciliation.national;
    let value = |pick: fn(&crate::rules::reconcile::NationalLine) -> Fte| {
        national
            .iter()
            .map(|n| (n.forces_counted > 0).then(|| pick(n).as_decimal()))
            .collect()
    };
    LineChart {
        id: "chart-national-growth".to_owned(),
        title: "National growth in neighbourhood officers and PCSOs, planned and actual".to_owned(),
        description: format!(
            "A line chart of the growth in full-time equivalent officers and PCSOs since 31 March {}, month by month from {} to {}: the planned growth as a dashed line, the actual as a solid line with markers. The figures are in the table below.",
            facts.inputs.config.year.start_year(),
            national
                .first()
                .map(|n| month_words(n.month))
                .unwrap_or_default(),
            national
                .last()
                .map(|n| month_words(n.month))
                .unwrap_or_default(),
        ),
        x_labels: national.iter().map(|n| month_axis_label(n.month)).collect(),
        y_title: "Growth (FTE)".to_owned(),
        series: vec![
            Series {
                name: "Planned".to_owned(),
                kind: SeriesKind::Planned,
                values: value(|n| n.planned_uplift),
            },
            Series {
                name: "Actual".to_owned(),
                kind: SeriesKind::Actual,
                values: value(|n| n.actual_uplift),
            },
        ],
    }
}

/// Words for a RAG rating.
pub fn rag_word(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "Green",
        Rag::Amber => "Amber",
        Rag::Red => "Red",
    }
}

/// Every force: baseline, planned and actual growth, progress and RAG at the latest month,
/// allocation and paid to date.
pub fn forces_table(facts: &SiteFacts, root: &str) -> Table {
    let rows = facts
        .latest()
        .ledger
        .lines
        .iter()
        .map(|(force, payment)| {
            let name = facts
                .inputs
                .forces
                .get(force)
                .map_or_else(|| force.to_string(), |f| f.name.clone());
            let line = line_at(facts, force);
            let fte_cell = |v: Option<Fte>| match v {
                Some(v) => Cell::figure(fte(v), v),
                None => Cell::blank("not reported"),
            };
            let assessment = line.and_then(|l| l.assessment);
            let parts = money_parts(payment);
            vec![
                Cell::text(name).with_link(format!("{root}forces/{force}.html")),
                Cell::text(force.to_string()),
                fte_cell(line.and_then(|l| l.baseline)),
                fte_cell(line.and_then(|l| l.planned_uplift)),
                fte_cell(assessment.map(|a| a.actual_uplift)),
                match assessment {
                    Some(a) => Cell::figure(percent(a.progress), a.progress),
                    None => Cell::blank("not reported"),
                },
                match assessment {
                    Some(a) => Cell::figure(rag_word(a.rag), a.rag.as_str()).with_rag(a.rag),
                    None => Cell::blank("not rated"),
                },
                Cell::figure(pounds(payment.allocation), payment.allocation),
                Cell::figure(pounds(payment.paid_after), payment.paid_after),
                match payment.withheld {
                    Some(w) => Cell::figure(pounds(w), w),
                    None => Cell::blank("nothing (held)"),
                },
                Cell::figure(pounds(parts.paid_beyond), parts.paid_beyond),
                Cell::figure(pounds(parts.rest), parts.rest),
            ]
        })
        .collect();
    Table {
        name: "forces".to_owned(),
        caption: format!(
            "Every force's growth to {} and its grant",
            month_words(latest_month(facts))
        ),
        columns: vec![
            text_column("force", "Force"),
            key_column("force_id", "Force id"),
            figure_column("baseline_fte", "Baseline (FTE)"),
            figure_column("planned_growth_fte", "Planned growth (FTE)"),
            figure_column("actual_growth_fte", "Actual growth (FTE)"),
            figure_column("progress", "Progress"),
            text_column("rag", "Rating"),
            figure_column("allocation", "Allocation"),
            figure_column("paid_to_date", "Paid to date"),
            figure_column("withheld_to_date", "Withheld to date"),
            data_figure_column(
                "paid_beyond_entitlement",
                "Withheld, but already paid (recovered at the year end unless growth catches up)",
            ),
            data_figure_column("rest_of_allocation", "The rest of the allocation"),
        ],
        rows,
    }
}

/// A force ranked by progress: its rank shared with any force of the same progress.
pub struct Ranked {
    pub force: crate::domain::ForceId,
    pub name: String,
    pub rank: usize,
    pub tied: bool,
    pub assessment: crate::rules::reconcile::Assessment,
}

/// The forces with a progress figure, highest first (ties by name, sharing a rank), and
/// the names of those without.
pub fn ranked(facts: &SiteFacts) -> (Vec<Ranked>, Vec<String>) {
    let mut found = Vec::new();
    let mut unranked = Vec::new();
    for force in facts.latest().ledger.lines.keys() {
        let name = facts
            .inputs
            .forces
            .get(force)
            .map_or_else(|| force.to_string(), |f| f.name.clone());
        match line_at(facts, force).and_then(|l| l.assessment) {
            Some(a) => found.push((force.clone(), name, a)),
            None => unranked.push(name),
        }
    }
    found.sort_by(|a, b| b.2.progress.cmp(&a.2.progress).then_with(|| a.1.cmp(&b.1)));
    let progress: Vec<_> = found.iter().map(|f| f.2.progress).collect();
    let ranked = found
        .into_iter()
        .enumerate()
        .map(|(i, (force, name, assessment))| {
            // The rank of the first force with this progress ("=2" for a tie).
            let first = progress
                .iter()
                .position(|p| *p == assessment.progress)
                .unwrap_or(i);
            let tied = progress
                .iter()
                .filter(|p| **p == assessment.progress)
                .count()
                > 1;
            Ranked {
                force,
                name,
                rank: first + 1,
                tied,
                assessment,
            }
        })
        .collect();
    (ranked, unranked)
}

/// The ranked table beside the ranked chart.
pub fn ranked_table(facts: &SiteFacts) -> Table {
    let (ranked, _) = ranked(facts);
    Table {
        name: "progress-ranked".to_owned(),
        caption: format!(
            "Forces ranked by progress at {}",
            month_words(latest_month(facts))
        ),
        columns: vec![
            text_column("force", "Force"),
            key_column("force_id", "Force id"),
            figure_column("rank", "Rank"),
            figure_column("progress", "Progress"),
            text_column("rag", "Rating"),
        ],
        rows: ranked
            .iter()
            .map(|r| {
                let a = r.assessment;
                let shown = if r.tied {
                    format!("={}", r.rank)
                } else {
                    r.rank.to_string()
                };
                vec![
                    Cell::text(r.name.clone()),
                    Cell::text(r.force.to_string()),
                    Cell::figure(shown, r.rank),
                    Cell::figure(percent(a.progress), a.progress),
                    Cell::figure(rag_word(a.rag), a.rag.as_str()).with_rag(a.rag),
                ]
            })
            .collect(),
    }
}

/// The ranked chart: the same figures as [`ranked_table`].
pub fn ranked_chart(facts: &SiteFacts) -> BarChart {
    let (ranked, _) = ranked(facts);
    let hundred = rust_decimal::Decimal::from(100);
    BarChart {
        id: "chart-progress-ranked".to_owned(),
        title: "Forces ranked by progress against their delivery profile".to_owned(),
        description: format!(
            "A bar chart of each force's progress at {}, highest first: 100% is on plan. Each bar is labelled with its percentage and rating. The figures are in the table below.",
            month_words(latest_month(facts))
        ),
        x_title: "Progress against planned growth (%)".to_owned(),
        bars: ranked
            .iter()
            .map(|r| Bar {
                label: r.name.clone(),
                value: r.assessment.progress.as_decimal() * hundred,
                value_text: percent(r.assessment.progress),
                rag: r.assessment.rag,
            })
            .collect(),
        reference: Some((hundred, "On plan (100%)".to_owned())),
    }
}
