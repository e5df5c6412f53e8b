//! The revision log: every figure a run published for an earlier quarter or month that a
//! later run changed (a restated or late return), with its old and new value.

use crate::domain::{ForceId, Fte, Headcount, Money, Month, Quarter};
use crate::rules::reason::Reason;
use crate::rules::reconcile::{Levels, MonthLine};

use super::runs::PublishedRun;

/// The period a revised figure is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RevisedPeriod {
    Quarter(Quarter),
    Month(Month),
}

/// A figure as one run published it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    Money(Money),
    Fte(Fte),
    Count(Headcount),
    /// A month no monitoring return (or plan) reported.
    NotReported,
}

/// What figure was revised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RevisedFigure {
    EligibleSpend,
    PlannedNeighbourhoodFte,
    OfficersFte,
    PcsosFte,
    SpecialsHeadcount,
}

impl RevisedFigure {
    pub fn label(self) -> &'static str {
        match self {
            RevisedFigure::EligibleSpend => "Eligible spend",
            RevisedFigure::PlannedNeighbourhoodFte => "Planned officers and PCSOs (FTE)",
            RevisedFigure::OfficersFte => "Officers (FTE)",
            RevisedFigure::PcsosFte => "PCSOs (FTE)",
            RevisedFigure::SpecialsHeadcount => "Special constables (headcount)",
        }
    }
}

/// Why a figure was revised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevisionCause {
    /// A financial return sent again: its spend restated.
    RestatedReturn,
    /// A financial return received after its quarter's cut-off, counted in the next run.
    LateReturnCounted,
    /// A month first reported in a later monitoring return.
    LateMonitoring,
    /// A month's figures changed in a later monitoring return.
    MonitoringRevised,
    /// A delivery plan sent again.
    PlanRevised,
}

impl RevisionCause {
    pub fn words(self) -> &'static str {
        match self {
            RevisionCause::RestatedReturn => "spending return corrected",
            RevisionCause::LateReturnCounted => "late spending return counted",
            RevisionCause::LateMonitoring => "late monthly workforce return counted",
            RevisionCause::MonitoringRevised => "monthly workforce return corrected",
            RevisionCause::PlanRevised => "delivery plan revised",
        }
    }
}

/// One revised figure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    pub force: ForceId,
    pub period: RevisedPeriod,
    pub figure: RevisedFigure,
    pub old: Figure,
    pub new: Figure,
    pub cause: RevisionCause,
    /// The run folder that published the old value, and the one that changed it.
    pub published_in: String,
    pub revised_in: String,
}

/// Every figure of each run that the next run changed, in run order, then force, period
/// and figure.
pub fn revisions(runs: &[PublishedRun]) -> Vec<Revision> {
    let mut out = Vec::new();
    for pair in runs.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let mut found = Vec::new();
        for (force, line) in &before.ledger.lines {
            let Some(later) = after.ledger.lines.get(force) else {
                continue;
            };
            for (k, old) in line.spend.iter().enumerate() {
                let (Some(new), Some(quarter)) = (later.spend.get(k), Quarter::ALL.get(k)) else {
                    continue;
                };
                if old != new {
                    // The later run's reasons say whether the return came late or again.
                    let late = after
                        .result
                        .forces
                        .iter()
                        .filter(|r| &r.force == force)
                        .flat_map(|r| &r.reasons)
                        .any(|r| matches!(r, Reason::LateReturnCounted { quarter: q, .. } if q == quarter));
                    found.push(Revision {
                        force: force.clone(),
                        period: RevisedPeriod::Quarter(*quarter),
                        figure: RevisedFigure::EligibleSpend,
                        old: Figure::Money(*old),
                        new: Figure::Money(*new),
                        cause: if late {
                            RevisionCause::LateReturnCounted
                        } else {
                            RevisionCause::RestatedReturn
                        },
                        published_in: before.folder.clone(),
                        revised_in: after.folder.clone(),
                    });
                }
            }
        }
        for old in &before.reconciliation.lines {
            let Some(new) = after.reconciliation.line(&old.force, old.month) else {
                continue;
            };
            for (figure, was, now) in month_figures(old, new) {
                if was != now {
                    let cause = match (figure, was) {
                        (RevisedFigure::PlannedNeighbourhoodFte, _) => RevisionCause::PlanRevised,
                        (_, Figure::NotReported) => RevisionCause::LateMonitoring,
                        _ => RevisionCause::MonitoringRevised,
                    };
                    found.push(Revision {
                        force: old.force.clone(),
                        period: RevisedPeriod::Month(old.month),
                        figure,
                        old: was,
                        new: now,
                        cause,
                        published_in: before.folder.clone(),
                        revised_in: after.folder.clone(),
                    });
                }
            }
        }
        found.sort_by(|a, b| (&a.force, a.period, a.figure).cmp(&(&b.force, b.period, b.figure)));
        out.extend(found);
    }
    out
}

/// The published figures of a force's month, as two runs give them.
fn month_figures(old: &MonthLine, new: &MonthLine) -> Vec<(RevisedFigure, Figure, Figure)> {
    let planned = |l: &MonthLine| match (l.planned, l.baseline) {
        (Some(p), Some(_)) => Figure::Fte(p.neighbourhood()),
        _ => Figure::NotReported,
    };
    let actual = |l: &MonthLine, pick: fn(&Levels) -> Figure| {
        l.actual.as_ref().map_or(Figure::NotReported, pick)
    };
    vec![
        (
            RevisedFigure::PlannedNeighbourhoodFte,
            planned(old),
            planned(new),
        ),
        (
            RevisedFigure::OfficersFte,
            actual(old, |a| Figure::Fte(a.officers)),
            actual(new, |a| Figure::Fte(a.officers)),
        ),
        (
            RevisedFigure::PcsosFte,
            actual(old, |a| Figure::Fte(a.pcsos)),
            actual(new, |a| Figure::Fte(a.pcsos)),
        ),
        (
            RevisedFigure::SpecialsHeadcount,
            actual(old, |a| Figure::Count(a.specials)),
            actual(new, |a| Figure::Count(a.specials)),
        ),
    ]
}
