//! Unit tests of reading and checking `cycle.toml`: every message is pinned word for word.

use super::errors::key_path_at;
use super::*;
use crate::domain::period::parse_iso_date;

/// A valid file with short lists, so the line numbers in messages are easy to check.
pub(super) const BASE: &str = r#"scheme = "Neighbourhood Policing Grant"
year = "2025-26"
pot = "200000000.00"
rules_version = "npg-2025-26.1"

[[quarter]]
id = "Q1"
cutoff = "2025-07-31"
payment_date = "2025-08-15"

[[quarter]]
id = "Q2"
cutoff = "2025-10-31"
payment_date = "2025-11-14"

[[quarter]]
id = "Q3"
cutoff = "2026-01-31"
payment_date = "2026-02-13"

[[quarter]]
id = "Q4"
cutoff = "2026-04-30"
payment_date = "2026-05-15"

[[taper]]
min_progress = "1.0000"
pay = "1.00"

[[taper]]
min_progress = "0.9500"
pay = "0.90"

[[taper]]
min_progress = "0.8500"
pay = "0.70"

[[taper]]
min_progress = "0.7501"
pay = "0.50"

[[category]]
id = "officer-pay"
label = "Additional neighbourhood police officers: pay and on-costs"
eligible = true

[[category]]
id = "other"
label = "Other spending, described in Notes"
eligible = false
"#;

/// BASE with `from` (which must occur exactly once) replaced by `to`.
pub(super) fn with(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "{from:?} must occur once");
    BASE.replacen(from, to, 1)
}

pub(super) fn error(text: &str) -> String {
    match CycleConfig::parse(text, "cycle.toml") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn date(text: &str) -> NaiveDate {
    parse_iso_date(text).unwrap()
}

#[test]
fn the_base_text_is_valid() {
    let config = CycleConfig::parse(BASE, "cycle.toml").unwrap();
    assert_eq!(config.categories.len(), 2);
    assert_eq!(config.taper, Taper::default_npg());
}

#[test]
fn loads_the_fixture_year_with_every_value() {
    let config = CycleConfig::load(
        Path::new("fixtures/2025-26/cycle.toml"),
        "fixtures/2025-26/cycle.toml",
    )
    .unwrap();
    assert_eq!(config.scheme, "Neighbourhood Policing Grant");
    assert_eq!(config.year.to_string(), "2025-26");
    assert_eq!(config.pot, Money::pounds(200_000_000));
    assert_eq!(config.pot.to_string(), "200000000.00");
    assert_eq!(config.rules_version, "npg-2025-26.1");

    let quarters: Vec<(Quarter, String, String)> = config
        .quarters
        .iter()
        .map(|q| (q.quarter, q.cutoff.to_string(), q.payment_date.to_string()))
        .collect();
    let expected = [
        (Quarter::Q1, "2025-07-31", "2025-08-15"),
        (Quarter::Q2, "2025-10-31", "2025-11-14"),
        (Quarter::Q3, "2026-01-31", "2026-02-13"),
        (Quarter::Q4, "2026-04-30", "2026-05-15"),
    ]
    .map(|(q, c, p)| (q, c.to_owned(), p.to_owned()));
    assert_eq!(quarters, expected);
    assert_eq!(config.quarter(Quarter::Q3).cutoff, date("2026-01-31"));
    assert_eq!(config.quarter(Quarter::Q4).payment_date, date("2026-05-15"));

    let bands: Vec<(String, String)> = config
        .taper
        .bands()
        .iter()
        .map(|b| (b.min_progress.to_string(), b.pay.to_string()))
        .collect();
    let expected = [
        ("1.0000", "1.00"),
        ("0.9500", "0.90"),
        ("0.8500", "0.70"),
        ("0.7501", "0.50"),
    ]
    .map(|(p, f)| (p.to_owned(), f.to_owned()));
    assert_eq!(bands, expected);
    assert_eq!(config.taper, Taper::default_npg());

    let categories: Vec<(&str, &str, bool)> = config
        .categories
        .iter()
        .map(|c| (c.id.as_str(), c.label.as_str(), c.eligible))
        .collect();
    assert_eq!(
        categories,
        [
            (
                "officer-pay",
                "Additional neighbourhood police officers: pay and on-costs",
                true
            ),
            ("pcso-pay", "PCSOs: pay and on-costs", true),
            (
                "specials",
                "Special constables: allowances, expenses and kit",
                true
            ),
            (
                "training",
                "Neighbourhood Policing Programme training and backfill",
                true
            ),
            (
                "equipment",
                "Equipment, vehicles and technology for neighbourhood teams",
                true
            ),
            ("other", "Other spending, described in Notes", false),
        ]
    );
    let eligible: Vec<&str> = config
        .eligible_categories()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        eligible,
        [
            "officer-pay",
            "pcso-pay",
            "specials",
            "training",
            "equipment"
        ]
    );
    assert_eq!(
        config.category("pcso-pay").unwrap().label,
        "PCSOs: pay and on-costs"
    );
    assert!(!config.category("other").unwrap().eligible);
    assert_eq!(config.category("overtime"), None);
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let err = CycleConfig::load(Path::new("no/such/cycle.toml"), "no/such/cycle.toml").unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("no/such/cycle.toml: cannot read it: "),
        "{err}"
    );
    assert_eq!(err.line(), None);
}

#[test]
fn messages_use_the_name_given_and_expose_line_and_key() {
    let err = CycleConfig::parse(
        &with(r#"pot = "200000000.00""#, r#"pot = "2000x""#),
        "fixtures/2025-26/cycle.toml",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fixtures/2025-26/cycle.toml line 3: key `pot`: \"2000x\" is not an amount in \
             pounds (digits with at most 2 decimal places, for example \"200000000.00\")"
    );
    assert_eq!(err.line(), Some(3));
    assert_eq!(err.key(), Some("pot"));
}

#[test]
fn toml_syntax_errors_name_line_and_key() {
    assert_eq!(
        error(&with(r#"pot = "200000000.00""#, r#"pot = "200000000.00"#)),
        "cycle.toml line 3: key `pot`: is not valid TOML: invalid basic string, expected `\"`"
    );
    assert_eq!(
        error(&with(r#"pot = "200000000.00""#, "pot = 200,000,000.00")),
        "cycle.toml line 3: key `pot`: is not valid TOML: unexpected key or value, \
             expected newline, `#`"
    );
    assert_eq!(
        error(&with("[[quarter]]\nid = \"Q3\"", "[[quarter]\nid = \"Q3\"")),
        "cycle.toml line 16: key `quarter`: is not valid TOML: unclosed array table, expected `]`"
    );
    assert_eq!(
        error(&with(
            r#"rules_version = "npg-2025-26.1""#,
            "rules_version = \"npg-2025-26.1\"\npot = \"1.00\""
        )),
        "cycle.toml line 5: key `pot`: is given twice; keep one"
    );
}

#[test]
fn unknown_keys_are_refused_wherever_they_are() {
    assert_eq!(
        error(&with(
            r#"rules_version = "npg-2025-26.1""#,
            "rules_version = \"npg-2025-26.1\"\ncolour = \"red\""
        )),
        "cycle.toml line 5: key `colour`: is not a key of cycle.toml here (expected one \
             of `scheme`, `year`, `pot`, `rules_version`, `quarter`, `taper_kind`, \
             `taper_floor`, `taper`, `category`); check its spelling"
    );
    assert_eq!(
        error(&with(
            r#"payment_date = "2025-11-14""#,
            "payment_date = \"2025-11-14\"\npaydate = \"2025-11-14\""
        )),
        "cycle.toml line 15: key `quarter.paydate`: is not a key of cycle.toml here \
             (expected one of `id`, `cutoff`, `payment_date`); check its spelling"
    );
    assert_eq!(
        error(&with(r#"pay = "0.90""#, "pay = \"0.90\"\nrag = \"amber\"")),
        "cycle.toml line 33: key `taper.rag`: is not a key of cycle.toml here \
             (expected `min_progress` or `pay`); check its spelling"
    );
    assert_eq!(
        error(&with(
            "eligible = false",
            "eligible = false\nnote = \"needs notes\""
        )),
        "cycle.toml line 51: key `category.note`: is not a key of cycle.toml here \
             (expected one of `id`, `label`, `eligible`); check its spelling"
    );
}

#[test]
fn missing_top_level_keys_are_named() {
    for (line, key, example) in [
        (
            r#"scheme = "Neighbourhood Policing Grant""#,
            "scheme",
            r#""Neighbourhood Policing Grant""#,
        ),
        (r#"year = "2025-26""#, "year", r#""2025-26""#),
        (r#"pot = "200000000.00""#, "pot", r#""200000000.00""#),
        (
            r#"rules_version = "npg-2025-26.1""#,
            "rules_version",
            r#""npg-2025-26.1""#,
        ),
    ] {
        let text = with(&format!("{line}\n"), "");
        assert_eq!(
            error(&text),
            format!(
                "cycle.toml: key `{key}`: is required but missing; add it at the top of \
                     the file, before the first [[quarter]] (for example {key} = {example})"
            )
        );
    }
}

#[test]
fn missing_keys_in_tables_name_the_table_line() {
    let cases = [
        (
            "id = \"Q2\"\n",
            "cycle.toml line 11: key `quarter.id`: is required but missing from this \
                 [[quarter]] table (for example id = \"Q1\")",
        ),
        (
            "cutoff = \"2025-10-31\"\n",
            "cycle.toml line 11: key `quarter.cutoff`: is required but missing from this \
                 [[quarter]] table (for example cutoff = \"2025-07-31\")",
        ),
        (
            "payment_date = \"2025-11-14\"\n",
            "cycle.toml line 11: key `quarter.payment_date`: is required but missing from \
                 this [[quarter]] table (for example payment_date = \"2025-08-15\")",
        ),
        (
            "min_progress = \"0.9500\"\n",
            "cycle.toml line 30: key `taper.min_progress`: is required but missing from \
                 this [[taper]] table (for example min_progress = \"0.9500\")",
        ),
        (
            "pay = \"0.90\"\n",
            "cycle.toml line 30: key `taper.pay`: is required but missing from this \
                 [[taper]] table (for example pay = \"0.90\")",
        ),
        (
            "id = \"other\"\n",
            "cycle.toml line 47: key `category.id`: is required but missing from this \
                 [[category]] table (for example id = \"officer-pay\")",
        ),
        (
            "label = \"Other spending, described in Notes\"\n",
            "cycle.toml line 47: key `category.label`: is required but missing from this \
                 [[category]] table (for example label = \"PCSOs: pay and on-costs\")",
        ),
        (
            "eligible = false\n",
            "cycle.toml line 47: key `category.eligible`: is required but missing from \
                 this [[category]] table (for example eligible = true)",
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(error(&with(line, "")), expected, "removing {line:?}");
    }
}

#[test]
fn values_of_the_wrong_type_are_named() {
    assert_eq!(
        error(&with(r#"pot = "200000000.00""#, "pot = 200000000.00")),
        "cycle.toml line 3: key `pot`: 200000000.00 is not text in quotes; write it as a \
             string, for example \"200000000.00\""
    );
    assert_eq!(
        error(&with(r#"year = "2025-26""#, "year = 2025")),
        "cycle.toml line 2: key `year`: 2025 is not text in quotes; write it as a string, \
             for example \"2025-26\""
    );
    assert_eq!(
        error(&with(r#"id = "Q2""#, "id = 2")),
        "cycle.toml line 12: key `quarter.id`: 2 is not text in quotes; write it as a \
             string, for example \"Q1\""
    );
    assert_eq!(
        error(&with(r#"min_progress = "0.9500""#, "min_progress = 0.95")),
        "cycle.toml line 31: key `taper.min_progress`: 0.95 is not text in quotes; write \
             it as a string, for example \"0.9500\""
    );
    assert_eq!(
        error(&with(r#"pay = "0.90""#, "pay = 0.9")),
        "cycle.toml line 32: key `taper.pay`: 0.9 is not text in quotes; write it as a \
             string, for example \"0.90\""
    );
    assert_eq!(
        error(&with("eligible = false", "eligible = \"no\"")),
        "cycle.toml line 50: key `category.eligible`: \"no\" is not true or false; write \
             eligible = true or eligible = false, without quotes"
    );
    assert_eq!(
        error(&with(
            r#"label = "Other spending, described in Notes""#,
            "label = 7"
        )),
        "cycle.toml line 49: key `category.label`: 7 is not text in quotes; write it as a \
             string, for example \"PCSOs: pay and on-costs\""
    );
}

#[test]
fn a_list_written_as_a_single_table_or_a_value_is_refused() {
    let start = BASE.find("[[taper]]").unwrap();
    let end = BASE.find("[[category]]").unwrap();
    let value = format!(
        "{}{}",
        BASE[..start].replace(
            "rules_version = \"npg-2025-26.1\"",
            "rules_version = \"npg-2025-26.1\"\ntaper = \"1.00\""
        ),
        &BASE[end..]
    );
    assert_eq!(
        error(&value),
        "cycle.toml line 5: key `taper`: must be written as [[taper]] tables, each \
             holding its keys; found string \"1.00\""
    );
    let single = format!(
        "{}[category]\nid = \"officer-pay\"\nlabel = \"Officer pay\"\neligible = true\n",
        &BASE[..end]
    );
    assert_eq!(
        error(&single),
        "cycle.toml line 42: key `category`: must be written as [[category]] tables, \
             each holding its keys; found a single table"
    );
    assert_eq!(
        error(&with(
            "[[category]]\nid = \"other\"",
            "[category]\nid = \"other\""
        )),
        "cycle.toml line 47: key `category`: is given twice; write each table of a list \
             with double brackets, [[category]]"
    );
}

#[test]
fn an_empty_file_asks_for_the_first_key() {
    assert_eq!(
        error(""),
        "cycle.toml: key `scheme`: is required but missing; add it at the top of the \
             file, before the first [[quarter]] (for example scheme = \"Neighbourhood \
             Policing Grant\")"
    );
}

#[test]
fn a_list_item_that_is_not_a_table_is_refused() {
    let end = BASE.find("[[category]]").unwrap();
    let text = BASE[..end].replace(
        "rules_version = \"npg-2025-26.1\"",
        "rules_version = \"npg-2025-26.1\"\ncategory = [5]",
    );
    assert_eq!(
        error(&text),
        "cycle.toml line 5: key `category`: must be written as [[category]] tables, each \
             holding its keys; found integer `5`"
    );
}

#[test]
fn bad_years_are_refused() {
    for bad in ["2025/26", "2025-27", "2025", "25-26"] {
        assert_eq!(
            error(&with(r#"year = "2025-26""#, &format!("year = \"{bad}\""))),
            format!(
                "cycle.toml line 2: key `year`: \"{bad}\" is not a financial year written \
                     like \"2025-26\" (April of the first year to March of the next)"
            )
        );
    }
}

#[test]
fn the_pot_must_be_a_positive_amount_in_pounds_and_pence() {
    let pot = |text: &str| {
        error(&with(
            r#"pot = "200000000.00""#,
            &format!("pot = \"{text}\""),
        ))
    };
    assert_eq!(
        pot("2000x"),
        "cycle.toml line 3: key `pot`: \"2000x\" is not an amount in pounds (digits with \
             at most 2 decimal places, for example \"200000000.00\")"
    );
    assert_eq!(
        pot("200,000,000.00"),
        "cycle.toml line 3: key `pot`: \"200,000,000.00\" is not an amount in pounds \
             (digits with at most 2 decimal places, for example \"200000000.00\")"
    );
    assert_eq!(
        pot("200000000.001"),
        "cycle.toml line 3: key `pot`: \"200000000.001\" has more than 2 decimal places; \
             give pounds and pence, for example \"200000000.00\""
    );
    assert_eq!(
        pot("0.00"),
        "cycle.toml line 3: key `pot`: \"0.00\" is not above zero; the pot must be a \
             positive amount"
    );
    assert_eq!(
        pot("-5.00"),
        "cycle.toml line 3: key `pot`: \"-5.00\" is not above zero; the pot must be a \
             positive amount"
    );
    assert_eq!(
        pot("1000000000000.01"),
        "cycle.toml line 3: key `pot`: \"1000000000000.01\" is beyond any real amount \
             (at most 1000000000000.00)"
    );
    // Whole pounds are an amount too.
    let config = CycleConfig::parse(&with(r#""200000000.00""#, r#""200000000""#), "c").unwrap();
    assert_eq!(config.pot.to_string(), "200000000.00");
}

#[test]
fn scheme_and_rules_version_must_not_be_blank() {
    assert_eq!(
        error(&with(r#""npg-2025-26.1""#, r#""""#)),
        "cycle.toml line 4: key `rules_version`: is empty; give a value, for example \
             \"npg-2025-26.1\""
    );
    assert_eq!(
        error(&with(r#""npg-2025-26.1""#, r#""   ""#)),
        "cycle.toml line 4: key `rules_version`: is empty; give a value, for example \
             \"npg-2025-26.1\""
    );
    assert_eq!(
        error(&with(r#""Neighbourhood Policing Grant""#, r#""""#)),
        "cycle.toml line 1: key `scheme`: is empty; give a value, for example \
             \"Neighbourhood Policing Grant\""
    );
}

const Q4: &str =
    "[[quarter]]\nid = \"Q4\"\ncutoff = \"2026-04-30\"\npayment_date = \"2026-05-15\"\n\n";
const Q2: &str =
    "[[quarter]]\nid = \"Q2\"\ncutoff = \"2025-10-31\"\npayment_date = \"2025-11-14\"\n\n";
const Q3: &str =
    "[[quarter]]\nid = \"Q3\"\ncutoff = \"2026-01-31\"\npayment_date = \"2026-02-13\"\n\n";

#[test]
fn every_quarter_is_listed_once_in_order() {
    assert_eq!(
        error(&with(Q4, "")),
        "cycle.toml line 6: key `quarter`: Q4 is missing; give a [[quarter]] table for \
             each of Q1, Q2, Q3 and Q4"
    );
    assert_eq!(
        error(&with(&format!("{Q2}{Q3}"), "")),
        "cycle.toml line 6: key `quarter`: Q2, Q3 are missing; give a [[quarter]] table \
             for each of Q1, Q2, Q3 and Q4"
    );
    assert_eq!(
        error(&with(Q3, Q2)),
        "cycle.toml line 17: key `quarter.id`: Q2 is listed twice; give each quarter once"
    );
    assert_eq!(
        error(&with(&format!("{Q2}{Q3}"), &format!("{Q3}{Q2}"))),
        "cycle.toml line 17: key `quarter.id`: Q2 comes after Q3; list the quarters in \
             order Q1, Q2, Q3, Q4"
    );
    assert_eq!(
        error(&with(r#"id = "Q4""#, r#"id = "Q5""#)),
        "cycle.toml line 22: key `quarter.id`: \"Q5\" is not a quarter; use Q1, Q2, Q3 or Q4"
    );
    let no_quarters = with(
        &format!(
            "[[quarter]]\nid = \"Q1\"\ncutoff = \"2025-07-31\"\npayment_date = \"2025-08-15\"\n\n{Q2}{Q3}{Q4}"
        ),
        "",
    );
    assert_eq!(
        error(&no_quarters),
        "cycle.toml: key `quarter`: is missing: no [[quarter]] table; give a [[quarter]] \
             table for each of Q1, Q2, Q3 and Q4"
    );
}

#[test]
fn quarter_dates_must_be_real_dates() {
    let cutoff = |text: &str| {
        error(&with(
            r#"cutoff = "2025-10-31""#,
            &format!("cutoff = {text}"),
        ))
    };
    assert_eq!(
        cutoff(r#""2025-10-32""#),
        "cycle.toml line 13: key `quarter.cutoff`: \"2025-10-32\" is not a date written \
             YYYY-MM-DD (for example \"2025-07-31\")"
    );
    assert_eq!(
        cutoff(r#""31/10/2025""#),
        "cycle.toml line 13: key `quarter.cutoff`: \"31/10/2025\" is not a date written \
             YYYY-MM-DD (for example \"2025-07-31\")"
    );
    assert_eq!(
        cutoff("20251031"),
        "cycle.toml line 13: key `quarter.cutoff`: 20251031 is not a date; write it as \
             \"YYYY-MM-DD\", for example \"2025-07-31\""
    );
    assert_eq!(
        cutoff("2025-10-31T12:00:00"),
        "cycle.toml line 13: key `quarter.cutoff`: 2025-10-31T12:00:00 is not a date \
             alone; give the day without a time, for example \"2025-07-31\""
    );
    assert_eq!(
        error(&with(
            r#"payment_date = "2025-11-14""#,
            r#"payment_date = "14 Nov 2025""#
        )),
        "cycle.toml line 14: key `quarter.payment_date`: \"14 Nov 2025\" is not a date \
             written YYYY-MM-DD (for example \"2025-07-31\")"
    );
    // A bare TOML date is read as the same date.
    let config = CycleConfig::parse(
        &with(
            "cutoff = \"2025-10-31\"\npayment_date = \"2025-11-14\"",
            "cutoff = 2025-10-31\npayment_date = 2025-11-14",
        ),
        "cycle.toml",
    )
    .unwrap();
    assert_eq!(config.quarter(Quarter::Q2).cutoff, date("2025-10-31"));
    assert_eq!(config.quarter(Quarter::Q2).payment_date, date("2025-11-14"));
}

#[test]
fn the_cutoff_comes_after_the_quarter_and_payment_after_the_cutoff() {
    assert_eq!(
        error(&with(
            r#"cutoff = "2025-10-31""#,
            r#"cutoff = "2025-09-15""#
        )),
        "cycle.toml line 13: key `quarter.cutoff`: Q2's cutoff 2025-09-15 is not after the \
             quarter ends on 2025-09-30; payment is in arrears, so the cut-off must come after \
             the quarter's last day"
    );
    assert_eq!(
        error(&with(
            r#"cutoff = "2025-10-31""#,
            r#"cutoff = "2025-09-30""#
        )),
        "cycle.toml line 13: key `quarter.cutoff`: Q2's cutoff 2025-09-30 is not after the \
             quarter ends on 2025-09-30; payment is in arrears, so the cut-off must come after \
             the quarter's last day"
    );
    assert_eq!(
        error(&with(
            r#"payment_date = "2025-11-14""#,
            r#"payment_date = "2025-10-30""#
        )),
        "cycle.toml line 14: key `quarter.payment_date`: Q2's payment_date 2025-10-30 is \
             before its cutoff 2025-10-31; the payment is made from the returns that count at \
             the cut-off, so it cannot come first"
    );
    // Paying on the cut-off day itself is allowed.
    let config = CycleConfig::parse(
        &with(
            r#"payment_date = "2025-11-14""#,
            r#"payment_date = "2025-10-31""#,
        ),
        "cycle.toml",
    )
    .unwrap();
    assert_eq!(config.quarter(Quarter::Q2).payment_date, date("2025-10-31"));
}

#[test]
fn taper_bands_must_strictly_decrease() {
    assert_eq!(
        error(&with(
            r#"min_progress = "0.8500""#,
            r#"min_progress = "0.9500""#
        )),
        "cycle.toml line 35: key `taper.min_progress`: taper band 3: min_progress 0.9500 \
             is not below band 2's 0.9500; list the bands in strictly decreasing min_progress"
    );
    assert_eq!(
        error(&with(
            r#"min_progress = "0.7501""#,
            r#"min_progress = "0.9000""#
        )),
        "cycle.toml line 39: key `taper.min_progress`: taper band 4: min_progress 0.9000 \
             is not below band 3's 0.8500; list the bands in strictly decreasing min_progress"
    );
}

#[test]
fn taper_values_must_be_exact_ratios_and_fractions() {
    let min = |text: &str| {
        error(&with(
            r#"min_progress = "0.9500""#,
            &format!("min_progress = \"{text}\""),
        ))
    };
    assert_eq!(
        min("0.95001"),
        "cycle.toml line 31: key `taper.min_progress`: \"0.95001\" has more than 4 decimal \
             places; progress is compared to 4 places (for example \"0.9500\")"
    );
    assert_eq!(
        min("95%"),
        "cycle.toml line 31: key `taper.min_progress`: \"95%\" is not a progress ratio (a \
             decimal with at most 4 places, for example \"0.9500\" for 95%)"
    );
    let pay = |text: &str| error(&with(r#"pay = "0.90""#, &format!("pay = \"{text}\"")));
    assert_eq!(
        pay("1.10"),
        "cycle.toml line 32: key `taper.pay`: \"1.10\" is outside 0 to 1; pay is the \
             fraction paid, from \"0.00\" (nothing) to \"1.00\" (all)"
    );
    assert_eq!(
        pay("-0.10"),
        "cycle.toml line 32: key `taper.pay`: \"-0.10\" is outside 0 to 1; pay is the \
             fraction paid, from \"0.00\" (nothing) to \"1.00\" (all)"
    );
    assert_eq!(
        pay("0.905"),
        "cycle.toml line 32: key `taper.pay`: \"0.905\" has more than 2 decimal places \
             (for example \"0.90\")"
    );
    assert_eq!(
        pay("most"),
        "cycle.toml line 32: key `taper.pay`: \"most\" is not a fraction (a decimal from \
             0 to 1 with at most 2 places, for example \"0.90\")"
    );
}

#[test]
fn there_must_be_a_taper_band() {
    let start = BASE.find("[[taper]]").unwrap();
    let end = BASE.find("[[category]]").unwrap();
    let without = format!("{}{}", &BASE[..start], &BASE[end..]);
    assert_eq!(
        error(&without),
        "cycle.toml: key `taper`: is missing: no [[taper]] table; give at least one \
             [[taper]] band with a min_progress and a pay fraction"
    );
    let empty = format!(
        "{}{}",
        BASE[..start].replace(
            "[[quarter]]\nid = \"Q1\"",
            "taper = []\n\n[[quarter]]\nid = \"Q1\""
        ),
        &BASE[end..]
    );
    assert_eq!(
        error(&empty),
        "cycle.toml line 6: key `taper`: is an empty list; give at least one [[taper]] \
             band with a min_progress and a pay fraction"
    );
}

#[test]
fn categories_are_checked() {
    let start = BASE.find("[[category]]").unwrap();
    assert_eq!(
        error(&BASE[..start]),
        "cycle.toml: key `category`: is missing: no [[category]] table; give a \
             [[category]] table for each expenditure category of the financial return"
    );
    assert_eq!(
        error(&with(r#"id = "other""#, r#"id = "officer-pay""#)),
        "cycle.toml line 48: key `category.id`: category officer-pay is listed twice \
             (X11); give each category once"
    );
    assert_eq!(
        error(&with(r#"id = "other""#, r#"id = "Other Spend""#)),
        "cycle.toml line 48: key `category.id`: \"Other Spend\" is not a category id: use \
             lower-case letters, digits and hyphens only (for example officer-pay)"
    );
    assert_eq!(
        error(&with(
            r#"label = "Other spending, described in Notes""#,
            r#"label = " ""#
        )),
        "cycle.toml line 49: key `category.label`: category other has an empty label; \
             give the text shown on the financial return"
    );
    assert_eq!(
        error(&with("eligible = true", "eligible = false")),
        "cycle.toml line 42: key `category.eligible`: no category is eligible, so no spend \
             could ever be paid; mark at least one with eligible = true"
    );
}

#[test]
fn key_paths_are_read_from_the_text() {
    let text = "a = 1\n[[quarter]]\nid = \"Q1\"\n[x] # note\nb.c = 2\n";
    assert_eq!(key_path_at(text, 0).as_deref(), Some("a"));
    assert_eq!(key_path_at(text, 7).as_deref(), Some("quarter"));
    assert_eq!(key_path_at(text, 19).as_deref(), Some("quarter.id"));
    assert_eq!(key_path_at(text, 40).as_deref(), Some("x.b.c"));
    assert_eq!(key_path_at("\"a b\" = 1", 0), None);
    assert_eq!(key_path_at("", 5), None);
}

// What follows tests how each kind of mistake is told apart: by the document's structure
// (`twice`), by the shape of the tables (`check_shape`) and by serde's path (`serde_error`),
// never by the words of toml's message.

use super::twice::{Clash, first_clash};

/// The clash `first_clash` finds, as the text of the clashing key, its line and whether
/// it is a key given twice.
fn clash(text: &str) -> Option<(String, usize, bool)> {
    first_clash(text).map(|Clash { span, given_twice }| {
        let line = text[..span.start].matches('\n').count() + 1;
        (text[span].to_owned(), line, given_twice)
    })
}

#[test]
fn a_valid_file_has_no_clash() {
    assert_eq!(clash(BASE), None);
    assert_eq!(
        clash("k = [{a = 1}, {a = 1}]\nm = {a.b = 1, a.c = 2}\n"),
        None
    );
    assert_eq!(
        clash("[a.b]\n[a]\nc = 1\n[[l]]\nx = 1\n[[l]]\nx = 1\n[l.s]\n"),
        None
    );
    assert_eq!(clash("a.b = 1\n[a.c]\n"), None);
}

#[test]
fn keys_and_tables_given_twice_are_found_where_toml_reports_them() {
    assert_eq!(clash("a = 1\nb = 2\na = 3\n"), Some(("a".into(), 3, true)));
    assert_eq!(clash("[[c]]\nx = 1\n[c]\n"), Some(("c".into(), 3, true)));
    assert_eq!(
        clash("[c]\nx = 1\n[[c]]\ny = 2\n"),
        Some(("c".into(), 3, true))
    );
    assert_eq!(clash("[c]\n[c]\n"), Some(("c".into(), 2, true)));
    assert_eq!(clash("c = 1\n[c]\n"), Some(("c".into(), 2, true)));
    assert_eq!(clash("a.b = 1\n[a]\n"), Some(("a".into(), 2, true)));
    // A dotted key may not add to a table that a header defined.
    assert_eq!(clash("[a.b]\n[a]\nb.c = 1\n"), Some(("b".into(), 3, true)));
    // A [[list]] header is checked once its table is complete, so a key given twice in
    // the table is found first; the same for an inline table and the key it belongs to.
    assert_eq!(
        clash("[c]\n[[c]]\nx = 1\nx = 2\n"),
        Some(("x".into(), 4, true))
    );
    assert_eq!(
        clash("k = 1\nk = {a = 1, a = 2}\n"),
        Some(("a".into(), 2, true))
    );
    assert_eq!(clash("[[l]]\nx = 1\n[l.x]\n"), Some(("x".into(), 3, true)));
}

#[test]
fn adding_to_a_value_is_a_clash_but_not_a_key_given_twice() {
    assert_eq!(
        clash("pot = \"1\"\npot.x = 2\n"),
        Some(("pot".into(), 2, false))
    );
    assert_eq!(clash("a = {x = 1}\n[a.b]\n"), Some(("a".into(), 2, false)));
    assert_eq!(clash("a = [1]\n[[a.b]]\n"), Some(("a".into(), 2, false)));
}

#[test]
fn clashes_are_told_in_the_files_words() {
    assert_eq!(
        error(&with(
            r#"cutoff = "2025-10-31""#,
            "cutoff = \"2025-10-31\"\ncutoff = \"2025-10-31\""
        )),
        "cycle.toml line 14: key `quarter.cutoff`: is given twice; keep one"
    );
    assert_eq!(
        error(&with(
            r#"rules_version = "npg-2025-26.1""#,
            "rules_version = \"npg-2025-26.1\"\nk = {a = 1, a = 2}"
        )),
        "cycle.toml line 5: key `k`: is given twice; keep one"
    );
    // Adding to a value is not a key given twice: it is shown in toml's words.
    assert_eq!(
        error(&with(
            r#"rules_version = "npg-2025-26.1""#,
            "rules_version = \"npg-2025-26.1\"\npot.x = 2"
        )),
        "cycle.toml line 5: key `pot.x`: is not valid TOML: cannot extend value of type \
         string with a dotted key"
    );
}

#[test]
fn lists_of_other_values_say_what_was_found() {
    let list = |value: &str| {
        let end = BASE.find("[[category]]").unwrap();
        error(&BASE[..end].replace(
            "rules_version = \"npg-2025-26.1\"",
            &format!("rules_version = \"npg-2025-26.1\"\ncategory = {value}"),
        ))
    };
    let expected = |found: &str| {
        format!(
            "cycle.toml line 5: key `category`: must be written as [[category]] tables, each \
             holding its keys; found {found}"
        )
    };
    assert_eq!(list("1.5"), expected("floating point `1.5`"));
    assert_eq!(list("true"), expected("boolean `true`"));
    assert_eq!(list("2025-01-01"), expected("a single table"));
    assert_eq!(list("{}"), expected("a single table"));
    assert_eq!(
        list("[\"officer-pay\"]"),
        expected("string \"officer-pay\"")
    );
    assert_eq!(list("[true]"), expected("boolean `true`"));
    // An array too short to give every key of the table.
    assert_eq!(list("[[1]]"), expected("something else"));
    // serde reads a date as a table with a key of toml's own.
    assert_eq!(
        list("[2025-01-01]"),
        "cycle.toml line 5: key `category`: is not a key of cycle.toml here (expected one of \
         `id`, `label`, `eligible`); check its spelling"
    );
    // An array long enough is read as the table's keys in order, and its values checked.
    assert_eq!(
        list("[[1, 2, 3]]"),
        "cycle.toml line 5: key `category.id`: 1 is not text in quotes; write it as a \
         string, for example \"officer-pay\""
    );
}

#[test]
fn a_number_toml_cannot_hold_is_reported_in_its_turn() {
    assert_eq!(
        error(&with(r#"pot = "200000000.00""#, "pot = 1e999")),
        "cycle.toml line 3: key `pot`: floating-point number overflowed"
    );
    // In its turn: the number comes before the unknown key in serde's order of reading.
    assert_eq!(
        error(&with(
            r#"pay = "0.90""#,
            "pay = 99999999999999999999\nzz = 1"
        )),
        "cycle.toml line 32: key `taper.pay`: invalid type: integer \
         `99999999999999999999` as i128, expected any valid TOML value"
    );
}

#[test]
fn a_serde_failure_within_a_list_is_a_list_not_written_as_tables() {
    // `check_shape` leaves serde nothing to refuse, so its errors are made here directly.
    let serde_error = |text: &str| {
        let source = Source {
            text,
            file: "cycle.toml",
            what: "cycle.toml",
        };
        let table = toml::de::DeTable::parse(text).unwrap();
        let failure = serde_path_to_error::deserialize::<_, super::raw::RawCycle>(
            toml::de::Deserializer::from(table),
        )
        .err()
        .expect("serde refuses it");
        source.serde_error(&failure).to_string()
    };
    assert_eq!(
        serde_error("category = [[1]]\n"),
        "cycle.toml line 1: key `category`: must be written as [[category]] tables, each \
         holding its keys; found something else"
    );
    assert_eq!(
        serde_error("scheme = 1\npot = 1e999\n"),
        "cycle.toml line 2: key `pot`: floating-point number overflowed"
    );
}

/// Records the field names serde's derive gives a struct, to hold `raw`'s key lists to them.
struct Fields;

impl<'de> serde::Deserializer<'de> for Fields {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom(fields.join(",")))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

fn fields_of<'de, T: serde::Deserialize<'de>>() -> String {
    match T::deserialize(Fields) {
        Ok(_) => panic!("Fields gives no value"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_key_lists_are_the_raw_tables_fields() {
    use super::raw::{
        BAND_KEYS, CATEGORY_KEYS, CYCLE_KEYS, QUARTER_KEYS, RawBand, RawCategory, RawQuarter,
        list_keys,
    };
    assert_eq!(fields_of::<RawCycle>(), CYCLE_KEYS.join(","));
    assert_eq!(fields_of::<RawQuarter>(), QUARTER_KEYS.join(","));
    assert_eq!(fields_of::<RawBand>(), BAND_KEYS.join(","));
    assert_eq!(fields_of::<RawCategory>(), CATEGORY_KEYS.join(","));
    assert_eq!(list_keys("quarter"), Some(QUARTER_KEYS));
    assert_eq!(list_keys("taper"), Some(BAND_KEYS));
    assert_eq!(list_keys("category"), Some(CATEGORY_KEYS));
    assert_eq!(list_keys("pot"), None);
}
