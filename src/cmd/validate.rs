//! `npg validate`: checks returns on their own or against a cycle, printing every finding.

use npg::exit::Exit;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use npg::cycle::Cycle;
use npg::cycle::defaults::{default_config, default_forces};
use npg::cycle::load::{RawFile, SourceFile, files_under, load_raw_returns, read_raw, shown_name};
use npg::domain::{ForceId, Money, Quarter};
use npg::findings::{Finding, Severity, sort_for_report};
use npg::read::grid::WorkbookData;
use npg::read::open::is_spreadsheet_name;
use npg::read::returns::{ReadContext, ReturnRead, about_sheet_name, restated_months};
use npg::read::tables::{read_allocations, read_weights};
use npg::rules::validate::cycle::{dated_after_cutoff, due_quarter};
use rayon::prelude::*;

use crate::cli::{OutputFormat, ValidateArgs};

pub fn run(args: ValidateArgs) -> anyhow::Result<Exit> {
    let targets = collect_targets(&args.files)?;
    let cycle = args.cycle.as_deref().map(Cycle::open).transpose()?;
    let (config, forces) = match &cycle {
        Some(cycle) => (cycle.config.clone(), cycle.forces.clone()),
        None => (
            default_config().context("the built-in configuration is malformed")?,
            default_forces().context("the built-in force list is malformed")?,
        ),
    };

    let mut findings: Vec<Finding> = Vec::new();
    let allocations = match &cycle {
        Some(cycle) => cycle_allocations(cycle, &mut findings),
        None => None,
    };

    // Every target read once; the workbook's sheets say what it is.
    let target_paths: BTreeSet<PathBuf> = targets
        .iter()
        .filter_map(|t| t.path.canonicalize().ok())
        .collect();
    let mut returns: Vec<RawFile> = Vec::new();
    // Workbooks are read on every core; the order stays the targets' order.
    let target_raws: Vec<RawFile> = targets.par_iter().map(read_raw).collect();
    for raw in target_raws {
        match raw.data.as_ref().ok().and_then(table_kind) {
            Some(TableKind::Allocations) => {
                if let Ok(data) = raw.data.as_ref() {
                    // X08 (the pot) needs the cycle; X01 and X11 use the force list in force.
                    let pot = cycle.as_ref().map(|c| c.config.pot);
                    findings.extend(read_allocations(&raw.source.shown, data, &forces, pot).1);
                }
            }
            Some(TableKind::Weights) => {
                if let Ok(data) = raw.data.as_ref() {
                    findings.extend(read_weights(&raw.source.shown, data, &forces).1);
                }
            }
            None => returns.push(raw),
        }
    }
    let reported: BTreeSet<String> = returns.iter().map(|r| r.source.shown.clone()).collect();

    // With a cycle, the cycle's other returns are read too, as context for the checks that
    // span files (earlier quarters for X10, plans' baselines for C09, X13), unreported.
    if let Some(cycle) = &cycle {
        let returns_dir = cycle.returns_dir();
        if returns_dir.is_dir() {
            let shown = shown_path(&returns_dir);
            let context: Vec<SourceFile> = files_under(&returns_dir, &shown)?
                .into_iter()
                .filter(|source| {
                    let already = source
                        .path
                        .canonicalize()
                        .is_ok_and(|p| target_paths.contains(&p));
                    !already && is_spreadsheet_name(&source.path)
                })
                .collect();
            returns.extend(context.par_iter().map(read_raw).collect::<Vec<_>>());
        }
    }

    let ctx = ReadContext {
        cycle_year: cycle.as_ref().map(|c| c.config.year),
        forces: &forces,
        categories: &config.categories,
        allocations: allocations.as_ref(),
        baselines: None,
    };
    // With a cycle, a return dated after the cut-off of the run it belongs to is told so
    // before it is sent (X15).
    let cutoffs: Vec<(Quarter, NaiveDate)> = Quarter::ALL
        .into_iter()
        .map(|q| (q, config.quarter(q).cutoff))
        .collect();
    let loaded_files = load_raw_returns(returns, ctx);
    // With a cycle, a monitoring return is compared with the force's previous one (X17).
    let restated: Vec<(usize, Finding)> = match &cycle {
        Some(_) => {
            let files: Vec<(&str, &ReturnRead)> = loaded_files
                .iter()
                .map(|f| (f.shown.as_str(), &f.read))
                .collect();
            restated_months(&files)
        }
        None => Vec::new(),
    };
    for (index, loaded) in loaded_files.into_iter().enumerate() {
        if reported.contains(&loaded.shown) {
            findings.extend(
                restated
                    .iter()
                    .filter(|(at, _)| *at == index)
                    .map(|(_, f)| f.clone()),
            );
            let key = &loaded.read.key;
            let late = match (&cycle, key.kind, key.submitted_on) {
                (Some(_), Some(kind), Some(dated)) => due_quarter(kind, key.quarter, key.months_to)
                    .and_then(|due| dated_after_cutoff(&loaded.shown, kind, due, dated, &cutoffs)),
                _ => None,
            };
            findings.extend(loaded.read.findings);
            findings.extend(late);
        }
    }

    sort_for_report(&mut findings);
    match args.format {
        OutputFormat::Text => print_text(&findings, targets.len()),
        OutputFormat::Json => say_raw!("{}", serde_json::to_string_pretty(&findings)?),
    }
    let has_errors = findings.iter().any(Finding::is_error);
    Ok(if has_errors {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// The files named on the command line, folders expanded to every file under them.
fn collect_targets(paths: &[PathBuf]) -> anyhow::Result<Vec<SourceFile>> {
    let mut targets = Vec::new();
    for path in paths {
        if !path.exists() {
            bail!("{} does not exist", path.display());
        }
        if path.is_dir() {
            let found = files_under(path, &shown_path(path))
                .with_context(|| format!("cannot list the folder {}", path.display()))?;
            if !found.iter().any(|f| is_spreadsheet_name(&f.path)) {
                bail!(
                    "there is no spreadsheet (.xlsx, .xlsm, .xls or .ods) under {}",
                    path.display()
                );
            }
            targets.extend(found);
        } else {
            targets.push(SourceFile::new(path.clone(), shown_path(path)));
        }
    }
    let mut seen = BTreeSet::new();
    targets.retain(|t| seen.insert(t.shown.clone()));
    Ok(targets)
}

/// A path as findings show it: as the user gave it, with forward slashes.
fn shown_path(path: &Path) -> String {
    let text = shown_name(path.as_os_str());
    #[cfg(windows)]
    let text = text.replace('\\', "/");
    text.trim_end_matches('/').to_owned()
}

enum TableKind {
    Allocations,
    Weights,
}

/// Allocations and weights workbooks have no About sheet; they are known by their table.
fn table_kind(data: &WorkbookData) -> Option<TableKind> {
    if data.sheet(about_sheet_name()).is_some() {
        return None;
    }
    let layouts = npg::layout::layouts();
    if data.sheet(&layouts.allocations.sheet).is_some() {
        Some(TableKind::Allocations)
    } else if data.sheet(&layouts.weights.sheet).is_some() {
        Some(TableKind::Weights)
    } else {
        None
    }
}

/// The cycle's allocations, for X04 and X10. Problems with the allocations workbook are
/// reported too, since every check against it depends on it.
fn cycle_allocations(
    cycle: &Cycle,
    findings: &mut Vec<Finding>,
) -> Option<BTreeMap<ForceId, Money>> {
    let path = cycle.allocations_path();
    if !path.exists() {
        return None;
    }
    let source = SourceFile::new(path.clone(), shown_path(&path));
    let raw = read_raw(&source);
    let data = match raw.data {
        Ok(data) => data,
        Err(finding) => {
            findings.push(finding);
            return None;
        }
    };
    let (allocations, problems) =
        read_allocations(&source.shown, &data, &cycle.forces, Some(cycle.config.pot));
    let usable = !problems.iter().any(Finding::is_error);
    findings.extend(problems);
    usable.then_some(allocations)
}

fn print_text(findings: &[Finding], files: usize) {
    let mut current: Option<&str> = None;
    for finding in findings {
        if current.is_some_and(|f| f != finding.location.file) {
            say!("");
        }
        current = Some(&finding.location.file);
        say!("{finding}");
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let with_findings: BTreeSet<&str> = findings.iter().map(|f| f.location.file.as_str()).collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if !findings.is_empty() {
        say!("");
    }
    if findings.is_empty() {
        say!("Checked {}: no problems found.", plural(files, "file"));
    } else {
        say!(
            "Checked {}: {} with findings ({}, {}, {} for information).",
            plural(files, "file"),
            with_findings.len(),
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            count(Severity::Info),
        );
    }
}
