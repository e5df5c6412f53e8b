//! The checks across the returns of a cycle: two different returns claiming the same
//! version (X13), eligible spend and forecast beyond the allocation (X10), and the notices
//! of a payment run for returns ambiguous or received after its cut-off (X13, X14).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::{ForceId, Money, Month, Quarter};
use crate::findings::{Code, Finding, Location};
use crate::layout::ReturnKind;

/// What a readable return claims to be, for X13.
#[derive(Clone, Debug)]
pub struct Claim<'a> {
    pub file: &'a str,
    pub sha256: &'a str,
    pub kind: ReturnKind,
    pub force: &'a ForceId,
    pub quarter: Option<Quarter>,
    pub version: Option<u32>,
    pub months_to: Option<Month>,
    pub submitted_on: Option<NaiveDate>,
}

/// X13: two different files claiming the same kind, force, period and version (for
/// monitoring: the same `Months to` and submission date). Identical bytes are one return.
/// Gives each finding with the index of the claim it is for.
pub fn same_claim_different_contents(claims: &[Claim]) -> Vec<(usize, Finding)> {
    type Slot<'a> = (
        ReturnKind,
        &'a ForceId,
        Option<Quarter>,
        Option<u32>,
        Option<(Option<Month>, Option<NaiveDate>)>,
    );
    let mut slots: BTreeMap<Slot, Vec<usize>> = BTreeMap::new();
    for (index, claim) in claims.iter().enumerate() {
        let slot = match claim.kind {
            ReturnKind::Monitoring => (
                claim.kind,
                claim.force,
                None,
                None,
                Some((claim.months_to, claim.submitted_on)),
            ),
            ReturnKind::Plan => (claim.kind, claim.force, None, claim.version, None),
            ReturnKind::Finance => (claim.kind, claim.force, claim.quarter, claim.version, None),
        };
        slots.entry(slot).or_default().push(index);
    }
    let mut findings = Vec::new();
    for members in slots.values() {
        for &index in members {
            let others: Vec<&str> = members
                .iter()
                .filter(|&&o| o != index && claims[o].sha256 != claims[index].sha256)
                .map(|&o| claims[o].file)
                .collect();
            if others.is_empty() {
                continue;
            }
            let what = match claims[index].kind {
                ReturnKind::Monitoring => "Months to and submission date",
                _ => "version",
            };
            let message = format!(
                "another return for the same force and period has the same {what} but different contents: {}; give the newer one the next version",
                others.join(", ")
            );
            findings.push((
                index,
                Finding::new(Code::X13, Location::file(claims[index].file), message),
            ));
        }
    }
    findings
}

/// A usable financial return's eligible spend, for X10.
#[derive(Clone, Debug)]
pub struct Spend<'a> {
    pub file: &'a str,
    pub force: &'a ForceId,
    pub quarter: Quarter,
    pub version: u32,
    /// Eligible actual spend this quarter.
    pub actual: Money,
    /// Eligible forecast for the rest of the year.
    pub forecast: Money,
}

/// X10: eligible spend to date (this return plus the best usable return of each earlier
/// quarter) plus this return's eligible forecast exceeds the force's allocation; equal is
/// within it. Gives each finding with the index of the return it is for.
pub fn forecast_within_allocation(
    returns: &[Spend],
    allocations: &BTreeMap<ForceId, Money>,
) -> Vec<(usize, Finding)> {
    // The best (highest version) return's eligible actual per force and quarter.
    let mut best: BTreeMap<(&ForceId, Quarter), (u32, Money)> = BTreeMap::new();
    for spend in returns {
        let entry = best
            .entry((spend.force, spend.quarter))
            .or_insert((spend.version, spend.actual));
        if spend.version > entry.0 {
            *entry = (spend.version, spend.actual);
        }
    }
    let sheet = &ReturnKind::Finance.layout().data_sheet;
    let mut findings = Vec::new();
    for (index, spend) in returns.iter().enumerate() {
        let Some(&allocation) = allocations.get(spend.force) else {
            continue;
        };
        let earlier: Money = Quarter::ALL
            .iter()
            .filter(|q| **q < spend.quarter)
            .filter_map(|q| best.get(&(spend.force, *q)).map(|(_, a)| *a))
            .sum();
        let to_date = earlier + spend.actual;
        if to_date + spend.forecast > allocation {
            findings.push((
                index,
                Finding::new(
                    Code::X10,
                    Location::sheet(spend.file, sheet, 1),
                    format!(
                        "eligible spend to date {} plus the forecast for the rest of the year {} comes to {}, more than the allocation {}; spend beyond the allocation is not paid: check the forecast",
                        to_date.to_gbp(),
                        spend.forecast.to_gbp(),
                        (to_date + spend.forecast).to_gbp(),
                        allocation.to_gbp()
                    ),
                ),
            ));
        }
    }
    findings
}

/// X14: a return received after the run's cut-off is ignored for the run.
pub fn received_late(file: &str, submitted_on: Option<NaiveDate>, cutoff: NaiveDate) -> Finding {
    let date = submitted_on.map_or_else(String::new, |d| format!(" on {d}"));
    Finding::new(
        Code::X14,
        Location::file(file),
        format!("received{date}, after this quarter's cut-off {cutoff}; ignored for this run"),
    )
}

/// The payment run a return belongs to: a financial return its quarter's, a monitoring
/// return the run of the quarter holding its `Months to`, a delivery plan the first run's
/// (a plan is due before any payment is made; a revision counts from the run after it).
pub fn due_quarter(
    kind: ReturnKind,
    quarter: Option<Quarter>,
    months_to: Option<Month>,
) -> Option<Quarter> {
    match kind {
        ReturnKind::Finance => quarter,
        ReturnKind::Monitoring => months_to.map(Month::quarter),
        ReturnKind::Plan => Some(Quarter::Q1),
    }
}

/// X15 (validate with a cycle): a return dated after the cut-off of the run it belongs to
/// misses that run. Says when it will be considered instead: at the first run whose cut-off
/// is on or after its date, or at none of the year's. `cutoffs` are the year's, Q1 to Q4.
pub fn dated_after_cutoff(
    file: &str,
    kind: ReturnKind,
    due: Quarter,
    dated: NaiveDate,
    cutoffs: &[(Quarter, NaiveDate)],
) -> Option<Finding> {
    let (_, due_cutoff) = cutoffs.iter().find(|(q, _)| *q == due)?;
    if dated <= *due_cutoff {
        return None;
    }
    let what = match kind {
        ReturnKind::Finance => format!("the {due} financial return"),
        ReturnKind::Monitoring => format!("a monitoring return for {due}"),
        ReturnKind::Plan => "a delivery plan".to_owned(),
    };
    let instead = match cutoffs.iter().find(|(_, cutoff)| dated <= *cutoff) {
        Some((q, cutoff)) if kind == ReturnKind::Plan => format!(
            "it counts from the {q} payment run (cut-off {cutoff}); the runs before it use the plan that counted then"
        ),
        Some((q, cutoff)) => format!(
            "it misses the {due} payment run and will be considered at the {q} run instead (cut-off {cutoff}), which nets any difference"
        ),
        None => "it misses the year's last payment run: no run of this year will consider it; talk to the Home Office grant team".to_owned(),
    };
    Some(Finding::new(
        Code::X15,
        Location::file(file),
        format!("{what} is dated {dated}, after the {due} cut-off {due_cutoff}; {instead}"),
    ))
}

/// X13 at a cut-off: the selection found another return with the same claim and other
/// contents, so neither is used.
pub fn ambiguous_at_cutoff(file: &str, other: &str) -> Finding {
    Finding::new(
        Code::X13,
        Location::file(file),
        format!(
            "has the same version (or months-to and date) as {other} but different contents; neither is used"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cutoffs() -> Vec<(Quarter, NaiveDate)> {
        [
            (Quarter::Q1, (2025, 7, 31)),
            (Quarter::Q2, (2025, 10, 31)),
            (Quarter::Q3, (2026, 1, 31)),
            (Quarter::Q4, (2026, 4, 30)),
        ]
        .map(|(q, (y, m, d))| (q, NaiveDate::from_ymd_opt(y, m, d).unwrap()))
        .to_vec()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_return_dated_after_its_cut_off_is_x15_saying_when_it_counts() {
        let late = dated_after_cutoff(
            "f.xlsx",
            ReturnKind::Finance,
            Quarter::Q2,
            date(2025, 11, 5),
            &cutoffs(),
        )
        .unwrap();
        assert_eq!(late.code, Code::X15);
        assert_eq!(late.severity, crate::findings::Severity::Warning);
        assert_eq!(
            late.message,
            "the Q2 financial return is dated 2025-11-05, after the Q2 cut-off 2025-10-31; it misses the Q2 payment run and will be considered at the Q3 run instead (cut-off 2026-01-31), which nets any difference"
        );
        // On the cut-off itself it counts.
        assert!(
            dated_after_cutoff(
                "f.xlsx",
                ReturnKind::Finance,
                Quarter::Q2,
                date(2025, 10, 31),
                &cutoffs()
            )
            .is_none()
        );
        let plan = dated_after_cutoff(
            "p.xlsx",
            ReturnKind::Plan,
            Quarter::Q1,
            date(2025, 11, 20),
            &cutoffs(),
        )
        .unwrap();
        assert!(
            plan.message.ends_with(
                "it counts from the Q3 payment run (cut-off 2026-01-31); the runs before it use the plan that counted then"
            ),
            "{}",
            plan.message
        );
        let too_late = dated_after_cutoff(
            "f.xlsx",
            ReturnKind::Finance,
            Quarter::Q4,
            date(2026, 5, 1),
            &cutoffs(),
        )
        .unwrap();
        assert!(
            too_late
                .message
                .contains("no run of this year will consider it")
        );
        assert_eq!(
            due_quarter(ReturnKind::Monitoring, None, Month::new(2025, 9)),
            Some(Quarter::Q2)
        );
        assert_eq!(due_quarter(ReturnKind::Plan, None, None), Some(Quarter::Q1));
    }

    fn force() -> ForceId {
        "kent".parse().unwrap()
    }

    fn claim<'a>(file: &'a str, sha: &'a str, force: &'a ForceId, version: u32) -> Claim<'a> {
        Claim {
            file,
            sha256: sha,
            kind: ReturnKind::Plan,
            force,
            quarter: None,
            version: Some(version),
            months_to: None,
            submitted_on: None,
        }
    }

    #[test]
    fn the_same_version_with_other_bytes_is_x13_for_both_and_the_same_bytes_is_not() {
        let kent = force();
        let claims = [
            claim("a.xlsx", "1", &kent, 1),
            claim("b.xlsx", "2", &kent, 1),
            claim("c.xlsx", "1", &kent, 1),
            claim("d.xlsx", "3", &kent, 2),
        ];
        let found: Vec<(usize, String)> = same_claim_different_contents(&claims)
            .into_iter()
            .map(|(i, f)| (i, f.message))
            .collect();
        let message = |others: &str| {
            format!(
                "another return for the same force and period has the same version but different contents: {others}; give the newer one the next version"
            )
        };
        assert_eq!(
            found,
            [
                (0, message("b.xlsx")),
                (1, message("a.xlsx, c.xlsx")),
                (2, message("b.xlsx")),
            ]
        );
        assert!(same_claim_different_contents(&[claims[0].clone(), claims[2].clone()]).is_empty());
    }

    fn spend<'a>(
        force: &'a ForceId,
        quarter: Quarter,
        version: u32,
        actual: i64,
        forecast: i64,
    ) -> Spend<'a> {
        Spend {
            file: "f.xlsx",
            force,
            quarter,
            version,
            actual: Money::pounds(actual),
            forecast: Money::pounds(forecast),
        }
    }

    #[test]
    fn spend_and_forecast_up_to_the_allocation_are_within_it_and_a_penny_more_is_x10() {
        let kent = force();
        let allocations = BTreeMap::from([(kent.clone(), Money::pounds(100))]);
        let exactly = [
            spend(&kent, Quarter::Q1, 1, 30, 10),
            spend(&kent, Quarter::Q2, 1, 20, 50),
        ];
        assert!(forecast_within_allocation(&exactly, &allocations).is_empty());
        let mut over = exactly.clone();
        over[1].forecast = Money::pounds(50) + Money::pence(1);
        let found = forecast_within_allocation(&over, &allocations);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 1);
        assert_eq!(
            found[0].1.to_string(),
            "warning X10 f.xlsx › Expenditure: eligible spend to date £50.00 plus the forecast for the rest of the year £50.01 comes to £100.01, more than the allocation £100.00; spend beyond the allocation is not paid: check the forecast"
        );
    }

    #[test]
    fn the_best_version_of_an_earlier_quarter_counts() {
        let kent = force();
        let allocations = BTreeMap::from([(kent.clone(), Money::pounds(100))]);
        let returns = [
            spend(&kent, Quarter::Q1, 2, 10, 0),
            spend(&kent, Quarter::Q1, 1, 90, 0),
            spend(&kent, Quarter::Q2, 1, 10, 80),
        ];
        assert!(forecast_within_allocation(&returns, &allocations).is_empty());
    }

    #[test]
    fn run_notices_name_the_file() {
        let cutoff = "2025-10-15".parse().unwrap();
        let late = received_late("r.xlsx", "2025-10-16".parse().ok(), cutoff);
        assert_eq!(
            late.to_string(),
            "info X14 r.xlsx: received on 2025-10-16, after this quarter's cut-off 2025-10-15; ignored for this run"
        );
        assert_eq!(
            received_late("r.xlsx", None, cutoff).message,
            "received, after this quarter's cut-off 2025-10-15; ignored for this run"
        );
        assert_eq!(ambiguous_at_cutoff("a.xlsx", "b.xlsx").code, Code::X13);
    }
}
