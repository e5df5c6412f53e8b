//! Workforce measures: full-time equivalents (`Fte`, two places) and whole `Headcount`s.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::number::{ParseNumberError, parse_exact, round_half_away};

/// The largest FTE or headcount any real return can hold (rules §9, C11).
pub const WORKFORCE_LIMIT: u32 = 1_000_000;

/// Full-time equivalent staff, at most two decimal places. Differences (uplift, variance)
/// are `Fte` too and may be negative; a reported level is checked non-negative by the reader.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fte(Decimal);

impl Fte {
    pub const ZERO: Fte = Fte(Decimal::from_parts(0, 0, 0, false, 2));

    /// A value that must already have at most two decimal places.
    pub fn from_exact(value: Decimal) -> Result<Fte, ParseNumberError> {
        if round_half_away(value, 2) != value {
            return Err(ParseNumberError::TooManyPlaces { places: 2 });
        }
        Ok(Fte(round_half_away(value, 2)))
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// Within the ±1,000,000 range that any real return can hold (C11).
    pub fn within_real_range(value: Decimal) -> bool {
        value.abs() <= Decimal::from(WORKFORCE_LIMIT)
    }
}

impl fmt::Display for Fte {
    /// Plain form with 2 places: `465.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Fte {
    type Err = ParseNumberError;

    fn from_str(text: &str) -> Result<Fte, ParseNumberError> {
        let value = parse_exact(text, 2)?;
        if !Fte::within_real_range(value) {
            return Err(ParseNumberError::OutOfRange);
        }
        Fte::from_exact(value)
    }
}

impl Add for Fte {
    type Output = Fte;
    fn add(self, rhs: Fte) -> Fte {
        Fte(round_half_away(self.0 + rhs.0, 2))
    }
}

impl Sub for Fte {
    type Output = Fte;
    fn sub(self, rhs: Fte) -> Fte {
        Fte(round_half_away(self.0 - rhs.0, 2))
    }
}

impl Sum for Fte {
    fn sum<I: Iterator<Item = Fte>>(iter: I) -> Fte {
        iter.fold(Fte::ZERO, |a, b| a + b)
    }
}

/// A whole number of people (special constables, queries received).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Headcount(u32);

impl Headcount {
    /// A count up to the real-range limit (C11).
    pub fn new(count: u32) -> Result<Headcount, ParseNumberError> {
        if count > WORKFORCE_LIMIT {
            return Err(ParseNumberError::OutOfRange);
        }
        Ok(Headcount(count))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// `self − other` as a signed difference (a variance may be negative).
    pub fn difference(self, other: Headcount) -> i64 {
        i64::from(self.0) - i64::from(other.0)
    }
}

impl fmt::Display for Headcount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Headcount {
    type Err = ParseNumberError;

    fn from_str(text: &str) -> Result<Headcount, ParseNumberError> {
        let value = parse_exact(text, 0).map_err(|e| match e {
            ParseNumberError::TooManyPlaces { .. } => ParseNumberError::NotWhole,
            other => other,
        })?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(ParseNumberError::Negative);
        }
        let count = value.to_u32().ok_or(ParseNumberError::OutOfRange)?;
        Headcount::new(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn fte_keeps_two_places() {
        assert_eq!("465".parse::<Fte>().unwrap().to_string(), "465.00");
        assert_eq!("30.5".parse::<Fte>().unwrap().to_string(), "30.50");
        assert_eq!(
            "30.555".parse::<Fte>(),
            Err(ParseNumberError::TooManyPlaces { places: 2 })
        );
        assert_eq!(
            "1000000.01".parse::<Fte>(),
            Err(ParseNumberError::OutOfRange)
        );
        assert!(Fte::from_exact(dec!(1.234)).is_err());
        let l0 = Fte::from_exact(dec!(300.00)).unwrap() + Fte::from_exact(dec!(150.00)).unwrap();
        assert_eq!(l0.to_string(), "450.00");
        let uplift = Fte::from_exact(dec!(449.5)).unwrap() - l0;
        assert_eq!(uplift.to_string(), "-0.50");
    }

    #[test]
    fn headcount_is_whole_and_non_negative() {
        assert_eq!("12".parse::<Headcount>().unwrap().get(), 12);
        assert_eq!("12.0".parse::<Headcount>().unwrap().get(), 12);
        assert_eq!("12.5".parse::<Headcount>(), Err(ParseNumberError::NotWhole));
        assert_eq!("-1".parse::<Headcount>(), Err(ParseNumberError::Negative));
        assert_eq!(
            "1000001".parse::<Headcount>(),
            Err(ParseNumberError::OutOfRange)
        );
        assert_eq!(
            Headcount::new(3)
                .unwrap()
                .difference(Headcount::new(5).unwrap()),
            -2
        );
    }
}
