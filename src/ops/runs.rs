//! Each quarter's run folder built in memory: the payment schedule, the reconciliation,
//! the ledger, a statement per force and the manifest over them, from a quarter worked out
//! by `pay::quarters`.

use rust_xlsxwriter::XlsxError;

use crate::domain::Quarter;
use crate::pay::fingerprint::{FingerprintFile, input_fingerprint};
use crate::pay::folder::{
    LEDGER_FILE, MANIFEST_FILE, PAYMENTS_FILE, RECONCILIATION_FILE, SCHEDULE_FILE, statement_path,
};
use crate::pay::inputs::{CycleInputs, InputFile};
use crate::pay::manifest::{
    FileHash, InputRecord, Manifest, OutputRecord, Tool, escape_path_bytes,
};
use crate::pay::payments::{payment_rows, payments_csv};
use crate::pay::prior::PriorRun;
use crate::pay::quarters::{QuarterRun, next_quarter, reconcile_counted};
use crate::pay::run::{InputUse, InvariantBreach, RunResult};
use crate::write::reconciliation::{ReconciliationFacts, write_reconciliation};
use crate::write::schedule::write_schedule;
use crate::write::statement::write_statement;

/// A quarter's run with the files of its run folder, built and not yet written.
#[derive(Clone, Debug)]
pub struct BuiltRun {
    pub run: QuarterRun,
    pub files: Vec<RunFile>,
}

/// Why a range could not be worked out or its files built. Nothing is written either way.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Invariant(#[from] InvariantBreach),
    #[error("could not build the {quarter} workbooks: {cause}")]
    Workbook {
        quarter: Quarter,
        /// In the message, so not also given as its source (printed once).
        cause: XlsxError,
    },
}

/// One file of a run folder. Its name is its path inside the folder, `/` between names
/// (`statements/kent-2025-26-Q2.xlsx`), as the manifest records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Runs `quarters` in order as [`run_quarters`] does, and builds each quarter's files as soon
/// as it is worked out, on another core, while the next quarter is worked out. Every
/// quarter is worked out (its invariants checked) and every file built before this returns.
pub fn run_and_build(
    inputs: &CycleInputs,
    quarters: &[Quarter],
    prior: Option<PriorRun>,
) -> Result<Vec<BuiltRun>, BuildError> {
    let slots: Vec<std::sync::Mutex<Option<Result<BuiltRun, XlsxError>>>> = quarters
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    let mut breach = None;
    rayon::scope(|scope| {
        let mut prior = prior;
        for (index, &quarter) in quarters.iter().enumerate() {
            let (run, next) = match next_quarter(inputs, quarter, prior.take()) {
                Ok(worked_out) => worked_out,
                Err(e) => {
                    breach = Some(e);
                    return;
                }
            };
            prior = Some(next);
            let slot = &slots[index];
            scope.spawn(move |_| {
                let built = run_files(inputs, &run).map(|files| BuiltRun { run, files });
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(built);
                }
            });
        }
    });
    if let Some(breach) = breach {
        return Err(breach.into());
    }
    quarters
        .iter()
        .zip(slots)
        .map(|(&quarter, slot)| {
            let built = slot
                .into_inner()
                .ok()
                .flatten()
                .ok_or_else(|| BuildError::Workbook {
                    quarter,
                    cause: XlsxError::ParameterError("the workbooks were not built".into()),
                })?;
            built.map_err(|source| BuildError::Workbook {
                quarter,
                cause: source,
            })
        })
        .collect()
}

/// The manifest's `inputs`: every input of [`all_inputs`] but `cycle.toml`, which the
/// manifest records as `cycle_config`.
pub fn input_records(every_input: &[InputUse]) -> Vec<InputRecord> {
    every_input
        .iter()
        .skip(1)
        .map(|i| InputRecord {
            path: i.path.clone(),
            path_bytes: i.exact.as_deref().map(escape_path_bytes),
            sha256: i.sha256.clone(),
            bytes: i.bytes,
            used: i.used,
            reason: i.reason.clone(),
        })
        .collect()
}

/// Every input of the run: the cycle's own files, used, then each return and its fate.
pub fn all_inputs(inputs: &CycleInputs, run: &RunResult) -> Vec<InputUse> {
    let cycle_file = |file: &InputFile| InputUse {
        path: file.path.clone(),
        exact: None,
        what: match file.path.as_str() {
            "cycle.toml" => "Cycle configuration (the rules in force)",
            "forces.csv" => "Force list",
            "allocations.xlsx" => "Allocations",
            _ => "Cycle file",
        }
        .to_owned(),
        force: None,
        submitted_on: None,
        sha256: file.sha256.clone(),
        bytes: file.bytes,
        used: true,
        reason: None,
    };
    let mut all: Vec<InputUse> = std::iter::once(&inputs.config_file)
        .chain(&inputs.cycle_files)
        .map(cycle_file)
        .collect();
    all.extend(run.inputs.iter().cloned());
    all
}

/// The run's input fingerprint over every input the manifest lists (`cycle.toml` included).
pub fn fingerprint_of(rules_version: &str, run: &QuarterRun, every_input: &[InputUse]) -> String {
    let files: Vec<FingerprintFile> = every_input
        .iter()
        .map(|i| FingerprintFile {
            path: i.exact.as_deref().unwrap_or(i.path.as_bytes()),
            sha256: &i.sha256,
        })
        .collect();
    input_fingerprint(
        rules_version,
        run.prior.as_ref().map(|p| p.sha256.as_str()),
        &files,
    )
}

/// One statement per force of the run, sorted by path (the forces are in id order, but a
/// path sorts by its bytes), each with that force's exceptions. Built one after another,
/// beside the schedule and the reconciliation: the quarters of a range are already built in
/// parallel, and building the statements in parallel as well measured no faster on two
/// cores (building a Q1-Q4 run's files, alternating the two builds six times each: 0.9 to
/// 1.6 s with either, within the noise).
pub fn statement_files(
    inputs: &CycleInputs,
    result: &RunResult,
    fingerprint: &str,
) -> Result<Vec<RunFile>, XlsxError> {
    let config = &inputs.config;
    let mut files = result
        .forces
        .iter()
        .map(|force| {
            let exceptions: Vec<_> = result
                .exceptions
                .iter()
                .filter(|e| e.force.as_ref() == Some(&force.force))
                .collect();
            Ok(RunFile {
                name: statement_path(&force.force, config.year, result.quarter),
                bytes: write_statement(force, &exceptions, config, result.quarter, fingerprint)?,
            })
        })
        .collect::<Result<Vec<_>, XlsxError>>()?;
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// The files of one quarter's run folder, the manifest last (it fingerprints the others).
pub fn run_files(inputs: &CycleInputs, run: &QuarterRun) -> Result<Vec<RunFile>, XlsxError> {
    let config = &inputs.config;
    let result = &run.result;
    let quarter_config = config.quarter(result.quarter);
    let every_input = all_inputs(inputs, result);
    let fingerprint = fingerprint_of(config.rules_version.as_str(), run, &every_input);
    // The workbooks are independent: each is built on whichever core is free.
    let ((schedule, statements), reconciliation) = rayon::join(
        || {
            rayon::join(
                || {
                    write_schedule(
                        result,
                        config,
                        &every_input,
                        &fingerprint,
                        run.prior.as_ref().map(|p| &p.ledger),
                    )
                },
                || statement_files(inputs, result, &fingerprint),
            )
        },
        || {
            let reconciled = reconcile_counted(
                inputs,
                &result.counted,
                result.quarter.end_month(config.year),
            );
            write_reconciliation(
                &reconciled.reconciliation,
                &inputs.forces,
                &ReconciliationFacts {
                    scheme: &config.scheme,
                    rules_version: &config.rules_version,
                    cutoff: quarter_config.cutoff,
                    as_at: quarter_config.payment_date,
                    reported_to: &reconciled.reported_to,
                    fingerprint: Some(&fingerprint),
                },
            )
        },
    );
    let (schedule, reconciliation) = (schedule?, reconciliation?);
    let ledger = result.ledger.to_csv().into_bytes();
    let payments = payments_csv(&payment_rows(
        &result.ledger,
        &inputs.forces,
        config.year,
        result.quarter,
        quarter_config.payment_date,
    ))
    .map_err(|e| XlsxError::ParameterError(format!("could not write {PAYMENTS_FILE}: {e}")))?;
    let mut files = vec![
        RunFile {
            name: SCHEDULE_FILE.to_owned(),
            bytes: schedule,
        },
        RunFile {
            name: RECONCILIATION_FILE.to_owned(),
            bytes: reconciliation,
        },
        RunFile {
            name: LEDGER_FILE.to_owned(),
            bytes: ledger,
        },
        RunFile {
            name: PAYMENTS_FILE.to_owned(),
            bytes: payments,
        },
    ];
    files.extend(statements?);
    let manifest = Manifest {
        tool: Tool::this(),
        rules_version: config.rules_version.clone(),
        quarter: result.quarter.to_string(),
        cycle_config: FileHash {
            path: inputs.config_file.path.clone(),
            sha256: inputs.config_file.sha256.clone(),
        },
        inputs: input_records(&every_input),
        prior_run: run.prior.as_ref().map(|p| FileHash {
            path: p.path.clone(),
            sha256: p.sha256.clone(),
        }),
        input_fingerprint: Some(fingerprint),
        outputs: files
            .iter()
            .map(|f| OutputRecord::of(&f.name, &f.bytes))
            .collect(),
    };
    files.push(RunFile {
        name: MANIFEST_FILE.to_owned(),
        bytes: manifest.to_json().into_bytes(),
    });
    Ok(files)
}
