//! `npg audit verify`: proves one run, or a year's chain of runs, from the archived cycle
//! folder, and prints what differs (text, or JSON with `--format json`).

use npg::exit::Exit;

use anyhow::bail;
use std::path::Path;

use npg::audit::verify::{
    ChainVerification, RunVerification, verify_chain, verify_run, years_of_runs,
};
use npg::cycle::config::{CONFIG_FILE, CycleConfig};
use npg::domain::{FinancialYear, Quarter};
use npg::pay::folder::{MANIFEST_FILE, STATEMENTS_DIR};

use super::progress::ReadingBar;
use crate::cli::{OutputFormat, VerifyArgs};

pub fn verify(args: VerifyArgs) -> anyhow::Result<Exit> {
    let json = args.format == OutputFormat::Json;
    match verify_inner(&args) {
        Ok(code) => Ok(code),
        // With --format json the report is still JSON when the verify cannot run.
        Err(err) if json => {
            let report = serde_json::json!({ "error": format!("{err:#}") });
            say_raw!("{}", serde_json::to_string_pretty(&report)?);
            tell!("npg: error: {err:#}");
            Ok(Exit::CannotRun)
        }
        Err(err) => Err(err),
    }
}

/// A run folder is named `<year>-<quarter>` (`2025-26-Q2`).
fn looks_like_run_folder(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.rsplit_once('-'))
        .is_some_and(|(year, q)| {
            q.parse::<Quarter>().is_ok() && year.parse::<FinancialYear>().is_ok()
        })
}

fn verify_inner(args: &VerifyArgs) -> anyhow::Result<Exit> {
    if !args.run.is_dir() {
        bail!("{} does not exist or is not a folder", args.run.display());
    }
    if !args.cycle.is_dir() {
        bail!("the cycle folder {} does not exist", args.cycle.display());
    }
    let single = args.run.join(MANIFEST_FILE).is_file() || looks_like_run_folder(&args.run);
    if single {
        if args.quarter.is_some() {
            bail!(
                "{} is one run folder; --quarter is for an output folder holding several runs",
                args.run.display()
            );
        }
        let report = verify_run(&args.run, &args.cycle, &ReadingBar::new())?;
        match args.format {
            OutputFormat::Text => print_run(&report, &args.cycle.display().to_string()),
            OutputFormat::Json => say_raw!("{}", serde_json::to_string_pretty(&report)?),
        }
        return Ok(exit_code(report.identical, !report.identical));
    }
    // The year names the run folders: the cycle's own, or (when its cycle.toml can no
    // longer be read) the one year the run folders are named for.
    let config_path = args.cycle.join(CONFIG_FILE);
    let year = match CycleConfig::load(&config_path, &config_path.display().to_string()) {
        Ok(config) => config.year,
        Err(err) => match years_of_runs(&args.run).as_slice() {
            [year] => *year,
            _ => return Err(err.into()),
        },
    };
    let quarters = args.quarter.map(|range| range.quarters());
    let chain = verify_chain(
        &args.run,
        &args.cycle,
        year,
        quarters.as_deref(),
        &ReadingBar::new(),
    );
    if chain.runs.is_empty() && chain.missing_runs.is_empty() && chain.could_not_verify.is_empty() {
        bail!(
            "{} holds no run of {year} (no {year}-Qn folder with a {MANIFEST_FILE})",
            args.run.display()
        );
    }
    match args.format {
        OutputFormat::Text => print_chain(&chain, &args.cycle.display().to_string()),
        OutputFormat::Json => say_raw!("{}", serde_json::to_string_pretty(&chain)?),
    }
    Ok(exit_code(chain.identical, chain.differs()))
}

/// 0 identical; 1 a difference found; 2 nothing differs but something could not be checked.
fn exit_code(identical: bool, differs: bool) -> Exit {
    if identical {
        Exit::Clean
    } else if differs {
        Exit::Findings
    } else {
        Exit::CannotRun
    }
}

fn print_run(r: &RunVerification, cycle: &str) {
    say!("Run {} ({}, rules {})", r.run, r.quarter, r.rules_version);
    if r.same_program {
        say!("  program: written and verified by {}", r.verified_by);
    } else {
        say!(
            "  NOTE: this run was written by {} and is verified by {}: a difference below may come from the program, not the data",
            r.written_by,
            r.verified_by
        );
    }
    say!(
        "  inputs: {} checked against {cycle}: {} changed, {} missing",
        r.inputs_checked,
        r.changed.len(),
        r.missing.len()
    );
    for path in &r.changed {
        say!("    changed   {path}");
    }
    for path in &r.missing {
        say!("    missing   {path}");
    }
    if !r.added_would_count.is_empty() || !r.added_later.is_empty() {
        say!(
            "  added since the run: {} would have counted (dated on or before the cut-off, or undated), {} dated after it (information)",
            r.added_would_count.len(),
            r.added_later.len()
        );
        let date = |d: &Option<String>| {
            d.as_ref().map_or_else(
                || "no date can be read".to_owned(),
                |d| format!("submitted {d}"),
            )
        };
        let about = |a: &npg::audit::verify::AddedFile| match &a.note {
            Some(note) if a.submitted_on.is_none() => note.clone(),
            Some(note) => format!("{}; {note}", date(&a.submitted_on)),
            None => date(&a.submitted_on),
        };
        for a in &r.added_would_count {
            say!("    counts    {} ({})", a.path, about(a));
        }
        for a in &r.added_later {
            say!("    later     {} ({})", a.path, about(a));
        }
    }
    if !r.extra_files.is_empty() {
        say!(
            "  other files in the run folder: {} the manifest does not name (a run folder holds only what the run wrote)",
            r.extra_files.len()
        );
        for extra in &r.extra_files {
            say!("    extra     {} ({})", extra.name, extra.note);
        }
    }
    if let Some(prior) = &r.prior {
        if prior.matches {
            say!("  prior ledger {}: as the run recorded it", prior.path);
        } else {
            say!(
                "  prior ledger {}: CHANGED since this run started from it (recorded sha256 {}, now {})",
                prior.path,
                prior.recorded_sha256,
                prior.found_sha256.as_deref().unwrap_or("missing")
            );
        }
    }
    if let Some(why) = &r.not_rerun {
        say!("  NOT RE-RUN: {why}");
    }
    say!("  outputs, the run folder against a re-run on the manifest's inputs:");
    // A statement per force: those identical are one line, any other is shown in full.
    let is_statement = |o: &&npg::audit::verify::OutputCheck| {
        o.path.starts_with(&format!("{STATEMENTS_DIR}/")) && o.is_identical()
    };
    let same_statements = r.outputs.iter().filter(is_statement).count();
    let mut said_statements = false;
    for o in &r.outputs {
        if is_statement(&o) {
            if !said_statements {
                say!("    {STATEMENTS_DIR}/: {same_statements} statements identical");
                said_statements = true;
            }
            continue;
        }
        let mut state = if o.is_identical() {
            "identical".to_owned()
        } else if !o.present {
            "MISSING".to_owned()
        } else if o.matches_rerun {
            "same as the re-run".to_owned()
        } else {
            "DIFFERS from the re-run".to_owned()
        };
        if o.present && !o.matches_manifest {
            state.push_str("; EDITED after the run (its hash is not the manifest's)");
        }
        say!("    {}: {state}", o.path);
        // Sheet by sheet: a table's rows added or removed, then its cells that differ.
        for sheet in &o.sheets {
            for row in o.rows.iter().filter(|r| &r.sheet == sheet) {
                say!("      {row}");
            }
            for c in o.cells.iter().filter(|c| &c.sheet == sheet) {
                say!("      {c}");
            }
        }
        for l in &o.ledger {
            say!("      {l}");
        }
        for n in &o.notes {
            say!("      {n}");
        }
    }
    say!(
        "  result: {}",
        if r.identical {
            "IDENTICAL: the outputs follow from the inputs"
        } else {
            "DIFFERENT"
        }
    );
}

fn print_chain(c: &ChainVerification, cycle: &str) {
    for run in &c.runs {
        print_run(run, cycle);
        say!("");
    }
    for problem in &c.missing_runs {
        say!("Chain: {problem}");
    }
    for problem in &c.could_not_verify {
        say!("Chain: CANNOT VERIFY {problem}");
    }
    for link in &c.links {
        match &link.problem {
            None => say!(
                "Chain: {} started from the ledger {} wrote",
                link.to,
                link.from
            ),
            Some(problem) => say!(
                "Chain: BROKEN between {} and {}: {problem}",
                link.from,
                link.to
            ),
        }
    }
    say!(
        "Result: {}",
        if c.identical {
            "IDENTICAL: every run follows from its inputs and from the run before it"
        } else {
            "DIFFERENT"
        }
    );
}
