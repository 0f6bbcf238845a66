//! The diff reader. Opens the repository with `Repository::open_from_env()` so that the
//! temporary index of `git commit -a` / `git commit PATH` (`GIT_INDEX_FILE`) and quarantined
//! objects (`GIT_OBJECT_DIRECTORY`) are seen; a plain open would miss them and pass silently.
//!
//! Deltas: added, modified, copied and renamed files count (a pure rename with no content
//! change has no hunks and so changes nothing); deleted files, binary files, submodules,
//! symlinks and non-Python files are skipped. Hunks are read with zero context: a changed
//! line marks its function, and a pure deletion marks the lines on both sides of it.

use std::collections::HashSet;

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository, Tree};

use super::cache::{BlobCache, FACTS};
use super::hunks;
use super::{
    is_python, is_regular, is_special, oid_of, python_blob, raw_id, ChangedFile, Input, Mode,
    RawId, Skipped, Touched,
};
use crate::error::{Error, Result};
use crate::project::{file_facts, ProjectFacts};

pub fn open() -> Result<Repository> {
    // Objects are not re-hashed on every read (libgit2's default, SHA-1DC, was a tenth of a
    // commit hook's git time): git does not re-hash what it reads either; objects were
    // hashed when they were written or received (`index-pack`, also for a push in
    // quarantine).
    git2::opts::strict_hash_verification(false);
    Repository::open_from_env().map_err(|e| {
        if e.code() == git2::ErrorCode::NotFound {
            let cwd = std::env::current_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            Error::NotARepository(if cwd.is_empty() {
                e.message().to_string()
            } else {
                cwd
            })
        } else {
            Error::git("opening the repository", e)
        }
    })
}

/// HEAD's tree, or `None` on an unborn branch (before the first commit).
fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => head
            .peel_to_tree()
            .map(Some)
            .map_err(|e| Error::git("reading HEAD's tree", e)),
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(Error::git("reading HEAD", e)),
    }
}

/// `sidguard staged`: the index against HEAD (or the empty tree before the first commit).
pub fn staged(paths: &[String]) -> Result<Input> {
    let repo = open()?;
    if repo.is_bare() {
        return Err(Error::Usage(
            "this is a bare repository: it has no index to check; use `sidguard diff BASE HEAD`, or `sidguard pre-receive` as a server hook".into(),
        ));
    }
    let old = head_tree(&repo)?;
    let filter = PathFilter::new(&repo, paths);
    let (changes, blobs, config, facts) =
        match super::index::read(&repo, old.as_ref().map(|t| t.id()))? {
            Some(staged) => {
                crate::timings::mark(|| {
                    "git: the index compared with HEAD through its cache-tree".into()
                });
                (
                    staged.changes,
                    staged.blobs,
                    staged.config,
                    Some(staged.facts),
                )
            }
            None => {
                let index = repo
                    .index()
                    .map_err(|e| Error::git("reading the index", e))?;
                let mut opts = diff_options();
                let mut diff = repo
                    .diff_tree_to_index(old.as_ref(), Some(&index), Some(&mut opts))
                    .map_err(|e| Error::git("diffing the index against HEAD", e))?;
                crate::timings::mark(|| "git: the index diffed against HEAD".into());
                find_renames(&mut diff)?;
                let mut blobs = Blobs::default();
                for e in index.iter() {
                    if python_blob(&e.path, e.mode) {
                        blobs.push(&super::lossy(&e.path), e.id);
                    }
                }
                let config = [".sidguard.toml", "pyproject.toml"]
                    .map(|name| index.get_path(std::path::Path::new(name), 0).map(|e| e.id));
                (changes_of(&diff), blobs, config, None)
            }
        };
    if let Some(path) = filter.unmatched(paths, &blobs) {
        return Err(Error::Usage(format!(
            "`{}` matches no file in the work tree or the index",
            crate::error::sanitize(path)
        )));
    }
    let unstaged = filter.unstaged_files(&changes, &blobs);
    let (mut input, changes) = collect(&repo, &changes, &filter, Mode::Staged, None)?;
    input.config_file = config_in(&repo, |name| match name {
        ".sidguard.toml" => config[0],
        _ => config[1],
    })?;
    add_whole_files(&repo, &mut input, unstaged)?;
    if !input.files.is_empty() {
        match facts {
            Some(facts) => {
                (input.facts, input.old_facts, input.local, input.old_local) =
                    facts.compute(&repo)?
            }
            None => project_facts(&repo, &mut input, &blobs, &changes)?,
        }
        crate::timings::mark(|| "git: project facts".into());
        // Under pre-commit the paths are the files its filters selected, not a restriction
        // the user asked for: a switch of the session backend re-checks the whole project.
        let dependents = if std::env::var_os("PRE_COMMIT").is_some() {
            PathFilter::all()
        } else {
            filter
        };
        add_backend_dependents(&repo, &mut input, &blobs, old.as_ref(), &dependents)?;
        let old = old.map(|t| t.id());
        (input.tree, input.old_tree) = trees(blobs, old, Some(repo))?;
    }
    Ok(input)
}

/// `sidguard diff BASE [HEAD]`: what HEAD changed since its merge base with BASE.
pub fn range(base: &str, head: &str) -> Result<Input> {
    let repo = open()?;
    let base_commit = resolve_commit(&repo, base)?;
    let head_commit = resolve_commit(&repo, head)?;
    let fork = match repo.merge_base(base_commit.id(), head_commit.id()) {
        Ok(oid) => repo
            .find_commit(oid)
            .map_err(|e| Error::git("reading the merge base", e))?,
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            return Err(Error::Usage(format!(
                "`{base}` and `{head}` have no common ancestor; pass a BASE that `{head}` was branched from"
            )))
        }
        Err(e) => return Err(Error::git("finding the merge base", e)),
    };
    let old = fork
        .tree()
        .map_err(|e| Error::git("reading the merge base's tree", e))?;
    let new = head_commit
        .tree()
        .map_err(|e| Error::git("reading HEAD's tree", e))?;
    tree_change(&repo, Some(&old), &new, None)
}

/// What a pull request from `head` into `base` shows: the change since the merge base, the
/// head commit's id, and for each changed path the new-side line ranges of its diff hunks with
/// GitHub's three lines of context (the only lines a review comment may be placed on).
pub struct PullRequest {
    pub input: Input,
    pub head: String,
    pub commentable: std::collections::BTreeMap<String, Vec<(usize, usize)>>,
}

pub fn pull_request(base: &str, head: &str) -> Result<PullRequest> {
    // First, so a bad revision or unrelated histories get `diff`'s messages.
    let input = range(base, head)?;
    let repo = open()?;
    let head_commit = resolve_commit(&repo, head)?;
    let head_id = head_commit.id().to_string();
    let base_commit = resolve_commit(&repo, base)?;
    let fork = repo
        .merge_base(base_commit.id(), head_commit.id())
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|e| Error::git("finding the merge base", e))?;
    let old = fork
        .tree()
        .map_err(|e| Error::git("reading the merge base's tree", e))?;
    let new = head_commit
        .tree()
        .map_err(|e| Error::git("reading the head's tree", e))?;
    let mut opts = DiffOptions::new();
    opts.context_lines(3).ignore_submodules(true);
    let mut diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))
        .map_err(|e| Error::git("diffing the pull request", e))?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))
        .map_err(|e| Error::git("detecting renames", e))?;
    let mut commentable: std::collections::BTreeMap<String, Vec<(usize, usize)>> =
        Default::default();
    diff.foreach(
        &mut |_, _| true,
        None,
        Some(&mut |delta, hunk| {
            if let Some(path) = delta.new_file().path().and_then(|p| p.to_str()) {
                let start = hunk.new_start() as usize;
                let lines = hunk.new_lines() as usize;
                if lines > 0 {
                    commentable
                        .entry(path.to_string())
                        .or_default()
                        .push((start, start + lines - 1));
                }
            }
            true
        }),
        None,
    )
    .map_err(|e| Error::git("reading the pull request's hunks", e))?;
    Ok(PullRequest {
        input,
        head: head_id,
        commentable,
    })
}

/// The change from `old` (or the empty tree) to `new`, as an `Input`: what `diff` and the
/// push modes check. Python blobs larger than `max_blob` bytes are listed as skipped.
pub fn tree_change(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    max_blob: Option<u64>,
) -> Result<Input> {
    let mut opts = diff_options();
    let mut diff = repo
        .diff_tree_to_tree(old, Some(new), Some(&mut opts))
        .map_err(|e| Error::git("diffing the trees", e))?;
    find_renames(&mut diff)?;
    let (mut input, changes) = collect(
        repo,
        &changes_of(&diff),
        &PathFilter::all(),
        Mode::Diff,
        max_blob,
    )?;
    if !input.files.is_empty() {
        let blobs = tree_blobs(new)?;
        project_facts(repo, &mut input, &blobs, &changes)?;
        add_backend_dependents(repo, &mut input, &blobs, old, &PathFilter::all())?;
        (input.tree, input.old_tree) = trees(blobs, old.map(|t| t.id()), None)?;
    }
    input.config_file = config_in(repo, |name| {
        new.get_path(std::path::Path::new(name))
            .ok()
            .map(|e| e.id())
    })?;
    Ok(input)
}

fn resolve_commit<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>> {
    let obj = repo
        .revparse_single(rev)
        .map_err(|_| Error::BadRevision(rev.to_string()))?;
    obj.peel_to_commit()
        .map_err(|_| Error::BadRevision(rev.to_string()))
}

pub(super) fn diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .include_typechange(true)
        .ignore_submodules(false);
    opts
}

pub(super) fn find_renames(diff: &mut git2::Diff<'_>) -> Result<()> {
    let mut find = DiffFindOptions::new();
    find.renames(true).copies(true);
    diff.find_similar(Some(&mut find))
        .map_err(|e| Error::git("detecting renames", e))
}

/// Restricts a staged scan to the PATHs given (files, or directories as prefixes).
struct PathFilter {
    prefixes: Vec<String>,
}

impl PathFilter {
    fn all() -> PathFilter {
        PathFilter {
            prefixes: Vec::new(),
        }
    }

    /// PATHs are repository-relative (as pre-commit passes them) or relative to the current
    /// directory when that directory is inside the work tree.
    fn new(repo: &Repository, paths: &[String]) -> PathFilter {
        let workdir = repo.workdir().and_then(|w| w.canonicalize().ok());
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok());
        let prefix = match (&workdir, &cwd) {
            (Some(w), Some(c)) => c
                .strip_prefix(w)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/")),
            _ => None,
        };
        let prefixes = paths
            .iter()
            .map(|p| {
                let p = p.trim_start_matches("./").trim_end_matches('/');
                match &prefix {
                    Some(pre) if !pre.is_empty() => format!("{pre}/{p}"),
                    _ => p.to_string(),
                }
            })
            .collect();
        PathFilter { prefixes }
    }

    /// The first of `paths` (as given) that names nothing: no file or directory on disk and
    /// no Python file of the index under it. A typo (`ap.py` for `app.py`) is an error, as in
    /// ruff, never a silent "nothing is staged".
    fn unmatched<'p>(&self, paths: &'p [String], index: &Blobs) -> Option<&'p str> {
        paths
            .iter()
            .zip(&self.prefixes)
            .find_map(|(given, prefix)| {
                // The index is searched only for what the disk does not have (pre-commit
                // passes thousands of files under `--all-files`).
                let found = std::path::Path::new(given).exists()
                    || index.paths.iter().any(|p| covers(prefix, p));
                (!found).then_some(given.as_str())
            })
    }

    /// The files named exactly by the PATHs that the index holds (or, not in the index, the
    /// disk holds) with no staged change: `pre-commit run --all-files` (or `--files`) passes
    /// every file, and a file with nothing staged is checked whole rather than passed over.
    /// In a commit, pre-commit passes only staged files and none of them is here.
    fn unstaged_files(&self, changes: &[Change], index: &Blobs) -> Vec<Unstaged> {
        if self.prefixes.is_empty() {
            return Vec::new();
        }
        let staged: HashSet<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        let mut wanted: HashSet<&str> = self
            .prefixes
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty() && !staged.contains(p))
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (path, id) in index.iter() {
            if wanted.remove(path) {
                out.push(Unstaged {
                    path: path.to_string(),
                    id: Some(id),
                });
            }
        }
        // Not a `*.py` file of the index: a script with a Python shebang (pre-commit's
        // `types: [python]` selects those too), or a file not added yet. Directories keep
        // their meaning of a restriction.
        let mut rest: Vec<&str> = wanted.into_iter().collect();
        rest.sort_unstable();
        out.extend(rest.into_iter().map(|p| Unstaged {
            path: p.to_string(),
            id: None,
        }));
        out
    }

    fn keeps(&self, path: &str) -> bool {
        self.prefixes.is_empty() || self.prefixes.iter().any(|p| covers(p, path))
    }
}

/// A file given to `staged` with no staged change, to be checked whole: its index blob, or
/// (`id: None`) a path the index has no Python blob for.
struct Unstaged {
    path: String,
    id: Option<Oid>,
}

/// Adds the [`Unstaged`] files to `input`, whole and with no previous version (every
/// finding in them is reported as the file's, as `scan` reports them). A path with no
/// Python blob in the index is read from the index entry (a script with a Python shebang)
/// or, not in the index, from the work tree; a directory or a file that is not Python is
/// left alone.
fn add_whole_files(repo: &Repository, input: &mut Input, files: Vec<Unstaged>) -> Result<()> {
    let mut index = None;
    for Unstaged { path, id } in files {
        let (new, id) = match id {
            Some(id) => (read_blob(repo, id, &path)?, Some(id)),
            None => {
                let index = match &mut index {
                    Some(i) => i,
                    None => index.insert(
                        repo.index()
                            .map_err(|e| Error::git("reading the index", e))?,
                    ),
                };
                match index.get_path(std::path::Path::new(&path), 0) {
                    Some(e) if is_regular(e.mode) => (read_blob(repo, e.id, &path)?, Some(e.id)),
                    Some(_) => continue,
                    None => {
                        let Some(on_disk) = repo.workdir().map(|w| w.join(&path)) else {
                            continue;
                        };
                        if !on_disk.is_file() {
                            continue;
                        }
                        let bytes = std::fs::read(&on_disk).map_err(|e| Error::Io {
                            path: on_disk.clone(),
                            source: e,
                        })?;
                        (bytes, None)
                    }
                }
            }
        };
        if !is_python(&path, || Some(new.clone())) {
            continue;
        }
        input.changed_paths += 1;
        if let Some(s) = super::binary(&path, &new) {
            input.skipped.push(s);
            continue;
        }
        input.files.push(ChangedFile {
            path,
            new,
            old: None,
            touched: Touched::All,
            new_id: id,
            old_id: None,
        });
    }
    Ok(())
}

/// Is `path` the file `prefix` names, or under the directory it names (`""` is the root)?
fn covers(prefix: &str, path: &str) -> bool {
    prefix.is_empty()
        || path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('/'))
}

fn read_blob(repo: &Repository, oid: Oid, path: &str) -> Result<Vec<u8>> {
    let blob = repo.find_blob(oid).map_err(|e| Error::Object {
        oid: oid.to_string(),
        path: path.to_string(),
        message: e.message().to_string(),
    })?;
    Ok(blob.content().to_vec())
}

/// The configuration file at the root of a tree or index: `.sidguard.toml`, else a
/// `pyproject.toml` that has a `[tool.sidguard]` table (or sidguard's keys in the wrong
/// place, which is an error that says where they go).
fn config_in(
    repo: &Repository,
    lookup: impl Fn(&str) -> Option<Oid>,
) -> Result<Option<crate::config::ConfigFile>> {
    for (name, pyproject) in [(".sidguard.toml", false), ("pyproject.toml", true)] {
        if let Some(oid) = lookup(name) {
            let bytes = read_blob(repo, oid, name)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::Usage(format!("{name}: invalid sidguard configuration: not UTF-8"))
            })?;
            if pyproject && !crate::config::pyproject_mentions_sidguard(&text) {
                continue;
            }
            return Ok(Some(crate::config::ConfigFile {
                origin: name.to_string(),
                text,
                pyproject,
            }));
        }
    }
    Ok(None)
}

/// What the diff changed, for deriving the old tree's facts without walking it: the new
/// paths of every delta, and the old blobs of every Python delta (deletions included).
#[derive(Default)]
struct Changes {
    new_paths: HashSet<String>,
    old_blobs: Vec<(String, Oid)>,
}

/// One changed path, whichever reader found it (libgit2's diff, or the index reader's
/// cache-tree walk). A side that does not exist has a zero id and mode 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Change {
    pub status: Delta,
    /// The old side's path, when the diff names one.
    pub old_path: Option<String>,
    pub old_id: Oid,
    pub old_mode: u32,
    /// The new side's path (the old one for a deletion).
    pub path: String,
    pub new_id: Oid,
    pub new_mode: u32,
}

pub(super) fn changes_of(diff: &git2::Diff<'_>) -> Vec<Change> {
    let path_of = |f: &git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/"));
    diff.deltas()
        .map(|delta| {
            let (new_file, old_file) = (delta.new_file(), delta.old_file());
            let old_path = path_of(&old_file);
            Change {
                status: delta.status(),
                path: path_of(&new_file)
                    .or_else(|| old_path.clone())
                    .unwrap_or_default(),
                old_path,
                old_id: old_file.id(),
                old_mode: u32::from(old_file.mode()),
                new_id: new_file.id(),
                new_mode: u32::from(new_file.mode()),
            }
        })
        .collect()
}

fn collect(
    repo: &Repository,
    deltas: &[Change],
    filter: &PathFilter,
    mode: Mode,
    max_blob: Option<u64>,
) -> Result<(Input, Changes)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut changed_paths = 0;
    let mut changes = Changes::default();
    for delta in deltas {
        let path = delta.path.clone();
        changes.new_paths.insert(path.clone());
        if let Some(old_path) = &delta.old_path {
            if python_blob(old_path.as_bytes(), delta.old_mode) && !delta.old_id.is_zero() {
                changes.old_blobs.push((old_path.clone(), delta.old_id));
            }
        }
        if !filter.keeps(&path) {
            continue;
        }
        changed_paths += 1;
        match delta.status {
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange => {
            }
            _ => continue, // deleted, ignored, untracked, unmodified
        }
        if is_special(delta.new_mode) {
            continue; // symlinks and submodules are never followed
        }
        let oid = delta.new_id;
        let head = || read_blob(repo, oid, &path).ok();
        if !is_python(&path, head) {
            continue;
        }
        if let Some(max) = max_blob {
            // The size from the object header, before inflating an untrusted blob.
            let size = repo
                .odb()
                .and_then(|odb| odb.read_header(oid))
                .map_err(|e| Error::Object {
                    oid: oid.to_string(),
                    path: path.clone(),
                    message: e.message().to_string(),
                })?
                .0 as u64;
            if size > max {
                skipped.push(Skipped {
                    path: path.clone(),
                    reason: format!("{size} bytes, over the policy's max-blob-bytes ({max})"),
                    ..Skipped::default()
                });
                continue;
            }
        }
        let new = read_blob(repo, oid, &path)?;
        if let Some(s) = super::binary(&path, &new) {
            skipped.push(s);
            continue;
        }
        let old = if matches!(delta.status, Delta::Added)
            || delta.old_id.is_zero()
            || !is_regular(delta.old_mode)
        {
            None
        } else {
            let old_path = delta.old_path.as_deref().unwrap_or(&path);
            Some(read_blob(repo, delta.old_id, old_path)?)
        };
        let touched = match &old {
            None => Touched::All,
            Some(old) => {
                let ranges = hunks::changed_lines(old, &new);
                if ranges.is_empty() {
                    continue; // a pure rename or a mode change: no content changed
                }
                Touched::Lines(ranges)
            }
        };
        let old_id = old.is_some().then_some(delta.old_id);
        files.push(ChangedFile {
            path,
            new,
            old,
            touched,
            new_id: Some(oid),
            old_id,
        });
    }
    let input = Input {
        mode,
        files,
        facts: ProjectFacts::default(),
        old_facts: ProjectFacts::default(),
        local: Default::default(),
        old_local: Default::default(),
        skipped,
        changed_paths,
        config_file: None,
        tree: None,
        old_tree: None,
        cache_dir: Some(repo.commondir().to_path_buf()),
    };
    Ok((input, changes))
}

/// Python blobs of a tree or index: paths (in one buffer) and blob ids, in the same order.
/// The ids are kept as bytes, made `Oid`s only when used (`Oid::from_bytes` is a call into
/// libgit2, and a commit hook lists 5,000 blobs to read a handful).
#[derive(Default)]
pub(super) struct Blobs {
    pub paths: super::Paths,
    ids: Vec<RawId>,
    /// A path was added that does not sort after the one before it (checked as the list is
    /// built, while both are still in the processor's cache).
    unsorted: bool,
}

impl Blobs {
    pub fn with_capacity(blobs: usize, bytes: usize) -> Blobs {
        Blobs {
            paths: super::Paths::with_capacity(blobs, bytes),
            ids: Vec::with_capacity(blobs),
            unsorted: false,
        }
    }

    /// An empty list whose paths are spans of `buf` (see [`Blobs::push_span`]).
    pub fn over(buf: String, blobs: usize) -> Blobs {
        Blobs {
            paths: super::Paths::over(buf, blobs),
            ids: Vec::with_capacity(blobs),
            unsorted: false,
        }
    }

    /// After a push: does the new path sort after the one before it?
    fn note_order(&mut self) {
        let n = self.paths.len();
        if n >= 2 && !super::precedes(self.paths.bytes(n - 2), self.paths.bytes(n - 1)) {
            self.unsorted = true;
        }
    }

    pub fn push(&mut self, path: &str, id: Oid) {
        self.push_raw(path, raw_id(id.as_bytes()));
    }

    pub fn push_raw(&mut self, path: &str, id: RawId) {
        self.paths.push(path);
        self.ids.push(id);
        self.note_order();
    }

    /// Adds the path at `span` of the buffer given to [`Blobs::over`]; `false` (nothing
    /// added) when the span is not text of that buffer.
    pub fn push_span(&mut self, span: std::ops::Range<usize>, id: RawId) -> bool {
        if !self.paths.push_span(span) {
            return false;
        }
        self.ids.push(id);
        self.note_order();
        true
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Oid)> + '_ {
        self.paths.iter().zip(self.ids.iter().map(oid_of))
    }

    /// Sorted by path (git lists trees and indexes so already; anything else is sorted).
    fn sorted(self) -> Blobs {
        if !self.unsorted {
            return self;
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.paths.get(a).cmp(self.paths.get(b)));
        let mut out = Blobs::default();
        for i in order {
            out.push_raw(self.paths.get(i), self.ids[i]);
        }
        out
    }
}

type Shared = std::sync::Arc<dyn super::ProjectTree>;
type SharedRepo = std::sync::Arc<std::sync::Mutex<Repository>>;

/// The checked tree and the tree it is compared with (`old`), sharing one list of paths and
/// one repository handle: `repo` when the caller is done with its own, else one opened from
/// the same environment (so quarantined objects stay readable).
fn trees(
    blobs: Blobs,
    old: Option<Oid>,
    repo: Option<Repository>,
) -> Result<(Option<Shared>, Option<Shared>)> {
    let Blobs { paths, ids, .. } = blobs.sorted();
    let paths = std::sync::Arc::new(paths);
    let repo = match repo {
        Some(repo) => repo,
        None => open()?,
    };
    let repo: SharedRepo = std::sync::Arc::new(std::sync::Mutex::new(repo));
    let old = old.map(|tree| {
        std::sync::Arc::new(OldTree {
            paths: paths.clone(),
            tree,
            repo: repo.clone(),
        }) as Shared
    });
    let new = std::sync::Arc::new(GitTree { paths, ids, repo }) as Shared;
    Ok((Some(new), old))
}

/// The checked tree's Python files, read by blob id (paths sorted; `ids` in their order).
struct GitTree {
    paths: std::sync::Arc<super::Paths>,
    ids: Vec<RawId>,
    repo: SharedRepo,
}

impl std::fmt::Debug for GitTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GitTree({} files)", self.paths.len())
    }
}

/// The tree a change is compared with, read lazily by path (paths listed as in the new tree:
/// helper files rarely appear or vanish with the change that uses them).
struct OldTree {
    paths: std::sync::Arc<super::Paths>,
    tree: Oid,
    repo: SharedRepo,
}

impl std::fmt::Debug for OldTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OldTree({})", self.tree)
    }
}

impl super::ProjectTree for OldTree {
    fn paths(&self) -> &super::Paths {
        &self.paths
    }
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.read_with_id(path).map(|(bytes, _)| bytes)
    }
    fn read_with_id(&self, path: &str) -> Option<(Vec<u8>, Option<Oid>)> {
        let repo = self.repo.lock().ok()?;
        let tree = repo.find_tree(self.tree).ok()?;
        let entry = tree.get_path(std::path::Path::new(path)).ok()?;
        let blob = repo.find_blob(entry.id()).ok()?;
        Some((blob.content().to_vec(), Some(entry.id())))
    }
}

impl super::ProjectTree for GitTree {
    fn paths(&self) -> &super::Paths {
        &self.paths
    }
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.read_with_id(path).map(|(bytes, _)| bytes)
    }
    fn read_with_id(&self, path: &str) -> Option<(Vec<u8>, Option<Oid>)> {
        let at = self.paths.binary_search(path)?;
        let repo = self.repo.lock().ok()?;
        let id = oid_of(&self.ids[at]);
        let blob = repo.find_blob(id).ok()?;
        Some((blob.content().to_vec(), Some(id)))
    }
}

/// Every Python blob of a tree.
fn tree_blobs(tree: &Tree<'_>) -> Result<Blobs> {
    let mut blobs = Blobs::default();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let name = entry.name().unwrap_or("");
        if entry.kind() == Some(ObjectType::Blob)
            && python_blob(name.as_bytes(), entry.filemode() as u32)
        {
            blobs.push(&format!("{dir}{name}"), entry.id());
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| Error::git("walking the tree", e))?;
    Ok(blobs)
}

/// Project facts of the new side (every Python blob) and of the old side (the same blobs
/// where the diff changed nothing, plus the old blobs of the changed paths), in one pass
/// through the blob-id cache.
fn project_facts(
    repo: &Repository,
    input: &mut Input,
    blobs: &Blobs,
    changes: &Changes,
) -> Result<()> {
    let mut cache = BlobCache::load(repo.commondir(), FACTS);
    for (path, oid) in blobs.iter() {
        let f = blob_facts(repo, &mut cache, oid, path)?;
        input.facts.add(f);
        input.local.note(path, f);
        if !changes.new_paths.contains(path) {
            input.old_facts.add(f);
            input.old_local.note(path, f);
        }
    }
    for (path, oid) in &changes.old_blobs {
        let f = blob_facts(repo, &mut cache, *oid, path)?;
        input.old_facts.add(f);
        input.old_local.note(path, f);
    }
    cache.save();
    Ok(())
}

/// When the change switches the session backend (Flask-Session turned on, Django's engine
/// changed), every session-using function in the project means something new: add each
/// Python file that mentions the session, whole, compared with its old version.
fn add_backend_dependents(
    repo: &Repository,
    input: &mut Input,
    blobs: &Blobs,
    old: Option<&Tree<'_>>,
    filter: &PathFilter,
) -> Result<()> {
    use crate::frameworks::Framework;
    let switched = [Framework::Flask, Framework::Django]
        .iter()
        .any(|fw| input.facts.backend(*fw) != input.old_facts.backend(*fw));
    if !switched {
        return Ok(());
    }
    for f in &mut input.files {
        f.touched = Touched::All;
    }
    for (path, oid) in blobs.iter() {
        if !filter.keeps(path) || input.files.iter().any(|f| f.path == path) {
            continue;
        }
        let new = read_blob(repo, oid, path)?;
        if memchr::memmem::find(&new, b"session").is_none()
            && memchr::memmem::find(&new, b"login_user").is_none()
        {
            continue;
        }
        let (old_content, old_id) =
            match old.and_then(|t| t.get_path(std::path::Path::new(path)).ok()) {
                Some(entry) => (Some(read_blob(repo, entry.id(), path)?), Some(entry.id())),
                None => (None, None),
            };
        input.files.push(ChangedFile {
            path: path.to_string(),
            new,
            old: old_content,
            touched: Touched::All,
            new_id: Some(oid),
            old_id,
        });
    }
    Ok(())
}

pub(super) fn blob_facts(
    repo: &Repository,
    cache: &mut BlobCache,
    oid: Oid,
    path: &str,
) -> Result<crate::project::FileFacts> {
    if let Some(f) = cache.get(oid) {
        return Ok(crate::project::FileFacts(f));
    }
    let bytes = read_blob(repo, oid, path)?;
    let f = file_facts(&bytes);
    cache.insert(oid, f.0);
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn blobs_listed_out_of_order_are_sorted_with_their_ids() {
        let mut blobs = Blobs::default();
        for (path, n) in [("b/x.py", 2), ("a.py", 1), ("b/x.py", 3), ("c.py", 4)] {
            blobs.push(path, id(n));
        }
        let sorted: Vec<(String, Oid)> = blobs
            .sorted()
            .iter()
            .map(|(p, i)| (p.to_string(), i))
            .collect();
        let want = [("a.py", 1), ("b/x.py", 2), ("b/x.py", 3), ("c.py", 4)];
        let want: Vec<(String, Oid)> = want.iter().map(|(p, n)| (p.to_string(), id(*n))).collect();
        assert_eq!(sorted, want);
    }

    #[test]
    fn blobs_listed_in_order_are_kept_as_they_are() {
        let text = "a.pyREADMEb/c.py".to_string();
        let mut blobs = Blobs::over(text, 2);
        assert!(blobs.push_span(0..4, [1; 20]));
        assert!(blobs.push_span(10..16, [2; 20]));
        let sorted = blobs.sorted();
        assert!(!sorted.unsorted);
        let got: Vec<(&str, Oid)> = sorted.iter().collect();
        assert_eq!(got, [("a.py", id(1)), ("b/c.py", id(2))]);
    }
}
