//! `publish.toml`, beside `cycle.toml`: what `npg publish` shows beside the payment runs (the
//! performance framework's measures, their pillars and tiers, and each one's source) and the
//! identifiers its 360Giving file gives. It never changes a payment.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::domain::{ForceId, ForceList};
use crate::read::file::{MAX_TEXT_FILE_BYTES, read_limited_text};

use super::config::ConfigError;

/// The file's name inside a cycle folder.
pub const PUBLISH_FILE: &str = "publish.toml";

/// Whether the framework tracks a measure publicly or monitors it internally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Tracked publicly by the Home Office: on the public site.
    Headline,
    /// Monitored internally: on the sector site only.
    Contextual,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Headline => "Headline",
            Tier::Contextual => "Contextual",
        }
    }
}

/// A figure npg itself holds, from the returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum Held {
    /// Neighbourhood officers and PCSOs, FTE, against the delivery profile (rules §5).
    #[serde(rename = "growth")]
    Growth,
    /// Special constables, a headcount, shown beside the growth.
    #[serde(rename = "specials")]
    Specials,
    /// The abstraction rate each monitoring return reports.
    #[serde(rename = "abstraction")]
    Abstraction,
    /// Queries responded to within 72 hours (rules §6).
    #[serde(rename = "response-72h")]
    Response72h,
}

impl Held {
    /// The words of `holds` in the file, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Held::Growth => "growth",
            Held::Specials => "specials",
            Held::Abstraction => "abstraction",
            Held::Response72h => "response-72h",
        }
    }
}

/// Where a figure npg does not hold is published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub title: String,
    pub url: String,
}

/// One measure of the framework.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measure {
    pub pillar: String,
    pub name: String,
    pub tier: Tier,
    /// What npg holds of it; `None` when npg does not hold it.
    pub holds: Option<Held>,
    /// Where it is published, when npg does not hold it and a source is named.
    pub source: Option<Source>,
}

/// An organisation in the 360Giving file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

/// A force's Police Force Area, for the 360Giving file's beneficiary location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForceArea {
    pub force: ForceId,
    pub name: String,
    /// The ONS code of the area (`E23…`, `W15…`), when given.
    pub code: Option<String>,
}

/// The 360Giving identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivingIds {
    /// The publisher's registered prefix, `360G-…`: every grant id starts with it.
    pub prefix: String,
    pub funder: Organisation,
    /// Each force's organisation identifier, where one is given; any other force is
    /// identified under the prefix (`<prefix>-<force id>`), as the standard allows for an
    /// organisation without a registered identifier.
    pub recipients: Vec<(ForceId, String)>,
}

/// The whole of `publish.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishConfig {
    pub measures: Vec<Measure>,
    pub giving: GivingIds,
    pub areas: Vec<ForceArea>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublish {
    giving: RawGiving,
    #[serde(default, rename = "area")]
    areas: Vec<RawArea>,
    #[serde(rename = "measure")]
    measures: Vec<RawMeasure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGiving {
    prefix: Spanned<String>,
    funder_id: Spanned<String>,
    funder_name: Spanned<String>,
    #[serde(default, rename = "recipient")]
    recipients: Vec<RawRecipient>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipient {
    force: Spanned<String>,
    org_id: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    force: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    code: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    pillar: String,
    name: Spanned<String>,
    tier: Tier,
    #[serde(default)]
    holds: Option<Held>,
    #[serde(default)]
    source_title: Option<String>,
    #[serde(default)]
    source_url: Option<Spanned<String>>,
}

/// Whether `prefix` is a 360Giving identifier prefix: "360G-" and then at least one
/// letter, digit, hyphen or underscore (the characters 360Giving's registered prefixes use),
/// so that a grant id built from it is one token.
pub fn is_360g_prefix(prefix: &str) -> bool {
    prefix.strip_prefix("360G-").is_some_and(|rest| {
        // Starting and ending with a letter or digit, so that `<prefix>-…` never has two
        // separators together.
        rest.starts_with(|c: char| c.is_ascii_alphanumeric())
            && rest.ends_with(|c: char| c.is_ascii_alphanumeric())
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// What is wrong with a text the site shows as given (a measure's name, a pillar, the
/// funder's name), if anything: blank, or spaces at its start or end.
fn text_problem(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        Some("is blank; give the words the site should show")
    } else if text.trim() != text {
        Some("has spaces at its start or end; remove them")
    } else {
        None
    }
}

/// A measure's pillar and name as they are compared for a duplicate: in lower case, with
/// runs of spaces as one.
fn measure_key(pillar: &str, name: &str) -> (String, String) {
    let fold = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    (fold(pillar), fold(name))
}

/// Whether `id` can be an organisation identifier: one token of printable characters.
fn is_org_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_graphic())
}

/// Whether `code` is shaped as the ONS code of a Police Force Area: `E23` (England) or `W15`
/// (Wales) and six digits.
fn is_police_force_area_code(code: &str) -> bool {
    let digits = code
        .strip_prefix("E23")
        .or_else(|| code.strip_prefix("W15"));
    digits.is_some_and(|d| d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A mistake in the file, at the line holding byte `at`.
fn invalid(text: &str, file: &str, at: usize, key: &str, problem: String) -> ConfigError {
    let line = text
        .get(..at)
        .map(|before| before.matches('\n').count() + 1);
    ConfigError::Invalid {
        file: file.to_owned(),
        line,
        key: Some(key.to_owned()),
        problem,
    }
}

impl PublishConfig {
    /// Reads `publish.toml` of a cycle folder. `forces` is the cycle's force list: a force a
    /// setting names must be one of them.
    pub fn load(path: &Path, shown_as: &str, forces: &ForceList) -> Result<Self, ConfigError> {
        let text =
            read_limited_text(path, MAX_TEXT_FILE_BYTES).map_err(|cause| ConfigError::Io {
                file: shown_as.to_owned(),
                cause,
            })?;
        PublishConfig::parse(&text, shown_as, forces)
    }

    /// Validates the text of a `publish.toml`.
    pub fn parse(text: &str, shown_as: &str, forces: &ForceList) -> Result<Self, ConfigError> {
        let raw: RawPublish = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .and_then(|s| text.get(..s.start))
                .map(|before| before.matches('\n').count() + 1);
            ConfigError::Invalid {
                file: shown_as.to_owned(),
                line,
                key: None,
                problem: e.message().trim().to_owned(),
            }
        })?;
        let force = |name: &Spanned<String>, key: &str| -> Result<ForceId, ConfigError> {
            forces
                .iter()
                .map(|f| &f.id)
                .find(|id| id.as_str() == name.get_ref())
                .cloned()
                .ok_or_else(|| {
                    invalid(
                        text,
                        shown_as,
                        name.span().start,
                        key,
                        format!(
                            "{:?} is not a force of the cycle's forces.csv; give a force id from it",
                            name.get_ref()
                        ),
                    )
                })
        };

        let prefix = raw.giving.prefix.get_ref();
        if !is_360g_prefix(prefix) {
            return Err(invalid(
                text,
                shown_as,
                raw.giving.prefix.span().start,
                "giving.prefix",
                format!(
                    "{prefix:?} is not a 360Giving prefix; it starts \"360G-\" followed by the publisher's registered part (letters, digits, - or _, no spaces)"
                ),
            ));
        }
        // Organisation identifiers are single tokens (org-id.guide's "GB-GOV-…"): one with a
        // space or none at all would go into the 360Giving file as given.
        let org_ids = std::iter::once((&raw.giving.funder_id, "giving.funder_id")).chain(
            raw.giving
                .recipients
                .iter()
                .map(|r| (&r.org_id, "giving.recipient.org_id")),
        );
        for (id, key) in org_ids {
            if !is_org_id(id.get_ref()) {
                return Err(invalid(
                    text,
                    shown_as,
                    id.span().start,
                    key,
                    format!(
                        "{:?} is not an organisation identifier; give one without spaces, such as GB-GOV-… from org-id.guide, or one under the prefix",
                        id.get_ref()
                    ),
                ));
            }
        }
        if let Some(problem) = text_problem(raw.giving.funder_name.get_ref()) {
            return Err(invalid(
                text,
                shown_as,
                raw.giving.funder_name.span().start,
                "giving.funder_name",
                format!("{:?} {problem}", raw.giving.funder_name.get_ref()),
            ));
        }
        let mut recipients = Vec::new();
        for r in &raw.giving.recipients {
            let id = force(&r.force, "giving.recipient.force")?;
            if recipients.iter().any(|(f, _)| *f == id) {
                return Err(invalid(
                    text,
                    shown_as,
                    r.force.span().start,
                    "giving.recipient.force",
                    format!("{id} is given twice; keep one"),
                ));
            }
            recipients.push((id, r.org_id.get_ref().clone()));
        }
        let mut areas: Vec<ForceArea> = Vec::new();
        for a in &raw.areas {
            let id = force(&a.force, "area.force")?;
            if areas.iter().any(|x| x.force == id) {
                return Err(invalid(
                    text,
                    shown_as,
                    a.force.span().start,
                    "area.force",
                    format!("{id} is given twice; keep one"),
                ));
            }
            if let Some(problem) = text_problem(a.name.get_ref()) {
                return Err(invalid(
                    text,
                    shown_as,
                    a.name.span().start,
                    "area.name",
                    format!("{:?} {problem}", a.name.get_ref()),
                ));
            }
            if let Some(code) = &a.code
                && !is_police_force_area_code(code.get_ref())
            {
                return Err(invalid(
                    text,
                    shown_as,
                    code.span().start,
                    "area.code",
                    format!(
                        "{:?} is not the ONS code of a Police Force Area (E23 and six digits in England, W15 and six digits in Wales); give it from the ONS's register, or leave code out",
                        code.get_ref()
                    ),
                ));
            }
            areas.push(ForceArea {
                force: id,
                name: a.name.get_ref().clone(),
                code: a.code.as_ref().map(|c| c.get_ref().clone()),
            });
        }
        let mut held = BTreeSet::new();
        let mut measures = Vec::new();
        for m in raw.measures {
            let at = m.name.span().start;
            let fail = |key: &str, problem: String| invalid(text, shown_as, at, key, problem);
            let texts = [
                ("measure.pillar", Some(&m.pillar)),
                ("measure.name", Some(m.name.get_ref())),
                ("measure.source_title", m.source_title.as_ref()),
            ];
            for (key, value) in texts {
                if let Some(value) = value
                    && let Some(problem) = text_problem(value)
                {
                    return Err(fail(key, format!("{value:?} {problem}")));
                }
            }
            let key = measure_key(&m.pillar, m.name.get_ref());
            if measures
                .iter()
                .any(|x: &Measure| measure_key(&x.pillar, &x.name) == key)
            {
                return Err(fail(
                    "measure.name",
                    format!(
                        "{:?} is given twice under the pillar {:?}; keep one",
                        m.name.get_ref(),
                        m.pillar
                    ),
                ));
            }
            if let Some(h) = m.holds
                && !held.insert(h)
            {
                return Err(fail(
                    "measure.holds",
                    format!(
                        "holds = \"{}\" is given to two measures; npg's figure belongs to one",
                        h.as_str()
                    ),
                ));
            }
            let source = match (m.source_title, m.source_url) {
                (None, None) => None,
                (Some(title), Some(url)) => {
                    if !url.get_ref().starts_with("https://") {
                        return Err(invalid(
                            text,
                            shown_as,
                            url.span().start,
                            "measure.source_url",
                            format!("{:?} is not an https:// address", url.get_ref()),
                        ));
                    }
                    Some(Source {
                        title,
                        url: url.into_inner(),
                    })
                }
                _ => {
                    return Err(fail(
                        "measure.source_title",
                        "a source needs both source_title and source_url".to_owned(),
                    ));
                }
            };
            if m.holds.is_some() && source.is_some() {
                return Err(fail(
                    "measure.source_title",
                    "a measure npg holds is published from the returns; remove its source"
                        .to_owned(),
                ));
            }
            measures.push(Measure {
                pillar: m.pillar,
                name: m.name.into_inner(),
                tier: m.tier,
                holds: m.holds,
                source,
            });
        }
        Ok(PublishConfig {
            measures,
            giving: GivingIds {
                prefix: prefix.clone(),
                funder: Organisation {
                    id: raw.giving.funder_id.into_inner(),
                    name: raw.giving.funder_name.into_inner(),
                },
                recipients,
            },
            areas,
        })
    }

    /// The measure that holds `held`, if the framework lists it.
    pub fn measure(&self, held: Held) -> Option<&Measure> {
        self.measures.iter().find(|m| m.holds == Some(held))
    }

    /// The pillars in the order the file first gives them.
    pub fn pillars(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.measures {
            if !out.contains(&m.pillar.as_str()) {
                out.push(&m.pillar);
            }
        }
        out
    }

    /// A force's organisation identifier in the 360Giving file.
    pub fn recipient_id(&self, force: &ForceId) -> String {
        self.giving
            .recipients
            .iter()
            .find(|(f, _)| f == force)
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| format!("{}-{force}", self.giving.prefix))
    }

    /// A force's Police Force Area, when configured.
    pub fn area(&self, force: &ForceId) -> Option<&ForceArea> {
        self.areas.iter().find(|a| &a.force == force)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forces() -> ForceList {
        ForceList::parse(
            "id,name\nkent,Kent Police\ndurham,Durham Constabulary\n",
            "forces.csv",
        )
        .unwrap()
    }

    const GIVING: &str = "[giving]\nprefix = \"360G-test\"\nfunder_id = \"360G-test-ho\"\nfunder_name = \"Home Office\"\n";

    fn parse(text: &str) -> Result<PublishConfig, ConfigError> {
        PublishConfig::parse(text, "publish.toml", &forces())
    }

    #[test]
    fn the_fixture_years_file_reads_with_its_tiers_and_sources() {
        let forces = ForceList::parse(crate::fixture_year::FORCES_CSV, "forces.csv").unwrap();
        let config =
            PublishConfig::parse(crate::fixture_year::PUBLISH_TOML, "publish.toml", &forces)
                .unwrap();
        assert_eq!(
            config.measure(Held::Abstraction).map(|m| m.tier),
            Some(Tier::Headline)
        );
        assert_eq!(
            config.measure(Held::Response72h).map(|m| m.tier),
            Some(Tier::Contextual)
        );
        let sources: Vec<&str> = config
            .measures
            .iter()
            .filter_map(|m| m.source.as_ref().map(|s| s.title.as_str()))
            .collect();
        assert_eq!(
            sources,
            [
                "Police workforce, England and Wales (Home Office)",
                "Crime Survey for England and Wales (Office for National Statistics)"
            ]
        );
        assert_eq!(config.pillars()[0], "Neighbourhood growth");
        let kent: ForceId = "kent".parse().unwrap();
        assert_eq!(config.recipient_id(&kent), "360G-npg-fixture-kent");
        assert_eq!(config.area(&kent).map(|a| a.name.as_str()), Some("Kent"));
    }

    #[test]
    fn a_mistake_is_named_by_line_and_key() {
        let bad_tier =
            format!("{GIVING}\n[[measure]]\npillar = \"P\"\nname = \"N\"\ntier = \"headlne\"\n");
        let e = parse(&bad_tier).unwrap_err().to_string();
        assert!(e.contains("line 9") && e.contains("headlne"), "{e}");

        let prefix = "measure = []\n".to_owned() + &GIVING.replace("360G-test\"", "GB-test\"");
        let e = parse(&prefix).unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("giving.prefix") && e.contains("360G-"),
            "{e}"
        );

        let unknown = format!("measure = []\n{GIVING}[[area]]\nforce = \"kentt\"\nname = \"K\"\n");
        let e = parse(&unknown).unwrap_err().to_string();
        assert!(e.contains("area.force") && e.contains("\"kentt\""), "{e}");

        let twice = format!(
            "{GIVING}\n[[measure]]\npillar = \"P\"\nname = \"A\"\ntier = \"headline\"\nholds = \"growth\"\n\n[[measure]]\npillar = \"P\"\nname = \"B\"\ntier = \"headline\"\nholds = \"growth\"\n"
        );
        let e = parse(&twice).unwrap_err().to_string();
        assert!(e.contains("line 14") && e.contains("two measures"), "{e}");

        let held_with_source = format!(
            "{GIVING}\n[[measure]]\npillar = \"P\"\nname = \"A\"\ntier = \"headline\"\nholds = \"growth\"\nsource_title = \"T\"\nsource_url = \"https://x.example\"\n"
        );
        assert!(parse(&held_with_source).is_err());
        let http = format!(
            "{GIVING}\n[[measure]]\npillar = \"P\"\nname = \"A\"\ntier = \"headline\"\nsource_title = \"T\"\nsource_url = \"http://x.example\"\n"
        );
        let e = parse(&http).unwrap_err().to_string();
        assert!(e.contains("https://"), "{e}");
    }

    #[test]
    fn a_measure_twice_a_prefix_with_a_space_and_an_area_code_not_ons_are_refused() {
        let measure = |name: &str| {
            format!("\n[[measure]]\npillar = \"P\"\nname = \"{name}\"\ntier = \"headline\"\n")
        };
        let twice = format!("{GIVING}{}{}", measure("A"), measure("A"));
        let e = parse(&twice).unwrap_err().to_string();
        assert!(
            e.contains("line 13") && e.contains("\"A\"") && e.contains("twice"),
            "{e}"
        );
        // The same name under another pillar is another measure.
        let other_pillar = format!(
            "{GIVING}{}{}",
            measure("A"),
            measure("A").replace("\"P\"", "\"Q\"")
        );
        assert!(parse(&other_pillar).is_ok());

        let spaced = format!(
            "measure = []\n{}",
            GIVING.replace("360G-test\"", "360G-a b\"")
        );
        let e = parse(&spaced).unwrap_err().to_string();
        assert!(
            e.contains("giving.prefix") && e.contains("\"360G-a b\""),
            "{e}"
        );
        let blank_id = format!(
            "measure = []\n{}",
            GIVING.replace("\"360G-test-ho\"", "\" \"")
        );
        let e = parse(&blank_id).unwrap_err().to_string();
        assert!(e.contains("giving.funder_id"), "{e}");

        let area = |code: &str| {
            format!(
                "measure = []\n{GIVING}[[area]]\nforce = \"kent\"\nname = \"Kent\"\ncode = \"{code}\"\n"
            )
        };
        for good in ["E23000032", "W15000001"] {
            assert!(parse(&area(good)).is_ok(), "{good}");
        }
        for bad in ["bogus", "E2300003", "E12000008", "e23000032", "E23000032 "] {
            let e = parse(&area(bad)).unwrap_err().to_string();
            assert!(e.contains("area.code") && e.contains("E23"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_blank_or_padded_text_and_a_measure_twice_in_other_case_are_refused() {
        let measure = |pillar: &str, name: &str| {
            format!(
                "\n[[measure]]\npillar = \"{pillar}\"\nname = \"{name}\"\ntier = \"headline\"\n"
            )
        };
        for (text, key) in [
            (format!("{GIVING}{}", measure("P", "")), "measure.name"),
            (format!("{GIVING}{}", measure(" ", "A")), "measure.pillar"),
            (format!("{GIVING}{}", measure("P", "A ")), "measure.name"),
            (
                format!(
                    "measure = []\n{}",
                    GIVING.replace("\"Home Office\"", "\"\"")
                ),
                "giving.funder_name",
            ),
            (
                format!("measure = []\n{GIVING}[[area]]\nforce = \"kent\"\nname = \"\"\n"),
                "area.name",
            ),
        ] {
            let e = parse(&text).unwrap_err().to_string();
            assert!(
                e.contains(key) && (e.contains("is blank") || e.contains("spaces at its")),
                "{key}: {e}"
            );
        }
        // The same measure in another case, or with its words spaced otherwise.
        let twice = format!(
            "{GIVING}{}{}",
            measure("P", "Safer town centres"),
            measure("P", "Safer  Town centres")
        );
        let e = parse(&twice).unwrap_err().to_string();
        assert!(e.contains("twice"), "{e}");
        // A prefix ending in a hyphen would give ids with two together.
        let e = parse(&format!(
            "measure = []\n{}",
            GIVING.replace("360G-test\"", "360G-test-\"")
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("giving.prefix"), "{e}");
    }

    #[test]
    fn a_prefix_must_be_360g_and_one_token() {
        assert!(is_360g_prefix("360G-homeoffice"));
        assert!(is_360g_prefix("360G-HO_npg-1"));
        assert!(!is_360g_prefix("360G-"));
        assert!(!is_360g_prefix("360g-homeoffice"));
        assert!(!is_360g_prefix("homeoffice"));
        assert!(!is_360g_prefix("360G-home office"));
        assert!(!is_360g_prefix("360G-homeoffice-"));
        assert!(!is_360g_prefix("360G--homeoffice"));
    }
}
