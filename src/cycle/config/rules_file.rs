//! A what-if's rules file: a `name` and the payment rules it changes (the taper), in the
//! form of `cycle.toml`, read with the same key-and-line errors.

use std::path::Path;

use crate::read::file::read_limited_text;
use crate::rules::taper::{Taper, TaperKind};

use super::raw::{NOT_PAYMENT_RULES, RULES_KEYS, RawRules};
use super::{ConfigError, MAX_TEXT_FILE_BYTES, Source};

/// A scenario's rules: its name and the taper it pays by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesFile {
    pub name: String,
    pub taper: Taper,
}

impl RulesFile {
    /// Reads a rules file. `shown_as` names it in messages.
    pub fn load(path: &Path, shown_as: &str, base: &Taper) -> Result<RulesFile, ConfigError> {
        let text =
            read_limited_text(path, MAX_TEXT_FILE_BYTES).map_err(|cause| ConfigError::Io {
                file: shown_as.to_owned(),
                cause,
            })?;
        RulesFile::parse(&text, shown_as, base)
    }

    /// Reads the text of a rules file over the cycle's taper `base`. What it gives replaces
    /// the cycle's setting whole: `[[taper]]` bands replace the bands (and mean the banded
    /// taper); `taper_kind`, with `taper_floor` for the proportional one, choose the kind.
    /// A file that gives neither keeps the cycle's taper (a second base, named).
    pub fn parse(text: &str, shown_as: &str, base: &Taper) -> Result<RulesFile, ConfigError> {
        let source = Source {
            text,
            file: shown_as,
            what: "a rules file",
        };
        let table = toml::de::DeTable::parse(text).map_err(|e| source.syntax_error(&e))?;
        source.check_keys(table.get_ref(), RULES_KEYS, NOT_PAYMENT_RULES)?;
        let raw: RawRules = serde_path_to_error::deserialize(toml::de::Deserializer::from(table))
            .map_err(|e| source.serde_error(&e))?;
        let name = source.text_value(raw.name, "name", "\"proportional from 60%\"")?;
        let given_kind = raw.taper_kind.is_some();
        let taper = if given_kind {
            source.taper_rule(raw.taper, raw.taper_kind, raw.taper_floor)?
        } else if raw.taper.is_some() {
            source.taper_rule(raw.taper, None, raw.taper_floor)?
        } else if let Some(floor) = raw.taper_floor {
            // A floor alone changes the floor of a cycle already proportional.
            if base.kind() != TaperKind::Proportional {
                return Err(source.at(
                    floor.span(),
                    "taper_floor",
                    "changes the proportional taper's floor, but the cycle pays by bands; \
                     add taper_kind = \"proportional\" to compare the proportional taper"
                        .to_owned(),
                ));
            }
            source.taper_rule(None, Some(kind_value("proportional", &floor)), Some(floor))?
        } else {
            base.clone()
        };
        Ok(RulesFile { name, taper })
    }
}

/// A `taper_kind` value at the place of `near`, for a kind implied rather than written.
fn kind_value(kind: &str, near: &toml::Spanned<toml::Value>) -> toml::Spanned<toml::Value> {
    toml::Spanned::new(near.span(), toml::Value::String(kind.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RulesFile, String> {
        RulesFile::parse(text, "rules.toml", &Taper::default_npg()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_rules_file_gives_a_name_and_the_taper_it_compares() {
        let proportional = parse(
            "name = \"proportional from 60%\"\ntaper_kind = \"proportional\"\ntaper_floor = \"0.60\"\n",
        )
        .unwrap();
        assert_eq!(proportional.name, "proportional from 60%");
        assert_eq!(proportional.taper.kind(), TaperKind::Proportional);
        let bands = parse(
            "name = \"steeper\"\n\n[[taper]]\nmin_progress = \"1.0000\"\npay = \"1.00\"\n\n[[taper]]\nmin_progress = \"0.9000\"\npay = \"0.50\"\n",
        )
        .unwrap();
        assert_eq!(
            bands.taper.bands().len(),
            2,
            "the list replaces the cycle's whole"
        );
        let same = parse("name = \"again\"\n").unwrap();
        assert_eq!(same.taper, Taper::default_npg());
    }

    #[test]
    fn a_setting_that_is_not_a_payment_rule_is_refused_naming_the_key() {
        for (key, text) in [
            ("pot", "name = \"x\"\npot = \"1.00\"\n"),
            ("year", "name = \"x\"\nyear = \"2026-27\"\n"),
            ("scheme", "name = \"x\"\nscheme = \"y\"\n"),
            ("rules_version", "name = \"x\"\nrules_version = \"y\"\n"),
            ("quarter", "name = \"x\"\n[[quarter]]\nid = \"Q1\"\n"),
            ("category", "name = \"x\"\n[[category]]\nid = \"other\"\n"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(
                err.contains(&format!("key `{key}`: is not a payment rule")),
                "{key}: {err}"
            );
            assert!(err.starts_with("rules.toml line "), "{err}");
        }
        assert_eq!(
            parse("name = \"x\"\ntaper_flor = \"0.6\"\n").unwrap_err(),
            "rules.toml line 2: key `taper_flor`: is not a key of a rules file here \
             (expected one of `name`, `taper_kind`, `taper_floor`, `taper`); check its spelling"
        );
    }

    #[test]
    fn a_malformed_rules_file_gets_the_key_and_line_errors_of_cycle_toml() {
        assert_eq!(
            parse("taper_kind = \"proportional\"\ntaper_floor = \"0.60\"\n").unwrap_err(),
            "rules.toml: key `name`: is required but missing; add it at the top of the \
             file, before the first [[quarter]] (for example name = \"proportional from 60%\")"
        );
        let err = parse("name = \"x\"\ntaper_kind = \"proportional\"\ntaper_floor = \"6\"\n")
            .unwrap_err();
        assert!(
            err.starts_with("rules.toml line 3: key `taper_floor`: "),
            "{err}"
        );
        let err =
            parse("name = \"x\"\n[[taper]]\nmin_progress = \"0.9\"\npay = \"2\"\n").unwrap_err();
        assert!(
            err.starts_with("rules.toml line 4: key `taper.pay`: "),
            "{err}"
        );
        let err = parse("name = \"x\"\ntaper_kind = proportional\n").unwrap_err();
        assert!(err.starts_with("rules.toml line 2"), "{err}");
        let err = parse("name = \"x\"\ntaper_floor = \"0.60\"\n").unwrap_err();
        assert!(err.contains("but the cycle pays by bands"), "{err}");
    }
}
