//! `npg whatif`'s work: the cycle's returns paid under the cycle's rules and under each rules
//! file, side by side, written as one workbook and one CSV; never a run folder or a ledger.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::cycle::config::ConfigError;
use crate::cycle::config::rules_file::RulesFile;
use crate::cycle::load::sha256_hex;
use crate::domain::QuarterRange;
use crate::pay::fingerprint::{FingerprintFile, input_fingerprint};
use crate::pay::inputs::{CycleInputError, CycleInputs, ReadProgress, load_cycle};
use crate::pay::run::InvariantBreach;
use crate::pay::whatif::{ScenarioRun, run_scenarios};
use crate::write::lock::{LockError, lock_folder_creating};
use crate::write::output::{OutputError, OwnFile, check_replaceable, write_file_atomically};
use crate::write::whatif::{RulesRecord, WhatIfFacts, whatif_csv, write_whatif};

use super::place::{PlaceError, refuse_out_inside_cycle};

/// What a what-if is asked to do.
#[derive(Clone, Copy, Debug)]
pub struct WhatIfRequest<'a> {
    pub cycle: &'a Path,
    pub quarters: QuarterRange,
    /// The rules files, each a scenario, in the order given.
    pub rules: &'a [PathBuf],
    pub out: &'a Path,
    pub overwrite: bool,
}

/// How a what-if ended, short of an error that stopped it.
pub enum WhatIfOutcome {
    /// Both files were written.
    Written(Box<WhatIfWritten>),
    /// The cycle's own files are in error (exit 1); nothing was written.
    CycleInError(CycleInputError),
    /// A rules file is in error (exit 1); nothing was written.
    RulesInError(ConfigError),
}

/// The scenarios worked out and the files written.
pub struct WhatIfWritten {
    pub inputs: CycleInputs,
    pub scenarios: Vec<ScenarioRun>,
    pub workbook: PathBuf,
    pub csv: PathBuf,
    pub fingerprint: String,
}

/// A what-if that could not run (exit 2); nothing was written.
#[derive(Debug, Error)]
pub enum WhatIfError {
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
    #[error(transparent)]
    Invariant(#[from] InvariantBreach),
    #[error(transparent)]
    Rules(ConfigError),
    #[error("two rules files are named {0:?}; give each scenario its own name")]
    SameName(String),
    #[error(
        "a rules file may not be named \"base\": that is the scenario of the cycle's own rules"
    )]
    NamedBase,
    #[error("could not build the what-if workbook")]
    Workbook(#[source] rust_xlsxwriter::XlsxError),
    #[error("could not write the what-if CSV: {0}")]
    Csv(String),
    #[error("cannot create the output folder {}", path.display())]
    CreateOut {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The two files' names: `whatif-2025-26-Q1-Q4.xlsx` and `.csv`.
pub fn whatif_stem(year: crate::domain::FinancialYear, quarters: QuarterRange) -> String {
    let (first, last) = (quarters.first(), quarters.last());
    if first == last {
        format!("whatif-{year}-{first}")
    } else {
        format!("whatif-{year}-{first}-{last}")
    }
}

/// Runs the what-if and writes its two files.
pub fn whatif(
    request: &WhatIfRequest,
    progress: &dyn ReadProgress,
) -> Result<WhatIfOutcome, WhatIfError> {
    let out = request.out;
    refuse_out_inside_cycle(
        out,
        request.cycle,
        "the scenario files (the default is ./runs)",
    )?;
    let lock = lock_folder_creating(out)?;
    let inputs = match load_cycle(request.cycle, progress) {
        Ok(inputs) => inputs,
        Err(err) if err.is_input_error() => return Ok(WhatIfOutcome::CycleInError(err)),
        Err(err) => return Err(WhatIfError::Cycle(err)),
    };
    let stem = whatif_stem(inputs.config.year, request.quarters);
    let workbook = out.join(format!("{stem}.xlsx"));
    let csv = out.join(format!("{stem}.csv"));
    // Both checked before either is written.
    for (path, kind) in [(&workbook, OwnFile::WhatIf), (&csv, OwnFile::WhatIfCsv)] {
        if std::fs::symlink_metadata(path).is_ok() && !request.overwrite {
            return Err(WhatIfError::InTheWay(path.clone()));
        }
        if request.overwrite {
            check_replaceable(path, kind)?;
        }
    }
    let mut scenarios = Vec::new();
    let mut records = Vec::new();
    for path in request.rules {
        let shown = path.display().to_string();
        let rules = match RulesFile::load(path, &shown, &inputs.config.taper) {
            Ok(rules) => rules,
            // A rules file that cannot be read at all (missing, a folder) is a path problem,
            // exit 2; one that reads but is wrong is an input in error, exit 1.
            Err(err @ ConfigError::Io { .. }) => return Err(WhatIfError::Rules(err)),
            Err(err) => return Ok(WhatIfOutcome::RulesInError(err)),
        };
        if rules.name == crate::pay::whatif::BASE_SCENARIO {
            return Err(WhatIfError::NamedBase);
        }
        if records.iter().any(|r: &RulesRecord| r.name == rules.name) {
            return Err(WhatIfError::SameName(rules.name));
        }
        let bytes = std::fs::read(path).map_err(|cause| OutputError::Io {
            path: path.clone(),
            cause,
        })?;
        // Its name alone: the outputs hold no absolute path (the SHA-256 identifies it).
        let file = path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
        records.push(RulesRecord {
            name: rules.name.clone(),
            file,
            sha256: sha256_hex(&bytes),
        });
        scenarios.push((rules.name, rules.taper));
    }
    let runs = run_scenarios(&inputs, &scenarios, request.quarters.last())?;
    let fingerprint = cycle_fingerprint(&inputs);
    let facts = WhatIfFacts {
        config: &inputs.config,
        first: request.quarters.first(),
        last: request.quarters.last(),
        fingerprint: &fingerprint,
        rules: &records,
    };
    let csv_bytes = whatif_csv(&runs, &facts).map_err(|e| WhatIfError::Csv(e.to_string()))?;
    let book_bytes =
        write_whatif(&runs, &facts, &sha256_hex(&csv_bytes)).map_err(WhatIfError::Workbook)?;
    std::fs::create_dir_all(out).map_err(|source| WhatIfError::CreateOut {
        path: out.to_owned(),
        source,
    })?;
    write_file_atomically(&csv, &csv_bytes, request.overwrite, OwnFile::WhatIfCsv)?;
    write_file_atomically(&workbook, &book_bytes, request.overwrite, OwnFile::WhatIf)?;
    drop(lock);
    Ok(WhatIfOutcome::Written(Box::new(WhatIfWritten {
        inputs,
        scenarios: runs,
        workbook,
        csv,
        fingerprint,
    })))
}

/// The input fingerprint of the cycle as a run from Q1 reads it (no prior ledger): every
/// file the manifest of a run would list, `cycle.toml` included.
pub fn cycle_fingerprint(inputs: &CycleInputs) -> String {
    let mut files: Vec<FingerprintFile> = std::iter::once(&inputs.config_file)
        .chain(&inputs.cycle_files)
        .map(|f| FingerprintFile {
            path: f.path.as_bytes(),
            sha256: &f.sha256,
        })
        .collect();
    files.extend(inputs.returns.iter().map(|r| FingerprintFile {
        path: r.exact.as_deref().unwrap_or(r.shown.as_bytes()),
        sha256: &r.sha256,
    }));
    input_fingerprint(&inputs.config.rules_version, None, &files)
}
