//! `npg audit verify`: proves one run, or a year's chain of runs, from the archived cycle
//! folder, and prints what differs (text, or JSON with `--format json`).

use std::process::ExitCode;

use anyhow::bail;
use npg::audit::verify::{ChainVerification, RunVerification, verify_chain, verify_run};
use npg::cycle::config::{CONFIG_FILE, CycleConfig};
use npg::pay::prior::MANIFEST_FILE;
use npg::pay::quarters::quarter_range;

use super::pay::parse_quarters;
use super::progress::ReadingBar;
use crate::cli::{OutputFormat, VerifyArgs};

pub fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    if !args.run.is_dir() {
        bail!("{} does not exist or is not a folder", args.run.display());
    }
    if !args.cycle.is_dir() {
        bail!("the cycle folder {} does not exist", args.cycle.display());
    }
    let single = args.run.join(MANIFEST_FILE).is_file();
    let identical = if single {
        if args.quarter.is_some() {
            bail!(
                "{} is one run folder; --quarter is for an output folder holding several runs",
                args.run.display()
            );
        }
        let report = verify_run(&args.run, &args.cycle, &ReadingBar::new())?;
        match args.format {
            OutputFormat::Text => print_run(&report, &args.cycle.display().to_string()),
            OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        }
        report.identical
    } else {
        let config_path = args.cycle.join(CONFIG_FILE);
        let config = CycleConfig::load(&config_path, &config_path.display().to_string())?;
        let quarters = match &args.quarter {
            Some(text) => {
                let (first, last) = parse_quarters(text)?;
                Some(quarter_range(first, last))
            }
            None => None,
        };
        let chain = verify_chain(
            &args.run,
            &args.cycle,
            config.year,
            quarters.as_deref(),
            &ReadingBar::new(),
        )?;
        if chain.runs.is_empty() && chain.missing_runs.is_empty() {
            bail!(
                "{} holds no run of {} (no {}-Qn folder with a {MANIFEST_FILE})",
                args.run.display(),
                config.year,
                config.year
            );
        }
        match args.format {
            OutputFormat::Text => print_chain(&chain, &args.cycle.display().to_string()),
            OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&chain)?),
        }
        chain.identical
    };
    Ok(if identical {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_run(r: &RunVerification, cycle: &str) {
    println!("Run {} ({}, rules {})", r.run, r.quarter, r.rules_version);
    if r.same_program {
        println!("  program: written and verified by {}", r.verified_by);
    } else {
        println!(
            "  NOTE: this run was written by {} and is verified by {}: a difference below may come from the program, not the data",
            r.written_by, r.verified_by
        );
    }
    println!(
        "  inputs: {} checked against {cycle}: {} changed, {} missing",
        r.inputs_checked,
        r.changed.len(),
        r.missing.len()
    );
    for path in &r.changed {
        println!("    changed   {path}");
    }
    for path in &r.missing {
        println!("    missing   {path}");
    }
    if !r.added_would_count.is_empty() || !r.added_later.is_empty() {
        println!(
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
        for a in &r.added_would_count {
            println!("    counts    {} ({})", a.path, date(&a.submitted_on));
        }
        for a in &r.added_later {
            println!("    later     {} ({})", a.path, date(&a.submitted_on));
        }
    }
    if let Some(prior) = &r.prior {
        if prior.matches {
            println!("  prior ledger {}: as the run recorded it", prior.path);
        } else {
            println!(
                "  prior ledger {}: CHANGED since this run started from it (recorded sha256 {}, now {})",
                prior.path,
                prior.recorded_sha256,
                prior.found_sha256.as_deref().unwrap_or("missing")
            );
        }
    }
    if let Some(why) = &r.not_rerun {
        println!("  NOT RE-RUN: {why}");
    }
    println!("  outputs, the run folder against a re-run on the manifest's inputs:");
    for o in &r.outputs {
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
        println!("    {}: {state}", o.path);
        for c in &o.cells {
            println!("      {c}");
        }
        for l in &o.ledger {
            println!("      {l}");
        }
        for n in &o.notes {
            println!("      {n}");
        }
    }
    println!(
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
        println!();
    }
    for name in &c.missing_runs {
        println!("Chain: {name} is missing");
    }
    for link in &c.links {
        match &link.problem {
            None => println!(
                "Chain: {} started from the ledger {} wrote",
                link.to, link.from
            ),
            Some(problem) => println!(
                "Chain: BROKEN between {} and {}: {problem}",
                link.from, link.to
            ),
        }
    }
    println!(
        "Result: {}",
        if c.identical {
            "IDENTICAL: every run follows from its inputs and from the run before it"
        } else {
            "DIFFERENT"
        }
    );
}
