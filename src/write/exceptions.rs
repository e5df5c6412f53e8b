//! The Exceptions sheet of the payment schedule: the action list of the run, each line saying
//! who acts and what they do, then carried-over warnings and information (not counted).

use rust_xlsxwriter::{Format, FormatAlign, XlsxError};

use crate::pay::run::RunResult;

use super::formats::NUMBER_FORMAT_MONEY;
use super::table::{Cell, SheetWriter, to_number};

const EXCEPTIONS_HEADER: [&str; 12] = [
    "Section",
    "Force id",
    "Exception",
    "Who acts",
    "Action",
    "Amount",
    "File",
    "Sheet",
    "Cell",
    "Code",
    "Severity",
    "Message",
];

/// The columns of long sentences, wrapped at a fixed width (in characters).
const WRAPPED: [(usize, f64); 2] = [(4, 60.0), (11, 70.0)];
/// The Amount column.
const AMOUNT: usize = 5;
/// The File column: wrapped at a width a long return name fits in two lines.
const FILE: usize = 6;
const FILE_WIDTH: f64 = 34.0;
/// The height of one line of text in the default font, in points.
const LINE_HEIGHT: f64 = 15.0;

/// How many lines `text` takes wrapped at words in a column `chars` wide. A column's width is
/// counted in digits, wider than most letters, so this errs on the side of a line to spare.
fn wrapped_lines(text: &str, chars: f64) -> usize {
    let room = chars.max(1.0) as usize;
    let mut lines = 1;
    let mut used = 0;
    for word in text.split([' ', '/']) {
        let len = word.chars().count();
        if used == 0 {
            used = len;
        } else if used + 1 + len <= room {
            used += 1 + len;
        } else {
            lines += 1 + len / room.max(1);
            used = len % room.max(1);
        }
    }
    lines
}

/// Writes the Exceptions sheet: one line per exception, with the finding behind it, sorted
/// by section (Action, Carried over, Information), force, kind, file and message.
pub fn write_exceptions(
    sheet: &mut rust_xlsxwriter::Worksheet,
    run: &RunResult,
) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "Exceptions")?;
    // Every text cell is written without a format of its own and so takes its column's:
    // top-aligned, so a line's cells read across from the first line of its sentences.
    let top = Format::new().set_align(FormatAlign::Top);
    let wrapped = top.clone().set_text_wrap();
    for col in 0..EXCEPTIONS_HEADER.len() as u16 {
        let long = WRAPPED.iter().any(|(c, _)| *c == usize::from(col)) || usize::from(col) == FILE;
        w.sheet()
            .set_column_format(col, if long { &wrapped } else { &top })?;
    }
    let money = Format::new()
        .set_num_format(NUMBER_FORMAT_MONEY)
        .set_align(FormatAlign::Top);
    w.header(0, &EXCEPTIONS_HEADER)?;
    for (index, e) in run.exceptions.iter().enumerate() {
        let finding = e.finding.as_ref();
        let cells = [
            Cell::text(e.section.label()),
            e.force
                .as_ref()
                .map_or(Cell::Blank, |f| Cell::text(f.as_str())),
            Cell::text(e.kind.label()),
            Cell::text(e.who.label()),
            Cell::text(e.action.as_str()),
            // Written below with its own format, so that it is top-aligned too.
            Cell::Blank,
            e.file.as_deref().map_or(Cell::Blank, Cell::text),
            finding
                .and_then(|f| f.location.sheet.as_deref())
                .map_or(Cell::Blank, Cell::text),
            finding
                .and_then(|f| f.location.a1())
                .map_or(Cell::Blank, Cell::text),
            finding.map_or(Cell::Blank, |f| Cell::text(f.code.to_string())),
            finding.map_or(Cell::Blank, |f| Cell::text(f.severity.to_string())),
            Cell::text(e.message.as_str()),
        ];
        w.row(index + 1, &cells)?;
        // Neither Excel nor LibreOffice grows a row to its wrapped text on opening a file
        // written this way, so each row is given the height of its longest wrapped cell.
        let lines = [
            (e.action.as_str(), WRAPPED[0].1),
            (e.message.as_str(), WRAPPED[1].1),
            (e.file.as_deref().unwrap_or(""), FILE_WIDTH),
        ]
        .into_iter()
        .map(|(text, chars)| wrapped_lines(text, chars))
        .max()
        .unwrap_or(1);
        if lines > 1 {
            let row = u32::try_from(index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            w.sheet().set_row_height(row, LINE_HEIGHT * lines as f64)?;
        }
        if let Some(amount) = e.amount {
            let row = u32::try_from(index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            w.sheet().write_number_with_format(
                row,
                AMOUNT as u16,
                to_number(amount.as_decimal())?,
                &money,
            )?;
        }
    }
    for (col, chars) in WRAPPED {
        w.fix_width(col, chars)?;
    }
    w.fix_width(AMOUNT, 16.0)?;
    w.fix_width(FILE, FILE_WIDTH)?;
    w.sheet().set_freeze_panes(1, 0)?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::wrapped_lines;

    #[test]
    fn text_is_counted_in_the_lines_it_wraps_to() {
        assert_eq!(wrapped_lines("", 60.0), 1);
        assert_eq!(
            wrapped_lines("invoice Cumbria Constabulary for £180,155.20", 60.0),
            1
        );
        // 60 characters of room: two words of 30 do not share a line (61 with the space).
        let two = format!("{} {}", "a".repeat(30), "b".repeat(30));
        assert_eq!(wrapped_lines(&two, 60.0), 2);
        // Twelve words of four fit a line of 60 (59 with their spaces).
        assert_eq!(wrapped_lines(&"word ".repeat(40), 60.0), 4);
    }
}
