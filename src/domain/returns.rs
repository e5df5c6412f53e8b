//! The three returns a force sends, as plain values: delivery plan, monitoring, financial.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{FinancialYear, ForceId, Fte, Headcount, Money, Month, Quarter};
use crate::domain::category::CategoryId;

/// The About fields every return has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnHeader {
    pub force: ForceId,
    pub force_name: String,
    pub year: FinancialYear,
    pub prepared_by: String,
    /// `Submitted on` (`Approved on` for a plan): the date the cut-off is applied to.
    pub submitted_on: NaiveDate,
}

/// One month of a delivery plan's profile: month-end levels and the month's planned spend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanMonth {
    pub month: Month,
    pub officers: Fte,
    pub pcsos: Fte,
    pub specials: Headcount,
    pub planned_spend: Money,
}

impl PlanMonth {
    /// The delivery measure: officers + PCSOs (rules §5).
    pub fn neighbourhood_fte(&self) -> Fte {
        self.officers + self.pcsos
    }
}

/// A delivery plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryPlan {
    pub header: ReturnHeader,
    pub version: u32,
    pub baseline_officers: Fte,
    pub baseline_pcsos: Fte,
    pub baseline_specials: Headcount,
    pub approved_by: String,
    /// April to March, in order.
    pub months: Vec<PlanMonth>,
}

impl DeliveryPlan {
    /// `L0`, the 31 March 2025 neighbourhood FTE (rules §5).
    pub fn baseline(&self) -> Fte {
        self.baseline_officers + self.baseline_pcsos
    }

    pub fn month(&self, month: Month) -> Option<&PlanMonth> {
        self.months.iter().find(|m| m.month == month)
    }

    pub fn total_planned_spend(&self) -> Money {
        self.months.iter().map(|m| m.planned_spend).sum()
    }
}

/// One month of a monitoring return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitoringMonth {
    pub month: Month,
    pub officers: Fte,
    pub pcsos: Fte,
    pub specials: Headcount,
    /// Given together or not at all ("not reported").
    pub queries_received: Option<Headcount>,
    pub responded_72h: Option<Headcount>,
    /// On a 0–100 scale.
    pub abstraction_rate: Option<Decimal>,
}

impl MonitoringMonth {
    pub fn neighbourhood_fte(&self) -> Fte {
        self.officers + self.pcsos
    }
}

/// A monitoring return: actual levels from April to `Months to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitoringReturn {
    pub header: ReturnHeader,
    pub months_to: Month,
    pub months: Vec<MonitoringMonth>,
}

impl MonitoringReturn {
    pub fn month(&self, month: Month) -> Option<&MonitoringMonth> {
        self.months.iter().find(|m| m.month == month)
    }
}

/// One expenditure category of a financial return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinanceLine {
    pub category: CategoryId,
    pub label: String,
    pub actual: Money,
    pub forecast: Money,
    pub notes: Option<String>,
}

/// A quarterly financial return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinancialReturn {
    pub header: ReturnHeader,
    pub quarter: Quarter,
    pub version: u32,
    pub chief_finance_officer: String,
    pub lines: Vec<FinanceLine>,
}

/// Any return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Return {
    Plan(DeliveryPlan),
    Monitoring(MonitoringReturn),
    Financial(FinancialReturn),
}

impl Return {
    pub fn header(&self) -> &ReturnHeader {
        match self {
            Return::Plan(p) => &p.header,
            Return::Monitoring(m) => &m.header,
            Return::Financial(f) => &f.header,
        }
    }
}
