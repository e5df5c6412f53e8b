//! `npg allocate`: splits the pot into force allocations by weight, to the pound or penny (rules §4).

use npg::exit::Exit;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use npg::cycle::FORCES_FILE;
use npg::cycle::config::{CONFIG_FILE, CycleConfig};
use npg::domain::{FinancialYear, Money};
use npg::findings::{Finding, sort_for_report};

use npg::read::file::{FileKind, kind_of};
use npg::read::open::read_workbook;
use npg::read::tables::read_weights;
use npg::rules::allocate::{AllocateError, Allocation, AllocationUnit, allocate};
use npg::write::allocations::write_allocations;
use npg::write::output::{OwnFile, check_replaceable, write_file_atomically};

use crate::cli::AllocateArgs;

/// The year stamped on an allocation made outside a cycle folder (no `cycle.toml` beside the
/// force list): the grant's own year, so the output is still byte-stable.
const DEFAULT_YEAR: i32 = 2025;

pub fn run(args: AllocateArgs) -> anyhow::Result<Exit> {
    // Every flag is checked before any file is read, so a usage mistake costs nothing.
    let unit = AllocationUnit::from(args.unit);
    let pot = check_pot(args.pot, unit)?;
    if !args.overwrite && std::fs::symlink_metadata(&args.output).is_ok() {
        bail!(
            "{} already exists; give --overwrite to replace it",
            args.output.display()
        );
    }
    if args.overwrite {
        check_replaceable(&args.output, OwnFile::Allocations)?;
    }
    match kind_of(&args.weights)? {
        FileKind::Regular(_) => {}
        FileKind::Missing => bail!(
            "the weights workbook {} does not exist",
            args.weights.display()
        ),
        FileKind::Folder => bail!(
            "the weights workbook {} is a folder",
            args.weights.display()
        ),
        FileKind::Other(what) => bail!(
            "the weights workbook {} is {what}, not a file; give the workbook itself",
            args.weights.display()
        ),
    }
    let cycle_dir = cycle_folder(&args)?;
    let forces_path = cycle_dir.join(FORCES_FILE);
    let forces = npg::cycle::load_forces(&forces_path, &forces_path.display().to_string())?;
    let year = cycle_year(&cycle_dir)?;

    let shown = args.weights.display().to_string();
    let data = match read_workbook(&args.weights, &shown) {
        Ok(data) => data,
        Err(finding) => return Ok(report(vec![finding])),
    };
    let (weights, findings) = read_weights(&shown, &data, &forces);
    if findings.iter().any(Finding::is_error) {
        return Ok(report(findings));
    }
    let allocation = allocate(pot, unit, &weights).map_err(|e| match e {
        // The reader has already refused these; reaching here would be a defect.
        AllocateError::NoWeights | AllocateError::AllZero | AllocateError::DuplicateForce(_) => {
            anyhow::anyhow!("internal error: weights passed the reader but not allocate: {e}")
        }
        other => anyhow::anyhow!(other),
    })?;
    let bytes = write_allocations(&allocation, &forces, year)
        .context("could not build the allocations workbook")?;
    write_file_atomically(&args.output, &bytes, args.overwrite, OwnFile::Allocations)?;
    print_summary(&allocation, &args.output);
    Ok(Exit::Clean)
}

/// The pot (already an exact amount above zero, at most 2 decimal places) must be a whole
/// number of units. Anything else is a usage mistake (exit 2), never rounded away.
fn check_pot(pot: Money, unit: AllocationUnit) -> anyhow::Result<Money> {
    if pot.to_pence() % unit.amount().to_pence() != 0 {
        bail!(
            "--pot {pot} is not a whole number of {unit}s; give a pot in whole {unit}s or use --unit penny"
        );
    }
    Ok(pot)
}

/// The folder whose `forces.csv` the weights are checked against: `--cycle`, or else the
/// folder holding the weights workbook.
fn cycle_folder(args: &AllocateArgs) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &args.cycle {
        if let FileKind::Other(what) = kind_of(&dir.join(FORCES_FILE))? {
            bail!(
                "{} is {what}, not a file; the force list must be a CSV file",
                dir.join(FORCES_FILE).display()
            );
        }
        if !dir.join(FORCES_FILE).is_file() {
            bail!(
                "the cycle folder {} has no {FORCES_FILE}; give a folder holding the force list",
                dir.display()
            );
        }
        return Ok(dir.clone());
    }
    let beside = match args.weights.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    if let FileKind::Other(what) = kind_of(&beside.join(FORCES_FILE))? {
        bail!(
            "{} is {what}, not a file; the force list must be a CSV file",
            beside.join(FORCES_FILE).display()
        );
    }
    if !beside.join(FORCES_FILE).is_file() {
        bail!(
            "no force list to check the weights against: {} has no {FORCES_FILE}; give --cycle DIR",
            beside.display()
        );
    }
    Ok(beside)
}

/// The financial year from the folder's `cycle.toml` when it has one (its creation date is
/// stamped on the output), else the grant's year.
fn cycle_year(dir: &Path) -> anyhow::Result<FinancialYear> {
    let path = dir.join(CONFIG_FILE);
    if !path.is_file() {
        return Ok(FinancialYear::starting(DEFAULT_YEAR));
    }
    Ok(CycleConfig::load(&path, &path.display().to_string())?.year)
}

/// Prints the findings, one a line in report order, and gives exit code 1.
fn report(mut findings: Vec<Finding>) -> Exit {
    sort_for_report(&mut findings);
    for finding in &findings {
        say!("{finding}");
    }
    let errors = findings.iter().filter(|f| f.is_error()).count();
    tell!("npg: the weights have {errors} error(s); no allocations were written");
    Exit::Findings
}

fn print_summary(allocation: &Allocation, output: &Path) {
    say!("pot              {}", allocation.pot.to_gbp());
    say!("total allocated  {}", allocation.total().to_gbp());
    say!("difference       {}", allocation.difference().to_gbp());
    say!(
        "unit             {} ({})",
        allocation.unit,
        allocation.unit.amount().to_gbp()
    );
    say!("forces           {}", allocation.lines.len());
    say!("wrote {}", output.display());
}
