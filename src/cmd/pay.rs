//! `npg pay`: the quarterly payment run over a cycle folder, one quarter or a range.

use npg::exit::Exit;

use npg::ops::pay::{PaidQuarter, PayOutcome, PayRequest, pay};
use npg::pay::inputs::CycleInputs;
use npg::rules::payment::Status;
use npg::rules::reason::Reason;
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
        print_summary(&paid.inputs, quarter);
    }
    Ok(Exit::Clean)
}

/// How many NIL lines each leading reason explains: `NO-RETURN 1, TAPER 0% 1`, in the order
/// of precedence.
fn nil_reasons(result: &npg::pay::run::RunResult) -> String {
    let mut by_reason: std::collections::BTreeMap<&Reason, usize> = Default::default();
    for force in result
        .forces
        .iter()
        .filter(|f| f.line.status == Status::Nil)
    {
        if let Some(lead) = force.reasons.first() {
            *by_reason.entry(lead).or_default() += 1;
        }
    }
    // Reasons of one kind with different figures (two TAPER 0% lines) are counted together.
    let mut counted: Vec<(String, usize)> = Vec::new();
    for (reason, n) in by_reason {
        match counted.iter_mut().find(|(code, _)| *code == reason.code()) {
            Some((_, total)) => *total += n,
            None => counted.push((reason.code(), n)),
        }
    }
    counted
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One quarter's line, its figures signed as the Summary signs them (recoveries negative), then
/// where it was written and the two hashes the approval records.
fn print_summary(inputs: &CycleInputs, paid: &PaidQuarter) {
    let result = &paid.run.result;
    let lines: Vec<_> = result.forces.iter().map(|f| &f.line).collect();
    let totals = Totals::of(&lines, result.quarter);
    let counts: Vec<String> = Status::ALL
        .into_iter()
        .map(|s| (s, lines.iter().filter(|l| l.status == s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| match s {
            Status::Nil => format!("{s} {n} [{}]", nil_reasons(result)),
            _ => format!("{s} {n}"),
        })
        .collect();
    say!(
        "{} {}: {} forces ({}); payable {}, recoveries {}, net payment {}; withheld {}; paid to date {} of {}; {} to act on",
        inputs.config.year,
        result.quarter,
        lines.len(),
        counts.join(", "),
        totals.payable.to_gbp(),
        totals.recoveries.to_gbp(),
        totals.payment.to_gbp(),
        totals.withheld.to_gbp(),
        totals.paid_after.to_gbp(),
        inputs.config.pot.to_gbp(),
        match result.exceptions_to_act_on() {
            1 => "1 exception".to_owned(),
            n => format!("{n} exceptions"),
        },
    );
    say!("  wrote {}", paid.folder.display());
    say!("  manifest.json SHA-256 {}", paid.manifest_sha256);
    say!("  input fingerprint     {}", paid.fingerprint);
}
