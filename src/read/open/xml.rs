//! The XML parts checked before calamine reads them, read by quick-xml as calamine reads them.

// The checks made before calamine reads an XML part must see it as calamine will, and
// calamine 0.38 reads every part with quick-xml 0.42, so these tags are quick-xml's, read
// with calamine's settings: where quick-xml refuses the content (bytes that are not UTF-8,
// markup XML does not have, a tag or comment the content ends inside) calamine fails on it
// too, and the checks refuse it; where quick-xml passes over something (a DOCTYPE's internal
// subset, a processing instruction), so does calamine. What calamine does not check (end
// names; content ending inside an element) the checks enforce themselves.
//
// Spans: quick-xml's slice reader borrows every name and attribute list from the XML itself,
// so where a tag lies is where its name lies (found by pointer offset) less its `<` or `</`,
// and an attribute's span is its place in the tag's attribute list. Attributes are read as
// calamine's own `RawAttrIter` reads them (calamine 0.38.0's attrs.rs), not by quick-xml's
// `attributes()`: up to the first `=` is the name, whatever it holds, and a name with no `=`
// or a value with no quotes ends the list (quick-xml's tokenizer leaves no quote open).

use quick_xml::Reader;
use quick_xml::errors::{IllFormedError, SyntaxError};
use quick_xml::events::Event;

/// One start, end or empty-element tag as quick-xml read it, with where it lies in the XML.
#[derive(Debug)]
pub(super) struct Tag<'a> {
    pub(super) name: &'a [u8],
    pub(super) attrs: &'a [u8],
    /// Where `attrs` starts in the XML, so that an attribute can be found there again.
    pub(super) attrs_at: usize,
    /// Bytes between the previous tag and this one: text, references, comments, CDATA
    /// sections, declarations and processing instructions, as they stand in the XML.
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

/// A tag's attributes, read as calamine's `RawAttrIter` reads them.
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

/// Why quick-xml stopped reading the content.
#[derive(Debug)]
pub(super) enum Unreadable {
    /// It ends inside a tag, comment, CDATA section, declaration or processing instruction.
    StopsPartWay,
    /// An end tag with no element open.
    ClosesOutOfOrder,
    /// Anything else quick-xml refuses, in its words.
    Malformed(String),
    /// What quick-xml reads but no XML holds, refused here because calamine would read it
    /// otherwise than LibreOffice (so calamine does not fail on it).
    NotXml(&'static str),
}

impl From<quick_xml::Error> for Unreadable {
    fn from(error: quick_xml::Error) -> Unreadable {
        match error {
            quick_xml::Error::Syntax(SyntaxError::InvalidBangMarkup) => {
                Unreadable::Malformed(error.to_string())
            }
            quick_xml::Error::Syntax(_) => Unreadable::StopsPartWay,
            quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(_)) => {
                Unreadable::ClosesOutOfOrder
            }
            other => Unreadable::Malformed(other.to_string()),
        }
    }
}

impl Unreadable {
    /// What the finding says of the content.
    pub(super) fn describe(&self) -> String {
        match self {
            Unreadable::StopsPartWay => "its content stops part-way through".to_owned(),
            Unreadable::ClosesOutOfOrder => {
                "its content has a tag that closes out of order".to_owned()
            }
            Unreadable::Malformed(detail) => {
                format!("its content is not well-formed XML ({detail})")
            }
            Unreadable::NotXml(detail) => format!("its content is not well-formed XML ({detail})"),
        }
    }
}

/// The tags of an XML part, read by quick-xml with calamine's settings.
pub(super) struct Tags<'a> {
    xml: &'a [u8],
    reader: Reader<&'a [u8]>,
    /// Where the previous tag ended.
    last_end: usize,
    /// Elements open at this point (ends are not matched to starts: that is the caller's).
    depth: usize,
    /// Set when quick-xml refuses the content; no tag is read after it.
    pub(super) error: Option<Unreadable>,
}

impl<'a> Tags<'a> {
    pub(super) fn new(xml: &'a [u8]) -> Tags<'a> {
        let mut reader = Reader::from_reader(xml);
        // calamine 0.38.0's settings for every part it reads (ods.rs:319-324, 362-367;
        // xlsx/mod.rs:3019-3024), but for `expand_empty_elements`: an empty element is
        // read here as one tag, which changes no byte quick-xml accepts or refuses.
        let config = reader.config_mut();
        config.check_end_names = false;
        config.trim_text(false);
        config.check_comments = false;
        config.expand_empty_elements = false;
        Tags {
            xml,
            reader,
            last_end: 0,
            depth: 0,
            error: None,
        }
    }

    /// Where `part`, borrowed from the XML by quick-xml, lies in it.
    fn offset_of(&self, part: &str) -> Option<usize> {
        let at = (part.as_ptr() as usize).checked_sub(self.xml.as_ptr() as usize)?;
        (at + part.len() <= self.xml.len()).then_some(at)
    }

    /// The tag whose name quick-xml read as `name` and whose raw attributes are `attrs`,
    /// both borrowed from the XML; it ends where quick-xml has read to, just after its `>`.
    fn tag(
        &mut self,
        name: &str,
        attrs: &str,
        closing: bool,
        self_closing: bool,
    ) -> Option<Tag<'a>> {
        let name_at = self.offset_of(name)?;
        let attrs_at = if attrs.is_empty() {
            name_at + name.len()
        } else {
            self.offset_of(attrs)?
        };
        let start = name_at.checked_sub(1 + usize::from(closing))?;
        let end = usize::try_from(self.reader.buffer_position()).ok()?;
        let text_before = start.checked_sub(self.last_end)?;
        self.last_end = end;
        let xml = self.xml;
        Some(Tag {
            name: xml.get(name_at..name_at + name.len())?,
            attrs: xml.get(attrs_at..attrs_at + attrs.len())?,
            attrs_at,
            text_before,
            closing,
            self_closing,
        })
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        if self.error.is_some() {
            return None;
        }
        loop {
            let tag = match self.reader.read_event() {
                Ok(Event::Start(e)) => {
                    self.depth += 1;
                    let name = e.name().0;
                    self.tag(name, e.attributes_raw(), false, false)
                }
                Ok(Event::Empty(e)) => {
                    let name = e.name().0;
                    self.tag(name, e.attributes_raw(), false, true)
                }
                Ok(Event::End(e)) => {
                    self.depth = self.depth.saturating_sub(1);
                    let name = e.name().0;
                    self.tag(name, "", true, false)
                }
                // quick-xml passes over a DOCTYPE wherever it is, internal subset and all, and
                // so calamine reads nothing of what it holds; inside an element it is not XML
                // (a DOCTYPE belongs before the first element), and LibreOffice would not
                // pass over it, so the two would differ on what the sheet holds.
                Ok(Event::DocType(_)) if self.depth > 0 => {
                    self.error = Some(Unreadable::NotXml(
                        "a document type declared inside an element",
                    ));
                    return None;
                }
                Ok(Event::Eof) => return None,
                Ok(_) => continue, // text, references, comments, CDATA, declarations
                Err(e) => {
                    self.error = Some(Unreadable::from(e));
                    return None;
                }
            };
            match &tag {
                // A part quick-xml did not borrow from the XML: no span can be taken.
                None => {
                    self.error = Some(Unreadable::NotXml(
                        "a tag quick-xml did not read from the content itself",
                    ));
                }
                // quick-xml ends a name only at XML's four white-space characters, so a form
                // feed (which no XML name may hold) joins the name and what follows it: the
                // tag is then no element calamine knows, and inside a row calamine fails on
                // it. No ASCII control character belongs in a name.
                Some(found) if found.name.iter().any(u8::is_ascii_control) => {
                    self.error = Some(Unreadable::NotXml("a tag's name holds a control character"));
                    return None;
                }
                Some(_) => {}
            }
            return tag;
        }
    }
}

/// A name without its prefix, as quick-xml's `local_name` takes it: after the first `:`.
pub(super) fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
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
