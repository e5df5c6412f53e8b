//! Ratios held to four places (progress, variance, response rate) and the taper's pay fraction.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::number::{ParseNumberError, parse_exact, round_half_away};

/// A ratio rounded to 4 decimal places, half away from zero (rules §1). Rounding happens
/// when the ratio is made, so every comparison with a threshold sees the rounded value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ratio(Decimal);

/// Progress against planned uplift, `round4(Ua / Up)` (rules §5). Not clamped.
pub type Progress = Ratio;

impl Ratio {
    pub const ONE: Ratio = Ratio(Decimal::from_parts(10_000, 0, 0, false, 4));

    /// Rounds any decimal to 4 places.
    pub fn round(value: Decimal) -> Ratio {
        Ratio(round_half_away(value, 4))
    }

    /// `round4(numerator / denominator)`, or `None` when the denominator is zero.
    pub fn of(numerator: Decimal, denominator: Decimal) -> Option<Ratio> {
        if denominator.is_zero() {
            return None;
        }
        numerator.checked_div(denominator).map(Ratio::round)
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Ratio {
    /// Plain machine form with 4 places: `0.9167`, `1.0000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Ratio {
    type Err = ParseNumberError;

    /// Exact text with at most 4 decimal places (as in `cycle.toml`'s `min_progress`).
    fn from_str(text: &str) -> Result<Ratio, ParseNumberError> {
        parse_exact(text, 4).map(Ratio::round)
    }
}

/// The fraction of profiled actuals that the taper pays, between 0 and 1, two places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PayFraction(Decimal);

impl PayFraction {
    pub const ZERO: PayFraction = PayFraction(Decimal::from_parts(0, 0, 0, false, 2));
    pub const ONE: PayFraction = PayFraction(Decimal::from_parts(100, 0, 0, false, 2));

    /// A fraction with at most 2 places, from 0 to 1 inclusive.
    pub fn new(value: Decimal) -> Result<PayFraction, PayFractionError> {
        if value < Decimal::ZERO || value > Decimal::ONE {
            return Err(PayFractionError::OutsideZeroToOne);
        }
        if round_half_away(value, 2) != value {
            return Err(PayFractionError::TooManyPlaces);
        }
        Ok(PayFraction(round_half_away(value, 2)))
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }
}

/// Why a pay fraction is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayFractionError {
    #[error("is outside 0 to 1")]
    OutsideZeroToOne,
    #[error("has more than 2 decimal places")]
    TooManyPlaces,
    #[error("is not a plain number")]
    NotANumber,
}

impl FromStr for PayFraction {
    type Err = PayFractionError;

    fn from_str(text: &str) -> Result<PayFraction, PayFractionError> {
        let value = parse_exact(text, 2).map_err(|e| match e {
            ParseNumberError::TooManyPlaces { .. } => PayFractionError::TooManyPlaces,
            _ => PayFractionError::NotANumber,
        })?;
        PayFraction::new(value)
    }
}

impl fmt::Display for PayFraction {
    /// Plain machine form with 2 places: `0.70`, `1.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn ratios_round_to_four_places_half_away_from_zero() {
        // rules §8 W4: P = 1/32 = 0.03125 → 0.0313
        assert_eq!(Ratio::of(dec!(1), dec!(32)).unwrap().to_string(), "0.0313");
        // W1: 14/15 → 0.9333; 30.50/30 → 1.0167
        assert_eq!(Ratio::of(dec!(14), dec!(15)).unwrap().to_string(), "0.9333");
        assert_eq!(
            Ratio::of(dec!(30.50), dec!(30)).unwrap().to_string(),
            "1.0167"
        );
        // W2: 17/24 → 0.7083; bedfordshire 13/19 → 0.6842
        assert_eq!(Ratio::of(dec!(17), dec!(24)).unwrap().to_string(), "0.7083");
        assert_eq!(Ratio::of(dec!(13), dec!(19)).unwrap().to_string(), "0.6842");
        // W5: 0.94995 before rounding is 0.9500
        assert_eq!(Ratio::round(dec!(0.94995)), "0.9500".parse().unwrap());
        assert_eq!(Ratio::of(dec!(-3), dec!(2)).unwrap().to_string(), "-1.5000");
        assert_eq!(Ratio::of(dec!(1), dec!(0)), None);
        assert_eq!(Ratio::ONE.to_string(), "1.0000");
    }

    #[test]
    fn ratio_text_allows_four_places_only() {
        assert_eq!("0.7501".parse::<Ratio>().unwrap().to_string(), "0.7501");
        assert_eq!("1".parse::<Ratio>().unwrap(), Ratio::ONE);
        assert!("0.75015".parse::<Ratio>().is_err());
    }

    #[test]
    fn pay_fractions_are_between_zero_and_one_with_two_places() {
        assert_eq!("0.90".parse::<PayFraction>().unwrap().to_string(), "0.90");
        assert_eq!("1".parse::<PayFraction>().unwrap(), PayFraction::ONE);
        assert_eq!("0".parse::<PayFraction>().unwrap(), PayFraction::ZERO);
        assert_eq!(PayFraction::ZERO.to_string(), "0.00");
        assert_eq!(
            "1.01".parse::<PayFraction>(),
            Err(PayFractionError::OutsideZeroToOne)
        );
        assert_eq!(
            "-0.10".parse::<PayFraction>(),
            Err(PayFractionError::OutsideZeroToOne)
        );
        assert_eq!(
            "0.905".parse::<PayFraction>(),
            Err(PayFractionError::TooManyPlaces)
        );
        assert_eq!(
            "most".parse::<PayFraction>(),
            Err(PayFractionError::NotANumber)
        );
    }
}
