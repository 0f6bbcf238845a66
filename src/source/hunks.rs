//! Which lines of the new content changed, at a cost that follows the size of the change:
//! the common prefix and suffix of the two versions are skipped with a byte comparison
//! (memcmp speed), and only the differing middle is diffed line by line with `similar`.
//! A one-line edit in a 20,000-line file diffs one line, not 20,000.
//!
//! Ranges are 1-based and inclusive, in the new content. Where lines were only deleted,
//! the lines on both sides of the deletion are marked, so the function that lost a line
//! (say, its `session.clear()`) is re-checked.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, TextDiff};

pub fn changed_lines(old: &[u8], new: &[u8]) -> Vec<(usize, usize)> {
    if old == new {
        return Vec::new();
    }
    // Common prefix, backed up to the start of a line.
    let mut p = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    while p > 0 && new[p - 1] != b'\n' {
        p -= 1;
    }
    // Common suffix of what is left, shrunk until it starts a line in both versions.
    let (old_rest, new_rest) = (&old[p..], &new[p..]);
    let mut s = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    while s > 0 {
        let (o, n) = (old_rest.len() - s, new_rest.len() - s);
        let at_line_start = |buf: &[u8], i: usize| i == 0 || buf[i - 1] == b'\n';
        if at_line_start(old_rest, o) && at_line_start(new_rest, n) {
            break;
        }
        s -= 1;
    }
    let old_mid = String::from_utf8_lossy(&old_rest[..old_rest.len() - s]);
    let new_mid = String::from_utf8_lossy(&new_rest[..new_rest.len() - s]);
    let first = 1 + memchr::memchr_iter(b'\n', &new[..p]).count();

    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .deadline(Instant::now() + Duration::from_millis(500))
        .diff_lines(old_mid.as_ref(), new_mid.as_ref());
    let mut out = Vec::new();
    for op in diff.ops() {
        match *op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { new_index, .. } => {
                // Deleted before new line `first + new_index`: mark both neighbours.
                let after = first + new_index;
                out.push((after.saturating_sub(1).max(1), after));
            }
            DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } => {
                out.push((first + new_index, first + new_index + new_len.max(1) - 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_line() {
        assert_eq!(changed_lines(b"a\nb\nc\n", b"a\nB\nc\n"), vec![(2, 2)]);
    }

    #[test]
    fn deletion_marks_both_sides() {
        assert_eq!(changed_lines(b"a\nb\nc\nd\n", b"a\nb\nd\n"), vec![(2, 3)]);
        assert_eq!(changed_lines(b"a\nb\n", b"b\n"), vec![(1, 1)]);
    }

    #[test]
    fn insertion_and_append() {
        assert_eq!(changed_lines(b"a\nc\n", b"a\nb\nc\n"), vec![(2, 2)]);
        assert_eq!(changed_lines(b"a\n", b"a\nb\n"), vec![(2, 2)]);
        assert_eq!(changed_lines(b"a", b"ab"), vec![(1, 1)]);
    }

    #[test]
    fn repeated_lines_still_mark_the_edit() {
        let old = b"x\nx\nx\nx\n";
        let new = b"x\nx\ny\nx\nx\n";
        let got = changed_lines(old, new);
        assert_eq!(got, vec![(3, 3)]);
    }

    #[test]
    fn identical_is_empty() {
        assert!(changed_lines(b"a\n", b"a\n").is_empty());
    }
}
