//! `npg pay`'s work: a payment run from the cycle folder to its run folders. The targets are
//! checked before any work and again under the lock; every quarter is worked out and built in
//! memory, then the folders are staged side by side and committed together.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;
use tracing::info;

use crate::cycle::load::sha256_hex;
use crate::domain::{FinancialYear, Quarter, QuarterRange};
use crate::pay::folder::{MANIFEST_FILE, is_run_path, run_folder_name};
use crate::pay::inputs::{CycleInputError, CycleInputs, ReadProgress, load_cycle};
use crate::pay::prior::{PriorRunError, read_prior_run};
use crate::pay::quarters::QuarterRun;
use crate::write::lock::{LockError, lock_folder_creating};
use crate::write::output::OutputError;
use crate::write::run_folder::{FolderFile, commit_folders, prepare_target, stage_folder};

use super::place::{PlaceError, refuse_out_inside_cycle};
use super::replace::{ReplaceError, check_not_cycle, check_run_folder_replaceable};
use super::runs::{BuildError, all_inputs, fingerprint_of, run_and_build};

/// What a payment run is asked to do.
#[derive(Clone, Copy, Debug)]
pub struct PayRequest<'a> {
    pub cycle: &'a Path,
    /// The folder the run folders go into (`<out>/<year>-<quarter>/`).
    pub out: &'a Path,
    pub quarters: QuarterRange,
    /// Whether a run folder npg wrote, still as it wrote it, may be replaced.
    pub overwrite: bool,
    /// Whether the runs of later quarters found in `out` are re-run too (with `overwrite`).
    pub rerun_later: bool,
}

/// How a payment run ended, short of an error that stopped it.
#[derive(Debug)]
pub enum PayOutcome {
    /// Every quarter's run folder was written.
    Paid(Box<Paid>),
    /// The cycle's own files are in error (exit 1); nothing was written.
    CycleInError(CycleInputError),
    /// The previous run's ledger cannot be started from (exit 1); nothing was written.
    PriorRunInError(PriorRunError),
}

/// The quarters written, with what they were worked out from.
#[derive(Debug)]
pub struct Paid {
    pub inputs: CycleInputs,
    pub quarters: Vec<PaidQuarter>,
    /// Run folders that were replaced but had gained files while the run was writing: kept
    /// whole at these paths rather than removed.
    pub kept: Vec<PathBuf>,
}

/// One quarter of a payment run and the folder it was written to.
#[derive(Debug)]
pub struct PaidQuarter {
    pub run: QuarterRun,
    pub folder: PathBuf,
    /// The SHA-256 of the run folder's `manifest.json`, to record outside the folder.
    pub manifest_sha256: String,
    /// The input fingerprint the approval sheet and the manifest record.
    pub fingerprint: String,
}

/// A payment run that could not run (exit 2); nothing was written.
#[derive(Debug, Error)]
pub enum PayError {
    #[error(transparent)]
    Place(#[from] PlaceError),
    #[error(
        "--out {} is a file, not a folder; give the folder the runs go into",
        .0.display()
    )]
    OutIsAFile(PathBuf),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Cycle(CycleInputError),
    #[error(transparent)]
    PriorRun(PriorRunError),
    #[error(
        "{} already exists; give --overwrite to replace it (it is swapped in whole)",
        .0.display()
    )]
    InTheWay(PathBuf),
    #[error(transparent)]
    Replace(#[from] ReplaceError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(
        "{} holds {} {}, which rest on the ledger of {last}; re-running {} alone would leave {} standing on the figures it replaces: run the range --quarter {first}-{through}, or give --rerun-later to re-run {} too",
        out.display(),
        if later.len() == 1 { "the later run" } else { "the later runs" },
        crate::text::listed(later),
        if first == last { first.to_string() } else { format!("{first}-{last}") },
        if later.len() == 1 { "it" } else { "them" },
        if later.len() == 1 { "it" } else { "them" }
    )]
    LaterRuns {
        out: PathBuf,
        first: Quarter,
        last: Quarter,
        /// The later run folders' names, in order.
        later: Vec<String>,
        /// The last quarter of a later run: the range that re-runs them all ends there.
        through: Quarter,
    },
    #[error("{0}; nothing was written")]
    NotBuilt(BuildError),
    #[error("cannot create the output folder {}", path.display())]
    CreateOut {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Runs the payments for `request`'s quarters and writes their run folders.
pub fn pay(request: &PayRequest, progress: &dyn ReadProgress) -> Result<PayOutcome, PayError> {
    let out = request.out;
    refuse_out_inside_cycle(out, request.cycle, "the runs (the default is ./runs)")?;
    if std::fs::symlink_metadata(out).is_ok() && !out.is_dir() {
        return Err(PayError::OutIsAFile(out.to_owned()));
    }
    // One run at a time per output folder, held from the start: a second refuses at once,
    // naming the first.
    let lock = lock_folder_creating(out)?;
    let started = std::time::Instant::now();
    let inputs = match load_cycle(request.cycle, progress) {
        Ok(inputs) => inputs,
        Err(err) if err.is_input_error() => return Ok(PayOutcome::CycleInError(err)),
        Err(err) => return Err(PayError::Cycle(err)),
    };
    info!(
        returns = inputs.returns.len(),
        forces = inputs.allocations.len(),
        seconds = started.elapsed().as_secs_f64(),
        "read the cycle folder"
    );
    let year = inputs.config.year;
    let (first, last) = (request.quarters.first(), request.quarters.last());
    let later = later_runs(out, year, last);
    // A later quarter's run rests on this range's last ledger: it is re-run with the range,
    // or the range is refused, so that no run in the folder stands on figures since replaced.
    let range = match later.last() {
        Some(&latest) if request.rerun_later => {
            QuarterRange::new(first, latest).unwrap_or(request.quarters)
        }
        _ => request.quarters,
    };
    let quarters = range.quarters();

    // Refuse before any work when a run folder is in the way.
    check_targets(request, year, &quarters)?;
    let prior = match read_prior_run(out, year, first) {
        Ok(prior) => prior,
        Err(err) if err.is_io() => return Err(PayError::PriorRun(err)),
        Err(err) => return Ok(PayOutcome::PriorRunInError(err)),
    };
    if !later.is_empty() && !request.rerun_later {
        return Err(PayError::LaterRuns {
            out: out.to_owned(),
            first,
            last,
            through: later.last().copied().unwrap_or(last),
            later: later.iter().map(|q| run_folder_name(year, *q)).collect(),
        });
    }
    match &prior {
        Some(p) => {
            info!(ledger = %p.path, sha256 = %p.sha256, "starting from the previous run's ledger")
        }
        None => info!("starting from nothing paid (Q1)"),
    }
    let started = std::time::Instant::now();
    let built = run_and_build(&inputs, &quarters, prior).map_err(PayError::NotBuilt)?;
    for b in &built {
        info!(
            quarter = %b.run.result.quarter,
            exceptions_to_act_on = b.run.result.exceptions_to_act_on(),
            "worked out the quarter; the national invariants hold"
        );
    }
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "worked out every quarter and built its files"
    );
    let started = std::time::Instant::now();
    std::fs::create_dir_all(out).map_err(|source| PayError::CreateOut {
        path: out.to_owned(),
        source,
    })?;
    // Checked again now that the folder is locked: nothing may have come in the way since.
    check_targets(request, year, &quarters)?;
    // Every quarter's folder is staged in full (written and synced side by side), then all
    // are put in place together: a range lands whole, or leaves the runs that were there.
    let staged = built
        .par_iter()
        .map(|b| {
            let target = out.join(run_folder_name(year, b.run.result.quarter));
            let folder_files: Vec<FolderFile> = b
                .files
                .iter()
                .map(|f| FolderFile {
                    name: &f.name,
                    bytes: &f.bytes,
                })
                .collect();
            stage_folder(&target, &folder_files, is_run_path)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let kept = commit_folders(staged, request.overwrite)?;
    drop(lock);
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "wrote and synced every run folder"
    );
    let quarters = built
        .into_iter()
        .map(|b| {
            let folder = out.join(run_folder_name(year, b.run.result.quarter));
            info!(folder = %folder.display(), "wrote the run folder");
            let manifest_sha256 = b
                .files
                .iter()
                .find(|f| f.name == MANIFEST_FILE)
                .map(|f| sha256_hex(&f.bytes))
                .unwrap_or_default();
            let fingerprint = fingerprint_of(
                &inputs.config.rules_version,
                &b.run,
                &all_inputs(&inputs, &b.run.result),
            );
            PaidQuarter {
                run: b.run,
                folder,
                manifest_sha256,
                fingerprint,
            }
        })
        .collect();
    Ok(PayOutcome::Paid(Box::new(Paid {
        inputs,
        quarters,
        kept,
    })))
}

/// The quarters after `last` whose run folder (or anything by that name) is in `out`.
fn later_runs(out: &Path, year: FinancialYear, last: Quarter) -> Vec<Quarter> {
    Quarter::ALL
        .into_iter()
        .filter(|q| *q > last)
        .filter(|q| std::fs::symlink_metadata(out.join(run_folder_name(year, *q))).is_ok())
        .collect()
}

/// Every run folder the run will write: a swap interrupted there before is completed or
/// undone first (so that what is in the way is what is really there); a folder that is or
/// holds the cycle is refused; one in the way is replaced only with `--overwrite`, and only
/// when it is a run folder npg wrote, still as it wrote it (see `ops::replace`).
fn check_targets(
    request: &PayRequest,
    year: FinancialYear,
    quarters: &[Quarter],
) -> Result<(), PayError> {
    for &q in quarters {
        let target = request.out.join(run_folder_name(year, q));
        check_not_cycle(&target, request.cycle)?;
        if request.out.is_dir() {
            prepare_target(&target, is_run_path)?;
        }
        if std::fs::symlink_metadata(&target).is_ok() {
            if !request.overwrite {
                return Err(PayError::InTheWay(target));
            }
            check_run_folder_replaceable(&target, request.cycle)?;
        }
    }
    Ok(())
}
