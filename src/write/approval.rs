//! The Approval sheet of the payment schedule, first in the workbook: the totals to approve,
//! the lines by status and by leading reason, what the run is of (rules version, input
//! fingerprint), and the Prepared / Checked / Approved boxes, on one printed A4 page.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::cycle::config::CycleConfig;
use crate::domain::Money;
use crate::pay::manifest::Tool;
use crate::pay::run::RunResult;
use crate::rules::payment::Status;
use crate::rules::reason::Reason;

use super::print::{Heading, Orientation, PageSetup, Paper, Scaling, set_up_page};
use super::table::{Cell, SheetWriter, header_format};

/// The sign-off rows, in the order they are signed.
pub const SIGN_OFF_ROLES: [&str; 3] = ["Prepared by", "Checked by", "Approved by"];

/// The columns of the sign-off boxes.
const SIGN_OFF_HEADER: [&str; 5] = ["Sign-off", "Name", "Role", "Date", "Signature"];

/// Column widths in characters: labels, then the four boxes of a signature row.
const WIDTHS: [f64; 5] = [36.0, 22.0, 20.0, 12.0, 26.0];

/// How the fingerprint is made, in one line; the recipe to recompute it is in the README.
pub const FINGERPRINT_HOW: &str = "SHA-256 of the rules version, the prior ledger's SHA-256 and the path and SHA-256 of every input on the Inputs sheet (cycle.toml included): recipe in the README, \"Input fingerprint\"";

/// The national totals a finance manager approves (the Summary's, from the same lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TotalsToApprove {
    pub net_payment: Money,
    pub payable: Money,
    /// As a negative amount.
    pub recoveries: Money,
    pub withheld: Money,
    pub paid_to_date: Money,
    pub remaining: Money,
}

/// The number of forces whose line is led by each reason, in the rules' order of precedence.
pub fn leading_reasons(run: &RunResult) -> Vec<(String, usize)> {
    let mut by_code: BTreeMap<String, (&Reason, usize)> = BTreeMap::new();
    for force in &run.forces {
        if let Some(lead) = force.reasons.first() {
            let entry = by_code.entry(lead.code()).or_insert((lead, 0));
            entry.0 = entry.0.min(lead);
            entry.1 += 1;
        }
    }
    let mut counts: Vec<(&Reason, String, usize)> = by_code
        .into_iter()
        .map(|(code, (reason, n))| (reason, code, n))
        .collect();
    counts.sort();
    counts.into_iter().map(|(_, code, n)| (code, n)).collect()
}

/// Writes the Approval sheet and its page setup.
pub fn write_approval(
    sheet: &mut Worksheet,
    run: &RunResult,
    config: &CycleConfig,
    totals: &TotalsToApprove,
    fingerprint: &str,
    heading: &Heading,
) -> Result<(), XlsxError> {
    let q = config.quarter(run.quarter);
    let tool = Tool::this();
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut w = SheetWriter::new(sheet, "Approval")?;
    w.title(
        0,
        &format!(
            "{} {} {}: approval of the payment run",
            config.scheme, config.year, run.quarter
        ),
    )?;
    let mut row = 2;
    w.header(row, &["The run", "", "", "", ""])?;
    row += 1;
    let facts: Vec<(&str, String)> = vec![
        ("Scheme", config.scheme.clone()),
        ("Financial year", config.year.to_string()),
        ("Quarter", run.quarter.to_string()),
        ("Payment date", q.payment_date.to_string()),
        ("Returns counted if submitted by", q.cutoff.to_string()),
        ("Rules version", config.rules_version.clone()),
        ("Program", format!("{} {}", tool.name, tool.version)),
    ];
    for (label, value) in facts {
        w.row(row, &[Cell::label(label), Cell::text(value)])?;
        row += 1;
    }
    let r = |row: usize| u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError);
    w.row(row, &[Cell::label("Input fingerprint (SHA-256)")])?;
    w.sheet()
        .merge_range(r(row)?, 1, r(row)?, 4, fingerprint, &Format::new())?;
    row += 1;
    let top_label = Format::new().set_bold().set_align(FormatAlign::Top);
    w.sheet()
        .write_string_with_format(r(row)?, 0, "How the fingerprint is made", &top_label)?;
    w.sheet()
        .merge_range(r(row)?, 1, r(row)?, 4, FINGERPRINT_HOW, &wrapped)?;
    w.sheet().set_row_height(r(row)?, 45)?;
    row += 2;

    w.header(row, &["Totals to approve", "Amount"])?;
    row += 1;
    let amounts = [
        ("Net payment this quarter", totals.net_payment),
        ("Payable this quarter", totals.payable),
        ("Recoveries this quarter", totals.recoveries),
        ("Withheld (held lines not counted)", totals.withheld),
        ("Paid to date after this quarter", totals.paid_to_date),
        ("Remaining of the allocations", totals.remaining),
    ];
    for (label, amount) in amounts {
        w.row(row, &[Cell::label(label), Cell::Money(amount)])?;
        row += 1;
    }
    row += 1;

    row = write_status_counts(&mut w, row, run)?;
    let all = Cell::Count(run.forces.len() as i64);
    row += 2;

    w.header(row, &["Lines by leading reason", "Forces"])?;
    row += 1;
    for (code, count) in leading_reasons(run) {
        w.row(row, &[Cell::text(code), Cell::Count(count as i64)])?;
        row += 1;
    }
    w.totals_row(row, &[Cell::text("All forces"), all])?;
    row += 2;
    w.row(
        row,
        &[
            Cell::label("Exceptions to act on (Exceptions sheet)"),
            Cell::Count(run.exceptions_to_act_on() as i64),
        ],
    )?;
    row += 2;

    w.header(row, &SIGN_OFF_HEADER)?;
    row += 1;
    let boxed = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let label = header_format()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    for role in SIGN_OFF_ROLES {
        w.sheet()
            .write_string_with_format(r(row)?, 0, role, &label)?;
        for col in 1..5 {
            w.sheet().write_blank(r(row)?, col, &boxed)?;
        }
        // Room for a signature.
        w.sheet().set_row_height(r(row)?, 36)?;
        row += 1;
    }
    let last_row = r(row - 1)?;
    for (col, chars) in WIDTHS.iter().enumerate() {
        w.fix_width(col, *chars)?;
    }
    w.finish()?;
    set_up_page(
        sheet,
        heading,
        &PageSetup::page(Paper::A4, Orientation::Portrait, Scaling::OnePage)
            .print_area(last_row, 4),
    )
}

/// The forces by status, with an "All forces" totals row, from `row`; returns the totals
/// row's. The Approval and the Summary both show it.
pub(super) fn write_status_counts(
    w: &mut SheetWriter,
    mut row: usize,
    run: &RunResult,
) -> Result<usize, XlsxError> {
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
    let all = Cell::Count(run.forces.len() as i64);
    w.totals_row(row, &[Cell::text("All forces"), all])?;
    Ok(row)
}
