//! The returns a force sends in the fixture year, built from its figures: the plan, the
//! monitoring returns and the financial returns with their lines by category.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::cycle::config::CycleConfig;
use crate::domain::category::CategoryId;
use crate::domain::returns::{
    DeliveryPlan, FinanceLine, FinancialReturn, MonitoringMonth, MonitoringReturn, PlanMonth,
    Return, ReturnHeader,
};
use crate::domain::{FinancialYear, Money, Month, Quarter};

use super::{
    BEDFORDSHIRE_OFFICERS, BEDFORDSHIRE_PCSOS, CATEGORY_SHARES, DesignedReturn, ForcePlan, Path12,
    Scenario, TextCell, baseline_specials, floor_pence, fte, headcount, round,
};
use crate::fixture_year::FixtureError;

pub(super) fn plan_return(
    year: FinancialYear,
    plan: &ForcePlan,
    version: u32,
    approved: NaiveDate,
    uplift: &Path12,
    spend: &[Money; 12],
) -> Result<DesignedReturn, FixtureError> {
    let specials = baseline_specials(plan)?;
    let mut months = Vec::new();
    for (m, (u, s)) in year.months().zip(uplift.iter().zip(spend)) {
        let (officers, pcsos) = if plan.scenario == Scenario::PublishedCase {
            // 2.50 officers and 0.67 PCSOs a month, each line linear on its own.
            let n = Decimal::from(m.index_in_year());
            let officers = Decimal::from(BEDFORDSHIRE_OFFICERS) * n / Decimal::from(12);
            let pcsos = round(Decimal::from(BEDFORDSHIRE_PCSOS) * n / Decimal::from(12), 2);
            (officers, pcsos)
        } else {
            plan.split(*u)
        };
        months.push(PlanMonth {
            month: m,
            officers: fte(plan.baseline_officers + officers)?,
            pcsos: fte(plan.baseline_pcsos + pcsos)?,
            specials,
            planned_spend: *s,
        });
    }
    let value = DeliveryPlan {
        header: header(plan, year, approved, "neighbourhood policing lead"),
        version,
        baseline_officers: fte(plan.baseline_officers)?,
        baseline_pcsos: fte(plan.baseline_pcsos)?,
        baseline_specials: specials,
        approved_by: format!("Chief Constable, {}", plan.name()),
        months,
    };
    // The generator's own check of X04 and of the levels adding up to the path.
    if value.total_planned_spend() != plan.allocation {
        return Err(FixtureError::Design(format!(
            "{} plan v{version} totals {}, not its allocation {}",
            plan.force.id,
            value.total_planned_spend(),
            plan.allocation
        )));
    }
    Ok(DesignedReturn {
        path: format!("returns/plans/{}-plan-v{version}.xlsx", plan.force.id),
        value: Return::Plan(value),
        text_cells: Vec::new(),
    })
}

pub(super) fn monitoring_return(
    year: FinancialYear,
    plan: &ForcePlan,
    actual: &Path12,
    months_to: Month,
    submitted_on: NaiveDate,
) -> Result<DesignedReturn, FixtureError> {
    let specials = baseline_specials(plan)?;
    let baseline = plan.baseline();
    let mut months = Vec::new();
    for (m, uplift) in year
        .months()
        .zip(actual)
        .take(months_to.index_in_year() as usize)
    {
        let (officers, pcsos) = plan.split(*uplift);
        let n = Decimal::from(m.index_in_year());
        // Contextual measures: plausible, deterministic, never part of the payment.
        let queries = round(baseline * Decimal::new(6, 1), 0) + Decimal::TWO * n;
        let responded = (queries * Decimal::new(9, 1)).floor();
        let abstraction =
            Decimal::from(10) + Decimal::new(5, 1) * Decimal::from(m.index_in_year() % 5);
        months.push(MonitoringMonth {
            month: m,
            officers: fte(plan.baseline_officers + officers)?,
            pcsos: fte(plan.baseline_pcsos + pcsos)?,
            specials,
            queries_received: Some(headcount(queries)?),
            responded_72h: Some(headcount(responded)?),
            abstraction_rate: Some(abstraction),
        });
    }
    Ok(DesignedReturn {
        path: format!("returns/monitoring/{}-{months_to}.xlsx", plan.force.id),
        value: Return::Monitoring(MonitoringReturn {
            header: header(plan, year, submitted_on, "performance analyst"),
            months_to,
            months,
        }),
        text_cells: Vec::new(),
    })
}

pub(super) fn financial_return(
    year: FinancialYear,
    plan: &ForcePlan,
    quarter: Quarter,
    version: u32,
    submitted_on: NaiveDate,
    lines: Vec<FinanceLine>,
    text_cells: Vec<TextCell>,
) -> Result<DesignedReturn, FixtureError> {
    Ok(DesignedReturn {
        path: format!(
            "returns/finance/{}-{year}-{quarter}-v{version}.xlsx",
            plan.force.id
        ),
        value: Return::Financial(FinancialReturn {
            header: header(plan, year, submitted_on, "finance business partner"),
            quarter,
            version,
            chief_finance_officer: format!("Chief Finance Officer, {}", plan.name()),
            lines,
        }),
        text_cells,
    })
}

fn header(
    plan: &ForcePlan,
    year: FinancialYear,
    submitted_on: NaiveDate,
    role: &str,
) -> ReturnHeader {
    ReturnHeader {
        force: plan.force.id.clone(),
        force_name: plan.force.name.clone(),
        year,
        prepared_by: format!("{} {role}", plan.name()),
        submitted_on,
    }
}

/// The lines of a financial return: eligible spend and forecast split by
/// [`CATEGORY_SHARES`], ineligible categories 0 except `other` where given.
pub(super) fn finance_lines(
    config: &CycleConfig,
    spend: Money,
    forecast: Money,
    other: Money,
) -> Result<Vec<FinanceLine>, FixtureError> {
    let spend_parts = split_by_category(config, spend);
    let forecast_parts = split_by_category(config, forecast);
    config
        .categories
        .iter()
        .map(|category| {
            let (actual, forecast) = if category.eligible {
                (
                    part(&spend_parts, &category.id),
                    part(&forecast_parts, &category.id),
                )
            } else if category.id.as_str() == "other" {
                (other, Money::ZERO)
            } else {
                (Money::ZERO, Money::ZERO)
            };
            Ok(FinanceLine {
                category: category.id.clone(),
                label: category.label.clone(),
                actual,
                forecast,
                notes: None,
            })
        })
        .collect()
}

fn part(parts: &[(CategoryId, Money)], id: &CategoryId) -> Money {
    parts
        .iter()
        .find(|(c, _)| c == id)
        .map_or(Money::ZERO, |(_, m)| *m)
}

/// Splits an amount over the eligible categories: each its share floored to the penny, the
/// first eligible category the rest.
fn split_by_category(config: &CycleConfig, amount: Money) -> Vec<(CategoryId, Money)> {
    let eligible: Vec<&CategoryId> = config.eligible_categories().map(|c| &c.id).collect();
    let mut parts: Vec<(CategoryId, Money)> = eligible
        .iter()
        .skip(1)
        .map(|id| {
            let percent = CATEGORY_SHARES
                .iter()
                .find(|(c, _)| *c == id.as_str())
                .map_or(0, |(_, p)| *p);
            let share = amount.as_decimal() * Decimal::from(percent) / Decimal::ONE_HUNDRED;
            ((*id).clone(), floor_pence(share))
        })
        .collect();
    if let Some(first) = eligible.first() {
        let rest = amount - parts.iter().map(|(_, m)| *m).sum::<Money>();
        parts.insert(0, ((*first).clone(), rest));
    }
    parts
}

/// Sets one category's actual to `amount`, moving the difference to the first line (officer
/// pay) so the eligible total is unchanged. Returns the category's row.
pub(super) fn set_line(
    lines: &mut [FinanceLine],
    id: &str,
    amount: Money,
) -> Result<usize, FixtureError> {
    let row = lines
        .iter()
        .position(|l| l.category.as_str() == id)
        .ok_or_else(|| FixtureError::Design(format!("the cycle has no category {id}")))?;
    let difference = lines[row].actual - amount;
    lines[row].actual = amount;
    if row != 0 && id != "officer-pay" {
        lines[0].actual += difference;
    }
    Ok(row)
}

pub(super) fn line_actual(lines: &[FinanceLine], id: &str) -> Result<Money, FixtureError> {
    lines
        .iter()
        .find(|l| l.category.as_str() == id)
        .map(|l| l.actual)
        .ok_or_else(|| FixtureError::Design(format!("the cycle has no category {id}")))
}
