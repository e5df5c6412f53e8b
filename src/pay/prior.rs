//! The previous quarter's run a quarter starts from: its ledger, accepted only while its
//! manifest still matches its files.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::cycle::load::sha256_hex;
use crate::domain::{FinancialYear, Quarter};
use crate::read::file::{MAX_LEDGER_BYTES, read_limited_text};

use super::folder::{LEDGER_FILE, MANIFEST_FILE, OUTPUT_FILES, STATEMENTS_DIR, run_folder_name};
use super::ledger::{Ledger, LedgerError};
use super::manifest::{Manifest, ManifestError, OutputMismatch};

/// The previous quarter's ledger as a run starts from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorRun {
    /// The ledger's path relative to the new run's folder: `../2025-26-Q1/ledger.csv`.
    pub path: String,
    pub sha256: String,
    pub ledger: Ledger,
}

impl PriorRun {
    /// A prior run from a ledger's text, as the next quarter of a range sees it.
    pub fn from_ledger(
        year: FinancialYear,
        quarter: Quarter,
        ledger: Ledger,
        text: &str,
    ) -> PriorRun {
        PriorRun {
            path: format!("../{}/{LEDGER_FILE}", run_folder_name(year, quarter)),
            sha256: sha256_hex(text.as_bytes()),
            ledger,
        }
    }
}

/// Why the previous quarter's run cannot be used. The run stops: paying on a missing or
/// altered ledger would pay the wrong amounts (exit 1), and a file that cannot be read at
/// all means the run cannot start (exit 2, `is_io`).
#[derive(Debug, Error)]
pub enum PriorRunError {
    #[error(
        "{quarter} starts from {previous}'s ledger, and there is no {previous} run in {folder}; run {previous} first (npg pay --quarter {previous}) or run the range (--quarter Q1-{quarter})"
    )]
    Missing {
        quarter: Quarter,
        previous: Quarter,
        folder: PathBuf,
    },
    #[error(
        "{folder} has no {MANIFEST_FILE}, so its ledger cannot be trusted; run {previous} again with --overwrite"
    )]
    NoManifest { folder: PathBuf, previous: Quarter },
    #[error(transparent)]
    BadManifest(#[from] ManifestError),
    #[error(
        "{folder} no longer matches its manifest ({}), so its ledger cannot be trusted; restore the run from its archive, or run {previous} again with --overwrite",
        .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Altered {
        folder: PathBuf,
        previous: Quarter,
        problems: Vec<OutputMismatch>,
    },
    #[error("{folder}: its manifest is for {found}, not {previous}")]
    WrongQuarter {
        folder: PathBuf,
        previous: Quarter,
        found: String,
    },
    #[error(
        "{folder}: its manifest lists the outputs {found}, not the files a run writes ({} and in {STATEMENTS_DIR}/ a statement for each force of its ledger); restore the run from its archive, or run {previous} again with --overwrite",
        OUTPUT_FILES.join(", ")
    )]
    WrongOutputs {
        folder: PathBuf,
        previous: Quarter,
        found: String,
    },
    #[error(transparent)]
    BadLedger(#[from] LedgerError),
    #[error("cannot read {path}: {cause}")]
    Io {
        path: PathBuf,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
}

impl PriorRunError {
    /// The previous run could not be read at all (permissions, a device error).
    pub fn is_io(&self) -> bool {
        matches!(self, PriorRunError::Io { .. })
    }
}

/// Reads the run of the quarter before `quarter` from `out`, checking its manifest against
/// its files first.
pub fn read_prior_run(
    out: &Path,
    year: FinancialYear,
    quarter: Quarter,
) -> Result<Option<PriorRun>, PriorRunError> {
    let Some(previous) = quarter.previous() else {
        return Ok(None);
    };
    let folder = out.join(run_folder_name(year, previous));
    if !folder.is_dir() {
        return Err(PriorRunError::Missing {
            quarter,
            previous,
            folder: out.to_owned(),
        });
    }
    let Some(manifest) = Manifest::read_from(&folder)? else {
        return Err(PriorRunError::NoManifest { folder, previous });
    };
    if manifest.quarter != previous.to_string() {
        return Err(PriorRunError::WrongQuarter {
            folder,
            previous,
            found: manifest.quarter,
        });
    }
    let problems = manifest.check_outputs(&folder);
    if !problems.is_empty() {
        return Err(PriorRunError::Altered {
            folder,
            previous,
            problems,
        });
    }
    let ledger_path = folder.join(LEDGER_FILE);
    let ledger_text =
        read_limited_text(&ledger_path, MAX_LEDGER_BYTES).map_err(|source| PriorRunError::Io {
            path: ledger_path.clone(),
            cause: source,
        })?;
    let ledger = Ledger::parse(&ledger_text, &ledger_path.display().to_string())?;
    // Every output a run writes must be listed, so that none can be changed unseen: the
    // four files, and a statement of the year's quarter for each force of its ledger.
    if !manifest.lists_every_output(year, previous, ledger.lines.keys()) {
        let mut listed: Vec<String> = manifest.outputs.iter().map(|o| o.path.clone()).collect();
        listed.sort_unstable();
        return Err(PriorRunError::WrongOutputs {
            folder,
            previous,
            found: crate::text::listed(&listed),
        });
    }
    if ledger.quarter.is_some_and(|q| q != previous) {
        return Err(PriorRunError::WrongQuarter {
            folder,
            previous,
            found: ledger.quarter.map_or_else(String::new, |q| q.to_string()),
        });
    }
    Ok(Some(PriorRun::from_ledger(
        year,
        previous,
        ledger,
        &ledger_text,
    )))
}
