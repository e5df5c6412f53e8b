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

/// JSON text with every character that could move or hide text on a terminal and that JSON
/// itself leaves as it is (DEL, the C1 controls, the bidirectional controls, the line and
/// paragraph separators) written as a `\u` escape; JSON escapes the C0 controls itself, so
/// the layout's own new lines are the only ones left, and they are kept.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    let unsafe_in_json = |c: char| c != '\n' && is_unsafe(c);
    if !json.chars().any(unsafe_in_json) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_in_json(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
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

/// The longest run of characters without a space a message keeps whole.
pub const WORD_LIMIT: usize = 80;

/// A message with every run of more than [`WORD_LIMIT`] characters without a space cut to
/// [`QUOTED_LIMIT`] and how long it was: what a parser echoes of a 40,000-character key or
/// value never reaches a person whole.
pub fn shorten_words(message: &str) -> Cow<'_, str> {
    if !message
        .split(char::is_whitespace)
        .any(|word| word.len() > WORD_LIMIT && word.chars().count() > WORD_LIMIT)
    {
        return Cow::Borrowed(message);
    }
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let count = word.chars().count();
        if count > WORD_LIMIT {
            out.extend(word.chars().take(QUOTED_LIMIT));
            out.push_str(&format!("… ({} characters in all)", thousands(count)));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in message.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    Cow::Owned(out)
}

/// The most characters one printed line holds: a longer one is cut, saying how long it was.
pub const LINE_LIMIT: usize = 2_000;

/// A line as printed: at most [`LINE_LIMIT`] characters.
pub fn fit_line(line: &str) -> Cow<'_, str> {
    if line.len() <= LINE_LIMIT || line.chars().count() <= LINE_LIMIT {
        return Cow::Borrowed(line);
    }
    let mut out: String = line.chars().take(LINE_LIMIT).collect();
    out.push_str(&format!(
        " … [cut: {} characters in all]",
        thousands(line.chars().count())
    ));
    Cow::Owned(out)
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

/// `40000` → `40,000`: a comma between every group of three digits, counting from the
/// right, after a leading minus sign if there is one. npg's one digit grouping: counts in
/// messages and pounds in `Money::to_gbp` (which passes the whole pounds) both use it.
pub fn thousands(n: impl std::fmt::Display) -> String {
    let text = n.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let mut out = String::with_capacity(text.len() + digits.len() / 3);
    out.push_str(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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
    fn json_keeps_its_new_lines_and_escapes_what_it_leaves_raw() {
        let json = "{\n  \"file\": \"a\u{9b}2Jb\u{202e}c\u{7f}\"\n}";
        let safe = json_safe(json);
        assert_eq!(safe, "{\n  \"file\": \"a\\u009b2Jb\\u202ec\\u007f\"\n}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["file"], "a\u{9b}2Jb\u{202e}c\u{7f}");
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
    fn long_words_and_lines_are_cut_saying_how_long_they_were() {
        assert!(matches!(
            shorten_words("unknown key `pot`"),
            Cow::Borrowed(_)
        ));
        let long = format!(
            "unknown key `{}`, expected one of `year`",
            "W".repeat(40_000)
        );
        assert_eq!(
            shorten_words(&long),
            format!(
                "unknown key `{}… (40,003 characters in all) expected one of `year`",
                "W".repeat(59)
            )
        );
        let line = "x".repeat(3_000);
        assert_eq!(
            fit_line(&line).chars().count(),
            LINE_LIMIT + " … [cut: 3,000 characters in all]".chars().count()
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

    #[test]
    fn digits_are_grouped_in_threes_from_the_right() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(40_000u64), "40,000");
        assert_eq!(thousands(1_803_234), "1,803,234");
        assert_eq!(thousands(-123_456), "-123,456");
        assert_eq!(thousands(-12), "-12");
        assert_eq!(thousands("200000000"), "200,000,000");
    }
}
