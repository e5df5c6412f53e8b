//! A chart's value axis: from zero or below to a round number, in 4 to 6 steps of 1, 2, 2.5
//! or 5 × 10^n (whole steps for whole figures), computed in decimals.

use rust_decimal::prelude::*;

use super::d;

/// A value axis: from `min` to `max` in steps of `step`, each a multiple of `step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Axis {
    pub min: Decimal,
    pub max: Decimal,
    pub step: Decimal,
}

impl Axis {
    /// The tick values from `min` to `max`, both included.
    pub fn ticks(&self) -> Vec<Decimal> {
        let mut ticks = Vec::new();
        let mut t = self.min;
        while t <= self.max {
            ticks.push(t);
            t += self.step;
        }
        ticks
    }

    pub(super) fn intervals(&self) -> Decimal {
        (self.max - self.min) / self.step
    }
}

/// The axis for values from `lo` to `hi`: it always holds 0 (a bar or an uplift is read
/// from zero), runs to multiples of a step of 1, 2, 2.5 or 5 × 10^n, and has 4 to 6
/// intervals where any step allows; among those, the widest step (so 0.8 runs to 1 in
/// quarters rather than stopping at 0.8).
pub fn nice_axis(lo: Decimal, hi: Decimal) -> Axis {
    axis_of_steps(lo, hi, false)
}

/// As `nice_axis`, for figures that are all whole numbers (a headcount): every step is a
/// whole number, so no tick falls between two (no "0.25 specials"); a range under 4 is
/// ticked in ones.
pub fn nice_whole_axis(lo: Decimal, hi: Decimal) -> Axis {
    axis_of_steps(lo.floor(), hi.ceil(), true)
}

fn axis_of_steps(lo: Decimal, hi: Decimal, whole: bool) -> Axis {
    let lo = lo.min(Decimal::ZERO);
    let mut hi = hi.max(Decimal::ZERO);
    if hi == lo {
        hi = lo + Decimal::ONE;
    }
    let range = hi - lo;
    if whole && range < d(4) {
        return Axis {
            min: lo,
            max: hi,
            step: Decimal::ONE,
        };
    }
    // The power of ten at or below the range, so the candidate steps 0.1 to 5 times it
    // give between 0.2 and 100 intervals.
    let mut power = Decimal::ONE;
    while power > range {
        power /= d(10);
    }
    while power * d(10) <= range {
        power *= d(10);
    }
    let mut best = (
        i64::MAX,
        Axis {
            min: lo,
            max: hi,
            step: range,
        },
    );
    for scale in [power / d(10), power] {
        for mult in [d(1), d(2), Decimal::new(25, 1), d(5)] {
            let step = scale * mult;
            if whole && !step.fract().is_zero() {
                continue;
            }
            let axis = Axis {
                min: (lo / step).floor() * step,
                max: (hi / step).ceil() * step,
                step,
            };
            let n = axis.intervals().to_i64().unwrap_or(i64::MAX);
            // How far from 4 to 6 intervals; a wider step wins a tie (later in the loop).
            let miss = if n < 4 { 4 - n } else { (n - 6).max(0) };
            if miss <= best.0 {
                best = (miss, axis);
            }
        }
    }
    best.1
}
