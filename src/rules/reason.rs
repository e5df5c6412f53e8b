//! Why a force's payment line is what it is: a short code and words for every line, a full
//! payment included, led by the first that applies in a fixed order (issue 13).

use std::fmt;

use crate::domain::{Money, PayFraction, Quarter};

use super::payment::{PaymentLine, Status, percent};

/// What became of the force's financial return for the quarter being paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnState {
    /// A usable return counted.
    Counted,
    /// A return was received by the cut-off but has errors (or two claim one version).
    Invalid,
    /// A return arrived, but after the cut-off: it counts in the next run.
    Late,
    /// Nothing was received.
    Missing,
}

/// What the reasons of a line are drawn from beyond its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonFacts {
    pub this_quarter: ReturnState,
    /// Earlier quarters whose return was not counted by the previous run and counts now,
    /// with the eligible spend before and after.
    pub late_counted: Vec<(Quarter, Money, Money)>,
    /// Earlier quarters whose counted figure changed since the previous run.
    pub restated: Vec<(Quarter, Money, Money)>,
}

/// One reason. The order of the variants is the order of precedence: the first that applies
/// leads, the others follow it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// HOLD-NO-PLAN or HOLD-NO-MONITORING: nothing paid or recovered.
    Hold(Status),
    ReturnInvalid(Quarter),
    /// No usable return by the cut-off; `late` when one came after it.
    NoReturn {
        quarter: Quarter,
        late: bool,
    },
    /// Progress below the top band: only this fraction of profiled actuals is payable.
    Taper {
        fraction: PayFraction,
    },
    /// `CS > CP`: paid on the spend profile, not the spend.
    CappedAtProfile {
        spend: Money,
        profile: Money,
    },
    /// `CS > A`: the excess is not payable.
    SpendBeyondAllocation {
        spend: Money,
        allocation: Money,
    },
    /// An earlier quarter's return, received after its cut-off, counts now.
    LateReturnCounted {
        quarter: Quarter,
        old: Money,
        new: Money,
    },
    /// An earlier quarter's eligible spend changed since the previous run.
    Restated {
        quarter: Quarter,
        old: Money,
        new: Money,
    },
    /// Paid in full on eligible spend: nothing else applies.
    OnPlan,
    /// Nothing new is owed: the entitlement to date is already paid.
    NothingNewOwed,
    /// Paid before is more than the entitlement to date (Q4 settles it).
    PaidBeyondEntitlement,
}

impl Reason {
    /// The short code of the Reason column: `NO-RETURN`, `TAPER 90%`, `ON PLAN`.
    pub fn code(&self) -> String {
        match self {
            Reason::Hold(status) => status.as_str().to_owned(),
            Reason::ReturnInvalid(_) => "RETURN-INVALID".to_owned(),
            Reason::NoReturn { .. } => "NO-RETURN".to_owned(),
            Reason::Taper { fraction } => format!("TAPER {}", whole_percent(*fraction)),
            Reason::CappedAtProfile { .. } => "CAPPED AT PROFILE".to_owned(),
            Reason::SpendBeyondAllocation { .. } => "SPEND BEYOND ALLOCATION".to_owned(),
            Reason::LateReturnCounted { quarter, .. } => format!("LATE {quarter} RETURN COUNTED"),
            Reason::Restated { quarter, .. } => format!("RESTATED {quarter}"),
            Reason::OnPlan => "ON PLAN".to_owned(),
            Reason::NothingNewOwed => "NOTHING NEW OWED".to_owned(),
            Reason::PaidBeyondEntitlement => "PAID BEYOND ENTITLEMENT".to_owned(),
        }
    }

    /// The words that say what the code means for this line.
    pub fn words(&self) -> String {
        match self {
            Reason::Hold(Status::HoldNoPlan) => "no delivery plan counts, so the payment is held".to_owned(),
            Reason::Hold(_) => "the monitoring return that counts does not reach the quarter's last month, so the payment is held".to_owned(),
            Reason::ReturnInvalid(q) => format!(
                "the {q} financial return has errors and was not used, so its spend counts as £0.00"
            ),
            Reason::NoReturn { quarter, late: true } => format!(
                "the {quarter} financial return came after the cut-off, so its spend counts as £0.00 until the next run"
            ),
            Reason::NoReturn { quarter, late: false } => format!(
                "no {quarter} financial return was received by the cut-off, so its spend counts as £0.00"
            ),
            Reason::Taper { fraction } if *fraction == PayFraction::ZERO => {
                "progress is below every band that pays, so nothing is payable".to_owned()
            }
            Reason::Taper { fraction } => format!(
                "progress is below the top band, so {} of profiled actuals is payable",
                whole_percent(*fraction)
            ),
            Reason::CappedAtProfile { spend, profile } => format!(
                "eligible spend to date {} is beyond the spend profile {}, which caps it",
                spend.to_gbp(),
                profile.to_gbp()
            ),
            Reason::SpendBeyondAllocation { spend, allocation } => format!(
                "eligible spend to date {} is beyond the allocation {}; the excess is not payable",
                spend.to_gbp(),
                allocation.to_gbp()
            ),
            Reason::LateReturnCounted { quarter, old, new } => format!(
                "the {quarter} financial return came after {quarter}'s cut-off and counts now ({} → {})",
                old.to_gbp(),
                new.to_gbp()
            ),
            Reason::Restated { quarter, old, new } => format!(
                "{quarter} eligible spend was restated ({} → {}); the difference is netted now",
                old.to_gbp(),
                new.to_gbp()
            ),
            Reason::OnPlan => "progress is in the top band: paid in full on eligible spend".to_owned(),
            Reason::NothingNewOwed => {
                "the entitlement to date is already paid: nothing new is owed".to_owned()
            }
            Reason::PaidBeyondEntitlement => {
                "more has been paid than the entitlement to date".to_owned()
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// A fraction as a whole percentage where it is one: 0.90 → `90%`, 0.95 → `95%`, 0.33 → `33%`.
fn whole_percent(fraction: PayFraction) -> String {
    percent(fraction.as_decimal()).replace(".00%", "%")
}

/// Every reason of a line, the leading one first (precedence: hold, invalid return, no
/// return, taper, capped, spend beyond allocation, then late and restated quarters). A line
/// none of these explains gets one of its own: on plan, nothing new owed, or paid beyond its
/// entitlement.
pub fn reasons(line: &PaymentLine, facts: &ReasonFacts) -> Vec<Reason> {
    let mut out = Vec::new();
    if line.status.is_hold() {
        out.push(Reason::Hold(line.status));
    }
    match facts.this_quarter {
        ReturnState::Counted => {}
        ReturnState::Invalid => out.push(Reason::ReturnInvalid(line.quarter)),
        ReturnState::Late => out.push(Reason::NoReturn {
            quarter: line.quarter,
            late: true,
        }),
        ReturnState::Missing => out.push(Reason::NoReturn {
            quarter: line.quarter,
            late: false,
        }),
    }
    if let Some(fraction) = line.fraction.filter(|f| *f != PayFraction::ONE) {
        out.push(Reason::Taper { fraction });
    }
    if let Some(profile) = line
        .profiled_spend_to_date
        .filter(|cp| line.spend_to_date > *cp)
    {
        out.push(Reason::CappedAtProfile {
            spend: line.spend_to_date,
            profile,
        });
    }
    if line.spend_to_date > line.allocation {
        out.push(Reason::SpendBeyondAllocation {
            spend: line.spend_to_date,
            allocation: line.allocation,
        });
    }
    for &(quarter, old, new) in &facts.late_counted {
        out.push(Reason::LateReturnCounted { quarter, old, new });
    }
    for &(quarter, old, new) in &facts.restated {
        out.push(Reason::Restated { quarter, old, new });
    }
    out.sort();
    if out.is_empty() {
        out.push(match line.status {
            Status::Pay => Reason::OnPlan,
            Status::Recovery => Reason::PaidBeyondEntitlement,
            _ => Reason::NothingNewOwed,
        });
    }
    out
}

/// The Reason column: the leading code and its words, then the codes of the others.
pub fn reason_text(reasons: &[Reason]) -> String {
    let Some((lead, rest)) = reasons.split_first() else {
        return String::new();
    };
    let mut text = format!("{}: {}", lead.code(), lead.words());
    if !rest.is_empty() {
        let others: Vec<String> = rest.iter().map(Reason::code).collect();
        text.push_str(&format!("; also {}", others.join(", ")));
    }
    text
}

/// The explanation sentence with the leading reason named first: its code, and its words
/// where the sentence does not already give them (the band, the cap and a full payment are
/// in the sentence's own figures).
pub fn lead_explanation(reasons: &[Reason], explanation: &str) -> String {
    match reasons.first() {
        Some(
            lead @ (Reason::Taper { .. }
            | Reason::CappedAtProfile { .. }
            | Reason::OnPlan
            | Reason::NothingNewOwed),
        ) => format!("{}: {explanation}", lead.code()),
        Some(lead) => {
            let words = lead.words();
            let mut chars = words.chars();
            let capital: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            format!("{}: {capital}. {explanation}", lead.code())
        }
        None => explanation.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Progress;

    fn money(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn fraction(text: &str) -> PayFraction {
        PayFraction::new(text.parse().unwrap()).unwrap()
    }

    /// A Q2 line: allocation £1,000, CP £500, paid in full unless changed.
    fn line(status: Status, cs: &str, phi: Option<&str>, payment: &str) -> PaymentLine {
        let cs = money(cs);
        PaymentLine {
            quarter: Quarter::Q2,
            allocation: money("1000.00"),
            spend: vec![money("0.00"), cs],
            spend_to_date: cs,
            profiled_spend_to_date: Some(money("500.00")),
            profiled_actuals: Some(cs.min(money("500.00"))),
            progress: phi.map(|_| Progress::ONE),
            fraction: phi.map(fraction),
            entitlement: None,
            paid_before: money("0.00"),
            payment: money(payment),
            paid_after: money(payment),
            withheld: None,
            remaining: money("0.00"),
            status,
        }
    }

    fn facts(this_quarter: ReturnState) -> ReasonFacts {
        ReasonFacts {
            this_quarter,
            late_counted: vec![],
            restated: vec![],
        }
    }

    fn codes(line: &PaymentLine, facts: &ReasonFacts) -> Vec<String> {
        reasons(line, facts).iter().map(Reason::code).collect()
    }

    #[test]
    fn a_full_payment_is_on_plan_and_a_line_nothing_explains_gets_its_own_reason() {
        let counted = facts(ReturnState::Counted);
        let pay = line(Status::Pay, "400.00", Some("1.00"), "400.00");
        assert_eq!(codes(&pay, &counted), ["ON PLAN"]);
        let nil = line(Status::Nil, "400.00", Some("1.00"), "0.00");
        assert_eq!(codes(&nil, &counted), ["NOTHING NEW OWED"]);
        let recovery = line(Status::Recovery, "400.00", Some("1.00"), "-10.00");
        assert_eq!(codes(&recovery, &counted), ["PAID BEYOND ENTITLEMENT"]);
    }

    #[test]
    fn the_reasons_follow_the_fixed_order_whatever_applies() {
        // Capped (CS 1,200 > CP 500), beyond the allocation (> 1,000), tapered to 90%, with no
        // return this quarter and a late Q1 return: NO-RETURN leads, then TAPER, CAPPED,
        // SPEND BEYOND ALLOCATION, LATE.
        let l = line(Status::Pay, "1200.00", Some("0.90"), "450.00");
        let mut f = facts(ReturnState::Missing);
        f.late_counted = vec![(Quarter::Q1, money("0.00"), money("5.00"))];
        f.restated = vec![];
        assert_eq!(
            codes(&l, &f),
            [
                "NO-RETURN",
                "TAPER 90%",
                "CAPPED AT PROFILE",
                "SPEND BEYOND ALLOCATION",
                "LATE Q1 RETURN COUNTED"
            ]
        );
        // An invalid return leads a missing one's place; a hold leads everything.
        assert_eq!(codes(&l, &facts(ReturnState::Invalid))[0], "RETURN-INVALID");
        let mut held = line(Status::HoldNoPlan, "1200.00", None, "0.00");
        held.profiled_spend_to_date = None;
        assert_eq!(
            codes(&held, &facts(ReturnState::Invalid)),
            ["HOLD-NO-PLAN", "RETURN-INVALID", "SPEND BEYOND ALLOCATION"]
        );
    }

    #[test]
    fn the_reason_text_gives_the_lead_in_words_and_the_others_by_code() {
        let l = line(Status::Nil, "1200.00", Some("0.00"), "0.00");
        let r = reasons(&l, &facts(ReturnState::Late));
        assert_eq!(
            reason_text(&r),
            "NO-RETURN: the Q2 financial return came after the cut-off, so its spend counts as £0.00 until the next run; also TAPER 0%, CAPPED AT PROFILE, SPEND BEYOND ALLOCATION"
        );
        assert_eq!(
            lead_explanation(&r, "Eligible spend to date £1,200.00."),
            "NO-RETURN: The Q2 financial return came after the cut-off, so its spend counts as £0.00 until the next run. Eligible spend to date £1,200.00."
        );
        // A reason the sentence's figures already give is named by its code alone.
        let tapered = reasons(
            &line(Status::Pay, "400.00", Some("0.95"), "380.00"),
            &facts(ReturnState::Counted),
        );
        assert_eq!(tapered[0].code(), "TAPER 95%");
        assert_eq!(
            lead_explanation(&tapered, "Figures."),
            "TAPER 95%: Figures."
        );
    }
}
