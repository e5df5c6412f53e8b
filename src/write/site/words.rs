//! Figures in the words of GOV.UK's style: dates as "31 March 2026", money as "£1.2 million"
//! in prose and to the penny in tables, FTE to two places, progress as a percentage.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::domain::{Fte, Money, Month, Ratio};
use crate::text::thousands;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(number: u32) -> &'static str {
    let index = usize::try_from(number.saturating_sub(1)).unwrap_or(0);
    MONTHS.get(index).copied().unwrap_or("")
}

/// "31 March 2026".
pub fn long_date(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month()),
        date.year()
    )
}

/// "April 2025".
pub fn month_words(month: Month) -> String {
    format!("{} {}", month_name(month.month()), month.year())
}

/// "Apr", for a chart's axis.
pub fn month_short(month: Month) -> String {
    month_name(month.month()).chars().take(3).collect()
}

/// A chart's month label: "Apr", with the year on a second line at April and January
/// (the chart draws a line after `\n` beneath the first).
pub fn month_axis_label(month: Month) -> String {
    if matches!(month.month(), 1 | 4) {
        format!("{}\n{}", month_short(month), month.year())
    } else {
        month_short(month)
    }
}

/// A decimal to `places`, half away from zero, with thousands separators: `-1,234.50`.
pub fn number(value: Decimal, places: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded = Decimal::ZERO;
    }
    rounded.rescale(places);
    let plain = rounded.to_string();
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    match digits.split_once('.') {
        Some((whole, part)) => format!("{sign}{}.{part}", thousands(whole)),
        None => format!("{sign}{}", thousands(digits)),
    }
}

/// To the penny, for a table: `£1,374,722.88`, `-£723,863.59`.
pub fn pounds(money: Money) -> String {
    money.to_gbp()
}

/// In prose: `£200 million`, `£1.2 million`, `£826,875` below a million, `-£0.9 million`.
pub fn pounds_prose(money: Money) -> String {
    let value = money.as_decimal();
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    let abs = value.abs();
    let million = Decimal::from(1_000_000);
    if abs >= million {
        let m = (abs / million).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
        let text = number(m, 1);
        let text = text.strip_suffix(".0").unwrap_or(&text).to_owned();
        format!("{sign}£{text} million")
    } else {
        format!("{sign}£{}", number(abs, 0))
    }
}

/// FTE to two places: `2,972.00`.
pub fn fte(value: Fte) -> String {
    number(value.as_decimal(), 2)
}

/// FTE in prose, to one place: `2,972.0 FTE` → "2,972 FTE" when whole.
pub fn fte_prose(value: Fte) -> String {
    let text = number(value.as_decimal(), 1);
    let text = text.strip_suffix(".0").unwrap_or(&text).to_owned();
    format!("{text} FTE")
}

/// A count with its sign: `+12`, `-3`, `0`.
pub fn signed_count(n: i64) -> String {
    let text = thousands(n);
    if n > 0 { format!("+{text}") } else { text }
}

/// A ratio as a percentage to two places: `1.0315` → `103.15%`.
pub fn percent(ratio: Ratio) -> String {
    format!("{}%", number(ratio.as_decimal() * Decimal::from(100), 2))
}

/// A percentage figure given on a 0–100 scale, to at least one place so a column reads
/// alike: `12.5` → `12.5%`, `11` → `11.0%`, `12.25` → `12.25%` (never rounded).
pub fn percent_reported(value: Decimal) -> String {
    let places = value.normalize().scale().max(1);
    format!("{}%", number(value, places))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn money(text: &str) -> Money {
        Money::from_str(text).unwrap()
    }

    #[test]
    fn dates_months_and_money_read_as_gov_uk_writes_them() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(long_date(date), "31 March 2026");
        assert_eq!(month_words(Month::new(2025, 4).unwrap()), "April 2025");
        assert_eq!(month_short(Month::new(2025, 9).unwrap()), "Sep");
        assert_eq!(pounds_prose(money("200000000.00")), "£200 million");
        assert_eq!(pounds_prose(money("1234567.00")), "£1.2 million");
        assert_eq!(pounds_prose(money("195307383.79")), "£195.3 million");
        assert_eq!(pounds_prose(money("1250000.00")), "£1.3 million");
        assert_eq!(pounds_prose(money("-904018.79")), "-£904,019");
        assert_eq!(pounds_prose(money("0.00")), "£0");
        assert_eq!(pounds(money("-723863.59")), "-£723,863.59");
        assert_eq!(
            number(Decimal::from_str("-1234.5").unwrap(), 2),
            "-1,234.50"
        );
        assert_eq!(number(Decimal::from_str("-0.001").unwrap(), 2), "0.00");
        assert_eq!(
            percent(Ratio::round(Decimal::from_str("1.0315").unwrap())),
            "103.15%"
        );
        assert_eq!(
            fte_prose(Fte::from_exact(Decimal::from(2972)).unwrap()),
            "2,972 FTE"
        );
        assert_eq!(
            percent_reported(Decimal::from_str("12.50").unwrap()),
            "12.5%"
        );
    }
}
