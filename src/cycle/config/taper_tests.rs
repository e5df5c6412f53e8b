//! Unit tests of the taper settings of `cycle.toml`: `taper_kind` choosing the bands or the
//! proportional taper with its `taper_floor`, every message pinned word for word.

use super::tests::{BASE, error, with};
use super::*;

/// BASE with its `[[taper]]` bands replaced by `replacement` (at the same place).
fn without_bands(replacement: &str) -> String {
    let start = BASE.find("[[taper]]").unwrap();
    let end = BASE.find("[[category]]").unwrap();
    format!("{}{replacement}{}", &BASE[..start], &BASE[end..])
}

#[test]
fn taper_kind_chooses_the_bands_or_the_proportional_taper_with_its_floor() {
    use crate::rules::taper::TaperKind;
    let banded = CycleConfig::parse(
        &with(
            "rules_version = \"npg-2025-26.1\"",
            "rules_version = \"npg-2025-26.1\"\ntaper_kind = \"bands\"",
        ),
        "cycle.toml",
    )
    .unwrap();
    assert_eq!(banded.taper, Taper::default_npg());
    // Top-level keys go before the first table, as TOML requires.
    let proportional = with(
        "rules_version = \"npg-2025-26.1\"",
        "rules_version = \"npg-2025-26.1\"\ntaper_kind = \"proportional\"\ntaper_floor = \"0.60\"",
    );
    let start = proportional.find("[[taper]]").unwrap();
    let end = proportional.find("[[category]]").unwrap();
    let proportional = format!("{}{}", &proportional[..start], &proportional[end..]);
    let config = CycleConfig::parse(&proportional, "cycle.toml").unwrap();
    assert_eq!(config.taper.kind(), TaperKind::Proportional);
    assert_eq!(
        config.taper.floor().map(|f| f.to_string()).as_deref(),
        Some("0.6000")
    );
    assert_eq!(
        config
            .taper
            .fraction_for("0.9950".parse().unwrap())
            .to_string(),
        "1.00"
    );
}

#[test]
fn a_taper_setting_that_would_not_be_applied_is_refused_by_key_and_line() {
    assert_eq!(
        error(&with(
            "rules_version = \"npg-2025-26.1\"",
            "rules_version = \"npg-2025-26.1\"\ntaper_floor = \"0.60\""
        )),
        "cycle.toml line 5: key `taper_floor`: is for taper_kind = \"proportional\" only; \
         remove it, or set taper_kind = \"proportional\""
    );
    assert_eq!(
        error(&with(
            "rules_version = \"npg-2025-26.1\"",
            "rules_version = \"npg-2025-26.1\"\ntaper_kind = \"proportional\"\ntaper_floor = \"0.60\""
        )),
        "cycle.toml line 28: key `taper`: [[taper]] bands are for taper_kind = \"bands\"; \
         remove them, or remove taper_kind"
    );
    assert_eq!(
        error(&with(
            "rules_version = \"npg-2025-26.1\"",
            "rules_version = \"npg-2025-26.1\"\ntaper_kind = \"sliding\""
        )),
        "cycle.toml line 5: key `taper_kind`: \"sliding\" is not a kind of taper; give \
         \"bands\" (the [[taper]] bands) or \"proportional\" (with taper_floor)"
    );
    let no_floor = without_bands("");
    let no_floor = no_floor.replacen(
        "rules_version = \"npg-2025-26.1\"",
        "rules_version = \"npg-2025-26.1\"\ntaper_kind = \"proportional\"",
        1,
    );
    assert_eq!(
        error(&no_floor),
        "cycle.toml: key `taper_floor`: is required but missing; add it at the top of the \
         file, before the first [[quarter]] (for example taper_floor = \"0.60\")"
    );
    let bad_floor = no_floor.replacen(
        "taper_kind = \"proportional\"",
        "taper_kind = \"proportional\"\ntaper_floor = \"1.5\"",
        1,
    );
    assert_eq!(
        error(&bad_floor),
        "cycle.toml line 6: key `taper_floor`: taper_floor 1.5000 is outside 0 to 1; give \
         the progress below which nothing is paid, for example \"0.60\""
    );
}
