//! Everything a payment run or a reconciliation reads from a cycle folder, each file read
//! once and fingerprinted: `cycle.toml`, `forces.csv`, the allocations and every return.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;

use crate::cycle::config::{CONFIG_FILE, ConfigError, CycleConfig};
use crate::cycle::load::{
    LoadedFile, SourceFile, all_files_under, check_across_files, read_and_interpret, sha256_hex,
};
use crate::cycle::{ALLOCATIONS_FILE, FORCES_FILE, RETURNS_DIR};
use crate::domain::force::ForceListError;
use crate::domain::{ForceId, ForceList, Money};
use crate::findings::{Finding, sort_for_report};
use crate::read::file::{MAX_TEXT_FILE_BYTES, MAX_WORKBOOK_FILE_BYTES, read_limited};
use crate::read::open::read_workbook_bytes;
use crate::read::returns::ReadContext;
use crate::read::tables::read_allocations;

/// One cycle-level file as read: its path inside the cycle folder and its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// Relative to the cycle folder, forward slashes.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A cycle folder read for a run: the checked cycle-level inputs and every return.
#[derive(Debug)]
pub struct CycleInputs {
    pub config: CycleConfig,
    pub forces: ForceList,
    /// One allocation per force of the allocations workbook, checked (X01, X08, X11).
    pub allocations: BTreeMap<ForceId, Money>,
    /// `cycle.toml`.
    pub config_file: InputFile,
    /// `forces.csv` and `allocations.xlsx`, in that order.
    pub cycle_files: Vec<InputFile>,
    /// Every file under `returns/`, in byte order of its path.
    pub returns: Vec<LoadedFile>,
}

impl CycleInputs {
    /// What returns are checked against in this cycle.
    pub fn read_context(&self) -> ReadContext<'_> {
        ReadContext {
            cycle_year: Some(self.config.year),
            forces: &self.forces,
            categories: &self.config.categories,
            allocations: Some(&self.allocations),
            baselines: None,
        }
    }
}

/// Why a cycle folder cannot be run. `is_input_error` tells a mistake in the cycle's own
/// files (exit 1) from a run that cannot start at all (exit 2).
#[derive(Debug, Error)]
pub enum CycleInputError {
    #[error("the cycle folder {0} does not exist")]
    NoFolder(PathBuf),
    #[error("the cycle folder {folder} has no {what}; {hint}")]
    Missing {
        folder: PathBuf,
        what: &'static str,
        hint: &'static str,
    },
    #[error("cannot read {path}: {cause}")]
    Io {
        path: PathBuf,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
    #[error(
        "cannot read {file}: {problem}; a payment run reads every file under returns/, so make it readable (or move it out of the cycle folder) and run again"
    )]
    Unreadable { file: String, problem: String },
    #[error("{file}: is not UTF-8 text; save it as UTF-8 (plain CSV or TOML)")]
    NotText { file: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Forces(#[from] ForceListError),
    #[error("the allocations workbook has {} error(s); nothing was run", .0.iter().filter(|f| f.is_error()).count())]
    Allocations(Vec<Finding>),
}

impl CycleInputError {
    /// A mistake in `cycle.toml`, `forces.csv` or the allocations (exit 1), as opposed to a
    /// run that cannot start (exit 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            CycleInputError::Config(ConfigError::Io { .. })
            | CycleInputError::NoFolder(_)
            | CycleInputError::Missing { .. }
            | CycleInputError::Unreadable { .. }
            | CycleInputError::Io { .. } => false,
            CycleInputError::Config(_)
            | CycleInputError::Forces(_)
            | CycleInputError::NotText { .. }
            | CycleInputError::Allocations(_) => true,
        }
    }

    /// The findings behind the error, for printing one per line.
    pub fn findings(&self) -> &[Finding] {
        match self {
            CycleInputError::Allocations(findings) => findings,
            _ => &[],
        }
    }
}

/// Told how reading the returns goes, for a progress indicator. Called from several
/// threads at once.
pub trait ReadProgress: Sync {
    /// Reading starts: `total` files.
    fn start(&self, total: usize);
    /// One more file read.
    fn file_read(&self);
    /// Every file read.
    fn finish(&self);
}

/// No progress shown.
pub struct Quiet;

impl ReadProgress for Quiet {
    fn start(&self, _: usize) {}
    fn file_read(&self) {}
    fn finish(&self) {}
}

fn read_bytes(dir: &Path, name: &str) -> Result<(Vec<u8>, InputFile), CycleInputError> {
    let path = dir.join(name);
    let limit = if name == ALLOCATIONS_FILE {
        MAX_WORKBOOK_FILE_BYTES
    } else {
        MAX_TEXT_FILE_BYTES
    };
    let bytes = read_limited(&path, limit).map_err(|source| {
        let source = source.into_io();
        if source.kind() == std::io::ErrorKind::NotFound {
            CycleInputError::Missing {
                folder: dir.to_owned(),
                what: match name {
                    CONFIG_FILE => "cycle.toml",
                    FORCES_FILE => "forces.csv",
                    _ => "allocations.xlsx",
                },
                hint: match name {
                    CONFIG_FILE => "every cycle folder needs its cycle.toml (the rules in force)",
                    FORCES_FILE => "every cycle folder needs its force list (id,name)",
                    _ => "make it with `npg allocate` and put it in the cycle folder",
                },
            }
        } else {
            CycleInputError::Io {
                path: path.clone(),
                cause: source,
            }
        }
    })?;
    let file = InputFile {
        path: name.to_owned(),
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    };
    Ok((bytes, file))
}

fn as_text(bytes: Vec<u8>, shown: &str) -> Result<String, CycleInputError> {
    String::from_utf8(bytes).map_err(|_| CycleInputError::NotText {
        file: shown.to_owned(),
    })
}

/// Which files under `returns/` a run reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReturnSet<'a> {
    /// Every file (a payment run).
    All,
    /// Only these, by the exact bytes of their path inside the cycle folder (an auditor's
    /// re-run of a manifest's
    /// inputs); listed files that are no longer there are simply not read.
    Only(&'a BTreeSet<Vec<u8>>),
}

/// Reads a cycle folder: the cycle-level inputs first (every one checked before any return
/// is read), then every return under `returns/`, in parallel.
pub fn load_cycle(dir: &Path, progress: &dyn ReadProgress) -> Result<CycleInputs, CycleInputError> {
    load_cycle_with(dir, ReturnSet::All, progress)
}

/// As [`load_cycle`], reading only the returns of `set`.
pub fn load_cycle_with(
    dir: &Path,
    set: ReturnSet,
    progress: &dyn ReadProgress,
) -> Result<CycleInputs, CycleInputError> {
    if !dir.is_dir() {
        return Err(CycleInputError::NoFolder(dir.to_owned()));
    }
    let shown = |name: &str| dir.join(name).display().to_string();
    let (config_bytes, config_file) = read_bytes(dir, CONFIG_FILE)?;
    let config = CycleConfig::parse(
        &as_text(config_bytes, &shown(CONFIG_FILE))?,
        &shown(CONFIG_FILE),
    )?;
    let (forces_bytes, forces_file) = read_bytes(dir, FORCES_FILE)?;
    let forces = ForceList::parse(
        &as_text(forces_bytes, &shown(FORCES_FILE))?,
        &shown(FORCES_FILE),
    )?;
    let (allocation_bytes, allocations_file) = read_bytes(dir, ALLOCATIONS_FILE)?;
    let allocations_shown = shown(ALLOCATIONS_FILE);
    let data = read_workbook_bytes(&allocation_bytes, "xlsx", &allocations_shown)
        .map_err(|finding| CycleInputError::Allocations(vec![finding]))?;
    let (allocations, mut findings) =
        read_allocations(&allocations_shown, &data, &forces, Some(config.pot));
    if findings.iter().any(Finding::is_error) {
        sort_for_report(&mut findings);
        return Err(CycleInputError::Allocations(findings));
    }

    let returns_dir = dir.join(RETURNS_DIR);
    if !returns_dir.is_dir() {
        return Err(CycleInputError::Missing {
            folder: dir.to_owned(),
            what: "returns/ folder",
            hint: "returns are kept under returns/ in the cycle folder",
        });
    }
    let listed = std::time::Instant::now();
    let mut sources =
        all_files_under(&returns_dir, RETURNS_DIR).map_err(|source| CycleInputError::Io {
            path: returns_dir.clone(),
            cause: source,
        })?;
    if let ReturnSet::Only(wanted) = set {
        sources.retain(|s| wanted.contains(&s.key()));
    }
    tracing::debug!(
        files = sources.len(),
        seconds = listed.elapsed().as_secs_f64(),
        "listed the returns"
    );
    let returns = load_returns_in_parallel(&sources, &config, &forces, &allocations, progress)?;
    Ok(CycleInputs {
        config_file,
        cycle_files: vec![forces_file, allocations_file],
        config,
        forces,
        allocations,
        returns,
    })
}

/// Reads every return, each workbook on whichever core is free; the result keeps the
/// order of `sources`, so nothing downstream depends on the scheduling.
pub fn load_returns_in_parallel(
    sources: &[SourceFile],
    config: &CycleConfig,
    forces: &ForceList,
    allocations: &BTreeMap<ForceId, Money>,
    progress: &dyn ReadProgress,
) -> Result<Vec<LoadedFile>, CycleInputError> {
    progress.start(sources.len());
    let ctx = ReadContext {
        cycle_year: Some(config.year),
        forces,
        categories: &config.categories,
        allocations: Some(allocations),
        baselines: None,
    };
    // Each workbook is read and interpreted on whichever core is free, and dropped at once.
    let started = std::time::Instant::now();
    let read: Vec<(LoadedFile, Option<String>)> = sources
        .par_iter()
        .map(|source| {
            let file = read_and_interpret(source, &ctx);
            progress.file_read();
            file
        })
        .collect();
    progress.finish();
    // A file that is there but cannot be read is not the force's mistake: paying as if the
    // return were absent would underpay, so the run stops instead.
    if let Some((file, Some(problem))) = read.iter().find(|(_, e)| e.is_some()) {
        return Err(CycleInputError::Unreadable {
            file: file.shown.clone(),
            problem: problem.clone(),
        });
    }
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "read and interpreted every return"
    );
    let started = std::time::Instant::now();
    let loaded = read.into_iter().map(|(file, _)| file).collect();
    let checked = check_across_files(loaded, &ctx);
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "checked across files (C09, X13, X10)"
    );
    Ok(checked)
}
