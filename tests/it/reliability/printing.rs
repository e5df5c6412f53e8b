//! Issue 11, items 6, 11 and 13: one odd return never stops the national run, long values
//! are refused by file and line without being echoed, names and cells are printed with
//! their control characters escaped, and a closed pipe ends the printing quietly.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Stdio};

use npg::read::grid::CellValue;
use npg::read::open::read_workbook;

use super::support::{Workspace, ods_content, ods_package};
use crate::common::{fixture_cycle, npg, npg_path, read_ledger, set_cell, write_grid};

fn pay(ws: &Workspace, quarter: &str) -> std::process::Output {
    npg()
        .args(["pay", "--quarter", quarter, "--cycle"])
        .arg(ws.cycle())
        .arg("--out")
        .arg(ws.runs())
        .output()
        .unwrap()
}

fn manifest_reason(ws: &Workspace, path: &str) -> String {
    let text = std::fs::read_to_string(ws.runs().join("2025-26-Q1/manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == path)
        .and_then(|i| i["reason"].as_str())
        .unwrap_or_else(|| panic!("{path} has no reason"))
        .to_owned()
}

#[test]
fn a_return_with_text_longer_than_a_cell_is_unusable_and_every_other_force_is_paid() {
    let ws = Workspace::new();
    // A sheet name of 40,000 characters, as the review found it.
    let mut kent = read_workbook(
        &fixture_cycle().join("returns/finance/kent-2025-26-Q1-v1.xlsx"),
        "kent",
    )
    .unwrap();
    let mut renamed = kent.clone();
    renamed.sheets[2].name = "N".repeat(40_000);
    std::fs::write(
        ws.returns("finance").join("long-sheet-name.ods"),
        ods_package(&ods_content(&renamed)),
    )
    .unwrap();
    // kent's own Q1 return with a note of 40,000 characters.
    set_cell(
        &mut kent,
        "Notes",
        30,
        0,
        CellValue::Text("x".repeat(40_000)),
    );
    std::fs::remove_file(ws.returns("finance").join("kent-2025-26-Q1-v1.xlsx")).unwrap();
    std::fs::write(
        ws.returns("finance").join("kent-2025-26-Q1-v1.ods"),
        ods_package(&ods_content(&kent)),
    )
    .unwrap();
    let output = pay(&ws, "Q1");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ledger = read_ledger(&ws.runs().join("2025-26-Q1/ledger.csv"));
    assert_eq!(ledger.len(), 43, "every force is in the run");
    assert_eq!(ledger["kent"]["status"], "NIL", "kent's return is unusable");
    assert_eq!(ledger["essex"]["status"], "PAY");
    let reason = manifest_reason(&ws, "returns/finance/long-sheet-name.ods");
    assert!(reason.contains("40,000 characters long"), "{reason}");
    assert!(
        reason.len() < 600,
        "the name is not echoed whole: {} bytes",
        reason.len()
    );
    let reason = manifest_reason(&ws, "returns/finance/kent-2025-26-Q1-v1.ods");
    assert!(
        reason.contains("the cell holds 40,000 characters of text"),
        "{reason}"
    );
}

#[test]
fn a_long_value_in_forces_csv_or_cycle_toml_is_refused_by_file_and_line_unechoed() {
    let long = "W".repeat(40_000);
    let cases = [
        (
            "forces.csv",
            "kent,Kent Police",
            format!("kent,{long}"),
            "forces.csv line",
        ),
        (
            "cycle.toml",
            "scheme = \"Neighbourhood Policing Grant\"",
            format!("scheme = \"{long}\""),
            "key `scheme`",
        ),
        (
            "cycle.toml",
            "rules_version = \"npg-2025-26.1\"",
            format!("rules_version = \"{long}\""),
            "key `rules_version`",
        ),
    ];
    for (file, from, to, says) in cases {
        let ws = Workspace::new();
        let path = ws.cycle().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has {from}");
        std::fs::write(&path, text.replacen(from, &to, 1)).unwrap();
        let output = pay(&ws, "Q1");
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{file}: {err}");
        assert!(
            err.contains(says) && err.contains("40,000 characters long"),
            "{file}: {err}"
        );
        assert!(
            err.len() < 1_000,
            "{file}: the value is not echoed whole ({} bytes)",
            err.len()
        );
    }
}

fn validate(args: &[&OsStr]) -> (String, String) {
    let output = npg().arg("validate").args(args).output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn names_and_cells_are_printed_with_their_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let forged = "a.xlsx\nChecked 2 files: no problems found.";
    let hidden = "\u{1b}[2K\u{1b}[1Ab.xlsx";
    let reversed = "c\u{202e}xslx.exe.xlsx";
    for name in [forged, hidden, reversed] {
        std::fs::write(dir.path().join(name), b"not a workbook").unwrap();
    }
    // A cell whose text forges a line too.
    let mut kent = read_workbook(
        &fixture_cycle().join("returns/finance/kent-2025-26-Q2-v1.xlsx"),
        "kent",
    )
    .unwrap();
    set_cell(
        &mut kent,
        "Expenditure",
        1,
        2,
        CellValue::Text("1\nChecked 9 files: no problems found.".to_owned()),
    );
    std::fs::write(dir.path().join("kent.xlsx"), write_grid(&kent)).unwrap();
    let (stdout, _) = validate(&[dir.path().as_os_str()]);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'),
        "{stdout:?}"
    );
    for line in stdout.lines() {
        assert!(
            !line.starts_with("Checked 2") && !line.starts_with("Checked 9"),
            "forged: {line:?}"
        );
    }
    assert!(stdout.contains("a.xlsx\\nChecked 2 files"), "{stdout}");
    assert!(stdout.contains("\\x1b[2K\\x1b[1Ab.xlsx"), "{stdout}");
    assert!(stdout.contains("c\\u{202e}xslx.exe.xlsx"), "{stdout}");
    assert!(stdout.contains("\"1\\nChecked 9 files"), "{stdout}");
    // JSON keeps the exact names, escaped as JSON does.
    let (json, _) = validate(&[
        OsStr::new("--format"),
        OsStr::new("json"),
        dir.path().as_os_str(),
    ]);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let files: Vec<&str> = findings.iter().filter_map(|f| f["file"].as_str()).collect();
    assert!(files.iter().any(|f| f.ends_with(forged)), "{files:?}");
    // A file name given on the command line, and errors, are escaped as well.
    let missing = dir.path().join("gone\u{1b}[31m.xlsx");
    let (_, stderr) = validate(&[missing.as_os_str()]);
    assert!(
        !stderr.contains('\u{1b}') && stderr.contains("gone\\x1b[31m.xlsx"),
        "{stderr:?}"
    );
    let bytes = dir.path().join(OsStr::from_bytes(b"d\x1b.xlsx"));
    std::fs::write(&bytes, b"x").unwrap();
    let (stdout, _) = validate(&[bytes.as_os_str()]);
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
}

/// Runs `npg args` with its standard output closed by its reader before anything is read.
fn with_closed_stdout(args: &[&OsStr]) -> (Option<i32>, String) {
    let mut child = Command::new(npg_path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_printing_quietly_for_every_command() {
    let ws = Workspace::new();
    let runs = ws.runs();
    let cycle = ws.cycle().as_os_str();
    let (code, err) = with_closed_stdout(&[
        OsStr::new("pay"),
        OsStr::new("--quarter"),
        OsStr::new("Q1-Q2"),
        OsStr::new("--cycle"),
        cycle,
        OsStr::new("--out"),
        runs.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "pay: {err}");
    assert!(
        runs.join("2025-26-Q2/manifest.json").exists(),
        "pay still wrote its runs"
    );
    let returns = ws.cycle().join("returns");
    let cases: Vec<(Vec<&OsStr>, i32)> = vec![
        (
            vec![
                OsStr::new("audit"),
                OsStr::new("verify"),
                runs.as_os_str(),
                OsStr::new("--cycle"),
                cycle,
                OsStr::new("--format"),
                OsStr::new("json"),
            ],
            0,
        ),
        (
            vec![
                OsStr::new("audit"),
                OsStr::new("verify"),
                runs.as_os_str(),
                OsStr::new("--cycle"),
                cycle,
            ],
            0,
        ),
        (
            vec![
                OsStr::new("validate"),
                OsStr::new("--cycle"),
                cycle,
                returns.as_os_str(),
            ],
            1,
        ),
        (
            vec![
                OsStr::new("validate"),
                OsStr::new("--format"),
                OsStr::new("json"),
                returns.as_os_str(),
            ],
            1,
        ),
        (vec![OsStr::new("--help")], 0),
    ];
    for (args, expected) in cases {
        let (code, err) = with_closed_stdout(&args);
        assert_eq!(code, Some(expected), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn the_log_is_escaped_and_survives_a_closed_stderr() {
    // Found by review: -v wrote control characters raw, and panicked on a closed stderr.
    let ws = Workspace::new();
    let out = ws.out.path().join("runs\n\u{1b}[31mFAKE");
    let output = npg()
        .args(["-v", "pay", "--quarter", "Q1", "--cycle"])
        .arg(ws.cycle())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        !err.contains('\u{1b}') && err.contains("\\x1b[31mFAKE"),
        "{err}"
    );
    let mut child = Command::new(npg_path())
        .args(["-v", "validate"])
        .arg(ws.cycle().join("returns/finance"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

#[test]
fn what_parsers_echo_of_a_long_key_or_header_is_cut() {
    let long = "W".repeat(40_000);
    let cases = [
        ("cycle.toml", "scheme =", format!("{long} = 1\nscheme =")),
        (
            "cycle.toml",
            "[[quarter]]",
            format!("[[{long}]]\n[[quarter]]"),
        ),
        ("forces.csv", "id,name", format!("id,name{long}")),
    ];
    for (file, from, to) in cases {
        let ws = Workspace::new();
        let path = ws.cycle().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen(from, &to, 1)).unwrap();
        let output = pay(&ws, "Q1");
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{file}: {err}");
        assert!(
            err.len() < 1_500,
            "{file}: {} bytes: {}",
            err.len(),
            &err[..300.min(err.len())]
        );
    }
}

#[test]
fn json_output_escapes_what_json_leaves_raw() {
    let dir = tempfile::tempdir().unwrap();
    let name = "a\u{9b}2J\u{202e}b\u{7f}.xlsx";
    std::fs::write(dir.path().join(name), b"not a workbook").unwrap();
    let (json, _) = validate(&[
        OsStr::new("--format"),
        OsStr::new("json"),
        dir.path().as_os_str(),
    ]);
    assert!(
        !json.contains('\u{9b}') && !json.contains('\u{202e}') && !json.contains('\u{7f}'),
        "{json:?}"
    );
    let findings: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(findings[0]["file"].as_str().unwrap().ends_with(name));
}
