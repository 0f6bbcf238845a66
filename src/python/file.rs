//! One Python source file ready for analysis: its text (decoded lossily, never failing on
//! bad bytes), outline and module scope, plus parses made on demand. In `scan` mode the whole
//! file is parsed once; in the diff modes only the functions asked for are parsed, each as a
//! slice, falling back to one full parse if a slice does not hold the expected definition.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use tree_sitter::{Node, Point};

use super::imports::{FunctionScope, ModuleScope};
use super::outline::{self, DefKind, Outline};
use super::parse::{self, Parsed};

/// Names (of methods, properties or classes) that stand for a framework's session.
pub type SessionNames = Rc<HashMap<String, crate::frameworks::Framework>>;

pub struct SourceFile {
    pub path: String,
    pub text: String,
    pub outline: Outline,
    pub module: ModuleScope,
    whole: bool,
    full: OnceCell<Option<Arc<Parsed>>>,
    slices: RefCell<HashMap<usize, Option<Arc<Parsed>>>>,
    /// Each analysed function's local names, built once for all the rules and modes.
    scopes: RefCell<HashMap<usize, Rc<FunctionScope>>>,
    privilege: OnceCell<bool>,
    /// Functions whose analysis met no event, and whether they return normally (an inlined
    /// call to one leaves the caller's state as it was). Events depend only on the function
    /// and the file's context, which is one per `SourceFile`.
    inert: RefCell<HashMap<usize, bool>>,
    /// Per class (outline index): its methods and properties that return a session.
    pub accessors: RefCell<HashMap<usize, Option<SessionNames>>>,
    /// This module's classes whose `__setattr__` writes into a session, by name.
    pub wrappers: OnceCell<Option<SessionNames>>,
    /// How many lines were parsed (for tests and benchmarks of the re-parse cost).
    pub parsed_lines: std::cell::Cell<usize>,
    /// Some code was nested deeper than the analysis follows (`flow::MAX_DEPTH`).
    pub truncated: std::cell::Cell<bool>,
    /// Why this file cannot be analysed (it is then reported as skipped, never as clean).
    pub refused: Option<String>,
    /// First line of a syntax error met inside an analysed function.
    syntax_error: std::cell::Cell<Option<usize>>,
}

/// What every use of a file needs and costs a pass over its bytes: the decoded text, the
/// outline and the module scope. Plain data (`Send`), so it is built once, in parallel, and
/// shared by the stages that read the file before each makes its own `SourceFile`; a stage
/// that parsed some of its functions hands the parses on (`SourceFile::into_prepared`).
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub path: String,
    pub text: String,
    pub outline: Outline,
    pub module: ModuleScope,
    pub refused: Option<String>,
    /// Function slices parsed so far (by outline index), and the lines that took.
    slices: HashMap<usize, Option<Arc<Parsed>>>,
    parsed_lines: usize,
}

impl Prepared {
    pub fn new(path: String, bytes: &[u8]) -> Prepared {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        // A lone CR ends a line for Python (universal newlines) but not for the outline or
        // tree-sitter: made a LF, byte for byte, so lines and offsets stay the same.
        if memchr::memchr(b'\r', text.as_bytes()).is_some() {
            let b = text.as_bytes();
            let lone: Vec<usize> = memchr::memchr_iter(b'\r', b)
                .filter(|&i| b.get(i + 1) != Some(&b'\n'))
                .collect();
            if !lone.is_empty() {
                let mut bytes = std::mem::take(&mut text).into_bytes();
                for i in lone {
                    bytes[i] = b'\n';
                }
                text = String::from_utf8(bytes).unwrap_or_default();
            }
        }
        let refused = if memchr::memchr(0, bytes).is_some() {
            Some(crate::source::BINARY.into())
        } else {
            parse::refuse(text.as_bytes())
        };
        let outline = outline::scan(text.as_bytes());
        let module = ModuleScope::build(&text, &outline);
        Prepared {
            path,
            text,
            outline,
            module,
            refused,
            slices: HashMap::new(),
            parsed_lines: 0,
        }
    }
}

/// A function inside a parse: the parse and the row of its `def` keyword.
#[derive(Clone)]
pub struct FunctionRef {
    pub parsed: Arc<Parsed>,
    pub row: usize,
    pub col: usize,
    pub def: usize,
}

impl FunctionRef {
    /// The `function_definition` node.
    pub fn node(&self) -> Option<Node<'_>> {
        let root = self.parsed.root();
        let point = Point::new(self.row, self.col);
        let mut node = root.descendant_for_point_range(point, point)?;
        loop {
            if node.kind() == "function_definition" && node.start_position().row == self.row {
                return Some(node);
            }
            node = node.parent()?;
        }
    }
}

impl SourceFile {
    /// `whole`: parse the whole file (scan mode) rather than function slices.
    pub fn new(path: String, bytes: &[u8], whole: bool) -> SourceFile {
        SourceFile::from_prepared(Prepared::new(path, bytes), whole)
    }

    /// A file from its prepared parts (no work is repeated).
    pub fn from_prepared(p: Prepared, whole: bool) -> SourceFile {
        let Prepared {
            path,
            text,
            outline,
            module,
            refused,
            slices,
            parsed_lines,
        } = p;
        SourceFile {
            path,
            text,
            outline,
            module,
            whole,
            full: OnceCell::new(),
            slices: RefCell::new(if whole { HashMap::new() } else { slices }),
            scopes: RefCell::new(HashMap::new()),
            privilege: OnceCell::new(),
            inert: RefCell::new(HashMap::new()),
            accessors: RefCell::new(HashMap::new()),
            wrappers: OnceCell::new(),
            parsed_lines: std::cell::Cell::new(parsed_lines),
            truncated: std::cell::Cell::new(false),
            refused,
            syntax_error: std::cell::Cell::new(None),
        }
    }

    /// The file's prepared parts back, with the function slices parsed so far (for the next
    /// stage's `SourceFile`: a function is parsed once per run, not once per stage).
    pub fn into_prepared(self) -> Prepared {
        Prepared {
            path: self.path,
            text: self.text,
            outline: self.outline,
            module: self.module,
            refused: self.refused,
            slices: self.slices.into_inner(),
            parsed_lines: self.parsed_lines.get(),
        }
    }

    /// The whole file parsed once (module-level rules, and the fallback for slices).
    pub fn full(&self) -> Option<Arc<Parsed>> {
        self.full
            .get_or_init(|| {
                self.parsed_lines
                    .set(self.parsed_lines.get() + self.outline.line_count());
                parse::parse_file(&self.text).map(Arc::new)
            })
            .clone()
    }

    /// The whole-file tree, if something already parsed it.
    pub fn full_if_parsed(&self) -> Option<Arc<Parsed>> {
        self.full.get().cloned().flatten()
    }

    /// Every function in the file, in source order.
    pub fn functions(&self) -> impl Iterator<Item = usize> + '_ {
        self.outline
            .defs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == DefKind::Function)
            .map(|(i, _)| i)
    }

    /// The parsed function for outline entry `def`.
    ///
    /// Broken code: tree-sitter recovers, but a whole-file tree with an error may hold a
    /// function only as pieces of an `ERROR` node, so a function the whole tree does not hold
    /// cleanly is parsed on its own (its slice). A function whose own text is broken is taken
    /// from whichever parse holds it, the clean one first; `syntax_error` records the line.
    pub fn function(&self, def: usize) -> Option<FunctionRef> {
        let d = self.outline.defs.get(def)?;
        let header_col = def_keyword_col(
            &self.text,
            self.outline.line_start(d.header_line, self.text.len()),
        );
        let in_full = || {
            let f = FunctionRef {
                parsed: self.full()?,
                row: d.header_line - 1,
                col: header_col,
                def,
            };
            f.node().is_some().then_some(f)
        };
        let clean = |f: &FunctionRef| f.node().is_some_and(|n| !n.has_error());
        if self.whole {
            if let Some(f) = in_full() {
                if !f.parsed.root().has_error() || clean(&f) {
                    return Some(f);
                }
            }
        }
        let row = d.header_line - d.start_line;
        let in_slice = |parsed: Arc<Parsed>| FunctionRef {
            col: header_col.saturating_sub(parsed.removed.get(row).copied().unwrap_or(0)),
            parsed,
            row,
            def,
        };
        let cached = self.slices.borrow().get(&def).cloned();
        let slice = match cached {
            Some(slice) => slice,
            None => {
                let text = self.text.get(d.start_byte..d.end_byte).unwrap_or("");
                self.parsed_lines
                    .set(self.parsed_lines.get() + (d.end_line + 1 - d.start_line));
                let parsed = parse::parse_slice(text, d.start_line, d.indent).map(Arc::new);
                self.slices.borrow_mut().insert(def, parsed.clone());
                parsed
            }
        };
        // The slice must parse cleanly as this definition, or the full parse is preferred.
        let slice = slice.map(in_slice);
        if let Some(f) = &slice {
            if clean(f) && !f.parsed.root().has_error() {
                return Some(f.clone());
            }
        }
        let chosen = match in_full() {
            Some(f) if clean(&f) => Some(f),
            full => slice.filter(|f| f.node().is_some()).or(full),
        };
        if let Some(f) = &chosen {
            if let Some(row) = f.node().and_then(|n| first_error_row(n)) {
                self.note_syntax_error(f.parsed.line(row));
            }
        }
        chosen
    }

    /// Records a syntax error met in analysed code (the first line wins).
    fn note_syntax_error(&self, line: usize) {
        let old = self.syntax_error.get();
        if old.is_none_or(|l| line < l) {
            self.syntax_error.set(Some(line));
        }
    }

    /// The first line where this file is not valid Python, as far as this run has seen: the
    /// outline's recovery, an error in the whole-file parse if one was made, or one inside
    /// an analysed function.
    pub fn syntax_error(&self) -> Option<usize> {
        let in_full = self
            .full_if_parsed()
            .and_then(|p| first_error_row(p.root()).map(|r| p.line(r)));
        [
            self.outline.problem.as_ref().map(|p| p.line),
            in_full,
            self.syntax_error.get(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Drops the cached parse of `def`'s slice (after its analysis), so a file with many
    /// functions does not keep every tree alive at once.
    pub fn release(&self, def: usize) {
        self.slices.borrow_mut().remove(&def);
        self.scopes.borrow_mut().remove(&def);
    }

    /// `Some(returns)` if `def` is known to meet no event (see `set_inert`).
    pub fn inert(&self, def: usize) -> Option<bool> {
        self.inert.borrow().get(&def).copied()
    }

    /// Records that `def`'s analysis met no event; `returns`: it has a normal exit.
    pub fn set_inert(&self, def: usize, returns: bool) {
        self.inert.borrow_mut().insert(def, returns);
    }

    /// Does the file's text name a privilege anywhere (else SID002 cannot fire in it)?
    pub fn may_name_privilege(&self) -> bool {
        *self
            .privilege
            .get_or_init(|| crate::frameworks::auth::may_name_privilege(&self.text))
    }

    /// The local names of `func` (built on first use, then shared).
    pub fn scope(&self, func: &FunctionRef, node: Node<'_>) -> Rc<FunctionScope> {
        if let Some(s) = self.scopes.borrow().get(&func.def) {
            return s.clone();
        }
        let s = Rc::new(FunctionScope::build(node, &func.parsed.text));
        self.scopes.borrow_mut().insert(func.def, s.clone());
        s
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.outline.line_start(line, self.text.len());
        let end = self.outline.line_start(line + 1, self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Qualified name of the class directly enclosing `def`, if it is a method.
    /// The text of the class `def` is a method of (its `class` line to its end).
    /// Outline entry `def`'s own text, from its decorators to its end (empty if unknown).
    pub fn def_text(&self, def: usize) -> &str {
        self.outline
            .defs
            .get(def)
            .and_then(|d| self.text.get(d.start_byte..d.end_byte))
            .unwrap_or("")
    }

    pub fn enclosing_class_text(&self, def: usize) -> Option<&str> {
        let parent = self.outline.defs.get(def)?.parent?;
        let p = &self.outline.defs[parent];
        (p.kind == DefKind::Class)
            .then(|| self.text.get(p.start_byte..p.end_byte))
            .flatten()
    }

    pub fn enclosing_class(&self, def: usize) -> Option<String> {
        let parent = self.outline.defs.get(def)?.parent?;
        let p = &self.outline.defs[parent];
        (p.kind == DefKind::Class).then(|| p.qualname.clone())
    }
}

/// 0-based row of the first `ERROR` or missing node under `node`, if any.
pub fn first_error_row(node: Node<'_>) -> Option<usize> {
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    loop {
        let n = cursor.node();
        if n.is_error() || n.is_missing() {
            return Some(n.start_position().row);
        }
        // Into the first child that holds the error, else on to the next sibling.
        if n.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return Some(node.start_position().row);
            }
        }
    }
}

/// Column of the `def` keyword on a header line (after indentation and `async`).
fn def_keyword_col(text: &str, line_start: usize) -> usize {
    let line = &text[line_start.min(text.len())..];
    let line = line.split('\n').next().unwrap_or("");
    line.find("def").unwrap_or(0).min(line.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::Fields;

    #[test]
    fn slice_and_whole_agree_on_function_nodes() {
        let src = "import flask\n\nclass A:\n    @dec\n    async def f(self):\n        return 1\n\ndef g():\n    pass\n";
        for whole in [false, true] {
            let f = SourceFile::new("x.py".into(), src.as_bytes(), whole);
            let funcs: Vec<usize> = f.functions().collect();
            assert_eq!(funcs.len(), 2);
            for d in funcs {
                let func = f.function(d).expect("function parses");
                let node = func.node().unwrap();
                let name = node.field("name").unwrap();
                assert_eq!(func.parsed.node_text(name), f.outline.defs[d].name);
            }
        }
    }

    #[test]
    fn slice_parse_costs_only_the_function() {
        let mut src = String::from("import flask\n");
        for i in 0..2000 {
            src.push_str(&format!("def f{i}():\n    return {i}\n"));
        }
        let f = SourceFile::new("x.py".into(), src.as_bytes(), false);
        let d = f.outline.function_named("f1500").unwrap();
        assert!(f.function(d).is_some());
        assert_eq!(
            f.parsed_lines.get(),
            2,
            "only the two lines of f1500 were parsed"
        );
    }

    #[test]
    fn parses_are_handed_on_to_the_next_stage() {
        let src = "import flask\n\ndef f():\n    return 1\n\ndef g():\n    return 2\n";
        let first = SourceFile::new("x.py".into(), src.as_bytes(), false);
        let f = first.outline.function_named("f").unwrap();
        let tree = first.function(f).unwrap().parsed;
        assert_eq!(first.parsed_lines.get(), 2);
        let next = SourceFile::from_prepared(first.into_prepared(), false);
        let again = next.function(f).unwrap().parsed;
        assert!(Arc::ptr_eq(&tree, &again), "f is not parsed again");
        assert_eq!(next.parsed_lines.get(), 2);
        let g = next.outline.function_named("g").unwrap();
        assert!(next.function(g).is_some());
        assert_eq!(next.parsed_lines.get(), 4, "g is parsed when asked for");
    }
}
