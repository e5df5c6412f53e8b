//! `npg audit verify` on a copy of the fixture year after a Q1-Q4 run: an untouched run is
//! identical; a changed, deleted or added return, an edited output, an altered prior ledger
//! and another program version are each reported, with the cells and rows that differ.

use std::path::{Path, PathBuf};

use npg::read::grid::CellValue;
use npg::read::open::read_workbook;
use predicates::prelude::*;

use crate::common::{fixture_copy, npg, set_cell, write_grid};

/// A copy of the fixture year and its Q1-Q4 run, to change freely.
struct Archive {
    _dir: tempfile::TempDir,
    _runs_dir: tempfile::TempDir,
    cycle: PathBuf,
    runs: PathBuf,
}

impl Archive {
    fn new() -> Archive {
        let dir = fixture_copy();
        let runs_dir = tempfile::tempdir().unwrap();
        let cycle = dir.path().to_owned();
        let runs = runs_dir.path().join("runs");
        npg()
            .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
            .arg(&cycle)
            .arg("--out")
            .arg(&runs)
            .assert()
            .success();
        Archive {
            _dir: dir,
            _runs_dir: runs_dir,
            cycle,
            runs,
        }
    }

    fn run(&self, q: &str) -> PathBuf {
        self.runs.join(format!("2025-26-{q}"))
    }

    fn verify(&self, target: &Path) -> assert_cmd::assert::Assert {
        npg()
            .args(["audit", "verify"])
            .arg(target)
            .arg("--cycle")
            .arg(&self.cycle)
            .assert()
    }

    fn stdout(&self, target: &Path, code: i32) -> String {
        let assert = self.verify(target).code(code);
        String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
    }
}

/// Rewrites a workbook with one cell changed, as someone editing it by hand would.
fn edit_cell(path: &Path, sheet: &str, row: u32, col: u32, value: CellValue) {
    let mut data = read_workbook(path, "edited").unwrap();
    set_cell(&mut data, sheet, row, col, value);
    std::fs::write(path, write_grid(&data)).unwrap();
}

#[test]
fn an_untouched_run_and_chain_verify_as_identical() {
    let a = Archive::new();
    let out = a.stdout(&a.run("Q2"), 0);
    assert!(out.contains("inputs: 393 checked"), "{out}");
    assert!(out.contains("payment-schedule.xlsx: identical"), "{out}");
    assert!(out.contains("result: IDENTICAL"), "{out}");
    let out = a.stdout(&a.runs, 0);
    assert!(out.contains("Chain: 2025-26-Q4 started from the ledger 2025-26-Q3 wrote"));
    assert!(out.ends_with(
        "Result: IDENTICAL: every run follows from its inputs and from the run before it\n"
    ));
    let json = npg()
        .args(["audit", "verify", "--format", "json", "--quarter", "Q1-Q2"])
        .arg(&a.runs)
        .arg("--cycle")
        .arg(&a.cycle)
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(report["identical"], true);
    assert_eq!(report["runs"].as_array().unwrap().len(), 2);
    assert_eq!(report["links"][0]["ok"], true);
}

#[test]
fn a_changed_cell_in_a_used_return_is_reported_with_the_changed_payment_lines() {
    let a = Archive::new();
    // Kent's Q2 officer pay, £10,000.00 less.
    let file = a.cycle.join("returns/finance/kent-2025-26-Q2-v1.xlsx");
    edit_cell(&file, "Expenditure", 1, 2, CellValue::Number(750_568.17));
    let out = a.stdout(&a.run("Q2"), 1);
    assert!(out.contains("1 changed, 0 missing"), "{out}");
    assert!(
        out.contains("changed   returns/finance/kent-2025-26-Q2-v1.xlsx"),
        "{out}"
    );
    for line in [
        "kent s_q2: recorded 1,267,613.60; re-run gives 1,257,613.60",
        "kent payment: recorded 1,247,613.60; re-run gives 1,237,613.60",
        "kent paid_after: recorded 2,239,659.02; re-run gives 2,229,659.02",
        "Calculation!O21 (kent, Payment this quarter): recorded 1,247,613.60; re-run gives 1,237,613.60",
        "Schedule!J21 (kent, Payment this quarter): recorded 1,247,613.60; re-run gives 1,237,613.60",
        "Statement!B17 (Payment this quarter): recorded 1,247,613.60; re-run gives 1,237,613.60",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    assert!(out.contains("result: DIFFERENT"));
    // Q1 did not use that return, so its payments are the same; but the file is one of its
    // inputs (listed with its hash on the Inputs sheet), so Q1 does not verify either.
    let out = a.stdout(&a.run("Q1"), 1);
    assert!(
        out.contains("changed   returns/finance/kent-2025-26-Q2-v1.xlsx"),
        "{out}"
    );
    assert!(out.contains("ledger.csv: identical"), "{out}");
    // The Inputs row of that file, by its path; its size a count of bytes, not money.
    let inputs: Vec<&str> = out.lines().filter(|l| l.contains("Inputs!")).collect();
    assert_eq!(inputs.len(), 2, "{out}");
    assert!(
        inputs[0].starts_with(
            "      Inputs!G83 (returns/finance/kent-2025-26-Q2-v1.xlsx, Bytes): recorded "
        ),
        "{out}"
    );
    assert!(!inputs[0].contains(".00"), "{out}");
    assert!(
        inputs[1].starts_with(
            "      Inputs!H83 (returns/finance/kent-2025-26-Q2-v1.xlsx, SHA-256): recorded "
        ),
        "{out}"
    );
}

#[test]
fn a_deleted_return_is_reported_missing() {
    let a = Archive::new();
    std::fs::remove_file(a.cycle.join("returns/monitoring/kent-2025-06.xlsx")).unwrap();
    let out = a.stdout(&a.run("Q1"), 1);
    assert!(
        out.contains("missing   returns/monitoring/kent-2025-06.xlsx"),
        "{out}"
    );
    // Without its monitoring, kent is held in the re-run.
    assert!(
        out.contains("kent status: recorded PAY; re-run gives HOLD-NO-MONITORING"),
        "{out}"
    );
}

#[test]
fn an_added_return_fails_the_verify_only_when_it_would_have_counted() {
    let a = Archive::new();
    // Dated after the Q2 cut-off: information for Q2.
    std::fs::copy(
        a.cycle.join("returns/finance/kent-2025-26-Q3-v1.xlsx"),
        a.cycle
            .join("returns/finance/kent-2025-26-Q3-v1-resent.xlsx"),
    )
    .unwrap();
    let out = a.stdout(&a.run("Q2"), 0);
    assert!(
        out.contains("later     returns/finance/kent-2025-26-Q3-v1-resent.xlsx (submitted 2026-"),
        "{out}"
    );
    assert!(out.contains("result: IDENTICAL"));
    // But it would have counted at Q3 (dated before the Q3 cut-off).
    let out = a.stdout(&a.run("Q3"), 1);
    assert!(
        out.contains("counts    returns/finance/kent-2025-26-Q3-v1-resent.xlsx (submitted 2026-"),
        "{out}"
    );
    assert!(out.contains("result: DIFFERENT"));
}

#[test]
fn an_edited_schedule_is_reported_with_the_cells_that_differ() {
    let a = Archive::new();
    let schedule = a.run("Q2").join("payment-schedule.xlsx");
    // Kent's payment (Calculation sheet, row 21, column O) made £100.00 higher by hand.
    edit_cell(
        &schedule,
        "Calculation",
        20,
        14,
        CellValue::Number(1_247_713.60),
    );
    let out = a.stdout(&a.run("Q2"), 1);
    assert!(
        out.contains("payment-schedule.xlsx: DIFFERS from the re-run; EDITED after the run"),
        "{out}"
    );
    assert!(
        out.contains(
            "      Calculation!O21 (kent, Payment this quarter): recorded 1,247,713.60; re-run gives 1,247,613.60\n"
        ),
        "{out}"
    );
    assert!(out.contains("0 changed, 0 missing"));
    let json = npg()
        .args(["audit", "verify", "--format", "json"])
        .arg(a.run("Q2"))
        .arg("--cycle")
        .arg(&a.cycle)
        .assert()
        .code(1);
    let report: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let schedule = &report["outputs"][0];
    assert_eq!(schedule["path"], "payment-schedule.xlsx");
    assert_eq!(
        schedule["cells"],
        serde_json::json!([{
            "sheet": "Calculation",
            "cell": "O21",
            "row": "kent",
            "column": "Payment this quarter",
            "recorded": "1,247,713.60",
            "recomputed": "1,247,613.60",
        }])
    );
    assert_eq!(schedule["rows"], serde_json::json!([]));
}

/// The lines verify prints under one output, up to the next output.
fn lines_under<'a>(out: &'a str, output: &str) -> Vec<&'a str> {
    out.lines()
        .skip_while(|l| !l.starts_with(&format!("    {output}: ")))
        .skip(1)
        .take_while(|l| l.starts_with("      "))
        .collect()
}

#[test]
fn a_row_inserted_in_exceptions_is_one_row_added() {
    let a = Archive::new();
    let schedule = a.run("Q2").join("payment-schedule.xlsx");
    // A row put in by hand above kent's restatement (row 5): every row below moves down.
    let mut data = read_workbook(&schedule, "edited").unwrap();
    let sheet = data
        .sheets
        .iter_mut()
        .find(|s| s.name == "Exceptions")
        .unwrap();
    let below: Vec<((u32, u32), CellValue)> = sheet
        .cells()
        .filter(|((row, _), _)| *row >= 4)
        .map(|(at, value)| (at, value.clone()))
        .collect();
    assert!(below.len() > 20, "rows below the insert: {}", below.len());
    for ((row, col), _) in &below {
        sheet.set(*row, *col, CellValue::Empty);
    }
    for ((row, col), value) in below {
        sheet.set(row + 1, col, value);
    }
    for (col, text) in ["Action", "kent", "PAID BY HAND", "Home Office finance"]
        .iter()
        .enumerate()
    {
        sheet.set(4, col as u32, CellValue::Text((*text).to_owned()));
    }
    std::fs::write(&schedule, write_grid(&data)).unwrap();
    let out = a.stdout(&a.run("Q2"), 1);
    assert_eq!(
        lines_under(&out, "payment-schedule.xlsx"),
        [
            "      Exceptions: row added (Action, kent, PAID BY HAND): the run folder's row 5; the re-run gives no such row"
        ],
        "{out}"
    );
    // The same row taken out again and another removed: one line for it.
    let mut data = read_workbook(&schedule, "edited").unwrap();
    let sheet = data
        .sheets
        .iter_mut()
        .find(|s| s.name == "Exceptions")
        .unwrap();
    let rest: Vec<((u32, u32), CellValue)> = sheet
        .cells()
        .filter(|((row, _), _)| *row >= 5)
        .map(|(at, value)| (at, value.clone()))
        .collect();
    for col in 0..12 {
        sheet.set(4, col, CellValue::Empty);
    }
    for ((row, col), _) in &rest {
        sheet.set(*row, *col, CellValue::Empty);
    }
    // Kent's restatement (now row 6) goes, and the rows below it move up two.
    for ((row, col), value) in rest.into_iter().filter(|((row, _), _)| *row != 5) {
        sheet.set(row - 2, col, value);
    }
    std::fs::write(&schedule, write_grid(&data)).unwrap();
    let out = a.stdout(&a.run("Q2"), 1);
    assert_eq!(
        lines_under(&out, "payment-schedule.xlsx"),
        [
            "      Exceptions: row removed (Action, kent, RESTATED Q1: £992,045.42 → £972,045.42): the re-run gives it as row 5; the run folder does not hold it"
        ],
        "{out}"
    );
}

#[test]
fn an_edited_missing_or_added_statement_is_reported_by_its_path() {
    let a = Archive::new();
    let kent_path = a.run("Q2").join("statements/kent-2025-26-Q2.xlsx");
    let kent = kent_path.clone();
    let original = std::fs::read(&kent).unwrap();
    // Kent's payment on its statement (row 17, column B) made £100.00 higher by hand.
    edit_cell(&kent, "Statement", 16, 1, CellValue::Number(1_247_713.60));
    let out = a.stdout(&a.run("Q2"), 1);
    assert!(
        out.contains(
            "statements/kent-2025-26-Q2.xlsx: DIFFERS from the re-run; EDITED after the run"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "Statement!B17 (Payment this quarter): recorded 1,247,713.60; re-run gives 1,247,613.60"
        ),
        "{out}"
    );
    assert!(
        out.contains("statements/: 42 statements identical"),
        "{out}"
    );
    assert!(out.contains("payment-schedule.xlsx: identical"), "{out}");
    assert!(out.contains("result: DIFFERENT"), "{out}");
    // Removed, and a file added beside the statements: both named, both fail the verify.
    std::fs::remove_file(&kent).unwrap();
    std::fs::write(
        a.run("Q2").join("statements/kent (sent).txt"),
        b"sent to kent",
    )
    .unwrap();
    let out = a.stdout(&a.run("Q2"), 1);
    assert!(
        out.contains("statements/kent-2025-26-Q2.xlsx: MISSING"),
        "{out}"
    );
    assert!(
        out.contains(
            "extra     statements/kent (sent).txt (not a file the run wrote: added to the run folder since)"
        ),
        "{out}"
    );
    let json = npg()
        .args(["audit", "verify", "--format", "json"])
        .arg(a.run("Q2"))
        .arg("--cycle")
        .arg(&a.cycle)
        .assert()
        .code(1);
    let report: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(
        report["extra_files"][0]["name"],
        "statements/kent (sent).txt"
    );
    let outputs = report["outputs"].as_array().unwrap();
    assert_eq!(
        outputs.len(),
        4 + 43 + 1,
        "every output, each statement included"
    );
    let kent = outputs
        .iter()
        .find(|o| o["path"] == "statements/kent-2025-26-Q2.xlsx")
        .unwrap();
    assert_eq!(kent["present"], false);
    // The statement put back: the added file alone still fails the verify; without it, the
    // run is identical again.
    std::fs::write(&kent_path, &original).unwrap();
    let out = a.stdout(&a.run("Q2"), 1);
    assert!(
        out.contains("statements/: 43 statements identical"),
        "{out}"
    );
    std::fs::remove_file(a.run("Q2").join("statements/kent (sent).txt")).unwrap();
    a.stdout(&a.run("Q2"), 0);
}

#[test]
fn a_statement_the_manifest_lists_and_the_re_run_does_not_write_fails_the_verify() {
    let a = Archive::new();
    let q2 = a.run("Q2");
    // A statement for a force not in the run, put in with its hash in the manifest.
    let bytes = std::fs::read(q2.join("statements/kent-2025-26-Q2.xlsx")).unwrap();
    std::fs::write(q2.join("statements/nowhere-2025-26-Q2.xlsx"), &bytes).unwrap();
    let path = q2.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["outputs"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "path": "statements/nowhere-2025-26-Q2.xlsx",
            "sha256": npg::cycle::load::sha256_hex(&bytes),
            "bytes": bytes.len(),
        }));
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let out = a.stdout(&q2, 1);
    assert!(
        out.contains(
            "statements/nowhere-2025-26-Q2.xlsx: DIFFERS from the re-run\n      the manifest lists it, and the re-run writes no such file"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "output statements/nowhere-2025-26-Q2.xlsx: listed by the run, not written by the re-run"
        ),
        "{out}"
    );
    assert!(!out.contains("other files in the run folder"), "{out}");
}

#[test]
fn an_edited_ledger_is_reported_with_the_rows_that_differ() {
    let a = Archive::new();
    let ledger = a.run("Q4").join("ledger.csv");
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(&ledger, text.replace(",-180155.20,", ",-180000.00,")).unwrap();
    let out = a.stdout(&a.run("Q4"), 1);
    assert!(
        out.contains("ledger.csv: DIFFERS from the re-run; EDITED after the run"),
        "{out}"
    );
    assert!(
        out.contains("cumbria payment: recorded -180,000.00; re-run gives -180,155.20"),
        "{out}"
    );
}

#[test]
fn a_q3_run_whose_q2_ledger_was_altered_is_refused_and_flagged() {
    let a = Archive::new();
    let ledger = a.run("Q2").join("ledger.csv");
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(&ledger, text.replace(",1247613.60,", ",1257613.60,")).unwrap();
    npg()
        .args(["pay", "--quarter", "Q3", "--overwrite", "--cycle"])
        .arg(&a.cycle)
        .arg("--out")
        .arg(&a.runs)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "ledger.csv has changed since the run wrote it",
        ));
    let out = a.stdout(&a.run("Q3"), 1);
    assert!(
        out.contains(
            "prior ledger ../2025-26-Q2/ledger.csv: CHANGED since this run started from it"
        ),
        "{out}"
    );
    let out = a.stdout(&a.runs, 1);
    assert!(out.contains("Run "), "{out}");
    assert!(out.contains("Result: DIFFERENT"), "{out}");
}

#[test]
fn a_q2_run_again_after_q3_breaks_the_chain() {
    let a = Archive::new();
    // Q2 re-run over a changed return and put in place by hand (npg pay refuses to re-run
    // Q2 alone under Q3 and Q4): Q3 no longer starts from the ledger Q2 now holds.
    let file = a.cycle.join("returns/finance/kent-2025-26-Q2-v1.xlsx");
    edit_cell(&file, "Expenditure", 1, 2, CellValue::Number(750_568.17));
    let elsewhere = tempfile::tempdir().unwrap();
    npg()
        .args(["pay", "--quarter", "Q1-Q2", "--cycle"])
        .arg(&a.cycle)
        .arg("--out")
        .arg(elsewhere.path())
        .assert()
        .success();
    std::fs::remove_dir_all(a.run("Q2")).unwrap();
    std::fs::rename(elsewhere.path().join("2025-26-Q2"), a.run("Q2")).unwrap();
    let out = a.stdout(&a.runs, 1);
    assert!(
        out.contains("Chain: BROKEN between 2025-26-Q2 and 2025-26-Q3"),
        "{out}"
    );
}

#[test]
fn a_past_quarter_is_re_run_only_with_the_quarters_after_it() {
    let a = Archive::new();
    let file = a.cycle.join("returns/finance/kent-2025-26-Q2-v1.xlsx");
    edit_cell(&file, "Expenditure", 1, 2, CellValue::Number(750_568.17));
    let q2_manifest = std::fs::read(a.run("Q2").join("manifest.json")).unwrap();
    let refused = npg()
        .args(["pay", "--quarter", "Q2", "--overwrite", "--cycle"])
        .arg(&a.cycle)
        .arg("--out")
        .arg(&a.runs)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        err.contains("holds the later runs 2025-26-Q3, 2025-26-Q4, which rest on the ledger of Q2"),
        "{err}"
    );
    assert!(
        err.contains("run the range --quarter Q2-Q4, or give --rerun-later"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(a.run("Q2").join("manifest.json")).unwrap(),
        q2_manifest,
        "nothing was written"
    );
    // With --rerun-later, Q2, Q3 and Q4 are run again, and the chain holds.
    let rerun = npg()
        .args([
            "pay",
            "--quarter",
            "Q2",
            "--overwrite",
            "--rerun-later",
            "--cycle",
        ])
        .arg(&a.cycle)
        .arg("--out")
        .arg(&a.runs)
        .assert()
        .success();
    let said = String::from_utf8_lossy(&rerun.get_output().stdout).to_string();
    for q in ["Q2", "Q3", "Q4"] {
        assert!(
            said.contains(&format!("wrote {}", a.run(q).display())),
            "{said}"
        );
    }
    assert!(!said.contains("2025-26 Q1:"), "{said}");
    assert_ne!(
        std::fs::read(a.run("Q2").join("manifest.json")).unwrap(),
        q2_manifest
    );
    // Q1 lists the changed Q2 return among its inputs (unused), so the chain is checked
    // from Q2, the first quarter run again.
    let verified = npg()
        .args(["audit", "verify"])
        .arg(&a.runs)
        .args(["--quarter", "Q2-Q4", "--cycle"])
        .arg(&a.cycle)
        .assert()
        .success();
    let out = String::from_utf8_lossy(&verified.get_output().stdout).to_string();
    assert!(
        out.contains("Chain: 2025-26-Q3 started from the ledger 2025-26-Q2 wrote"),
        "{out}"
    );
    assert!(out.contains("Result: IDENTICAL"), "{out}");
}

#[test]
fn another_program_version_is_said_plainly_before_the_comparison() {
    let a = Archive::new();
    let path = a.run("Q1").join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\": \"0.0.9\"",
        ),
    )
    .unwrap();
    let out = a.stdout(&a.run("Q1"), 1);
    let note = out
        .find(&format!(
            "NOTE: this run was written by npg 0.0.9 and is verified by npg {}",
            env!("CARGO_PKG_VERSION")
        ))
        .expect("the note is printed");
    assert!(
        note < out.find("outputs,").unwrap(),
        "before the comparison"
    );
    assert!(
        out.contains(&format!(
            "tool: recorded npg 0.0.9; re-run gives npg {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{out}"
    );
}

#[test]
fn a_verify_that_cannot_run_exits_2() {
    let a = Archive::new();
    // A folder that is not a run.
    npg()
        .args(["audit", "verify"])
        .arg(a.cycle.join("returns"))
        .arg("--cycle")
        .arg(&a.cycle)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no run of 2025-26"));
    // A run folder archived without the run before it: its prior ledger is not there.
    let alone = tempfile::tempdir().unwrap();
    let copy = alone.path().join("2025-26-Q2");
    crate::common::copy_dir(&a.run("Q2"), &copy);
    npg()
        .args(["audit", "verify"])
        .arg(&copy)
        .arg("--cycle")
        .arg(&a.cycle)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prior ledger"));
}

#[test]
fn a_manifest_edited_by_hand_is_refused_without_a_crash() {
    let a = Archive::new();
    let path = a.run("Q1").join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["inputs"][3]["sha256"] = format!("a{}", "é".repeat(40)).into();
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    a.verify(&a.run("Q1"))
        .code(2)
        .stderr(predicate::str::contains(
            "not 64 hex digits: the manifest was edited",
        ));
}

#[test]
fn a_changed_or_deleted_cycle_file_is_listed_and_fails_the_verify() {
    let a = Archive::new();
    let config = a.cycle.join("cycle.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("pot = \"200000000.00\"", "pot = \"200000001.00\""),
    )
    .unwrap();
    let out = a.stdout(&a.run("Q2"), 1);
    assert!(out.contains("changed   cycle.toml"), "{out}");
    assert!(
        out.contains("NOT RE-RUN: the cycle folder as it is now cannot be run"),
        "{out}"
    );
    std::fs::write(&config, text).unwrap();
    std::fs::remove_file(a.cycle.join("forces.csv")).unwrap();
    let out = a.stdout(&a.runs, 1);
    assert!(out.contains("missing   forces.csv"), "{out}");
    assert!(out.contains("Result: DIFFERENT"), "{out}");
}

#[test]
fn a_prior_ledger_that_is_not_text_is_reported_as_changed() {
    let a = Archive::new();
    let ledger = a.run("Q1").join("ledger.csv");
    let mut bytes = std::fs::read(&ledger).unwrap();
    bytes.push(0xff);
    std::fs::write(&ledger, bytes).unwrap();
    let out = a.stdout(&a.run("Q2"), 1);
    assert!(
        out.contains("prior ledger ../2025-26-Q1/ledger.csv: CHANGED"),
        "{out}"
    );
    assert!(
        out.contains("NOT RE-RUN: the prior ledger cannot be read: it is not text"),
        "{out}"
    );
    // Over the chain, Q1's own edit is reported too.
    let out = a.stdout(&a.runs, 1);
    assert!(
        out.contains("ledger.csv: DIFFERS from the re-run; EDITED after the run"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn an_added_file_that_cannot_be_read_is_listed_and_the_verify_goes_on() {
    let a = Archive::new();
    let broken = a.cycle.join("returns/finance/kent-2025-26-Q1-v9.xlsx");
    std::os::unix::fs::symlink(a.cycle.join("nowhere.xlsx"), &broken).unwrap();
    std::fs::write(
        a.cycle.join("returns/notes.txt"),
        b"a note left in the folder",
    )
    .unwrap();
    let out = a.stdout(&a.run("Q1"), 1);
    assert!(
        out.contains("counts    returns/finance/kent-2025-26-Q1-v9.xlsx (cannot be read:"),
        "{out}"
    );
    assert!(
        out.contains(
            "counts    returns/notes.txt (not a return: the run would have listed it (F01))"
        ),
        "{out}"
    );
    assert!(out.contains("payment-schedule.xlsx: identical"), "{out}");
}

#[test]
fn a_run_folder_without_its_manifest_is_named_as_such() {
    let a = Archive::new();
    std::fs::remove_file(a.run("Q2").join("manifest.json")).unwrap();
    a.verify(&a.run("Q2"))
        .code(2)
        .stderr(predicate::str::contains("has no manifest.json"));
    let out = a.stdout(&a.runs, 1);
    assert!(
        out.contains("Chain: 2025-26-Q2 has no manifest.json"),
        "{out}"
    );
}
