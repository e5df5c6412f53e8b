//! `npg audit verify`: proves a past run follows from its inputs. The manifest names the
//! run's input set; each input is checked against the cycle folder, files added since are
//! listed, the quarter is re-run on exactly the manifest's inputs with the same prior ledger,
//! and every output is compared with what the run folder holds, cell by cell where it differs.

use std::collections::BTreeSet;

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::cycle::config::CONFIG_FILE;
use crate::cycle::load::read_and_interpret;
use crate::cycle::load::{SourceFile, all_files_under, path_from_key, sha256_hex, sha256_in_cycle};
use crate::cycle::{ALLOCATIONS_FILE, FORCES_FILE, RETURNS_DIR};
use crate::domain::{FinancialYear, Quarter};
use crate::ops::replace::{ExtraFile, extra_files};
use crate::ops::runs::run_files;
use crate::pay::folder::{LEDGER_FILE, MANIFEST_FILE, PAYMENTS_FILE, run_folder_name};
use crate::pay::inputs::{CycleInputError, ReadProgress, ReturnSet, load_cycle_with};
use crate::pay::ledger::Ledger;
use crate::pay::manifest::{InputRecord, Manifest, ManifestError, Tool};
use crate::pay::prior::PriorRun;
use crate::pay::quarters::run_quarters;
use crate::pay::run::InvariantBreach;
use crate::read::file::{
    FileReadError, MAX_LEDGER_BYTES, MAX_MANIFEST_BYTES, MAX_OUTPUT_BYTES, read_limited, size_text,
};

use super::diff::{
    CellChange, LedgerChange, RowChange, WorkbookDiff, ledger_changes, line_differences,
    manifest_differences, output_size_limit, workbook_changes,
};

/// A file in the cycle folder now that the run did not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddedFile {
    pub path: String,
    /// Its declared submission date, when it can be read.
    pub submitted_on: Option<String>,
    /// What it is when it is not a dated return: a cycle file, not a return, unreadable.
    pub note: Option<String>,
}

/// The prior ledger a run started from, as the run folder's neighbour holds it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriorCheck {
    /// Relative to the run folder, as the manifest records it.
    pub path: String,
    pub recorded_sha256: String,
    /// `None` when the file is not there.
    pub found_sha256: Option<String>,
    pub matches: bool,
}

/// One output of the run: the run folder's file against its manifest and against a re-run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutputCheck {
    pub path: String,
    /// The file is in the run folder.
    pub present: bool,
    /// Its bytes still have the hash its manifest records (false: edited after the run).
    pub matches_manifest: bool,
    /// The re-run gives the same bytes.
    pub matches_rerun: bool,
    /// For a workbook that differs from the re-run: the rows of its tables on one side only.
    pub rows: Vec<RowChange>,
    /// For a workbook that differs: the cells, as the run folder records them and as the
    /// re-run recomputes them.
    pub cells: Vec<CellChange>,
    /// For a ledger that differs: the fields, recorded and recomputed.
    pub ledger: Vec<LedgerChange>,
    /// For a manifest that differs: what differs, in words.
    pub notes: Vec<String>,
    /// The workbook's sheets in order, for telling its rows and cells sheet by sheet.
    #[serde(skip)]
    pub sheets: Vec<String>,
}

impl OutputCheck {
    pub fn is_identical(&self) -> bool {
        self.present && self.matches_manifest && self.matches_rerun
    }
}

/// The whole verification of one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunVerification {
    /// The run folder as given.
    pub run: String,
    pub quarter: String,
    /// The program that wrote the run and the one verifying it.
    pub written_by: String,
    pub verified_by: String,
    pub same_program: bool,
    pub rules_version: String,
    /// Inputs the manifest lists (cycle.toml included).
    pub inputs_checked: usize,
    pub missing: Vec<String>,
    pub changed: Vec<String>,
    /// Added files dated on or before the cut-off (or whose date cannot be read): they
    /// would have counted, so the verify fails.
    pub added_would_count: Vec<AddedFile>,
    /// Added files dated after the cut-off: information only.
    pub added_later: Vec<AddedFile>,
    pub prior: Option<PriorCheck>,
    /// Files in the run folder that its manifest does not name: a run folder holds exactly
    /// what the run wrote, so these fail the verify.
    pub extra_files: Vec<ExtraFile>,
    /// Why the quarter was not re-run, when it could not be (its outputs are then not
    /// compared, and the run does not verify).
    pub not_rerun: Option<String>,
    pub outputs: Vec<OutputCheck>,
    pub identical: bool,
}

/// Why a run could not be verified at all (exit 2).
#[derive(Debug, Error)]
pub enum VerifyError {
    #[error(
        "{0} has no {MANIFEST_FILE}: it is not a run folder npg wrote (or the manifest was removed)"
    )]
    NoManifest(PathBuf),
    #[error(transparent)]
    BadManifest(#[from] ManifestError),
    #[error("{folder}: its manifest names quarter {found:?}, which is not Q1..Q4")]
    BadQuarter { folder: PathBuf, found: String },
    #[error("cannot re-run: {0}")]
    Cycle(CycleInputError),
    #[error(
        "cannot re-run: the prior ledger {path} the run started from is not there; keep the run folders of a year side by side"
    )]
    PriorMissing { path: PathBuf },
    #[error("cannot re-run: {0}")]
    Invariant(InvariantBreach),
    #[error("cannot re-run: the workbooks could not be built: {0}")]
    Build(rust_xlsxwriter::XlsxError),
    #[error("cannot read {path}: {cause}")]
    Io {
        path: PathBuf,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
}

// The three below quote their cause in their message, so it is not also their source (which
// would print it twice); `?` still converts them.
impl From<CycleInputError> for VerifyError {
    fn from(error: CycleInputError) -> VerifyError {
        VerifyError::Cycle(error)
    }
}

impl From<InvariantBreach> for VerifyError {
    fn from(error: InvariantBreach) -> VerifyError {
        VerifyError::Invariant(error)
    }
}

impl From<rust_xlsxwriter::XlsxError> for VerifyError {
    fn from(error: rust_xlsxwriter::XlsxError) -> VerifyError {
        VerifyError::Build(error)
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> VerifyError + '_ {
    move |source| VerifyError::Io {
        path: path.to_owned(),
        cause: source,
    }
}

/// The manifest of a run folder.
pub fn read_manifest(run_dir: &Path) -> Result<Manifest, VerifyError> {
    Manifest::read_from(run_dir)?.ok_or_else(|| VerifyError::NoManifest(run_dir.to_owned()))
}

/// The SHA-256 of a file in the cycle folder as a run records it, `None` when it is not
/// there (see `cycle::load::sha256_in_cycle`).
fn hash_of(dir: &Path, key: &[u8]) -> Result<Option<String>, VerifyError> {
    sha256_in_cycle(dir, key).map_err(|source| VerifyError::Io {
        path: path_from_key(dir, key),
        cause: source,
    })
}

/// Every file the run would read from the cycle folder now, by path inside it.
fn files_now(cycle_dir: &Path) -> Result<Vec<SourceFile>, VerifyError> {
    let mut found: Vec<SourceFile> = [CONFIG_FILE, FORCES_FILE, ALLOCATIONS_FILE]
        .iter()
        .filter(|name| cycle_dir.join(name).is_file())
        .map(|name| SourceFile::new(cycle_dir.join(name), (*name).to_owned()))
        .collect();
    let returns = cycle_dir.join(RETURNS_DIR);
    if returns.is_dir() {
        found.extend(all_files_under(&returns, RETURNS_DIR).map_err(io(&returns))?);
    }
    Ok(found)
}

/// Verifies one run folder against the cycle folder.
pub fn verify_run(
    run_dir: &Path,
    cycle_dir: &Path,
    progress: &dyn ReadProgress,
) -> Result<RunVerification, VerifyError> {
    let manifest = read_manifest(run_dir)?;
    let quarter: Quarter = manifest
        .quarter
        .parse()
        .map_err(|_| VerifyError::BadQuarter {
            folder: run_dir.to_owned(),
            found: manifest.quarter.clone(),
        })?;
    let this = Tool::this();

    // 1. Every input the manifest lists, against the cycle folder as it is now.
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    // Each input by the exact bytes of its path, with its name as shown and its hash.
    let recorded = manifest.recorded_inputs();
    for (key, path, sha256) in &recorded {
        match hash_of(cycle_dir, key)? {
            None => missing.push((*path).to_owned()),
            Some(found) if found != *sha256 => changed.push((*path).to_owned()),
            Some(_) => {}
        }
    }

    let mut report = RunVerification {
        run: run_dir.display().to_string(),
        quarter: manifest.quarter.clone(),
        written_by: format!("{} {}", manifest.tool.name, manifest.tool.version),
        verified_by: format!("{} {}", this.name, this.version),
        same_program: manifest.tool == this,
        rules_version: manifest.rules_version.clone(),
        inputs_checked: recorded.len(),
        missing,
        changed,
        added_would_count: Vec::new(),
        added_later: Vec::new(),
        prior: None,
        extra_files: extra_files(run_dir, &manifest).map_err(io(run_dir))?,
        not_rerun: None,
        outputs: Vec::new(),
        identical: false,
    };

    // 2. The re-run, on exactly the manifest's returns and with the prior ledger it used.
    let wanted: BTreeSet<Vec<u8>> = manifest
        .inputs
        .iter()
        .map(InputRecord::key)
        .filter(|key| key.starts_with(format!("{RETURNS_DIR}/").as_bytes()))
        .collect();
    let inputs = match load_cycle_with(cycle_dir, ReturnSet::Only(&wanted), progress) {
        Ok(inputs) => inputs,
        // Inputs that changed or went missing can stop the re-run (a pot changed in
        // cycle.toml, a force list deleted): that is the difference, and it is reported.
        Err(e) if !report.missing.is_empty() || !report.changed.is_empty() => {
            report.not_rerun = Some(format!("the cycle folder as it is now cannot be run: {e}"));
            return Ok(report);
        }
        Err(e) => return Err(e.into()),
    };
    let year = inputs.config.year;
    let prior = match prior_of(run_dir, &manifest, year, quarter)? {
        PriorState::None => None,
        PriorState::Read(prior, check) => {
            report.prior = Some(check);
            Some(prior)
        }
        // A damaged prior ledger cannot be re-run from; it differs from the recorded one
        // (or the run itself started from a damaged ledger), so the verify fails.
        PriorState::Damaged(check, problem) => {
            report.prior = Some(check);
            report.not_rerun = Some(format!("the prior ledger cannot be read: {problem}"));
            None
        }
    };

    // 3. Files added since the run: those that would have counted fail the verify.
    let listed: BTreeSet<&[u8]> = recorded.iter().map(|(key, _, _)| key.as_slice()).collect();
    let cutoff = inputs.config.quarter(quarter).cutoff;
    let mut added_returns = Vec::new();
    for file in files_now(cycle_dir)? {
        if listed.contains(file.key().as_slice()) {
            continue;
        }
        if file.shown.starts_with(&format!("{RETURNS_DIR}/")) {
            added_returns.push(file);
        } else {
            // A cycle-level file the manifest did not list: it would have been read.
            report.added_would_count.push(AddedFile {
                path: file.shown,
                submitted_on: None,
                note: Some("a cycle file the run did not have".to_owned()),
            });
        }
    }
    let ctx = inputs.read_context();
    let read: Vec<_> = added_returns
        .par_iter()
        .map(|source| read_and_interpret(source, &ctx))
        .collect();
    for (file, io_error) in read {
        let date = file.read.key.submitted_on;
        let note = match (&io_error, file.read.key.kind) {
            (Some(problem), _) => Some(format!("cannot be read: {problem}")),
            (None, None) => Some("not a return: the run would have listed it (F01)".to_owned()),
            (None, Some(_)) if date.is_none() => {
                Some("its submission date cannot be read".to_owned())
            }
            _ => None,
        };
        let entry = AddedFile {
            path: file.shown.clone(),
            submitted_on: date.map(|d| d.to_string()),
            note,
        };
        match date {
            Some(d) if d > cutoff => report.added_later.push(entry),
            _ => report.added_would_count.push(entry),
        }
    }

    if report.not_rerun.is_none() {
        for run in &run_quarters(&inputs, &[quarter], prior)? {
            let files = run_files(&inputs, run)?;
            for file in &files {
                let check = compare_output(run_dir, &manifest, &file.name, &file.bytes)?;
                report.outputs.push(check);
            }
            // An output the manifest lists that the re-run does not write (a statement of
            // a force no longer in the run, or one added to the manifest by hand).
            for output in &manifest.outputs {
                if !files.iter().any(|f| f.name == output.path) {
                    report.outputs.push(not_rewritten(run_dir, &output.path));
                }
            }
        }
    }
    report.identical = report.not_rerun.is_none()
        && report.missing.is_empty()
        && report.changed.is_empty()
        && report.added_would_count.is_empty()
        && report.extra_files.is_empty()
        && report.prior.as_ref().is_none_or(|p| p.matches)
        && report.outputs.iter().all(OutputCheck::is_identical);
    Ok(report)
}

/// The prior ledger as found beside the run folder.
enum PriorState {
    /// Q1: no prior ledger.
    None,
    Read(PriorRun, PriorCheck),
    /// Not a ledger npg can read (damaged, or not text at all).
    Damaged(PriorCheck, String),
}

/// The prior ledger the run started from, read from beside the run folder.
fn prior_of(
    run_dir: &Path,
    manifest: &Manifest,
    year: FinancialYear,
    quarter: Quarter,
) -> Result<PriorState, VerifyError> {
    let (Some(recorded), Some(previous)) = (&manifest.prior_run, quarter.previous()) else {
        return Ok(PriorState::None);
    };
    // The manifest was checked to name `../<year>-Qn/ledger.csv`, beside this run folder.
    let path = run_dir.join(&recorded.path);
    let bytes = match read_limited(&path, MAX_LEDGER_BYTES) {
        Ok(bytes) => bytes,
        Err(FileReadError::Missing) => return Err(VerifyError::PriorMissing { path }),
        Err(FileReadError::Io(source)) => {
            return Err(VerifyError::Io {
                path,
                cause: source,
            });
        }
        Err(other) => {
            let check = PriorCheck {
                path: recorded.path.clone(),
                recorded_sha256: recorded.sha256.clone(),
                found_sha256: None,
                matches: false,
            };
            return Ok(PriorState::Damaged(check, other.to_string()));
        }
    };
    let found = sha256_hex(&bytes);
    let check = PriorCheck {
        path: recorded.path.clone(),
        recorded_sha256: recorded.sha256.clone(),
        matches: found == recorded.sha256,
        found_sha256: Some(found),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(PriorState::Damaged(check, "it is not text".to_owned()));
    };
    Ok(match Ledger::parse(&text, &recorded.path) {
        Ok(ledger) => PriorState::Read(PriorRun::from_ledger(year, previous, ledger, &text), check),
        Err(error) => PriorState::Damaged(check, error.to_string()),
    })
}

/// An output the manifest lists and the re-run does not write: it does not verify.
fn not_rewritten(run_dir: &Path, path: &str) -> OutputCheck {
    let present = std::fs::symlink_metadata(run_dir.join(path)).is_ok();
    OutputCheck {
        path: path.to_owned(),
        present,
        matches_manifest: present,
        matches_rerun: false,
        rows: Vec::new(),
        cells: Vec::new(),
        ledger: Vec::new(),
        notes: vec!["the manifest lists it, and the re-run writes no such file".to_owned()],
        sheets: Vec::new(),
    }
}

/// One output: the run folder's file against its manifest hash and against the re-run.
fn compare_output(
    run_dir: &Path,
    manifest: &Manifest,
    name: &str,
    rerun: &[u8],
) -> Result<OutputCheck, VerifyError> {
    let path = run_dir.join(name);
    // No more is read than the run wrote, and a little more: the manifest's recorded size
    // (the manifest itself is bounded by its own limit).
    let recorded = manifest.outputs.iter().find(|o| o.path == name);
    let limit = match recorded {
        Some(output) => output_size_limit(output.bytes).min(MAX_OUTPUT_BYTES),
        None => MAX_MANIFEST_BYTES,
    };
    let held = match read_limited(&path, limit) {
        Ok(bytes) => Some(bytes),
        Err(FileReadError::Missing) => None,
        Err(FileReadError::Io(source)) => {
            return Err(VerifyError::Io {
                path,
                cause: source,
            });
        }
        Err(other) => {
            return Ok(OutputCheck {
                path: name.to_owned(),
                present: true,
                matches_manifest: false,
                matches_rerun: false,
                rows: Vec::new(),
                cells: Vec::new(),
                ledger: Vec::new(),
                notes: vec![format!(
                    "edited and unreadable: {other}, next to the {} the run wrote",
                    size_text(recorded.map_or(0, |o| o.bytes))
                )],
                sheets: Vec::new(),
            });
        }
    };
    let Some(held) = held else {
        return Ok(OutputCheck {
            path: name.to_owned(),
            present: false,
            matches_manifest: false,
            matches_rerun: false,
            rows: Vec::new(),
            cells: Vec::new(),
            ledger: Vec::new(),
            notes: vec!["not in the run folder".to_owned()],
            sheets: Vec::new(),
        });
    };
    let sha = sha256_hex(&held);
    // The manifest does not record its own hash; it is checked against the re-run's.
    let matches_manifest = name == MANIFEST_FILE
        || manifest
            .outputs
            .iter()
            .any(|o| o.path == name && o.sha256 == sha);
    let matches_rerun = held == rerun;
    let mut check = OutputCheck {
        path: name.to_owned(),
        present: true,
        matches_manifest,
        matches_rerun,
        rows: Vec::new(),
        cells: Vec::new(),
        ledger: Vec::new(),
        notes: Vec::new(),
        sheets: Vec::new(),
    };
    if matches_rerun {
        return Ok(check);
    }
    if name.ends_with(".xlsx") {
        match workbook_changes(&held, rerun) {
            WorkbookDiff::Changes(found) => {
                for sheet in &found.reordered {
                    check.notes.push(format!(
                        "{sheet}: the rows are in another order than the re-run gives them"
                    ));
                }
                if found.rows.is_empty() && found.cells.is_empty() && found.reordered.is_empty() {
                    check.notes.push(
                        "every cell reads the same; the difference is in formatting or the file's structure"
                            .to_owned(),
                    );
                }
                check.rows = found.rows;
                check.cells = found.cells;
                check.sheets = found.sheets;
            }
            WorkbookDiff::Unreadable {
                side: "run folder",
                why,
            } => check.notes.push(format!(
                "edited and unreadable: the run folder's copy was not read further ({why})"
            )),
            WorkbookDiff::Unreadable { side, why } => check.notes.push(format!(
                "the {side} copy cannot be read as a workbook ({why})"
            )),
        }
    } else if name == LEDGER_FILE {
        let (was, now) = (
            String::from_utf8_lossy(&held),
            String::from_utf8_lossy(rerun),
        );
        check.ledger = ledger_changes(&was, &now);
        if check.ledger.is_empty() {
            check.notes.push(if was.contains('\r') && !now.contains('\r') {
                "every line reads the same; the run folder's copy has Windows line endings (CRLF)"
                    .to_owned()
            } else {
                "every line reads the same; the file differs in bytes a reader does not see (spacing, line endings, an encoding)".to_owned()
            });
        }
    } else if name == MANIFEST_FILE {
        check.notes = manifest_differences(&held, rerun);
    } else if name == PAYMENTS_FILE {
        check.notes = line_differences(&held, rerun);
    }
    Ok(check)
}

/// One link of a chain of runs: the later run started from the earlier run's ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkCheck {
    pub from: String,
    pub to: String,
    pub ok: bool,
    pub problem: Option<String>,
}

/// The verification of a year's runs in order, and of the links between them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainVerification {
    pub runs: Vec<RunVerification>,
    pub links: Vec<LinkCheck>,
    /// Run folders of the range that are not there, or hold no manifest.
    pub missing_runs: Vec<String>,
    /// Runs that could not be verified at all, with the reason.
    pub could_not_verify: Vec<String>,
    pub identical: bool,
}

impl ChainVerification {
    /// A difference was found (as opposed to runs that could not be checked).
    pub fn differs(&self) -> bool {
        !self.missing_runs.is_empty()
            || self.runs.iter().any(|r| !r.identical)
            || self.links.iter().any(|l| !l.ok)
    }
}

/// The financial years of the run folders under `out_dir` (named `<year>-Qn`), for a chain
/// verified when the cycle's own `cycle.toml` cannot say which year it is.
pub fn years_of_runs(out_dir: &Path) -> Vec<FinancialYear> {
    let mut years = BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let year = name
                .rsplit_once('-')
                .filter(|(_, q)| q.parse::<Quarter>().is_ok())
                .and_then(|(year, _)| year.parse::<FinancialYear>().ok());
            if let Some(year) = year.filter(|_| entry.path().is_dir()) {
                years.insert(year);
            }
        }
    }
    years.into_iter().collect()
}

/// Verifies the runs of `quarters` found under `out_dir` (every run found when `None`),
/// and that each run's prior ledger is the one its predecessor wrote. A run that cannot be
/// verified is recorded and the others are still verified.
pub fn verify_chain(
    out_dir: &Path,
    cycle_dir: &Path,
    year: FinancialYear,
    quarters: Option<&[Quarter]>,
    progress: &dyn ReadProgress,
) -> ChainVerification {
    let folder = |q: Quarter| out_dir.join(run_folder_name(year, q));
    let wanted: Vec<Quarter> = match quarters {
        Some(qs) => qs.to_vec(),
        None => Quarter::ALL
            .into_iter()
            .filter(|q| folder(*q).is_dir())
            .collect(),
    };
    let mut runs = Vec::new();
    let mut missing_runs = Vec::new();
    let mut could_not_verify = Vec::new();
    let mut manifests: Vec<(Quarter, Manifest)> = Vec::new();
    for &q in &wanted {
        let name = run_folder_name(year, q);
        if !folder(q).is_dir() {
            missing_runs.push(format!("{name} is missing"));
            continue;
        }
        match read_manifest(&folder(q)) {
            Ok(manifest) => manifests.push((q, manifest)),
            Err(VerifyError::NoManifest(_)) => {
                missing_runs.push(format!("{name} has no {MANIFEST_FILE}"));
                continue;
            }
            Err(e) => {
                could_not_verify.push(format!("{name}: {e}"));
                continue;
            }
        }
        match verify_run(&folder(q), cycle_dir, progress) {
            Ok(run) => runs.push(run),
            Err(e) => could_not_verify.push(format!("{name}: {e}")),
        }
    }
    // From the first run found to the last, every quarter must be there and linked.
    if let (Some(first), Some(last)) = (manifests.first(), manifests.last()) {
        for q in Quarter::ALL
            .into_iter()
            .filter(|q| *q > first.0 && *q < last.0)
        {
            let name = run_folder_name(year, q);
            if !wanted.contains(&q) {
                missing_runs.push(format!("{name} is missing"));
            }
        }
    }
    let mut links = Vec::new();
    for pair in manifests.windows(2) {
        let ((before_q, before), (after_q, after)) = (&pair[0], &pair[1]);
        if Quarter::from_number(before_q.number() + 1) != Some(*after_q) {
            continue;
        }
        links.push(link(year, *before_q, before, *after_q, after));
    }
    missing_runs.sort();
    let identical = missing_runs.is_empty()
        && could_not_verify.is_empty()
        && runs.iter().all(|r| r.identical)
        && links.iter().all(|l| l.ok);
    ChainVerification {
        runs,
        links,
        missing_runs,
        could_not_verify,
        identical,
    }
}

fn link(
    year: FinancialYear,
    before_q: Quarter,
    before: &Manifest,
    after_q: Quarter,
    after: &Manifest,
) -> LinkCheck {
    let from = run_folder_name(year, before_q);
    let to = run_folder_name(year, after_q);
    let expected_path = format!("../{from}/{LEDGER_FILE}");
    let written = before
        .outputs
        .iter()
        .find(|o| o.path == LEDGER_FILE)
        .map(|o| o.sha256.as_str());
    let problem = match &after.prior_run {
        None => Some(format!("{to} records no prior run")),
        Some(prior) if prior.path != expected_path => Some(format!(
            "{to} started from {}, not {expected_path}",
            prior.path
        )),
        Some(prior) if Some(prior.sha256.as_str()) != written => Some(format!(
            "{to} started from a ledger whose hash is not the one {from} wrote: {from}'s ledger was changed or run again after {to} was run"
        )),
        Some(_) => None,
    };
    LinkCheck {
        from,
        to,
        ok: problem.is_none(),
        problem,
    }
}
