//! `sidguard scan --fix` and `--diff`: the remediation patches the rules wrote, applied to the
//! files (or shown as one unified diff per file), for the findings whose patch is safe to apply
//! mechanically. Everything else is left, with the reason, for a person to review.
//!
//! A patch is safe when it only adds lines that call what the file already names (a
//! regeneration or invalidation on the session object, the request, a module it imports), or
//! when it turns a session cookie protection back on (SID005, one line changed). Patches
//! that delete code (SID004), change a session lifetime (SID006, a policy decision) or call
//! a name the file does not define (it would need an import) are left. A patch applies only
//! where the lines it shows are still the file's lines, and a file's fixes are kept only if
//! they do not make it invalid Python.

use std::collections::{BTreeMap, HashMap, HashSet};

use similar::TextDiff;

use crate::check::Outcome;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::report::edits::{edits, shown_lines, LineEdit};

/// What happened to one file.
#[derive(Debug, Default)]
pub struct FileFix {
    pub path: String,
    /// The file's text before and after (equal when nothing was fixed).
    pub before: String,
    pub after: String,
    /// Fingerprints of the findings fixed.
    pub fixed: Vec<String>,
    /// Findings left, with why (one line each).
    pub left: Vec<(String, String)>,
}

impl FileFix {
    /// The unified diff of the file (`--- a/PATH`, `+++ b/PATH`), empty when unchanged.
    pub fn diff(&self) -> String {
        if self.before == self.after {
            return String::new();
        }
        TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", self.path), &format!("b/{}", self.path))
            .to_string()
    }
}

/// Applies the safe fixes of `findings` to the files and returns what was done with the
/// outcome of `rescan` (the check run again on the files as written). A fix is kept only if
/// its finding is gone after it: one whose finding is still reported is undone (from the
/// original text) and left, and the files are checked again.
pub fn fix(
    findings: &[Finding],
    rescan: &mut dyn FnMut() -> Result<Outcome>,
) -> Result<(Vec<FileFix>, Outcome)> {
    let mut originals: HashMap<String, std::io::Result<Vec<u8>>> = HashMap::new();
    for f in findings {
        originals
            .entry(f.path.clone())
            .or_insert_with(|| std::fs::read(&f.path));
    }
    let read = |p: &str| match originals.get(p) {
        Some(Ok(b)) => Ok(b.clone()),
        Some(Err(e)) => Err(std::io::Error::new(e.kind(), e.to_string())),
        None => std::fs::read(p),
    };
    let mut refused: HashSet<String> = HashSet::new();
    let mut written: HashSet<String> = HashSet::new();
    loop {
        let mut plans = plan_except(findings, &read, &refused);
        for p in &plans {
            if p.before != p.after || written.contains(&p.path) {
                std::fs::write(&p.path, &p.after).map_err(|e| Error::Io {
                    path: p.path.clone().into(),
                    source: e,
                })?;
                written.insert(p.path.clone());
            }
        }
        let outcome = rescan()?;
        let back: HashSet<&str> = outcome
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .filter(|fp| plans.iter().any(|p| p.fixed.iter().any(|x| x == fp)))
            .collect();
        if back.is_empty() || refused.len() >= findings.len() {
            for p in &mut plans {
                p.left.sort();
            }
            return Ok((plans, outcome));
        }
        refused.extend(back.into_iter().map(str::to_string));
    }
}

/// Plans the fixes of `findings`, file by file (in the order the findings name them);
/// `read` gives a file's current bytes.
pub fn plan(findings: &[Finding], read: &dyn Fn(&str) -> std::io::Result<Vec<u8>>) -> Vec<FileFix> {
    plan_except(findings, read, &HashSet::new())
}

/// `plan`, leaving the findings in `refused` (their fix was tried and did not remove them).
fn plan_except(
    findings: &[Finding],
    read: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
    refused: &HashSet<String>,
) -> Vec<FileFix> {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for f in findings {
        if !by_file.contains_key(f.path.as_str()) {
            order.push(&f.path);
        }
        by_file.entry(&f.path).or_default().push(f);
    }
    order
        .into_iter()
        .map(|path| plan_file(path, &by_file[path], read, refused))
        .collect()
}

fn plan_file(
    path: &str,
    findings: &[&Finding],
    read: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
    refused: &HashSet<String>,
) -> FileFix {
    let mut out = FileFix {
        path: path.to_string(),
        ..FileFix::default()
    };
    let leave_all = |out: &mut FileFix, why: &str| {
        out.left.extend(
            findings
                .iter()
                .map(|f| (f.fingerprint.clone(), format!("{}: {why}", what(f)))),
        );
    };
    let text = match read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            leave_all(
                &mut out,
                "the file is not UTF-8; sidguard does not rewrite it",
            );
            return out;
        }
        Err(e) => {
            leave_all(&mut out, &format!("cannot read the file ({e})"));
            return out;
        }
    };
    out.before = text.clone();
    out.after = text.clone();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // Edits of the safe patches, each with its finding; an edit another fix already makes
    // (two findings, one fix) is made once.
    let mut chosen: Vec<(LineEdit, &Finding)> = Vec::new();
    for f in findings {
        if refused.contains(&f.fingerprint) {
            out.left.push((
                f.fingerprint.clone(),
                format!(
                    "{}: its patch does not remove the finding here; fix it by hand",
                    what(f)
                ),
            ));
            continue;
        }
        let edits = match safe_edits(f, &text, &lines) {
            Ok(e) => e,
            Err(why) => {
                out.left
                    .push((f.fingerprint.clone(), format!("{}: {why}", what(f))));
                continue;
            }
        };
        let new: Vec<LineEdit> = edits
            .into_iter()
            .filter(|e| !chosen.iter().any(|(c, _)| c == e))
            .collect();
        if new
            .iter()
            .any(|e| chosen.iter().any(|(c, _)| overlaps(c, e)))
        {
            out.left.push((
                f.fingerprint.clone(),
                format!(
                    "{}: its patch overlaps another fix; run --fix again",
                    what(f)
                ),
            ));
            continue;
        }
        chosen.extend(new.into_iter().map(|e| (e, *f)));
        out.fixed.push(f.fingerprint.clone());
    }
    if out.fixed.is_empty() {
        return out;
    }
    let after = apply(&lines, chosen.iter().map(|(e, _)| e));
    // Fixes must not break the file: if it parsed cleanly before, it must after.
    let clean =
        |t: &str| crate::python::parse::parse(t).is_some_and(|tree| !tree.root_node().has_error());
    if clean(&text) && !clean(&after) {
        let fixed = std::mem::take(&mut out.fixed);
        for fp in fixed {
            let f = findings.iter().find(|f| f.fingerprint == fp);
            let name = f.map(|f| what(f)).unwrap_or_default();
            out.left.push((
                fp,
                format!(
                    "{name}: the patched file would not be valid Python; apply the patch by hand"
                ),
            ));
        }
        return out;
    }
    out.after = after;
    out
}

/// `SID001 in login (line 10)`.
fn what(f: &Finding) -> String {
    format!("{} in {} (line {})", f.rule, f.function, f.span.line)
}

/// The patch's edits if it is safe to apply to the file as it is, else why not.
fn safe_edits(
    f: &Finding,
    text: &str,
    lines: &[&str],
) -> std::result::Result<Vec<LineEdit>, String> {
    let patch = &f.remediation.patch;
    if patch.is_empty() {
        return Err("no patch (the fix needs a person)".into());
    }
    let list = edits(patch);
    if list.is_empty() {
        return Err("no patch (the fix needs a person)".into());
    }
    let deletes = list.iter().any(|e| e.deleted > 0);
    match f.rule {
        "SID006" => {
            return Err(
                "changes a session lifetime, a policy decision: apply the patch by hand if it fits"
                    .into(),
            )
        }
        "SID005" => {
            if !(list.len() == 1 && list[0].deleted == 1 && list[0].inserted.len() == 1) {
                return Err("the patch changes more than the one setting; apply it by hand".into());
            }
        }
        _ if deletes => {
            return Err("the patch deletes code; review and apply it by hand".into());
        }
        _ => {
            for e in &list {
                for line in &e.inserted {
                    if let Some(name) = undefined_name(line, text) {
                        return Err(format!(
                            "the patch calls `{name}`, which this file does not define or import; add the import and apply it by hand"
                        ));
                    }
                }
            }
        }
    }
    // The lines the patch shows must be the file's lines now.
    for (n, expected) in shown_lines(patch) {
        let actual = lines
            .get(n.wrapping_sub(1))
            .map(|l| l.trim_end_matches(['\n', '\r']));
        if actual != Some(expected.as_str()) {
            return Err(
                "the file no longer has the lines the patch was made for; scan again".into(),
            );
        }
    }
    Ok(list)
}

/// A name an inserted line uses (not an attribute, keyword argument or assignment target)
/// that appears nowhere in the file, so that nothing can bind it.
fn undefined_name(line: &str, text: &str) -> Option<String> {
    const KEYWORDS: &[&str] = &[
        "await", "None", "True", "False", "self", "and", "or", "not", "in", "is", "lambda", "if",
        "else", "return",
    ];
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' {
            // Skip a string literal.
            let end = line[i + 1..]
                .find(c as char)
                .map_or(bytes.len(), |j| i + 1 + j + 1);
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &line[start..i];
            let after = line[i..].trim_start();
            let attribute = line[..start].trim_end().ends_with('.');
            let target = after.starts_with('=') && !after.starts_with("==");
            if !(attribute || target || KEYWORDS.contains(&word) || defined(word, text)) {
                return Some(word.to_string());
            }
            continue;
        }
        i += 1;
    }
    None
}

/// Does `word` occur in `text` as a whole identifier?
fn defined(word: &str, text: &str) -> bool {
    let is_ident = |c: char| c == '_' || c.is_alphanumeric();
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Do two edits touch the same old lines (or insert at the same place differently)?
fn overlaps(a: &LineEdit, b: &LineEdit) -> bool {
    let (a0, a1) = (a.start, a.start + a.deleted);
    let (b0, b1) = (b.start, b.start + b.deleted);
    if a.deleted == 0 || b.deleted == 0 {
        // An insertion before line n conflicts with an edit of line n's region start only.
        return a0 == b0 || (a0 > b0 && a0 < b1) || (b0 > a0 && b0 < a1);
    }
    a0 < b1 && b0 < a1
}

/// The file's lines with `edits` made (they do not overlap); inserted lines take the line
/// ending of the line they go before.
fn apply<'e>(lines: &[&str], edits: impl Iterator<Item = &'e LineEdit>) -> String {
    let mut edits: Vec<&LineEdit> = edits.collect();
    edits.sort_by_key(|e| (e.start, e.deleted));
    let eol = |i: usize| {
        let l = lines.get(i).or(lines.last()).copied().unwrap_or("\n");
        if l.ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    };
    let mut out = String::new();
    let mut next = 0; // index of the next old line to copy
    for e in edits {
        let at = e.start.saturating_sub(1).min(lines.len());
        for l in &lines[next.min(at)..at] {
            out.push_str(l);
        }
        next = next.max(at);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol(at));
        }
        for ins in &e.inserted {
            out.push_str(ins);
            out.push_str(eol(at));
        }
        next = (at + e.deleted).min(lines.len()).max(next);
    }
    for l in &lines[next.min(lines.len())..] {
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_with_the_files_line_endings() {
        let lines = vec!["a\r\n", "b\r\n", "c\r\n"];
        let ins = LineEdit {
            start: 2,
            deleted: 0,
            inserted: vec!["x".into()],
        };
        let rep = LineEdit {
            start: 3,
            deleted: 1,
            inserted: vec!["C".into()],
        };
        assert_eq!(
            apply(&lines, [&ins, &rep].into_iter()),
            "a\r\nx\r\nb\r\nC\r\n"
        );
        assert!(!overlaps(&ins, &rep));
        assert!(overlaps(&rep, &rep));
    }

    /// A fix whose finding is still reported after it (the rules do not see it as a fix) is
    /// undone, and the finding left.
    #[test]
    fn a_fix_that_does_not_remove_its_finding_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.py");
        let text = "from flask import Flask, request, session\n\napp = Flask(__name__)\n\n\ndef login():\n    if check_password_hash(h, request.form[\"password\"]):\n        session[\"user_id\"] = 1\n";
        std::fs::write(&path, text).unwrap();
        let file = crate::source::ChangedFile {
            path: path.display().to_string(),
            new: text.as_bytes().to_vec(),
            old: None,
            touched: crate::source::Touched::All,
            new_id: None,
            old_id: None,
        };
        let first = crate::check::run(
            crate::source::memory(crate::source::Mode::Scan, vec![file]),
            false,
        );
        assert_eq!(first.findings.len(), 1, "{:?}", first.findings);
        let mut seen = Vec::new();
        let (plans, _) = fix(&first.findings, &mut || {
            seen.push(std::fs::read_to_string(&path).unwrap());
            Ok(Outcome {
                findings: first.findings.clone(),
                ..Outcome::default()
            })
        })
        .unwrap();
        assert_eq!(seen.len(), 2);
        assert!(seen[0].contains("session.clear()"), "{}", seen[0]);
        assert_eq!(seen[1], text, "undone");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert!(plans[0].fixed.is_empty());
        assert!(
            plans[0].left[0]
                .1
                .contains("its patch does not remove the finding here"),
            "{:?}",
            plans[0].left
        );
    }

    #[test]
    fn a_patch_for_other_lines_is_not_applied() {
        let text = "from flask import request, session\n\n\ndef login():\n    if check_password_hash(h, request.form[\"password\"]):\n        session[\"user_id\"] = 1\n";
        let file = crate::source::ChangedFile {
            path: "app.py".into(),
            new: text.as_bytes().to_vec(),
            old: None,
            touched: crate::source::Touched::All,
            new_id: None,
            old_id: None,
        };
        let outcome = crate::check::run(
            crate::source::memory(crate::source::Mode::Scan, vec![file]),
            false,
        );
        assert_eq!(outcome.findings.len(), 1);
        let changed = text.replace("    if check", "    # edited since\n    if check");
        let plans = plan(&outcome.findings, &|_| Ok(changed.clone().into_bytes()));
        assert!(plans[0].fixed.is_empty());
        assert!(
            plans[0].left[0]
                .1
                .contains("no longer has the lines the patch was made for"),
            "{:?}",
            plans[0].left
        );
        let plans = plan(&outcome.findings, &|_| Ok(text.as_bytes().to_vec()));
        assert_eq!(plans[0].fixed.len(), 1);
        assert!(plans[0].diff().contains("+        session.clear()\n"));
    }

    #[test]
    fn names_the_file_does_not_define() {
        let text = "from flask import session\ndef f(request):\n    pass\n";
        assert_eq!(undefined_name("session.regenerate()", text), None);
        assert_eq!(undefined_name("request.session.cycle_key()", text), None);
        assert_eq!(
            undefined_name("session = await new_session(request)", text),
            Some("new_session".into())
        );
        assert_eq!(
            undefined_name("regenerate_session_id(request)", text),
            Some("regenerate_session_id".into())
        );
        assert_eq!(undefined_name("f(key=\"undefined_thing\")", text), None);
    }
}
