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
