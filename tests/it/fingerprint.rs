//! The input fingerprint the approval records: recomputed with `sha256sum` by the README's
//! recipe, and changed by any change to an input, the rules or the prior ledger.

use std::path::Path;
use std::process::Command;

use crate::common::{fixture_copy, npg};

fn run(cycle: &Path, out: &Path, quarter: &str) {
    npg()
        .args(["pay", "--overwrite", "--quarter", quarter, "--cycle"])
        .arg(cycle)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn recorded(out: &Path, quarter: &str) -> String {
    let path = out.join(format!("2025-26-{quarter}/manifest.json"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    manifest["input_fingerprint"].as_str().unwrap().to_owned()
}

/// The README's recipe, run by the shell in the cycle folder.
fn recipe(cycle: &Path, prior_ledger: Option<&Path>) -> String {
    let prior = match prior_ledger {
        Some(p) => format!("\"$(sha256sum < '{}' | cut -c1-64)\"", p.display()),
        None => "none".to_owned(),
    };
    let script = format!(
        "{{ printf 'npg input fingerprint v1\\nrules_version %s\\nprior_ledger %s\\n' npg-2025-26.1 {prior}; \
           find cycle.toml forces.csv allocations.xlsx returns -type f | LC_ALL=C sort | xargs -d '\\n' sha256sum; }} \
         | sha256sum | cut -c1-64"
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(cycle)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn the_fingerprint_is_recomputed_by_the_readme_recipe_with_sha256sum() {
    let cycle = fixture_copy();
    let out = tempfile::tempdir().unwrap();
    run(cycle.path(), out.path(), "Q1-Q2");
    assert_eq!(recorded(out.path(), "Q1"), recipe(cycle.path(), None));
    let q1_ledger = out.path().join("2025-26-Q1/ledger.csv");
    assert_eq!(
        recorded(out.path(), "Q2"),
        recipe(cycle.path(), Some(&q1_ledger))
    );
    // The Summary shows the same figure.
    let dump = crate::common::dump_cells(&out.path().join("2025-26-Q2/payment-schedule.xlsx"));
    let shown = dump
        .iter()
        .flat_map(|(_, rows)| rows.iter())
        .any(|row| row.iter().any(|c| *c == recorded(out.path(), "Q2")));
    assert!(shown, "the fingerprint is printed in the payment schedule");
}

#[test]
fn any_change_to_an_input_changes_the_fingerprint() {
    let cycle = fixture_copy();
    let out = tempfile::tempdir().unwrap();
    run(cycle.path(), out.path(), "Q1");
    let base = recorded(out.path(), "Q1");
    run(cycle.path(), out.path(), "Q1");
    assert_eq!(
        recorded(out.path(), "Q1"),
        base,
        "the same inputs give the same"
    );

    // A taper band changed without touching rules_version.
    let toml = cycle.path().join("cycle.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let changed = text.replacen("0.90", "0.80", 1);
    assert_ne!(changed, text);
    std::fs::write(&toml, &changed).unwrap();
    run(cycle.path(), out.path(), "Q1");
    let after_rules = recorded(out.path(), "Q1");
    assert_ne!(after_rules, base, "a band changed");
    std::fs::write(&toml, &text).unwrap();

    // A return that is not even used (a later quarter's) still counts in it.
    let unused = cycle.path().join("returns/finance/kent-2025-26-Q4-v1.xlsx");
    let mut bytes = std::fs::read(&unused).unwrap();
    bytes.push(0);
    std::fs::write(&unused, &bytes).unwrap();
    run(cycle.path(), out.path(), "Q1");
    assert_ne!(recorded(out.path(), "Q1"), base, "an unused input changed");
    bytes.pop();
    std::fs::write(&unused, &bytes).unwrap();

    // A file added to the returns.
    std::fs::write(cycle.path().join("returns/notes.txt"), b"a note").unwrap();
    run(cycle.path(), out.path(), "Q1");
    assert_ne!(recorded(out.path(), "Q1"), base, "a file added");
    std::fs::remove_file(cycle.path().join("returns/notes.txt")).unwrap();
    run(cycle.path(), out.path(), "Q1");
    assert_eq!(recorded(out.path(), "Q1"), base, "back as it was");
}
