//! The staged change read straight from git's index file, for the commit hook's hot path.
//!
//! libgit2 spends most of a commit hook's git time on things a hook does not need: it
//! checks the index's SHA-1 with the collision-detecting implementation (slow) and builds a
//! hash map of every entry, then its tree-to-index diff reads every tree of HEAD. Here the
//! index is mapped and decoded by gix-index, and compared with HEAD through the index's
//! cache-tree (the TREE extension): a directory whose cached tree id is HEAD's, with as many
//! entries as the index holds under it, is unchanged and never read. Git trusts the
//! cache-tree in the same way for `git diff --cached`. The trailing checksum is not verified,
//! as git itself does not verify it outside `git fsck`: `git commit` writes its tree from the
//! index as it reads it, and the hook checks that same content.
//!
//! [`read`] returns `None` whenever this shortcut does not apply, and the caller uses
//! libgit2's diff, whose results are the reference (a test holds the two equal): a sparse
//! index, unmerged entries (a merge in progress), intent-to-add entries, an index
//! format gix-index does not read, a cache-tree that disagrees with the entries, and any
//! added path next to a modified, deleted or retyped one (renames and copies are for
//! libgit2's `find_similar`). A split index (`core.splitIndex`), which libgit2 cannot read,
//! is read whole here.

use std::path::PathBuf;

use git2::{Delta, Oid, Repository};
use gix_index::entry::Stage;
use gix_index::extension::Tree as CacheTree;
use gix_index::{Entry, State};

use super::cache::{BlobCache, FACTS};
use super::git::{blob_facts, Change};
use super::{is_regular, is_tree, python_blob, same_kind};
use crate::error::{Error, Result};
use crate::project::{FileFacts, LocalFacts, ProjectFacts};

/// What the staged change needs from the index.
pub(super) struct Staged {
    /// The changed paths, in path order.
    pub changes: Vec<Change>,
    /// Every Python regular file of the index: (path, blob id), in path order.
    pub blobs: super::git::Blobs,
    /// The blob ids of `.sidguard.toml` and `pyproject.toml` at the root, if staged.
    pub config: [Option<Oid>; 2],
    pub facts: Facts,
}

/// The index file libgit2 would open: `GIT_INDEX_FILE` when set (as `git commit -a` and
/// `git commit PATH` set it for their hooks), else `index` in the git directory.
fn index_path(repo: &Repository) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => repo.path().join("index"),
    }
}

/// The staged change of `repo` against `head` (HEAD's tree, `None` before the first commit),
/// or `None` when the shortcut does not apply (see the module's documentation).
pub(super) fn read(repo: &Repository, head: Option<Oid>) -> Result<Option<Staged>> {
    let path = index_path(repo);
    // Mapped, not read: a copy of a large index costs more than decoding it (a page fault
    // per 4 KiB). Git replaces the index by renaming a new file over it, never by writing
    // into it, so the mapped file does not change under us (git maps it too).
    let Some(map) = std::fs::File::open(&path)
        .ok()
        // SAFETY: the file is only read, and git never modifies an index file in place.
        .and_then(|f| unsafe { memmap2::Mmap::map(&f) }.ok())
    else {
        return Ok(None); // no index yet, or unreadable: libgit2 decides
    };
    let data: &[u8] = &map;
    if data.len() < 32 {
        return Ok(None);
    }
    compare(repo, head, data, &path)
}

/// Decodes the index and compares it with HEAD's tree.
fn compare(
    repo: &Repository,
    head: Option<Oid>,
    data: &[u8],
    path: &std::path::Path,
) -> Result<Option<Staged>> {
    let options = gix_index::decode::Options {
        thread_limit: Some(1),
        ..Default::default()
    };
    let Ok((state, _)) = State::from_bytes(
        data,
        filetime::FileTime::zero(),
        gix_index::hash::Kind::Sha1,
        options,
    ) else {
        return Ok(None);
    };
    // A split index (`core.splitIndex`) keeps most entries in a shared file: gix-index merges
    // it in (checking both checksums). libgit2 cannot read split indexes at all.
    let state = if state.link().is_some() {
        match gix_index::File::at(path, gix_index::hash::Kind::Sha1, false, options) {
            Ok(file) => file.into_parts().0,
            Err(e) => {
                return Err(Error::Usage(format!(
                    "{}: reading the split index (core.splitIndex): {e}",
                    path.display()
                )))
            }
        }
    } else {
        state
    };
    if state.link().is_some() || state.is_sparse() {
        return Ok(None);
    }
    let entries = state.entries();
    let backing: &[u8] = state.path_backing();
    // The paths are spans of one copy of the index's path storage when it is UTF-8 as a
    // whole (checked in one pass, not 5,000 short ones); otherwise each is copied as text.
    let text = std::str::from_utf8(backing).ok();
    let mut blobs = match text {
        Some(text) => super::git::Blobs::over(text.to_owned(), entries.len()),
        None => super::git::Blobs::with_capacity(entries.len(), backing.len()),
    };
    let mut config = [None, None];
    for e in entries {
        if e.stage() != Stage::Unconflicted
            || e.flags.contains(gix_index::entry::Flags::INTENT_TO_ADD)
        {
            return Ok(None);
        }
        let p = e.path(&state);
        if is_regular(e.mode.bits()) {
            if p.ends_with(b".py") {
                let at = (p.as_ptr() as usize).wrapping_sub(backing.as_ptr() as usize);
                let id = super::raw_id(e.id.as_bytes());
                if text.is_none() || !blobs.push_span(at..at.wrapping_add(p.len()), id) {
                    blobs.push_raw(&super::lossy(p), id);
                }
            } else if p == b".sidguard.toml".as_slice() {
                config[0] = Some(oid(e));
            } else if p == b"pyproject.toml".as_slice() {
                config[1] = Some(oid(e));
            }
        }
    }
    let mut walk = Walk {
        repo,
        state: &state,
        changes: Vec::new(),
        unchanged: Vec::new(),
        new_files: Vec::new(),
        old_files: Vec::new(),
    };
    let cache = state.tree();
    if !walk.dir(&mut Vec::new(), head, cache, 0, entries)? {
        return Ok(None);
    }
    let Walk {
        changes,
        unchanged,
        new_files,
        old_files,
        ..
    } = walk;
    let added = changes.iter().any(|c| c.status == Delta::Added);
    if added && changes.iter().any(|c| c.status != Delta::Added) {
        return Ok(None); // a rename or a copy is possible: libgit2's find_similar decides
    }
    let facts = Facts {
        unchanged,
        new_files: new_files
            .into_iter()
            .map(|i| {
                let e = &entries[i];
                (super::lossy(e.path(&state)).into_owned(), oid(e))
            })
            .collect(),
        old_files,
        state,
    };
    Ok(Some(Staged {
        changes,
        blobs,
        config,
        facts,
    }))
}

/// What the project facts of both sides are made of, computed only when a Python file is to
/// be checked: the directories the cache-tree showed unchanged (the same tree on both sides,
/// cached as a whole by tree id: its facts are the union of its Python blobs'), and the
/// Python files of the directories that were compared.
pub(super) struct Facts {
    state: State,
    unchanged: Vec<(Oid, std::ops::Range<usize>)>,
    new_files: Vec<(String, Oid)>,
    old_files: Vec<(String, Oid)>,
}

impl Facts {
    /// (the index's facts, HEAD's facts, where each side's local facts are configured).
    pub fn compute(
        &self,
        repo: &Repository,
    ) -> Result<(ProjectFacts, ProjectFacts, LocalFacts, LocalFacts)> {
        let mut cache = BlobCache::load(repo.commondir(), FACTS);
        let (mut new, mut old) = (ProjectFacts::default(), ProjectFacts::default());
        let mut local = LocalFacts::default();
        let mut old_local = LocalFacts::default();
        let entries = self.state.entries();
        let mut live = self.unchanged.len() + self.new_files.len() + self.old_files.len();
        for (tree, range) in &self.unchanged {
            let f = match cache.get(*tree) {
                Some(f) => crate::project::FileFacts(f),
                None => {
                    let mut all = ProjectFacts::default();
                    for e in &entries[range.clone()] {
                        let path = e.path(&self.state);
                        if python_blob(path, e.mode.bits()) {
                            let path = String::from_utf8_lossy(path);
                            all.add(blob_facts(repo, &mut cache, oid(e), &path)?);
                        }
                    }
                    cache.insert(*tree, all.0 .0);
                    all.0
                }
            };
            live += range.len();
            new.add(f);
            old.add(f);
            // A directory holding local facts: which of its files (from the blob records).
            if f.0 & FileFacts::LOCAL != 0 {
                for e in &entries[range.clone()] {
                    let path = e.path(&self.state);
                    if python_blob(path, e.mode.bits()) {
                        let path = String::from_utf8_lossy(path);
                        let f = blob_facts(repo, &mut cache, oid(e), &path)?;
                        local.note(&path, f);
                        old_local.note(&path, f);
                    }
                }
            }
        }
        for (path, id) in &self.new_files {
            let f = blob_facts(repo, &mut cache, *id, path)?;
            new.add(f);
            local.note(path, f);
        }
        for (path, id) in &self.old_files {
            let f = blob_facts(repo, &mut cache, *id, path)?;
            old.add(f);
            old_local.note(path, f);
        }
        cache.keep_at_least(live);
        cache.save();
        Ok((new, old, local, old_local))
    }
}

fn oid(e: &Entry) -> Oid {
    Oid::from_bytes(e.id.as_bytes()).unwrap_or(Oid::ZERO_SHA1)
}

struct Walk<'a> {
    repo: &'a Repository,
    state: &'a State,
    changes: Vec<Change>,
    /// Directories the cache-tree shows unchanged: HEAD's tree id, the index entries.
    unchanged: Vec<(Oid, std::ops::Range<usize>)>,
    /// Python files of the compared directories: index positions, and HEAD's blobs.
    new_files: Vec<usize>,
    old_files: Vec<(String, Oid)>,
}

/// One name in a directory: a file of the index or of HEAD's tree, or a subdirectory (its
/// key ends with `/`, which is how git orders trees).
enum Side<'e> {
    /// An index entry and its position in the index.
    File(usize, &'e Entry),
    /// The index entries under a directory, and the position of the first.
    Dir(usize, &'e [Entry]),
}

impl<'a> Walk<'a> {
    /// Compares the index entries under `dir` (its path with a trailing `/`, empty at the
    /// root) with HEAD's tree `head` there. `false`: the cache-tree disagrees with the
    /// entries, so the shortcut is abandoned.
    fn dir(
        &mut self,
        dir: &mut Vec<u8>,
        head: Option<Oid>,
        cache: Option<&CacheTree>,
        at: usize,
        entries: &'a [Entry],
    ) -> Result<bool> {
        let state = self.state;
        if let (Some(c), Some(h), Some(n)) = (cache, head, cache.and_then(|c| c.num_entries)) {
            if c.id.as_bytes() == h.as_bytes() {
                // Unchanged, unless the counts disagree: then nothing here is trusted.
                self.unchanged.push((h, at..at + entries.len()));
                return Ok(n as usize == entries.len());
            }
        }
        // The index side, grouped by the next path component.
        let mut index: Vec<(&[u8], Side<'a>)> = Vec::new();
        let mut i = 0;
        while i < entries.len() {
            let rest = &entries[i].path(state)[dir.len()..];
            match memchr::memchr(b'/', rest) {
                None => {
                    index.push((rest, Side::File(at + i, &entries[i])));
                    i += 1;
                }
                Some(k) => {
                    let key = &rest[..=k];
                    let n = entries[i..]
                        .partition_point(|e| e.path(state)[dir.len()..].starts_with(key));
                    index.push((key, Side::Dir(at + i, &entries[i..i + n])));
                    i += n;
                }
            }
        }
        if !index.windows(2).all(|w| w[0].0 < w[1].0) {
            return Ok(false);
        }
        // HEAD's side: (key, mode, id), keys of trees ending with `/`.
        let mut tree: Vec<(Vec<u8>, u32, Oid)> = Vec::new();
        if let Some(h) = head {
            let t = self
                .repo
                .find_tree(h)
                .map_err(|e| Error::git("reading HEAD's tree", e))?;
            for entry in t.iter() {
                let mode = entry.filemode() as u32;
                let mut key = entry.name_bytes().to_vec();
                if is_tree(mode) {
                    key.push(b'/');
                }
                tree.push((key, mode, entry.id()));
            }
            tree.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let (mut a, mut b) = (0, 0);
        while a < index.len() || b < tree.len() {
            let order = match (index.get(a), tree.get(b)) {
                (Some(x), Some(y)) => x.0.cmp(y.0.as_slice()),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    let (key, side) = &index[a];
                    if !self.one(dir, key, Some(side), None, cache)? {
                        return Ok(false);
                    }
                    a += 1;
                }
                std::cmp::Ordering::Greater => {
                    let (key, mode, id) = &tree[b];
                    if !self.one(dir, key, None, Some((*mode, *id)), cache)? {
                        return Ok(false);
                    }
                    b += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (key, side) = &index[a];
                    let (_, mode, id) = &tree[b];
                    if !self.one(dir, key, Some(side), Some((*mode, *id)), cache)? {
                        return Ok(false);
                    }
                    a += 1;
                    b += 1;
                }
            }
        }
        Ok(true)
    }

    /// One name of a directory, present in the index, in HEAD's tree, or both.
    fn one(
        &mut self,
        dir: &mut Vec<u8>,
        key: &[u8],
        index: Option<&Side<'a>>,
        head: Option<(u32, Oid)>,
        cache: Option<&CacheTree>,
    ) -> Result<bool> {
        if let Some(name) = key.strip_suffix(b"/") {
            // A directory on whichever side has it.
            let (at, entries) = match index {
                Some(Side::Dir(at, entries)) => (*at, *entries),
                _ => (0, &[][..]),
            };
            let child = cache.and_then(|c| c.children.iter().find(|t| t.name.as_slice() == name));
            let len = dir.len();
            dir.extend_from_slice(key);
            let ok = self.dir(dir, head.map(|(_, id)| id), child, at, entries);
            dir.truncate(len);
            return ok;
        }
        let path = || {
            let mut p = dir.clone();
            p.extend_from_slice(key);
            String::from_utf8_lossy(&p).replace('\\', "/")
        };
        let new = match index {
            Some(Side::File(at, e)) => {
                if python_blob(key, e.mode.bits()) {
                    self.new_files.push(*at);
                }
                Some((e.mode.bits(), oid(e)))
            }
            _ => None,
        };
        if let Some((mode, id)) = head {
            if python_blob(key, mode) {
                self.old_files.push((path(), id));
            }
        }
        let status = match (head, new) {
            (Some((om, oi)), Some((nm, ni))) => {
                if !same_kind(om, nm) {
                    Delta::Typechange
                } else if om != nm || oi != ni {
                    Delta::Modified
                } else {
                    return Ok(true);
                }
            }
            (None, Some(_)) => Delta::Added,
            (Some(_), None) => Delta::Deleted,
            (None, None) => return Ok(true),
        };
        let path = path();
        let (old_mode, old_id) = head.unwrap_or((0, Oid::ZERO_SHA1));
        let (new_mode, new_id) = new.unwrap_or((0, Oid::ZERO_SHA1));
        self.changes.push(Change {
            status,
            old_path: Some(path.clone()),
            old_id,
            old_mode,
            path,
            new_id,
            new_mode,
        });
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A committed tree with nested packages, so the cache-tree has levels to skip.
    fn project() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        git(d, &["init", "-q", "-b", "main"]);
        for pkg in ["app", "app/auth", "lib", "lib/deep/er"] {
            for m in ["a", "b", "c"] {
                write(d, &format!("{pkg}/{m}.py"), &format!("X = '{pkg}/{m}'\n"));
            }
        }
        write(d, "app.py", "A = 1\n");
        write(d, "app-b.py", "B = 1\n");
        write(d, "README.md", "readme\n");
        write(d, "x", "a file that becomes a directory\n");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "one"]);
        t
    }

    fn head(repo: &Repository) -> Option<Oid> {
        repo.head()
            .ok()
            .and_then(|h| h.peel_to_tree().ok())
            .map(|t| t.id())
    }

    /// libgit2's answer, as the slow path computes it.
    fn reference(repo: &Repository) -> Vec<Change> {
        let index = repo.index().unwrap();
        let tree = head(repo).map(|id| repo.find_tree(id).unwrap());
        let mut opts = super::super::git::diff_options();
        let mut diff = repo
            .diff_tree_to_index(tree.as_ref(), Some(&index), Some(&mut opts))
            .unwrap();
        super::super::git::find_renames(&mut diff).unwrap();
        super::super::git::changes_of(&diff)
    }

    /// The shortcut's answer, which must apply (`Some`) and equal libgit2's.
    fn same_as_libgit2(dir: &Path) -> Vec<Change> {
        let repo = Repository::open(dir).unwrap();
        let fast = read(&repo, head(&repo))
            .unwrap()
            .expect("the shortcut applies");
        assert_eq!(fast.changes, reference(&repo));
        fast.changes
    }

    fn applies(dir: &Path) -> bool {
        let repo = Repository::open(dir).unwrap();
        read(&repo, head(&repo)).unwrap().is_some()
    }

    #[test]
    fn modifications_deletions_and_mode_changes_match_libgit2() {
        let t = project();
        let d = t.path();
        // Nothing staged: no changes, every Python blob listed.
        let repo = Repository::open(d).unwrap();
        let fast = read(&repo, head(&repo)).unwrap().unwrap();
        assert!(fast.changes.is_empty());
        assert_eq!(fast.blobs.len(), 14);
        assert!((1..14).all(|i| fast.blobs.paths.get(i - 1) < fast.blobs.paths.get(i)));
        write(d, "app/auth/b.py", "X = 'changed'\n");
        write(d, "lib/deep/er/c.py", "X = 'changed too'\n");
        std::fs::remove_file(d.join("app/a.py")).unwrap();
        std::fs::remove_file(d.join("README.md")).unwrap();
        git(d, &["add", "-A"]);
        git(d, &["update-index", "--chmod=+x", "app.py"]);
        let changes = same_as_libgit2(d);
        // `git write-tree` makes the cache-tree whole again, with ids that are not HEAD's.
        git(d, &["write-tree"]);
        assert_eq!(same_as_libgit2(d), changes);
        let paths: Vec<(&str, Delta)> = changes
            .iter()
            .map(|c| (c.path.as_str(), c.status))
            .collect();
        assert_eq!(
            paths,
            [
                ("README.md", Delta::Deleted),
                ("app.py", Delta::Modified),
                ("app/a.py", Delta::Deleted),
                ("app/auth/b.py", Delta::Modified),
                ("lib/deep/er/c.py", Delta::Modified),
            ]
        );
        // A whole directory removed, and a file turned into a symlink.
        git(d, &["rm", "-q", "-r", "--cached", "lib/deep"]);
        std::fs::remove_file(d.join("app-b.py")).unwrap();
        std::os::unix::fs::symlink("app.py", d.join("app-b.py")).unwrap();
        git(d, &["add", "app-b.py"]);
        let changes = same_as_libgit2(d);
        assert!(changes
            .iter()
            .any(|c| c.path == "app-b.py" && c.status == Delta::Typechange));
        assert!(changes
            .iter()
            .any(|c| c.path == "lib/deep/er/a.py" && c.status == Delta::Deleted));
    }

    #[test]
    fn additions_alone_match_libgit2_and_renames_go_to_libgit2() {
        let t = project();
        let d = t.path();
        write(d, "app/auth/new.py", "N = 1\n");
        write(d, "brand/new/pkg.py", "N = 2\n");
        git(d, &["add", "-A"]);
        let changes = same_as_libgit2(d);
        assert_eq!(changes.len(), 2);
        assert!(changes
            .iter()
            .all(|c| c.status == Delta::Added && c.old_id.is_zero()));
        // An addition next to a deletion may be a rename: libgit2 decides.
        git(d, &["mv", "app/b.py", "app/renamed.py"]);
        assert!(!applies(d));
        // A file that becomes a directory: a deletion and additions.
        git(d, &["reset", "-q", "--hard"]);
        std::fs::remove_file(d.join("x")).unwrap();
        write(d, "x/inside.py", "I = 1\n");
        git(d, &["add", "-A"]);
        assert!(!applies(d));
    }

    #[test]
    fn without_a_usable_cache_tree_every_directory_is_compared() {
        let t = project();
        let d = t.path();
        // Removing and re-adding every path invalidates the whole cache-tree.
        git(d, &["rm", "-q", "-r", "--cached", "."]);
        write(d, "lib/b.py", "X = 'edited'\n");
        git(d, &["add", "-A"]);
        let changes = same_as_libgit2(d);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "lib/b.py");
    }

    #[test]
    fn before_the_first_commit_everything_is_added() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        git(d, &["init", "-q", "-b", "main"]);
        write(d, "a.py", "A = 1\n");
        write(d, "p/b.py", "B = 1\n");
        git(d, &["add", "-A"]);
        let changes = same_as_libgit2(d);
        assert_eq!(changes.len(), 2);
        // No index at all yet: libgit2 decides.
        let t = tempfile::tempdir().unwrap();
        git(t.path(), &["init", "-q", "-b", "main"]);
        assert!(!applies(t.path()));
    }

    #[test]
    fn unusual_indexes_go_to_libgit2_and_the_checksum_is_read_as_git_reads_it() {
        let t = project();
        let d = t.path();
        // Intent-to-add (`git add -N`).
        write(d, "later.py", "L = 1\n");
        git(d, &["add", "-N", "later.py"]);
        assert!(!applies(d));
        git(d, &["rm", "-q", "--cached", "later.py"]);
        assert!(applies(d));
        // An unmerged entry (a merge in progress).
        let blob = git(d, &["rev-parse", "HEAD:app.py"]);
        let info = format!("100644 {} 1\tconflict.py\n", blob.trim());
        let mut child = Command::new("git")
            .args(["update-index", "--index-info"])
            .current_dir(d)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), info.as_bytes()).unwrap();
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success());
        assert!(!applies(d));
        // A wrong trailing checksum: git reads such an index without looking (only `git
        // fsck` checks it) and commits what it holds, so the change read is the same.
        git(d, &["reset", "-q", "--hard"]);
        write(d, "app/auth/b.py", "X = 'changed'\n");
        git(d, &["add", "app/auth/b.py"]);
        let repo = Repository::open(d).unwrap();
        let intact = read(&repo, head(&repo)).unwrap().expect("applies").changes;
        assert_eq!(intact.len(), 1);
        let path = d.join(".git/index");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x20;
        std::fs::write(&path, bytes).unwrap();
        let damaged = read(&repo, head(&repo)).unwrap().expect("applies").changes;
        assert_eq!(damaged, intact);
        let status = Command::new("git")
            .args(["diff", "--cached", "--name-only"])
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&status.stdout), "app/auth/b.py\n");
    }

    /// The union of `file_facts` over every Python blob of the index and of HEAD, read the
    /// plain way.
    fn reference_facts(repo: &Repository) -> (ProjectFacts, ProjectFacts) {
        let facts = |id: Oid| crate::project::file_facts(repo.find_blob(id).unwrap().content());
        let mut new = ProjectFacts::default();
        for e in repo.index().unwrap().iter() {
            if python_blob(&e.path, e.mode) {
                new.add(facts(e.id));
            }
        }
        let mut old = ProjectFacts::default();
        if let Some(tree) = head(repo).map(|id| repo.find_tree(id).unwrap()) {
            tree.walk(git2::TreeWalkMode::PreOrder, |_, entry| {
                if python_blob(entry.name_bytes(), entry.filemode() as u32) {
                    old.add(facts(entry.id()));
                }
                git2::TreeWalkResult::Ok
            })
            .unwrap();
        }
        (new, old)
    }

    #[test]
    fn project_facts_by_tree_id_equal_the_union_of_every_file() {
        let t = project();
        let d = t.path();
        write(
            d,
            "lib/deep/er/settings.py",
            "SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'\n",
        );
        write(d, "app/auth/c.py", "from flask import session\n");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "facts"]);
        // The change turns Flask-Session on in one module and removes the Django setting.
        write(
            d,
            "app/b.py",
            "from flask_session import Session\nSession(app)\n",
        );
        std::fs::remove_file(d.join("lib/deep/er/settings.py")).unwrap();
        git(d, &["add", "-A"]);
        // Files written in the same second as the index are re-added by `git add` ("racy
        // git"), which invalidates their directories: make the cache-tree whole again.
        git(d, &["write-tree"]);
        let repo = Repository::open(d).unwrap();
        let expected = reference_facts(&repo);
        assert_ne!(expected.0, expected.1, "the change must change the facts");
        // Twice: first from blobs, then from the tree-id records the first run cached.
        for _ in 0..2 {
            let fast = read(&repo, head(&repo)).unwrap().unwrap();
            assert!(
                !fast.facts.unchanged.is_empty(),
                "some directory is skipped"
            );
            let (new, old, _, _) = fast.facts.compute(&repo).unwrap();
            assert_eq!((new, old), expected);
        }
        assert!(d.join(".git/sidguard/facts-v9").exists());
    }

    #[test]
    fn a_split_index_is_read_whole() {
        let t = project();
        let d = t.path();
        write(d, "app/auth/b.py", "X = 'changed'\n");
        std::fs::remove_file(d.join("lib/a.py")).unwrap();
        git(d, &["add", "-A"]);
        let whole = same_as_libgit2(d);
        git(d, &["update-index", "--split-index"]);
        write(d, "lib/b.py", "X = 'changed after the split'\n");
        git(d, &["add", "-A"]);
        assert!(std::fs::read_dir(d.join(".git")).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("sharedindex.")));
        let repo = Repository::open(d).unwrap();
        let split = read(&repo, head(&repo))
            .unwrap()
            .expect("a split index is read");
        // The same index unsplit, as libgit2 reads it.
        git(d, &["update-index", "--no-split-index"]);
        let unsplit = same_as_libgit2(d);
        assert_eq!(split.changes, unsplit);
        assert_eq!(split.changes.len(), whole.len() + 1);
        assert_eq!(split.blobs.len(), 13);
    }

    #[test]
    fn paths_are_text_when_they_are_utf8_on_their_own() {
        use std::os::unix::ffi::OsStrExt;
        // "a.py", "bé.py", then two paths valid only together ("x\xc3" + "\xa9.py"): the
        // spans of the copied storage, with a lossy copy where a span cuts a character.
        let backing: &[u8] = b"a.pyb\xc3\xa9.pyx\xc3\xa9.py";
        let text = std::str::from_utf8(backing).unwrap();
        let mut blobs = super::super::git::Blobs::over(text.to_owned(), 4);
        let id = [0; 20];
        for (a, b) in [(0, 4), (4, 10), (10, 12), (12, 16)] {
            if !blobs.push_span(a..b, id) {
                blobs.push_raw(&crate::source::lossy(&backing[a..b]), id);
            }
        }
        let paths: Vec<&str> = blobs.iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["a.py", "bé.py", "x\u{fffd}", "\u{fffd}.py"]);
        // Storage that is not UTF-8 as a whole (a Latin-1 file name in a real index): each
        // path decoded on its own.
        let t = project();
        let d = t.path();
        let latin1 = std::ffi::OsStr::from_bytes(b"app/caf\xe9.py");
        std::fs::write(d.join(latin1), "X = 1\n").unwrap();
        git(d, &["add", "-A"]); // an addition alone: the shortcut applies
        let repo = Repository::open(d).unwrap();
        let staged = read(&repo, head(&repo))
            .unwrap()
            .expect("the shortcut applies");
        let paths: Vec<&str> = staged.blobs.iter().map(|(p, _)| p).collect();
        assert!(paths.contains(&"app/caf\u{fffd}.py"), "{paths:?}");
        assert!(paths.contains(&"app/a.py"), "{paths:?}");
        assert!(!blobs.push_span(1000..1004, id), "a span past the end");
        assert!(!blobs.push_span(4..6, id), "a span that cuts a character");
        assert_eq!(blobs.len(), 4);
    }

    /// An index whose bytes are wrong (damaged on disk, or written by a hostile tool) must
    /// give a change list, a fallback or an error, never a panic.
    #[test]
    fn a_malformed_index_never_panics() {
        let t = project();
        let d = t.path();
        write(d, "app/auth/b.py", "X = 'changed'\n");
        git(d, &["add", "-A"]);
        git(d, &["write-tree"]);
        let path = d.join(".git/index");
        let original = std::fs::read(&path).unwrap();
        let repo = Repository::open(d).unwrap();
        let head = head(&repo);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let body = original.len() - 20;
        for round in 0..1500 {
            let mut bytes = original.clone();
            for _ in 0..1 + round % 4 {
                let at = (next() as usize) % body;
                bytes[at] = match next() % 3 {
                    0 => bytes[at] ^ (1 << (next() % 8)),
                    1 => 0xff,
                    _ => 0,
                };
            }
            if round % 7 == 0 {
                bytes.truncate(32 + (next() as usize) % (body - 32));
                bytes.extend_from_slice(&[0; 20]);
            }
            std::fs::write(&path, &bytes).unwrap();
            let _ = read(&repo, head);
        }
    }
}
