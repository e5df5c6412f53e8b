//! The quarterly payment of one force (rules §7): paid in arrears on eligible actual spend,
//! capped at the spend profile, tapered by progress, net of what was paid before.

use std::fmt;

use rust_decimal::Decimal;

use crate::domain::{Fte, Money, PayFraction, Progress, Quarter};

use super::taper::{Taper, progress};

/// What the delivery plan that counts says, as far as the payment needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanFigures {
    /// `CP`: planned spend summed over months 1..3q.
    pub profiled_spend_to_date: Money,
    /// `L0`: baseline neighbourhood FTE.
    pub baseline: Fte,
    /// `Lp(3q)`: planned neighbourhood FTE at the quarter-end month.
    pub planned_level: Fte,
}

/// Everything the payment of one force for one quarter depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentInputs {
    pub quarter: Quarter,
    /// `A`.
    pub allocation: Money,
    /// `S_k` for k = 1..q: eligible spend of the financial return that counts (0 when none).
    pub spend: Vec<Money>,
    /// `None` when no plan counts (HOLD-NO-PLAN).
    pub plan: Option<PlanFigures>,
    /// `La(3q)`; `None` when the monitoring return that counts does not reach month 3q
    /// (HOLD-NO-MONITORING).
    pub actual_level: Option<Fte>,
    /// `PTD`: the previous quarter's `paid_after` (0 for Q1).
    pub paid_before: Money,
}

/// The status of a payment line (rules §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Pay,
    Nil,
    Recovery,
    HoldNoPlan,
    HoldNoMonitoring,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pay,
        Status::Nil,
        Status::Recovery,
        Status::HoldNoPlan,
        Status::HoldNoMonitoring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pay => "PAY",
            Status::Nil => "NIL",
            Status::Recovery => "RECOVERY",
            Status::HoldNoPlan => "HOLD-NO-PLAN",
            Status::HoldNoMonitoring => "HOLD-NO-MONITORING",
        }
    }

    pub fn is_hold(self) -> bool {
        matches!(self, Status::HoldNoPlan | Status::HoldNoMonitoring)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(text: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("{text:?} is not a payment status"))
    }
}

/// One force's payment line for one quarter: every symbol of rules §7.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentLine {
    pub quarter: Quarter,
    pub allocation: Money,
    /// `S_1..S_q`.
    pub spend: Vec<Money>,
    /// `CS`.
    pub spend_to_date: Money,
    /// `CP`; blank in a HOLD-NO-PLAN line.
    pub profiled_spend_to_date: Option<Money>,
    /// `B = min(CS, CP)`; blank in a HOLD-NO-PLAN line.
    pub profiled_actuals: Option<Money>,
    /// `P`; blank in a hold.
    pub progress: Option<Progress>,
    /// `φ`; blank in a hold.
    pub fraction: Option<PayFraction>,
    /// `E = round2(B × φ)`; blank in a hold.
    pub entitlement: Option<Money>,
    /// `PTD`.
    pub paid_before: Money,
    /// This quarter's payment; negative is a recovery (Q4 only).
    pub payment: Money,
    pub paid_after: Money,
    /// `B − E`; blank in a hold.
    pub withheld: Option<Money>,
    /// `A − paid_after`.
    pub remaining: Money,
    pub status: Status,
}

/// Computes one force's payment for one quarter.
pub fn compute_payment(inputs: &PaymentInputs, taper: &Taper) -> PaymentLine {
    let spend_to_date: Money = inputs.spend.iter().sum();
    let hold = |status: Status, cp: Option<Money>, b: Option<Money>| PaymentLine {
        quarter: inputs.quarter,
        allocation: inputs.allocation,
        spend: inputs.spend.clone(),
        spend_to_date,
        profiled_spend_to_date: cp,
        profiled_actuals: b,
        progress: None,
        fraction: None,
        entitlement: None,
        paid_before: inputs.paid_before,
        payment: Money::ZERO,
        paid_after: inputs.paid_before,
        withheld: None,
        remaining: inputs.allocation - inputs.paid_before,
        status,
    };
    // HOLD-NO-PLAN takes precedence over HOLD-NO-MONITORING (rules §10).
    let Some(plan) = inputs.plan else {
        return hold(Status::HoldNoPlan, None, None);
    };
    let profiled_actuals = spend_to_date.min(plan.profiled_spend_to_date);
    let Some(actual_level) = inputs.actual_level else {
        return hold(
            Status::HoldNoMonitoring,
            Some(plan.profiled_spend_to_date),
            Some(profiled_actuals),
        );
    };
    let progress = progress(
        actual_level - plan.baseline,
        plan.planned_level - plan.baseline,
    );
    let fraction = taper.fraction_for(progress);
    let entitlement = profiled_actuals.times_fraction(fraction);
    let owed = entitlement - inputs.paid_before;
    // In-year a shortfall is not recovered; the final quarter settles it either way.
    let payment = if inputs.quarter == Quarter::Q4 {
        owed
    } else {
        owed.max(Money::ZERO)
    };
    let status = if payment.is_negative() {
        Status::Recovery
    } else if payment > Money::ZERO {
        Status::Pay
    } else {
        Status::Nil
    };
    let paid_after = inputs.paid_before + payment;
    PaymentLine {
        quarter: inputs.quarter,
        allocation: inputs.allocation,
        spend: inputs.spend.clone(),
        spend_to_date,
        profiled_spend_to_date: Some(plan.profiled_spend_to_date),
        profiled_actuals: Some(profiled_actuals),
        progress: Some(progress),
        fraction: Some(fraction),
        entitlement: Some(entitlement),
        paid_before: inputs.paid_before,
        payment,
        paid_after,
        withheld: Some(profiled_actuals - entitlement),
        remaining: inputs.allocation - paid_after,
        status,
    }
}

/// A ratio as a percentage with two places, for sentences: 0.7083 → `70.83%`.
pub fn percent(value: Decimal) -> String {
    let mut scaled = value * Decimal::from(100);
    scaled.rescale(2);
    format!("{scaled}%")
}

/// The band a progress figure fell in (or, for the proportional taper, where it stands
/// against the floor), described for the explanation: `band from 95.00%: 90% payable`.
pub fn band_words(progress: Progress, fraction: PayFraction, taper: &Taper) -> String {
    let paid = percent(fraction.as_decimal()).replace(".00%", "%");
    if let Some(floor) = taper.floor() {
        let shown = percent(floor.as_decimal());
        return if progress < floor || progress.as_decimal().is_sign_negative() {
            format!("below the proportional taper's floor {shown}: 0% payable")
        } else {
            format!("proportional taper from {shown}: {paid} payable")
        };
    }
    match taper.bands().iter().find(|b| progress >= b.min_progress) {
        Some(band) => format!(
            "band from {}: {paid} payable",
            percent(band.min_progress.as_decimal())
        ),
        None => {
            let lowest = taper
                .bands()
                .last()
                .map_or_else(String::new, |b| percent(b.min_progress.as_decimal()));
            format!("band below {lowest}: {paid} payable")
        }
    }
}

/// The one-sentence explanation of a line, built from its figures (rules §7).
pub fn explain(line: &PaymentLine, taper: &Taper) -> String {
    let spend = match line.profiled_spend_to_date {
        Some(cp) if line.spend_to_date > cp => {
            format!(
                "Eligible spend to date {} (capped at profile {})",
                line.spend_to_date.to_gbp(),
                cp.to_gbp()
            )
        }
        Some(cp) => format!(
            "Eligible spend to date {} (within profile {})",
            line.spend_to_date.to_gbp(),
            cp.to_gbp()
        ),
        None => format!("Eligible spend to date {}", line.spend_to_date.to_gbp()),
    };
    let outcome = match line.status {
        Status::HoldNoPlan => {
            return format!(
                "{spend}; held: no delivery plan counts; paid to date {}; nothing paid or recovered this quarter.",
                line.paid_before.to_gbp()
            );
        }
        Status::HoldNoMonitoring => {
            return format!(
                "{spend}; held: the monitoring return that counts does not reach the quarter's last month; paid to date {}; nothing paid or recovered this quarter.",
                line.paid_before.to_gbp()
            );
        }
        Status::Pay => format!("{} payable this quarter", line.payment.to_gbp()),
        Status::Nil => "nothing payable this quarter".to_owned(),
        Status::Recovery => format!(
            "{} to be recovered from the force",
            (-line.payment).to_gbp()
        ),
    };
    let (Some(progress), Some(fraction), Some(entitlement)) =
        (line.progress, line.fraction, line.entitlement)
    else {
        return format!("{spend}; {outcome}.");
    };
    format!(
        "{spend}; progress {} of planned uplift ({}); entitlement {}; paid to date {}; {outcome}.",
        percent(progress.as_decimal()),
        band_words(progress, fraction, taper),
        entitlement.to_gbp(),
        line.paid_before.to_gbp()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn money(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn fte(value: Decimal) -> Fte {
        Fte::from_exact(value).unwrap()
    }

    /// Planned spend of `monthly` in months 1–11 and `last` in month 12, summed to 3q.
    fn profile_to(quarter: Quarter, monthly: &str, last: &str) -> Money {
        let months = 3 * quarter.number() as usize;
        (1..=months)
            .map(|m| if m == 12 { money(last) } else { money(monthly) })
            .sum()
    }

    fn inputs(
        quarter: Quarter,
        allocation: &str,
        spend: &[&str],
        cp: Money,
        levels: (Decimal, Decimal, Decimal),
        paid_before: &str,
    ) -> PaymentInputs {
        PaymentInputs {
            quarter,
            allocation: money(allocation),
            spend: spend.iter().map(|s| money(s)).collect(),
            plan: Some(PlanFigures {
                profiled_spend_to_date: cp,
                baseline: fte(levels.0),
                planned_level: fte(levels.1),
            }),
            actual_level: Some(fte(levels.2)),
            paid_before: money(paid_before),
        }
    }

    fn taper() -> Taper {
        Taper::default_npg()
    }

    /// Issue 16's worked example with money: the same Q2 line under today's bands and under
    /// the proportional taper with floor 0.60, and a Q4 line below the floor.
    #[test]
    fn the_proportional_taper_pays_in_proportion_to_progress() {
        let proportional = Taper::proportional("0.60".parse().unwrap()).unwrap();
        // A £1,000,000.00; CS £600,000.00 within CP £650,000.00, so B £600,000.00; L0 100,
        // Lp 120, La 116.67: Ua 16.67 / Up 20 = P 0.8335; paid before £300,000.00.
        let q2 = inputs(
            Quarter::Q2,
            "1000000.00",
            &["300000.00", "300000.00"],
            money("650000.00"),
            (dec!(100), dec!(120), dec!(116.67)),
            "300000.00",
        );
        let line = compute_payment(&q2, &proportional);
        assert_eq!(
            line.progress.map(|p| p.to_string()).as_deref(),
            Some("0.8335")
        );
        // φ = min(1.00, round2(0.8335)) = 0.83; E = 600,000.00 × 0.83 = 498,000.00.
        assert_eq!(
            line.fraction.map(|f| f.to_string()).as_deref(),
            Some("0.83")
        );
        assert_eq!(line.entitlement, Some(money("498000.00")));
        assert_eq!(line.payment, money("198000.00"));
        assert_eq!(line.withheld, Some(money("102000.00")));
        assert_eq!(line.status, Status::Pay);
        assert!(
            explain(&line, &proportional).contains(
                "progress 83.35% of planned uplift (proportional taper from 60.00%: 83% payable)"
            ),
            "{}",
            explain(&line, &proportional)
        );
        // Under today's bands the same progress is in the band from 75.01%: 50%, so
        // E = 300,000.00 and nothing more is payable.
        let banded = compute_payment(&q2, &taper());
        assert_eq!(banded.entitlement, Some(money("300000.00")));
        assert_eq!(banded.payment, Money::ZERO);
        assert_eq!(banded.status, Status::Nil);
        // Q4 below the floor: La 111.90, P = 11.90 / 20 = 0.5950 < 0.60, φ 0, E 0, and the
        // £300,000.00 paid is recovered.
        let q4 = inputs(
            Quarter::Q4,
            "1000000.00",
            &["300000.00", "300000.00", "0.00", "0.00"],
            money("1000000.00"),
            (dec!(100), dec!(120), dec!(111.90)),
            "300000.00",
        );
        let line = compute_payment(&q4, &proportional);
        assert_eq!(
            line.progress.map(|p| p.to_string()).as_deref(),
            Some("0.5950")
        );
        assert_eq!(
            line.fraction.map(|f| f.to_string()).as_deref(),
            Some("0.00")
        );
        assert_eq!(line.payment, money("-300000.00"));
        assert_eq!(line.status, Status::Recovery);
        assert!(
            explain(&line, &proportional)
                .contains("below the proportional taper's floor 60.00%: 0% payable")
        );
        // A hold stays a hold.
        let mut held = q2.clone();
        held.actual_level = None;
        assert_eq!(
            compute_payment(&held, &proportional).status,
            Status::HoldNoMonitoring
        );
    }

    #[test]
    fn w1_on_track() {
        let cp1 = profile_to(Quarter::Q1, "333333.33", "333333.37");
        assert_eq!(cp1.to_string(), "999999.99");
        let q1 = compute_payment(
            &inputs(
                Quarter::Q1,
                "4000000.00",
                &["900000.00"],
                cp1,
                (dec!(450.00), dec!(465.00), dec!(464.00)),
                "0.00",
            ),
            &taper(),
        );
        assert_eq!(q1.spend_to_date.to_string(), "900000.00");
        assert_eq!(q1.profiled_actuals.unwrap().to_string(), "900000.00");
        assert_eq!(q1.progress.unwrap().to_string(), "0.9333");
        assert_eq!(q1.fraction.unwrap().to_string(), "0.70");
        assert_eq!(q1.entitlement.unwrap().to_string(), "630000.00");
        assert_eq!(q1.payment.to_string(), "630000.00");
        assert_eq!(q1.status, Status::Pay);

        let cp2 = profile_to(Quarter::Q2, "333333.33", "333333.37");
        assert_eq!(cp2.to_string(), "1999999.98");
        let q2 = compute_payment(
            &inputs(
                Quarter::Q2,
                "4000000.00",
                &["900000.00", "1250000.00"],
                cp2,
                (dec!(450.00), dec!(480.00), dec!(480.50)),
                &q1.paid_after.to_string(),
            ),
            &taper(),
        );
        assert_eq!(q2.spend_to_date.to_string(), "2150000.00");
        assert_eq!(q2.profiled_actuals.unwrap().to_string(), "1999999.98");
        assert_eq!(q2.progress.unwrap().to_string(), "1.0167");
        assert_eq!(q2.fraction.unwrap().to_string(), "1.00");
        assert_eq!(q2.entitlement.unwrap().to_string(), "1999999.98");
        assert_eq!(q2.paid_before.to_string(), "630000.00");
        assert_eq!(q2.payment.to_string(), "1369999.98");
        assert_eq!(q2.withheld.unwrap().to_string(), "0.00");
        assert_eq!(q2.remaining.to_string(), "2000000.02");
    }

    #[test]
    fn w2_behind_plan() {
        let cp1 = profile_to(Quarter::Q1, "208333.33", "208333.37");
        assert_eq!(cp1.to_string(), "624999.99");
        let q1 = compute_payment(
            &inputs(
                Quarter::Q1,
                "2500000.00",
                &["600000.00"],
                cp1,
                (dec!(200.00), dec!(212.00), dec!(212.00)),
                "0.00",
            ),
            &taper(),
        );
        assert_eq!(q1.profiled_actuals.unwrap().to_string(), "600000.00");
        assert_eq!(q1.progress.unwrap().to_string(), "1.0000");
        assert_eq!(q1.fraction.unwrap().to_string(), "1.00");
        assert_eq!(q1.payment.to_string(), "600000.00");

        let cp2 = profile_to(Quarter::Q2, "208333.33", "208333.37");
        assert_eq!(cp2.to_string(), "1249999.98");
        let q2 = compute_payment(
            &inputs(
                Quarter::Q2,
                "2500000.00",
                &["600000.00", "550000.00"],
                cp2,
                (dec!(200.00), dec!(224.00), dec!(217.00)),
                "600000.00",
            ),
            &taper(),
        );
        assert_eq!(q2.spend_to_date.to_string(), "1150000.00");
        assert_eq!(q2.profiled_actuals.unwrap().to_string(), "1150000.00");
        assert_eq!(q2.progress.unwrap().to_string(), "0.7083");
        assert_eq!(q2.fraction.unwrap().to_string(), "0.00");
        assert_eq!(q2.entitlement.unwrap().to_string(), "0.00");
        assert_eq!(q2.payment.to_string(), "0.00");
        assert_eq!(q2.status, Status::Nil);
        assert_eq!(q2.paid_after.to_string(), "600000.00");
        assert_eq!(q2.withheld.unwrap().to_string(), "1150000.00");
        assert_eq!(
            explain(&q2, &taper()),
            "Eligible spend to date £1,150,000.00 (within profile £1,249,999.98); progress 70.83% of planned uplift (band below 75.01%: 0% payable); entitlement £0.00; paid to date £600,000.00; nothing payable this quarter."
        );
    }

    #[test]
    fn w3_final_recovery() {
        let cp4 = profile_to(Quarter::Q4, "83333.33", "83333.37");
        assert_eq!(cp4.to_string(), "1000000.00");
        let q4 = compute_payment(
            &PaymentInputs {
                spend: vec![
                    money("250000.00"),
                    money("250000.00"),
                    money("250000.00"),
                    money("262345.67"),
                ],
                ..inputs(
                    Quarter::Q4,
                    "1000000.00",
                    &[],
                    cp4,
                    (dec!(100.00), dec!(120.00), dec!(117.00)),
                    "749999.97",
                )
            },
            &taper(),
        );
        assert_eq!(q4.spend_to_date.to_string(), "1012345.67");
        assert!(
            q4.spend_to_date > q4.allocation,
            "beyond the allocation: an exception"
        );
        assert_eq!(q4.profiled_actuals.unwrap().to_string(), "1000000.00");
        assert_eq!(q4.progress.unwrap().to_string(), "0.8500");
        assert_eq!(q4.fraction.unwrap().to_string(), "0.70");
        assert_eq!(q4.entitlement.unwrap().to_string(), "700000.00");
        assert_eq!(q4.payment.to_string(), "-49999.97");
        assert_eq!(q4.status, Status::Recovery);
        assert_eq!(q4.paid_after.to_string(), "700000.00");
        assert_eq!(q4.remaining.to_string(), "300000.00");
        assert!(explain(&q4, &taper()).ends_with("£49,999.97 to be recovered from the force."));
    }

    #[test]
    fn w4_rounding_of_the_entitlement() {
        // B = £333,333.35 at φ 0.90 → round2(300,000.015) = £300,000.02.
        let line = compute_payment(
            &inputs(
                Quarter::Q1,
                "1000000.00",
                &["333333.35"],
                money("400000.00"),
                (dec!(100), dec!(120), dec!(119.5)),
                "0.00",
            ),
            &taper(),
        );
        assert_eq!(line.fraction.unwrap().to_string(), "0.90");
        assert_eq!(line.entitlement.unwrap().to_string(), "300000.02");
        // B = £0.05 at φ 0.50 → £0.03.
        let line = compute_payment(
            &inputs(
                Quarter::Q1,
                "1000000.00",
                &["0.05"],
                money("400000.00"),
                (dec!(100), dec!(120), dec!(116)),
                "0.00",
            ),
            &taper(),
        );
        assert_eq!(line.progress.unwrap().to_string(), "0.8000");
        assert_eq!(line.fraction.unwrap().to_string(), "0.50");
        assert_eq!(line.entitlement.unwrap().to_string(), "0.03");
    }

    #[test]
    fn w5_boundaries_reach_the_payment() {
        let fraction_at = |planned: Decimal, actual: Decimal| {
            compute_payment(
                &inputs(
                    Quarter::Q1,
                    "100.00",
                    &["10.00"],
                    money("10.00"),
                    (dec!(100), planned, actual),
                    "0.00",
                ),
                &taper(),
            )
            .fraction
            .unwrap()
            .to_string()
        };
        assert_eq!(fraction_at(dec!(120), dec!(119)), "0.90"); // P = 0.9500
        assert_eq!(fraction_at(dec!(300), dec!(289.99)), "0.90"); // 189.99/200 = 0.94995 → 0.9500
        assert_eq!(fraction_at(dec!(20100), dec!(15102)), "0.50"); // 15002/20000 = 0.7501
        assert_eq!(fraction_at(dec!(120), dec!(115)), "0.00"); // P = 0.7500
        assert_eq!(fraction_at(dec!(100), dec!(90)), "1.00"); // Up = 0 → P = 1.0000
    }

    #[test]
    fn w6_hold_when_monitoring_stops_short_even_at_q4() {
        for quarter in [Quarter::Q2, Quarter::Q4] {
            let line = compute_payment(
                &PaymentInputs {
                    actual_level: None,
                    ..inputs(
                        quarter,
                        "1000000.00",
                        &["1.00"],
                        money("500000.00"),
                        (dec!(1), dec!(2), dec!(2)),
                        "250000.00",
                    )
                },
                &taper(),
            );
            assert_eq!(line.status, Status::HoldNoMonitoring);
            assert_eq!(line.payment.to_string(), "0.00");
            assert_eq!(line.paid_after.to_string(), "250000.00");
            assert_eq!(line.remaining.to_string(), "750000.00");
            assert_eq!(
                (
                    line.progress,
                    line.fraction,
                    line.entitlement,
                    line.withheld
                ),
                (None, None, None, None)
            );
            assert!(line.profiled_actuals.is_some());
        }
    }

    #[test]
    fn no_plan_holds_and_takes_precedence() {
        let line = compute_payment(
            &PaymentInputs {
                plan: None,
                actual_level: None,
                ..inputs(
                    Quarter::Q4,
                    "1000000.00",
                    &["1.00"],
                    money("1.00"),
                    (dec!(1), dec!(2), dec!(2)),
                    "10.00",
                )
            },
            &taper(),
        );
        assert_eq!(line.status, Status::HoldNoPlan);
        assert_eq!(
            (line.profiled_spend_to_date, line.profiled_actuals),
            (None, None)
        );
        assert_eq!(line.paid_after.to_string(), "10.00");
    }

    #[test]
    fn a_shortfall_is_not_recovered_in_year() {
        let line = compute_payment(
            &inputs(
                Quarter::Q3,
                "1000.00",
                &["100.00", "100.00", "100.00"],
                money("300.00"),
                (dec!(10), dec!(20), dec!(10)),
                "200.00",
            ),
            &taper(),
        );
        assert_eq!(line.entitlement.unwrap().to_string(), "0.00");
        assert_eq!(line.payment.to_string(), "0.00");
        assert_eq!(line.status, Status::Nil);
    }

    #[test]
    fn percentages_for_sentences() {
        assert_eq!(percent(dec!(0.7083)), "70.83%");
        assert_eq!(percent(dec!(1.0000)), "100.00%");
        assert_eq!(percent(dec!(-0.25)), "-25.00%");
    }
}
