//! The exceptions that come from the cycle's files: unusable, ambiguous and late returns, and
//! the warnings of the returns a run considered (in full once, then carried over).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::cycle::config::CycleConfig;
use crate::cycle::load::LoadedFile;
use crate::domain::returns::Return;
use crate::domain::{ForceId, Money, Month, Quarter};
use crate::findings::{Code, Finding, Severity};
use crate::layout::ReturnKind;
use crate::rules::select::{Candidate, Outcome};
use crate::rules::validate::cycle::{ambiguous_at_cutoff, received_late};

use super::super::{CycleSelection, RunInputs, eligible_spend, is_selection_finding};
use super::{Actor, Exception, ExceptionKind, Section, next_run_words, send_by};

/// Whether a late return concerns what this run covers (and so belongs in Exceptions, not
/// only in Inputs): a plan, a financial return for a quarter up to the run's, or a
/// monitoring return reaching no further than the run's quarter-end month.
fn late_matters(candidate: &Candidate, end_month: Month) -> bool {
    match candidate.kind {
        ReturnKind::Plan | ReturnKind::Finance => true,
        ReturnKind::Monitoring => candidate.months_to.is_some_and(|m| m <= end_month),
    }
}

/// The quarter a return first shows in: the first run that considers it, the first whose
/// cut-off it was submitted by (and, for a financial return, not before its own quarter, as
/// earlier runs do not look at it). A return without a date shows first in the run's quarter.
fn first_quarter(config: &CycleConfig, candidate: &Candidate, run: Quarter) -> Quarter {
    let by_cutoff = candidate.submitted_on.and_then(|date| {
        Quarter::ALL
            .into_iter()
            .find(|q| date <= config.quarter(*q).cutoff)
    });
    match (by_cutoff, candidate.kind) {
        (None, _) => run,
        (Some(q), ReturnKind::Finance) => q.max(candidate.quarter.unwrap_or(q)).min(run),
        (Some(q), _) => q.min(run),
    }
}

/// What the force does about a warning, by its code.
fn warning_action(code: Code) -> String {
    match code {
        Code::X10 => "check the forecast for the rest of the year in the next financial return: spend beyond the allocation is not paid",
        Code::X06 => "say in Notes what the ineligible spending was, in the next financial return",
        Code::C09 => "check the neighbourhood FTE figures and correct them in the next monitoring return if they are wrong",
        Code::F05 => "name the file as its About sheet says in future returns",
        _ => "check the finding and correct the return if it is wrong",
    }
    .to_owned()
}

/// A late file's section, who acts and what they do: information when another usable return
/// for that period counted and the late one would not change a figure paid on; an action
/// otherwise (the run went without it, or it restates a quarter paid now).
fn late_line(
    inputs: &RunInputs,
    selected: &CycleSelection,
    candidate: &Candidate,
    file: &LoadedFile,
) -> (Section, Actor, String, Option<Money>) {
    let config = inputs.config;
    let quarter = inputs.quarter;
    let end_month = quarter.end_month(config.year);
    let next = next_run_words(config, quarter);
    let force = &candidate.force;
    let stands = |what: &str| {
        (
            Section::Information,
            Actor::NoOne,
            format!("none: {what} that counted stands for this run"),
            None,
        )
    };
    match candidate.kind {
        ReturnKind::Finance => {
            let Some(k) = candidate.quarter else {
                return stands("the return");
            };
            let Some(counted) = selected.financial(force, k) else {
                return (
                    Section::Action,
                    Actor::HomeOfficeFinance,
                    format!("nothing to pay on it now: it counts at {next}, which pays its spend"),
                    None,
                );
            };
            let late = match &file.read.value {
                Some(Return::Financial(late)) if candidate.usable => late,
                _ => return stands(&format!("the {k} return")),
            };
            let (old, new) = (
                eligible_spend(counted, config),
                eligible_spend(late, config),
            );
            // Another usable return for the quarter counted, so the late one is information
            // (issue 13), even when it will restate the quarter at the next run: that run
            // lists the restatement as an exception of its own.
            if late.version > counted.version && old != new {
                (
                    Section::Information,
                    Actor::NoOne,
                    format!(
                        "none now: v{} counts for this run; v{} replaces it at {next}, where {k} eligible spend goes from {} to {} and the difference is netted",
                        counted.version,
                        late.version,
                        old.to_gbp(),
                        new.to_gbp()
                    ),
                    Some(new - old),
                )
            } else {
                stands(&format!("the {k} return v{}", counted.version))
            }
        }
        ReturnKind::Plan => match selected.plan(force) {
            Some(plan) => (
                Section::Information,
                Actor::NoOne,
                format!(
                    "none now: plan v{} counts for this run; this plan counts from {next}",
                    plan.version
                ),
                None,
            ),
            None => (
                Section::Action,
                Actor::HomeOfficeFinance,
                format!("nothing to pay now: it counts at {next}, which lifts the hold"),
                None,
            ),
        },
        ReturnKind::Monitoring => {
            if selected
                .monitoring(force)
                .is_some_and(|m| m.months_to >= end_month)
            {
                stands("the monitoring return")
            } else {
                (
                    Section::Action,
                    Actor::HomeOfficeFinance,
                    format!("nothing to pay now: it counts at {next}, which lifts the hold"),
                    None,
                )
            }
        }
    }
}

/// Where a finding asks the force to correct: `Expenditure!C6`, a sheet, or the return.
fn correct_where(finding: &Finding) -> String {
    match (&finding.location.sheet, finding.location.a1()) {
        (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
        (Some(sheet), None) => format!("the {sheet} sheet"),
        _ => "the return".to_owned(),
    }
}

/// The lines that come from files: invalid, ambiguous and late returns, unreadable files,
/// and the warnings of every return the run considered (in full in the quarter a force's
/// warning of that code first shows, then one carried-over line per force and code).
pub(in crate::pay::run) fn file_exceptions(
    inputs: &RunInputs,
    selected: &CycleSelection,
    exceptions: &mut Vec<Exception>,
) {
    let config = inputs.config;
    let quarter = inputs.quarter;
    let end_month = quarter.end_month(config.year);
    let mut outcome_of: BTreeMap<usize, (&Outcome, &Candidate)> = BTreeMap::new();
    for (index, outcome) in selected.selection.outcomes.iter().enumerate() {
        outcome_of.insert(
            selected.candidate_file[index],
            (outcome, &selected.candidates[index]),
        );
    }
    // Warnings by force and code: (first quarter shown, submitted on, file, finding).
    type Shown<'f> = (Quarter, Option<NaiveDate>, &'f LoadedFile, Finding);
    let mut warnings: BTreeMap<(ForceId, Code), Vec<Shown>> = BTreeMap::new();
    for (index, file) in inputs.files.iter().enumerate() {
        let force = file.read.key.force.clone();
        let line = |section: Section,
                    kind: ExceptionKind,
                    who: Actor,
                    action: String,
                    amount: Option<Money>,
                    finding: Finding| Exception {
            section,
            force: force.clone(),
            kind,
            who,
            action,
            amount,
            file: Some(file.shown.clone()),
            message: finding.message.clone(),
            finding: Some(finding),
        };
        let findings = || {
            file.read
                .findings
                .iter()
                .filter(|f| !is_selection_finding(f))
                .cloned()
        };
        let next_version = |c: &Candidate| c.version.map_or(2, |v| v + 1);
        match outcome_of.get(&index) {
            None => {
                // Not a return of any known force: unreadable, unclassified or X01.
                for finding in findings() {
                    let (who, action) = if force.is_some() {
                        (
                            Actor::Force,
                            format!(
                                "correct {} and send the return again{}",
                                correct_where(&finding),
                                send_by(config, quarter)
                            ),
                        )
                    } else {
                        (
                            Actor::HomeOfficeFinance,
                            "find out what the file is: it is not a usable return of a force in the allocations; remove it from returns/ or have the sender correct it".to_owned(),
                        )
                    };
                    exceptions.push(line(
                        Section::Action,
                        ExceptionKind::ReturnInvalid,
                        who,
                        action,
                        None,
                        finding,
                    ));
                }
            }
            Some((Outcome::NotDue, _)) => {}
            Some((Outcome::Late, candidate)) => {
                if late_matters(candidate, end_month) {
                    let cutoff = config.quarter(quarter).cutoff;
                    let finding = received_late(&file.shown, candidate.submitted_on, cutoff);
                    let (section, who, action, amount) =
                        late_line(inputs, selected, candidate, file);
                    exceptions.push(line(
                        section,
                        ExceptionKind::Late,
                        who,
                        action,
                        amount,
                        finding,
                    ));
                }
            }
            Some((Outcome::Invalid, candidate)) => {
                for finding in findings().filter(|f| f.severity == Severity::Error) {
                    let action = format!(
                        "correct {} and send the return again as v{}{}",
                        correct_where(&finding),
                        next_version(candidate),
                        send_by(config, quarter)
                    );
                    exceptions.push(line(
                        Section::Action,
                        ExceptionKind::ReturnInvalid,
                        Actor::Force,
                        action,
                        None,
                        finding,
                    ));
                }
            }
            Some((Outcome::Ambiguous { with: other }, candidate)) => {
                let finding = ambiguous_at_cutoff(&file.shown, other);
                let action = format!(
                    "send one return as v{} to replace both (neither counts while two different returns claim one version){}",
                    next_version(candidate),
                    send_by(config, quarter)
                );
                exceptions.push(line(
                    Section::Action,
                    ExceptionKind::Ambiguous,
                    Actor::Force,
                    action,
                    None,
                    finding,
                ));
            }
            Some((
                Outcome::Used | Outcome::Superseded { .. } | Outcome::Duplicate { .. },
                candidate,
            )) => {
                let first = first_quarter(config, candidate, quarter);
                for finding in findings() {
                    warnings
                        .entry((candidate.force.clone(), finding.code))
                        .or_default()
                        .push((first, candidate.submitted_on, file, finding));
                }
            }
        }
    }
    for ((force, code), mut shown) in warnings {
        let from = shown.iter().map(|s| s.0).min().unwrap_or(quarter);
        let warning =
            |section: Section, file: &LoadedFile, finding: Finding, message: String| Exception {
                section,
                force: Some(force.clone()),
                kind: ExceptionKind::Finding,
                who: Actor::Force,
                action: warning_action(code),
                amount: None,
                file: Some(file.shown.clone()),
                finding: Some(finding),
                message,
            };
        if from == quarter {
            for (_, _, file, finding) in shown {
                let message = finding.message.clone();
                exceptions.push(warning(Section::Action, file, finding, message));
            }
        } else {
            // One line for the force and code: the latest return's finding, as it now reads.
            shown.sort_by(|a, b| (a.1, &a.2.shown).cmp(&(b.1, &b.2.shown)));
            if let Some((_, _, file, finding)) = shown.pop() {
                let message = format!(
                    "carried over from {from} (listed in full at the {from} run), not counted; latest: {}",
                    finding.message
                );
                exceptions.push(warning(
                    Section::CarriedOver { from },
                    file,
                    finding,
                    message,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CycleConfig {
        let text = include_str!("../../../../fixtures/2025-26/cycle.toml");
        CycleConfig::parse(text, "cycle.toml").unwrap()
    }

    fn candidate(kind: ReturnKind, quarter: Option<Quarter>, submitted: &str) -> Candidate {
        Candidate {
            path: "r.xlsx".to_owned(),
            sha256: String::new(),
            kind,
            force: "kent".parse().unwrap(),
            quarter,
            version: Some(1),
            months_to: None,
            submitted_on: NaiveDate::parse_from_str(submitted, "%Y-%m-%d").ok(),
            usable: true,
        }
    }

    #[test]
    fn a_return_first_shows_at_the_first_run_that_considers_it() {
        let config = config();
        let first = |c: &Candidate, run| first_quarter(&config, c, run);
        // Submitted by Q1's cut-off (2025-07-31), inclusive: first shown at Q1.
        let q1 = candidate(ReturnKind::Finance, Some(Quarter::Q1), "2025-07-31");
        assert_eq!(first(&q1, Quarter::Q3), Quarter::Q1);
        // A day later: Q2's run is the first to see it.
        let late = candidate(ReturnKind::Finance, Some(Quarter::Q1), "2025-08-01");
        assert_eq!(first(&late, Quarter::Q3), Quarter::Q2);
        // A Q2 return sent early is not looked at before the Q2 run.
        let early = candidate(ReturnKind::Finance, Some(Quarter::Q2), "2025-07-20");
        assert_eq!(first(&early, Quarter::Q4), Quarter::Q2);
        // A plan approved before the year is shown from Q1.
        let plan = candidate(ReturnKind::Plan, None, "2025-03-26");
        assert_eq!(first(&plan, Quarter::Q2), Quarter::Q1);
        // No date: the run's own quarter.
        let undated = candidate(ReturnKind::Monitoring, None, "not a date");
        assert_eq!(first(&undated, Quarter::Q3), Quarter::Q3);
    }
}
