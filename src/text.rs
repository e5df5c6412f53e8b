//! Text that came from a file or a user, made safe to show: control characters escaped
//! before it is printed, long text cut before it is quoted in a message or put in a cell.

use std::borrow::Cow;

/// The most characters one cell of a workbook holds (Excel's limit, which rust_xlsxwriter
/// enforces).
pub const CELL_TEXT_LIMIT: usize = 32_767;

/// How many characters of a value a message quotes before cutting it.
pub const QUOTED_LIMIT: usize = 60;

/// True for a character that would move the cursor, change colours, end a line or reorder
/// text on a terminal: C0 and C1 controls, DEL, the line and paragraph separators and the
/// bidirectional overrides and isolates.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Text as npg prints it on a terminal or into a text report: every control character
/// escaped (`\n`, `\t`, `\x1b`, `\u{202e}`), so that a name or a cell can neither forge a
/// line nor hide one. JSON output escapes them itself.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A value quoted in a message: at most [`QUOTED_LIMIT`] characters, then `…` and how long
/// it was, so that a 40,000-character name is never echoed whole.
pub fn cut(text: &str) -> String {
    let total = text.chars().count();
    if total <= QUOTED_LIMIT {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(QUOTED_LIMIT).collect();
    format!("{head:?}… ({} characters in all)", thousands(total))
}

/// How many items a message lists before it says how many more there are.
pub const LISTED_LIMIT: usize = 10;

/// Items for a message, joined with commas: the first [`LISTED_LIMIT`], then how many more,
/// so that a workbook of 10,000 sheets never makes a message of them all.
pub fn listed(items: &[String]) -> String {
    let mut out = items
        .iter()
        .take(LISTED_LIMIT)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > LISTED_LIMIT {
        out.push_str(&format!(
            " and {} more",
            thousands(items.len() - LISTED_LIMIT)
        ));
    }
    out
}

/// Text for one cell of an output workbook: itself when it fits, else cut to
/// [`CELL_TEXT_LIMIT`] characters ending with a mark that says it was cut and how long it was.
pub fn fit_cell(text: &str) -> Cow<'_, str> {
    // Characters are at most 4 bytes, so short text fits without counting.
    if text.len() <= CELL_TEXT_LIMIT {
        return Cow::Borrowed(text);
    }
    let total = text.chars().count();
    if total <= CELL_TEXT_LIMIT {
        return Cow::Borrowed(text);
    }
    let mark = format!(" … [cut: {} characters in all]", thousands(total));
    let keep = CELL_TEXT_LIMIT - mark.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(&mark);
    Cow::Owned(out)
}

/// `40000` → `40,000` (a count, never negative).
pub fn thousands(n: impl std::fmt::Display) -> String {
    group_thousands(&n.to_string())
}

/// Puts a comma between every group of three digits, counting from the right.
pub fn group_thousands(whole: &str) -> String {
    let mut out = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_left_alone() {
        assert!(matches!(
            printable("kent Q2 – final.xlsx"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            printable("a.xlsx\nChecked 2 files: no problems found."),
            "a.xlsx\\nChecked 2 files: no problems found."
        );
        assert_eq!(printable("\u{1b}[2K\u{1b}[1Aok"), "\\x1b[2K\\x1b[1Aok");
        assert_eq!(printable("tab\there\r"), "tab\\there\\r");
        assert_eq!(printable("abc\u{202e}fdp.xlsx"), "abc\\u{202e}fdp.xlsx");
        assert_eq!(printable("\u{85}\u{7f}"), "\\x85\\x7f");
    }

    #[test]
    fn quoted_values_are_cut_at_sixty_characters_saying_how_long_they_were() {
        assert_eq!(cut("Kent"), "\"Kent\"");
        let long = "x".repeat(40_000);
        assert_eq!(
            cut(&long),
            format!("\"{}\"… (40,000 characters in all)", "x".repeat(60))
        );
    }

    #[test]
    fn long_lists_name_ten_and_count_the_rest() {
        let items: Vec<String> = (1..=12).map(|n| n.to_string()).collect();
        assert_eq!(listed(&items[..2]), "1, 2");
        assert_eq!(listed(&items), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more");
    }

    #[test]
    fn text_longer_than_a_cell_is_cut_to_the_cell_with_a_mark() {
        assert!(matches!(fit_cell("short"), Cow::Borrowed(_)));
        let exact = "é".repeat(CELL_TEXT_LIMIT);
        assert_eq!(fit_cell(&exact).chars().count(), CELL_TEXT_LIMIT);
        let long = "é".repeat(40_000);
        let fitted = fit_cell(&long);
        assert_eq!(fitted.chars().count(), CELL_TEXT_LIMIT);
        assert!(
            fitted.ends_with(" … [cut: 40,000 characters in all]"),
            "{}",
            &fitted[fitted.len() - 60..]
        );
        assert!(fitted.starts_with("ééé"));
    }
}
