//! The quarters a payment run covers: one (`Q2`) or a range run in order (`Q1-Q4`).

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use super::Quarter;

/// One quarter or a range of them, earlier first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuarterRange {
    first: Quarter,
    last: Quarter,
}

/// Why text is not a quarter or a range of quarters.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum QuarterRangeError {
    #[error("not a quarter or range: use Q1..Q4, or a range such as Q1-Q4")]
    NotAQuarter,
    #[error("the range runs backwards: give the earlier quarter first, such as Q1-Q4")]
    Backwards,
}

impl QuarterRange {
    /// `first..=last`, or `None` when `last` comes before `first`.
    pub fn new(first: Quarter, last: Quarter) -> Option<QuarterRange> {
        (first <= last).then_some(QuarterRange { first, last })
    }

    /// Just `quarter`.
    pub fn one(quarter: Quarter) -> QuarterRange {
        QuarterRange {
            first: quarter,
            last: quarter,
        }
    }

    pub fn first(self) -> Quarter {
        self.first
    }

    pub fn last(self) -> Quarter {
        self.last
    }

    /// The quarters in order.
    pub fn quarters(self) -> Vec<Quarter> {
        Quarter::ALL
            .into_iter()
            .filter(|q| *q >= self.first && *q <= self.last)
            .collect()
    }
}

impl FromStr for QuarterRange {
    type Err = QuarterRangeError;

    /// `Q2` or `Q1-Q4`, each quarter as [`Quarter`] reads it (case and spaces ignored).
    fn from_str(text: &str) -> Result<QuarterRange, QuarterRangeError> {
        let quarter = |part: &str| {
            part.parse::<Quarter>()
                .map_err(|_| QuarterRangeError::NotAQuarter)
        };
        let (first, last) = match text.split_once('-') {
            Some((a, b)) => (quarter(a)?, quarter(b)?),
            None => (quarter(text)?, quarter(text)?),
        };
        QuarterRange::new(first, last).ok_or(QuarterRangeError::Backwards)
    }
}

impl fmt::Display for QuarterRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_quarter_or_a_range_in_order() {
        let one: QuarterRange = "q2".parse().unwrap();
        assert_eq!(one.quarters(), [Quarter::Q2]);
        assert_eq!(one.to_string(), "Q2");
        let range: QuarterRange = " Q1 - Q4 ".parse().unwrap();
        assert_eq!(
            range.quarters(),
            [Quarter::Q1, Quarter::Q2, Quarter::Q3, Quarter::Q4]
        );
        assert_eq!((range.first(), range.last()), (Quarter::Q1, Quarter::Q4));
        assert_eq!(range.to_string(), "Q1-Q4");
        assert_eq!(
            "Q2-Q3".parse::<QuarterRange>().unwrap().quarters(),
            [Quarter::Q2, Quarter::Q3]
        );
        assert_eq!(QuarterRange::one(Quarter::Q3).quarters(), [Quarter::Q3]);
    }

    #[test]
    fn anything_else_is_refused_saying_what_to_write() {
        for bad in ["Q5", "", "Q1-", "-Q2", "Q1-Q2-Q3", "1", "Q1..Q4"] {
            assert_eq!(
                bad.parse::<QuarterRange>(),
                Err(QuarterRangeError::NotAQuarter),
                "{bad:?}"
            );
        }
        assert_eq!(
            "Q3-Q1".parse::<QuarterRange>(),
            Err(QuarterRangeError::Backwards)
        );
        assert_eq!(QuarterRange::new(Quarter::Q4, Quarter::Q1), None);
    }
}
