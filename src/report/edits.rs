//! What the machine-readable formats need from a finding besides its fields: the remediation
//! as line edits (read back from the unified diff the rules made) and a whole-line suggestion
//! for review tools. (The fingerprint is the finding's own: `finding::fingerprint`.)

/// Old lines `start..start+deleted` (1-based) are replaced by `inserted` (each line without
/// its line end). `deleted == 0` is an insertion before line `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEdit {
    pub start: usize,
    pub deleted: usize,
    pub inserted: Vec<String>,
}

/// One line of a hunk, placed in the old file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Row {
    Same(usize, String),
    Gone(usize, String),
    /// An added line and the old line it goes before.
    Added(usize, String),
}

fn rows(patch: &str) -> Vec<Row> {
    let mut out = Vec::new();
    let mut old = 0usize;
    for line in patch.lines() {
        if let Some(rest) = line.strip_prefix("@@ -") {
            let n = rest
                .split([',', ' '])
                .next()
                .and_then(|n| n.parse::<usize>().ok());
            old = n.unwrap_or(0).max(1);
            continue;
        }
        if line.starts_with("--- ") || line.starts_with("+++ ") || old == 0 {
            continue;
        }
        if let Some(t) = line.strip_prefix('+') {
            out.push(Row::Added(old, t.to_string()));
        } else if let Some(t) = line.strip_prefix('-') {
            out.push(Row::Gone(old, t.to_string()));
            old += 1;
        } else if let Some(t) = line.strip_prefix(' ') {
            out.push(Row::Same(old, t.to_string()));
            old += 1;
        } else if line.is_empty() {
            // A context line that was empty (some tools strip the leading space).
            out.push(Row::Same(old, String::new()));
            old += 1;
        }
    }
    out
}

/// The old file's lines a patch shows (context and removed lines): (1-based line, text).
/// A patch applies to a file only where these are the file's lines.
pub fn shown_lines(patch: &str) -> Vec<(usize, String)> {
    rows(patch)
        .into_iter()
        .filter_map(|r| match r {
            Row::Same(n, t) | Row::Gone(n, t) => Some((n, t)),
            Row::Added(..) => None,
        })
        .collect()
}

/// The edits a remediation patch makes, in file order.
pub fn edits(patch: &str) -> Vec<LineEdit> {
    let mut out: Vec<LineEdit> = Vec::new();
    let mut current: Option<LineEdit> = None;
    for row in rows(patch) {
        match row {
            Row::Same(..) => {
                if let Some(e) = current.take() {
                    out.push(e);
                }
            }
            Row::Gone(n, _) => {
                let e = current.get_or_insert(LineEdit {
                    start: n,
                    deleted: 0,
                    inserted: Vec::new(),
                });
                e.deleted += 1;
            }
            Row::Added(n, t) => {
                let e = current.get_or_insert(LineEdit {
                    start: n,
                    deleted: 0,
                    inserted: Vec::new(),
                });
                e.inserted.push(t);
            }
        }
    }
    if let Some(e) = current {
        out.push(e);
    }
    out
}

/// The new text of old lines `first..=last` when every edit of `patch` falls on them (an
/// insertion may sit just before `first` or just after `last`): what a GitHub suggestion
/// block on those lines holds. `None` when the fix reaches other lines or the patch does
/// not show all of them.
pub fn suggestion(patch: &str, first: usize, last: usize) -> Option<Vec<String>> {
    let rows = rows(patch);
    if rows.is_empty() {
        return None;
    }
    let inside = |n: usize| (first..=last).contains(&n);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for row in &rows {
        match row {
            Row::Same(n, t) => {
                if inside(*n) {
                    seen.insert(*n);
                    out.push(t.clone());
                }
            }
            Row::Gone(n, _) => {
                if !inside(*n) {
                    return None;
                }
                seen.insert(*n);
            }
            Row::Added(n, t) => {
                // Goes before old line n: fits when n is flagged or follows the last one.
                if !(inside(*n) || *n == last + 1) {
                    return None;
                }
                out.push(t.clone());
            }
        }
    }
    (seen.len() == last + 1 - first).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSERT: &str = "--- a/v.py\n+++ b/v.py\n@@ -21,4 +21,5 @@\n     user = x\n     if user:\n+        fix()\n         write()\n         return 1\n";
    const DELETE: &str = "--- a/v.py\n+++ b/v.py\n@@ -5,3 +5,2 @@\n a\n-b\n c\n";

    #[test]
    fn edits_of_an_insertion_and_a_deletion() {
        assert_eq!(
            edits(INSERT),
            vec![LineEdit {
                start: 23,
                deleted: 0,
                inserted: vec!["        fix()".into()]
            }]
        );
        assert_eq!(
            edits(DELETE),
            vec![LineEdit {
                start: 6,
                deleted: 1,
                inserted: vec![]
            }]
        );
    }

    #[test]
    fn suggestion_fits_only_on_the_flagged_lines() {
        assert_eq!(
            suggestion(INSERT, 23, 23),
            Some(vec!["        fix()".into(), "        write()".into()])
        );
        // The insertion goes after line 22 too.
        assert_eq!(
            suggestion(INSERT, 22, 22),
            Some(vec!["    if user:".into(), "        fix()".into()])
        );
        assert_eq!(suggestion(INSERT, 24, 24), None);
        assert_eq!(suggestion(DELETE, 6, 6), Some(vec![]));
        assert_eq!(suggestion(DELETE, 7, 7), None);
        // Lines the patch does not show cannot be suggested.
        assert_eq!(suggestion(DELETE, 6, 9), None);
    }
}
