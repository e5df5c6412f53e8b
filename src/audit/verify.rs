//! `npg audit verify`: proves a past run follows from its inputs. The manifest names the
//! run's input set; each input is checked against the cycle folder, files added since are
//! listed, the quarter is re-run on exactly the manifest's inputs with the same prior ledger,
//! and every output is compared with what the run folder holds, cell by cell where it differs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::cycle::config::CONFIG_FILE;
use crate::cycle::load::{SourceFile, all_files_under, sha256_hex};
use crate::cycle::{ALLOCATIONS_FILE, FORCES_FILE, RETURNS_DIR};
use crate::domain::{FinancialYear, Quarter};
use crate::pay::inputs::{
    CycleInputError, ReadProgress, ReturnSet, load_cycle_with, load_returns_in_parallel,
};
use crate::pay::ledger::{Ledger, LedgerError};
use crate::pay::manifest::{Manifest, ManifestError, Tool};
use crate::pay::prior::{LEDGER_FILE, MANIFEST_FILE, PriorRun, run_folder_name};
use crate::pay::quarters::{run_files, run_quarters};
use crate::pay::run::InvariantBreach;

use super::diff::{CellChange, LedgerChange, WorkbookDiff, ledger_changes, workbook_changes};

/// A file in the cycle folder now that the run did not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddedFile {
    pub path: String,
    /// Its declared submission date, when it can be read.
    pub submitted_on: Option<String>,
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
    /// For a workbook that differs from the re-run: the cells, run folder → re-run.
    pub cells: Vec<CellChange>,
    /// For a ledger that differs: the fields, run folder → re-run.
    pub ledger: Vec<LedgerChange>,
    /// For a manifest that differs: what differs, in words.
    pub notes: Vec<String>,
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
    Cycle(#[from] CycleInputError),
    #[error(
        "cannot re-run: the prior ledger {path} the run started from is not there; keep the run folders of a year side by side"
    )]
    PriorMissing { path: PathBuf },
    #[error("cannot re-run: {0}")]
    Invariant(#[from] InvariantBreach),
    #[error("cannot re-run: the workbooks could not be built: {0}")]
    Build(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> VerifyError + '_ {
    move |source| VerifyError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The manifest of a run folder.
pub fn read_manifest(run_dir: &Path) -> Result<Manifest, VerifyError> {
    let path = run_dir.join(MANIFEST_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyError::NoManifest(run_dir.to_owned()));
        }
        Err(source) => return Err(VerifyError::Io { path, source }),
    };
    Ok(Manifest::parse(&text, &path.display().to_string())?)
}

/// The SHA-256 of a file in the cycle folder, `None` when it is not there.
fn hash_of(dir: &Path, rel: &str) -> Result<Option<String>, VerifyError> {
    let path = dir.join(rel);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(sha256_hex(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(VerifyError::Io { path, source }),
    }
}

/// Every file the run would read from the cycle folder now, by path inside it.
fn files_now(cycle_dir: &Path) -> Result<Vec<SourceFile>, VerifyError> {
    let mut found: Vec<SourceFile> = [CONFIG_FILE, FORCES_FILE, ALLOCATIONS_FILE]
        .iter()
        .filter(|name| cycle_dir.join(name).is_file())
        .map(|name| SourceFile {
            path: cycle_dir.join(name),
            shown: (*name).to_owned(),
        })
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
    let recorded: Vec<(&str, &str)> = std::iter::once((
        manifest.cycle_config.path.as_str(),
        manifest.cycle_config.sha256.as_str(),
    ))
    .chain(
        manifest
            .inputs
            .iter()
            .map(|i| (i.path.as_str(), i.sha256.as_str())),
    )
    .collect();
    for (path, sha256) in &recorded {
        match hash_of(cycle_dir, path)? {
            None => missing.push((*path).to_owned()),
            Some(found) if found != *sha256 => changed.push((*path).to_owned()),
            Some(_) => {}
        }
    }

    // 2. The re-run, on exactly the manifest's returns and with the prior ledger it used.
    let wanted: BTreeSet<String> = manifest
        .inputs
        .iter()
        .filter(|i| i.path.starts_with(&format!("{RETURNS_DIR}/")))
        .map(|i| i.path.clone())
        .collect();
    let inputs = load_cycle_with(cycle_dir, ReturnSet::Only(&wanted), progress)?;
    let year = inputs.config.year;
    let (prior, prior_check, not_rerun) = match prior_of(run_dir, &manifest, year, quarter)? {
        PriorState::None => (None, None, None),
        PriorState::Read(prior, check) => (Some(prior), Some(check), None),
        // A damaged prior ledger cannot be re-run from; it differs from the recorded one
        // (or the run itself started from a damaged ledger), so the verify fails.
        PriorState::Damaged(check, error) => (
            None,
            Some(check),
            Some(format!("the prior ledger cannot be read: {error}")),
        ),
    };

    // 3. Files added since the run: those that would have counted fail the verify.
    let listed: BTreeSet<&str> = recorded.iter().map(|(p, _)| *p).collect();
    let added: Vec<SourceFile> = files_now(cycle_dir)?
        .into_iter()
        .filter(|f| !listed.contains(f.shown.as_str()))
        .collect();
    let cutoff = inputs.config.quarter(quarter).cutoff;
    let mut added_would_count = Vec::new();
    let mut added_later = Vec::new();
    let added_returns: Vec<SourceFile> = added
        .iter()
        .filter(|f| f.shown.starts_with(&format!("{RETURNS_DIR}/")))
        .cloned()
        .collect();
    for file in &added {
        if !added_returns.contains(file) {
            // A cycle-level file the manifest did not list: it would have been read.
            added_would_count.push(AddedFile {
                path: file.shown.clone(),
                submitted_on: None,
            });
        }
    }
    let read = load_returns_in_parallel(
        &added_returns,
        &inputs.config,
        &inputs.forces,
        &inputs.allocations,
        &crate::pay::inputs::Quiet,
    )?;
    for file in read {
        let date = file.read.key.submitted_on;
        let entry = AddedFile {
            path: file.shown.clone(),
            submitted_on: date.map(|d| d.to_string()),
        };
        match date {
            Some(d) if d > cutoff => added_later.push(entry),
            _ => added_would_count.push(entry),
        }
    }

    let mut outputs = Vec::new();
    if not_rerun.is_none() {
        for run in &run_quarters(&inputs, &[quarter], prior)? {
            for file in run_files(&inputs, run)? {
                outputs.push(compare_output(run_dir, &manifest, file.name, &file.bytes)?);
            }
        }
    }
    let identical = not_rerun.is_none()
        && missing.is_empty()
        && changed.is_empty()
        && added_would_count.is_empty()
        && prior_check.as_ref().is_none_or(|p| p.matches)
        && outputs.iter().all(OutputCheck::is_identical);
    Ok(RunVerification {
        run: run_dir.display().to_string(),
        quarter: manifest.quarter.clone(),
        written_by: format!("{} {}", manifest.tool.name, manifest.tool.version),
        verified_by: format!("{} {}", this.name, this.version),
        same_program: manifest.tool == this,
        rules_version: manifest.rules_version.clone(),
        inputs_checked: recorded.len(),
        missing,
        changed,
        added_would_count,
        added_later,
        prior: prior_check,
        not_rerun,
        outputs,
        identical,
    })
}

/// The prior ledger as found beside the run folder.
enum PriorState {
    /// Q1: no prior ledger.
    None,
    Read(PriorRun, PriorCheck),
    Damaged(PriorCheck, LedgerError),
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
    let path = run_dir.join(&recorded.path);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyError::PriorMissing { path });
        }
        Err(source) => return Err(VerifyError::Io { path, source }),
    };
    let found = sha256_hex(text.as_bytes());
    let check = PriorCheck {
        path: recorded.path.clone(),
        recorded_sha256: recorded.sha256.clone(),
        matches: found == recorded.sha256,
        found_sha256: Some(found),
    };
    Ok(match Ledger::parse(&text, &recorded.path) {
        Ok(ledger) => PriorState::Read(PriorRun::from_ledger(year, previous, ledger, &text), check),
        Err(error) => PriorState::Damaged(check, error),
    })
}

/// One output: the run folder's file against its manifest hash and against the re-run.
fn compare_output(
    run_dir: &Path,
    manifest: &Manifest,
    name: &str,
    rerun: &[u8],
) -> Result<OutputCheck, VerifyError> {
    let path = run_dir.join(name);
    let held = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(VerifyError::Io { path, source }),
    };
    let Some(held) = held else {
        return Ok(OutputCheck {
            path: name.to_owned(),
            present: false,
            matches_manifest: false,
            matches_rerun: false,
            cells: Vec::new(),
            ledger: Vec::new(),
            notes: vec!["not in the run folder".to_owned()],
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
        cells: Vec::new(),
        ledger: Vec::new(),
        notes: Vec::new(),
    };
    if matches_rerun {
        return Ok(check);
    }
    if name.ends_with(".xlsx") {
        match workbook_changes(&held, rerun) {
            WorkbookDiff::Cells(cells) if cells.is_empty() => check.notes.push(
                "every cell reads the same; the difference is in formatting or the file's structure"
                    .to_owned(),
            ),
            WorkbookDiff::Cells(cells) => check.cells = cells,
            WorkbookDiff::Unreadable { side } => check
                .notes
                .push(format!("the {side} copy cannot be read as a workbook")),
        }
    } else if name == LEDGER_FILE {
        check.ledger = ledger_changes(
            &String::from_utf8_lossy(&held),
            &String::from_utf8_lossy(rerun),
        );
    } else if name == MANIFEST_FILE {
        check.notes = manifest_differences(&held, rerun);
    }
    Ok(check)
}

/// What differs between two manifests, key by key, input by input.
fn manifest_differences(held: &[u8], rerun: &[u8]) -> Vec<String> {
    let parse = |bytes: &[u8]| Manifest::parse(&String::from_utf8_lossy(bytes), MANIFEST_FILE);
    let (Ok(was), Ok(now)) = (parse(held), parse(rerun)) else {
        return vec!["the run folder's manifest cannot be read".to_owned()];
    };
    let mut notes = Vec::new();
    if was.tool != now.tool {
        notes.push(format!(
            "tool: {} {} → {} {}",
            was.tool.name, was.tool.version, now.tool.name, now.tool.version
        ));
    }
    if was.rules_version != now.rules_version {
        notes.push(format!(
            "rules_version: {} → {}",
            was.rules_version, now.rules_version
        ));
    }
    if was.cycle_config != now.cycle_config {
        notes.push("cycle_config: cycle.toml differs".to_owned());
    }
    let paths: BTreeSet<&str> = was
        .inputs
        .iter()
        .chain(&now.inputs)
        .map(|i| i.path.as_str())
        .collect();
    for path in paths {
        let a = was.inputs.iter().find(|i| i.path == path);
        let b = now.inputs.iter().find(|i| i.path == path);
        if a != b {
            let describe = |i: Option<&crate::pay::manifest::InputRecord>| match i {
                None => "not listed".to_owned(),
                Some(i) if i.used => {
                    format!("used, sha256 {}…", &i.sha256[..12.min(i.sha256.len())])
                }
                Some(i) => format!(
                    "not used ({}), sha256 {}…",
                    i.reason.as_deref().unwrap_or("no reason"),
                    &i.sha256[..12.min(i.sha256.len())]
                ),
            };
            notes.push(format!("input {path}: {} → {}", describe(a), describe(b)));
        }
    }
    if was.prior_run != now.prior_run {
        notes.push("prior_run: the prior ledger differs".to_owned());
    }
    if was.outputs != now.outputs {
        for (a, b) in was.outputs.iter().zip(&now.outputs) {
            if a != b {
                notes.push(format!("output {}: its hash differs", a.path));
            }
        }
    }
    notes
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
    /// Run folders of the requested range that are not there.
    pub missing_runs: Vec<String>,
    pub identical: bool,
}

/// Verifies the runs of `quarters` found under `out_dir` (every run found when `None`),
/// and that each run's prior ledger is the one its predecessor wrote.
pub fn verify_chain(
    out_dir: &Path,
    cycle_dir: &Path,
    year: FinancialYear,
    quarters: Option<&[Quarter]>,
    progress: &dyn ReadProgress,
) -> Result<ChainVerification, VerifyError> {
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
    let mut manifests: Vec<(Quarter, Manifest)> = Vec::new();
    for &q in &wanted {
        if !folder(q).join(MANIFEST_FILE).is_file() {
            missing_runs.push(run_folder_name(year, q));
            continue;
        }
        runs.push(verify_run(&folder(q), cycle_dir, progress)?);
        manifests.push((q, read_manifest(&folder(q))?));
    }
    // From the first run found to the last, every quarter must be there and linked.
    if let (Some(first), Some(last)) = (manifests.first(), manifests.last()) {
        for q in Quarter::ALL
            .into_iter()
            .filter(|q| *q > first.0 && *q < last.0)
        {
            let name = run_folder_name(year, q);
            if !manifests.iter().any(|(m, _)| *m == q) && !missing_runs.contains(&name) {
                missing_runs.push(name);
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
    let identical =
        missing_runs.is_empty() && runs.iter().all(|r| r.identical) && links.iter().all(|l| l.ok);
    Ok(ChainVerification {
        runs,
        links,
        missing_runs,
        identical,
    })
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
