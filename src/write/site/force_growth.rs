//! A force's growth month by month against its delivery profile: its workforce at each
//! month end, its growth since the baseline (the charts' figures), progress and rating.

use rust_decimal::Decimal;

use crate::domain::returns::{DeliveryPlan, PlanMonth};
use crate::domain::{Force, Fte, Month};
use crate::pay::publish::SiteFacts;
use crate::rules::reconcile::{Levels, MonthLine};

use super::chart::{LineChart, Series, SeriesKind};
use super::national::{latest_month, rag_word};
use super::tables::{Cell, Table, figure_column, text_column};
use super::words::{fte, month_axis_label, month_words, percent, signed_count};

/// The plan that counted for the force in the run published.
pub fn plan<'a>(facts: &'a SiteFacts, force: &Force) -> Option<&'a DeliveryPlan> {
    facts
        .latest()
        .result
        .counted
        .get(&force.id)
        .and_then(|c| c.plan.as_ref())
}

pub fn line<'a>(facts: &'a SiteFacts, force: &Force, month: Month) -> Option<&'a MonthLine> {
    facts.latest().reconciliation.line(&force.id, month)
}

/// A force's months: what its plan and its monitoring returns give for each.
struct Months<'a> {
    facts: &'a SiteFacts,
    force: &'a Force,
    plan: Option<&'a DeliveryPlan>,
    latest: Month,
    months: Vec<Month>,
}

impl<'a> Months<'a> {
    fn planned(&self, m: Month) -> Option<&'a PlanMonth> {
        self.plan.and_then(|p| p.month(m))
    }

    fn actual(&self, m: Month) -> Option<Levels> {
        (m <= self.latest)
            .then(|| line(self.facts, self.force, m).and_then(|l| l.actual))
            .flatten()
    }

    /// A blank: not reported up to the latest month, not yet due after it.
    fn blank(&self, m: Month) -> Cell {
        if m <= self.latest {
            Cell::blank("not reported")
        } else {
            Cell::blank("not yet due")
        }
    }

    fn fte_cell(&self, v: Option<Fte>, m: Month) -> Cell {
        match v {
            Some(v) => Cell::figure(fte(v), v),
            None => self.blank(m),
        }
    }

    fn count_cell(&self, v: Option<i64>, m: Month, signed: bool) -> Cell {
        match v {
            Some(v) if signed => Cell::figure(signed_count(v), v),
            Some(v) => Cell::figure(crate::text::thousands(v), v),
            None => self.blank(m),
        }
    }

    /// Officers, PCSOs and specials since the baseline, planned and actual.
    fn changes(&self, m: Month) -> [(Option<Decimal>, Option<Decimal>); 3] {
        let Some(plan) = self.plan else {
            return [(None, None); 3];
        };
        let planned = self.planned(m);
        let actual = self.actual(m);
        let officers = |l: Fte| (l - plan.baseline_officers).as_decimal();
        let pcsos = |l: Fte| (l - plan.baseline_pcsos).as_decimal();
        let specials =
            |n: crate::domain::Headcount| Decimal::from(n.difference(plan.baseline_specials));
        [
            (
                planned.map(|p| officers(p.officers)),
                actual.map(|a| officers(a.officers)),
            ),
            (
                planned.map(|p| pcsos(p.pcsos)),
                actual.map(|a| pcsos(a.pcsos)),
            ),
            (
                planned.map(|p| specials(p.specials)),
                actual.map(|a| specials(a.specials)),
            ),
        ]
    }
}

/// The force's workforce and growth tables and the growth charts.
pub struct Growth {
    pub levels: Table,
    pub growth: Table,
    pub charts: Vec<LineChart>,
}

pub fn growth(facts: &SiteFacts, force: &Force) -> Growth {
    let m = Months {
        facts,
        force,
        plan: plan(facts, force),
        latest: latest_month(facts),
        months: facts.inputs.config.year.months().collect(),
    };
    let levels_rows = m
        .months
        .iter()
        .map(|&month| {
            let (p, a) = (m.planned(month), m.actual(month));
            vec![
                Cell::figure(month_words(month), month),
                m.fte_cell(p.map(|p| p.officers), month),
                m.fte_cell(a.map(|a| a.officers), month),
                m.fte_cell(p.map(|p| p.pcsos), month),
                m.fte_cell(a.map(|a| a.pcsos), month),
                m.count_cell(p.map(|p| i64::from(p.specials.get())), month, false),
                m.count_cell(a.map(|a| i64::from(a.specials.get())), month, false),
            ]
        })
        .collect();
    let levels = Table {
        name: format!("{}-workforce", force.id),
        caption: format!(
            "{}: workforce at each month end, planned and actual",
            force.name
        ),
        columns: vec![
            text_column("month", "Month"),
            figure_column("planned_officers_fte", "Officers planned (FTE)"),
            figure_column("actual_officers_fte", "Officers actual (FTE)"),
            figure_column("planned_pcsos_fte", "PCSOs planned (FTE)"),
            figure_column("actual_pcsos_fte", "PCSOs actual (FTE)"),
            figure_column("planned_specials", "Specials planned"),
            figure_column("actual_specials", "Specials actual"),
        ],
        rows: levels_rows,
    };

    let growth_rows = m
        .months
        .iter()
        .map(|&month| {
            let reconciled = (month <= m.latest)
                .then(|| line(facts, force, month))
                .flatten();
            let assessment = reconciled.and_then(|l| l.assessment);
            let [officers, pcsos, specials] = m.changes(month);
            let fte_of = |v: Option<Decimal>| v.and_then(|d| Fte::from_exact(d).ok());
            vec![
                Cell::figure(month_words(month), month),
                m.fte_cell(
                    m.planned(month)
                        .zip(m.plan)
                        .map(|(p, plan)| p.neighbourhood_fte() - plan.baseline()),
                    month,
                ),
                m.fte_cell(assessment.map(|a| a.actual_uplift), month),
                match assessment {
                    Some(a) => Cell::figure(percent(a.progress), a.progress),
                    None => m.blank(month),
                },
                match assessment {
                    Some(a) => Cell::figure(rag_word(a.rag), a.rag.as_str()).with_rag(a.rag),
                    None => m.blank(month),
                },
                m.fte_cell(fte_of(officers.0), month),
                m.fte_cell(fte_of(officers.1), month),
                m.fte_cell(fte_of(pcsos.0), month),
                m.fte_cell(fte_of(pcsos.1), month),
                m.count_cell(specials.0.and_then(|d| i64::try_from(d).ok()), month, true),
                m.count_cell(specials.1.and_then(|d| i64::try_from(d).ok()), month, true),
            ]
        })
        .collect();
    let growth = Table {
        name: format!("{}-growth", force.id),
        caption: format!(
            "{}: growth since the baseline, planned and actual",
            force.name
        ),
        columns: vec![
            text_column("month", "Month"),
            figure_column("planned_growth_fte", "Growth planned (FTE)"),
            figure_column("actual_growth_fte", "Growth actual (FTE)"),
            figure_column("progress", "Progress"),
            text_column("rag", "Rating"),
            figure_column(
                "planned_officers_change_fte",
                "Officers planned change (FTE)",
            ),
            figure_column("actual_officers_change_fte", "Officers actual change (FTE)"),
            figure_column("planned_pcsos_change_fte", "PCSOs planned change (FTE)"),
            figure_column("actual_pcsos_change_fte", "PCSOs actual change (FTE)"),
            figure_column("planned_specials_change", "Specials planned change"),
            figure_column("actual_specials_change", "Specials actual change"),
        ],
        rows: growth_rows,
    };
    let charts = charts(&m);
    Growth {
        levels,
        growth,
        charts,
    }
}

fn charts(m: &Months) -> Vec<LineChart> {
    let facts = m.facts;
    let force = m.force;
    let span = format!(
        "from {} to {}",
        m.months
            .first()
            .map(|x| month_words(*x))
            .unwrap_or_default(),
        m.months.last().map(|x| month_words(*x)).unwrap_or_default()
    );
    let pair = |name: &str, pick: &dyn Fn(Month) -> (Option<Decimal>, Option<Decimal>)| {
        vec![
            Series {
                name: format!("{name} planned"),
                kind: SeriesKind::Planned,
                values: m.months.iter().map(|x| pick(*x).0).collect(),
            },
            Series {
                name: format!("{name} actual"),
                kind: SeriesKind::Actual,
                values: m.months.iter().map(|x| pick(*x).1).collect(),
            },
        ]
    };
    let chart = |key: &str, title: String, what: &str, y_title: &str, series: Vec<Series>| {
        LineChart {
            id: format!("chart-{}-{key}", force.id),
            description: format!(
                "A line chart of {what} at each month end {span}: the delivery profile as a dashed line, the actual figures to {} as a solid line with markers. The figures are in the growth table below.",
                month_words(m.latest)
            ),
            title,
            x_labels: m.months.iter().map(|x| month_axis_label(*x)).collect(),
            y_title: y_title.to_owned(),
            series,
        }
    };
    let growth = |x: Month| {
        let planned = m
            .planned(x)
            .zip(m.plan)
            .map(|(p, plan)| (p.neighbourhood_fte() - plan.baseline()).as_decimal());
        let actual = (x <= m.latest)
            .then(|| line(facts, force, x).and_then(|l| l.assessment))
            .flatten()
            .map(|a| a.actual_uplift.as_decimal());
        (planned, actual)
    };
    let mut components = pair("Officers", &|x| m.changes(x)[0]);
    components.extend(pair("PCSOs", &|x| m.changes(x)[1]));
    vec![
        chart(
            "growth",
            format!("{}: growth in neighbourhood officers and PCSOs", force.name),
            &format!(
                "{}'s growth in officers and PCSOs (FTE) since its baseline",
                force.name
            ),
            "Growth since the baseline (FTE)",
            pair("Growth", &growth),
        ),
        chart(
            "officers-pcsos",
            format!(
                "{}: officers and PCSOs, change since the baseline",
                force.name
            ),
            &format!(
                "the change in {}'s officers and in its PCSOs (FTE) since its baseline",
                force.name
            ),
            "Change since the baseline (FTE)",
            components,
        ),
        chart(
            "specials",
            format!(
                "{}: special constables, change since the baseline",
                force.name
            ),
            &format!(
                "the change in {}'s special constables (a headcount) since its baseline",
                force.name
            ),
            "Change since the baseline (headcount)",
            pair("Specials", &|x| m.changes(x)[2]),
        ),
    ]
}
