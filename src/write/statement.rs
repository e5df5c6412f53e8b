//! `statements/<force>-<year>-<Qn>.xlsx`: one force's quarter on one printable A4 page, to
//! send to the force: its figures as on its Schedule line, what is paid or owed, the status
//! and explanation, and its exceptions.

use rust_xlsxwriter::{Format, FormatAlign, Worksheet, XlsxError};

use crate::cycle::config::CycleConfig;
use crate::domain::{Money, Quarter};
use crate::pay::run::{Exception, ForceResult};
use crate::rules::reason::reason_text;
use crate::text::fit_cell;

use super::formats;
use super::table::{Cell, SheetWriter, to_number};

/// The sheet's one name.
pub const STATEMENT_SHEET: &str = "Statement";

/// The label of this quarter's payment when it is a recovery: the amount beside it is what
/// the force owes, written as a positive amount.
pub const RECOVERY_LABEL: &str = "Recovery this quarter (the force owes)";
/// The label of this quarter's payment otherwise.
pub const PAYMENT_LABEL: &str = "Payment this quarter";
/// What a figure that a hold leaves unworked says instead of a number.
pub const NOT_WORKED_OUT: &str = "not worked out: the payment is held";

/// The widths of the two columns, in characters: labels, then values. Together they fill
/// the width of an A4 page in portrait within its margins, at about 100%.
const LABEL_WIDTH: f64 = 44.0;
const VALUE_WIDTH: f64 = 52.0;
/// How many characters of wrapped text a line of each column holds, allowing for words
/// that do not fit at a line's end: what the row heights are worked out from.
const LABEL_LINE: usize = 40;
const VALUE_LINE: usize = 52;
/// The height of one line of text, in points (Calibri 11).
const LINE_HEIGHT: f64 = 15.0;

/// One row of the statement below its title: a label and its value. A text value is
/// wrapped, and its row given the height its lines need.
struct Line<'a> {
    label: String,
    value: Cell<'a>,
}

fn line<'a>(label: impl Into<String>, value: Cell<'a>) -> Line<'a> {
    Line {
        label: label.into(),
        value,
    }
}

/// The figures of the force's line, in the order of its Schedule columns, each equal to its
/// Schedule cell (a recovery written as the positive amount the force owes).
fn figures(force: &ForceResult) -> Vec<Line<'_>> {
    let l = &force.line;
    let held = |value: Option<Cell<'static>>| value.unwrap_or(Cell::text(NOT_WORKED_OUT));
    let payment = if l.payment.is_negative() {
        line(RECOVERY_LABEL, Cell::Money(-l.payment))
    } else {
        line(PAYMENT_LABEL, Cell::Money(l.payment))
    };
    vec![
        line("Allocation (A)", Cell::Money(l.allocation)),
        line("Eligible spend to date (CS)", Cell::Money(l.spend_to_date)),
        line(
            "Profiled spend to date (CP)",
            held(l.profiled_spend_to_date.map(Cell::Money)),
        ),
        line(
            "Profiled actuals (B)",
            held(l.profiled_actuals.map(Cell::Money)),
        ),
        line("Progress (P)", held(l.progress.map(Cell::Ratio))),
        line(
            "Band: the fraction paid (φ)",
            held(l.fraction.map(Cell::Fraction)),
        ),
        line(
            "Entitlement to date (E)",
            held(l.entitlement.map(Cell::Money)),
        ),
        line("Paid before (PTD)", Cell::Money(l.paid_before)),
        payment,
        line("Paid after", Cell::Money(l.paid_after)),
        line("Withheld (B − E)", held(l.withheld.map(Cell::Money))),
        line("Remaining (A − paid after)", Cell::Money(l.remaining)),
    ]
}

/// What the line comes to, in words. One row each: a new one (the reason) is one more line.
fn outcome<'a>(force: &'a ForceResult, payment_date: &str) -> Vec<Line<'a>> {
    let l = &force.line;
    let what_happens = if l.payment.is_negative() {
        format!(
            "{} owes the Home Office {}: it will be invoiced for this amount.",
            force.name,
            (-l.payment).to_gbp()
        )
    } else if l.payment > Money::ZERO {
        format!(
            "{} is paid {} on {payment_date}.",
            force.name,
            l.payment.to_gbp()
        )
    } else if l.status.is_hold() {
        "Nothing is paid this quarter: the payment is held (see the exceptions below).".to_owned()
    } else {
        "Nothing is paid this quarter, and nothing is owed.".to_owned()
    };
    vec![
        line("Status", Cell::text(l.status.as_str())),
        line("Reason", Cell::text(reason_text(&force.reasons))),
        line("This quarter", Cell::text(what_happens)),
        line("Explanation", Cell::text(force.explanation.as_str())),
    ]
}

/// Text for a page header: at most 100 characters (a header holds 255 in all), and `&`,
/// which starts a code there, written `&&` to print itself.
fn header_text(text: &str) -> String {
    text.chars()
        .take(100)
        .collect::<String>()
        .replace('&', "&&")
}

/// How many lines `text` takes wrapped at `per_line` characters.
fn lines_of(text: &str, per_line: usize) -> usize {
    text.split('\n')
        .map(|part| part.chars().count().div_ceil(per_line).max(1))
        .sum()
}

fn row32(row: usize) -> Result<u32, XlsxError> {
    u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)
}

/// The formats of the statement's own cells (the tables' come from `SheetWriter`).
struct Formats {
    title: Format,
    subtitle: Format,
    label: Format,
    wrapped: Format,
    /// Text among the figures, aligned with them.
    figure_text: Format,
    money: Format,
    ratio: Format,
}

impl Formats {
    fn new() -> Formats {
        let top = Format::new().set_align(FormatAlign::Top);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new().set_bold().set_font_size(12),
            label: top.clone().set_bold().set_text_wrap(),
            figure_text: top.clone().set_text_wrap().set_align(FormatAlign::Right),
            money: top.clone().set_num_format(formats::NUMBER_FORMAT_MONEY),
            ratio: top.clone().set_num_format(formats::NUMBER_FORMAT_RATIO),
            wrapped: top.set_text_wrap(),
        }
    }
}

/// Writes one force's statement for a quarter's run; `exceptions` are the run's exceptions
/// for that force.
pub fn write_statement(
    force: &ForceResult,
    exceptions: &[&Exception],
    config: &CycleConfig,
    quarter: Quarter,
    fingerprint: &str,
) -> Result<Vec<u8>, XlsxError> {
    let quarter_config = config.quarter(quarter);
    let mut workbook = formats::output_workbook();
    workbook.set_properties(&formats::fixed_properties(
        quarter_config.payment_date,
        &format!(
            "{} {}: statement for {}, {quarter}",
            config.scheme, config.year, force.name
        ),
    )?);
    let sheet = workbook.add_worksheet();
    let last_row = write_page(sheet, force, exceptions, config, quarter)?;
    page_setup(sheet, config, quarter, last_row, fingerprint)?;
    workbook.save_to_buffer()
}

/// Writes the page; returns its last row.
fn write_page(
    sheet: &mut Worksheet,
    force: &ForceResult,
    exceptions: &[&Exception],
    config: &CycleConfig,
    quarter: Quarter,
) -> Result<u32, XlsxError> {
    let f = Formats::new();
    let quarter_config = config.quarter(quarter);
    let payment_date = quarter_config.payment_date.to_string();
    let mut w = SheetWriter::new(sheet, STATEMENT_SHEET)?;
    let title = format!("{} {}: {quarter} statement", config.scheme, config.year);
    w.sheet()
        .merge_range(0, 0, 0, 1, &fit_cell(&title), &f.title)?;
    let who = format!("{} ({})", force.name, force.force.as_str());
    w.sheet()
        .merge_range(1, 0, 1, 1, &fit_cell(&who), &f.subtitle)?;
    w.sheet().set_row_height(0, 21)?;
    w.sheet().set_row_height(1, 18)?;
    let mut row = 3;
    let facts = [
        line("Payment date", Cell::text(payment_date.as_str())),
        line(
            "Returns counted if submitted by",
            Cell::text(quarter_config.cutoff.to_string()),
        ),
        line("Rules version", Cell::text(config.rules_version.as_str())),
    ];
    row = write_lines(&mut w, &f, row, &facts, &f.wrapped)?;
    row += 1;
    w.header(row, &["Figure to date", "Amount"])?;
    row = write_lines(&mut w, &f, row + 1, &figures(force), &f.figure_text)?;
    row += 1;
    w.header(row, &["Outcome", ""])?;
    row = write_lines(
        &mut w,
        &f,
        row + 1,
        &outcome(force, &payment_date),
        &f.wrapped,
    )?;
    row += 1;
    w.header(row, &["Exceptions for this force", "What it says"])?;
    row += 1;
    if exceptions.is_empty() {
        w.row(row, &[Cell::text("None"), Cell::Blank])?;
        w.sheet().set_row_height(row32(row)?, row_height(1))?;
        row += 1;
    }
    for e in exceptions {
        let label = e.kind.label();
        // What the line says, then who acts on it and how, as the Exceptions sheet has it.
        let text = format!("{}\nTo do: {}", e.message, e.to_do());
        write_wrapped(&mut w, row, (&label, &f.wrapped), (&text, &f.wrapped))?;
        row += 1;
    }
    w.fix_width(0, LABEL_WIDTH)?;
    w.fix_width(1, VALUE_WIDTH)?;
    w.finish()?;
    row32(row - 1)
}

/// Writes labelled lines from `row`, a text value in `text_format`; returns the row after
/// the last.
fn write_lines(
    w: &mut SheetWriter,
    f: &Formats,
    mut row: usize,
    lines: &[Line],
    text_format: &Format,
) -> Result<usize, XlsxError> {
    for line in lines {
        match &line.value {
            Cell::Text(text) => {
                write_wrapped(w, row, (&line.label, &f.label), (text, text_format))?;
            }
            value => {
                // Aligned to the top, as the wrapped rows are, so that rows read evenly.
                let (number, format) = match value {
                    Cell::Money(m) => (Some(m.as_decimal()), &f.money),
                    Cell::Ratio(x) => (Some(x.as_decimal()), &f.ratio),
                    Cell::Fraction(x) => (Some(x.as_decimal()), &f.ratio),
                    _ => (None, &f.wrapped),
                };
                let r = row32(row)?;
                let sheet = w.sheet();
                sheet.write_string_with_format(r, 0, fit_cell(&line.label).as_ref(), &f.label)?;
                if let Some(number) = number {
                    sheet.write_number_with_format(r, 1, to_number(number)?, format)?;
                }
                sheet.set_row_height(r, row_height(1))?;
            }
        }
        row += 1;
    }
    Ok(row)
}

/// The height of a row of `lines` lines, in points: every row of the page is given its own,
/// so that rows are evenly spaced and none is drawn over the next (LibreOffice does not
/// grow a row to fit wrapped text it did not write). Excel's rows are at most 409 points: a
/// longer text is cut off on the page, not lost (the cell holds it all).
fn row_height(lines: usize) -> f64 {
    (LINE_HEIGHT * lines as f64 + 3.0).min(409.0)
}

/// A row of two wrapped texts, each with its format, as tall as the longer needs.
fn write_wrapped(
    w: &mut SheetWriter,
    row: usize,
    (label, label_format): (&str, &Format),
    (text, text_format): (&str, &Format),
) -> Result<(), XlsxError> {
    let r = row32(row)?;
    let (label, text) = (fit_cell(label), fit_cell(text));
    let sheet = w.sheet();
    sheet.write_string_with_format(r, 0, label.as_ref(), label_format)?;
    sheet.write_string_with_format(r, 1, text.as_ref(), text_format)?;
    let lines = lines_of(&label, LABEL_LINE).max(lines_of(&text, VALUE_LINE));
    sheet.set_row_height(r, row_height(lines))?;
    Ok(())
}

/// A4 portrait on one page, with the scheme, year and quarter at the top of the page and its
/// number at the foot.
fn page_setup(
    sheet: &mut Worksheet,
    config: &CycleConfig,
    quarter: Quarter,
    last_row: u32,
    fingerprint: &str,
) -> Result<(), XlsxError> {
    const A4: u8 = 9;
    sheet
        .set_paper_size(A4)
        .set_portrait()
        .set_print_fit_to_pages(1, 1)
        .set_margins(0.6, 0.6, 0.9, 0.8, 0.4, 0.4)
        .set_print_center_horizontally(true)
        .set_header(format!(
            "&L{}&R{} {quarter}",
            header_text(&config.scheme),
            config.year
        ))
        .set_footer(format!(
            "&LStatement, {} {quarter}; input fingerprint {}…&RPage &P of &N",
            config.year,
            fingerprint
                .chars()
                .filter(char::is_ascii_hexdigit)
                .take(16)
                .collect::<String>()
        ));
    sheet.set_print_area(0, 0, last_row, 1)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_text_is_given_the_lines_it_needs() {
        assert_eq!(lines_of("", 50), 1);
        assert_eq!(lines_of(&"x".repeat(50), 50), 1);
        assert_eq!(lines_of(&"x".repeat(51), 50), 2);
        assert_eq!(lines_of("a\nb", 50), 2);
    }

    #[test]
    fn an_ampersand_in_the_scheme_prints_itself_in_the_page_header() {
        assert_eq!(header_text("Police & Crime"), "Police && Crime");
    }
}
