//! Where the code comes from. This is the only module that knows git. Every mode (staged,
//! diff, scan) produces the same `Input`: the Python files to check, which of their lines
//! changed, their previous content, and the project facts from the same tree.

pub mod cache;
pub mod files;
pub mod git;
pub mod hunks;
mod index;
pub mod push;

use crate::project::{LocalFacts, ProjectFacts};

/// Which lines of a file's new content changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    /// Every function is checked (`scan`, or a file added in a diff).
    All,
    /// 1-based inclusive line ranges of the new content; a deletion marks the lines around it.
    Lines(Vec<(usize, usize)>),
}

/// One Python file to check.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Path relative to the repository root (diff modes) or as given (`scan`).
    pub path: String,
    pub new: Vec<u8>,
    /// The previous content, for deciding which findings the change introduced.
    pub old: Option<Vec<u8>>,
    pub touched: Touched,
    /// The git blob ids of `new` and `old`, where they came from git (they key the summary
    /// cache).
    pub new_id: Option<git2::Oid>,
    pub old_id: Option<git2::Oid>,
}

/// A file that was not checked, or only partly, and why (reported, never silent).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
    /// Only part of the file was analysed (the rest is described by `reason`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// The line the reason points at (a syntax error's first line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Skipped {
    /// Analysed around a syntax error (not skipped for a limit or a failure of sidguard's).
    pub fn is_syntax_error(&self) -> bool {
        self.partial && self.line.is_some()
    }
}

/// The reason for skipping a file over `max-file-bytes`.
pub fn too_big(size: u64, max: u64) -> String {
    format!("larger than the limit ({size} bytes; `max-file-bytes` is {max})")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Staged,
    Diff,
    Scan,
}

/// Everything the analysis needs, whatever the mode.
#[derive(Debug)]
pub struct Input {
    pub mode: Mode,
    pub files: Vec<ChangedFile>,
    pub facts: ProjectFacts,
    /// Facts of the tree the change is compared with (HEAD, the merge base), for judging
    /// whether a finding was already there before the change.
    pub old_facts: ProjectFacts,
    /// Where each of those facts an application decides for itself is configured (a
    /// repository of several apps), for the new and the old tree.
    pub local: LocalFacts,
    pub old_local: LocalFacts,
    pub skipped: Vec<Skipped>,
    /// Changes that were seen but hold nothing to check (for the "nothing to check" line).
    pub changed_paths: usize,
    /// The project configuration file of the tree being checked, if it has one.
    pub config_file: Option<crate::config::ConfigFile>,
    /// The rest of the project, as the checked tree has it (for helpers across modules).
    pub tree: Option<std::sync::Arc<dyn ProjectTree>>,
    /// The tree the change is compared with, for judging the old version (`None` in `scan`).
    pub old_tree: Option<std::sync::Arc<dyn ProjectTree>>,
    /// The common git directory, where the caches live (`None` outside git).
    pub cache_dir: Option<std::path::PathBuf>,
}

/// Read-only access to the project's Python files in the tree being checked: the index for
/// `staged`, the commit for `diff` and the push modes, the disk for `scan`. Never the working
/// tree in the diff modes.
pub trait ProjectTree: Send + Sync + std::fmt::Debug {
    /// Every Python file's path (as findings name paths).
    fn paths(&self) -> &Paths;
    fn read(&self, path: &str) -> Option<Vec<u8>>;
    /// `read`, with the git blob id of what was read when the tree is git's.
    fn read_with_id(&self, path: &str) -> Option<(Vec<u8>, Option<git2::Oid>)> {
        self.read(path).map(|b| (b, None))
    }
}

/// A list of paths in one buffer: a commit hook lists every Python file of the repository
/// (5,000 in the benchmark), and allocating each path on its own was a tenth of its time.
/// Each path is a span of the buffer, so a list can also be cut out of a buffer that holds
/// other text between its paths (the index's path storage, copied once as a whole).
#[derive(Debug, Default, Clone)]
pub struct Paths {
    buf: String,
    spans: Vec<(usize, usize)>,
}

impl Paths {
    pub const fn new() -> Paths {
        Paths {
            buf: String::new(),
            spans: Vec::new(),
        }
    }

    pub fn with_capacity(paths: usize, bytes: usize) -> Paths {
        Paths {
            buf: String::with_capacity(bytes),
            spans: Vec::with_capacity(paths),
        }
    }

    /// An empty list over `buf`, whose paths are added with [`Paths::push_span`].
    pub fn over(buf: String, paths: usize) -> Paths {
        Paths {
            buf,
            spans: Vec::with_capacity(paths),
        }
    }

    pub fn push(&mut self, path: &str) {
        let start = self.buf.len();
        self.buf.push_str(path);
        self.spans.push((start, self.buf.len()));
    }

    /// Adds `buf[span]` as a path; `false` (and nothing added) when the span is not text of
    /// the buffer (out of it, or cutting a character).
    pub fn push_span(&mut self, span: std::ops::Range<usize>) -> bool {
        if self.buf.get(span.clone()).is_none() {
            return false;
        }
        self.spans.push((span.start, span.end));
        true
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.buf[start..end]
    }

    /// Path `i` as bytes.
    pub fn bytes(&self, i: usize) -> &[u8] {
        let (start, end) = self.spans[i];
        &self.buf.as_bytes()[start..end]
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The paths as bytes (no character-boundary checks, for passes over every path).
    pub fn iter_bytes(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        let buf = self.buf.as_bytes();
        self.spans.iter().map(|&(start, end)| &buf[start..end])
    }

    /// Where `path` is, in a list sorted by bytes.
    pub fn binary_search(&self, path: &str) -> Option<usize> {
        let i = partition(self.len(), |i| self.get(i) < path);
        (i < self.len() && self.get(i) == path).then_some(i)
    }
}

impl<S: AsRef<str>> FromIterator<S> for Paths {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Paths {
        let mut paths = Paths::default();
        for p in iter {
            paths.push(p.as_ref());
        }
        paths
    }
}

/// A path as text: `String::from_utf8_lossy`, with the fast check first (paths are almost
/// always valid UTF-8, and the lossy decoder walks them byte by byte).
fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A SHA-1 object id as bytes: lists of thousands of ids keep them so, and make an `Oid`
/// (a call into libgit2) only of the few that are used.
type RawId = [u8; 20];

/// `bytes` as a [`RawId`] (zero if they are not 20 bytes long, as no SHA-1 id is).
fn raw_id(bytes: &[u8]) -> RawId {
    bytes.try_into().unwrap_or([0; 20])
}

fn oid_of(id: &RawId) -> git2::Oid {
    git2::Oid::from_bytes(id).unwrap_or(git2::Oid::ZERO_SHA1)
}

/// `a < b` in byte order, for the order checks of long sorted lists (5,000 index paths, the
/// cache's records): eight bytes at a time, without a `memcmp` call per pair.
fn precedes(a: &[u8], b: &[u8]) -> bool {
    let (mut a, mut b) = (a, b);
    while let (Some((x, ra)), Some((y, rb))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if x != y {
            return u64::from_be_bytes(*x) < u64::from_be_bytes(*y);
        }
        (a, b) = (ra, rb);
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x < y;
        }
    }
    a.len() < b.len()
}

/// The first index in `0..n` for which `before` is false (`before` holds for a prefix): a
/// binary search over anything indexable.
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The file-type bits of a git mode.
const S_IFMT: u32 = 0o170000;

/// A regular file (git's 0o100644 or 0o100755).
fn is_regular(mode: u32) -> bool {
    mode & S_IFMT == 0o100000
}

/// A directory entry of a tree.
fn is_tree(mode: u32) -> bool {
    mode & S_IFMT == 0o040000
}

/// Same kind of entry (regular file, symlink, submodule, tree), whatever the permissions.
fn same_kind(a: u32, b: u32) -> bool {
    a & S_IFMT == b & S_IFMT
}

/// A symlink, a submodule or a tree: never followed.
fn is_special(mode: u32) -> bool {
    matches!(mode & S_IFMT, 0o120000 | 0o160000 | 0o040000)
}

/// A Python blob of a tree or index, as the project facts and helper lookups count them: a
/// regular file named `*.py`.
fn python_blob(path: &[u8], mode: u32) -> bool {
    is_regular(mode) && path.ends_with(b".py")
}

/// `scan`: the files on disk.
#[derive(Debug)]
pub struct DiskTree {
    pub paths: Paths,
}

impl ProjectTree for DiskTree {
    fn paths(&self) -> &Paths {
        &self.paths
    }
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(path).ok()
    }
}

/// An in-memory project (for the fuzz targets and embedding): `files` are what is checked
/// and also the whole tree helpers are looked up in.
pub fn memory(mode: Mode, files: Vec<ChangedFile>) -> Input {
    let mut facts = ProjectFacts::default();
    let mut old_facts = ProjectFacts::default();
    let (mut local, mut old_local) = (LocalFacts::default(), LocalFacts::default());
    for f in &files {
        let new = crate::project::file_facts(&f.new);
        facts.add(new);
        local.note(&f.path, new);
        if let Some(old) = &f.old {
            let old = crate::project::file_facts(old);
            old_facts.add(old);
            old_local.note(&f.path, old);
        }
    }
    let tree = MemoryTree {
        files: files
            .iter()
            .map(|f| (f.path.clone(), f.new.clone()))
            .collect(),
        paths: files.iter().map(|f| f.path.as_str()).collect(),
    };
    let old_tree = MemoryTree {
        files: files
            .iter()
            .filter_map(|f| Some((f.path.clone(), f.old.clone()?)))
            .collect(),
        paths: files
            .iter()
            .filter(|f| f.old.is_some())
            .map(|f| f.path.as_str())
            .collect(),
    };
    let changed_paths = files.len();
    Input {
        mode,
        files,
        facts,
        old_facts: if mode == Mode::Scan { facts } else { old_facts },
        old_local: if mode == Mode::Scan {
            local.clone()
        } else {
            old_local
        },
        local,
        skipped: Vec::new(),
        changed_paths,
        config_file: None,
        tree: Some(std::sync::Arc::new(tree)),
        old_tree: (mode != Mode::Scan).then(|| std::sync::Arc::new(old_tree) as _),
        cache_dir: None,
    }
}

/// Files held in memory.
#[derive(Debug)]
pub struct MemoryTree {
    pub files: std::collections::HashMap<String, Vec<u8>>,
    pub paths: Paths,
}

impl ProjectTree for MemoryTree {
    fn paths(&self) -> &Paths {
        &self.paths
    }
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.files.get(path).cloned()
    }
}

/// Why a file with a NUL byte is not checked. CPython refuses to compile such a file, and
/// git calls it binary: every mode lists it as skipped with this reason, and `--strict`
/// fails on it. (Text that is not valid UTF-8 but has no NUL is checked, decoded lossily:
/// a PEP 263 coding line makes such a file valid Python.)
pub const BINARY: &str =
    "binary: it contains a NUL byte (not Python source; CPython refuses to compile it)";

/// `path` as skipped for being binary, if `bytes` hold a NUL byte anywhere.
pub fn binary(path: &str, bytes: &[u8]) -> Option<Skipped> {
    memchr::memchr(0, bytes).map(|_| Skipped {
        path: path.to_string(),
        reason: BINARY.into(),
        ..Skipped::default()
    })
}

/// Does this path (and content, for extensionless files) look like Python?
pub fn is_python(path: &str, head: impl FnOnce() -> Option<Vec<u8>>) -> bool {
    if path.ends_with(".py") {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.contains('.') {
        return false;
    }
    head().is_some_and(|bytes| has_python_shebang(&bytes))
}

pub fn has_python_shebang(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    first.starts_with(b"#!") && memchr::memmem::find(first, b"python").is_some()
}

#[cfg(test)]
mod tests {
    use super::precedes;

    #[test]
    fn precedes_is_byte_order() {
        // Pairs that share prefixes of every length around the eight-byte steps, differ in
        // one byte (high or low), or are prefixes of one another.
        let mut words: Vec<Vec<u8>> = vec![Vec::new()];
        for len in [1, 7, 8, 9, 15, 16, 17, 24] {
            let base: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            for at in 0..len {
                for byte in [0u8, b'a', b'z', 0xff] {
                    let mut w = base.clone();
                    w[at] = byte;
                    words.push(w);
                }
            }
            words.push(base);
        }
        for a in &words {
            for b in &words {
                assert_eq!(precedes(a, b), a < b, "{a:?} {b:?}");
            }
        }
    }
}
