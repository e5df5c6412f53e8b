//! `npg reconcile`: the reconciliation of delivery against plan to any month, on its own.

use npg::exit::Exit;

use npg::ops::reconcile::{ReconcileOutcome, ReconcileRequest, reconcile};

use super::progress::ReadingBar;
use crate::cli::ReconcileArgs;

pub fn run(args: ReconcileArgs) -> anyhow::Result<Exit> {
    let month = args.month;
    let request = ReconcileRequest {
        cycle: &args.cycle,
        out: &args.out,
        month,
        overwrite: args.overwrite,
    };
    let (inputs, reconciled, path) = match reconcile(&request, &ReadingBar::new())? {
        ReconcileOutcome::Written {
            inputs,
            reconciled,
            path,
        } => (inputs, reconciled, path),
        ReconcileOutcome::CycleInError(err) => return Ok(super::cycle_in_error(&err)),
    };
    if let Some(national) = reconciled.reconciliation.national.last() {
        match national.assessment {
            Some(a) => say!(
                "{month}: national planned uplift {} FTE, actual {} FTE, progress {} ({} of {} forces reporting)",
                national.planned_uplift,
                national.actual_uplift,
                a.progress,
                national.forces_counted,
                inputs.allocations.len()
            ),
            None => say!("{month}: no force has reported this month yet"),
        }
    }
    say!("wrote {}", path.display());
    Ok(Exit::Clean)
}
