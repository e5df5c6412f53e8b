//! Police forces: the validated `ForceId` and the force list read from `forces.csv`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The longest force name: 200 characters (the longest real one has 33).
pub const MAX_FORCE_NAME_CHARS: usize = 200;

/// A force's stable id: lower-case letters, digits and hyphens only, so it is safe in a
/// file name. Ordered by bytes, which is the "sorted by id" of rules §10.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ForceId(String);

#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "{} is not a force id: use lower-case letters, digits and hyphens only (for example north-wales)",
    crate::text::cut(.text)
)]
pub struct BadForceId {
    pub text: String,
}

impl ForceId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ForceId {
    type Err = BadForceId;

    fn from_str(text: &str) -> Result<ForceId, BadForceId> {
        let ok = !text.is_empty()
            && text.len() <= 64
            && !text.starts_with('-')
            && !text.ends_with('-')
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(ForceId(text.to_owned()))
        } else {
            Err(BadForceId {
                text: text.to_owned(),
            })
        }
    }
}

/// Ids order as their text does (byte order), so a force can be looked up by its id as text.
impl std::borrow::Borrow<str> for ForceId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ForceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One police force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Force {
    pub id: ForceId,
    pub name: String,
    /// The force's supplier number in the finance system (`payee_ref`, an optional third
    /// column of `forces.csv`); `None` where not given.
    pub payee_ref: Option<String>,
}

/// The longest payee reference accepted: finance systems' supplier numbers are short.
pub const MAX_PAYEE_REF_CHARS: usize = 40;

/// Checks a payee reference: letters, digits and ` -/._`, starting with a letter or digit
/// (so that it can never be read as a formula when the payment file is opened in a
/// spreadsheet), at most [`MAX_PAYEE_REF_CHARS`] characters.
fn check_payee_ref(text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars > MAX_PAYEE_REF_CHARS {
        return Err(format!(
            "is {chars} characters long, more than the {MAX_PAYEE_REF_CHARS} a payee reference may have"
        ));
    }
    if !text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("must start with a letter or digit".to_owned());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || " -/._".contains(*c)))
    {
        return Err(format!(
            "holds {}, which a payee reference may not (letters, digits, spaces and - / . _ only)",
            crate::text::cut(&bad.to_string())
        ));
    }
    Ok(())
}

/// The force list of a cycle, sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForceList {
    forces: BTreeMap<ForceId, Force>,
}

/// A problem with `forces.csv`, naming the file and line.
#[derive(Debug, Error)]
pub enum ForceListError {
    #[error("{file} line 1: the header must be `id,name` or `id,name,payee_ref`, found {}", crate::text::cut(.found))]
    Header { file: String, found: String },
    #[error("{file} line {line}: {problem}")]
    Line {
        file: String,
        line: u64,
        problem: String,
    },
    #[error("{file}: lists no force")]
    Empty { file: String },
}

impl ForceList {
    pub fn parse(text: &str, shown_as: &str) -> Result<ForceList, ForceListError> {
        let file = shown_as.to_owned();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| ForceListError::Header {
                file: file.clone(),
                found: e.to_string(),
            })?
            .clone();
        let names: Vec<&str> = header.iter().map(str::trim).collect();
        if names != ["id", "name"] && names != ["id", "name", "payee_ref"] {
            return Err(ForceListError::Header {
                file,
                found: names.join(","),
            });
        }
        let fields = names.len();
        let mut forces = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| ForceListError::Line {
                file: file.clone(),
                line: e.position().map_or(0, |p| p.line()),
                problem: format!(
                    "not a line of {} fields: {e}",
                    if fields == 2 { "two" } else { "three" }
                ),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let fail = |problem: String| ForceListError::Line {
                file: file.clone(),
                line,
                problem,
            };
            let id: ForceId = record
                .get(0)
                .unwrap_or("")
                .trim()
                .parse()
                .map_err(|e: BadForceId| fail(e.to_string()))?;
            let name = record.get(1).unwrap_or("").trim();
            if name.is_empty() {
                return Err(fail(format!("force {id} has no name")));
            }
            let chars = name.chars().count();
            if chars > MAX_FORCE_NAME_CHARS {
                return Err(fail(format!(
                    "force {id}'s name is {} characters long, more than the {MAX_FORCE_NAME_CHARS} a force name may have (it starts {}); shorten it",
                    crate::text::thousands(chars),
                    crate::text::cut(name)
                )));
            }
            if forces.contains_key(&id) {
                return Err(fail(format!("force {id} is listed twice")));
            }
            let payee_ref = record
                .get(2)
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| {
                    check_payee_ref(r)
                        .map(|()| r.to_owned())
                        .map_err(|why| fail(format!("force {id}'s payee_ref {why}")))
                })
                .transpose()?;
            forces.insert(
                id.clone(),
                Force {
                    id,
                    name: name.to_owned(),
                    payee_ref,
                },
            );
        }
        if forces.is_empty() {
            return Err(ForceListError::Empty { file });
        }
        Ok(ForceList { forces })
    }

    pub fn get(&self, id: &ForceId) -> Option<&Force> {
        self.forces.get(id)
    }

    /// Looks a force up by its id as text.
    pub fn find(&self, id: &str) -> Option<&Force> {
        self.forces.get(id)
    }

    /// The force whose id is nearest `text` by edit distance (Damerau–Levenshtein: a
    /// transposition is one edit), ties to the lower id; `None` when none is within a third
    /// of the id's length, since a suggestion further off would mislead.
    pub fn nearest(&self, text: &str) -> Option<&Force> {
        let wanted = text.trim().to_lowercase();
        let limit = (wanted.chars().count() / 3).max(2);
        self.forces
            .values()
            .map(|f| (strsim::damerau_levenshtein(&wanted, f.id.as_str()), f))
            .filter(|(distance, _)| *distance <= limit)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, f)| f)
    }

    pub fn contains(&self, id: &ForceId) -> bool {
        self.forces.contains_key(id)
    }

    /// Forces in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Force> {
        self.forces.values()
    }

    pub fn len(&self) -> usize {
        self.forces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forces.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_ids_are_safe_in_file_names() {
        for good in ["kent", "north-wales", "avon-and-somerset", "force2"] {
            assert_eq!(good.parse::<ForceId>().unwrap().as_str(), good);
        }
        for bad in [
            "Kent",
            "north wales",
            "north_wales",
            "../kent",
            "kent/",
            "",
            "-kent",
            "kent-",
            "kënt",
        ] {
            assert!(bad.parse::<ForceId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn force_ids_sort_by_bytes() {
        let mut ids: Vec<ForceId> = ["northumbria", "north-wales", "northamptonshire"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        ids.sort();
        let ids: Vec<&str> = ids.iter().map(ForceId::as_str).collect();
        assert_eq!(ids, ["north-wales", "northamptonshire", "northumbria"]);
    }

    #[test]
    fn loads_the_spec_force_list() {
        let text = include_str!("../../fixtures/2025-26/forces.csv");
        let list = ForceList::parse(text, "forces.csv").unwrap();
        assert_eq!(list.len(), 43);
        assert_eq!(
            list.find("bedfordshire").unwrap().name,
            "Bedfordshire Police"
        );
        assert!(list.find("british-transport-police").is_none());
        let first = list.iter().next().unwrap();
        assert_eq!(first.id.as_str(), "avon-and-somerset");
    }

    #[test]
    fn bad_force_lists_name_the_line() {
        let err = ForceList::parse("id,name\nkent,Kent Police\nkent,Kent again\n", "forces.csv")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "forces.csv line 3: force kent is listed twice"
        );
        let err = ForceList::parse("id,name\nKent,Kent Police\n", "forces.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("forces.csv line 2: \"Kent\" is not a force id"),
            "{err}"
        );
        let err = ForceList::parse("id,name\nkent,\n", "forces.csv").unwrap_err();
        assert_eq!(err.to_string(), "forces.csv line 2: force kent has no name");
        let err = ForceList::parse("code,title\nkent,Kent\n", "forces.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "forces.csv line 1: the header must be `id,name` or `id,name,payee_ref`, found \"code,title\""
        );
        let err = ForceList::parse("id,name\n", "forces.csv").unwrap_err();
        assert_eq!(err.to_string(), "forces.csv: lists no force");
    }

    #[test]
    fn a_mistyped_id_finds_the_nearest_force_and_a_far_one_none() {
        let text = include_str!("../../fixtures/2025-26/forces.csv");
        let list = ForceList::parse(text, "forces.csv").unwrap();
        let nearest = |t: &str| list.nearest(t).map(|f| f.id.as_str().to_owned());
        assert_eq!(nearest("kentt").as_deref(), Some("kent"));
        assert_eq!(nearest("Kent").as_deref(), Some("kent"));
        assert_eq!(nearest("nroth-wales").as_deref(), Some("north-wales"));
        assert_eq!(
            nearest("north_yorkshire").as_deref(),
            Some("north-yorkshire")
        );
        assert_eq!(nearest("metropolitn").as_deref(), Some("metropolitan"));
        assert_eq!(nearest("zzzzzz"), None);
    }

    #[test]
    fn a_payee_reference_is_an_optional_third_column_checked_for_safety() {
        let list = ForceList::parse(
            "id,name,payee_ref\nkent,Kent Police,SUP-00123\nessex,Essex Police,\n",
            "forces.csv",
        )
        .unwrap();
        assert_eq!(
            list.find("kent").unwrap().payee_ref.as_deref(),
            Some("SUP-00123")
        );
        assert_eq!(list.find("essex").unwrap().payee_ref, None);
        let two = ForceList::parse("id,name\nkent,Kent Police\n", "forces.csv").unwrap();
        assert_eq!(two.find("kent").unwrap().payee_ref, None);
        let err = ForceList::parse(
            "id,name,payee_ref\nkent,Kent Police,=HYPERLINK(1)\n",
            "forces.csv",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "forces.csv line 2: force kent's payee_ref must start with a letter or digit"
        );
        let err = ForceList::parse("id,name,payee_ref\nkent,Kent Police,A1;2\n", "forces.csv")
            .unwrap_err();
        assert!(err.to_string().contains("holds \";\""), "{err}");
        let long = format!("id,name,payee_ref\nkent,Kent Police,{}\n", "9".repeat(41));
        let err = ForceList::parse(&long, "forces.csv").unwrap_err();
        assert!(err.to_string().contains("41 characters"), "{err}");
        let err = ForceList::parse("id,name\nkent,Kent Police,SUP1\n", "forces.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("forces.csv line 2: not a line of two fields"),
            "{err}"
        );
        let err = ForceList::parse("id,name\nkent,Kent,extra\n", "forces.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("forces.csv line 2: not a line of two fields"),
            "{err}"
        );
    }
}
