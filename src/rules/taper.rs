//! The taper: the fraction of profiled actuals paid for a given progress (rules §5).

use std::fmt;

use rust_decimal::Decimal;
use thiserror::Error;

use crate::domain::number::round_half_away;
use crate::domain::{Fte, PayFraction, Progress, Ratio};

/// One band of the taper: progress at or above `min_progress` earns `pay` (unless an
/// earlier, higher band already matched).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaperBand {
    pub min_progress: Ratio,
    pub pay: PayFraction,
}

/// The taper: bands (rules §5), or proportional to progress above a floor. Bands are in
/// strictly decreasing `min_progress`; the order is checked when the taper is made, so "the
/// first band that matches" is always the highest one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taper {
    bands: Vec<TaperBand>,
    /// `Some(floor)` for the proportional taper (`taper_kind = "proportional"`): nothing
    /// below the floor, else the progress itself to 2 places, at most 1.00. The bands are
    /// then empty.
    floor: Option<Ratio>,
}

/// The two kinds of taper `cycle.toml` (and a what-if's rules file) can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaperKind {
    /// `taper_kind = "bands"`, the default: the `[[taper]]` bands.
    Bands,
    /// `taper_kind = "proportional"` with `taper_floor`: the Local Public Service Agreement
    /// reward-grant precedent, paid in proportion to progress above a floor.
    Proportional,
}

impl TaperKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaperKind::Bands => "bands",
            TaperKind::Proportional => "proportional",
        }
    }
}

/// Why a list of bands is not a taper. Band numbers count from 1, as a person reads them
/// in `cycle.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TaperError {
    #[error("the taper has no band; give at least one band (a min_progress and a pay fraction)")]
    Empty,
    #[error(
        "taper band {band}: min_progress {min_progress} is not below band {}'s {previous}; \
         list the bands in strictly decreasing min_progress",
        .band - 1
    )]
    NotDecreasing {
        /// The offending band, counted from 1.
        band: usize,
        min_progress: Ratio,
        /// The `min_progress` of the band just before it.
        previous: Ratio,
    },
    #[error(
        "taper_floor {floor} is outside 0 to 1; give the progress below which nothing is paid, for example \"0.60\""
    )]
    FloorOutside { floor: Ratio },
}

/// Red, amber or green, derived from the fraction paid (rules §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    /// Green where everything is paid, red where nothing is, amber between.
    pub fn of(fraction: PayFraction) -> Rag {
        if fraction == PayFraction::ONE {
            Rag::Green
        } else if fraction == PayFraction::ZERO {
            Rag::Red
        } else {
            Rag::Amber
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Taper {
    /// A taper from bands listed highest first. At least one band is needed, and each
    /// band's `min_progress` must be below the one before it, otherwise two bands would
    /// compete for the same progress.
    pub fn new(bands: Vec<TaperBand>) -> Result<Taper, TaperError> {
        if bands.is_empty() {
            return Err(TaperError::Empty);
        }
        for (index, pair) in bands.windows(2).enumerate() {
            if pair[1].min_progress >= pair[0].min_progress {
                return Err(TaperError::NotDecreasing {
                    band: index + 2,
                    min_progress: pair[1].min_progress,
                    previous: pair[0].min_progress,
                });
            }
        }
        Ok(Taper { bands, floor: None })
    }

    /// The proportional taper with its floor (any ratio from 0 to 1).
    pub fn proportional(floor: Ratio) -> Result<Taper, TaperError> {
        if floor.as_decimal() < Decimal::ZERO || floor.as_decimal() > Decimal::ONE {
            return Err(TaperError::FloorOutside { floor });
        }
        Ok(Taper {
            bands: Vec::new(),
            floor: Some(floor),
        })
    }

    /// The defaults of rules §5, shipped with the fixture year.
    pub fn default_npg() -> Taper {
        // Built directly: the default bands are constants, checked by a test to be in
        // strictly decreasing order.
        Taper {
            bands: default_bands(),
            floor: None,
        }
    }

    pub fn kind(&self) -> TaperKind {
        match self.floor {
            Some(_) => TaperKind::Proportional,
            None => TaperKind::Bands,
        }
    }

    /// The proportional taper's floor; `None` for bands.
    pub fn floor(&self) -> Option<Ratio> {
        self.floor
    }

    /// The bands; empty for the proportional taper.
    pub fn bands(&self) -> &[TaperBand] {
        &self.bands
    }

    /// Bands: the `pay` of the first band whose `min_progress` the progress reaches, nothing
    /// below every band. Proportional: 0 below the floor (or below 0), else the progress
    /// rounded half away from zero to 2 places, at most 1.00. `progress` is already rounded
    /// to 4 places (a `Ratio` always is), so the comparison sees the rounded value, as rules
    /// §1 requires.
    pub fn fraction_for(&self, progress: Progress) -> PayFraction {
        if let Some(floor) = self.floor {
            let p = progress.as_decimal();
            if progress < floor || p < Decimal::ZERO {
                return PayFraction::ZERO;
            }
            let paid = round_half_away(p, 2).min(Decimal::ONE);
            // Between 0 and 1 with 2 places by construction.
            return PayFraction::new(paid).unwrap_or(PayFraction::ZERO);
        }
        self.bands
            .iter()
            .find(|band| progress >= band.min_progress)
            .map_or(PayFraction::ZERO, |band| band.pay)
    }

    /// The RAG rating of the fraction this progress earns.
    pub fn rag(&self, progress: Progress) -> Rag {
        Rag::of(self.fraction_for(progress))
    }
}

/// The default bands of rules §5: the Police Uplift precedent (100% at full delivery,
/// 10% withheld from 95%, nothing at 75% or less) with this project's two middle bands.
pub fn default_bands() -> Vec<TaperBand> {
    [(10_000, 100), (9_500, 90), (8_500, 70), (7_501, 50)]
        .into_iter()
        .map(|(progress, pay)| TaperBand {
            min_progress: Ratio::round(Decimal::new(progress, 4)),
            pay: PayFraction::new(Decimal::new(pay, 2))
                .expect("every default pay fraction lies between 0 and 1 with 2 places"),
        })
        .collect()
}

/// Progress against planned uplift (rules §5): `round4(Ua / Up)` when `Up > 0`, and
/// `1.0000` when `Up ≤ 0`, since no growth was due yet. Not clamped: it can be negative
/// or above 1.
pub fn progress(actual_uplift: Fte, planned_uplift: Fte) -> Progress {
    let ua = actual_uplift.as_decimal();
    let up = planned_uplift.as_decimal();
    if up <= Decimal::ZERO {
        return Ratio::ONE;
    }
    // Division fails only when the quotient exceeds what a Decimal holds, which no real
    // workforce (at most 1,000,000 FTE, C11) can reach; saturate with the right sign so
    // the taper still reads it as far above or far below every band.
    Ratio::of(ua, up).unwrap_or_else(|| {
        let far = Decimal::from(1_000_000_000_i64);
        Ratio::round(if ua.is_sign_negative() { -far } else { far })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ratio(text: &str) -> Ratio {
        text.parse().unwrap()
    }

    fn fte(text: &str) -> Fte {
        text.parse().unwrap()
    }

    fn pay(text: &str) -> PayFraction {
        text.parse().unwrap()
    }

    fn band(min_progress: &str, fraction: &str) -> TaperBand {
        TaperBand {
            min_progress: ratio(min_progress),
            pay: pay(fraction),
        }
    }

    fn fraction(progress: Ratio) -> String {
        Taper::default_npg().fraction_for(progress).to_string()
    }

    /// Issue 16's worked examples of the proportional taper with floor 0.60.
    #[test]
    fn the_proportional_taper_pays_progress_to_2_places_above_its_floor() {
        let taper = Taper::proportional(ratio("0.60")).unwrap();
        assert_eq!(taper.kind(), TaperKind::Proportional);
        assert!(taper.bands().is_empty());
        let cases = [
            ("0.5950", "0.00"),
            ("0.5999", "0.00"),
            ("0.6000", "0.60"),
            ("0.6049", "0.60"),
            ("0.6050", "0.61"),
            ("0.8333", "0.83"),
            ("0.9949", "0.99"),
            ("0.9950", "1.00"),
            ("1.0000", "1.00"),
            ("1.0167", "1.00"),
            ("-0.0800", "0.00"),
            ("-1.5000", "0.00"),
        ];
        for (progress, paid) in cases {
            assert_eq!(
                taper.fraction_for(ratio(progress)).to_string(),
                paid,
                "P {progress}"
            );
        }
        // A floor of 0 still pays nothing on negative progress.
        let zero = Taper::proportional(ratio("0")).unwrap();
        assert_eq!(zero.fraction_for(ratio("-0.0100")).to_string(), "0.00");
        assert_eq!(zero.fraction_for(ratio("0.0040")).to_string(), "0.00");
        assert_eq!(zero.fraction_for(ratio("0.0050")).to_string(), "0.01");
        assert!(matches!(
            Taper::proportional(ratio("1.0001")),
            Err(TaperError::FloorOutside { .. })
        ));
        assert!(Taper::proportional(ratio("-0.0001")).is_err());
        assert_eq!(Taper::default_npg().kind(), TaperKind::Bands);
    }

    #[test]
    fn default_bands_are_the_rules_defaults_and_a_valid_taper() {
        let taper = Taper::default_npg();
        let shown: Vec<(String, String)> = taper
            .bands()
            .iter()
            .map(|b| (b.min_progress.to_string(), b.pay.to_string()))
            .collect();
        let expected = [
            ("1.0000", "1.00"),
            ("0.9500", "0.90"),
            ("0.8500", "0.70"),
            ("0.7501", "0.50"),
        ]
        .map(|(p, f)| (p.to_owned(), f.to_owned()));
        assert_eq!(shown, expected);
        assert_eq!(Taper::new(default_bands()), Ok(taper));
    }

    #[test]
    fn worked_example_w5_boundaries() {
        // P = 0.9500 → 0.90
        assert_eq!(fraction(ratio("0.9500")), "0.90");
        // P = 0.94995 before rounding → 0.9500 → 0.90
        assert_eq!(dec!(189.99) / dec!(200.00), dec!(0.94995));
        let p = progress(fte("189.99"), fte("200.00"));
        assert_eq!(p.to_string(), "0.9500");
        assert_eq!(fraction(p), "0.90");
        assert_eq!(fraction(Ratio::round(dec!(0.94995))), "0.90");
        // P = 0.7501 → 0.50; P = 0.7500 → 0
        assert_eq!(fraction(ratio("0.7501")), "0.50");
        assert_eq!(fraction(ratio("0.7500")), "0.00");
        // Up = 0 → P = 1.0000
        let p = progress(fte("-3.00"), Fte::ZERO);
        assert_eq!(p, Ratio::ONE);
        assert_eq!(p.to_string(), "1.0000");
        assert_eq!(fraction(p), "1.00");
    }

    #[test]
    fn worked_example_w1_progress_and_fraction() {
        // Q1: Ua = 464 − 450 = 14, Up = 465 − 450 = 15
        let l0 = fte("450.00");
        let p = progress(fte("464.00") - l0, fte("465.00") - l0);
        assert_eq!(p.to_string(), "0.9333");
        assert_eq!(fraction(p), "0.70");
        // Q2: Ua = 480.50 − 450 = 30.50, Up = 480 − 450 = 30
        let p = progress(fte("480.50") - l0, fte("480.00") - l0);
        assert_eq!(p.to_string(), "1.0167");
        assert_eq!(fraction(p), "1.00");
    }

    #[test]
    fn worked_examples_w2_w3_and_bedfordshire() {
        // W2 Q1: 12/12 = 1.0000 → 1; Q2: 17/24 = 0.7083 → 0
        let l0 = fte("200.00");
        let p = progress(fte("212.00") - l0, fte("212.00") - l0);
        assert_eq!(
            (p.to_string(), fraction(p)),
            ("1.0000".into(), "1.00".into())
        );
        let p = progress(fte("217.00") - l0, fte("224.00") - l0);
        assert_eq!(
            (p.to_string(), fraction(p)),
            ("0.7083".into(), "0.00".into())
        );
        // W3: 17/20 = 0.8500 → 0.70
        let l0 = fte("100.00");
        let p = progress(fte("117.00") - l0, fte("120.00") - l0);
        assert_eq!(
            (p.to_string(), fraction(p)),
            ("0.8500".into(), "0.70".into())
        );
        // Bedfordshire: 13/19 = 0.6842 → 0
        let p = progress(fte("13.00"), fte("19.00"));
        assert_eq!(
            (p.to_string(), fraction(p)),
            ("0.6842".into(), "0.00".into())
        );
    }

    #[test]
    fn progress_is_not_clamped() {
        // Fewer officers than the baseline: negative progress, nothing paid.
        let p = progress(fte("-5.00"), fte("10.00"));
        assert_eq!(p.to_string(), "-0.5000");
        assert_eq!(fraction(p), "0.00");
        assert_eq!(Taper::default_npg().rag(p), Rag::Red);
        // Planned uplift negative (a planned fall): no growth was due, so 1.0000.
        assert_eq!(progress(fte("-8.00"), fte("-2.00")), Ratio::ONE);
        assert_eq!(progress(fte("4.00"), fte("-0.01")), Ratio::ONE);
        // Far above plan stays above 1.
        assert_eq!(progress(fte("45.00"), fte("15.00")).to_string(), "3.0000");
        // W4: 1/32 = 0.03125 → 0.0313
        assert_eq!(progress(fte("1.00"), fte("32.00")).to_string(), "0.0313");
    }

    #[test]
    fn progress_saturates_rather_than_failing_on_absurd_figures() {
        let huge = Fte::from_exact(dec!(70000000000000000000000000000)).unwrap();
        let tiny = fte("0.01");
        assert_eq!(fraction(progress(huge, tiny)), "1.00");
        let minus_huge = Fte::from_exact(dec!(-70000000000000000000000000000)).unwrap();
        assert_eq!(fraction(progress(minus_huge, tiny)), "0.00");
    }

    #[test]
    fn each_band_has_its_fraction_and_rag() {
        let taper = Taper::default_npg();
        let cases = [
            ("1.5000", "1.00", Rag::Green),
            ("1.0000", "1.00", Rag::Green),
            ("0.9999", "0.90", Rag::Amber),
            ("0.9500", "0.90", Rag::Amber),
            ("0.9499", "0.70", Rag::Amber),
            ("0.8500", "0.70", Rag::Amber),
            ("0.8499", "0.50", Rag::Amber),
            ("0.7501", "0.50", Rag::Amber),
            ("0.7500", "0.00", Rag::Red),
            ("0.0000", "0.00", Rag::Red),
            ("-1.0000", "0.00", Rag::Red),
        ];
        for (p, expected_fraction, expected_rag) in cases {
            assert_eq!(
                taper.fraction_for(ratio(p)).to_string(),
                expected_fraction,
                "{p}"
            );
            assert_eq!(taper.rag(ratio(p)), expected_rag, "{p}");
        }
        assert_eq!(Rag::Green.to_string(), "green");
        assert_eq!(Rag::Amber.to_string(), "amber");
        assert_eq!(Rag::Red.to_string(), "red");
    }

    #[test]
    fn rag_follows_the_fraction_not_the_band() {
        // A band that pays nothing is red even above another band; one paying in full is
        // green even below 1.0000.
        let taper = Taper::new(vec![band("0.9000", "1.00"), band("0.5000", "0")]).unwrap();
        assert_eq!(taper.rag(ratio("0.9000")), Rag::Green);
        assert_eq!(taper.rag(ratio("0.6000")), Rag::Red);
        assert_eq!(taper.fraction_for(ratio("0.6000")), PayFraction::ZERO);
        assert_eq!(Rag::of(pay("0.01")), Rag::Amber);
        assert_eq!(Rag::of(pay("0.99")), Rag::Amber);
    }

    #[test]
    fn a_single_band_taper_pays_nothing_below_it() {
        let taper = Taper::new(vec![band("0.5000", "0.80")]).unwrap();
        assert_eq!(taper.fraction_for(ratio("0.5000")).to_string(), "0.80");
        assert_eq!(taper.fraction_for(ratio("0.4999")), PayFraction::ZERO);
        assert_eq!(taper.bands().len(), 1);
    }

    #[test]
    fn bands_must_exist_and_strictly_decrease() {
        assert_eq!(Taper::new(vec![]), Err(TaperError::Empty));
        assert_eq!(
            TaperError::Empty.to_string(),
            "the taper has no band; give at least one band (a min_progress and a pay fraction)"
        );

        let equal = Taper::new(vec![
            band("1.0000", "1.00"),
            band("0.9500", "0.90"),
            band("0.9500", "0.70"),
        ])
        .unwrap_err();
        assert_eq!(
            equal,
            TaperError::NotDecreasing {
                band: 3,
                min_progress: ratio("0.9500"),
                previous: ratio("0.9500"),
            }
        );
        assert_eq!(
            equal.to_string(),
            "taper band 3: min_progress 0.9500 is not below band 2's 0.9500; \
             list the bands in strictly decreasing min_progress"
        );

        let increasing =
            Taper::new(vec![band("0.7501", "0.50"), band("1.0000", "1.00")]).unwrap_err();
        assert_eq!(
            increasing.to_string(),
            "taper band 2: min_progress 1.0000 is not below band 1's 0.7501; \
             list the bands in strictly decreasing min_progress"
        );
    }
}
