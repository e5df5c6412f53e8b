//! The financial return's expenditure categories: their ids and whether spend in each
//! counts towards the grant. The list itself is configuration (`cycle.toml`).

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::domain::ForceId;

/// An expenditure category of the financial return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub label: String,
    /// Whether spend in the category counts towards eligible spend (rules §7).
    pub eligible: bool,
}

/// A category's stable id: lower-case letters, digits and hyphens, exactly as a force id,
/// so it can appear in a file name or a column key without quoting.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CategoryId(String);

#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "{text:?} is not a category id: use lower-case letters, digits and hyphens only (for example officer-pay)"
)]
pub struct BadCategoryId {
    pub text: String,
}

impl CategoryId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CategoryId {
    type Err = BadCategoryId;

    fn from_str(text: &str) -> Result<CategoryId, BadCategoryId> {
        // The force id's rule is the one rule for ids in this project; reusing it keeps
        // the two from drifting apart.
        match text.parse::<ForceId>() {
            Ok(_) => Ok(CategoryId(text.to_owned())),
            Err(_) => Err(BadCategoryId {
                text: text.to_owned(),
            }),
        }
    }
}

impl fmt::Display for CategoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_ids_follow_the_force_id_rules() {
        for good in ["officer-pay", "pcso-pay", "other", "kit2"] {
            let id: CategoryId = good.parse().unwrap();
            assert_eq!(id.as_str(), good);
            assert_eq!(id.to_string(), good);
        }
        for bad in [
            "Officer-pay",
            "officer pay",
            "officer_pay",
            "",
            "-pay",
            "pay-",
            "../x",
        ] {
            assert!(bad.parse::<CategoryId>().is_err(), "{bad:?}");
        }
        let mut ids: Vec<CategoryId> = ["pcso-pay", "other", "officer-pay"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        ids.sort();
        let ids: Vec<&str> = ids.iter().map(CategoryId::as_str).collect();
        assert_eq!(ids, ["officer-pay", "other", "pcso-pay"]);
    }
}
