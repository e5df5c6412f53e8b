//! Exact decimal parsing and half-away-from-zero rounding shared by every numeric type.

use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;

/// Why a piece of text is not the number that was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ParseNumberError {
    #[error("is not a plain number (digits, an optional leading minus and decimal point)")]
    NotANumber,
    #[error("has more than {places} decimal places")]
    TooManyPlaces { places: u32 },
    #[error("is out of any real range")]
    OutOfRange,
    #[error("is negative")]
    Negative,
    #[error("is not a whole number")]
    NotWhole,
}

/// Rounds to `places` decimal places, half away from zero (rules §1), and fixes the scale
/// so the value always prints with exactly that many places. Zero is never negative.
pub fn round_half_away(value: Decimal, places: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded = Decimal::ZERO;
    }
    rounded.rescale(places);
    rounded
}

/// Parses plain decimal text exactly: an optional `-`, digits, an optional `.` and digits.
/// Thousands separators, currency signs, exponents and `+` are refused, so `1,234.56` or
/// `£5k` can never be misread. More than `places` significant decimal places is an error,
/// never a silent rounding.
pub fn parse_exact(text: &str, places: u32) -> Result<Decimal, ParseNumberError> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || digits.ends_with('.') {
        return Err(ParseNumberError::NotANumber);
    }
    // 28 significant digits is the most a Decimal holds; anything longer is no real figure.
    if whole.trim_start_matches('0').len() > 16 {
        return Err(ParseNumberError::OutOfRange);
    }
    let value = Decimal::from_str_exact(text).map_err(|_| ParseNumberError::OutOfRange)?;
    if round_half_away(value, places) != value {
        return Err(ParseNumberError::TooManyPlaces { places });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_away(dec!(0.03125), 4), dec!(0.0313));
        assert_eq!(round_half_away(dec!(-0.03125), 4), dec!(-0.0313));
        assert_eq!(round_half_away(dec!(0.94995), 4), dec!(0.9500));
        assert_eq!(round_half_away(dec!(2.5), 0), dec!(3));
        assert_eq!(round_half_away(dec!(-0.00001), 4).to_string(), "0.0000");
        assert_eq!(round_half_away(dec!(1), 2).to_string(), "1.00");
    }

    #[test]
    fn parsing_is_exact_and_strict() {
        assert_eq!(parse_exact("12.50", 2), Ok(dec!(12.50)));
        assert_eq!(parse_exact(" 7 ", 2), Ok(dec!(7)));
        assert_eq!(parse_exact("1.250", 2), Ok(dec!(1.25)));
        assert_eq!(
            parse_exact("1.255", 2),
            Err(ParseNumberError::TooManyPlaces { places: 2 })
        );
        for bad in [
            "", "-", ".5", "5.", "1,000", "£1", "5k", "1e5", "+1", "1 000", "--1", "0x10",
        ] {
            assert_eq!(
                parse_exact(bad, 2),
                Err(ParseNumberError::NotANumber),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_exact("99999999999999999999999", 2),
            Err(ParseNumberError::OutOfRange)
        );
    }
}
