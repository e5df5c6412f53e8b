//! A what-if: the same returns paid under other payment rules, each scenario from Q1 with its
//! own ledger carried from quarter to quarter, in memory; nothing is written here.

use crate::cycle::config::CycleConfig;
use crate::domain::{Fte, Money, Quarter};
use crate::rules::taper::Taper;

use super::inputs::CycleInputs;
use super::ledger::Ledger;
use super::run::{InvariantBreach, RunInputs, RunResult, run_quarter};

/// The name of the scenario that pays by the cycle's own rules.
pub const BASE_SCENARIO: &str = "base";

/// One scenario: its name, its taper and its quarters, Q1 to the last asked for.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    pub name: String,
    pub taper: Taper,
    pub quarters: Vec<RunResult>,
}

/// A quarter's national totals in a scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScenarioTotals {
    /// Positive payments only.
    pub payable: Money,
    /// Recoveries, as a negative amount.
    pub recoveries: Money,
    pub net: Money,
    /// Held lines count nothing here (rules §7).
    pub withheld: Money,
    pub paid_to_date: Money,
}

impl ScenarioTotals {
    pub fn of(result: &RunResult) -> ScenarioTotals {
        let mut t = ScenarioTotals::default();
        for line in result.ledger.lines.values() {
            if line.payment.is_negative() {
                t.recoveries += line.payment;
            } else {
                t.payable += line.payment;
            }
            t.net += line.payment;
            t.withheld += line.withheld.unwrap_or(Money::ZERO);
            t.paid_to_date += line.paid_after;
        }
        t
    }
}

/// Runs every scenario from Q1 to `last` on the cycle's returns: the base (the cycle's
/// taper) first, then each of `scenarios` in order. A scenario for Q3 starts from what its
/// own rule would have paid in Q1 and Q2, never from the cycle's ledgers.
pub fn run_scenarios(
    inputs: &CycleInputs,
    scenarios: &[(String, Taper)],
    last: Quarter,
) -> Result<Vec<ScenarioRun>, InvariantBreach> {
    let base = (BASE_SCENARIO.to_owned(), inputs.config.taper.clone());
    std::iter::once(&base)
        .chain(scenarios)
        .map(|(name, taper)| {
            let config = CycleConfig {
                taper: taper.clone(),
                ..inputs.config.clone()
            };
            let mut prior: Option<Ledger> = None;
            let mut quarters = Vec::new();
            for quarter in Quarter::ALL.into_iter().filter(|q| *q <= last) {
                let result = run_quarter(&RunInputs {
                    config: &config,
                    forces: &inputs.forces,
                    allocations: &inputs.allocations,
                    files: &inputs.returns,
                    quarter,
                    prior: prior.as_ref(),
                })?;
                prior = Some(result.ledger.clone());
                quarters.push(result);
            }
            Ok(ScenarioRun {
                name: name.clone(),
                taper: taper.clone(),
                quarters,
            })
        })
        .collect()
}

/// The FTE a force would need at the quarter's last month to reach the next band up (for
/// the proportional taper: full payment, progress 0.9950), from its baseline `l0`, planned
/// level `lp` and actual level `la`; `None` when it is already there or there is no band
/// above. Rounded up to 2 places, so that the level it names is enough.
pub fn fte_to_next_band(taper: &Taper, l0: Fte, lp: Fte, la: Fte) -> Option<rust_decimal::Decimal> {
    use rust_decimal::{Decimal, RoundingStrategy};
    let (l0, lp, la) = (l0.as_decimal(), lp.as_decimal(), la.as_decimal());
    let up = lp - l0;
    if up <= Decimal::ZERO {
        return None; // no growth due: progress is 1.0000 whatever the level
    }
    let progress =
        crate::rules::taper::progress(Fte::from_exact(la - l0).ok()?, Fte::from_exact(up).ok()?);
    let target = match taper.floor() {
        Some(floor) if progress < floor => floor.as_decimal(),
        Some(_) => Decimal::new(9950, 4),
        None => taper
            .bands()
            .iter()
            .rev()
            .find(|band| band.min_progress > progress)
            .map(|band| band.min_progress.as_decimal())?,
    };
    let needed = l0 + target * up - la;
    (needed > Decimal::ZERO)
        .then(|| needed.round_dp_with_strategy(2, RoundingStrategy::ToPositiveInfinity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn fte(value: rust_decimal::Decimal) -> Fte {
        Fte::from_exact(value).unwrap()
    }

    #[test]
    fn the_fte_to_the_next_band_is_what_lifts_progress_into_it() {
        let bands = Taper::default_npg();
        // Bedfordshire at Q2: L0 100, Lp 119, La 113 → P 0.6842; the next band is 0.7501:
        // 100 + 0.7501 × 19 = 114.2519, so 1.2519 → 1.26 FTE more.
        let need = fte_to_next_band(&bands, fte(dec!(100)), fte(dec!(119)), fte(dec!(113)));
        assert_eq!(need, Some(dec!(1.26)));
        // On plan: no band above.
        assert_eq!(
            fte_to_next_band(&bands, fte(dec!(100)), fte(dec!(119)), fte(dec!(119))),
            None
        );
        // Proportional from 0.60: below the floor, to the floor; above it, to 0.9950.
        let proportional = Taper::proportional("0.60".parse().unwrap()).unwrap();
        assert_eq!(
            fte_to_next_band(
                &proportional,
                fte(dec!(100)),
                fte(dec!(120)),
                fte(dec!(110))
            ),
            Some(dec!(2.00))
        );
        assert_eq!(
            fte_to_next_band(
                &proportional,
                fte(dec!(100)),
                fte(dec!(120)),
                fte(dec!(116))
            ),
            Some(dec!(3.90))
        );
    }
}
