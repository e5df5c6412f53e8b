//! The worked examples W1–W6 of rules §8 with their exact figures, through `npg pay` itself:
//! a small cycle with one force per example, its returns written by the same template
//! writer as the fixture year, run Q1-Q4, and each figure read back from `ledger.csv`.

use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use npg::domain::returns::{
    DeliveryPlan, FinanceLine, FinancialReturn, MonitoringMonth, MonitoringReturn, PlanMonth,
    Return, ReturnHeader,
};
use npg::domain::{FinancialYear, ForceList, Fte, Headcount, Money, Month, Quarter};
use npg::fixture_year::{CYCLE_TOML, DesignedReturn, return_workbook};
use npg::rules::allocate::{AllocationUnit, WeightLine, allocate};
use npg::write::allocations::write_allocations;

use crate::common::{LedgerRows, npg, read_ledger};

/// One example force: its allocation, plan, monitoring returns and quarterly spend.
struct Example {
    id: &'static str,
    allocation: &'static str,
    /// Planned spend in months 1–11 and in month 12.
    spend_profile: (&'static str, &'static str),
    /// Baseline officers and PCSOs (31 March 2025).
    baseline: (&'static str, &'static str),
    /// Planned neighbourhood FTE at each month end, April to March.
    planned: [&'static str; 12],
    /// Actual neighbourhood FTE from April, as far as the last monitoring return reaches.
    actual: &'static [&'static str],
    /// Each monitoring return: the months it covers (from April) and when it was sent.
    monitoring: &'static [(usize, &'static str)],
    /// Eligible spend per quarter, Q1 first.
    spend: &'static [&'static str],
}

const W1: Example = Example {
    id: "w1-on-track",
    allocation: "4000000.00",
    spend_profile: ("333333.33", "333333.37"),
    baseline: ("300.00", "150.00"),
    planned: [
        "455", "460", "465", "470", "475", "480", "485", "490", "495", "500", "505", "510",
    ],
    actual: &["455", "460", "464", "470", "475", "480.50"],
    monitoring: &[(3, "2025-07-10"), (6, "2025-10-10")],
    spend: &["900000.00", "1250000.00"],
};

const W2: Example = Example {
    id: "w2-behind-plan",
    allocation: "2500000.00",
    spend_profile: ("208333.33", "208333.37"),
    baseline: ("130.00", "70.00"),
    planned: [
        "204", "208", "212", "216", "220", "224", "228", "232", "236", "240", "244", "248",
    ],
    actual: &["204", "208", "212", "214", "216", "217"],
    monitoring: &[(3, "2025-07-10"), (6, "2025-10-10")],
    spend: &["600000.00", "550000.00"],
};

const W3: Example = Example {
    id: "w3-final-recovery",
    allocation: "1000000.00",
    spend_profile: ("83333.33", "83333.37"),
    baseline: ("60.00", "40.00"),
    planned: [
        "102", "104", "105", "107", "109", "110", "112", "114", "115", "117", "119", "120",
    ],
    actual: &[
        "102", "104", "105", "107", "109", "110", "112", "114", "115", "116", "116.50", "117",
    ],
    monitoring: &[
        (3, "2025-07-10"),
        (6, "2025-10-10"),
        (9, "2026-01-12"),
        (12, "2026-04-10"),
    ],
    // Q1–Q3 spent exactly to profile (3 × £83,333.33 each), Q4 beyond the allocation.
    spend: &["249999.99", "249999.99", "249999.99", "262345.70"],
};

/// W4's first case and W5's first boundary: B = £333,333.35 at P = 19/20 = 0.9500 → 0.90.
const W4_ROUNDING: Example = Example {
    id: "w4-rounding",
    allocation: "1440000.00",
    spend_profile: ("120000.00", "120000.00"),
    baseline: ("60.00", "40.00"),
    planned: [
        "105", "110", "120", "120", "120", "120", "120", "120", "120", "120", "120", "120",
    ],
    actual: &["105", "110", "119"],
    monitoring: &[(3, "2025-07-10")],
    spend: &["333333.35"],
};

/// W4's second case and W5's 0.7501 boundary: B = £0.05 at P = 60.01/80 → 0.50.
const W4_PENNIES: Example = Example {
    id: "w4-pennies",
    allocation: "12.00",
    spend_profile: ("1.00", "1.00"),
    baseline: ("150.00", "50.00"),
    planned: [
        "220", "240", "280", "280", "280", "280", "280", "280", "280", "280", "280", "280",
    ],
    actual: &["220", "240", "260.01"],
    monitoring: &[(3, "2025-07-10")],
    spend: &["0.05"],
};

/// W4's third case: P = 1/32 = 0.03125 → 0.0313.
const W4_ONE_IN_32: Example = Example {
    id: "w4-one-in-32",
    allocation: "120000.00",
    spend_profile: ("10000.00", "10000.00"),
    baseline: ("60.00", "40.00"),
    planned: [
        "110", "120", "132", "132", "132", "132", "132", "132", "132", "132", "132", "132",
    ],
    actual: &["100", "100", "101"],
    monitoring: &[(3, "2025-07-10")],
    spend: &["30000.00"],
};

/// W5: 189.99 / 200 = 0.94995 → 0.9500 → 0.90.
const W5_JUST_UNDER: Example = Example {
    id: "w5-just-under",
    allocation: "120000.00",
    spend_profile: ("10000.00", "10000.00"),
    baseline: ("600.00", "400.00"),
    planned: [
        "1060", "1130", "1200", "1200", "1200", "1200", "1200", "1200", "1200", "1200", "1200",
        "1200",
    ],
    actual: &["1060", "1125", "1189.99"],
    monitoring: &[(3, "2025-07-10")],
    spend: &["30000.00"],
};

/// W5: P = 15/20 = 0.7500 → 0.
const W5_AT_75: Example = Example {
    id: "w5-at-75",
    allocation: "120000.00",
    spend_profile: ("10000.00", "10000.00"),
    baseline: ("60.00", "40.00"),
    planned: [
        "105", "110", "120", "120", "120", "120", "120", "120", "120", "120", "120", "120",
    ],
    actual: &["105", "110", "115"],
    monitoring: &[(3, "2025-07-10")],
    spend: &["30000.00"],
};

/// W5: Up(2025-06) = 0 → P = 1.0000, even with the actual below the baseline.
const W5_NO_UPLIFT_DUE: Example = Example {
    id: "w5-no-uplift-due",
    allocation: "120000.00",
    spend_profile: ("10000.00", "10000.00"),
    baseline: ("60.00", "40.00"),
    planned: [
        "100", "100", "100", "102", "104", "106", "108", "110", "112", "114", "116", "118",
    ],
    actual: &["98", "95", "90"],
    monitoring: &[(3, "2025-07-10")],
    spend: &["30000.00"],
};

/// W6: monitoring only to 2025-08 → held at Q2 and at every quarter after, Q4 included.
const W6: Example = Example {
    id: "w6-hold",
    allocation: "1200000.00",
    spend_profile: ("100000.00", "100000.00"),
    baseline: ("60.00", "40.00"),
    planned: [
        "102", "104", "106", "108", "110", "112", "114", "116", "118", "120", "122", "124",
    ],
    actual: &["102", "104", "106", "108", "110"],
    monitoring: &[(3, "2025-07-10"), (5, "2025-09-10")],
    spend: &["250000.00", "300000.00", "300000.00", "300000.00"],
};

const EXAMPLES: [&Example; 10] = [
    &W1,
    &W2,
    &W3,
    &W4_ROUNDING,
    &W4_PENNIES,
    &W4_ONE_IN_32,
    &W5_JUST_UNDER,
    &W5_AT_75,
    &W5_NO_UPLIFT_DUE,
    &W6,
];

fn money(text: &str) -> Money {
    text.parse().unwrap()
}

fn fte(text: &str) -> Fte {
    text.parse().unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn year() -> FinancialYear {
    "2025-26".parse().unwrap()
}

fn header(example: &Example, submitted: &str) -> ReturnHeader {
    ReturnHeader {
        force: example.id.parse().unwrap(),
        force_name: format!("Worked example {}", example.id),
        year: year(),
        prepared_by: "A. Analyst".into(),
        submitted_on: day(submitted),
    }
}

fn count(n: u32) -> Headcount {
    Headcount::new(n).unwrap()
}

/// Writes the cycle folder of the examples into `dir`.
fn write_cycle(dir: &Path) {
    let pot: Money = EXAMPLES.iter().map(|e| money(e.allocation)).sum();
    let toml = CYCLE_TOML.replace("pot = \"200000000.00\"", &format!("pot = \"{pot}\""));
    assert_ne!(toml, CYCLE_TOML, "the pot is replaced");
    std::fs::write(dir.join("cycle.toml"), &toml).unwrap();
    let mut csv = String::from("id,name\n");
    for e in EXAMPLES {
        csv.push_str(&format!("{},Worked example {}\n", e.id, e.id));
    }
    std::fs::write(dir.join("forces.csv"), &csv).unwrap();
    let forces = ForceList::parse(&csv, "forces.csv").unwrap();
    let config = npg::cycle::config::CycleConfig::parse(&toml, "cycle.toml").unwrap();
    // Allocating the pot in pence by weights equal to the allocations gives them exactly.
    let weights: Vec<WeightLine> = EXAMPLES
        .iter()
        .map(|e| WeightLine {
            force: e.id.parse().unwrap(),
            weight: e.allocation.parse().unwrap(),
        })
        .collect();
    let allocation = allocate(pot, AllocationUnit::Penny, &weights).unwrap();
    for e in EXAMPLES {
        let line = allocation
            .lines
            .iter()
            .find(|l| l.force.as_str() == e.id)
            .unwrap();
        assert_eq!(line.allocation, money(e.allocation), "{}", e.id);
    }
    std::fs::write(
        dir.join("allocations.xlsx"),
        write_allocations(&allocation, &forces, year()).unwrap(),
    )
    .unwrap();

    let months: Vec<Month> = year().months().collect();
    let mut returns = Vec::new();
    for e in EXAMPLES {
        let pcsos = fte(e.baseline.1);
        let plan = DeliveryPlan {
            header: header(e, "2025-03-20"),
            version: 1,
            baseline_officers: fte(e.baseline.0),
            baseline_pcsos: pcsos,
            baseline_specials: count(10),
            approved_by: "A. Chief".into(),
            months: months
                .iter()
                .zip(e.planned)
                .enumerate()
                .map(|(i, (&month, level))| PlanMonth {
                    month,
                    officers: fte(level) - pcsos,
                    pcsos,
                    specials: count(10),
                    planned_spend: money(if i == 11 {
                        e.spend_profile.1
                    } else {
                        e.spend_profile.0
                    }),
                })
                .collect(),
        };
        returns.push((
            format!("returns/plans/{}-plan-v1.xlsx", e.id),
            Return::Plan(plan),
        ));
        for &(covered, sent) in e.monitoring {
            let monitoring = MonitoringReturn {
                header: header(e, sent),
                months_to: months[covered - 1],
                months: months[..covered]
                    .iter()
                    .zip(e.actual)
                    .map(|(&month, level)| MonitoringMonth {
                        month,
                        officers: fte(level) - pcsos,
                        pcsos,
                        specials: count(10),
                        queries_received: None,
                        responded_72h: None,
                        abstraction_rate: None,
                    })
                    .collect(),
            };
            returns.push((
                format!("returns/monitoring/{}-{}.xlsx", e.id, months[covered - 1]),
                Return::Monitoring(monitoring),
            ));
        }
        for (k, amount) in e.spend.iter().enumerate() {
            let quarter = Quarter::ALL[k];
            // Signed a week after the quarter ends, before its cut-off.
            let sent = quarter.last_day(year()) + chrono::Days::new(7);
            let lines = config
                .categories
                .iter()
                .map(|c| FinanceLine {
                    category: c.id.clone(),
                    label: c.label.clone(),
                    actual: if c.id.as_str() == "officer-pay" {
                        money(amount)
                    } else {
                        Money::ZERO
                    },
                    forecast: Money::ZERO,
                    notes: None,
                })
                .collect();
            let financial = FinancialReturn {
                header: header(e, &sent.to_string()),
                quarter,
                version: 1,
                chief_finance_officer: "A. Treasurer".into(),
                lines,
            };
            returns.push((
                format!("returns/finance/{}-2025-26-{quarter}-v1.xlsx", e.id),
                Return::Financial(financial),
            ));
        }
    }
    for (path, value) in returns {
        let designed = DesignedReturn {
            path: path.clone(),
            value,
            text_cells: Vec::new(),
        };
        let bytes = return_workbook(&designed, &config, &forces).unwrap();
        let target = dir.join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

/// The examples' cycle run Q1-Q4 once: each quarter's ledger.
fn ledgers() -> &'static [LedgerRows] {
    static LEDGERS: OnceLock<Vec<LedgerRows>> = OnceLock::new();
    LEDGERS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cycle = dir.path().join("cycle");
        std::fs::create_dir(&cycle).unwrap();
        write_cycle(&cycle);
        // The returns are clean, so the examples test the rules and not the reader: the one
        // finding is W3's intended spend beyond its allocation at Q4 (X10, a warning).
        let validated = npg()
            .args(["validate", "--cycle"])
            .arg(&cycle)
            .arg(cycle.join("returns"))
            .assert()
            .success();
        let report = String::from_utf8_lossy(&validated.get_output().stdout).into_owned();
        let findings: Vec<&str> = report
            .lines()
            .filter(|l| l.starts_with("error") || l.starts_with("warning") || l.starts_with("info"))
            .collect();
        assert_eq!(findings.len(), 1, "{report}");
        assert!(
            findings[0].starts_with("warning X10")
                && findings[0].contains("w3-final-recovery-2025-26-Q4-v1.xlsx"),
            "{report}"
        );
        let out = dir.path().join("runs");
        npg()
            .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
            .arg(&cycle)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        ["Q1", "Q2", "Q3", "Q4"]
            .iter()
            .map(|q| read_ledger(&out.join(format!("2025-26-{q}/ledger.csv"))))
            .collect()
    })
}

/// The named fields of one force's line at quarter `q` (1–4).
fn line(q: usize, force: &str, fields: &[&str]) -> Vec<String> {
    let row = &ledgers()[q - 1][force];
    fields.iter().map(|f| row[*f].clone()).collect()
}

#[test]
fn w1_on_track() {
    assert_eq!(
        line(
            1,
            "w1-on-track",
            &[
                "cp",
                "cs",
                "b",
                "progress",
                "fraction",
                "entitlement",
                "payment",
                "status"
            ]
        ),
        [
            "999999.99",
            "900000.00",
            "900000.00",
            "0.9333",
            "0.70",
            "630000.00",
            "630000.00",
            "PAY"
        ]
    );
    assert_eq!(
        line(
            2,
            "w1-on-track",
            &[
                "cp",
                "cs",
                "b",
                "progress",
                "fraction",
                "entitlement",
                "paid_before",
                "payment"
            ]
        ),
        [
            "1999999.98",
            "2150000.00",
            "1999999.98",
            "1.0167",
            "1.00",
            "1999999.98",
            "630000.00",
            "1369999.98"
        ]
    );
}

#[test]
fn w2_behind_plan() {
    assert_eq!(
        line(
            1,
            "w2-behind-plan",
            &["cp", "b", "progress", "fraction", "payment"]
        ),
        ["624999.99", "600000.00", "1.0000", "1.00", "600000.00"]
    );
    assert_eq!(
        line(
            2,
            "w2-behind-plan",
            &[
                "cp",
                "cs",
                "b",
                "progress",
                "fraction",
                "entitlement",
                "paid_before",
                "payment",
                "paid_after",
                "status"
            ]
        ),
        [
            "1249999.98",
            "1150000.00",
            "1150000.00",
            "0.7083",
            "0.00",
            "0.00",
            "600000.00",
            "0.00",
            "600000.00",
            "NIL"
        ]
    );
}

#[test]
fn w3_final_recovery() {
    for q in 1..=3 {
        assert_eq!(
            line(q, "w3-final-recovery", &["fraction", "status"]),
            ["1.00", "PAY"]
        );
    }
    assert_eq!(
        line(
            4,
            "w3-final-recovery",
            &[
                "cp",
                "cs",
                "b",
                "progress",
                "fraction",
                "entitlement",
                "paid_before",
                "payment",
                "status"
            ]
        ),
        [
            "1000000.00",
            "1012345.67",
            "1000000.00",
            "0.8500",
            "0.70",
            "700000.00",
            "749999.97",
            "-49999.97",
            "RECOVERY"
        ]
    );
}

#[test]
fn w4_rounding() {
    assert_eq!(
        line(
            1,
            "w4-rounding",
            &["b", "progress", "fraction", "entitlement"]
        ),
        ["333333.35", "0.9500", "0.90", "300000.02"]
    );
    assert_eq!(
        line(
            1,
            "w4-pennies",
            &["b", "progress", "fraction", "entitlement"]
        ),
        ["0.05", "0.7501", "0.50", "0.03"]
    );
    assert_eq!(
        line(1, "w4-one-in-32", &["progress", "fraction"]),
        ["0.0313", "0.00"]
    );
}

#[test]
fn w5_boundaries() {
    // 0.9500 exactly and 0.7501 are in w4_rounding (0.90) and w4_pennies (0.50).
    assert_eq!(
        line(1, "w5-just-under", &["progress", "fraction"]),
        ["0.9500", "0.90"]
    );
    assert_eq!(
        line(1, "w5-at-75", &["progress", "fraction", "status"]),
        ["0.7500", "0.00", "NIL"]
    );
    assert_eq!(
        line(1, "w5-no-uplift-due", &["progress", "fraction", "status"]),
        ["1.0000", "1.00", "PAY"]
    );
}

#[test]
fn w6_holds_when_monitoring_stops_short_even_at_q4() {
    assert_eq!(
        line(1, "w6-hold", &["status", "payment", "paid_after"]),
        ["PAY", "250000.00", "250000.00"]
    );
    for q in 2..=4 {
        assert_eq!(
            line(
                q,
                "w6-hold",
                &[
                    "status",
                    "progress",
                    "fraction",
                    "entitlement",
                    "payment",
                    "paid_before",
                    "paid_after"
                ]
            ),
            [
                "HOLD-NO-MONITORING",
                "",
                "",
                "",
                "0.00",
                "250000.00",
                "250000.00"
            ],
            "Q{q}"
        );
    }
}
