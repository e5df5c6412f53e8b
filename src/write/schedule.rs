//! `payment-schedule.xlsx`, the workbook finance approves: the national Summary, the
//! Schedule (a line per force with every symbol of rules §7), the Exceptions and the Inputs.

use rust_xlsxwriter::XlsxError;

use crate::cycle::config::CycleConfig;
use crate::domain::{Money, Quarter};
use crate::pay::manifest::Tool;
use crate::pay::run::{ForceResult, InputUse, RunResult};
use crate::rules::payment::{PaymentLine, Status};
use crate::rules::reason::reason_text;

use super::exceptions::write_exceptions;
use super::formats;
use super::table::{Cell, SheetWriter};

/// The Schedule's columns, in order. The symbols are those of rules §7.
pub const SCHEDULE_HEADER: [&str; 21] = [
    "Force id",
    "Force name",
    "Allocation (A)",
    "Eligible spend Q1 (S1)",
    "Eligible spend Q2 (S2)",
    "Eligible spend Q3 (S3)",
    "Eligible spend Q4 (S4)",
    "Eligible spend to date (CS)",
    "Profiled spend to date (CP)",
    "Profiled actuals (B)",
    "Progress (P)",
    "Fraction paid (φ)",
    "Entitlement to date (E)",
    "Paid before (PTD)",
    "Payment this quarter",
    "Paid after",
    "Withheld (B − E)",
    "Remaining (A − paid after)",
    "Status",
    "Reason",
    "Explanation",
];

const INPUTS_HEADER: [&str; 8] = [
    "File",
    "What it is",
    "Force id",
    "Submitted on",
    "Used",
    "Why not used",
    "Bytes",
    "SHA-256",
];

/// The national totals of a quarter's lines, as the Summary and the totals row show them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub allocation: Money,
    /// `S_1..S_q` summed over the forces.
    pub spend: Vec<Money>,
    pub spend_to_date: Money,
    pub profiled_spend_to_date: Money,
    pub profiled_actuals: Money,
    pub entitlement: Money,
    pub paid_before: Money,
    /// Positive payments only.
    pub payable: Money,
    /// Negative payments only (recoveries), as a negative amount.
    pub recoveries: Money,
    /// Every payment, recoveries netted.
    pub payment: Money,
    pub paid_after: Money,
    /// Held lines have no withheld figure and count nothing here (rules §7).
    pub withheld: Money,
    pub remaining: Money,
}

impl Totals {
    pub fn of(lines: &[&PaymentLine], quarter: Quarter) -> Totals {
        let quarters = quarter.number() as usize;
        let mut t = Totals {
            spend: vec![Money::ZERO; quarters],
            ..Totals::default()
        };
        for line in lines {
            t.allocation += line.allocation;
            for (total, s) in t.spend.iter_mut().zip(&line.spend) {
                *total += *s;
            }
            t.spend_to_date += line.spend_to_date;
            t.profiled_spend_to_date += line.profiled_spend_to_date.unwrap_or(Money::ZERO);
            t.profiled_actuals += line.profiled_actuals.unwrap_or(Money::ZERO);
            t.entitlement += line.entitlement.unwrap_or(Money::ZERO);
            t.paid_before += line.paid_before;
            if line.payment.is_negative() {
                t.recoveries += line.payment;
            } else {
                t.payable += line.payment;
            }
            t.payment += line.payment;
            t.paid_after += line.paid_after;
            t.withheld += line.withheld.unwrap_or(Money::ZERO);
            t.remaining += line.remaining;
        }
        t
    }
}

/// Writes the payment schedule of one quarter's run. `inputs` lists every file the run
/// read, the cycle's own files first.
pub fn write_schedule(
    run: &RunResult,
    config: &CycleConfig,
    inputs: &[InputUse],
    fingerprint: &str,
) -> Result<Vec<u8>, XlsxError> {
    let quarter_config = config.quarter(run.quarter);
    let mut workbook = formats::output_workbook();
    workbook.set_properties(&formats::fixed_properties(
        quarter_config.payment_date,
        &format!(
            "{} {}: payment schedule, {}",
            config.scheme, config.year, run.quarter
        ),
    )?);
    let lines: Vec<&PaymentLine> = run.forces.iter().map(|f| &f.line).collect();
    let totals = Totals::of(&lines, run.quarter);

    write_summary(workbook.add_worksheet(), run, config, &totals, fingerprint)?;
    let schedule = workbook.add_worksheet();
    write_lines(schedule, run, &totals)?;
    schedule.set_active(true);
    write_exceptions(workbook.add_worksheet(), run)?;
    write_inputs(workbook.add_worksheet_with_constant_memory()?, inputs)?;
    workbook.save_to_buffer()
}

fn write_summary(
    sheet: &mut rust_xlsxwriter::Worksheet,
    run: &RunResult,
    config: &CycleConfig,
    totals: &Totals,
    fingerprint: &str,
) -> Result<(), XlsxError> {
    let q = config.quarter(run.quarter);
    let tool = Tool::this();
    let mut w = SheetWriter::new(sheet, "Summary")?;
    w.header(0, &["Item", "Value"])?;
    let facts: Vec<(&str, String)> = vec![
        ("Scheme", config.scheme.clone()),
        ("Financial year", config.year.to_string()),
        ("Quarter", run.quarter.to_string()),
        ("Returns counted if submitted by", q.cutoff.to_string()),
        ("Payment date", q.payment_date.to_string()),
        ("Rules version", config.rules_version.clone()),
        ("Program", format!("{} {}", tool.name, tool.version)),
        ("Input fingerprint (SHA-256)", fingerprint.to_owned()),
    ];
    let mut row = 1;
    for (label, value) in facts {
        w.row(row, &[Cell::label(label), Cell::text(value)])?;
        row += 1;
    }
    row += 1;
    let amounts = [
        ("Pot", config.pot),
        ("Allocated", totals.allocation),
        ("Eligible spend to date", totals.spend_to_date),
        ("Profiled actuals", totals.profiled_actuals),
        ("Entitlement to date", totals.entitlement),
        ("Paid before this quarter", totals.paid_before),
        ("Payable this quarter", totals.payable),
        ("Recoveries this quarter", totals.recoveries),
        ("Net payment this quarter", totals.payment),
        ("Paid after this quarter", totals.paid_after),
        ("Withheld (held lines not counted)", totals.withheld),
        ("Remaining", totals.remaining),
    ];
    for (label, amount) in amounts {
        w.row(row, &[Cell::label(label), Cell::Money(amount)])?;
        row += 1;
    }
    row += 1;
    w.header(row, &["Lines by status", "Forces"])?;
    row += 1;
    for status in Status::ALL {
        let count = run
            .forces
            .iter()
            .filter(|f| f.line.status == status)
            .count();
        w.row(
            row,
            &[Cell::label(status.as_str()), Cell::Count(count as i64)],
        )?;
        row += 1;
    }
    w.totals_row(
        row,
        &[
            Cell::text("All forces"),
            Cell::Count(run.forces.len() as i64),
        ],
    )?;
    row += 2;
    w.row(
        row,
        &[
            Cell::label("Exceptions listed"),
            Cell::Count(run.exceptions_to_act_on() as i64),
        ],
    )?;
    w.finish()
}

/// The cells of one force's line, in the order of `SCHEDULE_HEADER`.
fn line_cells<'a>(force: &'a ForceResult, quarter: Quarter) -> Vec<Cell<'a>> {
    let l = &force.line;
    let mut cells = vec![
        Cell::text(force.force.as_str()),
        Cell::text(force.name.as_str()),
        Cell::Money(l.allocation),
    ];
    cells.extend(spend_cells(&l.spend, quarter));
    cells.extend([
        Cell::Money(l.spend_to_date),
        Cell::money(l.profiled_spend_to_date),
        Cell::money(l.profiled_actuals),
        Cell::ratio(l.progress),
        l.fraction.map_or(Cell::Blank, Cell::Fraction),
        Cell::money(l.entitlement),
        Cell::Money(l.paid_before),
        Cell::Money(l.payment),
        Cell::Money(l.paid_after),
        Cell::money(l.withheld),
        Cell::Money(l.remaining),
        Cell::text(l.status.as_str()),
        Cell::text(reason_text(&force.reasons)),
        Cell::text(force.explanation.as_str()),
    ]);
    cells
}

/// `S_1..S_4`: the quarters up to the run's, blank after it.
fn spend_cells<'a>(spend: &[Money], quarter: Quarter) -> Vec<Cell<'a>> {
    (0..4)
        .map(|k| match spend.get(k) {
            Some(s) if k < quarter.number() as usize => Cell::Money(*s),
            _ => Cell::Blank,
        })
        .collect()
}

fn write_lines(
    sheet: &mut rust_xlsxwriter::Worksheet,
    run: &RunResult,
    totals: &Totals,
) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "Schedule")?;
    w.header(0, &SCHEDULE_HEADER)?;
    for (index, force) in run.forces.iter().enumerate() {
        w.row(index + 1, &line_cells(force, run.quarter))?;
    }
    let last = run.forces.len();
    let count = format!("{} forces", run.forces.len());
    let mut cells = vec![
        Cell::text("Total"),
        Cell::text(count.as_str()),
        Cell::Money(totals.allocation),
    ];
    cells.extend(spend_cells(&totals.spend, run.quarter));
    cells.extend([
        Cell::Money(totals.spend_to_date),
        Cell::Money(totals.profiled_spend_to_date),
        Cell::Money(totals.profiled_actuals),
        Cell::Blank,
        Cell::Blank,
        Cell::Money(totals.entitlement),
        Cell::Money(totals.paid_before),
        Cell::Money(totals.payment),
        Cell::Money(totals.paid_after),
        Cell::Money(totals.withheld),
        Cell::Money(totals.remaining),
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
    ]);
    w.totals_row(last + 1, &cells)?;
    let explanation = SCHEDULE_HEADER.len() - 1;
    w.fix_width(explanation - 1, 60.0)?;
    w.fix_width(explanation, 120.0)?;
    let sheet = w.sheet();
    sheet.set_freeze_panes(1, 1)?;
    let last_row = u32::try_from(last).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.autofilter(0, 0, last_row, explanation as u16)?;
    w.finish()
}

fn write_inputs(
    sheet: &mut rust_xlsxwriter::Worksheet,
    inputs: &[InputUse],
) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "Inputs")?;
    w.header(0, &INPUTS_HEADER)?;
    for (index, input) in inputs.iter().enumerate() {
        let cells = [
            Cell::text(input.path.as_str()),
            Cell::text(input.what.as_str()),
            input
                .force
                .as_ref()
                .map_or(Cell::Blank, |f| Cell::text(f.as_str())),
            input
                .submitted_on
                .map_or(Cell::Blank, |d| Cell::text(d.to_string())),
            Cell::text(if input.used { "yes" } else { "no" }),
            input.reason.as_deref().map_or(Cell::Blank, Cell::text),
            Cell::Count(i64::try_from(input.bytes).unwrap_or(i64::MAX)),
            Cell::text(input.sha256.as_str()),
        ];
        w.row(index + 1, &cells)?;
    }
    w.sheet().set_freeze_panes(1, 0)?;
    w.finish()
}
