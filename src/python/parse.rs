//! Parsing with tree-sitter: whole files (`scan`) or single function slices (diff modes).
//!
//! A slice is the function's lines, dedented by the header's indentation so that it parses
//! as a top-level definition. `SliceMap` maps positions in the slice back to the file. If
//! the slice does not parse as the expected definition (the outline guessed wrong, or the
//! code is broken), the caller falls back to parsing the whole file once.

use std::cell::RefCell;

use tree_sitter::{Node, Parser, Tree};

/// The field names the analysis reads, most used first. Their ids are looked up once:
/// tree-sitter's `child_by_field_name` compares the name with every field name of the
/// grammar on every call.
const FIELD_NAMES: &[&str] = &[
    "name",
    "body",
    "right",
    "left",
    "value",
    "function",
    "attribute",
    "arguments",
    "object",
    "subscript",
    "consequence",
    "condition",
    "alternative",
    "alias",
    "key",
    "superclasses",
    "subject",
    "parameters",
    "operator",
    "module_name",
    "guard",
];

fn field_ids() -> &'static [u16] {
    static IDS: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        FIELD_NAMES
            .iter()
            .map(|n| language.field_id_for_name(n).map_or(0, |id| id.get()))
            .collect()
    })
}

/// `node.field("body")`: `child_by_field_name` with the id looked up once.
pub trait Fields<'t> {
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

impl<'t> Fields<'t> for Node<'t> {
    #[inline]
    fn field(&self, name: &str) -> Option<Node<'t>> {
        match FIELD_NAMES.iter().position(|n| *n == name) {
            Some(i) => self.child_by_field_id(field_ids()[i]),
            None => self.child_by_field_name(name),
        }
    }
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// tree-sitter-python's external scanner serializes its indentation stack (two bytes a
/// level) into tree-sitter's 1,024-byte buffer and, past about 500 levels, trips a C
/// assertion that aborts the whole process. Its stack holds strictly increasing widths, so
/// the number of distinct indentation widths in a text bounds its depth; text with more than
/// this many is never handed to the parser.
pub const MAX_INDENT_WIDTHS: usize = 300;

/// Why `text` must not be parsed, if it must not.
pub fn refuse(text: &[u8]) -> Option<String> {
    // Distinct widths: a bit per width below 4,096, a set above (never in real code).
    let mut small = [0u64; 64];
    let mut large = std::collections::HashSet::new();
    let mut distinct = 0usize;
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
    for start in starts {
        // Widths as the scanner measures them: space 1, tab 8, form feed resets.
        let mut w: u64 = 0;
        let mut blank = true;
        for &b in &text[start..] {
            match b {
                b' ' => w += 1,
                b'\t' => w += 8,
                b'\x0c' => w = 0,
                b'\r' => {}
                b'\n' => break,
                _ => {
                    blank = false;
                    break;
                }
            }
        }
        if blank || w == 0 {
            continue;
        }
        let new = if w < 4096 {
            let (word, bit) = ((w / 64) as usize, 1u64 << (w % 64));
            let new = small[word] & bit == 0;
            small[word] |= bit;
            new
        } else {
            large.insert(w)
        };
        distinct += new as usize;
        if distinct > MAX_INDENT_WIDTHS {
            return Some(format!(
                "indentation nested more than {MAX_INDENT_WIDTHS} levels deep (the Python parser cannot take it safely)"
            ));
        }
    }
    None
}

/// Parses `text` with this thread's parser (one parser per thread, no locks).
/// Returns `None` for text the parser cannot take safely (see `refuse`).
pub fn parse(text: &str) -> Option<Tree> {
    if refuse(text.as_bytes()).is_some() {
        return None;
    }
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        let parser = slot.as_mut()?;
        parser.reset();
        if !crate::budget::active() {
            return parser.parse(text, None);
        }
        // Under a time budget: tree-sitter asks now and then whether to stop.
        let bytes = text.as_bytes();
        let mut stop = |_: &tree_sitter::ParseState| crate::budget::exceeded();
        parser.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut stop)),
        )
    })
}

/// Source text that was parsed, and how its positions map to the file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub text: String,
    pub tree: Tree,
    /// 1-based file line of the text's first line.
    pub first_line: usize,
    /// Bytes removed from the start of each text line by dedenting (empty for whole files).
    pub removed: Vec<usize>,
}

impl Parsed {
    /// 1-based file line of a 0-based row in `text`.
    pub fn line(&self, row: usize) -> usize {
        self.first_line + row
    }

    /// 0-based byte column in the file line for a (row, column) of `text`.
    pub fn file_col(&self, row: usize, col: usize) -> usize {
        col + self.removed.get(row).copied().unwrap_or(0)
    }

    pub fn node_text(&self, node: Node<'_>) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }
}

/// Parses a whole file.
pub fn parse_file(text: &str) -> Option<Parsed> {
    let tree = parse(text)?;
    Some(Parsed {
        text: text.to_string(),
        tree,
        first_line: 1,
        removed: Vec::new(),
    })
}

/// Parses lines `first_line..` of `slice` (whole lines of a file), dedented by `indent` columns.
pub fn parse_slice(slice: &str, first_line: usize, indent: usize) -> Option<Parsed> {
    let mut text = String::with_capacity(slice.len());
    let mut removed = Vec::new();
    for line in slice.split_inclusive('\n') {
        let mut cols = 0;
        let mut cut = 0;
        for b in line.bytes() {
            if cols >= indent {
                break;
            }
            match b {
                b' ' => cols += 1,
                b'\t' => cols = (cols / 8 + 1) * 8,
                b'\x0c' => {}
                _ => break,
            }
            cut += 1;
        }
        // Never cut into a line's code, and never leave a partial tab stop.
        if cols > indent {
            cut = 0;
        }
        removed.push(cut);
        text.push_str(&line[cut..]);
    }
    let tree = parse(&text)?;
    Some(Parsed {
        text,
        tree,
        first_line,
        removed,
    })
}

/// The `function_definition` node whose `def` keyword is on 0-based `row` of the parsed text.
pub fn function_at_row(root: Node<'_>, row: usize) -> Option<Node<'_>> {
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.start_position().row > row || node.end_position().row < row {
            continue;
        }
        if node.kind() == "function_definition" && node.start_position().row == row {
            return Some(node);
        }
        stack.extend(node.named_children(&mut cursor));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedented_slice_maps_back() {
        let file = "class A:\n    def f(self):\n        return 1\n";
        let slice = &file[9..];
        let p = parse_slice(slice, 2, 4).expect("parses");
        assert!(!p.root().has_error());
        let f = function_at_row(p.root(), 0).expect("function");
        let ret = f.field("body").unwrap().named_child(0).unwrap();
        assert_eq!(p.line(ret.start_position().row), 3);
        assert_eq!(
            p.file_col(ret.start_position().row, ret.start_position().column),
            8
        );
    }

    #[test]
    fn fields_by_id_match_fields_by_name() {
        assert!(
            field_ids().iter().all(|id| *id != 0),
            "every listed field is one of the grammar's"
        );
        let src = "from a import b as c\n@d\ndef f(x, y=1) -> int:\n    z = g(x)[k]\n    if z or w:\n        return {\"k\": v.attr}\n    else:\n        match z:\n            case 1 if y:\n                pass\n\nclass C(B):\n    pass\n";
        let tree = parse(src).unwrap();
        let mut stack = vec![tree.root_node()];
        let mut compared = 0;
        while let Some(n) = stack.pop() {
            for name in FIELD_NAMES.iter().chain(&["no_such_field"]) {
                assert_eq!(
                    n.field(name),
                    n.child_by_field_name(name),
                    "{name} of {}",
                    n.kind()
                );
                compared += n.field(name).is_some() as usize;
            }
            let mut c = n.walk();
            stack.extend(n.children(&mut c));
        }
        assert!(
            compared > 20,
            "the sample exercises the fields ({compared})"
        );
    }

    /// `refuse` as first written (a set of widths over `split`), the reference.
    fn refuse_naive(text: &[u8]) -> bool {
        let mut widths = std::collections::HashSet::new();
        for line in text.split(|b| *b == b'\n') {
            let (mut w, mut blank) = (0u64, true);
            for &b in line {
                match b {
                    b' ' => w += 1,
                    b'\t' => w += 8,
                    b'\x0c' => w = 0,
                    b'\r' => {}
                    _ => {
                        blank = false;
                        break;
                    }
                }
            }
            if !blank && w > 0 && widths.insert(w) && widths.len() > MAX_INDENT_WIDTHS {
                return true;
            }
        }
        false
    }

    #[test]
    fn refuse_counts_distinct_indentation_widths() {
        let nested = |n: usize, unit: &str| -> String {
            (0..n).map(|i| format!("{}x\n", unit.repeat(i))).collect()
        };
        let cases = [
            nested(MAX_INDENT_WIDTHS, " "),
            nested(MAX_INDENT_WIDTHS + 1, " "),
            nested(MAX_INDENT_WIDTHS + 2, " "),
            nested(MAX_INDENT_WIDTHS + 2, "\t"),
            nested(MAX_INDENT_WIDTHS + 2, " \x0c "),
            nested(MAX_INDENT_WIDTHS + 2, " \r"),
            nested(MAX_INDENT_WIDTHS + 2, "         ").replace('x', " "),
            nested(700, "\t\t"),
            "def f():\n    return 1\n\n\t\n".to_string(),
            String::new(),
        ];
        for (i, c) in cases.iter().enumerate() {
            assert_eq!(
                refuse(c.as_bytes()).is_some(),
                refuse_naive(c.as_bytes()),
                "case {i}"
            );
        }
        assert!(refuse(cases[2].as_bytes()).is_some());
        assert!(refuse(cases[0].as_bytes()).is_none());
        assert!(
            refuse(cases[7].as_bytes()).is_some(),
            "widths past 4,096 count too"
        );
    }
}
