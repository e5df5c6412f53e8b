//! One small fixture per finding code under `fixtures/findings/<case>/`: the input workbook
//! beside the findings `npg validate` must give, as readable text. The inputs are built here
//! from the fixture year's returns by changing a cell or two, so they can be remade
//! (`NPG_BLESS=1 cargo test findings_set`) and cannot drift from what this file says.
//! Each case's `expected.txt` is the one golden of its findings' text: no other copy of it
//! is kept (it was once also an insta snapshot), so a change to a message shows in one
//! place, beside the input a force would recognise.

use std::path::{Path, PathBuf};

use npg::read::grid::{CellValue, WorkbookData};
use npg::read::open::read_workbook;

use crate::common::{fixture_cycle, npg, set_cell, write_grid};

fn findings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/findings")
}

fn fixture_return(path: &str) -> WorkbookData {
    let file = fixture_cycle().join("returns").join(path);
    read_workbook(&file, path).unwrap()
}

/// Finds the cell holding `label` in column A of `sheet` and sets column `col` of its row.
fn set_about(data: &mut WorkbookData, label: &str, value: CellValue) {
    let sheet = data.sheets.iter_mut().find(|s| s.name == "About").unwrap();
    let row = sheet
        .cells()
        .find(|(at, v)| at.1 == 0 && matches!(v, CellValue::Text(t) if t == label))
        .map(|(at, _)| at.0)
        .unwrap_or_else(|| panic!("no About label {label}"));
    sheet.set(row, 1, value);
}

fn text(value: &str) -> CellValue {
    CellValue::Text(value.to_owned())
}

/// One case: its folder, the file name inside it, the return it starts from, the change,
/// and whether it is validated against the fixture cycle.
struct Case {
    folder: &'static str,
    file: &'static str,
    from: &'static str,
    change: fn(&mut WorkbookData),
    cycle: bool,
}

const KENT_Q1: &str = "finance/kent-2025-26-Q1-v1.xlsx";
const KENT_PLAN: &str = "plans/kent-plan-v1.xlsx";
const KENT_MON: &str = "monitoring/kent-2025-09.xlsx";

fn cases() -> Vec<Case> {
    vec![
        Case {
            folder: "F03-missing-sheet",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| d.sheets.retain(|s| s.name != "Expenditure"),
        },
        Case {
            folder: "F04-renamed-header",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 0, 2, text("Actual spend")),
        },
        Case {
            folder: "F05-file-name-disagrees",
            file: "essex-2025-26-Q2-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |_| {},
        },
        Case {
            folder: "F06-unknown-return-type",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_about(d, "Return type", text("Finance return")),
        },
        Case {
            folder: "C01-blank-amount",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 2, 2, CellValue::Empty),
        },
        Case {
            folder: "C02-text-in-number",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| {
                set_cell(d, "Expenditure", 1, 2, text("1,234.56"));
                set_cell(d, "Expenditure", 2, 2, text("£5k"));
                set_cell(d, "Expenditure", 3, 3, text("twelve"));
            },
        },
        Case {
            folder: "C04-formula-error",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 1, 2, CellValue::Error("#DIV/0!".into())),
        },
        Case {
            folder: "C05-negative",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 1, 3, CellValue::Number(-250.0)),
        },
        Case {
            folder: "C06-three-decimal-money",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 1, 2, CellValue::Number(1000.125)),
        },
        Case {
            folder: "C07-three-decimal-fte",
            file: "kent-plan-v1.xlsx",
            from: KENT_PLAN,
            cycle: false,
            change: |d| set_cell(d, "Profile", 3, 1, CellValue::Number(1500.125)),
        },
        Case {
            folder: "C08-month-as-other-text",
            file: "kent-2025-09.xlsx",
            from: KENT_MON,
            cycle: false,
            change: |d| set_cell(d, "Monitoring", 2, 0, text("May 2025")),
        },
        Case {
            folder: "C09-implausible-jump",
            file: "kent-2025-09.xlsx",
            from: KENT_MON,
            cycle: true,
            change: |d| {
                set_cell(d, "Monitoring", 3, 1, CellValue::Number(9000.0));
                // Another submission date, so it is not the same return as the cycle's (X13).
                set_about(d, "Submitted on", text("2025-10-20"));
            },
        },
        Case {
            folder: "C10-percentage-over-100",
            file: "kent-2025-09.xlsx",
            from: KENT_MON,
            cycle: false,
            change: |d| set_cell(d, "Monitoring", 1, 6, CellValue::Number(150.0)),
        },
        Case {
            folder: "C11-out-of-range",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 1, 2, CellValue::Number(1e300)),
        },
        Case {
            folder: "X01-unknown-force",
            file: "atlantis-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_about(d, "Force id", text("atlantis")),
        },
        Case {
            folder: "X02-other-year",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: true,
            change: |d| set_about(d, "Financial year", text("2024-25")),
        },
        Case {
            folder: "X03-repeated-month",
            file: "kent-2025-09.xlsx",
            from: KENT_MON,
            cycle: false,
            change: |d| set_cell(d, "Monitoring", 3, 0, text("2025-05")),
        },
        Case {
            folder: "X04-plan-total-not-allocation",
            file: "kent-plan-v1.xlsx",
            from: KENT_PLAN,
            cycle: true,
            change: |d| {
                set_cell(d, "Profile", 12, 4, CellValue::Number(1.0));
                set_about(d, "Plan version", CellValue::Number(3.0));
            },
        },
        Case {
            folder: "X05-no-growth",
            file: "kent-plan-v1.xlsx",
            from: KENT_PLAN,
            cycle: false,
            change: |d| {
                // March back at the baseline: officers and PCSOs as on the About sheet.
                let about = d.sheets.iter().find(|s| s.name == "About").unwrap().clone();
                let find = |label: &str| {
                    about
                        .cells()
                        .find(|(at, v)| at.1 == 0 && matches!(v, CellValue::Text(t) if t == label))
                        .map(|(at, _)| about.get(at.0, 1).clone())
                        .unwrap()
                };
                let (officers, pcsos) = (find("Baseline officers FTE"), find("Baseline PCSOs FTE"));
                set_cell(d, "Profile", 12, 1, officers);
                set_cell(d, "Profile", 12, 2, pcsos);
            },
        },
        Case {
            folder: "X08-allocations-not-the-pot",
            file: "allocations.xlsx",
            from: "../allocations.xlsx",
            cycle: true,
            change: |d| {
                // One pound more for the first force: the total is then £1 over the pot.
                let sheet = d.sheets.iter().find(|s| s.name == "Allocations").unwrap();
                let CellValue::Number(amount) = sheet.get(1, 3).clone() else {
                    panic!("no allocation in D2")
                };
                set_cell(d, "Allocations", 1, 3, CellValue::Number(amount + 1.0));
            },
        },
        Case {
            folder: "X06-ineligible-without-note",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 6, 2, CellValue::Number(4200.0)),
        },
        Case {
            folder: "X07-no-chief-finance-officer",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_about(d, "Chief finance officer", CellValue::Empty),
        },
        Case {
            folder: "X09-responded-exceeds-queries",
            file: "kent-2025-09.xlsx",
            from: KENT_MON,
            cycle: false,
            change: |d| {
                set_cell(d, "Monitoring", 1, 4, CellValue::Number(100.0));
                set_cell(d, "Monitoring", 1, 5, CellValue::Number(120.0));
            },
        },
        Case {
            folder: "X10-forecast-beyond-allocation",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: true,
            change: |d| {
                set_cell(d, "Expenditure", 1, 3, CellValue::Number(9_000_000.0));
                set_about(d, "Version", CellValue::Number(3.0));
            },
        },
        Case {
            folder: "X11-category-twice",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 2, 0, text("officer-pay")),
        },
        Case {
            folder: "X12-unknown-category",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| set_cell(d, "Expenditure", 4, 0, text("overtime")),
        },
        Case {
            // Version 2's own Total row (row 8) is skipped; a total the force added below it
            // is X12 (no category id) and, as it does not add up, X16.
            folder: "X16-added-total-does-not-add-up",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: false,
            change: |d| {
                set_cell(d, "Expenditure", 8, 1, text("Total"));
                set_cell(d, "Expenditure", 8, 2, CellValue::Number(1_000_000.0));
            },
        },
        Case {
            // kent's September return with April's officers changed from what its June return
            // (the previous, in the cycle) says, sent again later: information, a correction
            // is allowed.
            folder: "X17-month-changed-since-last-return",
            file: "kent-2025-09.xlsx",
            from: KENT_MON,
            cycle: true,
            change: |d| {
                set_cell(d, "Monitoring", 1, 1, CellValue::Number(330.0));
                // Sent again a week later: a resubmission, not the same return (X13).
                set_about(d, "Submitted on", text("2025-10-20"));
            },
        },
        Case {
            folder: "X13-same-version-different-contents",
            file: "kent-2025-26-Q1-v1.xlsx",
            from: KENT_Q1,
            cycle: true,
            change: |d| set_cell(d, "Expenditure", 1, 2, CellValue::Number(1.0)),
        },
    ]
}

/// Builds every case's input in `root`.
fn build_inputs(root: &Path) {
    for case in cases() {
        let folder = root.join(case.folder);
        std::fs::create_dir_all(&folder).unwrap();
        let mut data = fixture_return(case.from);
        (case.change)(&mut data);
        std::fs::write(folder.join(case.file), write_grid(&data)).unwrap();
    }
    // F01 and F02 need files no workbook writer makes.
    let f01 = root.join("F01-text-renamed-xlsx");
    std::fs::create_dir_all(&f01).unwrap();
    std::fs::write(
        f01.join("kent-2025-26-Q1-v1.xlsx"),
        "Category id,Actual\nofficer-pay,1000\n",
    )
    .unwrap();
    let f02 = root.join("F02-encrypted");
    std::fs::create_dir_all(&f02).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/read/encrypted.xlsx"),
        f02.join("encrypted.xlsx"),
    )
    .unwrap();
}

/// Every case folder, in byte order.
fn case_folders(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What `npg validate` prints for one case folder, run from the findings folder.
fn validate_case(root: &Path, folder: &str) -> String {
    let with_cycle = cases().iter().any(|c| c.folder == folder && c.cycle);
    let mut command = npg();
    command.current_dir(root).arg("validate");
    if with_cycle {
        // Relative, so the expected text names no absolute path.
        command.args(["--cycle", "../2025-26"]);
    }
    let mut inputs: Vec<String> = std::fs::read_dir(root.join(folder))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "expected.txt")
        .map(|name| format!("{folder}/{name}"))
        .collect();
    inputs.sort();
    let output = command.args(&inputs).output().unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn each_finding_code_has_its_fixture_and_gives_its_expected_findings() {
    let root = findings_dir();
    let built = tempfile::tempdir().unwrap();
    build_inputs(built.path());
    if std::env::var_os("NPG_BLESS").is_some() {
        build_inputs(&root);
        for folder in case_folders(&root) {
            std::fs::write(
                root.join(&folder).join("expected.txt"),
                validate_case(&root, &folder),
            )
            .unwrap();
        }
    }
    let folders = case_folders(&root);
    assert_eq!(
        folders,
        case_folders(built.path()),
        "the committed case folders are the ones this file builds"
    );
    // The cases themselves are pinned, so that none can be dropped from the builder and
    // the fixtures together unseen.
    assert_eq!(folders, CASE_FOLDERS, "the case folders");
    for folder in &folders {
        // The committed inputs are exactly what the builder makes.
        for entry in std::fs::read_dir(built.path().join(folder)).unwrap() {
            let entry = entry.unwrap();
            let committed = std::fs::read(root.join(folder).join(entry.file_name())).unwrap();
            assert!(
                committed == std::fs::read(entry.path()).unwrap(),
                "{folder}/{:?} differs from what the builder makes",
                entry.file_name()
            );
        }
        let code = &folder[..3];
        let found = validate_case(&root, folder);
        let expected = std::fs::read_to_string(root.join(folder).join("expected.txt")).unwrap();
        assert_eq!(found, expected, "{folder}");
        assert!(
            found.lines().any(|l| l.split(' ').nth(1) == Some(code)),
            "{folder} must produce {code}:\n{found}"
        );
        // Every case's text ends with the one summary line of its one file.
        let summary = expected.lines().last().unwrap_or_default();
        assert!(
            summary.starts_with("Checked 1 file: 1 with findings (") && expected.ends_with(").\n"),
            "{folder}: the summary line is {summary:?}"
        );
        assert_eq!(
            expected
                .lines()
                .filter(|l| l.starts_with("Checked "))
                .count(),
            1,
            "{folder}: one summary line"
        );
    }
}

/// Every case folder under `fixtures/findings/`, one per finding code that a single
/// return can show (X14, a return after the cut-off, is a payment run's, not validate's).
const CASE_FOLDERS: [&str; 31] = [
    "C01-blank-amount",
    "C02-text-in-number",
    "C04-formula-error",
    "C05-negative",
    "C06-three-decimal-money",
    "C07-three-decimal-fte",
    "C08-month-as-other-text",
    "C09-implausible-jump",
    "C10-percentage-over-100",
    "C11-out-of-range",
    "F01-text-renamed-xlsx",
    "F02-encrypted",
    "F03-missing-sheet",
    "F04-renamed-header",
    "F05-file-name-disagrees",
    "F06-unknown-return-type",
    "X01-unknown-force",
    "X02-other-year",
    "X03-repeated-month",
    "X04-plan-total-not-allocation",
    "X05-no-growth",
    "X06-ineligible-without-note",
    "X07-no-chief-finance-officer",
    "X08-allocations-not-the-pot",
    "X09-responded-exceeds-queries",
    "X10-forecast-beyond-allocation",
    "X11-category-twice",
    "X12-unknown-category",
    "X13-same-version-different-contents",
    "X16-added-total-does-not-add-up",
    "X17-month-changed-since-last-return",
];

/// A change made to a workbook's cells.
type Change = fn(&mut WorkbookData);

/// Moves every cell of `sheet` through `to`, which gives each (row, col) its new place.
fn remap(data: &mut WorkbookData, sheet: &str, to: impl Fn(u32, u32) -> (u32, u32)) {
    let grid = data.sheets.iter_mut().find(|s| s.name == sheet).unwrap();
    let cells: Vec<((u32, u32), CellValue)> = grid.cells().map(|(at, v)| (at, v.clone())).collect();
    let mut moved = npg::read::grid::SheetGrid::new(grid.name.clone(), grid.index);
    for ((row, col), value) in cells {
        let (row, col) = to(row, col);
        moved.set(row, col, value);
    }
    *grid = moved;
}

/// What rules §10 lets a force change without a finding: columns in another order, extra
/// columns, wholly blank rows anywhere in a table, and labels in another case.
#[test]
fn tolerated_layout_changes_give_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    let variants: Vec<(&str, &str, Change)> = vec![
        ("reordered-columns.xlsx", KENT_Q1, |d| {
            remap(d, "Expenditure", |r, c| match c {
                2 => (r, 3),
                3 => (r, 2),
                other => (r, other),
            })
        }),
        ("extra-column.xlsx", KENT_Q1, |d| {
            set_cell(d, "Expenditure", 0, 7, text("Our reference"));
            set_cell(d, "Expenditure", 1, 7, text("REF-1"));
        }),
        ("blank-rows.xlsx", KENT_MON, |d| {
            remap(
                d,
                "Monitoring",
                |r, c| if r >= 3 { (r + 2, c) } else { (r, c) },
            )
        }),
        ("lower-case-labels.xlsx", KENT_PLAN, |d| {
            set_cell(d, "Profile", 0, 1, text("  officers fte "));
            let about = d.sheets.iter_mut().find(|s| s.name == "About").unwrap();
            about.set(3, 0, text("FORCE ID"));
        }),
    ];
    for (name, from, change) in variants {
        let mut data = fixture_return(from);
        change(&mut data);
        let path = dir.path().join(name);
        std::fs::write(&path, write_grid(&data)).unwrap();
        npg()
            .arg("validate")
            .arg(&path)
            .assert()
            .success()
            .stdout("Checked 1 file: no problems found.\n");
    }
}

/// Months out of order are X03 at the row where the order breaks.
#[test]
fn months_out_of_order_are_x03() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = fixture_return(KENT_MON);
    // Swap the May and June rows.
    remap(&mut data, "Monitoring", |r, c| match r {
        2 => (3, c),
        3 => (2, c),
        other => (other, c),
    });
    let path = dir.path().join("kent-2025-09.xlsx");
    std::fs::write(&path, write_grid(&data)).unwrap();
    let output = npg()
        .arg("validate")
        .arg(&path)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    assert!(
        text.contains(
            "› Monitoring!A4: Month: 2025-05 comes after 2025-06; list the months in order"
        ),
        "{text}"
    );
}
