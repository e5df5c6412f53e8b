//! Delivery against plan (rules §6): each force's planned and actual workforce month by
//! month, the variances, progress and RAG, the contextual measures, and the national rows.

use rust_decimal::Decimal;

use crate::domain::returns::{DeliveryPlan, MonitoringMonth, MonitoringReturn, PlanMonth};
use crate::domain::{ForceId, Fte, Headcount, Month, PayFraction, Progress, Ratio};

use super::taper::{Rag, Taper, progress};

/// One force's workforce at a month end: officers, PCSOs and specials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Levels {
    pub officers: Fte,
    pub pcsos: Fte,
    pub specials: Headcount,
}

impl Levels {
    /// The delivery measure: officers + PCSOs (rules §5).
    pub fn neighbourhood(&self) -> Fte {
        self.officers + self.pcsos
    }
}

impl From<&PlanMonth> for Levels {
    fn from(m: &PlanMonth) -> Levels {
        Levels {
            officers: m.officers,
            pcsos: m.pcsos,
            specials: m.specials,
        }
    }
}

impl From<&MonitoringMonth> for Levels {
    fn from(m: &MonitoringMonth) -> Levels {
        Levels {
            officers: m.officers,
            pcsos: m.pcsos,
            specials: m.specials,
        }
    }
}

/// A variance `actual − planned` and, where something was planned, `variance / planned`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variance<T> {
    pub amount: T,
    /// `round4(variance / planned)`; `None` where planned is 0.
    pub percent: Option<Ratio>,
}

fn fte_variance(actual: Fte, planned: Fte) -> Variance<Fte> {
    let amount = actual - planned;
    Variance {
        amount,
        percent: Ratio::of(amount.as_decimal(), planned.as_decimal()),
    }
}

fn headcount_variance(actual: Headcount, planned: Headcount) -> Variance<i64> {
    let amount = actual.difference(planned);
    Variance {
        amount,
        percent: Ratio::of(Decimal::from(amount), Decimal::from(planned.get())),
    }
}

/// The variances of a month where both a plan and a monitoring row exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variances {
    pub officers: Variance<Fte>,
    pub pcsos: Variance<Fte>,
    pub specials: Variance<i64>,
    pub neighbourhood: Variance<Fte>,
}

/// Progress against the plan at a month, and what the taper makes of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// `Ua(m)`.
    pub actual_uplift: Fte,
    /// `P(m)`.
    pub progress: Progress,
    pub fraction: PayFraction,
    pub rag: Rag,
}

/// The contextual measures a monitoring row reports (blank where not reported).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    pub queries_received: Option<Headcount>,
    pub responded_72h: Option<Headcount>,
    /// `round4(responded within 72 h / queries received)`; `None` where none were received.
    pub response_rate: Option<Ratio>,
    /// As reported, on a 0–100 scale.
    pub abstraction_rate: Option<Decimal>,
}

/// One force in one month (a row of the Monthly sheet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthLine {
    pub force: ForceId,
    pub month: Month,
    /// `L0`; `None` when no plan counts.
    pub baseline: Option<Fte>,
    /// The plan's month-end levels; `None` when no plan counts.
    pub planned: Option<Levels>,
    /// The monitoring return's levels; `None` when the month is not reported.
    pub actual: Option<Levels>,
    /// `Up(m)`; `None` when no plan counts.
    pub planned_uplift: Option<Fte>,
    /// Both a plan and a monitoring row.
    pub variances: Option<Variances>,
    pub assessment: Option<Assessment>,
    pub context: Context,
}

/// The national figures of one month, over the forces with both a plan and a monitoring
/// row for it (a row of the National sheet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NationalLine {
    pub month: Month,
    /// How many forces the sums cover; 0 means the month is not reported anywhere.
    pub forces_counted: usize,
    pub planned: NationalLevels,
    pub actual: NationalLevels,
    pub planned_uplift: Fte,
    pub actual_uplift: Fte,
    /// `None` when no force is counted.
    pub assessment: Option<Assessment>,
}

/// Summed officers, PCSOs and neighbourhood FTE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NationalLevels {
    pub officers: Fte,
    pub pcsos: Fte,
    pub neighbourhood: Fte,
}

/// The whole reconciliation up to a month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    /// The months covered, April to the requested month.
    pub months: Vec<Month>,
    /// Force by force (in the order given), month by month.
    pub lines: Vec<MonthLine>,
    pub national: Vec<NationalLine>,
}

impl Reconciliation {
    /// A force's line at a month.
    pub fn line(&self, force: &ForceId, month: Month) -> Option<&MonthLine> {
        self.lines
            .iter()
            .find(|l| &l.force == force && l.month == month)
    }

    /// The last month covered.
    pub fn last_month(&self) -> Option<Month> {
        self.months.last().copied()
    }
}

/// What one force brings to the reconciliation: the plan and monitoring return that count.
#[derive(Clone, Copy, Debug)]
pub struct ForceReturns<'a> {
    pub force: &'a ForceId,
    pub plan: Option<&'a DeliveryPlan>,
    pub monitoring: Option<&'a MonitoringReturn>,
}

fn assess(actual: Fte, planned: Fte, baseline: Fte, taper: &Taper) -> Assessment {
    let actual_uplift = actual - baseline;
    let progress = progress(actual_uplift, planned - baseline);
    let fraction = taper.fraction_for(progress);
    Assessment {
        actual_uplift,
        progress,
        fraction,
        rag: Rag::of(fraction),
    }
}

/// One force's line for one month.
pub fn month_line(returns: &ForceReturns, month: Month, taper: &Taper) -> MonthLine {
    let baseline = returns.plan.map(DeliveryPlan::baseline);
    let planned: Option<Levels> = returns.plan.and_then(|p| p.month(month)).map(Levels::from);
    // Rows after `Months to` are blank by the reader's checks; never count them.
    let reported = returns
        .monitoring
        .filter(|m| month <= m.months_to)
        .and_then(|m| m.month(month));
    let actual: Option<Levels> = reported.map(Levels::from);
    let planned_uplift = match (planned, baseline) {
        (Some(p), Some(l0)) => Some(p.neighbourhood() - l0),
        _ => None,
    };
    let (variances, assessment) = match (planned, actual, baseline) {
        (Some(p), Some(a), Some(l0)) => (
            Some(Variances {
                officers: fte_variance(a.officers, p.officers),
                pcsos: fte_variance(a.pcsos, p.pcsos),
                specials: headcount_variance(a.specials, p.specials),
                neighbourhood: fte_variance(a.neighbourhood(), p.neighbourhood()),
            }),
            Some(assess(a.neighbourhood(), p.neighbourhood(), l0, taper)),
        ),
        _ => (None, None),
    };
    let context = reported.map_or_else(Context::default, |m| Context {
        queries_received: m.queries_received,
        responded_72h: m.responded_72h,
        response_rate: match (m.responded_72h, m.queries_received) {
            (Some(r), Some(q)) => Ratio::of(Decimal::from(r.get()), Decimal::from(q.get())),
            _ => None,
        },
        abstraction_rate: m.abstraction_rate,
    });
    MonthLine {
        force: returns.force.clone(),
        month,
        baseline,
        planned,
        actual,
        planned_uplift,
        variances,
        assessment,
        context,
    }
}

/// The reconciliation of `forces` over `months` (rules §6).
pub fn reconcile(forces: &[ForceReturns], months: &[Month], taper: &Taper) -> Reconciliation {
    let lines: Vec<MonthLine> = forces
        .iter()
        .flat_map(|f| months.iter().map(move |&m| month_line(f, m, taper)))
        .collect();
    let national = months
        .iter()
        .map(|&month| national_line(&lines, month, taper))
        .collect();
    Reconciliation {
        months: months.to_vec(),
        lines,
        national,
    }
}

fn national_line(lines: &[MonthLine], month: Month, taper: &Taper) -> NationalLine {
    let mut planned = NationalLevels::default();
    let mut actual = NationalLevels::default();
    let mut planned_uplift = Fte::ZERO;
    let mut actual_uplift = Fte::ZERO;
    let mut baseline = Fte::ZERO;
    let mut forces_counted = 0;
    for line in lines.iter().filter(|l| l.month == month) {
        // Only forces with both a plan and a monitoring row for the month count (rules §6).
        let (Some(p), Some(a), Some(l0)) = (line.planned, line.actual, line.baseline) else {
            continue;
        };
        forces_counted += 1;
        planned.officers = planned.officers + p.officers;
        planned.pcsos = planned.pcsos + p.pcsos;
        planned.neighbourhood = planned.neighbourhood + p.neighbourhood();
        actual.officers = actual.officers + a.officers;
        actual.pcsos = actual.pcsos + a.pcsos;
        actual.neighbourhood = actual.neighbourhood + a.neighbourhood();
        planned_uplift = planned_uplift + (p.neighbourhood() - l0);
        actual_uplift = actual_uplift + (a.neighbourhood() - l0);
        baseline = baseline + l0;
    }
    let assessment = (forces_counted > 0)
        .then(|| assess(actual.neighbourhood, planned.neighbourhood, baseline, taper));
    NationalLine {
        month,
        forces_counted,
        planned,
        actual,
        planned_uplift,
        actual_uplift,
        assessment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::returns::ReturnHeader;
    use crate::domain::{FinancialYear, Money};
    use chrono::NaiveDate;

    fn year() -> FinancialYear {
        "2025-26".parse().unwrap()
    }

    fn header(force: &str) -> ReturnHeader {
        ReturnHeader {
            force: force.parse().unwrap(),
            force_name: force.to_owned(),
            year: year(),
            prepared_by: "x".into(),
            submitted_on: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
        }
    }

    fn fte(text: &str) -> Fte {
        text.parse().unwrap()
    }

    fn count(n: u32) -> Headcount {
        Headcount::new(n).unwrap()
    }

    /// A plan with baseline 300 officers + 150 PCSOs, officers growing by `growth` a month.
    fn plan(force: &str, growth: &str, specials: u32) -> DeliveryPlan {
        DeliveryPlan {
            header: header(force),
            version: 1,
            baseline_officers: fte("300"),
            baseline_pcsos: fte("150"),
            baseline_specials: count(specials),
            approved_by: "x".into(),
            months: year()
                .months()
                .enumerate()
                .map(|(i, month)| PlanMonth {
                    month,
                    officers: fte("300")
                        + Fte::from_exact(fte(growth).as_decimal() * Decimal::from(i as u32 + 1))
                            .unwrap(),
                    pcsos: fte("150"),
                    specials: count(specials),
                    planned_spend: Money::pounds(1),
                })
                .collect(),
        }
    }

    fn monitoring(force: &str, officers: &[&str], months_to: &str) -> MonitoringReturn {
        let months_to: Month = months_to.parse().unwrap();
        MonitoringReturn {
            header: header(force),
            months_to,
            months: year()
                .months()
                .zip(officers)
                .map(|(month, o)| MonitoringMonth {
                    month,
                    officers: fte(o),
                    pcsos: fte("150"),
                    specials: count(8),
                    queries_received: Some(count(40)),
                    responded_72h: Some(count(36)),
                    abstraction_rate: Some(Decimal::new(125, 1)),
                })
                .collect(),
        }
    }

    fn months(to: &str) -> Vec<Month> {
        let to: Month = to.parse().unwrap();
        year().months().filter(|m| *m <= to).collect()
    }

    #[test]
    fn a_force_month_has_its_variances_progress_and_context() {
        let force: ForceId = "a".parse().unwrap();
        let p = plan("a", "5", 10);
        let m = monitoring("a", &["304", "309", "314"], "2025-06");
        let returns = [ForceReturns {
            force: &force,
            plan: Some(&p),
            monitoring: Some(&m),
        }];
        let r = reconcile(&returns, &months("2025-06"), &Taper::default_npg());
        let june = r.line(&force, "2025-06".parse().unwrap()).unwrap();
        // Planned 315 officers, actual 314: Up = 15, Ua = 14, P = 14/15 = 0.9333 → 0.70.
        let v = june.variances.unwrap();
        assert_eq!(v.officers.amount, fte("-1"));
        assert_eq!(v.officers.percent.unwrap().to_string(), "-0.0032");
        assert_eq!(v.pcsos.amount, fte("0"));
        assert_eq!(v.specials.amount, -2);
        assert_eq!(v.specials.percent.unwrap().to_string(), "-0.2000");
        assert_eq!(v.neighbourhood.amount, fte("-1"));
        assert_eq!(june.planned_uplift, Some(fte("15")));
        let a = june.assessment.unwrap();
        assert_eq!(a.actual_uplift, fte("14"));
        assert_eq!(a.progress.to_string(), "0.9333");
        assert_eq!(a.fraction.to_string(), "0.70");
        assert_eq!(a.rag, Rag::Amber);
        assert_eq!(june.context.response_rate.unwrap().to_string(), "0.9000");
        assert_eq!(june.context.abstraction_rate, Some(Decimal::new(125, 1)));
    }

    #[test]
    fn variance_percent_is_blank_where_nothing_was_planned() {
        let force: ForceId = "a".parse().unwrap();
        let p = plan("a", "5", 0);
        let m = monitoring("a", &["305"], "2025-04");
        let returns = [ForceReturns {
            force: &force,
            plan: Some(&p),
            monitoring: Some(&m),
        }];
        let r = reconcile(&returns, &months("2025-04"), &Taper::default_npg());
        let v = r.lines[0].variances.unwrap();
        assert_eq!(v.specials.amount, 8);
        assert_eq!(v.specials.percent, None);
    }

    #[test]
    fn a_month_without_a_monitoring_row_is_not_reported_never_zero() {
        let force: ForceId = "a".parse().unwrap();
        let p = plan("a", "5", 10);
        let m = monitoring("a", &["304", "309"], "2025-05");
        let returns = [ForceReturns {
            force: &force,
            plan: Some(&p),
            monitoring: Some(&m),
        }];
        let r = reconcile(&returns, &months("2025-06"), &Taper::default_npg());
        let june = r.line(&force, "2025-06".parse().unwrap()).unwrap();
        assert_eq!(june.actual, None);
        assert_eq!((june.variances, june.assessment), (None, None));
        assert_eq!(june.context, Context::default());
        assert_eq!(june.planned_uplift, Some(fte("15")), "the plan still shows");
        let national = &r.national[2];
        assert_eq!(national.forces_counted, 0);
        assert_eq!(national.assessment, None);
    }

    #[test]
    fn no_response_rate_where_no_queries_were_received() {
        let force: ForceId = "a".parse().unwrap();
        let mut m = monitoring("a", &["304"], "2025-04");
        m.months[0].queries_received = Some(count(0));
        m.months[0].responded_72h = Some(count(0));
        let returns = [ForceReturns {
            force: &force,
            plan: None,
            monitoring: Some(&m),
        }];
        let r = reconcile(&returns, &months("2025-04"), &Taper::default_npg());
        assert_eq!(r.lines[0].context.response_rate, None);
        assert_eq!(r.lines[0].context.queries_received, Some(count(0)));
        // No plan: the actual levels show, nothing derived from a plan does.
        assert!(r.lines[0].actual.is_some());
        assert_eq!((r.lines[0].planned, r.lines[0].assessment), (None, None));
    }

    #[test]
    fn national_rows_sum_only_forces_with_both_a_plan_and_a_monitoring_row() {
        let (a, b, c): (ForceId, ForceId, ForceId) = (
            "a".parse().unwrap(),
            "b".parse().unwrap(),
            "c".parse().unwrap(),
        );
        let pa = plan("a", "5", 10);
        let pb = plan("b", "10", 10);
        let pc = plan("c", "1", 10);
        let ma = monitoring("a", &["305", "310"], "2025-05");
        let mb = monitoring("b", &["305"], "2025-04");
        let returns = [
            ForceReturns {
                force: &a,
                plan: Some(&pa),
                monitoring: Some(&ma),
            },
            ForceReturns {
                force: &b,
                plan: Some(&pb),
                monitoring: Some(&mb),
            },
            // c has no monitoring at all: never counted.
            ForceReturns {
                force: &c,
                plan: Some(&pc),
                monitoring: None,
            },
        ];
        let r = reconcile(&returns, &months("2025-05"), &Taper::default_npg());
        let april = &r.national[0];
        assert_eq!(april.forces_counted, 2);
        // Up = 5 + 10, Ua = 5 + 5: P = 10/15 = 0.6667 → red.
        assert_eq!(april.planned_uplift, fte("15"));
        assert_eq!(april.actual_uplift, fte("10"));
        assert_eq!(april.planned.neighbourhood, fte("915"));
        assert_eq!(april.actual.officers, fte("610"));
        let pa_april = april.assessment.unwrap();
        assert_eq!(pa_april.progress.to_string(), "0.6667");
        assert_eq!(pa_april.rag, Rag::Red);
        let may = &r.national[1];
        assert_eq!(may.forces_counted, 1, "b reported April only");
        assert_eq!(may.assessment.unwrap().progress.to_string(), "1.0000");
    }
}
