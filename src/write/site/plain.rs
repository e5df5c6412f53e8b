//! A payment's status and reasons in plain words for the public site; the codes finance
//! uses (`PAY`, `TAPER 70%`) stay in the data files.

use crate::domain::PayFraction;
use crate::rules::payment::Status;
use crate::rules::reason::Reason;

/// A status as a member of the public reads it.
pub fn status_words(status: Status) -> &'static str {
    match status {
        Status::Pay => "Paid",
        Status::Nil => "Nothing paid",
        Status::Recovery => "Money recovered",
        Status::HoldNoPlan | Status::HoldNoMonitoring => "Payment held",
    }
}

fn whole_percent(fraction: PayFraction) -> String {
    let text = (fraction.as_decimal() * rust_decimal::Decimal::from(100))
        .normalize()
        .to_string();
    format!("{text}%")
}

/// One reason in plain words.
pub fn reason_words(reason: &Reason) -> String {
    match reason {
        Reason::Hold(Status::HoldNoPlan) => {
            "Payment held: the force has no delivery plan that counts".to_owned()
        }
        Reason::Hold(_) => {
            "Payment held: the force's monthly workforce return does not reach the quarter's end"
                .to_owned()
        }
        Reason::ReturnInvalid(q) => {
            format!("The {q} spending return had errors, so its spending could not be counted")
        }
        Reason::NoReturn {
            quarter,
            late: true,
        } => format!(
            "The {quarter} spending return arrived after the deadline; it counts from the next quarter"
        ),
        Reason::NoReturn {
            quarter,
            late: false,
        } => format!("No {quarter} spending return was received by the deadline"),
        Reason::Taper { fraction } if *fraction == PayFraction::ZERO => {
            "Growth too far behind plan, so nothing is payable".to_owned()
        }
        Reason::Taper { fraction } => format!(
            "Growth behind plan, so {} of the force's spending is paid",
            whole_percent(*fraction)
        ),
        Reason::CappedAtProfile { .. } => {
            "Spending ahead of the force's spending plan: paid up to the plan".to_owned()
        }
        Reason::SpendBeyondAllocation { .. } => {
            "Spending beyond the allocation: the excess is not paid".to_owned()
        }
        Reason::LateReturnCounted { quarter, .. } => {
            format!("The {quarter} spending return, received late, now counts")
        }
        Reason::Restated { quarter, .. } => {
            format!("The {quarter} spending return was corrected; the difference is settled now")
        }
        Reason::OnPlan => "On plan: spending paid in full".to_owned(),
        Reason::NothingNewOwed => "Nothing new is owed this quarter".to_owned(),
        Reason::PaidBeyondEntitlement => {
            "More has been paid than is due so far; the final quarter settles it".to_owned()
        }
    }
}

/// Every reason of a line in plain words, the leading one first.
pub fn reasons_words(reasons: &[Reason]) -> String {
    let words: Vec<String> = reasons.iter().map(reason_words).collect();
    words.join(". ")
}

/// The codes, as the payment schedule gives them: `TAPER 70%, RESTATED Q1`.
pub fn reason_codes(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(Reason::code)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Quarter;
    use std::str::FromStr;

    #[test]
    fn a_taper_says_what_share_is_paid_not_what_is_cut() {
        let seventy = Reason::Taper {
            fraction: PayFraction::from_str("0.70").unwrap(),
        };
        assert_eq!(
            reason_words(&seventy),
            "Growth behind plan, so 70% of the force's spending is paid"
        );
        assert_eq!(
            reason_words(&Reason::Taper {
                fraction: PayFraction::ZERO
            }),
            "Growth too far behind plan, so nothing is payable"
        );
        assert_eq!(status_words(Status::Recovery), "Money recovered");
        assert_eq!(status_words(Status::HoldNoMonitoring), "Payment held");
        let both = [
            seventy,
            Reason::Restated {
                quarter: Quarter::Q1,
                old: crate::domain::Money::ZERO,
                new: crate::domain::Money::ZERO,
            },
        ];
        assert_eq!(reason_codes(&both), "TAPER 70%, RESTATED Q1");
        assert!(reasons_words(&both).ends_with("the difference is settled now"));
    }
}
