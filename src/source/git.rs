//! The diff reader. Opens the repository with `Repository::open_from_env()` so that the
//! temporary index of `git commit -a` / `git commit PATH` (`GIT_INDEX_FILE`) and quarantined
//! objects (`GIT_OBJECT_DIRECTORY`) are seen; a plain open would miss them and pass silently.
//!
//! Deltas: added, modified, copied and renamed files count (a pure rename with no content
//! change has no hunks and so changes nothing); deleted files, binary files, submodules,
//! symlinks and non-Python files are skipped. Hunks are read with zero context: a changed
//! line marks its function, and a pure deletion marks the lines on both sides of it.

use git2::{
    Delta, DiffFindOptions, DiffOptions, FileMode, Index, ObjectType, Oid, Repository, Tree,
};

use super::cache::FactsCache;
use super::{is_python, ChangedFile, Input, Mode, Skipped, Touched};
use crate::error::{Error, Result};
use crate::project::{file_facts, ProjectFacts};

pub fn open() -> Result<Repository> {
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
    let index = repo
        .index()
        .map_err(|e| Error::git("reading the index", e))?;
    let old = head_tree(&repo)?;
    let mut opts = diff_options();
    let mut diff = repo
        .diff_tree_to_index(old.as_ref(), Some(&index), Some(&mut opts))
        .map_err(|e| Error::git("diffing the index against HEAD", e))?;
    find_renames(&mut diff)?;
    let filter = PathFilter::new(&repo, paths);
    let mut input = collect(&repo, &diff, &filter, Mode::Staged)?;
    if !input.files.is_empty() {
        let (facts, blobs) = facts_from_index(&repo, &index)?;
        input.facts = facts;
        if let Some(old) = &old {
            input.old_facts = facts_from_tree(&repo, old)?.0;
        }
        add_backend_dependents(&repo, &mut input, &blobs, old.as_ref(), &filter)?;
    }
    Ok(input)
}

/// `sidguard diff BASE [HEAD]`: what HEAD changed since its merge base with BASE.
pub fn range(base: &str, head: &str) -> Result<Input> {
    let repo = open()?;
    let base_commit = resolve_commit(&repo, base)?;
    let head_commit = resolve_commit(&repo, head)?;
    let fork = match repo.merge_base(base_commit.id(), head_commit.id()) {
        Ok(oid) => repo.find_commit(oid).map_err(|e| Error::git("reading the merge base", e))?,
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
    let mut opts = diff_options();
    let mut diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))
        .map_err(|e| Error::git("diffing the range", e))?;
    find_renames(&mut diff)?;
    let mut input = collect(&repo, &diff, &PathFilter::all(), Mode::Diff)?;
    if !input.files.is_empty() {
        let (facts, blobs) = facts_from_tree(&repo, &new)?;
        input.facts = facts;
        input.old_facts = facts_from_tree(&repo, &old)?.0;
        add_backend_dependents(&repo, &mut input, &blobs, Some(&old), &PathFilter::all())?;
    }
    Ok(input)
}

fn resolve_commit<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>> {
    let obj = repo
        .revparse_single(rev)
        .map_err(|_| Error::BadRevision(rev.to_string()))?;
    obj.peel_to_commit()
        .map_err(|_| Error::BadRevision(rev.to_string()))
}

fn diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .include_typechange(true)
        .ignore_submodules(false);
    opts
}

fn find_renames(diff: &mut git2::Diff<'_>) -> Result<()> {
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

    fn keeps(&self, path: &str) -> bool {
        self.prefixes.is_empty()
            || self.prefixes.iter().any(|p| {
                p.is_empty()
                    || path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
    }
}

fn read_blob(repo: &Repository, oid: Oid, path: &str) -> Result<Vec<u8>> {
    let blob = repo.find_blob(oid).map_err(|e| Error::Object {
        oid: oid.to_string(),
        path: path.to_string(),
        message: e.message().to_string(),
    })?;
    Ok(blob.content().to_vec())
}

fn collect(
    repo: &Repository,
    diff: &git2::Diff<'_>,
    filter: &PathFilter,
    mode: Mode,
) -> Result<Input> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut changed_paths = 0;
    for (idx, delta) in diff.deltas().enumerate() {
        let new_file = delta.new_file();
        let path = new_file
            .path()
            .or_else(|| delta.old_file().path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if !filter.keeps(&path) {
            continue;
        }
        changed_paths += 1;
        match delta.status() {
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange => {
            }
            _ => continue, // deleted, ignored, untracked, unmodified
        }
        let mode_new = new_file.mode();
        if matches!(mode_new, FileMode::Link | FileMode::Commit | FileMode::Tree) {
            continue; // symlinks and submodules are never followed
        }
        let oid = new_file.id();
        let head = || read_blob(repo, oid, &path).ok();
        if !is_python(&path, head) {
            continue;
        }
        if delta.flags().is_binary() || new_file.is_binary() {
            skipped.push(Skipped {
                path: path.clone(),
                reason: "git treats it as binary".into(),
            });
            continue;
        }
        let patch = git2::Patch::from_diff(diff, idx)
            .map_err(|e| Error::git(format!("reading the diff of {path}"), e))?;
        let Some(patch) = patch else {
            skipped.push(Skipped {
                path: path.clone(),
                reason: "git treats it as binary".into(),
            });
            continue;
        };
        let mut ranges = Vec::new();
        for h in 0..patch.num_hunks() {
            let (hunk, _) = patch
                .hunk(h)
                .map_err(|e| Error::git(format!("reading a hunk of {path}"), e))?;
            let start = hunk.new_start() as usize;
            let lines = hunk.new_lines() as usize;
            if lines == 0 {
                // Lines were only deleted, after line `start`: mark both neighbours.
                ranges.push((start.max(1), start + 1));
            } else {
                ranges.push((start, start + lines - 1));
            }
        }
        if ranges.is_empty() {
            continue; // a pure rename or a mode change: no content changed
        }
        let new = read_blob(repo, oid, &path)?;
        let old_file = delta.old_file();
        let old = if matches!(delta.status(), Delta::Added)
            || old_file.id().is_zero()
            || old_file.mode() == FileMode::Link
        {
            None
        } else {
            let old_path = old_file
                .path()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.clone());
            Some(read_blob(repo, old_file.id(), &old_path)?)
        };
        let touched = if old.is_none() {
            Touched::All
        } else {
            Touched::Lines(ranges)
        };
        files.push(ChangedFile {
            path,
            new,
            old,
            touched,
        });
    }
    Ok(Input {
        mode,
        files,
        facts: ProjectFacts::default(),
        old_facts: ProjectFacts::default(),
        skipped,
        changed_paths,
    })
}

fn git_dir(repo: &Repository) -> std::path::PathBuf {
    repo.commondir().to_path_buf()
}

/// Python blobs of a tree or index: (path, blob id).
type Blobs = Vec<(String, Oid)>;

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
    for (path, oid) in blobs {
        if !filter.keeps(path) || input.files.iter().any(|f| &f.path == path) {
            continue;
        }
        let new = read_blob(repo, *oid, path)?;
        if memchr::memmem::find(&new, b"session").is_none()
            && memchr::memmem::find(&new, b"login_user").is_none()
        {
            continue;
        }
        let old_content = match old.and_then(|t| t.get_path(std::path::Path::new(path)).ok()) {
            Some(entry) => Some(read_blob(repo, entry.id(), path)?),
            None => None,
        };
        input.files.push(ChangedFile {
            path: path.clone(),
            new,
            old: old_content,
            touched: Touched::All,
        });
    }
    Ok(())
}

/// Project facts over every Python blob in the index, through the blob-id cache.
fn facts_from_index(repo: &Repository, index: &Index) -> Result<(ProjectFacts, Blobs)> {
    let mut cache = FactsCache::load(&git_dir(repo));
    let mut facts = ProjectFacts::default();
    let mut blobs = Vec::new();
    for entry in index.iter() {
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        if !path.ends_with(".py") || entry.mode & 0o170000 != 0o100000 {
            continue;
        }
        facts.add(blob_facts(repo, &mut cache, entry.id, &path)?);
        blobs.push((path, entry.id));
    }
    cache.save();
    Ok((facts, blobs))
}

/// Project facts over every Python blob of a tree, through the blob-id cache.
pub fn facts_from_tree(repo: &Repository, tree: &Tree<'_>) -> Result<(ProjectFacts, Blobs)> {
    let mut cache = FactsCache::load(&git_dir(repo));
    let mut facts = ProjectFacts::default();
    let mut blobs = Vec::new();
    let mut failure: Option<Error> = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let name = entry.name().unwrap_or("");
        if entry.kind() == Some(ObjectType::Blob)
            && name.ends_with(".py")
            && entry.filemode() & 0o170000 == 0o100000
        {
            let path = format!("{dir}{name}");
            match blob_facts(repo, &mut cache, entry.id(), &path) {
                Ok(f) => {
                    facts.add(f);
                    blobs.push((path, entry.id()));
                }
                Err(e) => {
                    failure = Some(e);
                    return git2::TreeWalkResult::Abort;
                }
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| {
        failure
            .take()
            .unwrap_or_else(|| Error::git("walking the tree", e))
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    cache.save();
    Ok((facts, blobs))
}

fn blob_facts(
    repo: &Repository,
    cache: &mut FactsCache,
    oid: Oid,
    path: &str,
) -> Result<crate::project::FileFacts> {
    let key = oid.to_string();
    if let Some(f) = cache.get(&key) {
        return Ok(f);
    }
    let bytes = read_blob(repo, oid, path)?;
    let f = file_facts(&bytes);
    cache.insert(key, f);
    Ok(f)
}
