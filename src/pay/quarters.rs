//! A payment run over one quarter or a range, worked out in memory: each quarter from the
//! ledger of the one before, its invariants checked, and the reconciliation behind it.
//! Building and writing the files is `ops::runs`'.

use std::collections::BTreeMap;

use crate::cycle::config::CycleConfig;
use crate::domain::returns::{DeliveryPlan, MonitoringReturn};
use crate::domain::{ForceId, Money, Month, Quarter};
use crate::rules::reconcile::{ForceReturns, Reconciliation, reconcile};

use super::folder::run_folder_name;
use super::inputs::CycleInputs;
use super::prior::PriorRun;
use super::run::{
    CountedReturns, CycleSelection, InvariantBreach, RunInputs, RunResult, run_quarter,
};

/// One quarter's run, worked out.
#[derive(Clone, Debug)]
pub struct QuarterRun {
    pub result: RunResult,
    /// The ledger the run started from; `None` for Q1.
    pub prior: Option<PriorRun>,
}

/// Months April to `last`.
fn months_to(config: &CycleConfig, last: Month) -> Vec<Month> {
    config.year.months().filter(|m| *m <= last).collect()
}

/// A reconciliation, with each force's `Months to` in the monitoring return that counted
/// (what the Summary's last column shows).
pub struct Reconciled {
    pub reconciliation: Reconciliation,
    pub reported_to: BTreeMap<ForceId, Month>,
}

/// The reconciliation of every force in the allocations over April..`last`, given the plan
/// and monitoring return that count for each.
fn reconcile_forces<'a>(
    config: &CycleConfig,
    allocations: &'a BTreeMap<ForceId, Money>,
    last: Month,
    returns_of: impl Fn(&ForceId) -> (Option<&'a DeliveryPlan>, Option<&'a MonitoringReturn>),
) -> Reconciled {
    let mut reported_to = BTreeMap::new();
    let forces: Vec<ForceReturns> = allocations
        .keys()
        .map(|force| {
            let (plan, monitoring) = returns_of(force);
            if let Some(m) = monitoring {
                reported_to.insert(force.clone(), m.months_to);
            }
            ForceReturns {
                force,
                plan,
                monitoring,
            }
        })
        .collect();
    Reconciled {
        reconciliation: reconcile(&forces, &months_to(config, last), &config.taper),
        reported_to,
    }
}

/// The reconciliation of a quarter's run, from the returns that counted in it.
pub fn reconcile_counted<'a>(
    inputs: &'a CycleInputs,
    counted: &'a BTreeMap<ForceId, CountedReturns>,
    last: Month,
) -> Reconciled {
    reconcile_counted_with(&inputs.config, &inputs.allocations, counted, last)
}

/// [`reconcile_counted`] given the cycle's rules and allocations rather than the whole
/// cycle read (`npg publish` re-runs each quarter on its own manifest's inputs).
pub fn reconcile_counted_with<'a>(
    config: &CycleConfig,
    allocations: &'a BTreeMap<ForceId, Money>,
    counted: &'a BTreeMap<ForceId, CountedReturns>,
    last: Month,
) -> Reconciled {
    reconcile_forces(config, allocations, last, |force| {
        let c = counted.get(force);
        (
            c.and_then(|c| c.plan.as_ref()),
            c.and_then(|c| c.monitoring.as_ref()),
        )
    })
}

/// The reconciliation to any month of the year, from the returns that count at the cut-off
/// of the quarter holding it (rules §10).
pub fn reconcile_to_month(inputs: &CycleInputs, month: Month) -> Reconciled {
    let selected = CycleSelection::at(&inputs.returns, &inputs.config, month.quarter());
    reconcile_forces(&inputs.config, &inputs.allocations, month, |force| {
        (selected.plan(force), selected.monitoring(force))
    })
}

/// Runs `quarters` in order, each from the ledger of the one before (the first from
/// `prior`). Nothing is written; a broken invariant in any quarter stops the whole range.
pub fn run_quarters(
    inputs: &CycleInputs,
    quarters: &[Quarter],
    prior: Option<PriorRun>,
) -> Result<Vec<QuarterRun>, InvariantBreach> {
    let mut runs: Vec<QuarterRun> = Vec::new();
    let mut prior = prior;
    for &quarter in quarters {
        let (run, next) = next_quarter(inputs, quarter, prior.take())?;
        runs.push(run);
        prior = Some(next);
    }
    Ok(runs)
}

/// Works out one quarter from the prior run; gives the run and the prior of the next.
pub fn next_quarter(
    inputs: &CycleInputs,
    quarter: Quarter,
    prior: Option<PriorRun>,
) -> Result<(QuarterRun, PriorRun), InvariantBreach> {
    let result = run_quarter(&RunInputs {
        config: &inputs.config,
        forces: &inputs.forces,
        allocations: &inputs.allocations,
        files: &inputs.returns,
        quarter,
        prior: prior.as_ref().map(|p| &p.ledger),
    })?;
    let next = PriorRun::from_ledger(
        inputs.config.year,
        quarter,
        result.ledger.clone(),
        &result.ledger.to_csv(),
    );
    Ok((QuarterRun { result, prior }, next))
}

/// The folder name of a quarter's run.
pub fn folder_of(inputs: &CycleInputs, quarter: Quarter) -> String {
    run_folder_name(inputs.config.year, quarter)
}
