//! `npg whatif`: the same returns under other payment rules, side by side, before the rules
//! are set; prints each scenario's national totals over the quarters shown.

use npg::domain::Money;
use npg::exit::Exit;
use npg::ops::whatif::{WhatIfOutcome, WhatIfRequest, whatif};

use super::progress::ReadingBar;
use crate::cli::WhatIfArgs;

pub fn run(args: WhatIfArgs) -> anyhow::Result<Exit> {
    let request = WhatIfRequest {
        cycle: &args.cycle,
        quarters: args.quarter,
        rules: &args.rules,
        out: &args.out,
        overwrite: args.overwrite,
    };
    let written = match whatif(&request, &ReadingBar::new())? {
        WhatIfOutcome::Written(written) => written,
        WhatIfOutcome::CycleInError(err) => return Ok(super::cycle_in_error(&err)),
        WhatIfOutcome::RulesInError(err) => {
            tell!("npg: {err}");
            tell!("npg: nothing was written");
            return Ok(Exit::Findings);
        }
    };
    let (first, last) = (args.quarter.first(), args.quarter.last());
    say!(
        "SCENARIOS, not a payment run ({} {first}-{last}):",
        written.inputs.config.year
    );
    let base_paid = written
        .scenarios
        .first()
        .and_then(|s| s.quarters.last())
        .map(|r| r.ledger.lines.values().map(|l| l.paid_after).sum::<Money>());
    for scenario in &written.scenarios {
        let shown: Vec<_> = scenario
            .quarters
            .iter()
            .filter(|r| r.quarter >= first && r.quarter <= last)
            .collect();
        let mut payable = Money::ZERO;
        let mut recoveries = Money::ZERO;
        let mut withheld = Money::ZERO;
        for result in &shown {
            for line in result.ledger.lines.values() {
                if line.payment.is_negative() {
                    recoveries += line.payment;
                } else {
                    payable += line.payment;
                }
            }
        }
        if let Some(result) = shown.last() {
            withheld = result
                .ledger
                .lines
                .values()
                .map(|l| l.withheld.unwrap_or(Money::ZERO))
                .sum();
        }
        let paid: Money = shown
            .last()
            .map(|r| r.ledger.lines.values().map(|l| l.paid_after).sum())
            .unwrap_or(Money::ZERO);
        let difference = base_paid.map_or_else(String::new, |b| {
            format!("; paid to date less the base's {}", (paid - b).to_gbp())
        });
        say!(
            "  {}: payable {}, recoveries {}, net payment {}; withheld at {last} {}; paid to date {}{difference}",
            scenario.name,
            payable.to_gbp(),
            recoveries.to_gbp(),
            (payable + recoveries).to_gbp(),
            withheld.to_gbp(),
            paid.to_gbp(),
        );
    }
    say!("  input fingerprint {}", written.fingerprint);
    say!("wrote {}", written.workbook.display());
    say!("wrote {}", written.csv.display());
    Ok(Exit::Clean)
}
