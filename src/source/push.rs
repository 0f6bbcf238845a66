//! Push time: the ref updates git hands to `pre-receive` (and to `pre-push`), and what each
//! one must be checked against.
//!
//! - An updated branch: the old tip's tree to the new tip's tree, the net change the push makes
//!   (a vulnerability added and fixed within the push is accepted; a force push is judged by
//!   what the branch becomes), whatever the number of commits.
//! - A new branch, or any tag: from the merge base with the default branch; failing that, from
//!   the parent of the oldest commit no existing ref reaches (the nearest existing history);
//!   from the empty tree when nothing exists yet. A tag is checked at the commit it points to.
//! - A deleted ref: nothing.
//!
//! The repository is opened from git's environment, so objects still in the quarantine
//! directory (`GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`) are readable.

use git2::{Oid, Repository, Sort};

use super::git::tree_change;
use super::Input;
use crate::error::{Error, Result};

/// One ref update: `old` or `new` is zero for a creation or a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub old: Oid,
    pub new: Oid,
    pub refname: String,
}

/// What to check for one ref, or why there is nothing to check.
pub struct RefCheck {
    pub update: RefUpdate,
    /// The commit the change is compared with (`None`: the empty tree).
    pub base: Option<Oid>,
    /// The commit being checked (a tag peeled to its commit).
    pub tip: Option<Oid>,
    pub input: Option<Input>,
    /// Why nothing is checked (a deletion, a tag of a non-commit...).
    pub note: Option<String>,
}

fn parse_oid(s: &str, line: usize, what: &str) -> Result<Oid> {
    let hex = s.len() == 40 || s.len() == 64;
    if !hex || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Usage(format!(
            "stdin line {line}: `{}` is not an object id ({what})",
            crate::error::sanitize(s)
        )));
    }
    Oid::from_str(s).map_err(|_| {
        Error::Usage(format!(
            "stdin line {line}: `{s}` is not an object id ({what})"
        ))
    })
}

/// The space-separated fields of each non-empty stdin line, checked against `shape`.
fn protocol_lines<'t>(
    text: &'t str,
    fields: usize,
    shape: &str,
    protocol: &str,
) -> Result<Vec<(usize, Vec<&'t str>)>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        if parts.len() != fields || parts.iter().any(|p| p.is_empty()) {
            return Err(Error::Usage(format!(
                "stdin line {}: expected `{shape}` (git's {protocol} protocol), got `{}`",
                i + 1,
                crate::error::sanitize(line)
            )));
        }
        out.push((i + 1, parts));
    }
    Ok(out)
}

/// Parses pre-receive stdin: one `<old-oid> <new-oid> <refname>` line per updated ref.
pub fn parse_pre_receive(text: &str) -> Result<Vec<RefUpdate>> {
    protocol_lines(text, 3, "<old-oid> <new-oid> <refname>", "pre-receive")?
        .into_iter()
        .map(|(n, p)| {
            Ok(RefUpdate {
                old: parse_oid(p[0], n, "old value")?,
                new: parse_oid(p[1], n, "new value")?,
                refname: p[2].to_string(),
            })
        })
        .collect()
}

/// Parses pre-push stdin: `<local-ref> <local-oid> <remote-ref> <remote-oid>` lines, as
/// updates of the remote's refs (old: what the remote has, new: what would be pushed).
pub fn parse_pre_push(text: &str) -> Result<Vec<RefUpdate>> {
    protocol_lines(
        text,
        4,
        "<local-ref> <local-oid> <remote-ref> <remote-oid>",
        "pre-push",
    )?
    .into_iter()
    .map(|(n, p)| {
        Ok(RefUpdate {
            new: parse_oid(p[1], n, "local value")?,
            old: parse_oid(p[3], n, "remote value")?,
            refname: p[2].to_string(),
        })
    })
    .collect()
}

fn peel_commit(repo: &Repository, oid: Oid, refname: &str) -> Result<Option<Oid>> {
    let obj = repo.find_object(oid, None).map_err(|e| Error::Object {
        oid: oid.to_string(),
        path: refname.to_string(),
        message: e.message().to_string(),
    })?;
    Ok(obj.peel_to_commit().ok().map(|c| c.id()))
}

/// Where existing history ends for a new ref: the merge base with `default` if there is one,
/// else the parent of the oldest commit not reachable from any of `existing`.
fn new_ref_base(
    repo: &Repository,
    tip: Oid,
    default: Option<Oid>,
    existing: &[Oid],
) -> Result<Option<Oid>> {
    if let Some(d) = default {
        if let Ok(mb) = repo.merge_base(tip, d) {
            return Ok(Some(mb));
        }
    }
    let mut walk = repo
        .revwalk()
        .map_err(|e| Error::git("walking history", e))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(|e| Error::git("walking history", e))?;
    walk.push(tip)
        .map_err(|e| Error::git("walking history", e))?;
    for oid in existing {
        if repo.find_commit(*oid).is_ok() {
            let _ = walk.hide(*oid);
        }
    }
    let Some(first) = walk.next() else {
        // Every commit is already in existing history: nothing new.
        return Ok(Some(tip));
    };
    let first = first.map_err(|e| Error::git("walking history", e))?;
    let commit = repo
        .find_commit(first)
        .map_err(|e| Error::git("reading a commit", e))?;
    Ok(commit.parent_ids().next())
}

/// The commits of every ref under `prefixes` (peeled; tags and branches).
fn existing_commits(repo: &Repository, globs: &[&str]) -> Vec<Oid> {
    let mut out = Vec::new();
    for glob in globs {
        if let Ok(refs) = repo.references_glob(glob) {
            for r in refs.flatten() {
                if let Ok(c) = r.peel_to_commit() {
                    out.push(c.id());
                }
            }
        }
    }
    out
}

/// Where a push is checked against: the server's (pre-receive) or a remote's (pre-push) refs.
pub enum Existing<'a> {
    /// The receiving repository: its default branch is HEAD's target.
    Server,
    /// The local clone before a push to `remote`: its remote-tracking refs.
    Remote(&'a str),
}

/// Builds what to check for each update.
pub fn plan(
    repo: &Repository,
    updates: &[RefUpdate],
    existing: Existing<'_>,
    max_blob: Option<u64>,
) -> Result<Vec<RefCheck>> {
    let (default, known) = match existing {
        Existing::Server => {
            let default = repo
                .find_reference("HEAD")
                .ok()
                .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string))
                .and_then(|t| repo.refname_to_id(&t).ok())
                .and_then(|oid| repo.find_commit(oid).ok().map(|c| c.id()));
            (
                default,
                existing_commits(repo, &["refs/heads/*", "refs/tags/*"]),
            )
        }
        Existing::Remote(remote) => {
            let head = format!("refs/remotes/{remote}/HEAD");
            let default = repo
                .find_reference(&head)
                .ok()
                .and_then(|r| r.peel_to_commit().ok())
                .map(|c| c.id());
            (
                default,
                existing_commits(repo, &[&format!("refs/remotes/{remote}/*")]),
            )
        }
    };
    let mut out = Vec::new();
    for u in updates {
        if u.new.is_zero() {
            out.push(RefCheck {
                update: u.clone(),
                base: None,
                tip: None,
                input: None,
                note: Some("deleted; nothing to check".into()),
            });
            continue;
        }
        let Some(tip) = peel_commit(repo, u.new, &u.refname)? else {
            out.push(RefCheck {
                update: u.clone(),
                base: None,
                tip: None,
                input: None,
                note: Some("does not point at a commit; nothing to check".into()),
            });
            continue;
        };
        let is_tag = u.refname.starts_with("refs/tags/");
        let old_commit = if u.old.is_zero() || is_tag {
            None
        } else {
            peel_commit(repo, u.old, &u.refname)?
        };
        let base = match old_commit {
            Some(old) => Some(old),
            None => new_ref_base(repo, tip, default, &known)?,
        };
        let new_tree = repo
            .find_commit(tip)
            .and_then(|c| c.tree())
            .map_err(|e| Error::git(format!("reading the tree of {}", u.refname), e))?;
        let old_tree =
            match base {
                Some(b) => Some(repo.find_commit(b).and_then(|c| c.tree()).map_err(|e| {
                    Error::git(format!("reading the base tree of {}", u.refname), e)
                })?),
                None => None,
            };
        let input = tree_change(repo, old_tree.as_ref(), &new_tree, max_blob)?;
        out.push(RefCheck {
            update: u.clone(),
            base,
            tip: Some(tip),
            input: Some(input),
            note: None,
        });
    }
    Ok(out)
}

/// The newest commit in `base..tip` that touched lines `start..=end` of `path` (blame), or,
/// when the change only deleted lines there, the newest one that changed the file; as
/// (short id, subject).
pub fn last_commit(
    repo: &Repository,
    path: &str,
    start: usize,
    end: usize,
    base: Option<Oid>,
    tip: Oid,
) -> Option<(String, String)> {
    let id = blame_newest(repo, path, start, end, base, tip)
        .or_else(|| newest_changing(repo, path, base, tip))?;
    let commit = repo.find_commit(id).ok()?;
    let subject = commit.summary().ok().flatten().unwrap_or("").to_string();
    Some((id.to_string()[..12].to_string(), subject))
}

/// The newest commit in `base..tip` whose blob at `path` differs from its first parent's.
fn newest_changing(repo: &Repository, path: &str, base: Option<Oid>, tip: Oid) -> Option<Oid> {
    let mut walk = repo.revwalk().ok()?;
    walk.set_sorting(Sort::TOPOLOGICAL).ok()?;
    walk.push(tip).ok()?;
    if let Some(b) = base {
        walk.hide(b).ok()?;
    }
    let blob_at = |c: &git2::Commit<'_>| {
        c.tree()
            .ok()
            .and_then(|t| t.get_path(std::path::Path::new(path)).ok())
            .map(|e| e.id())
    };
    for oid in walk.take(10_000).flatten() {
        let commit = repo.find_commit(oid).ok()?;
        let parent = commit.parents().next();
        if blob_at(&commit) != parent.as_ref().and_then(blob_at) {
            return Some(oid);
        }
    }
    None
}

fn blame_newest(
    repo: &Repository,
    path: &str,
    start: usize,
    end: usize,
    base: Option<Oid>,
    tip: Oid,
) -> Option<Oid> {
    let mut opts = git2::BlameOptions::new();
    opts.newest_commit(tip).min_line(start).max_line(end);
    if let Some(b) = base {
        opts.oldest_commit(b);
    }
    let blame = repo
        .blame_file(std::path::Path::new(path), Some(&mut opts))
        .ok()?;
    let mut best: Option<(i64, Oid)> = None;
    for hunk in blame.iter() {
        let id = hunk.final_commit_id();
        if Some(id) == base {
            continue; // lines from before the push
        }
        let time = repo.find_commit(id).ok()?.time().seconds();
        if best.is_none_or(|(t, _)| time > t) {
            best = Some((time, id));
        }
    }
    best.map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let u = parse_pre_receive(&format!("{z} {a} refs/heads/main\n")).unwrap();
        assert_eq!(u[0].refname, "refs/heads/main");
        assert!(u[0].old.is_zero());
        for bad in [
            "garbage",
            &format!("{z} {a}"),
            &format!("{z} xyz refs/heads/x"),
            &format!("{z} {a} refs/heads/x extra"),
        ] {
            let e = parse_pre_receive(bad).unwrap_err().to_string();
            assert!(e.starts_with("stdin line 1:"), "{e}");
        }
        let p = parse_pre_push(&format!("refs/heads/f {a} refs/heads/f {z}\n")).unwrap();
        assert!(p[0].old.is_zero() && !p[0].new.is_zero());
        assert!(parse_pre_push("refs/heads/f").is_err());
    }
}
