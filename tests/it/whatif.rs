//! Issue 16, the payment rules compared: the proportional taper chosen in `cycle.toml`.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::common::{fixture_copy, npg, read_ledger};

#[test]
fn a_cycle_with_the_proportional_taper_pays_progress_to_2_places_above_the_floor() {
    let cycle = fixture_copy();
    let toml = cycle.path().join("cycle.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    // The bands out, the two keys in at the top (before the first table).
    let start = text.find("[[taper]]").unwrap();
    let end = text[start..]
        .find("[[category]]")
        .map(|i| start + i)
        .unwrap();
    let first_table = text.find("[[").unwrap();
    let proportional = format!(
        "{}taper_kind = \"proportional\"\ntaper_floor = \"0.60\"\n\n{}{}",
        &text[..first_table],
        &text[first_table..start],
        &text[end..]
    );
    std::fs::write(&toml, proportional).unwrap();
    let out = tempfile::tempdir().unwrap();
    npg()
        .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
        .arg(cycle.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let q2 = read_ledger(&out.path().join("2025-26-Q2/ledger.csv"));
    // Bedfordshire at Q2: P 0.6842 (nothing under the bands) earns 0.68 here.
    assert_eq!(q2["bedfordshire"]["progress"], "0.6842");
    assert_eq!(q2["bedfordshire"]["fraction"], "0.68");
    assert_eq!(q2["bedfordshire"]["status"], "PAY");
    let q3 = read_ledger(&out.path().join("2025-26-Q3/ledger.csv"));
    // Norfolk at Q3: P 0.9500 is 0.90 under the bands, 0.95 here; durham's negative P, 0.
    assert_eq!(q3["norfolk"]["fraction"], "0.95");
    assert_eq!(q3["durham"]["progress"], "-0.0800");
    assert_eq!(q3["durham"]["fraction"], "0.00");
    // Every line: 0 below the floor, else P half away from zero to 2 places, at most 1.00.
    let floor = Decimal::new(60, 2);
    for (force, line) in &q3 {
        if let (Ok(p), Ok(f)) = (
            line["progress"].parse::<Decimal>(),
            line["fraction"].parse::<Decimal>(),
        ) {
            let expected = if p < floor {
                Decimal::ZERO
            } else {
                p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                    .min(Decimal::ONE)
            };
            assert_eq!(f, expected, "{force}: P {p}");
        }
    }
}

const PROPORTIONAL: &str =
    "name = \"proportional from 60%\"\ntaper_kind = \"proportional\"\ntaper_floor = \"0.60\"\n";

/// Bands other than the cycle's: 100% from full delivery, 80% from 90%, nothing below.
const STEEPER: &str = "name = \"steeper\"\n\n[[taper]]\nmin_progress = \"1.0000\"\npay = \"1.00\"\n\n[[taper]]\nmin_progress = \"0.9000\"\npay = \"0.80\"\n";

fn run_whatif(cycle: &std::path::Path, rules: &[&std::path::Path], out: &std::path::Path) {
    npg()
        .args(["whatif", "--quarter", "Q1-Q4", "--overwrite", "--cycle"])
        .arg(cycle)
        .arg("--rules")
        .args(rules)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn pay_year(cycle: &std::path::Path, out: &std::path::Path) {
    npg()
        .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
        .arg(cycle)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// The CSV's lines of one scenario and quarter, without the scenario column, in order.
fn scenario_lines(csv: &str, scenario: &str, quarter: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == scenario && &r[2] == quarter)
        .map(|r| r.iter().skip(1).collect::<Vec<_>>().join(","))
        .collect()
}

fn ledger_lines(out: &std::path::Path, quarter: &str) -> Vec<String> {
    std::fs::read_to_string(out.join(format!("2025-26-{quarter}/ledger.csv")))
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_base_scenario_is_the_payment_run_and_a_banded_scenario_is_that_cycle_paid() {
    let dir = tempfile::tempdir().unwrap();
    let (proportional, steeper) = (dir.path().join("p.toml"), dir.path().join("s.toml"));
    std::fs::write(&proportional, PROPORTIONAL).unwrap();
    std::fs::write(&steeper, STEEPER).unwrap();
    let out = dir.path().join("whatif");
    run_whatif(
        &crate::common::fixture_cycle(),
        &[&proportional, &steeper],
        &out,
    );
    let csv = std::fs::read_to_string(out.join("whatif-2025-26-Q1-Q4.csv")).unwrap();
    assert!(csv.starts_with("scenario,force_id,quarter,allocation,"));

    // The base rows are the ledger lines of a real npg pay, field for field.
    let paid = dir.path().join("runs");
    pay_year(&crate::common::fixture_cycle(), &paid);
    // The steeper bands as the cycle's own rules, paid for real.
    let copy = fixture_copy();
    let toml = copy.path().join("cycle.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let start = text.find("[[taper]]").unwrap();
    let end = start + text[start..].find("[[category]]").unwrap();
    let bands = &STEEPER[STEEPER.find("[[taper]]").unwrap()..];
    std::fs::write(
        &toml,
        format!("{}{bands}\n{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let steeper_paid = dir.path().join("steeper-runs");
    pay_year(copy.path(), &steeper_paid);
    for q in ["Q1", "Q2", "Q3", "Q4"] {
        let base = scenario_lines(&csv, "base", q);
        assert_eq!(base.len(), 43, "{q}");
        assert_eq!(base, ledger_lines(&paid, q), "{q}: base against npg pay");
        assert_eq!(
            scenario_lines(&csv, "steeper", q),
            ledger_lines(&steeper_paid, q),
            "{q}: steeper bands against npg pay on a cycle with them"
        );
        assert_eq!(scenario_lines(&csv, "proportional from 60%", q).len(), 43);
    }
    // Bedfordshire at Q2 under the proportional taper: P 0.6842 earns 0.68.
    let bedfordshire: Vec<String> = scenario_lines(&csv, "proportional from 60%", "Q2")
        .into_iter()
        .filter(|l| l.starts_with("bedfordshire,"))
        .collect();
    assert!(
        bedfordshire[0].contains(",0.6842,0.68,"),
        "{bedfordshire:?}"
    );
    // What it writes: the two files only, never a run folder or a ledger.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["whatif-2025-26-Q1-Q4.csv", "whatif-2025-26-Q1-Q4.xlsx"]
    );
}

#[test]
fn the_workbook_is_titled_a_scenario_records_its_inputs_and_is_the_same_on_a_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let proportional = dir.path().join("p.toml");
    std::fs::write(&proportional, PROPORTIONAL).unwrap();
    let out = dir.path().join("whatif");
    run_whatif(&crate::common::fixture_cycle(), &[&proportional], &out);
    let book = out.join("whatif-2025-26-Q1-Q4.xlsx");
    let (first_book, first_csv) = (
        std::fs::read(&book).unwrap(),
        std::fs::read(out.join("whatif-2025-26-Q1-Q4.csv")).unwrap(),
    );
    let dump = crate::common::dump_cells(&book);
    let names: Vec<&str> = dump.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Summary", "Forces", "Bands 1", "Bands 2"]);
    for (name, rows) in &dump {
        assert_eq!(rows[0][0], "SCENARIO — not a payment run", "{name}");
    }
    let summary = &dump[0].1;
    let sha = npg::cycle::load::sha256_hex(PROPORTIONAL.as_bytes());
    assert!(
        summary.iter().any(|r| r.iter().any(|c| c.contains(&sha))),
        "the rules file's SHA-256 is recorded"
    );
    assert!(summary.iter().any(|r| {
        r.first()
            .is_some_and(|c| c == "Input fingerprint (SHA-256)")
    }));
    // Re-run: byte-identical, and --overwrite replaces only the files it wrote.
    run_whatif(&crate::common::fixture_cycle(), &[&proportional], &out);
    assert_eq!(std::fs::read(&book).unwrap(), first_book);
    assert_eq!(
        std::fs::read(out.join("whatif-2025-26-Q1-Q4.csv")).unwrap(),
        first_csv
    );
    std::fs::write(out.join("whatif-2025-26-Q1-Q4.csv"), b"someone's notes\n").unwrap();
    npg()
        .args(["whatif", "--quarter", "Q1-Q4", "--overwrite", "--cycle"])
        .arg(crate::common::fixture_cycle())
        .arg("--rules")
        .arg(&proportional)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not the CSV that"));
    assert_eq!(
        std::fs::read(out.join("whatif-2025-26-Q1-Q4.csv")).unwrap(),
        b"someone's notes\n"
    );
}

#[test]
fn a_rules_file_changing_what_is_not_a_payment_rule_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"bigger pot\"\npot = \"300000000.00\"\n").unwrap();
    let out = dir.path().join("whatif");
    npg()
        .args(["whatif", "--quarter", "Q2", "--cycle"])
        .arg(crate::common::fixture_cycle())
        .arg("--rules")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "line 2: key `pot`: is not a payment rule",
        ));
    assert!(!out.join("whatif-2025-26-Q2.xlsx").exists());
    // Output inside the cycle folder is refused, as for npg pay.
    npg()
        .args(["whatif", "--quarter", "Q2", "--cycle"])
        .arg(crate::common::fixture_cycle())
        .arg("--rules")
        .arg(&bad)
        .arg("--out")
        .arg(crate::common::fixture_cycle().join("whatif"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("inside the cycle folder"));
}

#[test]
fn a_rules_file_that_is_not_there_cannot_run_and_two_of_one_name_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("whatif");
    npg()
        .args(["whatif", "--quarter", "Q2", "--cycle"])
        .arg(crate::common::fixture_cycle())
        .arg("--rules")
        .arg(dir.path().join("missing.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing.toml: cannot read it"));
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::fs::write(&a, PROPORTIONAL).unwrap();
    std::fs::write(&b, PROPORTIONAL).unwrap();
    npg()
        .args(["whatif", "--quarter", "Q2", "--cycle"])
        .arg(crate::common::fixture_cycle())
        .arg("--rules")
        .args([&a, &b])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "two rules files are named \"proportional from 60%\"",
        ));
    std::fs::write(&b, "name = \"base\"\n").unwrap();
    npg()
        .args(["whatif", "--quarter", "Q2", "--cycle"])
        .arg(crate::common::fixture_cycle())
        .arg("--rules")
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("may not be named \"base\""));
    assert!(!out.join("whatif-2025-26-Q2.xlsx").exists());
}
