//! `payment-schedule.xlsx`, the workbook finance approves: the Approval form, the national
//! Summary, the Schedule signed off (a printable line per force, last quarter beside this
//! one), the Calculation (every symbol of rules §7), the Exceptions and the Inputs.

use rust_xlsxwriter::XlsxError;

use crate::cycle::config::CycleConfig;
use crate::domain::{Money, Quarter};
use crate::pay::manifest::Tool;
use crate::pay::run::{ForceResult, InputUse, RunResult};
use crate::rules::payment::PaymentLine;
use crate::rules::reason::reason_text;

use crate::pay::ledger::Ledger;

use super::approval::{TotalsToApprove, write_approval, write_status_counts};
use super::exceptions::write_exceptions;
use super::formats;
use super::print::{
    Heading, Orientation, PageSetup, Paper, Scaling, row_points, scale_to_fit, set_up_page,
    wrapped_lines,
};
use super::table::{Cell, SheetWriter};

/// The Calculation sheet's columns, in order. The symbols are those of rules §7.
pub const CALCULATION_HEADER: [&str; 21] = [
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

/// The Schedule's columns, in order: what a finance manager signs off, one printed line per
/// force, with its reason and the explanation wrapped beside it. The rest of the
/// calculation (every symbol of rules §7) is on the Calculation sheet.
pub const SCHEDULE_HEADER: [&str; 14] = [
    "Force id",
    "Force name",
    "Allocation (A)",
    "Eligible spend to date (CS)",
    "Progress (P)",
    "Fraction paid (φ)",
    "Entitlement to date (E)",
    "Paid before (PTD)",
    "Last quarter's payment",
    "Payment this quarter",
    "Change on last quarter",
    "Status",
    "Reason",
    "Explanation",
];

/// The Schedule's columns of words, wrapped within these widths (characters) so that the
/// sheet prints one page wide on A3 landscape at 60% or more.
const SCHEDULE_WRAPPED: [(usize, f64); 4] = [(1, 18.0), (11, 13.0), (12, 32.0), (13, 64.0)];

/// The least print scale of the Schedule: below it the figures are too small to sign off.
pub const SCHEDULE_MIN_SCALE: u16 = 60;

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
/// read, the cycle's own files first; `prior` is the ledger the run started from (none at
/// Q1), for last quarter's payment beside this one.
pub fn write_schedule(
    run: &RunResult,
    config: &CycleConfig,
    inputs: &[InputUse],
    fingerprint: &str,
    prior: Option<&Ledger>,
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
    let year = config.year.to_string();
    let quarter = run.quarter.to_string();
    let heading = Heading {
        scheme: &config.scheme,
        year: &year,
        quarter: Some(&quarter),
        what: "payment schedule",
        fingerprint: Some(fingerprint),
    };

    let approval = workbook.add_worksheet();
    let to_approve = TotalsToApprove {
        net_payment: totals.payment,
        payable: totals.payable,
        recoveries: totals.recoveries,
        withheld: totals.withheld,
        paid_to_date: totals.paid_after,
        remaining: totals.remaining,
    };
    write_approval(approval, run, config, &to_approve, fingerprint, &heading)?;
    approval.set_active(true);
    let summary = workbook.add_worksheet();
    write_summary(summary, run, config, &totals, fingerprint)?;
    set_up_page(
        summary,
        &heading,
        &PageSetup::page(Paper::A4, Orientation::Portrait, Scaling::PagesWide(1)),
    )?;
    write_sign_off(workbook.add_worksheet(), run, &totals, prior, &heading)?;
    write_calculation(workbook.add_worksheet(), run, &totals, &heading)?;
    let exceptions = workbook.add_worksheet();
    write_exceptions(exceptions, run)?;
    // Twelve columns, three of them wrapped sentences: on A4 one page wide they print too
    // small to act on; A3 keeps them legible.
    set_up_page(
        exceptions,
        &heading,
        &PageSetup::table(Paper::A3, Orientation::Landscape, Scaling::PagesWide(1))
            .repeat_columns(0, 2),
    )?;
    let inputs_sheet = workbook.add_worksheet_with_constant_memory()?;
    write_inputs(inputs_sheet, inputs)?;
    set_up_page(
        inputs_sheet,
        &heading,
        &PageSetup::table(Paper::A4, Orientation::Landscape, Scaling::PagesWide(1)),
    )?;
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
    row = write_status_counts(&mut w, row, run)?;
    row += 2;
    w.row(
        row,
        &[
            Cell::label("Exceptions to act on"),
            Cell::Count(run.exceptions_to_act_on() as i64),
        ],
    )?;
    w.finish()
}

/// The cells of one force's line, in the order of `CALCULATION_HEADER`.
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

/// The Calculation sheet, for analysts: every symbol of rules §7 for every force, as the
/// Schedule was before it was cut to what is signed off.
fn write_calculation(
    sheet: &mut rust_xlsxwriter::Worksheet,
    run: &RunResult,
    totals: &Totals,
    heading: &Heading,
) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "Calculation")?;
    w.header(0, &CALCULATION_HEADER)?;
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
    let explanation = CALCULATION_HEADER.len() - 1;
    w.fix_width(explanation - 1, 60.0)?;
    w.fix_width(explanation, 120.0)?;
    let sheet = w.sheet();
    sheet.set_freeze_panes(1, 1)?;
    let last_row = u32::try_from(last).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.autofilter(0, 0, last_row, explanation as u16)?;
    // 21 columns and two long sentences: A3, two pages wide, force id and name on both.
    set_up_page(
        sheet,
        heading,
        &PageSetup::table(Paper::A3, Orientation::Landscape, Scaling::PagesWide(2))
            .repeat_columns(0, 1)
            .print_area(last_row + 1, explanation as u16),
    )?;
    w.finish()
}

/// Last quarter's payment of each force, from the ledger the run started from.
fn last_payment(prior: Option<&Ledger>, force: &ForceResult) -> Option<Money> {
    prior?.lines.get(&force.force).map(|line| line.payment)
}

/// The cells of one force's signed-off line, in the order of `SCHEDULE_HEADER`.
fn sign_off_cells<'a>(force: &'a ForceResult, last: Option<Money>) -> Vec<Cell<'a>> {
    let l = &force.line;
    vec![
        Cell::text(force.force.as_str()),
        Cell::text(force.name.as_str()),
        Cell::Money(l.allocation),
        Cell::Money(l.spend_to_date),
        Cell::ratio(l.progress),
        l.fraction.map_or(Cell::Blank, Cell::Fraction),
        Cell::money(l.entitlement),
        Cell::Money(l.paid_before),
        Cell::money(last),
        Cell::Money(l.payment),
        Cell::money(last.map(|last| l.payment - last)),
        Cell::text(l.status.as_str()),
        Cell::text(reason_text(&force.reasons)),
        Cell::text(force.explanation.as_str()),
    ]
}

/// The height of a row whose words wrap in the Schedule's wrapped columns: set explicitly,
/// since LibreOffice does not grow a row to fit wrapped text written by another program.
fn wrapped_height(cells: &[Cell]) -> f64 {
    let lines = SCHEDULE_WRAPPED
        .iter()
        .map(|(col, chars)| match cells.get(*col) {
            Some(Cell::Text(t)) => wrapped_lines(t, *chars),
            _ => 1,
        })
        .max()
        .unwrap_or(1);
    row_points(lines)
}

/// The Schedule: a line per force with what is signed off, last quarter's payment beside
/// this one (blank at Q1, which has none), a totals row, printed one page wide.
fn write_sign_off(
    sheet: &mut rust_xlsxwriter::Worksheet,
    run: &RunResult,
    totals: &Totals,
    prior: Option<&Ledger>,
    heading: &Heading,
) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "Schedule")?;
    w.wrap_rows();
    w.set_padding(1.5);
    w.header_wrapped(0, &SCHEDULE_HEADER)?;
    let mut heights = Vec::with_capacity(run.forces.len() + 2);
    let header_cells: Vec<Cell> = SCHEDULE_HEADER.iter().map(|h| Cell::text(*h)).collect();
    heights.push(wrapped_height(&header_cells).max(row_points(2)));
    let mut last_total = prior.map(|_| Money::ZERO);
    for (index, force) in run.forces.iter().enumerate() {
        let last = last_payment(prior, force);
        if let (Some(total), Some(last)) = (last_total.as_mut(), last) {
            *total += last;
        }
        let cells = sign_off_cells(force, last);
        heights.push(wrapped_height(&cells));
        w.row(index + 1, &cells)?;
    }
    let last = run.forces.len();
    let count = format!("{} forces", run.forces.len());
    let cells = [
        Cell::text("Total"),
        Cell::text(count.as_str()),
        Cell::Money(totals.allocation),
        Cell::Money(totals.spend_to_date),
        Cell::Blank,
        Cell::Blank,
        Cell::Money(totals.entitlement),
        Cell::Money(totals.paid_before),
        Cell::money(last_total),
        Cell::Money(totals.payment),
        Cell::money(last_total.map(|t| totals.payment - t)),
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
    ];
    heights.push(wrapped_height(&cells));
    w.totals_row(last + 1, &cells)?;
    for (col, chars) in SCHEDULE_WRAPPED {
        w.fix_width(col, chars)?;
    }
    let widths = w.finish_widths()?;
    for (row, height) in heights.iter().enumerate() {
        let row = u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.set_row_height(row, *height)?;
    }
    sheet.set_freeze_panes(1, 2)?;
    let last_row = u32::try_from(last).map_err(|_| XlsxError::RowColumnLimitError)?;
    let last_col = (SCHEDULE_HEADER.len() - 1) as u16;
    sheet.autofilter(0, 0, last_row, last_col)?;
    // A3: the explanations wrapped beside the figures would print below 60% on A4.
    let page = PageSetup::table(Paper::A3, Orientation::Landscape, Scaling::Percent(100))
        .repeat_columns(0, 1)
        .print_area(last_row + 1, last_col);
    // The largest scale that fits the page width, but never below the legible least: past
    // it the sheet runs onto a second page wide, force id and name repeated there.
    let scale = scale_to_fit(&widths, &page).max(SCHEDULE_MIN_SCALE);
    let page = PageSetup {
        scaling: Scaling::Percent(scale),
        ..page
    };
    set_up_page(sheet, heading, &page)
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
