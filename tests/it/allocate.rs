//! `npg allocate`: the pot split to the penny, its workbook, and its refusals of bad input.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::Workbook;

use crate::common::{dump_cells, fixture_cycle, npg, sheet};

/// A cell of a hand-made weights workbook.
enum Cell {
    Text(&'static str),
    Number(f64),
}

/// A folder holding a force list of `a`, `b` and `c` (and nothing else).
fn abc_cycle() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("forces.csv"),
        "id,name\na,Force A\nb,Force B\nc,Force C\n",
    )
    .unwrap();
    dir
}

/// Writes a weights workbook (sheet `Weights`) with the rows given under the header.
fn weights_book(path: &Path, rows: &[(&str, Cell)]) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Weights").unwrap();
    for (col, header) in ["Force id", "Force name", "Weight"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (index, (force, weight)) in rows.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_string(row, 0, *force).unwrap();
        sheet
            .write_string(row, 1, format!("Force {force}"))
            .unwrap();
        match weight {
            Cell::Text(text) => sheet.write_string(row, 2, *text).unwrap(),
            Cell::Number(n) => sheet.write_number(row, 2, *n).unwrap(),
        };
    }
    workbook.save(path).unwrap();
}

fn numbers(weights: &[f64]) -> Vec<(&'static str, Cell)> {
    ["a", "b", "c"]
        .into_iter()
        .zip(weights)
        .map(|(f, w)| (f, Cell::Number(*w)))
        .collect()
}

/// `npg allocate` on `weights` against the force list in `cycle`, writing `out`.
fn allocate_cmd(weights: &Path, cycle: &Path, pot: &str, out: &Path) -> assert_cmd::Command {
    let mut command = npg();
    command
        .arg("allocate")
        .arg("--weights")
        .arg(weights)
        .arg("--cycle")
        .arg(cycle)
        .arg(format!("--pot={pot}"))
        .arg("-o")
        .arg(out);
    command
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The Allocations sheet as (id, amount) pairs.
fn amounts(out: &Path) -> Vec<(String, String)> {
    let dump = dump_cells(out);
    sheet(&dump, "Allocations")[1..]
        .iter()
        .map(|row| (row[0].clone(), row[3].clone()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_fixture_weights_give_the_committed_allocations() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("allocations.xlsx");
    let cycle = fixture_cycle();
    let assert = allocate_cmd(&cycle.join("weights.xlsx"), &cycle, "200000000.00", &out)
        .assert()
        .success();
    assert_eq!(
        stdout(&assert),
        format!(
            "pot              £200,000,000.00\n\
             total allocated  £200,000,000.00\n\
             difference       £0.00\n\
             unit             pound (£1.00)\n\
             forces           43\n\
             wrote {}\n",
            out.display()
        )
    );
    // The fixture year's allocations are exactly what the command makes.
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(cycle.join("allocations.xlsx")).unwrap()
    );
    let dump = dump_cells(&out);
    let rows = sheet(&dump, "Allocations");
    assert_eq!(
        rows[0],
        ["Force id", "Force name", "Weight", "Allocation (£)"]
    );
    assert_eq!(rows.len(), 44, "a header and 43 forces, no totals row");
    assert_eq!(
        rows[1],
        [
            "avon-and-somerset",
            "Avon and Somerset Constabulary",
            "3100",
            "4296009"
        ]
    );
    assert_eq!(
        rows[2],
        ["bedfordshire", "Bedfordshire Police", "1470", "2037140"]
    );
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "sorted by id");
    let total: i64 = rows[1..].iter().map(|r| r[3].parse::<i64>().unwrap()).sum();
    assert_eq!(total, 200_000_000);
    assert_eq!(
        sheet(&dump, "Check"),
        [
            vec!["Check", "Value"],
            vec!["Pot", "200000000"],
            vec!["Total allocated", "200000000"],
            vec!["Difference", "0"],
            vec!["Unit", "pound (£1.00)"],
            vec!["Number of forces", "43"],
        ]
    );
}

/// (pot, unit, weights of a, b, c, expected allocations).
type WorkedExample = (
    &'static str,
    &'static str,
    [f64; 3],
    [(&'static str, &'static str); 3],
);

#[test]
fn the_worked_examples_of_rules_4_through_the_command() {
    let cycle = abc_cycle();
    let cases: [WorkedExample; 3] = [
        (
            "100.00",
            "penny",
            [1.0, 1.0, 1.0],
            [("a", "33.34"), ("b", "33.33"), ("c", "33.33")],
        ),
        (
            "10",
            "pound",
            [2.0, 3.0, 5.0],
            [("a", "2"), ("b", "3"), ("c", "5")],
        ),
        (
            "10",
            "pound",
            [1.0, 1.0, 1.0],
            [("a", "4"), ("b", "3"), ("c", "3")],
        ),
    ];
    for (index, (pot, unit, weights, expected)) in cases.into_iter().enumerate() {
        let input = cycle.path().join(format!("weights-{index}.xlsx"));
        weights_book(&input, &numbers(&weights));
        let out = cycle.path().join(format!("allocations-{index}.xlsx"));
        let assert = allocate_cmd(&input, cycle.path(), pot, &out)
            .args(["--unit", unit])
            .assert()
            .success();
        assert_eq!(amounts(&out), pairs(&expected), "case {index}");
        let text = stdout(&assert);
        assert!(text.contains("difference       £0.00\n"), "{text}");
        assert!(text.contains("forces           3\n"), "{text}");
    }
}

#[test]
fn the_force_list_beside_the_weights_is_used_without_cycle() {
    let cycle = abc_cycle();
    let input = cycle.path().join("weights.xlsx");
    weights_book(&input, &numbers(&[1.0, 1.0, 1.0]));
    let out = cycle.path().join("out.xlsx");
    npg()
        .arg("allocate")
        .arg("--weights")
        .arg(&input)
        .args(["--pot", "100.00", "--unit", "penny", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        amounts(&out),
        pairs(&[("a", "33.34"), ("b", "33.33"), ("c", "33.33")])
    );

    // With no force list anywhere, the command cannot run.
    let bare = tempfile::tempdir().unwrap();
    let input = bare.path().join("weights.xlsx");
    weights_book(&input, &numbers(&[1.0, 1.0, 1.0]));
    let out = bare.path().join("out.xlsx");
    let assert = npg()
        .arg("allocate")
        .arg("--weights")
        .arg(&input)
        .args(["--pot", "100.00", "-o"])
        .arg(&out)
        .assert()
        .code(2);
    assert!(
        stderr(&assert).contains("give --cycle DIR"),
        "{}",
        stderr(&assert)
    );
    assert!(!out.exists());
}

/// Runs the command on bad weights: exit 1, the findings on stdout, nothing written.
fn refused(rows: &[(&str, Cell)]) -> Vec<String> {
    let cycle = abc_cycle();
    let input = cycle.path().join("weights.xlsx");
    weights_book(&input, rows);
    let out = cycle.path().join("allocations.xlsx");
    let assert = allocate_cmd(&input, cycle.path(), "100.00", &out)
        .assert()
        .code(1);
    assert!(!out.exists(), "no output may be written");
    let leftover: Vec<PathBuf> = std::fs::read_dir(cycle.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftover.is_empty(), "{leftover:?}");
    assert!(stderr(&assert).contains("no allocations were written"));
    // Findings name the file as given; shorten it for the assertions.
    let shown = input.display().to_string();
    stdout(&assert)
        .lines()
        .map(|l| l.replace(&shown, "weights.xlsx"))
        .collect()
}

#[test]
fn bad_weights_are_findings_with_their_cells_and_nothing_is_written() {
    assert_eq!(
        refused(&[
            ("a", Cell::Number(1.0)),
            ("b", Cell::Number(-2.0)),
            ("c", Cell::Number(1.0))
        ]),
        [
            "error C05 weights.xlsx › Weights!C3: b — Weight: -2 is negative; enter the weight as 0 or more"
        ]
    );
    assert_eq!(
        refused(&[
            ("a", Cell::Text("12k")),
            ("b", Cell::Number(1.0)),
            ("c", Cell::Number(1.0))
        ]),
        [
            "error C02 weights.xlsx › Weights!C2: a — Weight: \"12k\" is text; enter the weight as a number (digits only, no commas, £ sign or words)"
        ]
    );
    assert_eq!(
        refused(&numbers(&[0.0, 0.0, 0.0])),
        [
            "error X08 weights.xlsx › Weights!C1: every weight is 0, so the pot cannot be allocated; give at least one force a positive weight"
        ]
    );
    assert_eq!(
        refused(&[
            ("a", Cell::Number(1.0)),
            ("b", Cell::Number(1.0)),
            ("a", Cell::Number(2.0))
        ]),
        [
            "error X11 weights.xlsx › Weights!A4: Force id: a is listed twice (first in row 2); give each force one row"
        ]
    );
    assert_eq!(
        refused(&[
            ("a", Cell::Number(1.0)),
            ("kent", Cell::Number(1.0)),
            ("c", Cell::Number(1.0))
        ]),
        [
            "error X01 weights.xlsx › Weights!A3: Force id: \"kent\" is not in the force list; use the force's id as forces.csv gives it (for example kent)"
        ]
    );
}

#[test]
fn a_bad_pot_is_a_usage_error_and_nothing_is_written() {
    let cycle = abc_cycle();
    let input = cycle.path().join("weights.xlsx");
    weights_book(&input, &numbers(&[1.0, 1.0, 1.0]));
    let out = cycle.path().join("allocations.xlsx");
    // clap's value parser refuses what is not a positive amount, naming the flag and value;
    // the whole-unit rule, which depends on --unit, is the command's.
    let refused =
        |pot: &str, why: &str| format!("invalid value '{pot}' for '--pot <AMOUNT>': {why}");
    for (pot, why) in [
        ("0", refused("0", "not a positive amount")),
        ("-5", refused("-5", "not a positive amount")),
        ("1.005", refused("1.005", "more than 2 decimal places")),
        (
            "10.50",
            "--pot 10.50 is not a whole number of pounds".to_owned(),
        ),
        ("12k", refused("12k", "not an amount")),
        ("1,000", refused("1,000", "not an amount")),
    ] {
        let assert = allocate_cmd(&input, cycle.path(), pot, &out)
            .assert()
            .code(2);
        let err = stderr(&assert);
        assert!(err.contains(&why), "{pot}: {err}");
        assert!(!out.exists(), "{pot}");
    }
    // 10.50 is fine to the penny.
    allocate_cmd(&input, cycle.path(), "10.50", &out)
        .args(["--unit", "penny"])
        .assert()
        .success();
    assert_eq!(
        amounts(&out),
        pairs(&[("a", "3.5"), ("b", "3.5"), ("c", "3.5")])
    );
    let assert = allocate_cmd(&input, cycle.path(), "10", &cycle.path().join("x.xlsx"))
        .args(["--unit", "shilling"])
        .assert()
        .code(2);
    let err = stderr(&assert);
    assert!(
        err.contains("invalid value 'shilling' for '--unit <UNIT>'")
            && err.contains("[possible values: pound, penny]"),
        "{err}"
    );
}

#[test]
fn an_existing_output_is_replaced_only_with_overwrite() {
    let cycle = abc_cycle();
    let input = cycle.path().join("weights.xlsx");
    weights_book(&input, &numbers(&[2.0, 3.0, 5.0]));
    let out = cycle.path().join("allocations.xlsx");
    std::fs::write(&out, b"keep me").unwrap();
    let assert = allocate_cmd(&input, cycle.path(), "10", &out)
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("already exists; give --overwrite to replace it"));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    // --overwrite replaces only an allocations workbook npg wrote, never someone's file.
    let assert = allocate_cmd(&input, cycle.path(), "10", &out)
        .arg("--overwrite")
        .assert()
        .code(2);
    assert!(
        stderr(&assert).contains("is a file npg did not write, so it is not replaced"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    std::fs::remove_file(&out).unwrap();
    allocate_cmd(&input, cycle.path(), "10", &out)
        .assert()
        .success();
    weights_book(&input, &numbers(&[5.0, 3.0, 2.0]));
    allocate_cmd(&input, cycle.path(), "10", &out)
        .arg("--overwrite")
        .assert()
        .success();
    assert_eq!(amounts(&out), pairs(&[("a", "5"), ("b", "3"), ("c", "2")]));
}
