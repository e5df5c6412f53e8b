//! A small tag scanner for the XML parts checked before calamine reads them.

// A small tag scanner for the XML parts that are checked before calamine reads them. It
// sees start, end and empty-element tags with their raw attributes, skipping comments,
// CDATA, processing instructions and declarations; text is passed over.
//
// It is kept rather than replaced by quick-xml (0.42, which calamine reads with), because
// quick-xml reads malformed content otherwise, so the .ods scan and the shared-strings check
// would accept or refuse other files than they do: it stops at bytes that are not UTF-8 and
// at a `<!` that is not a comment, CDATA or DOCTYPE, and at `<?>`, where this scanner
// passes on; it reads a DOCTYPE's internal subset to its last `]>`, where this stops at the
// first `>`; it takes a form feed into a tag's name; and it goes on to the attribute after a
// name with no `=`, which this reads as part of that name. Each case is pinned by the test
// `the_tag_scanner_reads_malformed_content_as_it_always_has`.
#[derive(Debug)]
pub(super) struct Tag<'a> {
    pub(super) name: &'a [u8],
    pub(super) attrs: &'a [u8],
    /// Where `attrs` starts in the XML, so that an attribute can be found there again.
    pub(super) attrs_at: usize,
    /// Bytes of text (and of anything skipped) between the previous tag and this one.
    pub(super) text_before: usize,
    /// `</name>`.
    pub(super) closing: bool,
    /// `<name/>`.
    pub(super) self_closing: bool,
}

/// One attribute of a tag: its name, its raw value, and where the whole `name="value"`
/// lies in the XML.
pub(super) struct Attr<'a> {
    pub(super) name: &'a [u8],
    pub(super) value: &'a [u8],
    pub(super) span: std::ops::Range<usize>,
}

impl<'a> Tag<'a> {
    pub(super) fn attributes(&self) -> Attrs<'a> {
        Attrs {
            rest: self.attrs,
            at: self.attrs_at,
        }
    }

    /// The raw value of an attribute, by its full name (`table:name`).
    pub(super) fn attr(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.attributes()
            .find(|attr| attr.name == key)
            .map(|attr| attr.value)
    }

    pub(super) fn has_any_attr(&self, keys: &[&[u8]]) -> bool {
        self.attributes().any(|attr| keys.contains(&attr.name))
    }
}

pub(super) struct Attrs<'a> {
    rest: &'a [u8],
    /// Where `rest` starts in the XML.
    at: usize,
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let skipped = self.rest.len() - self.rest.trim_ascii_start().len();
        let rest = &self.rest[skipped..];
        let start = self.at + skipped;
        let eq = rest.iter().position(|&b| b == b'=')?;
        let name = rest[..eq].trim_ascii();
        let after_eq = &rest[eq + 1..];
        let after = after_eq.trim_ascii_start();
        let value_at = eq + 1 + (after_eq.len() - after.len());
        let quote = *after.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let len = after[1..].iter().position(|&b| b == quote)?;
        let value = &after[1..1 + len];
        let end = value_at + len + 2;
        self.rest = &rest[end..];
        self.at = start + end;
        Some(Attr {
            name,
            value,
            span: start..start + end,
        })
    }
}

pub(super) struct Tags<'a> {
    xml: &'a [u8],
    at: usize,
    /// Where the previous tag ended.
    last_end: usize,
    /// Set when the input ends inside a tag, comment, CDATA section or declaration.
    pub(super) broken: bool,
}

impl<'a> Tags<'a> {
    pub(super) fn new(xml: &'a [u8]) -> Tags<'a> {
        Tags {
            xml,
            at: 0,
            last_end: 0,
            broken: false,
        }
    }

    /// Moves past the first `end` at or after `from`; false when there is none.
    fn skip_past(&mut self, from: usize, end: &[u8]) -> bool {
        match self.xml.get(from..).and_then(|rest| find(rest, end)) {
            Some(found) => {
                self.at = from + found + end.len();
                true
            }
            None => false,
        }
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        loop {
            let xml = self.xml;
            let start = self.at + xml.get(self.at..)?.iter().position(|&b| b == b'<')?;
            let rest = &xml[start..];
            let skipped = if rest.starts_with(b"<!--") {
                Some(self.skip_past(start + 4, b"-->"))
            } else if rest.starts_with(b"<![CDATA[") {
                Some(self.skip_past(start + 9, b"]]>"))
            } else if rest.starts_with(b"<?") {
                Some(self.skip_past(start + 2, b"?>"))
            } else if rest.starts_with(b"<!") {
                Some(self.skip_past(start + 2, b">"))
            } else {
                None
            };
            match skipped {
                Some(true) => continue,
                Some(false) => {
                    self.broken = true;
                    return None;
                }
                None => {}
            }
            // The tag ends at the first '>' outside a quoted attribute value.
            let mut quote = None;
            let mut end = None;
            for (offset, &b) in rest.iter().enumerate().skip(1) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => {
                        end = Some(offset);
                        break;
                    }
                    None => {}
                }
            }
            let Some(end) = end else {
                self.broken = true;
                return None;
            };
            self.at = start + end + 1;
            let text_before = start - self.last_end;
            self.last_end = self.at;
            let inner = &rest[1..end];
            let (closing, inner) = match inner.strip_prefix(b"/") {
                Some(inner) => (true, inner),
                None => (false, inner),
            };
            let (self_closing, inner) = match inner.strip_suffix(b"/") {
                Some(inner) => (true, inner),
                None => (false, inner),
            };
            let name_len = inner
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(inner.len());
            // `inner` starts after `<` (and after `/` when closing).
            let inner_at = start + 1 + usize::from(closing);
            return Some(Tag {
                name: &inner[..name_len],
                attrs: &inner[name_len..],
                attrs_at: inner_at + name_len,
                text_before,
                closing,
                self_closing,
            });
        }
    }
}

pub(super) fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Plain decimal digits, as every count written by a spreadsheet program is.
pub(super) fn digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// The text of an attribute value, with XML's five named entities undone (for messages).
pub(super) fn xml_text(value: &[u8]) -> String {
    String::from_utf8_lossy(value)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
