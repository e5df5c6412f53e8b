//! `npg pay`: the quarterly payment run over a cycle folder, one quarter or a range.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use npg::domain::{FinancialYear, Money, Quarter};
use npg::pay::inputs::{CycleInputError, CycleInputs, load_cycle};
use npg::pay::prior::{RUN_FILES, read_prior_run, run_folder_name};
use npg::pay::quarters::{BuildError, QuarterRun, quarter_range, run_and_build};
use npg::pay::replace::{check_not_cycle, check_run_folder_replaceable};
use npg::rules::payment::Status;
use npg::write::lock::lock_folder_creating;
use npg::write::run_folder::{FolderFile, commit_folders, prepare_target, stage_folder};
use npg::write::schedule::Totals;
use rayon::prelude::*;
use tracing::info;

use super::progress::ReadingBar;
use crate::cli::PayArgs;

pub fn run(args: PayArgs) -> anyhow::Result<ExitCode> {
    let (first, last) = parse_quarters(&args.quarter)?;
    refuse_out_inside_cycle(&args.out, &args.cycle)?;
    if std::fs::symlink_metadata(&args.out).is_ok() && !args.out.is_dir() {
        bail!(
            "--out {} is a file, not a folder; give the folder the runs go into",
            args.out.display()
        );
    }
    // One run at a time per output folder, held from the start: a second refuses at once,
    // naming the first.
    let lock = lock_folder_creating(&args.out)?;
    let started = std::time::Instant::now();
    let inputs = match load_cycle(&args.cycle, &ReadingBar::new()) {
        Ok(inputs) => inputs,
        Err(err) => return cycle_error(err),
    };
    info!(
        returns = inputs.returns.len(),
        forces = inputs.allocations.len(),
        seconds = started.elapsed().as_secs_f64(),
        "read the cycle folder"
    );
    let year = inputs.config.year;
    let quarters = quarter_range(first, last);

    // Refuse before any work when a run folder is in the way.
    check_targets(&args, year, &quarters)?;
    let prior = match read_prior_run(&args.out, year, first) {
        Ok(prior) => prior,
        Err(err) if err.is_io() => return Err(err.into()),
        Err(err) => {
            tell!("npg: {err}");
            tell!("npg: nothing was written");
            return Ok(ExitCode::from(1));
        }
    };
    match &prior {
        Some(p) => {
            info!(ledger = %p.path, sha256 = %p.sha256, "starting from the previous run's ledger")
        }
        None => info!("starting from nothing paid (Q1)"),
    }
    let started = std::time::Instant::now();
    let built = run_and_build(&inputs, &quarters, prior).map_err(|e| match e {
        BuildError::Invariant(breach) => anyhow::anyhow!("{breach}; nothing was written"),
        other => anyhow::anyhow!("{other}; nothing was written"),
    })?;
    for b in &built {
        info!(
            quarter = %b.run.result.quarter,
            exceptions = b.run.result.exceptions.len(),
            "worked out the quarter; the national invariants hold"
        );
    }
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "worked out every quarter and built its files"
    );
    let started = std::time::Instant::now();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    // Checked again now that the folder is locked: nothing may have come in the way since.
    check_targets(&args, year, &quarters)?;
    // Every quarter's folder is staged in full, then all are put in place together: a
    // range lands whole, or leaves the runs that were there before.
    // Folders are written (and synced) side by side, then put in place together.
    let staged = built
        .par_iter()
        .map(|b| {
            let target = args.out.join(run_folder_name(year, b.run.result.quarter));
            let folder_files: Vec<FolderFile> = b
                .files
                .iter()
                .map(|f| FolderFile {
                    name: f.name,
                    bytes: &f.bytes,
                })
                .collect();
            stage_folder(&target, &folder_files)
        })
        .collect::<Result<Vec<_>, _>>()?;
    for kept in commit_folders(staged, args.overwrite)? {
        tell!(
            "npg: a run folder replaced held files the run did not write, added while it was writing; it is kept whole at {}",
            kept.display()
        );
    }
    drop(lock);
    info!(
        seconds = started.elapsed().as_secs_f64(),
        "wrote and synced every run folder"
    );
    for b in &built {
        let target = args.out.join(run_folder_name(year, b.run.result.quarter));
        info!(folder = %target.display(), "wrote the run folder");
        print_summary(&inputs, &b.run, &target);
    }
    Ok(ExitCode::SUCCESS)
}

/// Every run folder the run will write: a swap interrupted there before is completed or
/// undone first (so that what is in the way is what is really there); a folder that is or
/// holds the cycle is refused; one in the way is replaced only with `--overwrite`, and only
/// when it is a run folder npg wrote, still as it wrote it (see `pay::replace`).
fn check_targets(args: &PayArgs, year: FinancialYear, quarters: &[Quarter]) -> anyhow::Result<()> {
    for &q in quarters {
        let target = args.out.join(run_folder_name(year, q));
        check_not_cycle(&target, &args.cycle)?;
        if args.out.is_dir() {
            prepare_target(&target, &RUN_FILES)?;
        }
        if std::fs::symlink_metadata(&target).is_ok() {
            if !args.overwrite {
                bail!(
                    "{} already exists; give --overwrite to replace it (it is swapped in whole)",
                    target.display()
                );
            }
            check_run_folder_replaceable(&target, &args.cycle)?;
        }
    }
    Ok(())
}

/// Outputs never go inside the cycle folder: the run would write where it reads, and the
/// next run would read its own outputs as returns.
pub fn refuse_out_inside_cycle(out: &Path, cycle: &Path) -> anyhow::Result<()> {
    if is_inside(out, cycle)? {
        bail!(
            "--out {} is inside the cycle folder {}; write the runs elsewhere (the default is ./runs), since the cycle folder is only ever read",
            out.display(),
            cycle.display()
        );
    }
    Ok(())
}

/// True when `path` (which may not exist yet) is `folder` or lies inside it, links
/// resolved. A folder that does not exist holds nothing.
pub fn is_inside(path: &Path, folder: &Path) -> anyhow::Result<bool> {
    let Ok(folder_real) = folder.canonicalize() else {
        return Ok(false);
    };
    let out = path;
    // `out` may not exist yet: resolve its nearest existing ancestor, then add the rest.
    let mut existing = out.to_path_buf();
    let mut rest = Vec::new();
    while !existing.as_os_str().is_empty() && !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let base = if existing.as_os_str().is_empty() {
        std::env::current_dir().context("cannot tell the current folder")?
    } else {
        existing
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", existing.display()))?
    };
    let out_real = rest.iter().rev().fold(base, |path, name| path.join(name));
    Ok(out_real.starts_with(&folder_real))
}

/// `Q2` or `Q1-Q4`.
pub fn parse_quarters(text: &str) -> anyhow::Result<(Quarter, Quarter)> {
    let quarter = |part: &str| {
        part.trim().parse::<Quarter>().map_err(|_| {
            anyhow::anyhow!(
                "--quarter {text:?} is not a quarter or range: use Q1..Q4, or a range such as Q1-Q4"
            )
        })
    };
    let (first, last) = match text.split_once('-') {
        Some((a, b)) => (quarter(a)?, quarter(b)?),
        None => (quarter(text)?, quarter(text)?),
    };
    if last < first {
        bail!("--quarter {text:?} runs backwards: give the earlier quarter first, such as Q1-Q4");
    }
    Ok((first, last))
}

/// A cycle that cannot be run: its own files in error (exit 1), or no run possible (exit 2).
pub fn cycle_error(err: CycleInputError) -> anyhow::Result<ExitCode> {
    if !err.is_input_error() {
        return Err(err.into());
    }
    for finding in err.findings() {
        say!("{finding}");
    }
    tell!("npg: {err}");
    tell!("npg: nothing was written");
    Ok(ExitCode::from(1))
}

fn print_summary(inputs: &CycleInputs, run: &QuarterRun, folder: &Path) {
    let result = &run.result;
    let lines: Vec<_> = result.forces.iter().map(|f| &f.line).collect();
    let totals = Totals::of(&lines, result.quarter);
    let counts: Vec<String> = Status::ALL
        .into_iter()
        .map(|s| (s, lines.iter().filter(|l| l.status == s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    say!(
        "{} {}: {} forces ({}); payable {}, recoveries {}, withheld {}; paid to date {} of {}; {} exceptions",
        inputs.config.year,
        result.quarter,
        lines.len(),
        counts.join(", "),
        totals.payable.to_gbp(),
        (Money::ZERO - totals.recoveries).to_gbp(),
        totals.withheld.to_gbp(),
        totals.paid_after.to_gbp(),
        inputs.config.pot.to_gbp(),
        result.exceptions.len(),
    );
    say!("  wrote {}", folder.display());
}
