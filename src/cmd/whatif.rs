//! `npg whatif`: the same returns under other payment rules, side by side, before the rules
//! are set; prints each scenario's national totals over the quarters shown.

use npg::domain::Money;
use npg::exit::Exit;
use npg::ops::whatif::{WhatIfOutcome, WhatIfRequest, whatif};
use npg::pay::whatif::ScenarioTotals;

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
    let last_totals = |scenario: &npg::pay::whatif::ScenarioRun| {
        scenario
            .quarters
            .iter()
            .find(|r| r.quarter == last)
            .map(ScenarioTotals::of)
            .unwrap_or_default()
    };
    let base_paid = written
        .scenarios
        .first()
        .map(|s| last_totals(s).paid_to_date);
    for scenario in &written.scenarios {
        // Payments and recoveries summed over the quarters shown; the rest at the last.
        let (mut payable, mut recoveries) = (Money::ZERO, Money::ZERO);
        for result in scenario
            .quarters
            .iter()
            .filter(|r| r.quarter >= first && r.quarter <= last)
        {
            let t = ScenarioTotals::of(result);
            payable += t.payable;
            recoveries += t.recoveries;
        }
        let at_last = last_totals(scenario);
        let difference = base_paid.map_or_else(String::new, |b| {
            format!(
                "; paid to date less the base's {}",
                (at_last.paid_to_date - b).to_gbp()
            )
        });
        say!(
            "  {}: payable {}, recoveries {}, net payment {}; withheld at {last} {}; paid to date {}{difference}",
            scenario.name,
            payable.to_gbp(),
            recoveries.to_gbp(),
            (payable + recoveries).to_gbp(),
            at_last.withheld.to_gbp(),
            at_last.paid_to_date.to_gbp(),
        );
    }
    say!("  input fingerprint {}", written.fingerprint);
    say!("wrote {}", written.workbook.display());
    say!("wrote {}", written.csv.display());
    Ok(Exit::Clean)
}
