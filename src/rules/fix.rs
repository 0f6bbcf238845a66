//! Remediation patches: the user's own function with fix lines inserted, as a unified diff
//! (made with `similar`) whose hunk headers carry the file's real line numbers.

use similar::TextDiff;

use crate::python::file::SourceFile;

/// A line to insert before (or after) 1-based file line `at`, indented like that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    pub line: usize,
    pub after: bool,
    pub code: String,
}

/// The unified diff of lines `start..=end` of `file` with `inserts` applied.
pub fn patch(file: &SourceFile, start: usize, end: usize, inserts: &[Insertion]) -> String {
    if inserts.is_empty() {
        return String::new();
    }
    let mut old = String::new();
    let mut new = String::new();
    for line in start..=end {
        let text = file.line_text(line);
        let indent: String = text.chars().take_while(|c| c.is_whitespace()).collect();
        for ins in inserts.iter().filter(|i| i.line == line && !i.after) {
            for code in ins.code.lines() {
                new.push_str(&format!("{indent}{code}\n"));
            }
        }
        old.push_str(text);
        old.push('\n');
        new.push_str(text);
        new.push('\n');
        for ins in inserts.iter().filter(|i| i.line == line && i.after) {
            for code in ins.code.lines() {
                new.push_str(&format!("{indent}{code}\n"));
            }
        }
    }
    let diff = TextDiff::from_lines(&old, &new);
    let mut out = headers(&file.path);
    let offset = start - 1;
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let text = hunk.to_string();
        let mut lines = text.lines();
        if let Some(header) = lines.next() {
            out.push_str(&shift_header(header, offset));
            out.push('\n');
        }
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The unified diff of `file` with 1-based `line` replaced by `new` (`None`: deleted),
/// shown with up to three lines of context inside `start..=end`.
pub fn replace_line(
    file: &SourceFile,
    start: usize,
    end: usize,
    line: usize,
    new: Option<&str>,
) -> String {
    let mut old = String::new();
    let mut changed = String::new();
    for l in start..=end {
        let text = file.line_text(l);
        old.push_str(text);
        old.push('\n');
        if l == line {
            if let Some(n) = new {
                changed.push_str(n);
                changed.push('\n');
            }
        } else {
            changed.push_str(text);
            changed.push('\n');
        }
    }
    if old == changed {
        return String::new();
    }
    let diff = TextDiff::from_lines(&old, &changed);
    let mut out = headers(&file.path);
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let text = hunk.to_string();
        let mut lines = text.lines();
        if let Some(header) = lines.next() {
            out.push_str(&shift_header(header, start - 1));
            out.push('\n');
        }
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// Adds `offset` to both line numbers of a `@@ -a,b +c,d @@` header.
fn shift_header(header: &str, offset: usize) -> String {
    let shift = |part: &str, sign: char| -> String {
        let body = part.trim_start_matches(sign);
        let (n, rest) = match body.split_once(',') {
            Some((n, r)) => (n, format!(",{r}")),
            None => (body, String::new()),
        };
        match n.parse::<usize>() {
            Ok(v) => format!("{sign}{}{rest}", v + offset),
            Err(_) => part.to_string(),
        }
    };
    let parts: Vec<&str> = header.split(' ').collect();
    if parts.len() >= 4 && parts[0] == "@@" {
        format!("@@ {} {} @@", shift(parts[1], '-'), shift(parts[2], '+'))
    } else {
        header.to_string()
    }
}

/// A patch's file headers: `a/PATH` and `b/PATH` for a path relative to the project (as git
/// writes them, for `git apply`), the path itself for an absolute one (as `diff -u` writes
/// it), never `a//abs/path`.
fn headers(path: &str) -> String {
    if std::path::Path::new(path).is_absolute() || path.starts_with('/') {
        format!("--- {path}\n+++ {path}\n")
    } else {
        format!("--- a/{path}\n+++ b/{path}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_has_file_line_numbers() {
        let src = "import x\n\n\ndef f():\n    a = 1\n    b = 2\n";
        let file = SourceFile::new("m.py".into(), src.as_bytes(), false);
        let p = patch(
            &file,
            4,
            6,
            &[Insertion {
                line: 6,
                after: false,
                code: "fix()".into(),
            }],
        );
        assert!(p.contains("@@ -4,3 +4,4 @@"), "{p}");
        assert!(p.contains("+    fix()\n"), "{p}");
    }
}
