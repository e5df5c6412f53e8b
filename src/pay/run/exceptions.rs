//! The exceptions of a quarter's run as an action list: each line says who acts and what they
//! do (issue 13, item 2): recoveries to invoice, money withheld and why, holds and what lifts
//! them, unusable and late returns, warnings (in full once, then carried over), information.

use chrono::NaiveDate;

use crate::cycle::config::CycleConfig;
use crate::domain::{ForceId, Money, Quarter};
use crate::findings::Finding;
use crate::layout::ReturnKind;
use crate::rules::payment::{PaymentLine, Status, percent};
use crate::rules::reason::ReturnState;
use crate::rules::select::{Candidate, Outcome};
use crate::rules::taper::Taper;

use super::{CycleSelection, SpendChange};

mod files;

pub(super) use files::file_exceptions;

/// Where a line sits on the Exceptions sheet, in the sheet's order. Only `Action` lines are
/// counted as exceptions to act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Someone must act on it for this run.
    Action,
    /// A warning first listed in full at an earlier quarter's run: one line per force and
    /// code, not counted.
    CarriedOver { from: Quarter },
    /// Nothing to do (a late file when another usable return for that period counted).
    Information,
}

impl Section {
    /// The words of the Section column.
    pub fn label(&self) -> String {
        match self {
            Section::Action => "Action".to_owned(),
            Section::CarriedOver { from } => format!("Carried over from {from}"),
            Section::Information => "Information".to_owned(),
        }
    }
}

/// Who acts on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Actor {
    /// The Home Office grant finance team that runs and signs off the payment.
    HomeOfficeFinance,
    /// The force the line is about (its finance or performance team).
    Force,
    /// Nobody: the line is information.
    NoOne,
}

impl Actor {
    /// The words of the Who acts column.
    pub fn label(&self) -> &'static str {
        match self {
            Actor::HomeOfficeFinance => "Home Office finance",
            Actor::Force => "Force",
            Actor::NoOne => "No one",
        }
    }
}

/// The kinds of exception listed with the schedule (rules §7, as issue 13 extends them).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExceptionKind {
    /// Q4: the entitlement to date is below what was paid; the force owes the difference.
    Recovery,
    /// Progress below the top band: part of profiled actuals is not paid (`B − E > 0`).
    Withheld,
    /// The quarter's financial return is missing.
    NoReturn,
    /// A return with errors, not used.
    ReturnInvalid,
    /// Two different returns claim the same version (X13); neither is used.
    Ambiguous,
    /// A prior quarter's eligible spend differs from the figure the previous run used.
    Restated {
        quarter: Quarter,
        old: Money,
        new: Money,
    },
    /// A prior quarter's return that the previous run did not count (it came after that
    /// quarter's cut-off) counts now.
    LateCounted {
        quarter: Quarter,
        old: Money,
        new: Money,
    },
    /// A return received after the cut-off (X14).
    Late,
    /// `CS > A`: spend beyond the allocation, not payable.
    SpendBeyondAllocation,
    /// The force's allocation differs from the one in the previous run's ledger.
    AllocationChanged,
    /// A finding of a return the run considered (warnings such as X06, X10, C09).
    Finding,
    /// A payment hold (HOLD-NO-PLAN, HOLD-NO-MONITORING).
    Hold,
}

impl ExceptionKind {
    /// The short label of the Exceptions sheet.
    pub fn label(&self) -> String {
        match self {
            ExceptionKind::Recovery => "RECOVERY".to_owned(),
            ExceptionKind::Withheld => "WITHHELD".to_owned(),
            ExceptionKind::NoReturn => "NO-RETURN".to_owned(),
            ExceptionKind::ReturnInvalid => "RETURN-INVALID".to_owned(),
            ExceptionKind::Ambiguous => "AMBIGUOUS (X13)".to_owned(),
            ExceptionKind::Restated { quarter, old, new } => {
                format!("RESTATED {quarter}: {} → {}", old.to_gbp(), new.to_gbp())
            }
            ExceptionKind::LateCounted { quarter, old, new } => {
                format!(
                    "LATE {quarter} RETURN COUNTED: {} → {}",
                    old.to_gbp(),
                    new.to_gbp()
                )
            }
            ExceptionKind::Late => "RECEIVED AFTER CUT-OFF (X14)".to_owned(),
            ExceptionKind::SpendBeyondAllocation => "SPEND BEYOND ALLOCATION".to_owned(),
            ExceptionKind::AllocationChanged => "ALLOCATION CHANGED".to_owned(),
            ExceptionKind::Finding => "WARNING".to_owned(),
            ExceptionKind::Hold => "HOLD".to_owned(),
        }
    }
}

/// One line of the Exceptions sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub section: Section,
    pub force: Option<ForceId>,
    pub kind: ExceptionKind,
    pub who: Actor,
    /// What `who` does, in a sentence.
    pub action: String,
    /// The money the line is about (a recovery as the Schedule shows it, negative; the amount
    /// withheld; a change in eligible spend), where there is one.
    pub amount: Option<Money>,
    /// The file it concerns, as shown in the cycle folder.
    pub file: Option<String>,
    /// The finding behind it, where there is one.
    pub finding: Option<Finding>,
    pub message: String,
}

impl Exception {
    /// Whether the line is one someone must act on (counted on the Summary and terminal).
    pub fn is_to_act_on(&self) -> bool {
        self.section == Section::Action
    }

    /// Who acts and what they do, in one line: `Home Office finance: invoice …`.
    pub fn to_do(&self) -> String {
        format!("{}: {}", self.who.label(), self.action)
    }
}

/// Sorts the lines by section, force, kind, file and message, so the sheet is the same on
/// every run.
pub(super) fn sort(exceptions: &mut [Exception]) {
    exceptions.sort_by(|a, b| {
        (
            a.section,
            a.force.as_ref().map(ForceId::as_str),
            &a.kind,
            &a.file,
            &a.message,
        )
            .cmp(&(
                b.section,
                b.force.as_ref().map(ForceId::as_str),
                &b.kind,
                &b.file,
                &b.message,
            ))
    });
}

/// The run a return sent now first counts at, in words: `the Q3 run (cut-off 2026-01-31)`;
/// after Q4 there is none in the year.
fn next_run(config: &CycleConfig, quarter: Quarter) -> Option<(Quarter, NaiveDate)> {
    let next = Quarter::from_number(quarter.number() + 1)?;
    Some((next, config.quarter(next).cutoff))
}

fn next_run_words(config: &CycleConfig, quarter: Quarter) -> String {
    match next_run(config, quarter) {
        Some((next, cutoff)) => format!("the {next} run (cut-off {cutoff})"),
        None => "no later run this year (Q4 is the final reconciliation)".to_owned(),
    }
}

/// " by the Q3 cut-off (2026-01-31) …", or at Q4 what is left to decide; it follows a verb
/// with no space, as it brings its own.
fn send_by(config: &CycleConfig, quarter: Quarter) -> String {
    match next_run(config, quarter) {
        Some((next, cutoff)) => format!(" by the {next} cut-off ({cutoff}) to count at that run"),
        None => "; there is no later run this year, so agree with Home Office finance whether Q4 is run again with it".to_owned(),
    }
}

/// The band a progress figure fell in, in the words of the explanation.
fn band_words(line: &PaymentLine, taper: &Taper) -> String {
    let (Some(progress), Some(fraction)) = (line.progress, line.fraction) else {
        return String::new();
    };
    format!(
        "progress {} of planned uplift ({})",
        percent(progress.as_decimal()),
        crate::rules::payment::band_words(progress, fraction, taper)
    )
}

/// What a force-level line is drawn from beyond the payment line.
pub(super) struct ForceFacts<'a> {
    pub force: &'a ForceId,
    pub name: &'a str,
    pub line: &'a PaymentLine,
    pub prior: Option<&'a crate::pay::ledger::Ledger>,
    pub this_quarter: ReturnState,
    pub changes: &'a [SpendChange],
}

/// The lines that come from a force's figures: recovery, withheld, NO-RETURN, allocation
/// changed, RESTATED and LATE Qk RETURN COUNTED, holds, CS > A.
pub(super) fn force_exceptions(
    facts: &ForceFacts,
    config: &CycleConfig,
    selected: &CycleSelection,
    exceptions: &mut Vec<Exception>,
) {
    let ForceFacts {
        force, name, line, ..
    } = *facts;
    let quarter = line.quarter;
    let mut add = |kind: ExceptionKind,
                   who: Actor,
                   action: String,
                   amount: Option<Money>,
                   message: String| {
        exceptions.push(Exception {
            section: Section::Action,
            force: Some(force.clone()),
            kind,
            who,
            action,
            amount,
            file: None,
            finding: None,
            message,
        });
    };
    if line.payment.is_negative() {
        let owed = -line.payment;
        add(
            ExceptionKind::Recovery,
            Actor::HomeOfficeFinance,
            format!(
                "invoice {name} for {} and record it against the grant",
                owed.to_gbp()
            ),
            Some(line.payment),
            format!(
                "the final reconciliation: entitlement to date {} is below paid to date {}; {} was overpaid and is recovered from the force",
                line.entitlement.unwrap_or(Money::ZERO).to_gbp(),
                line.paid_before.to_gbp(),
                owed.to_gbp()
            ),
        );
    }
    if let Some(withheld) = line.withheld.filter(|w| *w > Money::ZERO) {
        let action = if next_run(config, quarter).is_some() {
            format!(
                "tell {name} that {} is withheld for progress below plan; it is paid at a later run as progress rises (Q4 settles the year)",
                withheld.to_gbp()
            )
        } else {
            format!(
                "tell {name} that {} withheld at the final reconciliation is not paid",
                withheld.to_gbp()
            )
        };
        add(
            ExceptionKind::Withheld,
            Actor::HomeOfficeFinance,
            action,
            Some(withheld),
            format!(
                "{}: entitlement to date {} of profiled actuals {}; {} withheld",
                band_words(line, &config.taper),
                line.entitlement.unwrap_or(Money::ZERO).to_gbp(),
                line.profiled_actuals.unwrap_or(Money::ZERO).to_gbp(),
                withheld.to_gbp()
            ),
        );
    }
    if facts.this_quarter != ReturnState::Counted {
        let (who, action) = match facts.this_quarter {
            ReturnState::Late => (
                Actor::HomeOfficeFinance,
                format!(
                    "nothing to pay on its {quarter} spend now: the return came after the cut-off and counts at {}, which pays it",
                    next_run_words(config, quarter)
                ),
            ),
            ReturnState::Invalid => (
                Actor::Force,
                format!(
                    "send a corrected {quarter} financial return (see RETURN-INVALID){}",
                    send_by(config, quarter)
                ),
            ),
            ReturnState::Counted | ReturnState::Missing => (
                Actor::Force,
                format!(
                    "send the {quarter} financial return{}",
                    send_by(config, quarter)
                ),
            ),
        };
        add(
            ExceptionKind::NoReturn,
            who,
            action,
            None,
            format!(
                "no usable financial return for {quarter} was received by the cut-off; its spend counts as £0.00"
            ),
        );
    }
    if let Some(old) = facts
        .prior
        .and_then(|p| p.lines.get(force))
        .map(|l| l.allocation)
        .filter(|a| *a != line.allocation)
    {
        add(
            ExceptionKind::AllocationChanged,
            Actor::HomeOfficeFinance,
            "check that the allocations workbook is the one intended before approving".to_owned(),
            Some(line.allocation - old),
            format!(
                "the allocation was {} in the previous run and is {} now; check that the allocations workbook is the one intended",
                old.to_gbp(),
                line.allocation.to_gbp()
            ),
        );
    }
    for change in facts.changes {
        let (k, old, new) = (change.quarter, change.old, change.new);
        let before_words = if change.in_prior_ledger {
            format!("was {} in the previous run", old.to_gbp())
        } else {
            "was not in the previous run's ledger (counted as £0.00)".to_owned()
        };
        if change.late {
            add(
                ExceptionKind::LateCounted {
                    quarter: k,
                    old,
                    new,
                },
                Actor::HomeOfficeFinance,
                format!(
                    "check the catch-up: {k} eligible spend of {} now counts and is paid in this quarter's payment",
                    new.to_gbp()
                ),
                Some(new - old),
                format!(
                    "the {k} financial return came after {k}'s cut-off and counts now: eligible spend for {k} {before_words} and is {} now; the difference is netted in this quarter's payment",
                    new.to_gbp()
                ),
            );
        } else {
            add(
                ExceptionKind::Restated {
                    quarter: k,
                    old,
                    new,
                },
                Actor::HomeOfficeFinance,
                format!(
                    "check the restated {k} return with {name}: its eligible spend {} by {}, netted in this quarter's payment",
                    if new < old { "falls" } else { "rises" },
                    if new < old { old - new } else { new - old }.to_gbp()
                ),
                Some(new - old),
                format!(
                    "eligible spend for {k} {before_words} and is {} now; the difference is netted in this quarter's payment",
                    new.to_gbp()
                ),
            );
        }
    }
    if line.status.is_hold() {
        let (who, action) = hold_action(force, line, config, selected);
        add(
            ExceptionKind::Hold,
            who,
            action,
            None,
            format!("{}: payment held, nothing paid or recovered", line.status),
        );
    }
    if line.spend_to_date > line.allocation {
        add(
            ExceptionKind::SpendBeyondAllocation,
            Actor::HomeOfficeFinance,
            format!(
                "nothing to pay beyond the allocation: tell {name} that the excess of {} is not funded by the grant",
                (line.spend_to_date - line.allocation).to_gbp()
            ),
            Some(line.spend_to_date - line.allocation),
            format!(
                "eligible spend to date {} is beyond the allocation {}; the excess is not payable",
                line.spend_to_date.to_gbp(),
                line.allocation.to_gbp()
            ),
        );
    }
}

/// What lifts a hold: the return the force must send, or, when one came after the cut-off,
/// the run that counts it.
fn hold_action(
    force: &ForceId,
    line: &PaymentLine,
    config: &CycleConfig,
    selected: &CycleSelection,
) -> (Actor, String) {
    let end_month = line.quarter.end_month(config.year);
    let no_plan = line.status == Status::HoldNoPlan;
    let needed = if no_plan {
        "a delivery plan".to_owned()
    } else {
        format!("a monitoring return with months to {end_month}")
    };
    let lifts = |c: &Candidate| {
        if no_plan {
            c.kind == ReturnKind::Plan
        } else {
            c.kind == ReturnKind::Monitoring && c.months_to.is_some_and(|m| m >= end_month)
        }
    };
    let late = selected
        .candidates
        .iter()
        .zip(&selected.selection.outcomes)
        .find(|(c, o)| &c.force == force && c.usable && **o == Outcome::Late && lifts(c));
    match late {
        Some((candidate, _)) => (
            Actor::HomeOfficeFinance,
            format!(
                "nothing to pay now: {needed} ({}) came after the cut-off; it counts at {}, which pays what is due",
                candidate.path,
                next_run_words(config, line.quarter)
            ),
        ),
        None => (
            Actor::Force,
            format!(
                "send {needed}{}; the payment stays held until one counts",
                send_by(config, line.quarter)
            ),
        ),
    }
}
