//! The library's layers, read from its source: every `crate::…` path (imports, re-exports
//! and paths written inline), `super::…` and `self::…` path, resolved to the module it names.
//! An import from a higher layer, a loop between modules, an impure module in `domain/` or
//! `rules/`, or a file over the size limit fails here, naming the file and line.
//!
//! The layers, lowest first (README, "Code map"): each may use only itself and those below.
//! Test code (`tests.rs` files and `#[cfg(test)]` items) is not checked: a test may build its
//! inputs with a higher layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's layers, lowest first, and the top-level modules in each.
const LAYERS: [(&str, &[&str]); 6] = [
    ("domain", &["domain", "exit", "text", "findings", "layout"]),
    ("rules", &["rules"]),
    ("read", &["read", "cycle"]),
    ("pay", &["pay"]),
    ("write", &["write"]),
    ("ops", &["ops", "audit", "fixture_year"]),
];

/// The files of the binaries, which use the library as `npg::…` and sit above every layer.
const BINARY_FILES: [&str; 4] = ["src/main.rs", "src/cli.rs", "src/out.rs", "src/bin/"];

/// Text that marks a module as touching the file system, a clock, the environment or a
/// workbook crate, none of which `domain/` and `rules/` may do.
const IMPURE: [&str; 16] = [
    "std::fs",
    "std::path",
    "std::time",
    "std::env",
    "std::process",
    "std::net",
    "std::io",
    "SystemTime",
    "Instant::now",
    "Utc::now",
    "Local::now",
    "calamine",
    "rust_xlsxwriter",
    "zip::",
    "quick_xml",
    "tempfile",
];

/// About 800 lines of non-test code per file, comments and blank lines included.
const MAX_LINES: usize = 800;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// One library source file: its module path and its non-test code, comments removed.
struct Source {
    /// Relative to the crate, `src/pay/run.rs`.
    file: String,
    /// `["pay", "run"]`; a `mod.rs` is its folder's module.
    module: Vec<String>,
    /// Lines of code with comments and test items blanked (line numbers kept).
    code: Vec<String>,
    /// Lines that are not test code, comments and blank lines included.
    size: usize,
}

fn library_sources() -> Vec<Source> {
    let mut files = Vec::new();
    let mut pending = vec![src()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    files
        .into_iter()
        .filter_map(|path| {
            let file = path
                .strip_prefix(crate_dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let binary =
                BINARY_FILES.iter().any(|b| file.starts_with(b)) || file.starts_with("src/cmd/");
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if binary || name == "tests.rs" {
                return None;
            }
            let rel = path.strip_prefix(src()).unwrap().with_extension("");
            let mut module: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = without_comments(&text);
            let size = text
                .lines()
                .zip(test_lines(&code))
                .filter(|(_, test)| !test)
                .count();
            Some(Source {
                file,
                module,
                code: without_tests(&code),
                size,
            })
        })
        .collect()
}

/// The text with every comment replaced by spaces (newlines kept), and string literals
/// blanked, so that neither is read as a path.
fn without_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(if chars[i] == '\n' { '\n' } else { ' ' });
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && (i == 0 || !is_ident(chars[i - 1]))
            && raw_string_at(&chars, i + usize::from(c == 'b') + 1).is_some()
        {
            // A raw string `r#"…"#`: blanked to its closing quote and as many hashes.
            let open = i + usize::from(c == 'b') + 1;
            let hashes = raw_string_at(&chars, open).unwrap_or(0);
            i = open + hashes + 1;
            out.push('"');
            while i < chars.len() {
                let closes =
                    chars[i] == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#'));
                if closes {
                    i += 1 + hashes;
                    break;
                }
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            out.push('"');
        } else if c == '"' {
            // A plain string literal.
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if chars.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            // A character literal such as '{', which must not count as a brace.
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            out.push_str("' '");
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Which lines of `code` (comments already removed) belong to a `#[cfg(test)]` item: a
/// `mod tests;` line, or a block to its closing brace.
fn test_lines(code: &str) -> Vec<bool> {
    let lines: Vec<&str> = code.lines().collect();
    let mut test = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[cfg(test)]" {
            i += 1;
            continue;
        }
        let mut depth = 0i32;
        let mut opened = false;
        while i < lines.len() {
            test[i] = true;
            for c in lines[i].chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            let ends = (opened && depth == 0) || (!opened && lines[i].trim_end().ends_with(';'));
            i += 1;
            if ends {
                break;
            }
        }
    }
    test
}

/// At `chars[at]`, the hashes and quote that open a raw string (`#"`, `"`): how many hashes.
fn raw_string_at(chars: &[char], at: usize) -> Option<usize> {
    let hashes = chars[at.min(chars.len())..]
        .iter()
        .take_while(|c| **c == '#')
        .count();
    (chars.get(at + hashes) == Some(&'"')).then_some(hashes)
}

/// The lines of `code` (comments already removed) with every test item blanked.
fn without_tests(code: &str) -> Vec<String> {
    code.lines()
        .zip(test_lines(code))
        .map(|(line, test)| if test { String::new() } else { line.to_owned() })
        .collect()
}

/// A path found in the code: where, and the module path it starts with.
struct Reference {
    line: usize,
    path: Vec<String>,
    /// Made by a `use` (so it also binds its last name in the module, for paths through it).
    imported: bool,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path in `code` that starts `crate::`, `super::` or `self::`, or (in a `use`) with a
/// child module of `module`, resolved to an absolute path; grouped imports are expanded.
fn references(source: &Source, modules: &BTreeSet<Vec<String>>) -> Vec<Reference> {
    let children: BTreeSet<&str> = modules
        .iter()
        .filter(|m| m.len() == source.module.len() + 1 && m.starts_with(&source.module))
        .map(|m| m.last().unwrap().as_str())
        .collect();
    let text = source.code.join("\n");
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at_word = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        if !at_word || !is_ident(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut word = String::new();
        while i < chars.len() && is_ident(chars[i]) {
            word.push(chars[i]);
            i += 1;
        }
        if !text[byte_at(&text, i)..].starts_with("::") {
            continue;
        }
        // In a `use` statement, a path may also start with a child module's name.
        let before = text[..byte_at(&text, start)]
            .rsplit([';', '{', '}', '\n'])
            .next()
            .unwrap_or("")
            .trim();
        let in_use = before == "use" || before.ends_with(" use");
        let base: Option<Vec<String>> = match word.as_str() {
            "crate" => Some(Vec::new()),
            "self" => Some(source.module.clone()),
            "super" => {
                let mut m = source.module.clone();
                m.pop();
                Some(m)
            }
            w if in_use && children.contains(w) => {
                let mut m = source.module.clone();
                m.push(w.to_owned());
                Some(m)
            }
            _ => None,
        };
        let Some(mut base) = base else {
            continue;
        };
        let line = text[..byte_at(&text, start)].matches('\n').count() + 1;
        // Read the rest of the path: `::name` segments, `super` steps and `{…}` groups.
        let mut j = i;
        let mut paths = Vec::new();
        read_path(&chars, &mut j, &mut base, &mut paths);
        for path in paths {
            found.push(Reference {
                line,
                path,
                imported: in_use,
            });
        }
        i = j.max(i);
    }
    found
}

fn byte_at(text: &str, char_index: usize) -> usize {
    text.char_indices()
        .nth(char_index)
        .map_or(text.len(), |(b, _)| b)
}

/// Reads `::a::b`, `::{a, b::c}` and `::super` steps after a path's start, pushing every
/// full path reached.
fn read_path(chars: &[char], j: &mut usize, base: &mut Vec<String>, paths: &mut Vec<Vec<String>>) {
    loop {
        if chars.get(*j) == Some(&':') && chars.get(*j + 1) == Some(&':') {
            *j += 2;
        } else {
            paths.push(base.clone());
            return;
        }
        while chars.get(*j).is_some_and(|c| c.is_whitespace()) {
            *j += 1;
        }
        if chars.get(*j) == Some(&'{') {
            *j += 1;
            loop {
                while chars
                    .get(*j)
                    .is_some_and(|c| c.is_whitespace() || *c == ',')
                {
                    *j += 1;
                }
                match chars.get(*j) {
                    None => return,
                    Some('}') => {
                        *j += 1;
                        return;
                    }
                    _ => {}
                }
                let mut inner = base.clone();
                let mut word = String::new();
                while chars.get(*j).is_some_and(|c| is_ident(*c)) {
                    word.push(chars[*j]);
                    *j += 1;
                }
                if word.is_empty() {
                    *j += 1; // `*` or something else: skip it
                    continue;
                }
                if word != "self" {
                    inner.push(word);
                }
                read_path(chars, j, &mut inner, paths);
                // Skip an `as alias`.
                while chars.get(*j).is_some_and(|c| *c != ',' && *c != '}') {
                    *j += 1;
                }
            }
        }
        let mut word = String::new();
        while chars.get(*j).is_some_and(|c| is_ident(*c)) {
            word.push(chars[*j]);
            *j += 1;
        }
        match word.as_str() {
            "" => {
                paths.push(base.clone());
                return;
            }
            "super" => {
                base.pop();
            }
            _ => base.push(word),
        }
    }
}

/// The longest known module that `path` starts with.
fn module_of(path: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|m| modules.contains(m))
        .unwrap_or_default()
}

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, tops)| tops.contains(&top))
}

/// Module-to-module uses, each with the first file and line it is made at.
type Uses = BTreeMap<(Vec<String>, Vec<String>), (String, usize)>;

/// The names each module binds with `use` (re-exports and private imports alike, since a
/// child module may name its parent's imports as `super::Name`), and the path each stands for.
type Imports = BTreeMap<(Vec<String>, String), Vec<String>>;

/// The module a path finally names: where it leads through every `use` that binds a name on
/// its way (so `super::Quarter`, re-exported by `domain/mod.rs`, is `domain::period`).
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>, imports: &Imports) -> Vec<String> {
    let mut path = path.to_vec();
    for _ in 0..16 {
        let module = module_of(&path, modules);
        let Some(name) = path.get(module.len()) else {
            return module;
        };
        match imports.get(&(module.clone(), name.clone())) {
            Some(target) if *target != path[..=module.len()] => {
                let mut next = target.clone();
                next.extend(path[module.len() + 1..].iter().cloned());
                path = next;
            }
            _ => return module,
        }
    }
    module_of(&path, modules)
}

/// Every module-to-module use, with the first place it is made.
fn uses() -> (Vec<Source>, Uses) {
    let sources = library_sources();
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let found: Vec<Vec<Reference>> = sources
        .iter()
        .map(|source| references(source, &modules))
        .collect();
    let mut imports = Imports::new();
    for (source, refs) in sources.iter().zip(&found) {
        for r in refs.iter().filter(|r| r.imported) {
            if let Some(name) = r.path.last() {
                imports.insert((source.module.clone(), name.clone()), r.path.clone());
            }
        }
    }
    let mut edges = BTreeMap::new();
    for (source, refs) in sources.iter().zip(&found) {
        for r in refs {
            let to = resolve(&r.path, &modules, &imports);
            if to.is_empty() || to == source.module {
                continue; // the crate root holds only `pub mod` lines (checked below)
            }
            edges
                .entry((source.module.clone(), to))
                .or_insert((source.file.clone(), r.line));
        }
    }
    (sources, edges)
}

#[test]
fn every_top_level_module_has_a_layer() {
    let (sources, _) = uses();
    let tops: BTreeSet<&str> = sources
        .iter()
        .filter_map(|s| s.module.first().map(String::as_str))
        .collect();
    let unplaced: Vec<&str> = tops.into_iter().filter(|t| layer_of(t).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer (add them to LAYERS and the README's code map): {unplaced:?}"
    );
}

#[test]
fn no_module_uses_a_higher_layer() {
    let (_, edges) = uses();
    let mut wrong = Vec::new();
    for ((from, to), (file, line)) in &edges {
        let (Some(a), Some(b)) = (
            from.first().and_then(|t| layer_of(t)),
            to.first().and_then(|t| layer_of(t)),
        ) else {
            continue;
        };
        if b > a {
            wrong.push(format!(
                "{file}:{line}: {} ({}) uses {} ({})",
                from.join("::"),
                LAYERS[a].0,
                to.join("::"),
                LAYERS[b].0
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports up the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_modules_use_each_other_in_a_loop() {
    // Between the children of every module (the top-level modules being the root's), one
    // child uses another when anything inside it uses anything inside the other. A child's
    // use of its own parent or ancestors (`super::Item`) is not a loop between siblings.
    let (_, edges) = uses();
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeMap<String, String>>> =
        BTreeMap::new();
    for ((from, to), (file, line)) in &edges {
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        if common >= from.len() || common >= to.len() {
            continue; // one is inside the other
        }
        graphs
            .entry(from[..common].to_vec())
            .or_default()
            .entry(from[common].clone())
            .or_default()
            .entry(to[common].clone())
            .or_insert_with(|| format!("{file}:{line}"));
    }
    let mut loops = Vec::new();
    for (parent, graph) in &graphs {
        if let Some(cycle) = find_cycle(graph) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} -> {} ({})", w[0], w[1], graph[&w[0]][&w[1]]))
                .collect();
            loops.push(format!(
                "in {}: {}",
                if parent.is_empty() {
                    "crate".to_owned()
                } else {
                    parent.join("::")
                },
                steps.join(", ")
            ));
        }
    }
    assert!(
        loops.is_empty(),
        "modules that use each other in a loop:\n{}",
        loops.join("\n")
    );
}

/// A cycle in `graph` (node, then the nodes back to it), if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

/// The parts of `std` named in `std::{…}` groups on a line (`std::{fs, io::Read}` gives
/// `fs` and `io`), so a grouped import is checked as a written-out one is.
fn std_groups(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in line.match_indices("std::{") {
        let group = &line[at + "std::{".len()..];
        let mut depth = 0;
        let mut part = String::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    names.push(std::mem::take(&mut part));
                    continue;
                }
                _ => {}
            }
            if depth == 0 {
                part.push(c);
            }
        }
        names.push(part);
    }
    names
        .iter()
        .filter_map(|p| p.trim().split("::").next().map(str::to_owned))
        .filter(|n| !n.is_empty())
        .collect()
}

#[test]
fn domain_and_rules_touch_no_files_clock_or_workbooks() {
    let mut impure = Vec::new();
    for source in library_sources() {
        let pure = matches!(
            source.module.first().map(String::as_str),
            Some("domain" | "rules" | "exit" | "text" | "findings" | "layout")
        );
        if !pure {
            continue;
        }
        // Statements may span lines: each is checked whole, from the line it starts on.
        let code = source.code.join("\n");
        for mark in IMPURE {
            for (at, _) in code.match_indices(mark) {
                let line = code[..at].matches('\n').count();
                impure.push(format!("{}:{}: {mark}", source.file, line + 1));
            }
        }
        for (at, _) in code.match_indices("std::{") {
            let line = code[..at].matches('\n').count();
            let statement: String = code[at..]
                .split(';')
                .next()
                .unwrap_or("")
                .replace('\n', " ");
            for name in std_groups(&statement) {
                if ["fs", "path", "time", "env", "process", "net", "io"].contains(&name.as_str()) {
                    impure.push(format!("{}:{}: std::{name}", source.file, line + 1));
                }
            }
        }
    }
    assert!(
        impure.is_empty(),
        "impure code in a pure layer:\n{}",
        impure.join("\n")
    );
}

#[test]
fn no_source_file_is_over_the_size_limit() {
    let mut long = Vec::new();
    for source in library_sources() {
        if source.size > MAX_LINES {
            long.push(format!(
                "{}: {} lines of non-test code",
                source.file, source.size
            ));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn grouped_std_imports_and_raw_strings_are_read() {
    assert_eq!(std_groups("use std::{fs, io::Read};"), ["fs", "io"]);
    assert_eq!(
        std_groups("use std::{collections::{BTreeMap, BTreeSet}, fmt};"),
        ["collections", "fmt"]
    );
    let code = without_comments("let a = r#\"say \"hi\"#; let b = r\"C:\\\"; use crate::ops::f;\n");
    assert!(code.contains("use crate::ops::f;"), "{code}");
    assert!(!code.contains("say"), "{code}");
}

#[test]
fn a_path_through_a_parents_import_leads_to_the_module_it_names() {
    let modules: BTreeSet<Vec<String>> = ["read", "read::x", "read::y", "domain", "domain::period"]
        .iter()
        .map(|m| m.split("::").map(str::to_owned).collect())
        .collect();
    let path = |p: &str| -> Vec<String> { p.split("::").map(str::to_owned).collect() };
    let mut imports = Imports::new();
    // read/mod.rs: `pub use y::Y;`, and domain/mod.rs: `pub use period::Quarter;`
    imports.insert((path("read"), "Y".into()), path("read::y::Y"));
    imports.insert(
        (path("domain"), "Quarter".into()),
        path("domain::period::Quarter"),
    );
    assert_eq!(
        resolve(&path("read::Y"), &modules, &imports),
        path("read::y")
    );
    assert_eq!(
        resolve(&path("domain::Quarter::Q1"), &modules, &imports),
        path("domain::period")
    );
    assert_eq!(
        resolve(&path("read::x::X"), &modules, &imports),
        path("read::x")
    );
}

#[test]
fn the_reader_of_paths_sees_grouped_relative_and_inline_uses() {
    // The test's own parser, on a made-up file, so that a mistake in it cannot hide a loop.
    let text = "use crate::{domain::{Money, ForceId}, rules::taper as t};\n\
                use super::manifest::Manifest;\n\
                pub use crate::write::schedule::Totals;\n\
                // use crate::ops::pay; (a comment)\n\
                fn f() { let s = \"crate::ops::x\"; crate::read::open::read_workbook(); }\n\
                #[cfg(test)]\nmod tests { use crate::ops::pay; }\n";
    let source = Source {
        file: "src/pay/quarters.rs".into(),
        module: vec!["pay".into(), "quarters".into()],
        code: without_tests(&without_comments(text)),
        size: 0,
    };
    let modules: BTreeSet<Vec<String>> = [
        "domain",
        "rules",
        "rules::taper",
        "pay",
        "pay::manifest",
        "pay::quarters",
        "write",
        "write::schedule",
        "read",
        "read::open",
        "ops",
        "ops::pay",
    ]
    .iter()
    .map(|m| m.split("::").map(str::to_owned).collect())
    .collect();
    let found: BTreeSet<String> = references(&source, &modules)
        .iter()
        .map(|r| module_of(&r.path, &modules).join("::"))
        .collect();
    let expected: BTreeSet<String> = [
        "domain",
        "rules::taper",
        "pay::manifest",
        "write::schedule",
        "read::open",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(found, expected);
}
