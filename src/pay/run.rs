//! One quarter's payment run over a loaded cycle: which returns count, each force's payment
//! line, the exceptions to list beside the schedule, and the national invariants.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::cycle::config::CycleConfig;
use crate::cycle::load::LoadedFile;
use crate::domain::returns::{DeliveryPlan, FinancialReturn, MonitoringReturn, Return};
use crate::domain::{ForceId, ForceList, Money, Quarter};
use crate::findings::{Code, Finding};
use crate::layout::ReturnKind;
use crate::rules::payment::{PaymentInputs, PaymentLine, PlanFigures, compute_payment, explain};
use crate::rules::reason::{Reason, ReasonFacts, ReturnState, lead_explanation, reasons};
use crate::rules::select::{Candidate, ForceSelection, Outcome, Selection, select};

use super::ledger::Ledger;

mod exceptions;

pub use exceptions::{Actor, Exception, ExceptionKind, Section};

/// What a run reads.
#[derive(Clone, Copy, Debug)]
pub struct RunInputs<'a> {
    pub config: &'a CycleConfig,
    pub forces: &'a ForceList,
    /// One allocation per force in the allocations workbook (checked: X01, X08, X11).
    pub allocations: &'a BTreeMap<ForceId, Money>,
    /// Every file under the cycle's `returns/`, read and checked.
    pub files: &'a [LoadedFile],
    pub quarter: Quarter,
    /// The previous quarter's ledger; `None` for Q1.
    pub prior: Option<&'a Ledger>,
}

/// One force's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForceResult {
    pub force: ForceId,
    pub name: String,
    pub line: PaymentLine,
    /// Why the line is what it is, the leading reason first (never empty).
    pub reasons: Vec<Reason>,
    /// The one-sentence explanation, its leading reason named first.
    pub explanation: String,
}

/// What became of one input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputUse {
    pub path: String,
    /// The exact bytes of the path, when `path` does not spell them (a name not in UTF-8).
    pub exact: Option<Vec<u8>>,
    /// What the file is, as far as it could be read: `Financial Q2 v1`, `Monitoring to
    /// 2025-09`, `Delivery plan v2`; blank for a file that is not a recognisable return.
    pub what: String,
    pub force: Option<ForceId>,
    pub submitted_on: Option<chrono::NaiveDate>,
    pub sha256: String,
    pub bytes: u64,
    pub used: bool,
    pub reason: Option<String>,
}

/// The whole result of a quarter's run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunResult {
    pub quarter: Quarter,
    pub forces: Vec<ForceResult>,
    pub exceptions: Vec<Exception>,
    pub inputs: Vec<InputUse>,
    pub ledger: Ledger,
    /// The returns that counted, per force, for the reconciliation.
    pub counted: BTreeMap<ForceId, CountedReturns>,
}

impl RunResult {
    /// How many exceptions someone must act on: the count the Summary and the terminal give.
    /// Carried-over warnings and information are listed but not counted.
    pub fn exceptions_to_act_on(&self) -> usize {
        self.exceptions.iter().filter(|e| e.is_to_act_on()).count()
    }
}

/// The plan and monitoring return that counted for a force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountedReturns {
    pub plan: Option<DeliveryPlan>,
    pub monitoring: Option<MonitoringReturn>,
}

/// A national invariant of rules §7 broken: an internal error, nothing is written.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum InvariantBreach {
    #[error(
        "internal error: {force} would have been paid {paid} in total, more than its allocation {allocation}"
    )]
    PaidBeyondAllocation {
        force: ForceId,
        paid: Money,
        allocation: Money,
    },
    #[error(
        "internal error: the forces would have been paid {paid} in total, more than the pot {pot}"
    )]
    PaidBeyondPot { paid: Money, pot: Money },
    #[error("internal error: the allocations total {total}, not the pot {pot}")]
    AllocationsNotPot { total: Money, pot: Money },
}

/// X13 is decided by the selection among the returns submitted by the run's cut-off, not
/// over every file in the folder: a return that arrives later cannot make one that counted
/// ambiguous after the fact (rules §3).
fn is_selection_finding(finding: &Finding) -> bool {
    finding.code == Code::X13
}

fn candidate(file: &LoadedFile) -> Option<Candidate> {
    let key = &file.read.key;
    let usable = file.read.value.is_some()
        && !file
            .read
            .findings
            .iter()
            .any(|f| f.is_error() && !is_selection_finding(f));
    Some(Candidate {
        path: file.shown.clone(),
        sha256: file.sha256.clone(),
        kind: key.kind?,
        force: key.force.clone()?,
        quarter: key.quarter,
        version: key.version,
        months_to: key.months_to,
        submitted_on: key.submitted_on,
        usable,
    })
}

/// The returns that count at a quarter's cut-off, over the loaded files (rules §3).
pub struct CycleSelection<'a> {
    files: &'a [LoadedFile],
    candidates: Vec<Candidate>,
    /// For each candidate, the index of its file.
    candidate_file: Vec<usize>,
    selection: Selection,
}

impl<'a> CycleSelection<'a> {
    /// Selects among `files` what counts for a run of `quarter` at its cut-off.
    pub fn at(files: &'a [LoadedFile], config: &CycleConfig, quarter: Quarter) -> Self {
        // Files that are not recognisable returns of a known force cannot be selected.
        let mut candidates = Vec::new();
        let mut candidate_file = Vec::new();
        for (index, file) in files.iter().enumerate() {
            if let Some(c) = candidate(file) {
                candidates.push(c);
                candidate_file.push(index);
            }
        }
        let selection = select(&candidates, config.quarter(quarter).cutoff, quarter);
        CycleSelection {
            files,
            candidates,
            candidate_file,
            selection,
        }
    }

    fn value(&self, candidate_index: usize) -> Option<&'a Return> {
        self.files[self.candidate_file[candidate_index]]
            .read
            .value
            .as_ref()
    }

    fn chosen(&self, force: &ForceId) -> Option<&ForceSelection> {
        self.selection.forces.get(force)
    }

    /// The delivery plan that counts for a force.
    pub fn plan(&self, force: &ForceId) -> Option<&'a DeliveryPlan> {
        self.chosen(force)
            .and_then(|c| c.plan)
            .and_then(|i| self.value(i))
            .and_then(as_plan)
    }

    /// The monitoring return that counts for a force.
    pub fn monitoring(&self, force: &ForceId) -> Option<&'a MonitoringReturn> {
        self.chosen(force)
            .and_then(|c| c.monitoring)
            .and_then(|i| self.value(i))
            .and_then(as_monitoring)
    }

    /// What became of a force's financial return for `quarter` at this cut-off.
    pub fn financial_state(&self, force: &ForceId, quarter: Quarter) -> ReturnState {
        if self.financial(force, quarter).is_some() {
            return ReturnState::Counted;
        }
        let outcomes: Vec<&Outcome> = self
            .candidates
            .iter()
            .zip(&self.selection.outcomes)
            .filter(|(c, _)| {
                c.kind == ReturnKind::Finance && &c.force == force && c.quarter == Some(quarter)
            })
            .map(|(_, o)| o)
            .collect();
        if outcomes
            .iter()
            .any(|o| matches!(o, Outcome::Invalid | Outcome::Ambiguous { .. }))
        {
            ReturnState::Invalid
        } else if outcomes.iter().any(|o| matches!(o, Outcome::Late)) {
            ReturnState::Late
        } else {
            ReturnState::Missing
        }
    }

    /// The financial return that counts for a force and quarter.
    pub fn financial(&self, force: &ForceId, quarter: Quarter) -> Option<&'a FinancialReturn> {
        self.chosen(force)
            .and_then(|c| c.finance.get(&quarter).copied())
            .and_then(|i| self.value(i))
            .and_then(as_financial)
    }
}

/// Runs quarter `inputs.quarter`.
pub fn run_quarter(inputs: &RunInputs) -> Result<RunResult, InvariantBreach> {
    let config = inputs.config;
    let quarter = inputs.quarter;
    let end_month = quarter.end_month(config.year);
    let selected = CycleSelection::at(inputs.files, config, quarter);
    // What the previous run counted, to tell a late return now counted from a restatement.
    let previously = quarter
        .previous()
        .map(|q| CycleSelection::at(inputs.files, config, q));

    let mut exceptions = Vec::new();
    let mut forces = Vec::new();
    let mut ledger = Ledger {
        quarter: Some(quarter),
        lines: BTreeMap::new(),
    };
    let mut counted = BTreeMap::new();
    for (force, &allocation) in inputs.allocations {
        let name = inputs
            .forces
            .get(force)
            .map_or_else(|| force.to_string(), |f| f.name.clone());
        let plan = selected.plan(force);
        let monitoring = selected.monitoring(force);
        let spend: Vec<Money> = Quarter::ALL
            .into_iter()
            .filter(|k| *k <= quarter)
            .map(|k| {
                selected
                    .financial(force, k)
                    .map_or(Money::ZERO, |f| eligible_spend(f, config))
            })
            .collect();
        // A counted plan always has all twelve months (X03); were one missing, the force
        // is held rather than judged against a level nobody planned.
        let plan_figures = plan.and_then(|plan| {
            Some(PlanFigures {
                profiled_spend_to_date: plan
                    .months
                    .iter()
                    .filter(|m| m.month <= end_month)
                    .map(|m| m.planned_spend)
                    .sum(),
                baseline: plan.baseline(),
                planned_level: plan.month(end_month)?.neighbourhood_fte(),
            })
        });
        let actual_level = monitoring
            .filter(|m| m.months_to >= end_month)
            .and_then(|m| m.month(end_month))
            .map(|m| m.neighbourhood_fte());
        let paid_before = inputs
            .prior
            .and_then(|p| p.lines.get(force))
            .map_or(Money::ZERO, |l| l.paid_after);
        let line = compute_payment(
            &PaymentInputs {
                quarter,
                allocation,
                spend: spend.clone(),
                plan: plan_figures,
                actual_level,
                paid_before,
            },
            &config.taper,
        );
        let this_quarter = selected.financial_state(force, quarter);
        let changes = spend_changes(force, &line, inputs.prior, previously.as_ref());
        exceptions::force_exceptions(
            &exceptions::ForceFacts {
                force,
                name: &name,
                line: &line,
                prior: inputs.prior,
                this_quarter,
                changes: &changes,
            },
            config,
            &selected,
            &mut exceptions,
        );
        let facts = ReasonFacts {
            this_quarter,
            late_counted: changes
                .iter()
                .filter(|c| c.late)
                .map(|c| (c.quarter, c.old, c.new))
                .collect(),
            restated: changes
                .iter()
                .filter(|c| !c.late)
                .map(|c| (c.quarter, c.old, c.new))
                .collect(),
        };
        let reasons = reasons(&line, &facts);
        let explanation = lead_explanation(&reasons, &explain(&line, &config.taper));
        ledger.lines.insert(force.clone(), line.clone());
        counted.insert(
            force.clone(),
            CountedReturns {
                plan: plan.cloned(),
                monitoring: monitoring.cloned(),
            },
        );
        forces.push(ForceResult {
            force: force.clone(),
            name,
            line,
            reasons,
            explanation,
        });
    }

    exceptions::file_exceptions(inputs, &selected, &mut exceptions);
    exceptions::sort(&mut exceptions);

    let inputs_used = input_uses(&selected);
    check_invariants(config.pot, inputs.allocations, &ledger)?;
    Ok(RunResult {
        quarter,
        forces,
        exceptions,
        inputs: inputs_used,
        ledger,
        counted,
    })
}

fn as_plan(value: &Return) -> Option<&DeliveryPlan> {
    match value {
        Return::Plan(plan) => Some(plan),
        _ => None,
    }
}

fn as_monitoring(value: &Return) -> Option<&MonitoringReturn> {
    match value {
        Return::Monitoring(monitoring) => Some(monitoring),
        _ => None,
    }
}

fn as_financial(value: &Return) -> Option<&FinancialReturn> {
    match value {
        Return::Financial(financial) => Some(financial),
        _ => None,
    }
}

/// `S_k`: `Actual this quarter` summed over the eligible categories of `cycle.toml`.
pub fn eligible_spend(financial: &FinancialReturn, config: &CycleConfig) -> Money {
    financial
        .lines
        .iter()
        .filter(|l| {
            config
                .category(l.category.as_str())
                .is_some_and(|c| c.eligible)
        })
        .map(|l| l.actual)
        .sum()
}

/// An earlier quarter's eligible spend that differs from the previous run's ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SpendChange {
    quarter: Quarter,
    old: Money,
    new: Money,
    /// The previous run counted no return for that quarter: a late return caught up.
    late: bool,
    /// Whether the force was in the previous run's ledger at all.
    in_prior_ledger: bool,
}

/// Each earlier quarter whose eligible spend differs from the previous run's ledger. A change
/// is a late return counted when, at the previous quarter's cut-off, no return for that quarter
/// counted; otherwise it is a restatement (a later version, or a corrected one).
fn spend_changes(
    force: &ForceId,
    line: &PaymentLine,
    prior: Option<&Ledger>,
    previously: Option<&CycleSelection>,
) -> Vec<SpendChange> {
    let Some(prior) = prior else {
        return Vec::new();
    };
    let before = prior.lines.get(force);
    Quarter::ALL
        .into_iter()
        .enumerate()
        .filter(|(_, k)| *k < line.quarter)
        .filter_map(|(index, k)| {
            let old = before
                .and_then(|l| l.spend.get(index))
                .copied()
                .unwrap_or(Money::ZERO);
            let new = line.spend.get(index).copied().unwrap_or(Money::ZERO);
            (old != new).then(|| SpendChange {
                quarter: k,
                old,
                new,
                late: previously.is_some_and(|p| p.financial(force, k).is_none()),
                in_prior_ledger: before.is_some(),
            })
        })
        .collect()
}

fn input_uses(selected: &CycleSelection) -> Vec<InputUse> {
    let mut outcome_of: BTreeMap<usize, &Outcome> = BTreeMap::new();
    for (index, outcome) in selected.selection.outcomes.iter().enumerate() {
        outcome_of.insert(selected.candidate_file[index], outcome);
    }
    selected
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let (used, reason) = match outcome_of.get(&index) {
                Some(Outcome::Used) => (true, None),
                Some(outcome) => (false, outcome.reason()),
                None => (false, Some(not_a_return_reason(file))),
            };
            let key = &file.read.key;
            InputUse {
                path: file.shown.clone(),
                exact: file.exact.clone(),
                what: describe_return(key),
                force: key.force.clone(),
                submitted_on: key.submitted_on,
                sha256: file.sha256.clone(),
                bytes: file.bytes,
                used,
                reason,
            }
        })
        .collect()
}

/// What a return is, in a few words, from what its About sheet says.
fn describe_return(key: &crate::read::returns::ReturnKey) -> String {
    let version = key.version.map_or_else(String::new, |v| format!(" v{v}"));
    match key.kind {
        Some(ReturnKind::Plan) => format!("Delivery plan{version}"),
        Some(ReturnKind::Monitoring) => match key.months_to {
            Some(m) => format!("Monitoring to {m}"),
            None => "Monitoring".to_owned(),
        },
        Some(ReturnKind::Finance) => match key.quarter {
            Some(q) => format!("Financial {q}{version}"),
            None => format!("Financial{version}"),
        },
        None => String::new(),
    }
}

fn not_a_return_reason(file: &LoadedFile) -> String {
    match file.read.findings.iter().find(|f| f.is_error()) {
        Some(finding) => format!("not usable: {} {}", finding.code, finding.message),
        None => "not a return of a force in the allocations".to_owned(),
    }
}

/// Rules §7: every `paid_after ≤ A`, `Σ paid_after ≤ pot`, `Σ A = pot`.
pub fn check_invariants(
    pot: Money,
    allocations: &BTreeMap<ForceId, Money>,
    ledger: &Ledger,
) -> Result<(), InvariantBreach> {
    let total: Money = allocations.values().sum();
    if total != pot {
        return Err(InvariantBreach::AllocationsNotPot { total, pot });
    }
    for (force, line) in &ledger.lines {
        if line.paid_after > line.allocation {
            return Err(InvariantBreach::PaidBeyondAllocation {
                force: force.clone(),
                paid: line.paid_after,
                allocation: line.allocation,
            });
        }
    }
    let paid: Money = ledger.lines.values().map(|l| l.paid_after).sum();
    if paid > pot {
        return Err(InvariantBreach::PaidBeyondPot { paid, pot });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::ledger::Ledger;
    use crate::rules::payment::Status;

    fn line(allocation: i64, paid_after: i64) -> PaymentLine {
        PaymentLine {
            quarter: Quarter::Q1,
            allocation: Money::pounds(allocation),
            spend: vec![Money::ZERO],
            spend_to_date: Money::ZERO,
            profiled_spend_to_date: None,
            profiled_actuals: None,
            progress: None,
            fraction: None,
            entitlement: None,
            paid_before: Money::ZERO,
            payment: Money::pounds(paid_after),
            paid_after: Money::pounds(paid_after),
            withheld: None,
            remaining: Money::pounds(allocation - paid_after),
            status: Status::Pay,
        }
    }

    fn setup(a: (i64, i64), b: (i64, i64)) -> (BTreeMap<ForceId, Money>, Ledger) {
        let mut allocations = BTreeMap::new();
        let mut ledger = Ledger {
            quarter: Some(Quarter::Q1),
            lines: BTreeMap::new(),
        };
        for (name, (allocation, paid)) in [("a", a), ("b", b)] {
            let force: ForceId = name.parse().unwrap();
            allocations.insert(force.clone(), Money::pounds(allocation));
            ledger.lines.insert(force, line(allocation, paid));
        }
        (allocations, ledger)
    }

    #[test]
    fn the_national_invariants_hold_or_are_a_breach() {
        let (allocations, ledger) = setup((60, 60), (40, 10));
        assert_eq!(
            check_invariants(Money::pounds(100), &allocations, &ledger),
            Ok(())
        );
        let err = check_invariants(Money::pounds(101), &allocations, &ledger).unwrap_err();
        assert!(
            matches!(err, InvariantBreach::AllocationsNotPot { .. }),
            "{err}"
        );
        let (allocations, ledger) = setup((60, 61), (40, 0));
        let err = check_invariants(Money::pounds(100), &allocations, &ledger).unwrap_err();
        assert_eq!(
            err.to_string(),
            "internal error: a would have been paid 61.00 in total, more than its allocation 60.00"
        );
    }
}
