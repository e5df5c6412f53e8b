//! The fixture year's figures, as domain values: every force's plan, monitoring and financial
//! returns, worked out exactly from a small table of parameters and the scenario overrides.
//!
//! This module works out each force's figures; `returns` builds the returns from them.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::cycle::config::CycleConfig;
use crate::domain::returns::Return;
use crate::domain::{
    FinancialYear, Force, ForceId, ForceList, Fte, Headcount, Money, Month, Quarter,
};
use crate::rules::allocate::{Allocation, AllocationUnit, Weight, WeightLine, allocate};

use super::FixtureError;

mod returns;
use returns::{
    finance_lines, financial_return, line_actual, monitoring_return, plan_return, set_line,
};

/// The pot of 2025-26, allocated to the pound.
pub const POT_POUNDS: i64 = 200_000_000;
/// National neighbourhood officers FTE at 31 March 2025 (published).
pub const BASELINE_OFFICERS: i64 = 11_104;
/// National neighbourhood PCSOs FTE at 31 March 2025 (published).
pub const BASELINE_PCSOS: i64 = 6_071;
/// Planned national growth by 31 March 2026 (published).
pub const PLANNED_GROWTH: i64 = 2_972;
/// Bedfordshire's published growth: 30 officers and 8 PCSOs.
pub const BEDFORDSHIRE_OFFICERS: i64 = 30;
pub const BEDFORDSHIRE_PCSOS: i64 = 8;
/// The national actual uplift at 2025-09, summed from the final monitoring returns.
pub const ACTUAL_UPLIFT_SEPTEMBER: i64 = 2_383;

/// Cumulative share (%) of a force's growth planned by the end of months 1..11 (April to
/// February); March is the whole growth. Front-loaded: 78% by September, so that the
/// national planned uplift at 2025-09 is about 2,300 FTE of the 2,972.
const GROWTH_PROFILE: [i64; 11] = [14, 28, 42, 55, 67, 78, 85, 90, 94, 97, 99];
/// Dorset's plan: no growth from April to July, then growth from August.
const LATE_START_PROFILE: [i64; 11] = [0, 0, 0, 0, 20, 40, 55, 70, 80, 90, 95];

/// Share (%) of the allocation planned to be spent in each month: ramping up through the
/// year (18% by June, 41% by September, 68% by December).
const SPEND_RAMP: [i64; 12] = [5, 6, 7, 7, 8, 8, 9, 9, 9, 10, 11, 11];
/// Cumbria's front-loaded profile: 80% of the allocation by December.
const SPEND_FRONT_LOADED: [i64; 12] = [8, 8, 9, 9, 9, 9, 9, 9, 10, 7, 7, 6];
/// North Wales's plan v2: April to September as v1 (already spent), then spending moved
/// from October-December into January-March, following the later growth.
const SPEND_MOVED_LATER: [i64; 12] = [5, 6, 7, 7, 8, 8, 7, 7, 7, 11, 13, 14];

/// How eligible spend splits over the categories (%, by category id). The first eligible
/// category of the cycle takes whatever the floors to the penny leave, so the lines always
/// add up to the quarter's spend exactly.
const CATEGORY_SHARES: [(&str, i64); 5] = [
    ("officer-pay", 60),
    ("pcso-pay", 20),
    ("specials", 3),
    ("training", 7),
    ("equipment", 10),
];

/// What a force shows in the fixture year (scenarios.md). Forces not named there are
/// `Ordinary`: on plan or slightly ahead, spending a little under profile, paid every quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Ordinary,
    /// bedfordshire: the published +38 FTE (30 officers, 8 PCSOs), linear; behind at Q2.
    PublishedCase,
    /// metropolitan: the largest force, on plan all year.
    Largest,
    /// city-of-london: the smallest allocation, on plan.
    Smallest,
    /// kent: Q1 financial return restated (v2, lower officer pay) between the cut-offs.
    RestatedQ1,
    /// essex: Q2 financial return sent after the Q2 cut-off.
    LateFinancialQ2,
    /// lancashire: monitoring only to 2025-08 at the Q2 cut-off.
    LateMonitoringQ2,
    /// cumbria: front-loaded spend, on plan to Q3, behind at the end (P = 0.9000).
    FrontLoaded,
    /// durham: loses staff; actual uplift negative from Q3.
    LosesStaff,
    /// surrey: spends ahead of profile every quarter and beyond its allocation.
    Overspends,
    /// norfolk: progress exactly 0.9500 at 2025-12.
    Boundary,
    /// dorset: no planned growth until 2025-07.
    LateStart,
    /// suffolk: ineligible spend without a note, and a forecast beyond the allocation (Q2).
    IneligibleSpend,
    /// wiltshire: Q3 financial return with text in an amount cell.
    TextAmount,
    /// north-wales: plan v2 approved 2025-11-20 moving growth later.
    RevisedPlan,
}

impl Scenario {
    pub fn of(force: &str) -> Scenario {
        match force {
            "bedfordshire" => Scenario::PublishedCase,
            "metropolitan" => Scenario::Largest,
            "city-of-london" => Scenario::Smallest,
            "kent" => Scenario::RestatedQ1,
            "essex" => Scenario::LateFinancialQ2,
            "lancashire" => Scenario::LateMonitoringQ2,
            "cumbria" => Scenario::FrontLoaded,
            "durham" => Scenario::LosesStaff,
            "surrey" => Scenario::Overspends,
            "norfolk" => Scenario::Boundary,
            "dorset" => Scenario::LateStart,
            "suffolk" => Scenario::IneligibleSpend,
            "wiltshire" => Scenario::TextAmount,
            "north-wales" => Scenario::RevisedPlan,
            _ => Scenario::Ordinary,
        }
    }

    /// Forces whose workforce simply follows the plan, a constant few FTE ahead of it
    /// (the national actual total is made exact through them).
    fn runs_ahead(self) -> bool {
        !matches!(
            self,
            Scenario::PublishedCase
                | Scenario::FrontLoaded
                | Scenario::LosesStaff
                | Scenario::Boundary
                | Scenario::LateStart
                | Scenario::RevisedPlan
        )
    }
}

/// A cell written as text instead of the number the return holds (wiltshire's mistake).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextCell {
    /// The data row, counting from 0 (a month or a category, as the template lays them out).
    pub row: usize,
    /// The column's layout key.
    pub key: &'static str,
    pub text: String,
}

/// One return of the fixture year: where it goes and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignedReturn {
    /// Relative to the cycle folder, with forward slashes.
    pub path: String,
    pub value: Return,
    pub text_cells: Vec<TextCell>,
}

/// One force's year.
#[derive(Clone, Debug, PartialEq)]
pub struct ForceYear {
    pub force: Force,
    pub scenario: Scenario,
    pub allocation: Money,
    /// Plans first (by version), then monitoring (by months to), then financial returns.
    pub returns: Vec<DesignedReturn>,
}

/// The whole fixture year.
#[derive(Clone, Debug, PartialEq)]
pub struct YearDesign {
    pub config: CycleConfig,
    pub forces: ForceList,
    pub weights: Vec<WeightLine>,
    pub allocation: Allocation,
    pub force_years: Vec<ForceYear>,
}

/// A force's workforce path: uplift over the baseline at each month-end, April to March.
type Path12 = [Decimal; 12];

/// Builds the year from the cycle's configuration, force list and weights.
pub fn design(
    config: CycleConfig,
    forces: ForceList,
    weights: Vec<WeightLine>,
) -> Result<YearDesign, FixtureError> {
    let year = config.year;
    let allocation = allocate(Money::pounds(POT_POUNDS), AllocationUnit::Pound, &weights)?;
    // Baselines and growth are shared by weight with the same largest-remainder rule as
    // the pot, so the national totals are exact: whole FTE for the baselines, half FTE
    // for the growth (counted as whole units of 0.5).
    let officers = share(BASELINE_OFFICERS, &weights)?;
    let pcsos = share(BASELINE_PCSOS, &weights)?;
    let bedfordshire = forces
        .find("bedfordshire")
        .ok_or_else(|| FixtureError::Design("the force list has no bedfordshire".into()))?
        .id
        .clone();
    let others: Vec<WeightLine> = weights
        .iter()
        .filter(|w| w.force != bedfordshire)
        .cloned()
        .collect();
    let bedfordshire_growth = BEDFORDSHIRE_OFFICERS + BEDFORDSHIRE_PCSOS;
    let half_units = share(2 * (PLANNED_GROWTH - bedfordshire_growth), &others)?;

    let mut plans = Vec::new();
    for (index, force) in forces.iter().enumerate() {
        let scenario = Scenario::of(force.id.as_str());
        let baseline_officers = whole(&officers, &force.id)?;
        let baseline_pcsos = whole(&pcsos, &force.id)?;
        let growth = if force.id == bedfordshire {
            Decimal::from(bedfordshire_growth)
        } else {
            whole(&half_units, &force.id)? / Decimal::TWO
        };
        let amount = allocation
            .lines
            .iter()
            .find(|l| l.force == force.id)
            .map(|l| l.allocation)
            .ok_or_else(|| FixtureError::Design(format!("{} has no allocation", force.id)))?;
        plans.push(ForcePlan {
            index,
            force: force.clone(),
            scenario,
            allocation: amount,
            baseline_officers,
            baseline_pcsos,
            planned: planned_path(scenario, growth),
        });
    }

    // Actual uplift: each scenario's own path; the ordinary forces follow the plan plus a
    // constant `ahead`, shared by weight so that the national actual at 2025-09 is exact.
    let mut actuals: Vec<Path12> = plans.iter().map(actual_path).collect();
    let september = 5;
    let base_total: Decimal = actuals.iter().map(|p| p[september]).sum();
    let ahead_total = Decimal::from(ACTUAL_UPLIFT_SEPTEMBER) - base_total;
    if ahead_total < Decimal::ZERO || !ahead_total.fract().is_zero() {
        return Err(FixtureError::Design(format!(
            "the forces' own paths give {base_total} FTE at 2025-09, which cannot be topped up to {ACTUAL_UPLIFT_SEPTEMBER} in whole FTE"
        )));
    }
    let ahead_weights: Vec<WeightLine> = weights
        .iter()
        .filter(|w| Scenario::of(w.force.as_str()).runs_ahead())
        .cloned()
        .collect();
    let ahead_units = ahead_total
        .to_string()
        .parse::<i64>()
        .map_err(|_| FixtureError::Design(format!("{ahead_total} is not a whole number")))?;
    let ahead = share(ahead_units, &ahead_weights)?;
    for (plan, actual) in plans.iter().zip(actuals.iter_mut()) {
        if plan.scenario.runs_ahead() {
            let extra = whole(&ahead, &plan.force.id)?;
            for value in actual.iter_mut() {
                *value += extra;
            }
        }
    }

    let mut force_years = Vec::new();
    for (plan, actual) in plans.iter().zip(&actuals) {
        force_years.push(force_year(&config, year, plan, actual)?);
    }
    Ok(YearDesign {
        config,
        forces,
        weights,
        allocation,
        force_years,
    })
}

/// The figures of one force that its returns are made from.
struct ForcePlan {
    /// Position in the force list (id order), for the small deterministic variations.
    index: usize,
    force: Force,
    scenario: Scenario,
    allocation: Money,
    baseline_officers: Decimal,
    baseline_pcsos: Decimal,
    /// Planned uplift of plan v1.
    planned: Path12,
}

impl ForcePlan {
    fn baseline(&self) -> Decimal {
        self.baseline_officers + self.baseline_pcsos
    }

    /// Splits an uplift into officers and PCSOs: officers in whole FTE in proportion to the
    /// baseline (Bedfordshire: its published 30 of 38), PCSOs the rest.
    fn split(&self, uplift: Decimal) -> (Decimal, Decimal) {
        let (part, whole) = if self.scenario == Scenario::PublishedCase {
            (
                Decimal::from(BEDFORDSHIRE_OFFICERS),
                Decimal::from(BEDFORDSHIRE_OFFICERS + BEDFORDSHIRE_PCSOS),
            )
        } else {
            (self.baseline_officers, self.baseline())
        };
        let officers = round(uplift * part / whole, 0);
        (officers, uplift - officers)
    }

    fn name(&self) -> &str {
        &self.force.name
    }
}

/// Planned uplift of plan v1 by month.
fn planned_path(scenario: Scenario, growth: Decimal) -> Path12 {
    let mut path = [growth; 12];
    if scenario == Scenario::PublishedCase {
        // Linear: 38/12 FTE a month, to the hundredth (19.00 by September).
        for (m, value) in path.iter_mut().enumerate() {
            *value = round(growth * Decimal::from(m as i64 + 1) / Decimal::from(12), 2);
        }
        return path;
    }
    let profile = if scenario == Scenario::LateStart {
        LATE_START_PROFILE
    } else {
        GROWTH_PROFILE
    };
    for (value, percent) in path.iter_mut().zip(profile) {
        *value = round(growth * Decimal::from(percent) / Decimal::ONE_HUNDRED, 0);
    }
    path
}

/// North Wales's plan v2: as v1 to September, no further growth October to December, then
/// the rest of the growth in January to March.
fn revised_path(v1: &Path12) -> Path12 {
    let mut path = *v1;
    let september = v1[5];
    let rest = v1[11] - september;
    for value in path.iter_mut().take(9).skip(6) {
        *value = september;
    }
    for (j, value) in path.iter_mut().skip(9).enumerate() {
        *value = september + round(rest * Decimal::from(j as i64 + 1) / Decimal::from(3), 0);
    }
    path
}

/// Actual uplift by month before the ordinary forces' `ahead` is added.
fn actual_path(plan: &ForcePlan) -> Path12 {
    let planned = plan.planned;
    match plan.scenario {
        // +13 at 2025-09 against 19 planned; 26 against 28.50 at 2025-12; above plan by March.
        Scenario::PublishedCase => {
            [3, 6, 10, 11, 12, 13, 18, 22, 26, 30, 34, 39].map(Decimal::from)
        }
        // On plan to December, then stalls and ends at 90% of the planned growth.
        Scenario::FrontLoaded => {
            let mut path = planned;
            path[9] = planned[8];
            path[10] = planned[8];
            path[11] = round(planned[11] * Decimal::new(90, 2), 2);
            path
        }
        // On plan to September, then loses staff: below the baseline from November.
        Scenario::LosesStaff => {
            let mut path = planned;
            let september = planned[5];
            path[6] = round(september / Decimal::TWO, 0);
            path[7] = Decimal::ZERO;
            for (value, lost) in path.iter_mut().skip(8).zip([2, 3, 4, 4]) {
                *value = Decimal::from(-lost);
            }
            path
        }
        // On plan except December, exactly 95% of the planned uplift (a whole number, so
        // 95% of it has at most 2 places and the ratio is exact).
        Scenario::Boundary => {
            let mut path = planned;
            path[8] = planned[8] * Decimal::new(95, 2);
            path
        }
        // Follows plan v2 (identical to v1 until September).
        Scenario::RevisedPlan => revised_path(&planned),
        _ => planned,
    }
}

/// Everything one force sends in the year.
fn force_year(
    config: &CycleConfig,
    year: FinancialYear,
    plan: &ForcePlan,
    actual: &Path12,
) -> Result<ForceYear, FixtureError> {
    let day = |offset: usize| (offset + plan.index) as u32;
    let mut returns = Vec::new();

    // Delivery plans: v1 approved between mid-March and early April, before any cut-off.
    let ramp = if plan.scenario == Scenario::FrontLoaded {
        SPEND_FRONT_LOADED
    } else {
        SPEND_RAMP
    };
    let v1_spend = spread(plan.allocation, &ramp)?;
    let approved = date(2025, 3, 14)? + chrono::Days::new(u64::from(day(0)) % 29);
    returns.push(plan_return(
        year,
        plan,
        1,
        approved,
        &plan.planned,
        &v1_spend,
    )?);
    let mut in_force = vec![(approved, v1_spend)];
    if plan.scenario == Scenario::RevisedPlan {
        let v2_spend = spread(plan.allocation, &SPEND_MOVED_LATER)?;
        let approved = date(2025, 11, 20)?;
        returns.push(plan_return(
            year,
            plan,
            2,
            approved,
            &revised_path(&plan.planned),
            &v2_spend,
        )?);
        in_force.push((approved, v2_spend));
    }

    // Monitoring: quarterly, each restating every month from April, sent a few days after
    // the quarter ends. Lancashire sends to 2025-08 before the Q2 cut-off and its
    // September return only after it.
    let mut monitoring = vec![
        (month(2025, 6)?, date(2025, 7, 4 + day(0) % 10)?),
        (month(2025, 9)?, date(2025, 10, 3 + day(0) % 10)?),
        (month(2025, 12)?, date(2026, 1, 6 + day(0) % 10)?),
        (month(2026, 3)?, date(2026, 4, 3 + day(0) % 10)?),
    ];
    if plan.scenario == Scenario::LateMonitoringQ2 {
        monitoring[1].1 = date(2025, 11, 6)?;
        monitoring.insert(1, (month(2025, 8)?, date(2025, 9, 10)?));
    }
    for (months_to, submitted_on) in monitoring {
        returns.push(monitoring_return(
            year,
            plan,
            actual,
            months_to,
            submitted_on,
        )?);
    }

    // Financial returns: one per quarter, signed off a week or more after the quarter ends.
    let factor = spend_factor(plan);
    for quarter in Quarter::ALL {
        let end = quarter.last_day(year);
        let submitted_on = end + chrono::Days::new(u64::from(8 + day(0) % 15));
        // The plan the force is working to when it fills the return in.
        let profile = in_force
            .iter()
            .rev()
            .find(|(approved, _)| *approved <= submitted_on)
            .map(|(_, spend)| spend)
            .unwrap_or(&in_force[0].1);
        let months = quarter.months(year).map(|m| m.index_in_year() as usize - 1);
        let profiled: Money = months.iter().map(|&m| profile[m]).sum();
        let spend = Money::round(profiled.as_decimal() * factor);
        let profiled_to_date: Money = profile.iter().take(months[2] + 1).sum();
        let mut forecast = if quarter == Quarter::Q4 {
            Money::ZERO
        } else {
            plan.allocation - profiled_to_date
        };
        let mut other = Money::ZERO;
        if plan.scenario == Scenario::IneligibleSpend && quarter == Quarter::Q2 {
            // Forecast beyond the allocation (X10) and ineligible spend with no note (X06).
            forecast += Money::pounds(250_000);
            other = Money::pounds(12_000);
        }
        let submitted_on = match (plan.scenario, quarter) {
            (Scenario::LateFinancialQ2, Quarter::Q2) => date(2025, 11, 12)?,
            _ => submitted_on,
        };
        let mut lines = finance_lines(config, spend, forecast, other)?;
        let mut text_cells = Vec::new();
        if plan.scenario == Scenario::TextAmount && quarter == Quarter::Q3 {
            // The equipment amount typed as text, "12,500.00": C02, the return unusable.
            let equipment = Money::pounds(12_500);
            let row = set_line(&mut lines, "equipment", equipment)?;
            text_cells.push(TextCell {
                row,
                key: "actual",
                text: "12,500.00".to_owned(),
            });
        }
        returns.push(financial_return(
            year,
            plan,
            quarter,
            1,
            submitted_on,
            lines.clone(),
            text_cells,
        )?);
        if plan.scenario == Scenario::RestatedQ1 && quarter == Quarter::Q1 {
            // Version 2 restates officer pay £20,000 lower, after the Q1 cut-off.
            let officer_pay = line_actual(&lines, "officer-pay")? - Money::pounds(20_000);
            set_line(&mut lines, "officer-pay", officer_pay)?;
            returns.push(financial_return(
                year,
                plan,
                quarter,
                2,
                date(2025, 8, 20)?,
                lines,
                Vec::new(),
            )?);
        }
    }
    Ok(ForceYear {
        force: plan.force.clone(),
        scenario: plan.scenario,
        allocation: plan.allocation,
        returns,
    })
}

/// What share of its profile a force spends each quarter: ordinary forces 97% to 100%,
/// cumbria exactly its profile, surrey 108% (ahead of profile every quarter).
fn spend_factor(plan: &ForcePlan) -> Decimal {
    match plan.scenario {
        Scenario::FrontLoaded => Decimal::ONE,
        Scenario::Overspends => Decimal::new(108, 2),
        _ => Decimal::ONE - Decimal::new((plan.index % 4) as i64, 2),
    }
}

/// Specials at 31 March 2025: a quarter of the neighbourhood FTE, held level all year
/// (reported, not part of the measure).
fn baseline_specials(plan: &ForcePlan) -> Result<Headcount, FixtureError> {
    headcount(round(plan.baseline() / Decimal::from(4), 0))
}

/// Shares `total` whole units by weight, largest remainder, with the allocation rule of
/// rules §4 (a unit counted as £1 of a pot).
fn share(total: i64, weights: &[WeightLine]) -> Result<Allocation, FixtureError> {
    Ok(allocate(
        Money::pounds(total),
        AllocationUnit::Pound,
        weights,
    )?)
}

/// A force's share as a plain number.
fn whole(shares: &Allocation, force: &ForceId) -> Result<Decimal, FixtureError> {
    shares
        .lines
        .iter()
        .find(|l| &l.force == force)
        .map(|l| l.allocation.as_decimal().normalize())
        .ok_or_else(|| FixtureError::Design(format!("{force} has no share")))
}

/// Spreads an allocation over the twelve months by percentages: each month its share to
/// the penny (rounded down), March the rest, so the months total the allocation exactly.
fn spread(total: Money, percents: &[i64; 12]) -> Result<[Money; 12], FixtureError> {
    if percents.iter().sum::<i64>() != 100 {
        return Err(FixtureError::Design(
            "a spend profile does not total 100%".into(),
        ));
    }
    let mut months = [Money::ZERO; 12];
    for (month, percent) in months.iter_mut().zip(percents).take(11) {
        *month = floor_pence(total.as_decimal() * Decimal::from(*percent) / Decimal::ONE_HUNDRED);
    }
    months[11] = total - months.iter().take(11).sum::<Money>();
    Ok(months)
}

fn floor_pence(value: Decimal) -> Money {
    Money::round(value.round_dp_with_strategy(2, RoundingStrategy::ToNegativeInfinity))
}

fn round(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

fn fte(value: Decimal) -> Result<Fte, FixtureError> {
    Fte::from_exact(round(value, 2)).map_err(|e| FixtureError::Design(format!("FTE {value} {e}")))
}

fn headcount(value: Decimal) -> Result<Headcount, FixtureError> {
    let text = round(value, 0).to_string();
    text.parse()
        .map_err(|e| FixtureError::Design(format!("headcount {value} {e}")))
}

fn date(year: i32, month: u32, day: u32) -> Result<NaiveDate, FixtureError> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| FixtureError::Design(format!("{year}-{month}-{day} is not a date")))
}

fn month(year: i32, month: u32) -> Result<Month, FixtureError> {
    Month::new(year, month)
        .ok_or_else(|| FixtureError::Design(format!("{year}-{month} is not a month")))
}

/// Parses `weights.csv` (`id,weight`).
pub fn parse_weights(text: &str) -> Result<Vec<WeightLine>, FixtureError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FixtureError::Design(format!("weights.csv: {e}")))?;
        let bad = || FixtureError::Design(format!("weights.csv: bad line {record:?}"));
        let force: ForceId = record.get(0).ok_or_else(bad)?.parse().map_err(|_| bad())?;
        let weight: Weight = record.get(1).ok_or_else(bad)?.parse().map_err(|_| bad())?;
        lines.push(WeightLine { force, weight });
    }
    Ok(lines)
}
