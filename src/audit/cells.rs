//! One workbook cell as verify reads it: its value exactly (to tell two cells apart) and as
//! an auditor reads it, a figure shown as its column holds it (money with thousands
//! separators and its pence, a count as an integer, a ratio as a ratio).

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use super::formats::NumberKind;
use crate::read::grid::{CellValue, WorkbookData};

/// Shown for an empty cell or a missing field.
pub const BLANK: &str = "(blank)";

/// A number cell's figure, as the decimal the workbook holds.
///
/// calamine gives a number cell as the `f64` it parsed from the workbook's text, so it is
/// turned into a decimal here, once, and nothing after this looks at the float. The
/// conversion is exact: `f64`'s `Display` writes the shortest decimal that reads back as
/// the very same float (positional, never an exponent), which is the figure the workbook's
/// XML holds whenever that text was itself the shortest for its float: every figure
/// rust_xlsxwriter writes, and any of up to 15 significant digits Excel or LibreOffice
/// writes. That text is then read by `Decimal::from_str_exact`, which refuses rather than
/// rounds. Two cells thus differ exactly when their floats do (a `-0` reads as
/// 0, the same figure). A float beyond what a `Decimal` holds (above about 7.9e28, or with
/// more than 28 decimal places) keeps its shortest text, exact too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Figure {
    Exact(Decimal),
    Beyond(String),
}

impl Figure {
    pub(crate) fn of(value: f64) -> Figure {
        let text = value.to_string();
        match Decimal::from_str_exact(&text) {
            Ok(exact) => Figure::Exact(exact),
            Err(_) => Figure::Beyond(text),
        }
    }

    /// The figure to at least 2 places, at most 4 (money shows its pence, ratios their
    /// four places), rounded half away from zero as rules §1 rounds.
    pub(crate) fn shown(&self) -> String {
        match self {
            Figure::Exact(value) => shown_decimal(*value),
            // Beyond a `Decimal` by its places: far below a penny, so the reader's own
            // rounding to 28 places loses nothing that 4 places show.
            Figure::Beyond(text) => match Decimal::from_str(text) {
                Ok(tiny) => shown_decimal(tiny),
                // Beyond it by its size: a whole number (every float that large is one).
                Err(_) => format!("{text}.00"),
            },
        }
    }

    /// The figure as a cell of this kind shows it: money grouped in thousands with its
    /// pence, a count as a whole number, a ratio or a quantity to 2 to 4 places, a figure
    /// without a format exactly as it is.
    pub(crate) fn shown_as(&self, kind: NumberKind) -> String {
        match kind {
            NumberKind::Money => grouped(&self.shown()),
            NumberKind::Ratio | NumberKind::Quantity => self.shown(),
            NumberKind::Count => match self {
                Figure::Exact(value) if value.fract().is_zero() => value.trunc().to_string(),
                _ => self.exact(),
            },
            NumberKind::Plain => self.exact(),
        }
    }

    /// The figure exactly, as the workbook holds it.
    pub(crate) fn exact(&self) -> String {
        match self {
            Figure::Exact(value) => value.to_string(),
            Figure::Beyond(text) => text.clone(),
        }
    }
}

/// `1247613.60` → `1,247,613.60`: the whole part grouped in thousands, the rest as it is.
pub fn grouped(figure: &str) -> String {
    match figure.split_once('.') {
        Some((whole, places)) => format!("{}.{places}", crate::text::thousands(whole)),
        None => crate::text::thousands(figure),
    }
}

/// A decimal with at least 2 places and at most 4, rounded half away from zero; never
/// `-0.00`.
fn shown_decimal(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        return "0.00".to_owned();
    }
    // Padded as text: a 28-digit decimal cannot be rescaled, nor formatted with `{:.4}`.
    let mut text = rounded.to_string();
    match rounded.scale() {
        0 => text.push_str(".00"),
        1 => text.push('0'),
        _ => {
            while text.ends_with('0') && text.len() - text.find('.').unwrap_or(text.len()) > 3 {
                text.pop();
            }
        }
    }
    text
}

/// One cell as read: exactly, and as an auditor reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRead {
    /// The value exactly, with its type (`number 1247613.6`, `text "12.50"`), for telling
    /// two cells apart when they read the same once shown.
    pub exact: String,
    /// A number's figure, shown by the kind of its cell.
    figure: Option<Figure>,
    /// Anything else as an auditor reads it (`(blank)` for an empty cell).
    text: String,
    /// The cell holds text (a header or a label).
    pub is_text: bool,
}

impl CellRead {
    pub fn of(cell: &CellValue) -> CellRead {
        let read = |exact: String, text: String| CellRead {
            exact,
            figure: None,
            text,
            is_text: false,
        };
        match cell {
            // A number's float is turned into its figure here, and only here.
            CellValue::Number(float) => {
                let figure = Figure::of(*float);
                CellRead {
                    exact: format!("number {}", figure.exact()),
                    figure: Some(figure),
                    text: String::new(),
                    is_text: false,
                }
            }
            CellValue::Text(s) if s.is_empty() => read(format!("text {s:?}"), BLANK.to_owned()),
            CellValue::Text(s) => CellRead {
                is_text: true,
                ..read(format!("text {s:?}"), s.clone())
            },
            CellValue::Bool(b) => read(
                format!("boolean {b}"),
                if *b { "TRUE" } else { "FALSE" }.to_owned(),
            ),
            CellValue::Date(d) => read(format!("date {d}"), d.to_string()),
            CellValue::Error(e) => read(format!("error {e:?}"), e.clone()),
            CellValue::Empty => read(BLANK.to_owned(), BLANK.to_owned()),
        }
    }

    /// As an auditor reads it, a figure as a cell of `kind` shows it.
    pub fn shown(&self, kind: NumberKind) -> String {
        match &self.figure {
            Some(figure) => figure.shown_as(kind),
            None => self.text.clone(),
        }
    }

    /// Its text as a label (a header, a row's key): as it reads, a figure exactly.
    pub fn label(&self) -> String {
        self.shown(NumberKind::Plain)
    }
}

/// One sheet's non-empty cells, by (row, column).
pub type SheetCells = BTreeMap<(u32, u32), CellRead>;

/// Every sheet of a workbook as its non-empty cells, by name.
pub fn cells(book: &WorkbookData) -> Vec<(String, SheetCells)> {
    book.sheets
        .iter()
        .map(|sheet| {
            let found = sheet
                .cells()
                .map(|(at, value)| (at, CellRead::of(value)))
                .collect();
            (sheet.name.clone(), found)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_is_shown_as_its_column_holds_it() {
        let f = |v: f64, kind| Figure::of(v).shown_as(kind);
        assert_eq!(f(1_247_613.6, NumberKind::Money), "1,247,613.60");
        assert_eq!(f(-363_018.35, NumberKind::Money), "-363,018.35");
        assert_eq!(f(0.5, NumberKind::Money), "0.50");
        assert_eq!(f(8982.0, NumberKind::Count), "8982");
        assert_eq!(f(8982.5, NumberKind::Count), "8982.5");
        assert_eq!(f(0.6842, NumberKind::Ratio), "0.6842");
        assert_eq!(f(1.0, NumberKind::Ratio), "1.00");
        assert_eq!(f(115.5, NumberKind::Quantity), "115.50");
        assert_eq!(f(1.5, NumberKind::Plain), "1.5");
        assert_eq!(f(2_860.0, NumberKind::Plain), "2860");
        assert_eq!(grouped("-1234567"), "-1,234,567");
    }
}
