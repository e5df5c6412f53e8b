//! Amounts in pounds (`Money`), always held to exactly two decimal places.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use super::number::{ParseNumberError, parse_exact, round_half_away};
use super::ratio::PayFraction;
use crate::text::thousands;

/// The largest amount any return may hold (rules §9, C11): one trillion pounds.
pub const MONEY_LIMIT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 1e12

/// An amount of money in pounds with exactly two decimal places.
///
/// Every constructor either checks or rounds explicitly (half away from zero), so a
/// `Money` never carries a fraction of a penny.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::from_parts(0, 0, 0, false, 2));

    /// Rounds any decimal to the penny, half away from zero (rules §1).
    pub fn round(value: Decimal) -> Money {
        Money(round_half_away(value, 2))
    }

    /// Takes a decimal that must already be a whole number of pence.
    pub fn from_exact(value: Decimal) -> Result<Money, ParseNumberError> {
        let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        if rounded != value {
            return Err(ParseNumberError::TooManyPlaces { places: 2 });
        }
        Ok(Money::round(value))
    }

    /// Whole pounds.
    pub fn pounds(pounds: i64) -> Money {
        Money::round(Decimal::from(pounds))
    }

    /// A whole number of pence.
    pub fn pence(pence: i64) -> Money {
        Money::round(Decimal::new(pence, 2))
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// The amount as a whole number of pence (every `Money` is one).
    pub fn to_pence(self) -> i128 {
        self.0.mantissa()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn min(self, other: Money) -> Money {
        if other < self { other } else { self }
    }

    pub fn max(self, other: Money) -> Money {
        if other > self { other } else { self }
    }

    /// `round2(self × fraction)`: the entitlement of rules §7.
    pub fn times_fraction(self, fraction: PayFraction) -> Money {
        Money::round(self.0 * fraction.as_decimal())
    }

    /// Within the ±£1,000,000,000,000 range that any real return can hold (C11).
    pub fn within_real_range(value: Decimal) -> bool {
        value.abs() <= MONEY_LIMIT
    }

    /// The amount as a person reads it: `£1,803,234.00`, `-£50,000.00`.
    pub fn to_gbp(self) -> String {
        let plain = self.to_string();
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, pence) = digits.split_once('.').unwrap_or((digits, "00"));
        format!("{sign}£{}.{pence}", thousands(whole))
    }
}

impl fmt::Display for Money {
    /// Plain machine form: `1803234.00`, `-50000.00`; never `-0.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut value = self.0;
        if value.is_zero() {
            value = Decimal::ZERO;
        }
        value.rescale(2);
        write!(f, "{value}")
    }
}

impl FromStr for Money {
    type Err = ParseNumberError;

    /// Exact parsing from text such as `1803234.00`: no rounding, no thousands separators.
    fn from_str(text: &str) -> Result<Money, ParseNumberError> {
        let value = parse_exact(text, 2)?;
        if !Money::within_real_range(value) {
            return Err(ParseNumberError::OutOfRange);
        }
        Ok(Money::round(value))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money::round(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money::round(self.0 - rhs.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money::round(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero_to_the_penny() {
        // rules §8 W4: round2(300,000.015) = 300,000.02
        assert_eq!(Money::round(dec!(300000.015)).to_string(), "300000.02");
        assert_eq!(Money::round(dec!(-300000.015)).to_string(), "-300000.02");
        assert_eq!(Money::round(dec!(0.025)).to_string(), "0.03");
        assert_eq!(Money::round(dec!(0.0249999)).to_string(), "0.02");
        // banker's rounding would give 0.02 here
        assert_eq!(Money::round(dec!(0.025)).as_decimal(), dec!(0.03));
    }

    #[test]
    fn entitlement_rounding_of_worked_example_w4() {
        let b: Money = "333333.35".parse().unwrap();
        let e = b.times_fraction(PayFraction::new(dec!(0.90)).unwrap());
        assert_eq!(e.to_string(), "300000.02");
        let b: Money = "0.05".parse().unwrap();
        let e = b.times_fraction(PayFraction::new(dec!(0.50)).unwrap());
        assert_eq!(e.to_string(), "0.03");
    }

    #[test]
    fn parses_exactly_and_refuses_what_is_not_an_amount() {
        assert_eq!(
            "1803234.00".parse::<Money>().unwrap().to_string(),
            "1803234.00"
        );
        assert_eq!(
            "1803234".parse::<Money>().unwrap().to_string(),
            "1803234.00"
        );
        assert_eq!("-5.1".parse::<Money>().unwrap().to_string(), "-5.10");
        assert_eq!(
            "1.005".parse::<Money>(),
            Err(ParseNumberError::TooManyPlaces { places: 2 })
        );
        for bad in [
            "1,234.56", "£5k", "twelve", "", " ", "1e3", "1.2.3", "+-1", "NaN",
        ] {
            assert!(bad.parse::<Money>().is_err(), "{bad:?} should not parse");
        }
        assert_eq!(
            "1000000000000.01".parse::<Money>(),
            Err(ParseNumberError::OutOfRange)
        );
        assert!("1000000000000.00".parse::<Money>().is_ok());
    }

    #[test]
    fn never_prints_negative_zero() {
        let zero = Money::pence(5) - Money::pence(5);
        assert_eq!(zero.to_string(), "0.00");
        assert_eq!((-Money::ZERO).to_string(), "0.00");
        assert_eq!(Money::round(dec!(-0.001)).to_string(), "0.00");
        assert_eq!(Money::round(dec!(-0.001)).to_gbp(), "£0.00");
        assert!(!Money::round(dec!(-0.001)).is_negative());
    }

    #[test]
    fn keeps_two_places_through_arithmetic() {
        let a: Money = "0.10".parse().unwrap();
        let b: Money = "0.20".parse().unwrap();
        assert_eq!((a + b).to_string(), "0.30");
        assert_eq!((a - b).to_string(), "-0.10");
        let total: Money = [a, b, Money::pounds(3)].iter().sum();
        assert_eq!(total.to_string(), "3.30");
        assert_eq!(Money::pence(123456).to_pence(), 123456);
        assert_eq!(a.min(b), a);
        assert_eq!(a.max(b), b);
    }

    #[test]
    fn formats_pounds_for_people() {
        assert_eq!(Money::pounds(1_803_234).to_gbp(), "£1,803,234.00");
        assert_eq!(Money::pence(-5_000_000).to_gbp(), "-£50,000.00");
        assert_eq!(Money::pence(99).to_gbp(), "£0.99");
        assert_eq!(Money::pounds(100).to_gbp(), "£100.00");
        assert_eq!(Money::pounds(200_000_000).to_gbp(), "£200,000,000.00");
    }

    #[test]
    fn exact_construction_refuses_fractions_of_a_penny() {
        assert!(Money::from_exact(dec!(1.25)).is_ok());
        assert!(Money::from_exact(dec!(1.250)).is_ok());
        assert!(Money::from_exact(dec!(1.255)).is_err());
    }

    #[test]
    fn limit_is_one_trillion() {
        assert_eq!(MONEY_LIMIT, dec!(1000000000000));
    }
}
