//! `npg reconcile`: the reconciliation of delivery against plan to any month, on its own.

use std::process::ExitCode;

use anyhow::{Context, bail};
use npg::domain::Month;
use npg::pay::inputs::load_cycle;
use npg::pay::quarters::reconcile_to_month;
use npg::write::lock::lock_folder_creating;
use npg::write::output::{OwnFile, check_replaceable, write_file_atomically};
use npg::write::reconciliation::{ReconciliationFacts, write_reconciliation};

use super::pay::cycle_error;
use super::progress::ReadingBar;
use crate::cli::ReconcileArgs;

pub fn run(args: ReconcileArgs) -> anyhow::Result<ExitCode> {
    let month: Month = args.month.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "--month {:?} is not a month: write it YYYY-MM, such as 2025-09",
            args.month
        )
    })?;
    super::pay::refuse_out_inside_cycle(&args.out, &args.cycle)?;
    // One writer at a time in the output folder, as for a payment run: taken at once where
    // the folder is there, so that a second run refuses before any work.
    let lock = lock_folder_creating(&args.out)?;
    let target = args.out.join(format!("reconciliation-{month}.xlsx"));
    if std::fs::symlink_metadata(&target).is_ok() && !args.overwrite {
        bail!(
            "{} already exists; give --overwrite to replace it",
            target.display()
        );
    }
    if args.overwrite {
        check_replaceable(&target, OwnFile::Reconciliation)?;
    }
    let inputs = match load_cycle(&args.cycle, &ReadingBar::new()) {
        Ok(inputs) => inputs,
        Err(err) => return cycle_error(err),
    };
    let config = &inputs.config;
    if !config.year.contains(month) {
        bail!(
            "--month {month} is outside the cycle's financial year {}: give a month from {} to {}",
            config.year,
            config.year.first_month(),
            config.year.last_month()
        );
    }
    let quarter = config.quarter(month.quarter());
    let reconciled = reconcile_to_month(&inputs, month);
    let recon = &reconciled.reconciliation;
    let bytes = write_reconciliation(
        recon,
        &inputs.forces,
        &ReconciliationFacts {
            scheme: &config.scheme,
            rules_version: &config.rules_version,
            cutoff: quarter.cutoff,
            as_at: quarter.payment_date,
            reported_to: &reconciled.reported_to,
        },
    )
    .context("could not build the reconciliation workbook")?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    write_file_atomically(&target, &bytes, args.overwrite, OwnFile::Reconciliation)?;
    drop(lock);
    if let Some(national) = recon.national.last() {
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
    say!("wrote {}", target.display());
    Ok(ExitCode::SUCCESS)
}
