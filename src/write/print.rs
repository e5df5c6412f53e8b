//! Page setup for every sheet npg writes: paper, orientation, scaling, print titles, a header
//! naming the scheme, year and quarter, a footer with the page number and the input
//! fingerprint, margins, print area and page breaks, so that a sheet prints as it is read.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Excel's paper size codes (`<pageSetup paperSize=..>`).
const PAPER_A3: u8 = 8;
const PAPER_A4: u8 = 9;

/// How many hex digits of the input fingerprint the footer shows: the first 16 of 64, enough
/// to tell two runs apart at a glance; the whole of it is on the Approval and Summary sheets.
pub const FOOTER_FINGERPRINT_DIGITS: usize = 16;

/// The paper a sheet is set up for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    /// Width and height in inches, portrait.
    fn inches(self) -> (f64, f64) {
        match self {
            Paper::A4 => (8.27, 11.69),
            Paper::A3 => (11.69, 16.54),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

/// How a sheet is scaled to its paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// A fixed percentage: the printed size is known, whatever the application.
    Percent(u16),
    /// Shrunk to this many pages wide, as many tall as it takes.
    PagesWide(u16),
    /// Shrunk to one page (a form such as the Approval sheet).
    OnePage,
}

/// Margins in inches: narrow at the sides (tables are wide), room for the header and footer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Margins {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub header: f64,
    pub footer: f64,
}

pub const MARGINS: Margins = Margins {
    left: 0.4,
    right: 0.4,
    top: 0.7,
    bottom: 0.7,
    header: 0.3,
    footer: 0.3,
};

/// What every printed page of a workbook says in its header and footer.
#[derive(Clone, Copy, Debug)]
pub struct Heading<'a> {
    /// `Neighbourhood Policing Grant`.
    pub scheme: &'a str,
    /// `2025-26`.
    pub year: &'a str,
    /// `Q2`, or none for an output of the year or a month.
    pub quarter: Option<&'a str>,
    /// What the workbook is: `payment schedule`, `reconciliation to 2025-09`.
    pub what: &'a str,
    /// The run's input fingerprint (64 hex digits), where the workbook comes from a run.
    pub fingerprint: Option<&'a str>,
}

/// One sheet's page setup.
#[derive(Clone, Debug, PartialEq)]
pub struct PageSetup {
    pub paper: Paper,
    pub orientation: Orientation,
    pub scaling: Scaling,
    /// Rows printed at the top of every page (the header row), first and last.
    pub repeat_rows: Option<(u32, u32)>,
    /// Columns printed at the left of every page (force id and name), first and last.
    pub repeat_columns: Option<(u16, u16)>,
    /// First row, first column, last row, last column.
    pub print_area: Option<(u32, u16, u32, u16)>,
    /// Rows that start a new page.
    pub page_breaks: Vec<u32>,
}

impl PageSetup {
    /// A table: its header row repeated, nothing else fixed.
    pub fn table(paper: Paper, orientation: Orientation, scaling: Scaling) -> PageSetup {
        PageSetup {
            paper,
            orientation,
            scaling,
            repeat_rows: Some((0, 0)),
            repeat_columns: None,
            print_area: None,
            page_breaks: Vec::new(),
        }
    }

    /// A sheet of labels and values, or a form: nothing repeated.
    pub fn page(paper: Paper, orientation: Orientation, scaling: Scaling) -> PageSetup {
        PageSetup {
            repeat_rows: None,
            ..PageSetup::table(paper, orientation, scaling)
        }
    }

    pub fn repeat_rows(mut self, first: u32, last: u32) -> PageSetup {
        self.repeat_rows = Some((first, last));
        self
    }

    pub fn repeat_columns(mut self, first: u16, last: u16) -> PageSetup {
        self.repeat_columns = Some((first, last));
        self
    }

    pub fn print_area(mut self, last_row: u32, last_col: u16) -> PageSetup {
        self.print_area = Some((0, 0, last_row, last_col));
        self
    }

    pub fn page_breaks(mut self, rows: Vec<u32>) -> PageSetup {
        self.page_breaks = rows;
        self
    }

    /// The printable width of the paper in points, inside the margins.
    pub fn printable_width_points(&self) -> f64 {
        let (w, h) = self.paper.inches();
        let across = match self.orientation {
            Orientation::Portrait => w,
            Orientation::Landscape => h,
        };
        (across - MARGINS.left - MARGINS.right) * 72.0
    }
}

/// Text for a header or footer: `&` starts a code there, so a literal one is doubled.
fn literal(text: &str) -> String {
    text.replace('&', "&&")
}

/// The header: scheme on the left, year, quarter and what the workbook is in the centre, the
/// sheet's name on the right.
pub fn header_text(heading: &Heading) -> String {
    let when = match heading.quarter {
        Some(q) => format!("{} {q}", heading.year),
        None => heading.year.to_owned(),
    };
    format!(
        "&L{}&C{}: {}&R&A",
        literal(heading.scheme),
        literal(&when),
        literal(heading.what)
    )
}

/// The footer: the input fingerprint's first digits on the left, `Page X of Y` on the right.
pub fn footer_text(heading: &Heading) -> String {
    let left = heading.fingerprint.map_or(String::new(), |f| {
        let short: String = f.chars().take(FOOTER_FINGERPRINT_DIGITS).collect();
        format!("&LInput fingerprint {}…", literal(&short))
    });
    format!("{left}&RPage &P of &N")
}

/// Gives `sheet` its page setup.
pub fn set_up_page(
    sheet: &mut Worksheet,
    heading: &Heading,
    setup: &PageSetup,
) -> Result<(), XlsxError> {
    sheet.set_paper_size(match setup.paper {
        Paper::A4 => PAPER_A4,
        Paper::A3 => PAPER_A3,
    });
    match setup.orientation {
        Orientation::Portrait => sheet.set_portrait(),
        Orientation::Landscape => sheet.set_landscape(),
    };
    match setup.scaling {
        Scaling::Percent(p) => sheet.set_print_scale(p.clamp(10, 400)),
        Scaling::PagesWide(n) => sheet.set_print_fit_to_pages(n.max(1), 0),
        Scaling::OnePage => sheet.set_print_fit_to_pages(1, 1),
    };
    let m = MARGINS;
    sheet.set_margins(m.left, m.right, m.top, m.bottom, m.header, m.footer);
    sheet.set_header(header_text(heading));
    sheet.set_footer(footer_text(heading));
    if let Some((first, last)) = setup.repeat_rows {
        sheet.set_repeat_rows(first, last)?;
    }
    if let Some((first, last)) = setup.repeat_columns {
        sheet.set_repeat_columns(first, last)?;
    }
    if let Some((r1, c1, r2, c2)) = setup.print_area {
        sheet.set_print_area(r1, c1, r2, c2)?;
    }
    if !setup.page_breaks.is_empty() {
        sheet.set_page_breaks(&setup.page_breaks)?;
    }
    Ok(())
}

/// A column's width in points, from its width in characters, as wide as either application
/// draws it in the default font (Calibri 11, or its metric twin Carlito): Excel adds 5 pixels
/// of padding and rounds a digit to 7 pixels; LibreOffice keeps the digit's true 7.44 pixels,
/// padding included, so the wider of the two is used and a sheet fits in both.
pub fn column_points(chars: f64) -> f64 {
    let excel = (chars * 7.0 + 0.5).floor() + 5.0;
    let libreoffice = (chars + 5.0 / 7.0) * DIGIT_PIXELS;
    excel.max(libreoffice) * 0.75
}

/// The width of a digit of Calibri 11 (0.507 em of 14.67 pixels), as LibreOffice measures it.
const DIGIT_PIXELS: f64 = 7.44;

/// The largest whole percentage at which columns of these widths fit one page wide.
pub fn scale_to_fit(widths: &[f64], setup: &PageSetup) -> u16 {
    let total: f64 = widths.iter().map(|w| column_points(*w)).sum();
    if total <= 0.0 {
        return 100;
    }
    let percent = (setup.printable_width_points() / total * 100.0).floor();
    // A float only to choose a print scale, never a figure.
    percent.clamp(10.0, 100.0) as u16
}

/// How wide a character is, in digits of the default font: capitals and digits about one,
/// most lower-case letters and punctuation narrower, a space about half.
fn char_units(c: char) -> f64 {
    if c == ' ' {
        0.5
    } else if c.is_uppercase() || c.is_ascii_digit() || "£%&@mwMW—".contains(c) {
        1.0
    } else {
        0.85
    }
}

/// How many lines `text` wraps to in a column `chars` wide, words kept whole, less a digit
/// and a half for the cell's padding and its indent. The widths of `char_units` are a little
/// generous, so the estimate errs towards a row tall enough.
pub fn wrapped_lines(text: &str, chars: f64) -> usize {
    let capacity = (chars - 1.5).max(1.0);
    let units = |word: &str| word.chars().map(char_units).sum::<f64>();
    let mut lines = 1;
    let mut used = 0.0;
    for word in text.split_whitespace() {
        let len = units(word);
        if used == 0.0 {
            used = len;
        } else if used + char_units(' ') + len <= capacity {
            used += char_units(' ') + len;
        } else {
            lines += 1;
            used = len;
        }
        while used > capacity {
            lines += 1;
            used -= capacity;
        }
    }
    lines
}

/// The height in points of a row of `lines` lines of the default font.
pub fn row_points(lines: usize) -> f64 {
    15.0 * lines.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_and_footer_name_the_run_and_escape_ampersands() {
        let heading = Heading {
            scheme: "Police & Crime Grant",
            year: "2025-26",
            quarter: Some("Q2"),
            what: "payment schedule",
            fingerprint: Some("8b6608826cba28ef854569c92f6964c9b4a8dd787c6c013d714528e55636e07b"),
        };
        assert_eq!(
            header_text(&heading),
            "&LPolice && Crime Grant&C2025-26 Q2: payment schedule&R&A"
        );
        assert_eq!(
            footer_text(&heading),
            "&LInput fingerprint 8b6608826cba28ef…&RPage &P of &N"
        );
        let no_run = Heading {
            quarter: None,
            fingerprint: None,
            ..heading
        };
        assert_eq!(footer_text(&no_run), "&RPage &P of &N");
    }

    #[test]
    fn the_scale_is_the_largest_that_fits_the_page_width() {
        let a4 = PageSetup::table(Paper::A4, Orientation::Landscape, Scaling::Percent(100));
        // 11.69in less 0.8in of margins: 784.08 points.
        assert!((a4.printable_width_points() - 784.08).abs() < 1e-9);
        // Ten columns 20 characters wide: 20.71 × 7.44 = 154.11 pixels (Excel: 145), 115.58
        // points each.
        assert!((column_points(20.0) - 115.585_714).abs() < 1e-5);
        assert_eq!(scale_to_fit(&[20.0; 10], &a4), 67);
        assert_eq!(scale_to_fit(&[10.0; 2], &a4), 100);
    }

    #[test]
    fn wrapped_lines_keep_words_whole() {
        assert_eq!(wrapped_lines("", 20.0), 1);
        assert_eq!(wrapped_lines("one two three", 20.0), 1);
        // 18.5 digits a line: "AAAA BBBB CCCC DDDD" is 17.5, " EEEE" would make it 22.
        assert_eq!(wrapped_lines("AAAA BBBB CCCC DDDD EEEE", 20.0), 2);
        // 40 capitals in one word, 9.5 a line.
        assert_eq!(wrapped_lines(&"X".repeat(40), 11.0), 5);
        // As LibreOffice wraps it in a column 32 wide (Carlito 11): two lines.
        assert_eq!(
            wrapped_lines(
                "ON PLAN: progress is in the top band: paid in full on eligible spend",
                32.0
            ),
            2
        );
        assert_eq!(row_points(3), 45.0);
    }
}
