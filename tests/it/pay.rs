//! `npg pay` end to end on the fixture year: every scenario of scenarios.md in the ledgers
//! and workbooks of a Q1-Q4 run, the schedule against the ledger to the penny, byte-identical
//! re-runs, and every way a run is refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use npg::domain::Money;
use predicates::prelude::*;

use crate::common::{
    LedgerRows, dump_cells, fixture_copy, fixture_cycle, npg, read_ledger, sheet, tree_bytes,
    zip_part,
};

const QUARTERS: [&str; 4] = ["Q1", "Q2", "Q3", "Q4"];

/// The fixture year run Q1-Q4 once by the README's main command, shared by the tests here.
fn year_runs() -> &'static Path {
    static RUNS: OnceLock<PathBuf> = OnceLock::new();
    RUNS.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pay-fixture-year");
        npg()
            .args(["pay", "--quarter", "Q1-Q4", "--overwrite", "--cycle"])
            .arg(fixture_cycle())
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    })
}

pub(crate) fn run_dir(q: &str) -> PathBuf {
    year_runs().join(format!("2025-26-{q}"))
}

fn ledger(q: &str) -> LedgerRows {
    read_ledger(&run_dir(q).join("ledger.csv"))
}

fn field(rows: &LedgerRows, force: &str, name: &str) -> String {
    rows[force][name].clone()
}

fn money(text: &str) -> Money {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not money: {e:?}"))
}

/// The rows of an Exceptions sheet, each by its header (`Section`, `Force id`, `Exception`,
/// `Who acts`, `Action`, `Amount`, `File`, `Sheet`, `Cell`, `Code`, `Severity`, `Message`).
fn exception_rows(dump: &crate::common::CellDump) -> Vec<BTreeMap<String, String>> {
    let rows = sheet(dump, "Exceptions");
    let header = &rows[0];
    rows[1..]
        .iter()
        .map(|row| {
            header
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), row.get(i).cloned().unwrap_or_default()))
                .collect()
        })
        .collect()
}

/// The Exceptions sheet of a quarter, each row by its header.
fn exceptions(q: &str) -> Vec<BTreeMap<String, String>> {
    exception_rows(&dump_cells(&run_dir(q).join("payment-schedule.xlsx")))
}

fn has_exception(q: &str, force: &str, what: &str) -> bool {
    exceptions(q)
        .iter()
        .any(|row| row["Force id"] == force && row["Exception"] == what)
}

/// `statements/<force>-2025-26-<q>.xlsx` for every force of the quarter's ledger, sorted.
fn statement_paths(q: &str) -> Vec<String> {
    ledger(q)
        .keys()
        .map(|force| format!("statements/{force}-2025-26-{q}.xlsx"))
        .collect()
}

// Issue 13, items 3 and 4: a run folder now holds payments.csv and a statement per force in
// `statements/` beside its four files (the test's name and expected list changed with it).
#[test]
fn the_run_writes_four_folders_of_five_files_and_a_statement_per_force() {
    for q in QUARTERS {
        let files: Vec<String> = tree_bytes(&run_dir(q)).into_keys().collect();
        let mut expected: Vec<String> = [
            "ledger.csv",
            "manifest.json",
            "payment-schedule.xlsx",
            "payments.csv",
            "reconciliation.xlsx",
        ]
        .map(String::from)
        .to_vec();
        expected.extend(statement_paths(q));
        assert_eq!(files, expected, "{q}");
        assert_eq!(
            files.len(),
            5 + 43,
            "{q}: a statement for each of the 43 forces"
        );
    }
    let names: Vec<String> = std::fs::read_dir(year_runs())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "no temporary folder is left: {names:?}");
}

#[test]
fn bedfordshire_is_nil_at_q2_on_0_6842_and_released_at_q4() {
    let q2 = ledger("Q2");
    assert_eq!(field(&q2, "bedfordshire", "progress"), "0.6842");
    assert_eq!(field(&q2, "bedfordshire", "fraction"), "0.00");
    assert_eq!(field(&q2, "bedfordshire", "entitlement"), "0.00");
    assert_eq!(field(&q2, "bedfordshire", "payment"), "0.00");
    assert_eq!(field(&q2, "bedfordshire", "status"), "NIL");
    // Withheld = B − E = B.
    assert_eq!(field(&q2, "bedfordshire", "b"), "826875.13");
    let q4 = ledger("Q4");
    assert_eq!(field(&q4, "bedfordshire", "progress"), "1.0263");
    assert_eq!(field(&q4, "bedfordshire", "status"), "PAY");
    assert_eq!(field(&q4, "bedfordshire", "payment"), "1056786.74");
    assert_eq!(
        field(&q4, "bedfordshire", "paid_after"),
        field(&q4, "bedfordshire", "b"),
        "everything withheld is released: paid after = profiled actuals"
    );
}

#[test]
fn metropolitan_and_city_of_london_are_paid_in_full_every_quarter() {
    for q in QUARTERS {
        let rows = ledger(q);
        for force in ["metropolitan", "city-of-london"] {
            assert_eq!(field(&rows, force, "status"), "PAY", "{force} {q}");
            assert_eq!(field(&rows, force, "fraction"), "1.00", "{force} {q}");
            assert_eq!(field(&rows, force, "paid_after"), field(&rows, force, "b"));
        }
    }
    assert_eq!(
        field(&ledger("Q1"), "city-of-london", "payment"),
        "249445.62"
    );
    assert_eq!(
        field(&ledger("Q4"), "metropolitan", "paid_after"),
        "46424612.00"
    );
}

#[test]
fn kent_restates_q1_and_the_q2_payment_nets_the_difference() {
    assert_eq!(field(&ledger("Q1"), "kent", "s_q1"), "992045.42");
    let q2 = ledger("Q2");
    assert_eq!(field(&q2, "kent", "s_q1"), "972045.42");
    assert_eq!(field(&q2, "kent", "s_q2"), "1267613.60");
    // Q2 pays its own spend less the £20,000.00 overpaid on Q1.
    assert_eq!(field(&q2, "kent", "payment"), "1247613.60");
    assert!(has_exception(
        "Q2",
        "kent",
        "RESTATED Q1: £992,045.42 → £972,045.42"
    ));
    let restated = exceptions("Q2")
        .into_iter()
        .find(|r| r["Exception"] == "RESTATED Q1: £992,045.42 → £972,045.42")
        .unwrap();
    assert_eq!(
        ["Section", "Who acts", "Action", "Amount"].map(|c| restated[c].as_str()),
        [
            "Action",
            "Home Office finance",
            "check the restated Q1 return with Kent Police: its eligible spend falls by £20,000.00, netted in this quarter's payment",
            "-20000"
        ]
    );
    assert!(
        !exceptions("Q3")
            .iter()
            .any(|r| r["Force id"] == "kent" && r["Exception"].starts_with("RESTATED"))
    );
}

#[test]
fn essex_has_no_q2_return_at_q2_and_catches_up_at_q3() {
    let q2 = ledger("Q2");
    assert_eq!(field(&q2, "essex", "s_q2"), "0.00");
    assert_eq!(field(&q2, "essex", "status"), "NIL");
    assert!(has_exception("Q2", "essex", "NO-RETURN"));
    let late = exceptions("Q2")
        .into_iter()
        .find(|r| r["Force id"] == "essex" && r["Exception"] == "RECEIVED AFTER CUT-OFF (X14)");
    assert_eq!(
        late.map(|r| r["File"].clone()).as_deref(),
        Some("returns/finance/essex-2025-26-Q2-v1.xlsx")
    );
    let q3 = ledger("Q3");
    assert_eq!(field(&q3, "essex", "s_q2"), "1179323.62");
    assert_eq!(field(&q3, "essex", "payment"), "2563747.00");
    assert!(has_exception(
        "Q3",
        "essex",
        "LATE Q2 RETURN COUNTED: £0.00 → £1,179,323.62"
    ));
    assert!(
        !exceptions("Q3")
            .iter()
            .any(|r| r["Force id"] == "essex" && r["Exception"].starts_with("RESTATED"))
    );
    assert!(!has_exception("Q3", "essex", "NO-RETURN"));
}

#[test]
fn lancashire_is_held_at_q2_and_paid_at_q3() {
    let q2 = ledger("Q2");
    assert_eq!(field(&q2, "lancashire", "status"), "HOLD-NO-MONITORING");
    for blank in ["progress", "fraction", "entitlement"] {
        assert_eq!(field(&q2, "lancashire", blank), "", "{blank}");
    }
    assert_eq!(field(&q2, "lancashire", "payment"), "0.00");
    assert_eq!(field(&q2, "lancashire", "paid_before"), "848115.36");
    assert_eq!(field(&q2, "lancashire", "paid_after"), "848115.36");
    let q3 = ledger("Q3");
    assert_eq!(field(&q3, "lancashire", "status"), "PAY");
    assert_eq!(field(&q3, "lancashire", "payment"), "2355876.00");
}

#[test]
fn cumbria_and_durham_repay_at_q4() {
    let q4 = ledger("Q4");
    assert_eq!(field(&q4, "cumbria", "progress"), "0.9000");
    assert_eq!(field(&q4, "cumbria", "fraction"), "0.70");
    assert_eq!(field(&q4, "cumbria", "entitlement"), "1261086.40");
    assert_eq!(field(&q4, "cumbria", "payment"), "-180155.20");
    assert_eq!(field(&q4, "cumbria", "status"), "RECOVERY");
    let q3 = ledger("Q3");
    assert_eq!(field(&q3, "durham", "progress"), "-0.0800");
    assert_eq!(field(&q3, "durham", "fraction"), "0.00");
    assert_eq!(field(&q3, "durham", "status"), "NIL");
    assert_eq!(field(&q4, "durham", "payment"), "-723863.59");
    assert_eq!(field(&q4, "durham", "paid_after"), "0.00");
    assert_eq!(field(&q4, "durham", "status"), "RECOVERY");
}

#[test]
fn surrey_is_capped_at_its_profile_and_spends_beyond_its_allocation() {
    for q in QUARTERS {
        let rows = ledger(q);
        assert_eq!(
            field(&rows, "surrey", "b"),
            field(&rows, "surrey", "cp"),
            "{q}"
        );
        assert!(money(&field(&rows, "surrey", "cs")) > money(&field(&rows, "surrey", "cp")));
    }
    let q4 = ledger("Q4");
    assert_eq!(field(&q4, "surrey", "cs"), "3292682.40");
    assert_eq!(
        field(&q4, "surrey", "paid_after"),
        field(&q4, "surrey", "allocation")
    );
    assert!(has_exception("Q4", "surrey", "SPEND BEYOND ALLOCATION"));
    assert!(!has_exception("Q3", "surrey", "SPEND BEYOND ALLOCATION"));
}

/// A quarter's surrey X10 lines as (section, file) pairs.
fn surrey_x10(q: &str) -> Vec<(String, String)> {
    exceptions(q)
        .into_iter()
        .filter(|r| r["Force id"] == "surrey" && r["Code"] == "X10")
        .map(|r| (r["Section"].clone(), r["File"].clone()))
        .collect()
}

#[test]
fn surrey_x10_is_listed_in_full_at_q1_and_carried_over_in_one_line_after() {
    let q1 = exceptions("Q1");
    let x10: Vec<_> = q1
        .iter()
        .filter(|r| r["Force id"] == "surrey" && r["Code"] == "X10")
        .collect();
    assert_eq!(x10.len(), 1, "{x10:?}");
    let row = x10[0];
    assert_eq!(
        (
            row["Section"].as_str(),
            row["Exception"].as_str(),
            row["Who acts"].as_str(),
            row["File"].as_str(),
            row["Severity"].as_str()
        ),
        (
            "Action",
            "WARNING",
            "Force",
            "returns/finance/surrey-2025-26-Q1-v1.xlsx",
            "warning"
        )
    );
    assert!(
        row["Message"].starts_with("eligible spend to date £592,682.83 plus the forecast"),
        "{}",
        row["Message"]
    );
    // Each later run has one line for surrey's X10, from its latest return, marked as
    // carried over from Q1 (each of the returns has its own X10).
    for q in ["Q2", "Q3", "Q4"] {
        assert_eq!(
            surrey_x10(q),
            [(
                "Carried over from Q1".to_owned(),
                format!("returns/finance/surrey-2025-26-{q}-v1.xlsx")
            )],
            "{q}"
        );
        let carried = exceptions(q)
            .into_iter()
            .find(|r| r["Force id"] == "surrey" && r["Code"] == "X10")
            .unwrap();
        assert!(
            carried["Message"].starts_with("carried over from Q1"),
            "{}",
            carried["Message"]
        );
    }
    // Suffolk's X06 and X10 first show at Q2 (its Q2 return): in full there, carried after.
    for (q, section) in [
        ("Q1", None),
        ("Q2", Some("Action")),
        ("Q3", Some("Carried over from Q2")),
        ("Q4", Some("Carried over from Q2")),
    ] {
        for code in ["X06", "X10"] {
            let sections: Vec<String> = exceptions(q)
                .into_iter()
                .filter(|r| r["Force id"] == "suffolk" && r["Code"] == code)
                .map(|r| r["Section"].clone())
                .collect();
            assert_eq!(
                sections,
                section.into_iter().collect::<Vec<_>>(),
                "{q} {code}"
            );
        }
    }
}

#[test]
fn norfolk_dorset_and_suffolk() {
    let q3 = ledger("Q3");
    assert_eq!(field(&q3, "norfolk", "progress"), "0.9500");
    assert_eq!(field(&q3, "norfolk", "fraction"), "0.90");
    assert_eq!(field(&q3, "norfolk", "entitlement"), "1595305.06");
    let q1 = ledger("Q1");
    assert_eq!(field(&q1, "dorset", "progress"), "1.0000");
    assert_eq!(field(&q1, "dorset", "status"), "PAY");
    // Dorset's planned uplift at June is zero (the reconciliation shows it).
    let dump = dump_cells(&run_dir("Q1").join("reconciliation.xlsx"));
    let monthly = sheet(&dump, "Monthly");
    let header = &monthly[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let june = monthly
        .iter()
        .find(|r| r[0] == "dorset" && r[2] == "2025-06")
        .unwrap();
    assert_eq!(june[col("Planned uplift (Up)")], "0");
    assert_eq!(june[col("Progress (P)")], "1");
    // Suffolk: the `other` spend without a note is X06, and not eligible.
    let x06 = exceptions("Q2")
        .into_iter()
        .any(|r| r["Force id"] == "suffolk" && r["Code"] == "X06");
    assert!(x06);
    assert_eq!(field(&ledger("Q2"), "suffolk", "s_q2"), "437305.98");
}

#[test]
fn wiltshire_q3_return_is_invalid_with_its_c02_cell_and_counts_as_absent() {
    let q3 = ledger("Q3");
    assert_eq!(field(&q3, "wiltshire", "s_q3"), "0.00");
    assert_eq!(field(&q3, "wiltshire", "status"), "NIL");
    let invalid: Vec<BTreeMap<String, String>> = exceptions("Q3")
        .into_iter()
        .filter(|r| r["Force id"] == "wiltshire" && r["Exception"] == "RETURN-INVALID")
        .collect();
    assert_eq!(invalid.len(), 1, "{invalid:?}");
    let row = &invalid[0];
    assert_eq!(row["File"], "returns/finance/wiltshire-2025-26-Q3-v1.xlsx");
    assert_eq!(
        (
            row["Sheet"].as_str(),
            row["Cell"].as_str(),
            row["Code"].as_str()
        ),
        ("Expenditure", "C6", "C02")
    );
    assert!(row["Message"].contains("12,500.00"), "{}", row["Message"]);
    // The force corrects the cell named and sends the return again, by the next cut-off.
    assert_eq!(
        (row["Section"].as_str(), row["Who acts"].as_str()),
        ("Action", "Force")
    );
    assert_eq!(
        row["Action"],
        "correct Expenditure!C6 and send the return again as v2 by the Q4 cut-off (2026-04-30) to count at that run"
    );
    assert!(has_exception("Q3", "wiltshire", "NO-RETURN"));
}

#[test]
fn north_wales_is_judged_on_plan_v1_at_q2_and_v2_from_q3() {
    let used = |q: &str, file: &str| {
        let dump = dump_cells(&run_dir(q).join("payment-schedule.xlsx"));
        let row = sheet(&dump, "Inputs")
            .iter()
            .find(|r| r[0] == file)
            .cloned()
            .unwrap_or_else(|| panic!("{file} not in Inputs"));
        (row[4].clone(), row.get(5).cloned().unwrap_or_default())
    };
    let v1 = "returns/plans/north-wales-plan-v1.xlsx";
    let v2 = "returns/plans/north-wales-plan-v2.xlsx";
    assert_eq!(used("Q2", v1).0, "yes");
    assert_eq!(
        used("Q2", v2),
        ("no".into(), "received after the cut-off".into())
    );
    assert_eq!(used("Q3", v2).0, "yes");
    assert_eq!(used("Q3", v1), ("no".into(), format!("superseded by {v2}")));
    // CP at Q3 is v2's profile to December.
    assert_eq!(field(&ledger("Q3"), "north-wales", "cp"), "1374722.90");
    assert_eq!(field(&ledger("Q2"), "north-wales", "cp"), "909090.95");
}

#[test]
fn the_national_invariants_hold_every_quarter_and_less_than_the_pot_is_paid() {
    let pot = money("200000000.00");
    for q in QUARTERS {
        let rows = ledger(q);
        assert_eq!(rows.len(), 43);
        let allocated: Money = rows.values().map(|r| money(&r["allocation"])).sum();
        assert_eq!(allocated, pot, "{q}: Σ A = pot");
        let mut paid = Money::ZERO;
        for (force, r) in &rows {
            let after = money(&r["paid_after"]);
            assert!(after <= money(&r["allocation"]), "{q} {force}");
            assert_eq!(money(&r["paid_before"]) + money(&r["payment"]), after);
            assert_eq!(r["quarter"], q);
            paid += after;
        }
        assert!(paid <= pot, "{q}");
    }
    let paid: Money = ledger("Q4").values().map(|r| money(&r["paid_after"])).sum();
    assert_eq!(paid, money("195307383.79"));
}

#[test]
fn each_quarter_starts_from_the_ledger_of_the_one_before() {
    for pair in QUARTERS.windows(2) {
        let before = ledger(pair[0]);
        let after = ledger(pair[1]);
        for (force, row) in &after {
            assert_eq!(row["paid_before"], before[force]["paid_after"], "{force}");
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run_dir(pair[1]).join("manifest.json")).unwrap())
                .unwrap();
        let prior_bytes = std::fs::read(run_dir(pair[0]).join("ledger.csv")).unwrap();
        assert_eq!(
            manifest["prior_run"]["path"],
            format!("../2025-26-{}/ledger.csv", pair[0])
        );
        assert_eq!(
            manifest["prior_run"]["sha256"],
            npg::cycle::load::sha256_hex(&prior_bytes)
        );
    }
}

/// Pence from a cell read back by calamine (a float with at most 2 places).
fn pence(cell: &str) -> i64 {
    let value: f64 = cell
        .parse()
        .unwrap_or_else(|_| panic!("{cell:?} is not a number"));
    (value * 100.0).round() as i64
}

fn ledger_pence(text: &str) -> i64 {
    i64::try_from(money(text).to_pence()).unwrap()
}

#[test]
fn the_schedule_equals_the_ledger_to_the_penny_and_its_totals_add_up() {
    // Schedule column → ledger field, for every money figure.
    let money_columns = [
        ("Allocation (A)", "allocation"),
        ("Eligible spend Q1 (S1)", "s_q1"),
        ("Eligible spend Q2 (S2)", "s_q2"),
        ("Eligible spend Q3 (S3)", "s_q3"),
        ("Eligible spend Q4 (S4)", "s_q4"),
        ("Eligible spend to date (CS)", "cs"),
        ("Profiled spend to date (CP)", "cp"),
        ("Profiled actuals (B)", "b"),
        ("Entitlement to date (E)", "entitlement"),
        ("Paid before (PTD)", "paid_before"),
        ("Payment this quarter", "payment"),
        ("Paid after", "paid_after"),
    ];
    for q in QUARTERS {
        let rows = ledger(q);
        let dump = dump_cells(&run_dir(q).join("payment-schedule.xlsx"));
        // Every symbol of rules §7 is on the Calculation sheet (the Schedule holds what is
        // signed off).
        let schedule = sheet(&dump, "Calculation");
        let header = &schedule[0];
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no column {name}"))
        };
        let lines = &schedule[1..schedule.len() - 1];
        let totals = schedule.last().unwrap();
        assert_eq!(totals[0], "Total");
        assert_eq!(lines.len(), rows.len());
        for line in lines {
            let force = &line[0];
            let ledger_row = &rows[force];
            for (column, name) in money_columns {
                let cell = line.get(col(column)).cloned().unwrap_or_default();
                let expected = &ledger_row[name];
                if expected.is_empty() {
                    assert_eq!(cell, "", "{q} {force} {column}");
                } else {
                    assert_eq!(pence(&cell), ledger_pence(expected), "{q} {force} {column}");
                }
            }
            assert_eq!(line[col("Status")], ledger_row["status"]);
            let progress = &ledger_row["progress"];
            if !progress.is_empty() {
                let shown: f64 = line[col("Progress (P)")].parse().unwrap();
                assert_eq!(format!("{shown:.4}"), *progress, "{q} {force}");
            }
            assert!(line[col("Explanation")].ends_with('.'));
        }
        for (column, _) in money_columns {
            let c = col(column);
            let total: i64 = lines
                .iter()
                .map(|l| l.get(c).filter(|s| !s.is_empty()).map_or(0, |s| pence(s)))
                .sum();
            let shown = totals.get(c).cloned().unwrap_or_default();
            if shown.is_empty() {
                assert_eq!(total, 0, "{q} {column}");
            } else {
                assert_eq!(pence(&shown), total, "{q} totals row, {column}");
            }
        }
        let withheld = col("Withheld (B − E)");
        let held_free: i64 = lines
            .iter()
            .map(|l| {
                l.get(withheld)
                    .filter(|s| !s.is_empty())
                    .map_or(0, |s| pence(s))
            })
            .sum();
        assert_eq!(pence(&totals[withheld]), held_free);
    }
}

#[test]
fn the_summary_sheet_gives_the_national_figures() {
    let dump = dump_cells(&run_dir("Q4").join("payment-schedule.xlsx"));
    let summary: BTreeMap<String, String> = sheet(&dump, "Summary")
        .iter()
        .filter(|r| r.len() >= 2)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(summary["Rules version"], "npg-2025-26.1");
    assert_eq!(summary["Payment date"], "2026-05-15");
    assert_eq!(pence(&summary["Pot"]), 20_000_000_000);
    assert_eq!(pence(&summary["Paid after this quarter"]), 19_530_738_379);
    assert_eq!(pence(&summary["Recoveries this quarter"]), -90_401_879);
    assert_eq!(summary["RECOVERY"], "2");
    assert_eq!(summary["PAY"], "41");
    let names: Vec<&str> = dump.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Approval",
            "Summary",
            "Schedule",
            "Calculation",
            "Exceptions",
            "Inputs"
        ]
    );
}

#[test]
fn the_reconciliation_has_its_four_sheets_rag_colours_and_charts() {
    let path = run_dir("Q2").join("reconciliation.xlsx");
    let dump = dump_cells(&path);
    let names: Vec<&str> = dump.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Summary", "Monthly", "National", "Charts"]);
    let summary = sheet(&dump, "Summary");
    let header = &summary[6];
    assert_eq!(header[0], "Force id");
    let rag = header.iter().position(|h| h == "RAG").unwrap();
    let row = |force: &str| {
        summary
            .iter()
            .find(|r| r.first().is_some_and(|f| f == force))
            .unwrap()
            .clone()
    };
    assert_eq!(row("bedfordshire")[rag], "red");
    assert_eq!(row("metropolitan")[rag], "green");
    // Lancashire's September is not reported at the Q2 cut-off: never shown as zero.
    let lancashire = row("lancashire");
    assert_eq!(lancashire[4], "not reported");
    assert_eq!(lancashire.last().unwrap(), "2025-08");
    let national = sheet(&dump, "National");
    assert_eq!(national.len(), 7, "April to September");
    assert_eq!(national[6][0], "2025-09");
    assert_eq!(
        national[6][1], "42",
        "lancashire is not counted in September"
    );
    // The RAG fills and the charts: one national and one per force.
    let styles = zip_part(&path, "xl/styles.xml");
    for fill in ["FFC6EFCE", "FFFFEB9C", "FFFFC7CE"] {
        assert!(styles.contains(fill), "{fill}");
    }
    let drawing = zip_part(&path, "xl/drawings/drawing1.xml");
    assert_eq!(drawing.matches("<c:chart ").count(), 44);
    let national_chart = zip_part(&path, "xl/charts/chart1.xml");
    assert!(
        national_chart.contains("National!$I$2:$I$7"),
        "planned uplift series"
    );
    assert!(
        national_chart.contains("National!$J$2:$J$7"),
        "actual uplift series"
    );
}

#[test]
fn running_the_same_quarters_again_gives_identical_bytes() {
    let again = tempfile::tempdir().unwrap();
    npg()
        .args(["pay", "--quarter", "Q1-Q2", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(again.path())
        .assert()
        .success();
    // A single quarter from the folder of the first gives the range's bytes too.
    npg()
        .args(["pay", "--quarter", "Q3", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(again.path())
        .assert()
        .success();
    for q in ["Q1", "Q2", "Q3"] {
        let first = tree_bytes(&run_dir(q));
        let second = tree_bytes(&again.path().join(format!("2025-26-{q}")));
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            second.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &first {
            assert!(
                second[name] == *bytes,
                "{q}/{name} differs between two runs"
            );
        }
    }
    // And --overwrite of an existing run swaps in the same bytes.
    let before = tree_bytes(&again.path().join("2025-26-Q3"));
    npg()
        .args(["pay", "--quarter", "Q3", "--overwrite", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(again.path())
        .assert()
        .success();
    assert!(tree_bytes(&again.path().join("2025-26-Q3")) == before);
}

#[test]
fn the_manifest_lists_every_input_and_output_with_relative_paths() {
    let text = std::fs::read_to_string(run_dir("Q2").join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(manifest["tool"]["name"], "npg");
    assert_eq!(manifest["rules_version"], "npg-2025-26.1");
    assert_eq!(manifest["quarter"], "Q2");
    assert_eq!(manifest["cycle_config"]["path"], "cycle.toml");
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(
        inputs.len(),
        2 + 390,
        "forces, allocations and every return"
    );
    let late = inputs
        .iter()
        .find(|i| i["path"] == "returns/finance/essex-2025-26-Q2-v1.xlsx")
        .unwrap();
    assert_eq!(late["used"], false);
    assert_eq!(late["reason"], "received after the cut-off");
    let outputs: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    // Issue 13, items 3 and 4: the statements follow the four files, sorted by path.
    let mut expected = vec![
        "payment-schedule.xlsx".to_owned(),
        "reconciliation.xlsx".to_owned(),
        "ledger.csv".to_owned(),
        "payments.csv".to_owned(),
    ];
    expected.extend(statement_paths("Q2"));
    assert_eq!(outputs, expected);
    assert!(outputs.contains(&"statements/kent-2025-26-Q2.xlsx"));
    let root = fixture_cycle().display().to_string();
    assert!(!text.contains(&root), "no absolute path");
    assert!(!text.contains("\\\\"));
}

fn pay(cycle: &Path, out: &Path, quarter: &str) -> assert_cmd::assert::Assert {
    npg()
        .args(["pay", "--quarter", quarter, "--cycle"])
        .arg(cycle)
        .arg("--out")
        .arg(out)
        .assert()
}

#[test]
fn a_quarter_after_q1_refuses_to_run_without_its_predecessor() {
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q3")
        .code(1)
        .stderr(predicate::str::contains("there is no Q2 run"));
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_quarter_refuses_to_run_on_an_altered_prior_ledger() {
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q1-Q2").success();
    let ledger = out.path().join("2025-26-Q2/ledger.csv");
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(&ledger, text.replacen(",PAY\n", ",NIL\n", 1)).unwrap();
    pay(&fixture_cycle(), out.path(), "Q3")
        .code(1)
        .stderr(predicate::str::contains(
            "ledger.csv has changed since the run wrote it",
        ));
    assert!(!out.path().join("2025-26-Q3").exists());
    // A deleted manifest is refused too.
    std::fs::remove_file(out.path().join("2025-26-Q2/manifest.json")).unwrap();
    pay(&fixture_cycle(), out.path(), "Q3")
        .code(1)
        .stderr(predicate::str::contains("has no manifest.json"));
}

#[test]
fn an_existing_run_is_never_replaced_without_overwrite() {
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q1").success();
    let before = tree_bytes(out.path());
    pay(&fixture_cycle(), out.path(), "Q1")
        .code(2)
        .stderr(predicate::str::contains("already exists; give --overwrite"));
    assert!(tree_bytes(out.path()) == before);
}

#[test]
fn allocations_that_do_not_total_the_pot_stop_the_run_with_exit_1() {
    let cycle = fixture_copy();
    let bad = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/findings/X08-allocations-not-the-pot/allocations.xlsx");
    std::fs::copy(bad, cycle.path().join("allocations.xlsx")).unwrap();
    let out = tempfile::tempdir().unwrap();
    pay(cycle.path(), out.path(), "Q1")
        .code(1)
        .stdout(predicate::str::contains("X08"))
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn a_malformed_cycle_toml_stops_the_run_with_exit_1_naming_the_line() {
    let cycle = fixture_copy();
    let path = cycle.path().join("cycle.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("pay = \"0.90\"", "pay = \"1.90\"")).unwrap();
    let out = tempfile::tempdir().unwrap();
    pay(cycle.path(), out.path(), "Q1")
        .code(1)
        .stderr(predicate::str::contains("line").and(predicate::str::contains("taper.pay")));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn usage_mistakes_and_missing_folders_exit_2() {
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q5")
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'Q5' for '--quarter <Qn|Qa-Qb>': not a quarter or range",
        ));
    pay(&fixture_cycle(), out.path(), "Q3-Q1")
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'Q3-Q1' for '--quarter <Qn|Qa-Qb>': the range runs backwards",
        ));
    pay(&out.path().join("nowhere"), out.path(), "Q1")
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn a_breached_invariant_writes_nothing_and_exits_2() {
    // A Q1 run folder whose ledger (and manifest, made to match) says more was paid to a
    // force than its allocation: the Q2 run would carry that forward, so it must stop.
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q1").success();
    let q1 = out.path().join("2025-26-Q1");
    let ledger_path = q1.join("ledger.csv");
    let text = std::fs::read_to_string(&ledger_path).unwrap();
    let forged = text.replace(
        "city-of-london,Q1,1385809.00,249445.62,,,,249445.62,249445.62,249445.62,1.1111,1.00,249445.62,0.00,249445.62,249445.62,PAY",
        "city-of-london,Q1,1385809.00,249445.62,,,,249445.62,249445.62,249445.62,1.1111,1.00,249445.62,1200000.00,249445.62,1449445.62,PAY",
    );
    assert_ne!(forged, text, "the forged line is in place");
    std::fs::write(&ledger_path, &forged).unwrap();
    let manifest_path = q1.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    for output in manifest["outputs"].as_array_mut().unwrap() {
        if output["path"] == "ledger.csv" {
            output["sha256"] = npg::cycle::load::sha256_hex(forged.as_bytes()).into();
            output["bytes"] = forged.len().into();
        }
    }
    std::fs::write(
        &manifest_path,
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    pay(&fixture_cycle(), out.path(), "Q2")
        .code(2)
        .stderr(predicate::str::contains("more than its allocation"));
    assert!(!out.path().join("2025-26-Q2").exists());
}

#[test]
fn the_run_never_changes_the_cycle_folder() {
    let cycle = fixture_copy();
    let before = tree_bytes(cycle.path());
    let out = tempfile::tempdir().unwrap();
    pay(cycle.path(), out.path(), "Q1-Q4").success();
    assert!(tree_bytes(cycle.path()) == before);
}

#[test]
fn progress_stays_off_a_pipe_and_v_logs_what_it_does() {
    let out = tempfile::tempdir().unwrap();
    let assert = pay(&fixture_cycle(), out.path(), "Q1").success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr, "", "stderr is not a terminal: no progress bar");
    npg()
        .args(["-v", "pay", "--quarter", "Q1", "--overwrite", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("read the cycle folder"));
}

#[test]
fn reconcile_writes_the_workbook_alone_for_any_month() {
    let out = tempfile::tempdir().unwrap();
    npg()
        .args(["reconcile", "--month", "2025-08", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("reconciliation-2025-08.xlsx"));
    let path = out.path().join("reconciliation-2025-08.xlsx");
    let dump = dump_cells(&path);
    let national = sheet(&dump, "National");
    assert_eq!(national.len(), 6, "April to August");
    // At the Q2 cut-off lancashire has reported to August, so every force counts.
    assert_eq!(national[5][1], "43");
    // The same month's figures as the Q2 run's reconciliation, which also covers August.
    let q2 = dump_cells(&run_dir("Q2").join("reconciliation.xlsx"));
    assert_eq!(sheet(&q2, "National")[5], national[5]);
    // Again without --overwrite is refused; a month outside the year is a usage mistake.
    npg()
        .args(["reconcile", "--month", "2025-08", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2);
    npg()
        .args(["reconcile", "--month", "2026-04", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "outside the cycle's financial year",
        ));
}

#[test]
fn libreoffice_opens_the_run_workbooks_and_reads_the_same_figures() {
    let Some(soffice) = crate::common::soffice_or_skip(
        "libreoffice_opens_the_run_workbooks_and_reads_the_same_figures",
    ) else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    for name in ["payment-schedule.xlsx", "reconciliation.xlsx"] {
        let original = run_dir("Q4").join(name);
        let resaved = crate::common::soffice_convert(&soffice, &original, "ods", out.path());
        let before = crate::common::by_sheet(&dump_cells(&original));
        let after = crate::common::by_sheet(&dump_cells(&resaved));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{name}"
        );
        for (sheet_name, rows) in &before {
            assert!(
                after[sheet_name] == *rows,
                "{name} › {sheet_name} reads differently once LibreOffice has saved it"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_return_that_cannot_be_read_stops_the_run_instead_of_counting_as_absent() {
    let cycle = fixture_copy();
    let broken = cycle.path().join("returns/finance/kent-2025-26-Q1-v3.xlsx");
    std::os::unix::fs::symlink(cycle.path().join("nowhere.xlsx"), &broken).unwrap();
    let out = tempfile::tempdir().unwrap();
    pay(cycle.path(), out.path(), "Q1")
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read returns/finance/kent-2025-26-Q1-v3.xlsx",
        ));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

/// Rewrites a return with its `Submitted on` date and one cell changed.
fn resubmit(path: &Path, to: &Path, submitted: &str, cell: (&str, u32, u32, f64)) {
    use npg::read::grid::CellValue;
    let mut data = npg::read::open::read_workbook(path, "return").unwrap();
    let about = data.sheet("About").unwrap();
    let row = about
        .cells()
        .find(|((_, col), v)| *col == 0 && matches!(v, CellValue::Text(t) if t == "Submitted on"))
        .map(|((row, _), _)| row)
        .unwrap();
    let date = chrono::NaiveDate::parse_from_str(submitted, "%Y-%m-%d").unwrap();
    crate::common::set_cell(&mut data, "About", row, 1, CellValue::Date(date.into()));
    crate::common::set_cell(&mut data, cell.0, cell.1, cell.2, CellValue::Number(cell.3));
    std::fs::write(to, crate::common::write_grid(&data)).unwrap();
}

/// Runs Q1 on a copy of the year holding a second, different Q1 v1 return of `force`, sent
/// on `submitted`: the force's ledger line and its rows of the Exceptions sheet.
fn q1_with_a_second_v1(
    force: &str,
    submitted: &str,
) -> (BTreeMap<String, String>, Vec<BTreeMap<String, String>>) {
    let cycle = fixture_copy();
    let finance = cycle.path().join("returns/finance");
    resubmit(
        &finance.join(format!("{force}-2025-26-Q1-v1.xlsx")),
        &finance.join(format!("{force}-2025-26-Q1-v1-again.xlsx")),
        submitted,
        ("Expenditure", 1, 2, 1.0),
    );
    let out = tempfile::tempdir().unwrap();
    pay(cycle.path(), out.path(), "Q1").success();
    let mut rows = read_ledger(&out.path().join("2025-26-Q1/ledger.csv"));
    let dump = dump_cells(&out.path().join("2025-26-Q1/payment-schedule.xlsx"));
    let exceptions = exception_rows(&dump)
        .into_iter()
        .filter(|r| r["Force id"] == force)
        .collect();
    (rows.remove(force).unwrap(), exceptions)
}

#[test]
fn a_return_arriving_after_the_cut_off_never_makes_the_one_that_counted_ambiguous() {
    let (kent, exceptions) = q1_with_a_second_v1("kent", "2025-09-01");
    assert_eq!(
        (kent["s_q1"].as_str(), kent["status"].as_str()),
        ("992045.42", "PAY")
    );
    // Only the two late returns (the new one and kent's own restatement, v2), as X14 info.
    assert_eq!(exceptions.len(), 2, "{exceptions:?}");
    for row in &exceptions {
        assert_eq!(row["Exception"], "RECEIVED AFTER CUT-OFF (X14)", "{row:?}");
        assert_eq!(
            (row["Code"].as_str(), row["Severity"].as_str()),
            ("X14", "info")
        );
    }
    let section = |file: &str| {
        exceptions
            .iter()
            .find(|r| r["File"] == file)
            .map(|r| r["Section"].clone())
    };
    // Both came after the cut-off while v1 counted: information (issue 13), the v2's line
    // saying it restates Q1 at the Q2 run, which lists the restatement as an exception.
    assert_eq!(
        section("returns/finance/kent-2025-26-Q1-v1-again.xlsx").as_deref(),
        Some("Information")
    );
    assert_eq!(
        section("returns/finance/kent-2025-26-Q1-v2.xlsx").as_deref(),
        Some("Information")
    );
}

#[test]
fn two_different_returns_of_one_version_by_the_cut_off_are_ambiguous_and_neither_counts() {
    let (essex, exceptions) = q1_with_a_second_v1("essex", "2025-07-20");
    assert_eq!(essex["s_q1"], "0.00");
    let ambiguous = exceptions
        .iter()
        .filter(|r| r["Exception"] == "AMBIGUOUS (X13)" && r["Section"] == "Action")
        .count();
    assert_eq!(ambiguous, 2, "{exceptions:?}");
}

#[test]
fn a_return_in_a_hidden_folder_is_read_like_any_other() {
    let cycle = fixture_copy();
    let hidden = cycle.path().join("returns/.late");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::rename(
        cycle
            .path()
            .join("returns/finance/essex-2025-26-Q1-v1.xlsx"),
        hidden.join("essex-2025-26-Q1-v1.xlsx"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    pay(cycle.path(), out.path(), "Q1").success();
    let rows = read_ledger(&out.path().join("2025-26-Q1/ledger.csv"));
    assert_eq!(rows["essex"]["s_q1"], "922948.92");
    let manifest = std::fs::read_to_string(out.path().join("2025-26-Q1/manifest.json")).unwrap();
    assert!(manifest.contains("\"path\": \"returns/.late/essex-2025-26-Q1-v1.xlsx\""));
}

#[test]
fn a_prior_manifest_with_an_output_left_out_is_refused() {
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q1").success();
    let q1 = out.path().join("2025-26-Q1");
    let path = q1.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["outputs"]
        .as_array_mut()
        .unwrap()
        .retain(|o| o["path"] != "payment-schedule.xlsx");
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    std::fs::write(q1.join("payment-schedule.xlsx"), b"not the schedule").unwrap();
    pay(&fixture_cycle(), out.path(), "Q2")
        .code(1)
        .stderr(predicate::str::contains(
            "not the files a run writes (payment-schedule.xlsx, reconciliation.xlsx, ledger.csv, payments.csv and in statements/",
        ));
    assert!(!out.path().join("2025-26-Q2").exists());
    // A statement left out of the manifest (and its file with it) is refused too: every
    // force of the ledger has its statement listed, so none can be changed unseen.
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q1").success();
    let q1 = out.path().join("2025-26-Q1");
    let path = q1.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["outputs"]
        .as_array_mut()
        .unwrap()
        .retain(|o| o["path"] != "statements/kent-2025-26-Q1.xlsx");
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    std::fs::remove_file(q1.join("statements/kent-2025-26-Q1.xlsx")).unwrap();
    pay(&fixture_cycle(), out.path(), "Q2")
        .code(1)
        .stderr(predicate::str::contains(
            "and in statements/ a statement for each force of its ledger",
        ));
    assert!(!out.path().join("2025-26-Q2").exists());
}

#[test]
fn a_range_that_cannot_land_whole_leaves_the_runs_that_were_there() {
    let out = tempfile::tempdir().unwrap();
    pay(&fixture_cycle(), out.path(), "Q1").success();
    let before = tree_bytes(out.path());
    // Q3's place is taken by a file: the range Q1-Q4 with --overwrite cannot land.
    std::fs::write(out.path().join("2025-26-Q3"), b"in the way").unwrap();
    npg()
        .args(["pay", "--quarter", "Q1-Q4", "--overwrite", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is there but is not a folder"));
    let after = tree_bytes(out.path());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before
            .keys()
            .chain(std::iter::once(&"2025-26-Q3".to_owned()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    for (name, bytes) in &before {
        assert!(after[name] == *bytes, "{name} unchanged");
    }
    // --out naming a file is refused too.
    pay(&fixture_cycle(), &out.path().join("2025-26-Q3"), "Q1")
        .code(2)
        .stderr(predicate::str::contains("is a file, not a folder"));
}

#[test]
fn outputs_inside_the_cycle_folder_are_refused() {
    let cycle = fixture_copy();
    pay(cycle.path(), &cycle.path().join("returns/out"), "Q1")
        .code(2)
        .stderr(predicate::str::contains("is inside the cycle folder"));
    assert!(!cycle.path().join("returns/out").exists());
    npg()
        .args(["reconcile", "--month", "2025-06", "--cycle"])
        .arg(cycle.path())
        .arg("--out")
        .arg(cycle.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is inside the cycle folder"));
}

/// A quarter's Calculation sheet (every column of a line, the explanation included) as a map
/// from force id to (header → cell).
fn schedule_rows(q: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    sheet_rows(q, "Calculation")
}

/// One sheet of a quarter's payment schedule, a line per force, as a map from force id to
/// (header → cell).
pub(crate) fn sheet_rows(q: &str, name: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let dump = dump_cells(&run_dir(q).join("payment-schedule.xlsx"));
    let schedule = sheet(&dump, name);
    let header = schedule[0].clone();
    schedule[1..]
        .iter()
        .filter(|r| r.first().is_some_and(|f| f != "Total"))
        .map(|r| {
            let cells = header
                .iter()
                .cloned()
                .zip(r.iter().cloned().chain(std::iter::repeat(String::new())))
                .collect();
            (r[0].clone(), cells)
        })
        .collect()
}

#[test]
fn every_line_has_a_reason_and_its_explanation_names_it_first() {
    let q2 = schedule_rows("Q2");
    let q3 = schedule_rows("Q3");
    let q4 = schedule_rows("Q4");
    let reason = |rows: &BTreeMap<String, BTreeMap<String, String>>, force: &str| {
        rows[force]["Reason"].clone()
    };
    // Three NIL lines at Q2 and Q3, each for a different reason.
    assert_eq!(q2["essex"]["Status"], "NIL");
    assert_eq!(
        reason(&q2, "essex"),
        "NO-RETURN: the Q2 financial return came after the cut-off, so its spend counts as £0.00 until the next run"
    );
    assert_eq!(q2["bedfordshire"]["Status"], "NIL");
    assert_eq!(
        reason(&q2, "bedfordshire"),
        "TAPER 0%: progress is below every band that pays, so nothing is payable"
    );
    assert_eq!(q3["wiltshire"]["Status"], "NIL");
    assert_eq!(
        reason(&q3, "wiltshire"),
        "RETURN-INVALID: the Q3 financial return has errors and was not used, so its spend counts as £0.00"
    );
    assert!(
        q2["essex"]["Explanation"].starts_with(
            "NO-RETURN: The Q2 financial return came after the cut-off, so its spend counts as £0.00 until the next run. Eligible spend to date"
        ),
        "{}",
        q2["essex"]["Explanation"]
    );
    assert!(q3["wiltshire"]["Explanation"].starts_with("RETURN-INVALID: "));
    // A full payment has its reason too; a late return caught up, a cap and a taper lead.
    assert!(reason(&q3, "kent").starts_with("ON PLAN: "));
    assert!(reason(&q3, "essex").starts_with("LATE Q2 RETURN COUNTED: "));
    assert!(reason(&q2, "kent").starts_with("RESTATED Q1: "));
    assert!(reason(&q3, "norfolk").starts_with("TAPER 90%: "));
    assert!(reason(&q4, "durham").starts_with("TAPER 0%: "));
    assert_eq!(q4["durham"]["Status"], "RECOVERY");
    assert!(reason(&q2, "lancashire").starts_with("HOLD-NO-MONITORING: "));
    // Where several apply the first in the fixed order leads and the others follow.
    assert!(
        reason(&q4, "surrey").starts_with("CAPPED AT PROFILE: ")
            && reason(&q4, "surrey").ends_with("; also SPEND BEYOND ALLOCATION"),
        "{}",
        reason(&q4, "surrey")
    );
    for (q, rows) in [("Q2", &q2), ("Q3", &q3), ("Q4", &q4)] {
        for (force, row) in rows.iter() {
            let code = row["Reason"]
                .split(':')
                .next()
                .unwrap_or_default()
                .to_owned();
            assert!(!code.is_empty(), "{q} {force} has no reason");
            assert!(
                row["Explanation"].starts_with(&format!("{code}: ")),
                "{q} {force}: {}",
                row["Explanation"]
            );
        }
    }
}

#[test]
fn the_terminal_splits_nil_by_reason_and_signs_recoveries_as_the_summary_does() {
    let out = std::env::temp_dir().join(format!("npg-terminal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = npg()
        .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&out);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("(PAY 40, NIL 2 [NO-RETURN 1, TAPER 0% 1], HOLD-NO-MONITORING 1)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(PAY 41, NIL 2 [RETURN-INVALID 1, TAPER 0% 1])"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "payable £62,949,342.17, recoveries -£904,018.79, net payment £62,045,323.38;"
        ),
        "{stdout}"
    );
    let q4_manifest = year_runs().join("2025-26-Q4").join("manifest.json");
    let manifest_sha = npg::cycle::load::sha256_hex(&std::fs::read(q4_manifest).unwrap());
    let q4 = stdout.split("2025-26 Q4:").nth(1).unwrap_or_default();
    assert!(
        q4.contains(&format!("manifest.json SHA-256 {manifest_sha}")),
        "{stdout}"
    );
    assert!(q4.contains("input fingerprint "), "{stdout}");
}

/// The Summary sheet of a quarter: its labels and values.
fn summary(q: &str) -> BTreeMap<String, String> {
    let dump = dump_cells(&run_dir(q).join("payment-schedule.xlsx"));
    sheet(&dump, "Summary")
        .iter()
        .filter(|r| r.len() >= 2)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

/// The rows of one kind of exception in a quarter.
fn rows_of(q: &str, exception: &str) -> Vec<BTreeMap<String, String>> {
    exceptions(q)
        .into_iter()
        .filter(|r| r["Exception"] == exception)
        .collect()
}

#[test]
fn q4_has_an_action_line_per_recovery_with_its_amount() {
    let got: Vec<[String; 5]> = rows_of("Q4", "RECOVERY")
        .into_iter()
        .map(|r| ["Section", "Force id", "Who acts", "Action", "Amount"].map(|c| r[c].clone()))
        .collect();
    assert_eq!(
        got,
        [
            [
                "Action",
                "cumbria",
                "Home Office finance",
                "invoice Cumbria Constabulary for £180,155.20 and record it against the grant",
                "-180155.2"
            ],
            [
                "Action",
                "durham",
                "Home Office finance",
                "invoice Durham Constabulary for £723,863.59 and record it against the grant",
                "-723863.59"
            ],
        ]
        .map(|row| row.map(str::to_owned))
    );
    let total: i64 = rows_of("Q4", "RECOVERY")
        .iter()
        .map(|r| pence(&r["Amount"]))
        .sum();
    assert_eq!(total, pence(&summary("Q4")["Recoveries this quarter"]));
    assert_eq!(total, -90_401_879);
    for q in ["Q1", "Q2", "Q3"] {
        assert!(rows_of(q, "RECOVERY").is_empty(), "{q}");
    }
}

#[test]
fn each_amount_withheld_is_an_action_line_saying_why() {
    let q2 = rows_of("Q2", "WITHHELD");
    assert_eq!(q2.len(), 1, "{q2:?}");
    let bedfordshire = &q2[0];
    assert_eq!(
        ["Section", "Force id", "Who acts", "Amount"].map(|c| bedfordshire[c].as_str()),
        ["Action", "bedfordshire", "Home Office finance", "826875.13"]
    );
    assert_eq!(
        bedfordshire["Message"],
        "progress 68.42% of planned uplift (band below 75.01%: 0% payable): entitlement to date £0.00 of profiled actuals £826,875.13; £826,875.13 withheld"
    );
    assert!(
        bedfordshire["Action"].starts_with("tell Bedfordshire Police that £826,875.13 is withheld"),
        "{}",
        bedfordshire["Action"]
    );
    // Every quarter's withheld lines add up to the Summary's withheld, force by force.
    let forces = |q: &str| -> Vec<String> {
        rows_of(q, "WITHHELD")
            .into_iter()
            .map(|r| r["Force id"].clone())
            .collect()
    };
    assert_eq!(forces("Q1"), Vec::<String>::new());
    assert_eq!(forces("Q3"), ["bedfordshire", "durham", "norfolk"]);
    assert_eq!(forces("Q4"), ["cumbria", "durham"]);
    for q in QUARTERS {
        let total: i64 = rows_of(q, "WITHHELD")
            .iter()
            .map(|r| pence(&r["Amount"]))
            .sum();
        assert_eq!(
            total,
            pence(&summary(q)["Withheld (held lines not counted)"]),
            "{q}"
        );
    }
}

#[test]
fn holds_and_unusable_returns_say_what_unblocks_them() {
    let hold = rows_of("Q2", "HOLD");
    assert_eq!(hold.len(), 1);
    assert_eq!(hold[0]["Force id"], "lancashire");
    assert_eq!(
        hold[0]["Action"],
        "nothing to pay now: a monitoring return with months to 2025-09 (returns/monitoring/lancashire-2025-09.xlsx) came after the cut-off; it counts at the Q3 run (cut-off 2026-01-31), which pays what is due"
    );
    let no_return: Vec<[String; 3]> = ["Q2", "Q3"]
        .into_iter()
        .flat_map(|q| rows_of(q, "NO-RETURN"))
        .map(|r| ["Force id", "Who acts", "Action"].map(|c| r[c].clone()))
        .collect();
    assert_eq!(
        no_return,
        [
            [
                "essex",
                "Home Office finance",
                "nothing to pay on its Q2 spend now: the return came after the cut-off and counts at the Q3 run (cut-off 2026-01-31), which pays it"
            ],
            [
                "wiltshire",
                "Force",
                "send a corrected Q3 financial return (see RETURN-INVALID) by the Q4 cut-off (2026-04-30) to count at that run"
            ],
        ]
        .map(|row| row.map(str::to_owned))
    );
    // Essex's late Q2 return is an action at Q2 (nothing of Q2 counted without it) and its
    // catch-up at Q3 is labelled as late, with the spend it brings.
    let late = rows_of("Q2", "RECEIVED AFTER CUT-OFF (X14)")
        .into_iter()
        .find(|r| r["Force id"] == "essex")
        .unwrap();
    assert_eq!(late["Section"], "Action");
    let caught_up = rows_of("Q3", "LATE Q2 RETURN COUNTED: £0.00 → £1,179,323.62");
    assert_eq!(caught_up.len(), 1);
    assert_eq!(caught_up[0]["Amount"], "1179323.62");
}

#[test]
fn late_files_when_another_return_counted_are_information_and_not_counted() {
    // North Wales's plan v2 came after the Q1 and Q2 cut-offs while v1 counted: information.
    // So is kent's Q1 v2 at Q1 (v1 counted): the Q2 run lists the restatement it brings.
    for q in ["Q1", "Q2"] {
        let info: Vec<[String; 4]> = exceptions(q)
            .into_iter()
            .filter(|r| r["Section"] == "Information")
            .map(|r| ["Force id", "Exception", "Who acts", "File"].map(|c| r[c].clone()))
            .collect();
        let north_wales = [
            "north-wales",
            "RECEIVED AFTER CUT-OFF (X14)",
            "No one",
            "returns/plans/north-wales-plan-v2.xlsx",
        ]
        .map(str::to_owned);
        let kent = [
            "kent",
            "RECEIVED AFTER CUT-OFF (X14)",
            "No one",
            "returns/finance/kent-2025-26-Q1-v2.xlsx",
        ]
        .map(str::to_owned);
        let expected = if q == "Q1" {
            vec![kent, north_wales]
        } else {
            vec![north_wales]
        };
        assert_eq!(info, expected, "{q}");
    }
    let kent = rows_of("Q1", "RECEIVED AFTER CUT-OFF (X14)")
        .into_iter()
        .find(|r| r["Force id"] == "kent")
        .unwrap();
    assert_eq!(
        ["Section", "Who acts", "Amount"].map(|c| kent[c].as_str()),
        ["Information", "No one", "-20000"]
    );
    assert_eq!(
        kent["Action"],
        "none now: v1 counts for this run; v2 replaces it at the Q2 run (cut-off 2025-10-31), where Q1 eligible spend goes from £992,045.42 to £972,045.42 and the difference is netted"
    );
    // The Summary counts the Action lines only: not carried-over warnings, not information.
    let mut counts = Vec::new();
    for q in QUARTERS {
        let rows = exceptions(q);
        let actions = rows.iter().filter(|r| r["Section"] == "Action").count();
        assert_eq!(
            summary(q)["Exceptions to act on"],
            actions.to_string(),
            "{q}"
        );
        counts.push((rows.len(), actions));
    }
    assert_eq!(counts, [(3, 1), (10, 8), (9, 6), (9, 6)]);
}

#[test]
fn the_terminal_counts_the_action_lines_only() {
    let out = tempfile::tempdir().unwrap();
    let output = npg()
        .args(["pay", "--quarter", "Q1", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    // Q1 lists surrey's X10 to act on, and kent's late v2 and north-wales's plan v2 as
    // information.
    assert!(
        stdout.contains("of £200,000,000.00; 1 exception to act on"),
        "{stdout}"
    );
}

#[test]
fn the_exceptions_sheet_wraps_its_sentences_and_freezes_its_header() {
    let path = run_dir("Q4").join("payment-schedule.xlsx");
    let sheets = zip_part(&path, "xl/workbook.xml");
    let position = sheets
        .split("<sheet ")
        .skip(1)
        .position(|s| s.contains("name=\"Exceptions\""))
        .unwrap();
    let xml = zip_part(&path, &format!("xl/worksheets/sheet{}.xml", position + 1));
    assert!(xml.contains("<pane ySplit=\"1\""), "the header is frozen");
    let styles = zip_part(&path, "xl/styles.xml");
    assert!(styles.contains("wrapText=\"1\""), "long text wraps");
    // Action (E) and Message (L) wrap at fixed widths; the other columns fit what they hold.
    for (col, width) in [(5, "60.7109375"), (12, "70.7109375")] {
        assert!(
            xml.contains(&format!(
                "<col min=\"{col}\" max=\"{col}\" width=\"{width}\""
            )),
            "column {col}: {xml:.900}"
        );
    }
}

/// `payments.csv` of a quarter as rows of named fields.
fn payments(q: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(run_dir(q).join("payments.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "force_id",
            "payee_name",
            "payee_ref",
            "payment_reference",
            "type",
            "amount",
            "payment_date",
            "ledger_line"
        ],
        "the columns a finance system's upload is set up against"
    );
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

#[test]
fn payments_csv_sums_to_the_schedule_and_points_at_its_ledger_lines() {
    for q in QUARTERS {
        let rows = payments(q);
        let dump = dump_cells(&run_dir(q).join("payment-schedule.xlsx"));
        let summary: BTreeMap<String, String> = sheet(&dump, "Summary")
            .iter()
            .filter(|r| r.len() >= 2)
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        let sum = |kind: &str| -> Money {
            rows.iter()
                .filter(|r| r["type"] == kind)
                .map(|r| money(&r["amount"]))
                .sum()
        };
        let (paid, recovered) = (sum("PAYMENT"), sum("RECOVERY"));
        assert!(paid > Money::ZERO && recovered >= Money::ZERO, "{q}");
        let pennies = |m: Money| i64::try_from(m.to_pence()).unwrap();
        assert_eq!(
            pennies(paid),
            pence(&summary["Payable this quarter"]),
            "{q}"
        );
        assert_eq!(
            -pennies(recovered),
            pence(&summary["Recoveries this quarter"]),
            "{q}"
        );
        assert_eq!(
            pennies(paid - recovered),
            pence(&summary["Net payment this quarter"]),
            "{q}"
        );
        // Each row is its ledger line's payment, on the quarter's payment date.
        let ledger_text = std::fs::read_to_string(run_dir(q).join("ledger.csv")).unwrap();
        let ledger_lines: Vec<&str> = ledger_text.lines().collect();
        let ledger = ledger(q);
        for row in &rows {
            let force = &row["force_id"];
            let line: usize = row["ledger_line"].parse().unwrap();
            assert!(
                ledger_lines[line - 1].starts_with(&format!("{force},")),
                "{q} {force}"
            );
            let payment = money(&ledger[force]["payment"]);
            let signed = if row["type"] == "RECOVERY" {
                Money::ZERO - money(&row["amount"])
            } else {
                money(&row["amount"])
            };
            assert_eq!(signed, payment, "{q} {force}");
            assert_eq!(row["payment_reference"], format!("NPG-2025-26-{q}-{force}"));
            assert_eq!(
                row["payee_ref"], "",
                "the fixture's forces.csv has no payee_ref"
            );
        }
        let moving = ledger.values().filter(|l| l["payment"] != "0.00").count();
        assert_eq!(
            rows.len(),
            moving,
            "{q}: one row per force with money to move"
        );
    }
    let q4 = payments("Q4");
    let recovery = |force: &str| {
        q4.iter().find(|r| r["force_id"] == force).map(|r| {
            (
                r["type"].clone(),
                r["amount"].clone(),
                r["payment_date"].clone(),
            )
        })
    };
    assert_eq!(
        recovery("cumbria"),
        Some(("RECOVERY".into(), "180155.20".into(), "2026-05-15".into()))
    );
    assert_eq!(
        recovery("durham"),
        Some(("RECOVERY".into(), "723863.59".into(), "2026-05-15".into()))
    );
    assert_eq!(
        q4.iter()
            .find(|r| r["force_id"] == "kent")
            .map(|r| r["payee_name"].clone()),
        Some("Kent Police".to_owned())
    );
}

#[test]
fn a_payee_reference_in_forces_csv_reaches_payments_csv() {
    let cycle = fixture_copy();
    let forces = cycle.path().join("forces.csv");
    let text = std::fs::read_to_string(&forces).unwrap();
    let with_refs: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{line},payee_ref\n"),
            _ if line.starts_with("kent,") => format!("{line},SUP-004411\n"),
            _ => format!("{line},\n"),
        })
        .collect();
    std::fs::write(&forces, with_refs).unwrap();
    let out = tempfile::tempdir().unwrap();
    npg()
        .args(["pay", "--quarter", "Q1", "--cycle"])
        .arg(cycle.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(out.path().join("2025-26-Q1/payments.csv")).unwrap();
    let kent = text.lines().find(|l| l.starts_with("kent,")).unwrap();
    assert!(
        kent.starts_with("kent,Kent Police,SUP-004411,NPG-2025-26-Q1-kent,PAYMENT,"),
        "{kent}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("essex,Essex Police,,NPG-"))
    );
}

/// A statement's labelled rows (column A → column B) and its exceptions (kind, message),
/// as calamine reads them.
struct Statement {
    fields: BTreeMap<String, String>,
    exceptions: Vec<(String, String)>,
}

fn statement(q: &str, force: &str) -> Statement {
    let path = run_dir(q).join(format!("statements/{force}-2025-26-{q}.xlsx"));
    let dump = dump_cells(&path);
    assert_eq!(dump.len(), 1, "one sheet");
    let rows = sheet(&dump, "Statement");
    let cell = |row: &Vec<String>, col: usize| row.get(col).cloned().unwrap_or_default();
    let at = rows
        .iter()
        .position(|r| cell(r, 0) == "Exceptions for this force")
        .expect("an exceptions section");
    let fields = rows[..at]
        .iter()
        .filter(|r| !cell(r, 0).is_empty())
        .map(|r| (cell(r, 0), cell(r, 1)))
        .collect();
    let exceptions = rows[at + 1..]
        .iter()
        .map(|r| (cell(r, 0), cell(r, 1)))
        .collect();
    Statement { fields, exceptions }
}

#[test]
fn each_forces_statement_has_the_figures_of_its_schedule_row_and_its_exceptions() {
    // The statement's label, and the Schedule column it must equal.
    const SAME: [(&str, &str); 14] = [
        ("Allocation (A)", "Allocation (A)"),
        ("Eligible spend to date (CS)", "Eligible spend to date (CS)"),
        ("Profiled spend to date (CP)", "Profiled spend to date (CP)"),
        ("Profiled actuals (B)", "Profiled actuals (B)"),
        ("Progress (P)", "Progress (P)"),
        ("Band: the fraction paid (φ)", "Fraction paid (φ)"),
        ("Entitlement to date (E)", "Entitlement to date (E)"),
        ("Paid before (PTD)", "Paid before (PTD)"),
        ("Paid after", "Paid after"),
        ("Withheld (B − E)", "Withheld (B − E)"),
        ("Remaining (A − paid after)", "Remaining (A − paid after)"),
        ("Status", "Status"),
        ("Reason", "Reason"),
        ("Explanation", "Explanation"),
    ];
    let (mut recoveries, mut holds) = (0, 0);
    for q in QUARTERS {
        let schedule = schedule_rows(q);
        assert_eq!(schedule.len(), 43, "{q}");
        let listed = exceptions(q);
        for (force, row) in &schedule {
            let s = statement(q, force);
            for (label, column) in SAME {
                let want = match row[column].as_str() {
                    "" => "not worked out: the payment is held",
                    figure => figure,
                };
                assert_eq!(
                    s.fields[label], want,
                    "{q} {force}: {label} against {column}"
                );
            }
            let payment: f64 = row["Payment this quarter"].parse().unwrap();
            if payment < 0.0 {
                recoveries += 1;
                assert!(
                    !s.fields.contains_key("Payment this quarter"),
                    "{q} {force}"
                );
                let owed: f64 = s.fields["Recovery this quarter (the force owes)"]
                    .parse()
                    .unwrap();
                assert_eq!(owed, -payment, "{q} {force}: the recovery, as owed");
                assert!(s.fields["This quarter"].contains("owes the Home Office"));
            } else {
                assert_eq!(
                    s.fields["Payment this quarter"], row["Payment this quarter"],
                    "{q} {force}"
                );
            }
            if row["Status"].starts_with("HOLD") {
                holds += 1;
            }
            let theirs: Vec<(String, String)> = listed
                .iter()
                .filter(|e| e["Force id"] == *force)
                .map(|e| {
                    let to_do = format!("{}: {}", e["Who acts"], e["Action"]);
                    (
                        e["Exception"].clone(),
                        format!("{}\nTo do: {to_do}", e["Message"]),
                    )
                })
                .collect();
            if theirs.is_empty() {
                assert_eq!(
                    s.exceptions,
                    [("None".to_owned(), String::new())],
                    "{q} {force}"
                );
            } else {
                assert_eq!(s.exceptions, theirs, "{q} {force}");
            }
        }
    }
    assert_eq!(recoveries, 2, "cumbria and durham at Q4");
    assert!(holds >= 1, "a held line is among them");
    // Exact figures, from scenarios.md.
    let kent = statement("Q2", "kent");
    assert_eq!(kent.fields["Payment this quarter"], "1247613.6");
    assert_eq!(kent.fields["Paid before (PTD)"], "992045.42");
    assert!(
        kent.exceptions
            .iter()
            .any(|(kind, _)| kind == "RESTATED Q1: £992,045.42 → £972,045.42"),
        "{:?}",
        kent.exceptions
    );
    let cumbria = statement("Q4", "cumbria");
    assert_eq!(
        cumbria.fields["Recovery this quarter (the force owes)"],
        "180155.2"
    );
    assert_eq!(cumbria.fields["Status"], "RECOVERY");
    assert_eq!(
        cumbria.fields["This quarter"],
        "Cumbria Constabulary owes the Home Office £180,155.20: it will be invoiced for this amount."
    );
    assert_eq!(
        statement("Q4", "durham").fields["Recovery this quarter (the force owes)"],
        "723863.59"
    );
    let essex = statement("Q2", "essex");
    assert_eq!(essex.fields["Status"], "NIL");
    assert_eq!(essex.exceptions[0].0, "NO-RETURN");
}

#[test]
fn a_statement_prints_on_one_a4_page_with_its_header_and_footer() {
    let path = run_dir("Q2").join("statements/essex-2025-26-Q2.xlsx");
    let xml = zip_part(&path, "xl/worksheets/sheet1.xml");
    for part in [
        "<pageSetUpPr fitToPage=\"1\"/>",
        "paperSize=\"9\"",
        "orientation=\"portrait\"",
        "<oddHeader>&amp;LNeighbourhood Policing Grant&amp;R2025-26 Q2</oddHeader>",
        "&amp;RPage &amp;P of &amp;N</oddFooter>",
        "customHeight=\"1\"",
    ] {
        assert!(xml.contains(part), "{part}\n{xml}");
    }
    assert!(
        zip_part(&path, "xl/workbook.xml").contains("name=\"_xlnm.Print_Area\""),
        "a print area"
    );
    let Some(soffice) = crate::common::soffice_or_skip(
        "a_statement_prints_on_one_a4_page_with_its_header_and_footer",
    ) else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let pdf = crate::common::soffice_convert(&soffice, &path, "pdf", out.path());
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type/Page").count() - text.matches("/Type/Pages").count();
    assert_eq!(pages, 1, "one page");
    assert!(text.contains("MediaBox[0 0 595.30"), "A4 portrait");
}
