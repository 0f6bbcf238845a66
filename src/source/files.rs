//! `sidguard scan`: whole files and directories, no git needed. Directories are walked with
//! the `ignore` crate (ripgrep's walker), respecting `.gitignore` even outside a repository,
//! skipping hidden entries, and never following symlinks. A file named on the command line
//! is always checked; inside directories, `.py` files and files with a Python shebang are.

use std::path::Path;

use ignore::WalkBuilder;

use super::{has_python_shebang, ChangedFile, Input, Mode, Skipped, Touched};
use crate::config::is_test_path;
use crate::error::{Error, Result};
use crate::project::{file_facts, ProjectFacts};

/// `scan_limited` with the default `max-file-bytes`.
pub fn scan(paths: &[String]) -> Result<Input> {
    scan_limited(paths, crate::config::DEFAULT_MAX_FILE_BYTES, false)
}

/// The files under `paths`; files larger than `max_bytes` are listed as skipped, unread.
/// `include_tests`: walk into test code too (see `is_test_path`; a file named on the
/// command line is always read).
pub fn scan_limited(paths: &[String], max_bytes: u64, include_tests: bool) -> Result<Input> {
    let roots: Vec<String> = if paths.is_empty() {
        vec![".".to_string()]
    } else {
        paths.to_vec()
    };
    // Each file is read (and its project facts taken) by the thread that found it; the
    // order stays the walk's (sorted) order.
    let mut read: Vec<Result<Read>> = Vec::new();
    let mut skipped = Vec::new();
    for root in &roots {
        let meta = std::fs::symlink_metadata(root).map_err(|e| Error::Io {
            path: root.into(),
            source: e,
        })?;
        if meta.file_type().is_symlink() {
            skipped.push(Skipped {
                path: root.clone(),
                reason: "symbolic links are not followed".into(),
                ..Skipped::default()
            });
            continue;
        }
        if meta.is_file() {
            read.push(read_one(root.clone(), max_bytes));
            continue;
        }
        let base = Path::new(root);
        read.extend(
            walk(root, |p| {
                let rel = p.strip_prefix(base).unwrap_or(p);
                (include_tests || !is_test_path(&rel.to_string_lossy()))
                    .then(|| read_one(display(p), max_bytes))
            })?
            .into_iter()
            .filter_map(|(_, r)| r),
        );
    }
    crate::timings::mark(|| format!("walked and read: {} files", read.len()));
    let mut files = Vec::with_capacity(read.len());
    let mut facts = ProjectFacts::default();
    let mut local = crate::project::LocalFacts::default();
    // A file named twice (`scan app app/views.py`, `scan a.py ./a.py`) is checked once.
    let mut seen = std::collections::HashSet::new();
    for r in read {
        match r? {
            Ok((file, _)) if !seen.insert(display(Path::new(&file.path))) => {}
            Ok((file, f)) => {
                facts.add(f);
                local.note(&file.path, f);
                files.push(file);
            }
            Err(s) => skipped.push(s),
        }
    }
    let changed_paths = files.len();
    let tree: std::sync::Arc<dyn super::ProjectTree> = std::sync::Arc::new(super::DiskTree {
        paths: files.iter().map(|f| f.path.as_str()).collect(),
    });
    Ok(Input {
        mode: Mode::Scan,
        files,
        facts,
        old_facts: facts,
        old_local: local.clone(),
        local,
        skipped,
        changed_paths,
        config_file: None,
        tree: Some(tree),
        old_tree: None,
        cache_dir: None,
    })
}

type Read = std::result::Result<(ChangedFile, crate::project::FileFacts), Skipped>;

/// One file's bytes and project facts, or why it is skipped (larger than `max_bytes`, or
/// binary).
fn read_one(path: String, max_bytes: u64) -> Result<Read> {
    let io = |e| Error::Io {
        path: path.clone().into(),
        source: e,
    };
    let size = std::fs::metadata(&path).map_err(io)?.len();
    if size > max_bytes {
        return Ok(Err(Skipped {
            reason: super::too_big(size, max_bytes),
            path,
            ..Skipped::default()
        }));
    }
    let bytes = std::fs::read(&path).map_err(io)?;
    if let Some(s) = super::binary(&path, &bytes) {
        return Ok(Err(s));
    }
    let f = file_facts(&bytes);
    Ok(Ok((
        ChangedFile {
            path,
            new: bytes,
            old: None,
            touched: Touched::All,
            new_id: None,
            old_id: None,
        },
        f,
    )))
}

/// The Python files under directory `root`, each with what `visit` made of it, in the order of a depth-first walk that visits
/// each directory's entries by name. The walk runs on several threads (a tree like Django's,
/// with thousands of locale directories, costs more to list than to check); sorting the
/// paths by their components gives that order back.
/// `visit` runs on the walking threads.
fn walk<T: Send>(
    root: &str,
    visit: impl Fn(&Path) -> T + Sync,
) -> Result<Vec<(std::path::PathBuf, T)>> {
    use ignore::WalkState;
    use std::sync::Mutex;
    let found: Mutex<Vec<(std::path::PathBuf, T)>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .threads(rayon::current_num_threads())
        .build_parallel()
        .run(|| {
            let found = &found;
            let errors = &errors;
            let visit = &visit;
            Box::new(
                move |entry: std::result::Result<ignore::DirEntry, ignore::Error>| {
                    let entry = match entry {
                        Ok(e) => e,
                        Err(e) => {
                            errors
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(e.to_string());
                            return WalkState::Quit;
                        }
                    };
                    if entry.file_type().is_some_and(|ft| ft.is_file())
                        && is_python_path(entry.path())
                    {
                        let made = visit(entry.path());
                        found
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((entry.into_path(), made));
                    }
                    WalkState::Continue
                },
            )
        });
    let mut errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    if !errors.is_empty() {
        errors.sort();
        return Err(Error::Usage(format!("cannot walk {root}: {}", errors[0])));
    }
    let mut found = found.into_inner().unwrap_or_else(|p| p.into_inner());
    found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn is_python_path(path: &Path) -> bool {
    match path.extension() {
        Some(ext) => ext == "py",
        None => {
            // Read just the first line to look for a shebang.
            use std::io::Read;
            let mut head = [0u8; 128];
            std::fs::File::open(path)
                .and_then(|mut f| f.read(&mut head))
                .map(|n| has_python_shebang(&head[..n]))
                .unwrap_or(false)
        }
    }
}
