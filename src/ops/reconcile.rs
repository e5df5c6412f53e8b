//! `npg reconcile`'s work: the reconciliation of delivery against plan to any month, built
//! from the returns that count at that month's quarter's cut-off and written atomically.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::domain::{FinancialYear, Month};
use crate::pay::inputs::{CycleInputError, CycleInputs, ReadProgress, load_cycle};
use crate::pay::quarters::{Reconciled, reconcile_to_month};
use crate::write::lock::{LockError, lock_folder_creating};
use crate::write::output::{OutputError, OwnFile, check_replaceable, write_file_atomically};
use crate::write::reconciliation::{ReconciliationFacts, write_reconciliation};

use super::place::{PlaceError, refuse_out_inside_cycle};

/// What a reconciliation is asked to do.
#[derive(Clone, Copy, Debug)]
pub struct ReconcileRequest<'a> {
    pub cycle: &'a Path,
    /// The folder the workbook goes into, as `reconciliation-<month>.xlsx`.
    pub out: &'a Path,
    pub month: Month,
    /// Whether a reconciliation workbook npg wrote may be replaced.
    pub overwrite: bool,
}

/// How a reconciliation ended, short of an error that stopped it.
pub enum ReconcileOutcome {
    /// The workbook was written at `path`.
    Written {
        inputs: Box<CycleInputs>,
        reconciled: Reconciled,
        path: PathBuf,
    },
    /// The cycle's own files are in error (exit 1); nothing was written.
    CycleInError(CycleInputError),
}

/// A reconciliation that could not run (exit 2); nothing was written.
#[derive(Debug, Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Place(#[from] PlaceError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("{} already exists; give --overwrite to replace it", .0.display())]
    InTheWay(PathBuf),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Cycle(CycleInputError),
    #[error(
        "--month {month} is outside the cycle's financial year {year}: give a month from {} to {}",
        year.first_month(),
        year.last_month()
    )]
    OutsideYear { month: Month, year: FinancialYear },
    #[error("could not build the reconciliation workbook")]
    Workbook(#[source] rust_xlsxwriter::XlsxError),
    #[error("cannot create the output folder {}", path.display())]
    CreateOut {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes the reconciliation to `request.month`.
pub fn reconcile(
    request: &ReconcileRequest,
    progress: &dyn ReadProgress,
) -> Result<ReconcileOutcome, ReconcileError> {
    let (out, month) = (request.out, request.month);
    refuse_out_inside_cycle(out, request.cycle, "the workbook (the default is ./runs)")?;
    // One writer at a time in the output folder, as for a payment run: taken at once where
    // the folder is there, so that a second run refuses before any work.
    let lock = lock_folder_creating(out)?;
    let target = out.join(format!("reconciliation-{month}.xlsx"));
    if std::fs::symlink_metadata(&target).is_ok() && !request.overwrite {
        return Err(ReconcileError::InTheWay(target));
    }
    if request.overwrite {
        check_replaceable(&target, OwnFile::Reconciliation)?;
    }
    let inputs = match load_cycle(request.cycle, progress) {
        Ok(inputs) => inputs,
        Err(err) if err.is_input_error() => return Ok(ReconcileOutcome::CycleInError(err)),
        Err(err) => return Err(ReconcileError::Cycle(err)),
    };
    let config = &inputs.config;
    if !config.year.contains(month) {
        return Err(ReconcileError::OutsideYear {
            month,
            year: config.year,
        });
    }
    let quarter = config.quarter(month.quarter());
    let reconciled = reconcile_to_month(&inputs, month);
    let bytes = write_reconciliation(
        &reconciled.reconciliation,
        &inputs.forces,
        &ReconciliationFacts {
            scheme: &config.scheme,
            rules_version: &config.rules_version,
            cutoff: quarter.cutoff,
            as_at: quarter.payment_date,
            reported_to: &reconciled.reported_to,
            fingerprint: None,
        },
    )
    .map_err(ReconcileError::Workbook)?;
    std::fs::create_dir_all(out).map_err(|source| ReconcileError::CreateOut {
        path: out.to_owned(),
        source,
    })?;
    write_file_atomically(&target, &bytes, request.overwrite, OwnFile::Reconciliation)?;
    drop(lock);
    Ok(ReconcileOutcome::Written {
        inputs: Box::new(inputs),
        reconciled,
        path: target,
    })
}
