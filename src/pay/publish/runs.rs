//! The payment runs a site is published from: each quarter's run folder checked against its
//! manifest, the inputs it names against the cycle folder, and the quarter re-run on exactly
//! those inputs, to give the reasons and the reconciliation behind its `ledger.csv`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::cycle::RETURNS_DIR;
use crate::cycle::load::{sha256_hex, sha256_in_cycle};
use crate::domain::{FinancialYear, Quarter};
use crate::pay::folder::{LEDGER_FILE, MANIFEST_FILE, run_folder_name};
use crate::pay::inputs::{CycleInputError, CycleInputs, ReadProgress, ReturnSet, load_cycle_with};
use crate::pay::ledger::{Ledger, LedgerError};
use crate::pay::manifest::{InputRecord, Manifest, ManifestError, Tool};
use crate::pay::quarters::reconcile_counted_with;
use crate::pay::run::{InvariantBreach, RunInputs, RunResult, run_quarter};
use crate::read::file::{FileReadError, MAX_LEDGER_BYTES, MAX_MANIFEST_BYTES, read_limited};
use crate::rules::reconcile::Reconciliation;

/// One quarter's payment run, as its folder holds it and as its inputs re-run it.
#[derive(Debug)]
pub struct PublishedRun {
    pub quarter: Quarter,
    /// The run folder's name, `2025-26-Q2`.
    pub folder: String,
    pub manifest: Manifest,
    /// The SHA-256 of the folder's `manifest.json`.
    pub manifest_sha256: String,
    /// `ledger.csv` as the folder holds it: every figure the site shows of money.
    pub ledger: Ledger,
    /// The quarter re-run on the manifest's inputs (its ledger is `ledger`, byte for byte):
    /// the reasons of each line and the returns that counted.
    pub result: RunResult,
    /// Delivery against plan, April to the quarter's last month, from the returns that
    /// counted in the run.
    pub reconciliation: Reconciliation,
}

/// Why a site cannot be published from the runs. Nothing is written.
#[derive(Debug, Error)]
pub enum RunsError {
    #[error(
        "{} holds no payment run of {year} (no {year}-Q1 … {year}-Q4 folder); make one with npg pay first",
        .folder.display()
    )]
    NoRuns {
        folder: PathBuf,
        year: FinancialYear,
    },
    #[error(
        "{} has no {quarter} run ({}): the site shows every quarter of the year to {through}, so each quarter's run must be there; make it with npg pay --quarter {quarter} (or the range Q1-{through})",
        .runs.display(), .expected
    )]
    RunMissing {
        runs: PathBuf,
        quarter: Quarter,
        expected: String,
        through: Quarter,
    },
    #[error("{}: cannot read it: {cause}", .path.display())]
    Unreadable { path: PathBuf, cause: String },
    #[error(
        "{} has no {MANIFEST_FILE}, so it is not a run folder npg pay wrote; make the quarter's run with npg pay, or move the folder aside",
        .folder.display()
    )]
    NotARun { folder: PathBuf },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(
        "{folder} is not as npg pay wrote it: {}; publish only from a run folder that matches its manifest (npg audit verify says what changed)",
        crate::text::listed(problems)
    )]
    Altered {
        folder: String,
        problems: Vec<String>,
    },
    #[error("{folder}'s manifest is of {found}, not {expected}")]
    WrongQuarter {
        folder: String,
        found: String,
        expected: Quarter,
    },
    #[error(
        "{folder} names inputs the cycle folder no longer holds as it read them: {}; publish from the cycle the runs were made from",
        crate::text::listed(problems)
    )]
    InputsChanged {
        folder: String,
        problems: Vec<String>,
    },
    #[error(
        "{folder} started from a {previous} ledger that is not the one in {previous_folder}: the runs are not one chain; re-run the year with npg pay"
    )]
    NotAChain {
        folder: String,
        previous: Quarter,
        previous_folder: String,
    },
    #[error(
        "re-running {folder} on the inputs its manifest names does not give its ledger.csv: run npg audit verify on it"
    )]
    RerunDiffers { folder: String },
    #[error(transparent)]
    Cycle(#[from] CycleInputError),
    #[error(transparent)]
    Invariant(#[from] InvariantBreach),
}

impl RunsError {
    /// A run folder or cycle that is wrong (exit 1), as against one that cannot be read or
    /// is not there (exit 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            RunsError::NoRuns { .. } | RunsError::RunMissing { .. } => false,
            RunsError::NotARun { .. } => false,
            RunsError::Unreadable { .. } => false,
            RunsError::Cycle(e) => e.is_input_error(),
            _ => true,
        }
    }
}

/// The runs of a year in `runs`: Q1 to `through`, or to the latest quarter there.
pub struct RunsRead {
    pub inputs: CycleInputs,
    pub runs: Vec<PublishedRun>,
}

fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, RunsError> {
    read_limited(path, limit).map_err(|e| RunsError::Unreadable {
        path: path.to_owned(),
        cause: match e {
            FileReadError::Missing => "it is not there".to_owned(),
            other => other.to_string(),
        },
    })
}

/// The latest quarter with a run folder of `year` in `runs`.
fn latest_quarter(runs: &Path, year: FinancialYear) -> Option<Quarter> {
    Quarter::ALL
        .into_iter()
        .rev()
        .find(|q| runs.join(run_folder_name(year, *q)).is_dir())
}

/// Reads, checks and re-runs the year's runs from Q1 to `through` (or the latest there), of
/// `year` under `rules_version` (cycle.toml's).
pub fn read_runs(
    cycle: &Path,
    runs: &Path,
    through: Option<Quarter>,
    year: FinancialYear,
    rules_version: &str,
    progress: &dyn ReadProgress,
) -> Result<RunsRead, RunsError> {
    let through = match through.or_else(|| latest_quarter(runs, year)) {
        Some(q) => q,
        None => {
            return Err(RunsError::NoRuns {
                folder: runs.to_owned(),
                year,
            });
        }
    };
    let quarters: Vec<Quarter> = Quarter::ALL.into_iter().filter(|q| *q <= through).collect();

    // cycle.toml as it is now, to tell a manifest edited from a cycle.toml changed since.
    let config_now =
        sha256_in_cycle(cycle, crate::cycle::config::CONFIG_FILE.as_bytes()).map_err(|e| {
            RunsError::Unreadable {
                path: cycle.join(crate::cycle::config::CONFIG_FILE),
                cause: e.to_string(),
            }
        })?;

    // 1. Every folder as npg pay wrote it.
    let mut folders = Vec::new();
    for &quarter in &quarters {
        let name = run_folder_name(year, quarter);
        let dir = runs.join(&name);
        if !dir.is_dir() {
            return Err(RunsError::RunMissing {
                runs: runs.to_owned(),
                quarter,
                expected: name,
                through,
            });
        }
        if !dir.join(MANIFEST_FILE).is_file() {
            return Err(RunsError::NotARun { folder: dir });
        }
        let manifest_bytes = read_bytes(&dir.join(MANIFEST_FILE), MAX_MANIFEST_BYTES)?;
        let shown = format!("{name}/{MANIFEST_FILE}");
        let text = String::from_utf8(manifest_bytes.clone()).map_err(|_| ManifestError {
            file: shown.clone(),
            problem: "is not UTF-8 text, so not a manifest npg wrote".to_owned(),
        })?;
        let manifest = Manifest::parse(&text, &shown)?;
        if manifest.quarter != quarter.to_string() {
            return Err(RunsError::WrongQuarter {
                folder: name,
                found: manifest.quarter.clone(),
                expected: quarter,
            });
        }
        let problems: Vec<String> = manifest
            .check_outputs(&dir)
            .iter()
            .map(ToString::to_string)
            .collect();
        if !problems.is_empty() {
            return Err(RunsError::Altered {
                folder: name,
                problems,
            });
        }
        let ledger_bytes = read_bytes(&dir.join(LEDGER_FILE), MAX_LEDGER_BYTES)?;
        let ledger_text = String::from_utf8(ledger_bytes).map_err(|_| RunsError::Altered {
            folder: name.clone(),
            problems: vec![format!("{LEDGER_FILE} is not text")],
        })?;
        let ledger = Ledger::parse(&ledger_text, &format!("{name}/{LEDGER_FILE}"))?;
        // The manifest itself: every file the run writes listed (or one could be changed
        // unseen), and its fingerprint the one its own records give (the site prints it).
        let mut problems = Vec::new();
        // Exactly as npg writes one: a manifest re-saved, re-ordered or edited by hand is
        // not the one the run wrote, whatever it still says.
        if text != manifest.to_json() {
            problems.push(format!(
                "its {MANIFEST_FILE} is not in the form npg writes one (re-saved or edited since)"
            ));
        }
        if manifest.tool.name != Tool::this().name {
            problems.push(format!(
                "its {MANIFEST_FILE} says it was not written by npg (tool {:?})",
                manifest.tool.name
            ));
        }
        // The rules version the site prints is the manifest's: it must be cycle.toml's,
        // where cycle.toml is still the one the run read (if not, that is said below).
        if manifest.cycle_config.sha256 == config_now.as_deref().unwrap_or_default()
            && manifest.rules_version != rules_version
        {
            problems.push(format!(
                "its {MANIFEST_FILE} says rules_version {}, but cycle.toml says {rules_version}",
                manifest.rules_version
            ));
        }
        if !manifest.lists_every_output(year, quarter, ledger.lines.keys()) {
            problems.push(format!(
                "its {MANIFEST_FILE} does not list every file a run writes ({} and a statement for each force of its ledger)",
                crate::pay::folder::OUTPUT_FILES.join(", ")
            ));
        } else if !manifest.outputs_in_order(year, quarter, ledger.lines.keys()) {
            problems.push(format!(
                "its {MANIFEST_FILE} does not list its outputs in the order a run writes them"
            ));
        }
        if let Some(recorded) = &manifest.input_fingerprint
            && *recorded != manifest.recomputed_fingerprint()
        {
            problems.push(format!(
                "its {MANIFEST_FILE}'s input_fingerprint is not the one its own inputs, rules version and prior ledger give"
            ));
        }
        if !problems.is_empty() {
            return Err(RunsError::Altered {
                folder: name,
                problems,
            });
        }
        folders.push((
            quarter,
            name,
            manifest,
            sha256_hex(&manifest_bytes),
            ledger_text,
            ledger,
        ));
    }

    // 2. Every input a run names, as it is on disk now, before the cycle is read: an input
    // changed since is said to be changed, not reported as whatever reading it now finds.
    let mut hashes: std::collections::BTreeMap<Vec<u8>, Option<String>> = Default::default();
    for (_, name, manifest, ..) in &folders {
        let records = manifest.recorded_inputs();
        let mut problems = Vec::new();
        for (key, path, sha256) in records {
            let now = match hashes.get(&key) {
                Some(now) => now.clone(),
                None => {
                    let now = sha256_in_cycle(cycle, &key).map_err(|e| RunsError::Unreadable {
                        path: crate::cycle::load::path_from_key(cycle, &key),
                        cause: e.to_string(),
                    })?;
                    hashes.insert(key, now.clone());
                    now
                }
            };
            match now {
                None => problems.push(format!("{path} is missing")),
                Some(now) if now != sha256 => problems.push(format!("{path} has changed")),
                Some(_) => {}
            }
        }
        if !problems.is_empty() {
            return Err(RunsError::InputsChanged {
                folder: name.clone(),
                problems,
            });
        }
    }

    // 3. The cycle, read once for every run: the returns any of them names.
    let returns_prefix = format!("{RETURNS_DIR}/");
    let wanted: BTreeSet<Vec<u8>> = folders
        .iter()
        .flat_map(|f| f.2.inputs.iter().map(InputRecord::key))
        .filter(|key| key.starts_with(returns_prefix.as_bytes()))
        .collect();
    let inputs = load_cycle_with(cycle, ReturnSet::Only(&wanted), progress)?;

    // 4. Each run re-run on exactly its manifest's inputs, from the ledger before it.
    let mut published: Vec<PublishedRun> = Vec::new();
    let mut previous_text: Option<String> = None;
    for (quarter, name, manifest, manifest_sha256, ledger_text, ledger) in folders {
        check_inputs(&inputs, &manifest, &name)?;
        if let Some(previous) = quarter.previous() {
            let matches = match (&manifest.prior_run, &previous_text) {
                (Some(prior), Some(text)) => prior.sha256 == sha256_hex(text.as_bytes()),
                _ => false,
            };
            if !matches {
                return Err(RunsError::NotAChain {
                    folder: name,
                    previous,
                    previous_folder: run_folder_name(year, previous),
                });
            }
        }
        let keys: BTreeSet<Vec<u8>> = manifest.inputs.iter().map(InputRecord::key).collect();
        let files: Vec<_> = inputs
            .returns
            .iter()
            .filter(|f| keys.contains(&loaded_key(f)))
            .cloned()
            .collect();
        let prior = published.last().map(|p| &p.ledger);
        let result = run_quarter(&RunInputs {
            config: &inputs.config,
            forces: &inputs.forces,
            allocations: &inputs.allocations,
            files: &files,
            quarter,
            prior,
        })?;
        if result.ledger.to_csv() != ledger_text || result.ledger != ledger {
            return Err(RunsError::RerunDiffers { folder: name });
        }
        let reconciliation = reconcile_counted_with(
            &inputs.config,
            &inputs.allocations,
            &result.counted,
            quarter.end_month(year),
        )
        .reconciliation;
        previous_text = Some(ledger_text);
        published.push(PublishedRun {
            quarter,
            folder: name,
            manifest,
            manifest_sha256,
            ledger,
            result,
            reconciliation,
        });
    }
    Ok(RunsRead {
        inputs,
        runs: published,
    })
}

/// The first run folder in `runs` (by name) whose manifest records another `cycle.toml` than
/// the one in `cycle` now, for when the one there now cannot even be read: the change is
/// then said as a change, not reported as whatever reading it finds.
pub fn cycle_config_changed(cycle: &Path, runs: &Path) -> Option<String> {
    let now = sha256_in_cycle(cycle, crate::cycle::config::CONFIG_FILE.as_bytes()).ok()?;
    let mut folders: Vec<_> = std::fs::read_dir(runs)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    folders.into_iter().find(|name| {
        let Ok(bytes) = read_limited(&runs.join(name).join(MANIFEST_FILE), MAX_MANIFEST_BYTES)
        else {
            return false;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            return false;
        };
        Manifest::parse(&text, name)
            .is_ok_and(|m| Some(m.cycle_config.sha256.as_str()) != now.as_deref())
    })
}

fn loaded_key(file: &crate::cycle::load::LoadedFile) -> Vec<u8> {
    file.exact
        .clone()
        .unwrap_or_else(|| file.shown.as_bytes().to_vec())
}

/// Every input a run's manifest names is in the cycle folder with the hash it had.
fn check_inputs(inputs: &CycleInputs, manifest: &Manifest, folder: &str) -> Result<(), RunsError> {
    let mut problems = Vec::new();
    if inputs.config_file.sha256 != manifest.cycle_config.sha256 {
        problems.push(format!("{} has changed", manifest.cycle_config.path));
    }
    for record in &manifest.inputs {
        let key = record.key();
        let found = inputs
            .cycle_files
            .iter()
            .find(|f| f.path.as_bytes() == key.as_slice())
            .map(|f| f.sha256.as_str())
            .or_else(|| {
                inputs
                    .returns
                    .iter()
                    .find(|f| loaded_key(f) == key)
                    .map(|f| f.sha256.as_str())
            });
        match found {
            None => problems.push(format!("{} is missing", record.path)),
            Some(sha) if sha != record.sha256 => {
                problems.push(format!("{} has changed", record.path));
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RunsError::InputsChanged {
            folder: folder.to_owned(),
            problems,
        })
    }
}
