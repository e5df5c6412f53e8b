//! `npg validate`: every finding code on its fixture, bad inputs, JSON, exit codes.

use crate::common::{fixture_cycle, npg};
use predicates::prelude::*;

/// scenarios.md: validating the whole fixture year gives exactly suffolk's X06 and X10,
/// surrey's X10 and wiltshire's C02, and the X15 of the year's four deliberately late
/// returns (essex Q2, kent Q1 v2, lancashire 2025-09, north-wales plan v2; issue 14), and
/// nothing else.
#[test]
fn the_fixture_year_gives_exactly_the_intended_findings() {
    let cycle = fixture_cycle();
    let output = npg()
        .current_dir(cycle.parent().unwrap().parent().unwrap())
        .args([
            "validate",
            "--cycle",
            "fixtures/2025-26",
            "fixtures/2025-26/returns",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output).unwrap();
    let summary: Vec<(String, String, String)> = findings
        .iter()
        .map(|f| {
            let file = f["file"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            (
                f["severity"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                file,
            )
        })
        .collect();
    let expected = [
        ("warning", "X15", "essex-2025-26-Q2-v1.xlsx"),
        ("warning", "X15", "kent-2025-26-Q1-v2.xlsx"),
        ("warning", "X10", "suffolk-2025-26-Q2-v1.xlsx"),
        ("warning", "X06", "suffolk-2025-26-Q2-v1.xlsx"),
        ("warning", "X10", "surrey-2025-26-Q1-v1.xlsx"),
        ("warning", "X10", "surrey-2025-26-Q2-v1.xlsx"),
        ("warning", "X10", "surrey-2025-26-Q3-v1.xlsx"),
        ("warning", "X10", "surrey-2025-26-Q4-v1.xlsx"),
        ("error", "C02", "wiltshire-2025-26-Q3-v1.xlsx"),
        ("warning", "X15", "lancashire-2025-09.xlsx"),
        ("warning", "X15", "north-wales-plan-v2.xlsx"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(s, c, f)| (s.to_string(), c.to_string(), f.to_string()))
        .collect();
    assert_eq!(summary, expected);
    let c02 = findings.iter().find(|f| f["code"] == "C02").unwrap();
    assert_eq!(c02["sheet"], "Expenditure");
    assert_eq!(c02["cell"], "C6");
    // The row's label is its own field too; a finding not at a table row's cell has none.
    assert_eq!(
        c02["row_label"],
        "Equipment, vehicles and technology for neighbourhood teams"
    );
    let x10 = findings.iter().find(|f| f["code"] == "X10").unwrap();
    assert!(x10.get("row_label").is_none(), "{x10}");
    assert!(
        c02["message"]
            .as_str()
            .unwrap()
            .starts_with("Equipment, vehicles and technology for neighbourhood teams — Actual this quarter (£): \"12,500.00\" is text")
    );
}

#[test]
fn text_output_names_file_sheet_and_cell_one_line_each() {
    let cycle = fixture_cycle();
    let file = cycle.join("returns/finance/wiltshire-2025-26-Q3-v1.xlsx");
    let output = npg()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("error C02 "), "{text}");
    assert!(first.contains("wiltshire-2025-26-Q3-v1.xlsx › Expenditure!C6: Equipment, vehicles and technology for neighbourhood teams — Actual this quarter (£): \"12,500.00\" is text"), "{text}");
    assert!(
        text.ends_with(
            "Checked 1 file: 1 with findings (1 error, 0 warnings, 0 for information).\n"
        ),
        "{text}"
    );
}

#[test]
fn a_clean_return_exits_zero_and_says_so() {
    let file = fixture_cycle().join("returns/plans/kent-plan-v1.xlsx");
    npg()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .stdout("Checked 1 file: no problems found.\n");
}

#[test]
fn warnings_alone_exit_zero() {
    let file = fixture_cycle().join("returns/finance/suffolk-2025-26-Q2-v1.xlsx");
    let output = npg()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(output).unwrap().contains("warning X06"));
}

#[test]
fn a_missing_path_or_an_empty_folder_cannot_run() {
    npg()
        .args(["validate", "no/such/file.xlsx"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no/such/file.xlsx does not exist",
        ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
    npg()
        .arg("validate")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("there is no spreadsheet"));
}

#[test]
fn a_text_file_renamed_xlsx_is_f01_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kent-plan-v1.xlsx"),
        b"id,name\nkent,Kent\n",
    )
    .unwrap();
    std::fs::copy(
        fixture_cycle().join("returns/plans/kent-plan-v1.xlsx"),
        dir.path().join("good.xlsx"),
    )
    .unwrap();
    let output = npg()
        .arg("validate")
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    assert!(text.contains("error F01 "), "{text}");
    assert!(text.contains("Checked 2 files: 1 with findings"), "{text}");
}

#[test]
fn an_allocations_workbook_is_checked_against_the_pot() {
    let cycle = fixture_cycle();
    npg()
        .arg("validate")
        .arg("--cycle")
        .arg(&cycle)
        .arg(cycle.join("allocations.xlsx"))
        .arg(cycle.join("weights.xlsx"))
        .assert()
        .success()
        .stdout("Checked 2 files: no problems found.\n");
}

/// The findings of one file, with the file named by its base name only.
fn findings_of(file: &std::path::Path) -> Vec<serde_json::Value> {
    let output = npg()
        .arg("validate")
        .arg(file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let mut findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    for finding in &mut findings {
        let name = finding["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        finding["file"] = serde_json::Value::String(name);
    }
    findings
}

/// A return filled in and saved again by LibreOffice (to .ods and back to .xlsx) gives the
/// same findings as the original.
#[test]
fn libreoffice_saved_returns_give_the_same_findings() {
    let Some(soffice) =
        crate::common::soffice_or_skip("libreoffice_saved_returns_give_the_same_findings")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "finance/wiltshire-2025-26-Q3-v1.xlsx",
        "finance/suffolk-2025-26-Q2-v1.xlsx",
        "monitoring/kent-2025-09.xlsx",
        "plans/bedfordshire-plan-v1.xlsx",
    ] {
        let original = fixture_cycle().join("returns").join(name);
        let stem = original.file_stem().unwrap().to_string_lossy().to_string();
        let ods_dir = dir.path().join(format!("{stem}-ods"));
        let back_dir = dir.path().join(format!("{stem}-back"));
        std::fs::create_dir_all(&ods_dir).unwrap();
        std::fs::create_dir_all(&back_dir).unwrap();
        let ods = crate::common::soffice_convert(&soffice, &original, "ods", &ods_dir);
        let back = crate::common::soffice_convert(&soffice, &ods, "xlsx", &back_dir);
        let want = findings_of(&original);
        assert_eq!(
            findings_of(&back),
            want,
            "{name} saved by LibreOffice as .xlsx"
        );
        let from_ods: Vec<serde_json::Value> = findings_of(&ods)
            .into_iter()
            .map(|mut f| {
                let name = f["file"].as_str().unwrap().replace(".ods", ".xlsx");
                f["file"] = serde_json::Value::String(name);
                f
            })
            .collect();
        assert_eq!(from_ods, want, "{name} saved by LibreOffice as .ods");
    }
}

/// Regression: a blank About field must not stop the data sheet being checked; every
/// problem of the file is reported (rules §9), here every blank input of a blank template.
#[test]
fn a_blank_template_reports_every_blank_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kent-plan-v1.xlsx");
    npg()
        .args(["template", "plan", "--cycle"])
        .arg(fixture_cycle())
        .args(["--force", "kent", "-o"])
        .arg(&file)
        .assert()
        .success();
    let output = npg()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let blanks = |sheet: &str| {
        text.lines()
            .filter(|l| l.starts_with("error C01") && l.contains(&format!("› {sheet}!")))
            .count()
    };
    assert_eq!(blanks("About"), 7, "{text}");
    assert_eq!(blanks("Profile"), 12 * 4, "{text}");
}

/// Issue 14: a return dated after the cut-off it belongs to is flagged before it is sent,
/// with the run it misses and the run that will consider it; without a cycle there is no
/// cut-off to judge it by.
#[test]
fn a_return_dated_after_its_cut_off_is_x15_with_the_cycle_only() {
    let essex = fixture_cycle().join("returns/finance/essex-2025-26-Q2-v1.xlsx");
    npg()
        .args(["validate", "--cycle"])
        .arg(fixture_cycle())
        .arg(&essex)
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "warning X15 ",
        ))
        .stdout(predicates::str::contains(
            "the Q2 financial return is dated 2025-11-12, after the Q2 cut-off 2025-10-31; it misses the Q2 payment run and will be considered at the Q3 run instead (cut-off 2026-01-31)",
        ));
    npg()
        .arg("validate")
        .arg(&essex)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("X15").not());
    // A return dated on time is not flagged.
    npg()
        .args(["validate", "--cycle"])
        .arg(fixture_cycle())
        .arg(fixture_cycle().join("returns/finance/essex-2025-26-Q1-v1.xlsx"))
        .assert()
        .code(0)
        .stdout(predicates::str::contains("X15").not());
}

/// Issue 14 (item 6): a cell of a table row is named by its row as well as its column (the
/// expenditure category's name, the month, the force id), and a date typed as text is
/// still C08 but is said back in the form to type.
#[test]
fn messages_name_the_row_and_say_a_typed_date_back_as_iso() {
    use npg::read::grid::CellValue;
    use npg::read::open::read_workbook;

    use crate::common::{set_cell, write_grid};

    let dir = tempfile::tempdir().unwrap();
    let text = |t: &str| CellValue::Text(t.to_owned());
    let edited = |from: &str, name: &str, change: &dyn Fn(&mut npg::read::grid::WorkbookData)| {
        let mut data = read_workbook(&fixture_cycle().join(from), from).unwrap();
        change(&mut data);
        let file = dir.path().join(name);
        std::fs::write(&file, write_grid(&data)).unwrap();
        file
    };
    let about_row = |data: &npg::read::grid::WorkbookData, label: &str| {
        let about = data.sheets.iter().find(|s| s.name == "About").unwrap();
        about
            .cells()
            .find(|(at, v)| at.1 == 0 && matches!(v, CellValue::Text(t) if t == label))
            .map(|(at, _)| at.0)
            .unwrap()
    };
    let finance = edited(
        "returns/finance/kent-2025-26-Q1-v1.xlsx",
        "kent-2025-26-Q1-v1.xlsx",
        &|d| {
            let row = about_row(d, "Submitted on");
            set_cell(d, "About", row, 1, text("14/07/2025"));
            set_cell(d, "Expenditure", 1, 2, text("12,500.00"));
            set_cell(d, "Expenditure", 3, 3, CellValue::Empty);
        },
    );
    let monitoring = edited(
        "returns/monitoring/kent-2025-09.xlsx",
        "kent-2025-09.xlsx",
        &|d| {
            set_cell(d, "Monitoring", 2, 1, text("514,00"));
            set_cell(d, "Monitoring", 5, 3, CellValue::Number(12.5));
        },
    );
    let months_to = edited(
        "returns/monitoring/kent-2025-09.xlsx",
        "kent-2025-09-b.xlsx",
        &|d| {
            let row = about_row(d, "Months to");
            set_cell(d, "About", row, 1, text("09/2025"));
        },
    );
    let allocations = edited("allocations.xlsx", "allocations.xlsx", &|d| {
        set_cell(d, "Allocations", 1, 3, text("£5,681,818"));
    });
    let lines = |file: &std::path::Path| {
        let output = npg().arg("validate").arg(file).output().unwrap();
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("error") || l.starts_with("warning"))
            .map(|l| l.split_once(".xlsx › ").unwrap().1.to_owned())
            .collect::<Vec<String>>()
    };
    assert_eq!(
        lines(&finance),
        [
            "About!B11: Submitted on: \"14/07/2025\" is text, not a date; enter it as a date cell, or type it as 2025-07-14",
            "Expenditure!C2: Additional neighbourhood police officers: pay and on-costs — Actual this quarter (£): \"12,500.00\" is text; enter the amount as a number (digits only, no commas, £ sign or words)",
            "Expenditure!D4: Special constables: allowances, expenses and kit — Forecast rest of year (£) is blank; enter the amount, or 0 if none",
        ]
    );
    assert_eq!(
        lines(&monitoring),
        [
            "Monitoring!B3: 2025-05 — Officers FTE: \"514,00\" is text; enter the FTE as a number (digits only, no commas, £ sign or words)",
            "Monitoring!D6: 2025-08 — Specials headcount: 12.5 is not a whole number; enter a whole count",
        ]
    );
    assert_eq!(
        lines(&months_to),
        [
            "About!B7: Months to: \"09/2025\" is text, not a month; enter it as a date cell (any day of the month), or type it as 2025-09"
        ]
    );
    let first_force = {
        let data = read_workbook(&allocations, "allocations.xlsx").unwrap();
        data.sheets[0].get(1, 0).shown()
    };
    assert_eq!(
        lines(&allocations),
        [format!(
            "Allocations!D2: {first_force} — Allocation (£): \"£5,681,818\" is text; enter the amount as a number (digits only, no commas, £ sign or words)"
        )]
    );
}
