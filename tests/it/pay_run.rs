//! The payment run's library core over the fixture year: selection at each cut-off, the
//! ledger carried from quarter to quarter, and the scenario outcomes of scenarios.md.

use std::collections::BTreeMap;

use npg::cycle::Cycle;
use npg::cycle::load::{files_under, load_returns};
use npg::domain::{ForceId, Money, Quarter};
use npg::findings::Code;
use npg::pay::ledger::Ledger;
use npg::pay::run::{Actor, ExceptionKind, RunInputs, RunResult, Section, run_quarter};
use npg::read::open::read_workbook;
use npg::read::returns::ReadContext;
use npg::read::tables::read_allocations;
use npg::rules::payment::Status;

use crate::common::fixture_cycle;

fn run_year() -> Vec<RunResult> {
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let data = read_workbook(&cycle.allocations_path(), "allocations.xlsx").unwrap();
    let (allocations, findings) = read_allocations(
        "allocations.xlsx",
        &data,
        &cycle.forces,
        Some(cycle.config.pot),
    );
    assert!(findings.is_empty(), "{findings:?}");
    let sources = files_under(&cycle.returns_dir(), "returns").unwrap();
    let ctx = ReadContext {
        cycle_year: Some(cycle.config.year),
        forces: &cycle.forces,
        categories: &cycle.config.categories,
        allocations: Some(&allocations),
        baselines: None,
    };
    let files = load_returns(&sources, ctx);
    let mut results: Vec<RunResult> = Vec::new();
    for quarter in Quarter::ALL {
        let prior: Option<Ledger> = results.last().map(|r| r.ledger.clone());
        let inputs = RunInputs {
            config: &cycle.config,
            forces: &cycle.forces,
            allocations: &allocations,
            files: &files,
            quarter,
            prior: prior.as_ref(),
        };
        results.push(run_quarter(&inputs).unwrap());
    }
    results
}

fn id(text: &str) -> ForceId {
    text.parse().unwrap()
}

#[test]
fn the_fixture_year_runs_with_its_scenario_outcomes() {
    let year = run_year();
    let line = |q: usize, force: &str| year[q].ledger.lines[&id(force)].clone();

    // bedfordshire: Q2 P = 13/19 = 0.6842, fraction 0, NIL with money withheld; released by Q4.
    let bed = line(1, "bedfordshire");
    assert_eq!(bed.progress.unwrap().to_string(), "0.6842");
    assert_eq!(bed.fraction.unwrap().to_string(), "0.00");
    assert_eq!(bed.status, Status::Nil);
    assert!(bed.withheld.unwrap() > Money::ZERO);
    let bed4 = line(3, "bedfordshire");
    assert!(bed4.progress.unwrap() >= "1".parse().unwrap());
    assert_eq!(bed4.withheld.unwrap(), Money::ZERO);

    for q in 0..4 {
        assert_eq!(line(q, "metropolitan").status, Status::Pay);
        assert_eq!(
            line(q, "metropolitan").fraction.unwrap().to_string(),
            "1.00"
        );
    }
    assert_eq!(line(0, "city-of-london").payment.to_string(), "249445.62");

    let restated = year[1].exceptions.iter().any(|e| {
        e.force == Some(id("kent"))
            && matches!(
                e.kind,
                ExceptionKind::Restated {
                    quarter: Quarter::Q1,
                    ..
                }
            )
    });
    assert!(restated, "kent's Q1 restatement shows at Q2");

    assert!(
        year[1]
            .exceptions
            .iter()
            .any(|e| e.force == Some(id("essex")) && e.kind == ExceptionKind::NoReturn)
    );
    assert_eq!(line(1, "lancashire").status, Status::HoldNoMonitoring);
    assert_eq!(line(2, "lancashire").status, Status::Pay);

    let cumbria = line(3, "cumbria");
    assert_eq!(cumbria.fraction.unwrap().to_string(), "0.70");
    assert_eq!(cumbria.status, Status::Recovery);
    assert_eq!(line(2, "durham").fraction.unwrap().to_string(), "0.00");
    assert_eq!(line(2, "durham").status, Status::Nil);
    let durham = line(3, "durham");
    assert_eq!(durham.status, Status::Recovery);
    assert_eq!(
        durham.paid_after,
        Money::ZERO,
        "everything paid is recovered"
    );

    for q in 0..4 {
        let surrey = line(q, "surrey");
        assert_eq!(
            surrey.profiled_actuals, surrey.profiled_spend_to_date,
            "B capped at profile"
        );
    }
    assert!(
        year[3].exceptions.iter().any(
            |e| e.force == Some(id("surrey")) && e.kind == ExceptionKind::SpendBeyondAllocation
        )
    );
    assert_eq!(line(2, "norfolk").progress.unwrap().to_string(), "0.9500");
    assert_eq!(line(2, "norfolk").fraction.unwrap().to_string(), "0.90");
    assert_eq!(line(0, "dorset").progress.unwrap().to_string(), "1.0000");
    assert!(
        year[2]
            .exceptions
            .iter()
            .any(|e| e.force == Some(id("wiltshire")) && e.kind == ExceptionKind::ReturnInvalid)
    );
    assert!(
        year[2]
            .exceptions
            .iter()
            .any(|e| e.force == Some(id("wiltshire")) && e.kind == ExceptionKind::NoReturn)
    );

    let paid: Money = year[3].ledger.lines.values().map(|l| l.paid_after).sum();
    assert!(paid < Money::pounds(200_000_000));
    let totals: BTreeMap<Quarter, usize> = year
        .iter()
        .map(|r| (r.quarter, r.ledger.lines.len()))
        .collect();
    assert!(totals.values().all(|n| *n == 43));
}

#[test]
fn plan_v2_counts_from_the_run_after_its_approval() {
    let year = run_year();
    let uses = |q: usize, path: &str| {
        year[q]
            .inputs
            .iter()
            .find(|i| i.path.ends_with(path))
            .unwrap()
            .used
    };
    assert!(uses(1, "north-wales-plan-v1.xlsx"));
    assert!(!uses(1, "north-wales-plan-v2.xlsx"));
    assert!(uses(2, "north-wales-plan-v2.xlsx"));
    assert!(!uses(2, "north-wales-plan-v1.xlsx"));
}

#[test]
fn the_exceptions_are_an_action_list_with_who_acts_and_the_amount() {
    let year = run_year();
    let money = |text: &str| -> Money { text.parse().unwrap() };
    // Q4: one action per recovery, for Home Office finance, with the amount as the Schedule
    // shows it (negative) and the invoice to raise.
    let recoveries: Vec<(String, Option<Money>, String)> = year[3]
        .exceptions
        .iter()
        .filter(|e| e.kind == ExceptionKind::Recovery)
        .map(|e| (e.force.as_ref().unwrap().to_string(), e.amount, e.to_do()))
        .collect();
    assert_eq!(
        recoveries,
        [
            (
                "cumbria".to_owned(),
                Some(money("-180155.20")),
                "Home Office finance: invoice Cumbria Constabulary for £180,155.20 and record it against the grant".to_owned()
            ),
            (
                "durham".to_owned(),
                Some(money("-723863.59")),
                "Home Office finance: invoice Durham Constabulary for £723,863.59 and record it against the grant".to_owned()
            ),
        ]
    );
    // Q2: bedfordshire's withheld money, and why.
    let withheld: Vec<_> = year[1]
        .exceptions
        .iter()
        .filter(|e| e.kind == ExceptionKind::Withheld)
        .collect();
    assert_eq!(withheld.len(), 1);
    assert_eq!(withheld[0].force, Some(id("bedfordshire")));
    assert_eq!(withheld[0].amount, Some(money("826875.13")));
    assert_eq!(
        (withheld[0].section, withheld[0].who),
        (Section::Action, Actor::HomeOfficeFinance)
    );
    assert!(
        withheld[0]
            .message
            .starts_with("progress 68.42% of planned uplift (band below 75.01%: 0% payable)")
    );
    // The label a statement shows is kept for every line.
    assert_eq!(withheld[0].kind.label(), "WITHHELD");
    // Surrey's X10: in full at Q1 (an action), then one carried-over line a quarter.
    let x10 = |q: usize| -> Vec<Section> {
        year[q]
            .exceptions
            .iter()
            .filter(|e| {
                e.force == Some(id("surrey"))
                    && e.finding.as_ref().is_some_and(|f| f.code == Code::X10)
            })
            .map(|e| e.section)
            .collect()
    };
    assert_eq!(x10(0), [Section::Action]);
    for q in 1..4 {
        assert_eq!(x10(q), [Section::CarriedOver { from: Quarter::Q1 }], "{q}");
    }
    // Only Action lines are counted.
    let counts: Vec<(usize, usize)> = year
        .iter()
        .map(|r| (r.exceptions.len(), r.exceptions_to_act_on()))
        .collect();
    assert_eq!(counts, [(3, 1), (10, 8), (9, 6), (9, 6)]);
    for r in &year {
        assert_eq!(
            r.exceptions_to_act_on(),
            r.exceptions.iter().filter(|e| e.is_to_act_on()).count()
        );
        assert!(
            r.exceptions
                .iter()
                .filter(|e| e.section != Section::Action)
                .all(|e| matches!(e.kind, ExceptionKind::Finding | ExceptionKind::Late))
        );
    }
}
