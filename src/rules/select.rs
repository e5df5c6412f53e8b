//! Which return counts at a cut-off (rules §3): the highest usable version submitted by the
//! cut-off, the monitoring return with the latest `Months to`, and X13 for true ambiguity.
//!
//! Pure: it works on a list of candidates (what each file claims to be), not on files.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::{ForceId, Month, Quarter};
use crate::layout::ReturnKind;

/// What the selection needs to know of one return file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The file's path inside the cycle folder (its identity in reports).
    pub path: String,
    pub sha256: String,
    pub kind: ReturnKind,
    pub force: ForceId,
    /// Financial returns: their quarter.
    pub quarter: Option<Quarter>,
    /// Plans and financial returns: their version.
    pub version: Option<u32>,
    /// Monitoring returns: their `Months to`.
    pub months_to: Option<Month>,
    /// `None` when the date could not be read (the return is then unusable anyway).
    pub submitted_on: Option<NaiveDate>,
    /// False when the return has any error finding.
    pub usable: bool,
}

/// What became of one candidate at a cut-off.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// This return counts.
    Used,
    /// Another return of the same kind, force and period counts instead.
    Superseded { by: String },
    /// Submitted after the cut-off (X14): ignored for this run.
    Late,
    /// Has errors (`RETURN-INVALID`): not used.
    Invalid,
    /// Shares its version (or months-to and date) with another, different return (X13).
    Ambiguous { with: String },
    /// The same bytes as a return that counts: one return, never X13.
    Duplicate { of: String },
    /// Not for a period this run looks at (a financial return for a later quarter).
    NotDue,
}

impl Outcome {
    /// The reason a return was not used, as the manifest and Inputs sheet print it.
    pub fn reason(&self) -> Option<String> {
        match self {
            Outcome::Used => None,
            Outcome::Superseded { by } => Some(format!("superseded by {by}")),
            Outcome::Late => Some("received after the cut-off".to_owned()),
            Outcome::Invalid => Some("has errors (RETURN-INVALID)".to_owned()),
            Outcome::Ambiguous { with } => Some(format!("ambiguous with {with} (X13)")),
            Outcome::Duplicate { of } => Some(format!("identical to {of}")),
            Outcome::NotDue => Some("for a quarter after this run's".to_owned()),
        }
    }
}

/// The returns that count for one force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForceSelection {
    /// Index into the candidate list.
    pub plan: Option<usize>,
    pub monitoring: Option<usize>,
    pub finance: BTreeMap<Quarter, usize>,
}

/// The result of a selection: what counts per force, and what became of every candidate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub forces: BTreeMap<ForceId, ForceSelection>,
    /// One outcome per candidate, in the candidates' order.
    pub outcomes: Vec<Outcome>,
}

/// The grouping key: kind, force and period.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    force: ForceId,
    kind: ReturnKind,
    quarter: Option<Quarter>,
}

/// Selects the returns that count at `cutoff` for a run of quarter `run_quarter` (financial
/// returns for quarters up to it; plans and monitoring of any date up to the cut-off).
pub fn select(candidates: &[Candidate], cutoff: NaiveDate, run_quarter: Quarter) -> Selection {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; candidates.len()];
    let mut slots: BTreeMap<Slot, Vec<usize>> = BTreeMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        if candidate.kind == ReturnKind::Finance
            && candidate.quarter.is_some_and(|q| q > run_quarter)
        {
            outcomes[index] = Some(Outcome::NotDue);
            continue;
        }
        if candidate.submitted_on.is_some_and(|date| date > cutoff) {
            outcomes[index] = Some(Outcome::Late);
            continue;
        }
        if !candidate.usable {
            outcomes[index] = Some(Outcome::Invalid);
            continue;
        }
        let slot = Slot {
            force: candidate.force.clone(),
            kind: candidate.kind,
            quarter: candidate.quarter,
        };
        slots.entry(slot).or_default().push(index);
    }

    let mut forces: BTreeMap<ForceId, ForceSelection> = BTreeMap::new();
    for (slot, members) in slots {
        let chosen = choose(candidates, &members, &mut outcomes);
        if let Some(chosen) = chosen {
            let entry = forces.entry(slot.force.clone()).or_default();
            match (slot.kind, slot.quarter) {
                (ReturnKind::Plan, _) => entry.plan = Some(chosen),
                (ReturnKind::Monitoring, _) => entry.monitoring = Some(chosen),
                (ReturnKind::Finance, Some(quarter)) => {
                    entry.finance.insert(quarter, chosen);
                }
                (ReturnKind::Finance, None) => {}
            }
        }
    }
    Selection {
        forces,
        outcomes: outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::Invalid))
            .collect(),
    }
}

/// How good a candidate is: higher is better. Plans and financial returns by version;
/// monitoring by `Months to`, then by submission date.
fn rank(candidate: &Candidate) -> (u32, Option<Month>, Option<NaiveDate>) {
    match candidate.kind {
        ReturnKind::Monitoring => (0, candidate.months_to, candidate.submitted_on),
        ReturnKind::Plan | ReturnKind::Finance => (candidate.version.unwrap_or(0), None, None),
    }
}

/// Picks the best usable member of one slot, marking the others. Members that tie on rank
/// with different bytes are ambiguous (X13) and the choice falls back to the next rank.
fn choose(
    candidates: &[Candidate],
    members: &[usize],
    outcomes: &mut [Option<Outcome>],
) -> Option<usize> {
    // Best rank first; within a rank, by path so the result never depends on input order.
    let mut ordered = members.to_vec();
    ordered.sort_by(|a, b| {
        rank(&candidates[*b])
            .cmp(&rank(&candidates[*a]))
            .then_with(|| candidates[*a].path.cmp(&candidates[*b].path))
    });
    let mut chosen: Option<usize> = None;
    let mut at = 0;
    while at < ordered.len() {
        let rank_here = rank(&candidates[ordered[at]]);
        let end = ordered[at..]
            .iter()
            .position(|i| rank(&candidates[*i]) != rank_here)
            .map_or(ordered.len(), |p| at + p);
        let group = &ordered[at..end];
        // Identical files are one return: keep the first of each distinct content.
        let mut distinct: Vec<usize> = Vec::new();
        for &index in group {
            match distinct
                .iter()
                .find(|&&d| candidates[d].sha256 == candidates[index].sha256)
            {
                Some(&first) => {
                    outcomes[index] = Some(Outcome::Duplicate {
                        of: candidates[first].path.clone(),
                    })
                }
                None => distinct.push(index),
            }
        }
        match (chosen, distinct.as_slice()) {
            (Some(best), _) => {
                for &index in &distinct {
                    outcomes[index] = Some(Outcome::Superseded {
                        by: candidates[best].path.clone(),
                    });
                }
            }
            (None, [only]) => {
                chosen = Some(*only);
                outcomes[*only] = Some(Outcome::Used);
            }
            (None, several) => {
                for &index in several {
                    let other = several
                        .iter()
                        .find(|&&o| o != index)
                        .map_or(String::new(), |&o| candidates[o].path.clone());
                    outcomes[index] = Some(Outcome::Ambiguous { with: other });
                }
            }
        }
        at = end;
    }
    // Duplicates of the chosen return point at it; duplicates of an ambiguous one stay so.
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn finance(path: &str, quarter: Quarter, version: u32, submitted: &str) -> Candidate {
        Candidate {
            path: path.to_owned(),
            sha256: format!("sha-{path}"),
            kind: ReturnKind::Finance,
            force: "kent".parse().unwrap(),
            quarter: Some(quarter),
            version: Some(version),
            months_to: None,
            submitted_on: Some(date(submitted)),
            usable: true,
        }
    }

    fn plan(path: &str, version: u32, approved: &str) -> Candidate {
        Candidate {
            kind: ReturnKind::Plan,
            quarter: None,
            ..finance(path, Quarter::Q1, version, approved)
        }
    }

    fn monitoring(path: &str, months_to: &str, submitted: &str) -> Candidate {
        Candidate {
            kind: ReturnKind::Monitoring,
            quarter: None,
            version: None,
            months_to: Some(months_to.parse().unwrap()),
            ..finance(path, Quarter::Q1, 1, submitted)
        }
    }

    fn kent() -> ForceId {
        "kent".parse().unwrap()
    }

    #[test]
    fn the_highest_version_submitted_by_the_cutoff_counts() {
        let candidates = vec![
            finance("q1-v1", Quarter::Q1, 1, "2025-07-10"),
            finance("q1-v2", Quarter::Q1, 2, "2025-08-20"),
        ];
        // At the Q1 cut-off only v1 was in: v2 is late.
        let q1 = select(&candidates, date("2025-07-31"), Quarter::Q1);
        assert_eq!(q1.forces[&kent()].finance[&Quarter::Q1], 0);
        assert_eq!(q1.outcomes, [Outcome::Used, Outcome::Late]);
        // At Q2's, v2 replaces it.
        let q2 = select(&candidates, date("2025-10-31"), Quarter::Q2);
        assert_eq!(q2.forces[&kent()].finance[&Quarter::Q1], 1);
        assert_eq!(q2.outcomes[0], Outcome::Superseded { by: "q1-v2".into() });
        assert_eq!(q2.outcomes[1], Outcome::Used);
    }

    #[test]
    fn the_cutoff_date_itself_counts() {
        let candidates = vec![finance("q1", Quarter::Q1, 1, "2025-07-31")];
        let q1 = select(&candidates, date("2025-07-31"), Quarter::Q1);
        assert_eq!(q1.outcomes, [Outcome::Used]);
    }

    #[test]
    fn an_invalid_return_falls_back_to_the_best_usable_one() {
        let mut v2 = finance("q1-v2", Quarter::Q1, 2, "2025-07-20");
        v2.usable = false;
        let candidates = vec![finance("q1-v1", Quarter::Q1, 1, "2025-07-10"), v2];
        let q1 = select(&candidates, date("2025-07-31"), Quarter::Q1);
        assert_eq!(q1.forces[&kent()].finance[&Quarter::Q1], 0);
        assert_eq!(q1.outcomes, [Outcome::Used, Outcome::Invalid]);
        assert_eq!(
            q1.outcomes[1].reason().unwrap(),
            "has errors (RETURN-INVALID)"
        );
    }

    #[test]
    fn an_invalid_return_alone_leaves_nothing_counting() {
        let mut only = finance("q3", Quarter::Q3, 1, "2026-01-10");
        only.usable = false;
        let selection = select(&[only], date("2026-01-31"), Quarter::Q3);
        assert!(selection.forces.is_empty());
        assert_eq!(selection.outcomes, [Outcome::Invalid]);
    }

    #[test]
    fn two_different_returns_with_one_version_are_ambiguous_and_the_selection_falls_back() {
        let candidates = vec![
            finance("q1-v1", Quarter::Q1, 1, "2025-07-05"),
            finance("q1-v2-a", Quarter::Q1, 2, "2025-07-10"),
            finance("q1-v2-b", Quarter::Q1, 2, "2025-07-12"),
        ];
        let q1 = select(&candidates, date("2025-07-31"), Quarter::Q1);
        assert_eq!(q1.forces[&kent()].finance[&Quarter::Q1], 0);
        assert_eq!(
            q1.outcomes[1],
            Outcome::Ambiguous {
                with: "q1-v2-b".into()
            }
        );
        assert_eq!(
            q1.outcomes[2],
            Outcome::Ambiguous {
                with: "q1-v2-a".into()
            }
        );
        assert_eq!(q1.outcomes[0], Outcome::Used);
    }

    #[test]
    fn identical_files_are_one_return_never_ambiguous() {
        let mut copy = finance("copy/q1-v2", Quarter::Q1, 2, "2025-07-10");
        copy.sha256 = "same".into();
        let mut original = finance("q1-v2", Quarter::Q1, 2, "2025-07-10");
        original.sha256 = "same".into();
        let q1 = select(&[original, copy], date("2025-07-31"), Quarter::Q1);
        assert_eq!(
            q1.forces[&kent()].finance[&Quarter::Q1],
            1,
            "the first path in byte order is kept"
        );
        assert_eq!(
            q1.outcomes[0],
            Outcome::Duplicate {
                of: "copy/q1-v2".into()
            }
        );
        assert_eq!(q1.outcomes[1], Outcome::Used);
    }

    #[test]
    fn monitoring_by_months_to_then_submission_date() {
        let candidates = vec![
            monitoring("m-06", "2025-06", "2025-07-05"),
            monitoring("m-09-early", "2025-09", "2025-10-03"),
            monitoring("m-09-late", "2025-09", "2025-10-09"),
            monitoring("m-08", "2025-08", "2025-10-20"),
        ];
        let q2 = select(&candidates, date("2025-10-31"), Quarter::Q2);
        assert_eq!(q2.forces[&kent()].monitoring, Some(2));
        assert_eq!(
            q2.outcomes[1],
            Outcome::Superseded {
                by: "m-09-late".into()
            }
        );
        assert_eq!(
            q2.outcomes[3],
            Outcome::Superseded {
                by: "m-09-late".into()
            }
        );
    }

    #[test]
    fn monitoring_sharing_months_to_and_date_is_ambiguous() {
        let candidates = vec![
            monitoring("m-06", "2025-06", "2025-07-05"),
            monitoring("m-09-a", "2025-09", "2025-10-03"),
            monitoring("m-09-b", "2025-09", "2025-10-03"),
        ];
        let q2 = select(&candidates, date("2025-10-31"), Quarter::Q2);
        assert_eq!(
            q2.forces[&kent()].monitoring,
            Some(0),
            "falls back to the next best"
        );
        assert!(matches!(q2.outcomes[1], Outcome::Ambiguous { .. }));
        assert!(matches!(q2.outcomes[2], Outcome::Ambiguous { .. }));
    }

    #[test]
    fn a_monitoring_return_counts_when_submitted_inside_its_own_months_to_month() {
        let candidates = vec![monitoring("m-07", "2025-07", "2025-07-31")];
        let q1 = select(&candidates, date("2025-07-31"), Quarter::Q1);
        assert_eq!(q1.forces[&kent()].monitoring, Some(0));
    }

    #[test]
    fn plan_v2_after_the_cutoff_waits_for_the_next_run() {
        let candidates = vec![
            plan("plan-v1", 1, "2025-03-20"),
            plan("plan-v2", 2, "2025-11-20"),
        ];
        let q2 = select(&candidates, date("2025-10-31"), Quarter::Q2);
        assert_eq!(q2.forces[&kent()].plan, Some(0));
        let q3 = select(&candidates, date("2026-01-31"), Quarter::Q3);
        assert_eq!(q3.forces[&kent()].plan, Some(1));
        assert_eq!(
            q3.outcomes[0],
            Outcome::Superseded {
                by: "plan-v2".into()
            }
        );
    }

    #[test]
    fn later_quarters_are_not_due() {
        let candidates = vec![finance("q2", Quarter::Q2, 1, "2025-07-20")];
        let q1 = select(&candidates, date("2025-07-31"), Quarter::Q1);
        assert_eq!(q1.outcomes, [Outcome::NotDue]);
        assert!(q1.forces.is_empty());
    }

    #[test]
    fn the_result_does_not_depend_on_input_order() {
        let a = finance("a", Quarter::Q1, 2, "2025-07-10");
        let b = finance("b", Quarter::Q1, 2, "2025-07-11");
        let c = finance("c", Quarter::Q1, 1, "2025-07-01");
        let forward = select(
            &[a.clone(), b.clone(), c.clone()],
            date("2025-07-31"),
            Quarter::Q1,
        );
        let backward = select(&[c, b, a], date("2025-07-31"), Quarter::Q1);
        assert_eq!(forward.forces[&kent()].finance[&Quarter::Q1], 2);
        assert_eq!(backward.forces[&kent()].finance[&Quarter::Q1], 0);
    }
}
