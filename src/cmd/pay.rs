//! `npg pay`: the quarterly payment run over a cycle folder, one quarter or a range.

use npg::exit::Exit;
use std::path::Path;

use npg::domain::Money;
use npg::ops::pay::{PayOutcome, PayRequest, pay};
use npg::pay::inputs::CycleInputs;
use npg::pay::quarters::QuarterRun;
use npg::rules::payment::Status;
use npg::write::schedule::Totals;

use super::progress::ReadingBar;
use crate::cli::PayArgs;

pub fn run(args: PayArgs) -> anyhow::Result<Exit> {
    let request = PayRequest {
        cycle: &args.cycle,
        out: &args.out,
        quarters: args.quarter,
        rerun_later: args.rerun_later,
        overwrite: args.overwrite,
    };
    let paid = match pay(&request, &ReadingBar::new())? {
        PayOutcome::Paid(paid) => paid,
        PayOutcome::CycleInError(err) => return Ok(super::cycle_in_error(&err)),
        PayOutcome::PriorRunInError(err) => {
            tell!("npg: {err}");
            tell!("npg: nothing was written");
            return Ok(Exit::Findings);
        }
    };
    for kept in &paid.kept {
        tell!(
            "npg: a run folder replaced held files the run did not write, added while it was writing; it is kept whole at {}",
            kept.display()
        );
    }
    for quarter in &paid.quarters {
        print_summary(&paid.inputs, &quarter.run, &quarter.folder);
    }
    Ok(Exit::Clean)
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
