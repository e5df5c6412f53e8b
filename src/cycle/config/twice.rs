//! Finding the first key that `cycle.toml` defines a second time, from the document's own
//! structure.
//!
//! The `toml` crate refuses such a file, but its error carries only a span and a message,
//! and a message is wording that may change with any release. So the structure is read
//! here instead: the `toml_parser` crate (the grammar under `toml`) gives the keys and
//! headers as events, and this module follows TOML's rules for defining tables to find
//! the first definition that clashes with an earlier one. A toml error at exactly that key
//! is a key given twice; anything else is reported as toml says.

use std::collections::HashMap;
use std::ops::Range;

use toml_parser::decoder::Encoding;
use toml_parser::parser::EventReceiver;
use toml_parser::{ErrorSink, Raw, Source, Span};

/// The first clash between a key or header and what the file had already defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Clash {
    /// The span of the key that clashes, as the `toml` crate reports it.
    pub(super) span: Range<usize>,
    /// True when the key is simply defined again (`pot` twice, `[category]` after
    /// `[[category]]`); false when it tries to add a key to a value that is not a table
    /// (`pot = "1"` and then `pot.x = 2`), which TOML refuses in other words.
    pub(super) given_twice: bool,
}

/// The first clash in `text`, if it has one. Syntax errors are not looked for here: the
/// caller compares the clash with the error the `toml` crate reports first.
pub(super) fn first_clash(text: &str) -> Option<Clash> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut finder = Finder {
        text,
        defined: HashMap::new(),
        table: Vec::new(),
        scopes: Vec::new(),
        key: Vec::new(),
        pending: None,
        values: 0,
        list: None,
        clash: None,
    };
    toml_parser::parser::parse_document(&tokens, &mut finder, &mut ());
    finder.finish_list();
    finder.clash
}

/// What a path of the document has been defined as, in TOML's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Defined {
    /// A value: text, a number, an array or an inline table. Nothing can be added to it.
    Value,
    /// A table given by a `[header]`.
    Table,
    /// A table that exists only because a header below it names it (`a` in `[a.b]`).
    Implicit,
    /// A table made by a dotted key (`a` in `a.b = 1`).
    Dotted,
    /// A list of `[[header]]` tables, holding this many.
    Tables(usize),
}

/// An inline table or an array being read.
struct Scope {
    inline_table: bool,
    /// Where its keys go: a path of its own, as an inline table is built on its own and
    /// nothing can be added to it afterwards.
    path: Vec<Part>,
    /// The key it is the value of, defined once the value is complete.
    owner: Option<Key>,
}

/// A key `a.b.c = …` read but not yet defined: TOML's `toml` crate defines it only after
/// reading its value, so a clash inside an inline table is found before one of its key.
struct Key {
    base: Vec<Part>,
    components: Vec<(String, Range<usize>)>,
}

struct Finder<'i> {
    text: &'i str,
    /// Every path defined so far.
    defined: HashMap<Vec<Part>, Defined>,
    /// The table the latest header opened (the root before the first header).
    table: Vec<Part>,
    scopes: Vec<Scope>,
    /// The components of the key being read, with their spans.
    key: Vec<(String, Range<usize>)>,
    /// The key whose value comes next, set by its `=`.
    pending: Option<Key>,
    /// How many inline tables and arrays have been opened, to give each a path.
    values: usize,
    /// The header of the `[[list]]` table being read. TOML's `toml` crate checks such a
    /// header only when its table is complete, so a clash in its keys is found first; its
    /// keys are kept under `Part::Body` until then.
    list: Option<Vec<(String, Range<usize>)>>,
    clash: Option<Clash>,
}

/// One step of a path in the document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Part {
    Key(String),
    /// Table `index` (from 0) of a `[[list]]`.
    Element(usize),
    /// The inline table or array opened `n`th in the file: its own root, as nothing can be
    /// added to it from outside.
    Value(usize),
    /// Where the keys of a `[[list]]` table go until its header is checked.
    Body,
}

/// The path of table `index` of the list at `path`.
fn element(path: &[Part], index: usize) -> Vec<Part> {
    let mut path = path.to_vec();
    path.push(Part::Element(index));
    path
}

impl Finder<'_> {
    fn found(&mut self, span: Range<usize>, given_twice: bool) {
        self.clash = Some(Clash { span, given_twice });
    }

    /// Defines a key `a.b.c = …` whose value is complete.
    fn define_key(&mut self, key: Key) {
        if self.clash.is_some() {
            return;
        }
        let Key {
            base,
            components: keys,
        } = key;
        let count = keys.len();
        let dotted = count > 1;
        let mut path = base;
        // A dotted key may not add to a table a header defined (TOML 1.0, "Keys").
        let mut parent_explicit = false;
        for (i, (name, span)) in keys.into_iter().enumerate() {
            path.push(Part::Key(name));
            if i + 1 < count {
                match self.defined.get(&path).copied() {
                    None | Some(Defined::Implicit) => {
                        self.defined.insert(path.clone(), Defined::Dotted);
                        parent_explicit = false;
                    }
                    Some(Defined::Dotted) => parent_explicit = false,
                    Some(Defined::Table) => return self.found(span, true),
                    Some(Defined::Tables(n)) => {
                        path = element(&path, n.saturating_sub(1));
                        parent_explicit = true;
                    }
                    Some(Defined::Value) => return self.found(span, false),
                }
            } else {
                if (dotted && parent_explicit) || self.defined.contains_key(&path) {
                    return self.found(span, true);
                }
                self.defined.insert(path.clone(), Defined::Value);
            }
        }
    }

    /// A `[header]` or, when `list`, a `[[header]]`.
    fn define_header(&mut self, list: bool) {
        let keys = std::mem::take(&mut self.key);
        let count = keys.len();
        let mut path = Vec::with_capacity(count);
        for (i, (name, span)) in keys.into_iter().enumerate() {
            path.push(Part::Key(name));
            let defined = self.defined.get(&path).copied();
            if i + 1 < count {
                match defined {
                    None => {
                        self.defined.insert(path.clone(), Defined::Implicit);
                    }
                    Some(Defined::Implicit | Defined::Dotted | Defined::Table) => {}
                    Some(Defined::Tables(n)) => path = element(&path, n.saturating_sub(1)),
                    Some(Defined::Value) => return self.found(span, false),
                }
            } else if list {
                let n = match defined {
                    None => 0,
                    Some(Defined::Tables(n)) => n,
                    Some(_) => return self.found(span, true),
                };
                self.defined.insert(path.clone(), Defined::Tables(n + 1));
                path = element(&path, n);
                self.defined.insert(path.clone(), Defined::Table);
            } else {
                match defined {
                    None | Some(Defined::Implicit) => {
                        self.defined.insert(path.clone(), Defined::Table);
                    }
                    Some(_) => return self.found(span, true),
                }
            }
        }
        self.table = path;
    }

    /// The `[[list]]` table being read is complete: its header is checked, and its keys
    /// move to their place in the list.
    fn finish_list(&mut self) {
        let Some(keys) = self.list.take() else {
            return;
        };
        if self.clash.is_some() {
            return;
        }
        self.key = keys;
        self.define_header(true);
        let body: Vec<(Vec<Part>, Defined)> = self
            .defined
            .iter()
            .filter(|(path, _)| path.first() == Some(&Part::Body))
            .map(|(path, defined)| (path.clone(), *defined))
            .collect();
        for (path, defined) in body {
            self.defined.remove(&path);
            let mut moved = self.table.clone();
            moved.extend_from_slice(&path[1..]);
            self.defined.insert(moved, defined);
        }
    }

    /// A value starts. A text, number or date completes its key at once; an inline table
    /// or an array (`opens`, true for an inline table) holds values of its own first.
    fn value(&mut self, opens: Option<bool>) {
        let owner = self.pending.take();
        match opens {
            None => {
                if let Some(owner) = owner {
                    self.define_key(owner);
                }
            }
            Some(inline_table) => {
                self.values += 1;
                self.scopes.push(Scope {
                    inline_table,
                    path: vec![Part::Value(self.values)],
                    owner,
                });
            }
        }
    }

    /// An inline table or array ends, completing the key it is the value of.
    fn close(&mut self) {
        if let Some(Scope {
            owner: Some(owner), ..
        }) = self.scopes.pop()
        {
            self.define_key(owner);
        }
    }
}

impl EventReceiver for Finder<'_> {
    fn std_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.finish_list();
        self.key.clear();
    }
    fn std_table_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        if self.clash.is_none() {
            self.define_header(false);
        }
    }
    fn array_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.finish_list();
        self.key.clear();
    }
    fn array_table_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.list = Some(std::mem::take(&mut self.key));
        self.table = vec![Part::Body];
    }
    fn inline_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.value(Some(true));
        true
    }
    fn inline_table_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.close();
    }
    fn array_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.value(Some(false));
        true
    }
    fn array_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.close();
    }
    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        let range = span.start()..span.end();
        let Some(raw) = self.text.get(range.clone()) else {
            return;
        };
        let mut name = String::new();
        Raw::new_unchecked(raw, encoding, span).decode_key(&mut name, &mut ());
        self.key.push((name, range));
    }
    fn key_val_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        let base = match self.scopes.last() {
            Some(scope) if scope.inline_table => scope.path.clone(),
            _ => self.table.clone(),
        };
        self.pending = Some(Key {
            base,
            components: std::mem::take(&mut self.key),
        });
    }
    fn scalar(&mut self, _span: Span, _encoding: Option<Encoding>, _error: &mut dyn ErrorSink) {
        self.value(None);
    }
}
