//! Which project file an import names. Relative imports resolve from the importing file's
//! package (`from .session_utils import rotate` in `app/views.py` is `app/session_utils.py`);
//! absolute ones match a project file by path suffix, so `src/` layouts and scans of a
//! subdirectory work (`app.session_utils` is `app/session_utils.py` or `src/app/session_utils.py`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::source::Paths;

/// A resolved import: the project file, and the function in it when the path names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub file: String,
    pub function: Option<String>,
}

/// The project's Python files, indexed for the dotted module suffixes they can be imported
/// as (`src/app/auth.py` is `auth`, `app.auth` and `src.app.auth`). Built once per tree and
/// cheap to build, since a commit hook builds it for every file of the repository and
/// resolves a handful of imports: one pass keys each path by the first four bytes of its
/// module's last segment, and a lookup compares the few paths under its key. The first
/// lookups scan the keys (four to a vector compare: a few microseconds for 5,000 paths);
/// past [`LINEAR_LOOKUPS`] (a scan of a whole tree) the keys are sorted once and searched.
/// Relative imports search the paths sorted, also once, on the first one.
#[derive(Debug)]
pub struct ModuleIndex<'a> {
    paths: &'a Paths,
    /// Per path, the key of its module stem's last segment (0 when it is not a module).
    keys: Vec<u32>,
    /// (key, position), sorted: among equal keys the input order stays (it breaks ties).
    sorted: OnceLock<Vec<(u32, u32)>>,
    lookups: AtomicUsize,
    /// Every path, sorted (relative imports name exact files).
    files: OnceLock<Vec<&'a str>>,
}

/// Lookups answered by scanning the keys before they are sorted.
const LINEAR_LOOKUPS: usize = 64;

/// A path's module stem: without `.py`, and without `/__init__` for a package.
fn stem(path: &str) -> Option<&str> {
    let stem = path.strip_suffix(".py")?;
    Some(stem.strip_suffix("/__init__").unwrap_or(stem))
}

/// The key of a module name's last segment: its first four bytes, big-endian (never 0 for
/// a non-empty name: paths hold no NUL). Names that share them are told apart by their
/// paths. Four bytes, not eight: x86-64's baseline vector compare has 32-bit lanes.
fn key(last: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    for (to, from) in b.iter_mut().zip(last) {
        *to = *from;
    }
    u32::from_be_bytes(b)
}

/// The key of a path's module (0 when it is not a `.py` file). Computed for every path of
/// the tree, so on bytes: the last segment is short, found by a plain backward walk.
fn path_key(path: &[u8]) -> u32 {
    let Some(stem) = path.strip_suffix(b".py") else {
        return 0;
    };
    let stem = stem.strip_suffix(b"/__init__").unwrap_or(stem);
    let start = stem.iter().rposition(|&b| b == b'/').map_or(0, |j| j + 1);
    key(&stem[start..])
}

impl Default for ModuleIndex<'_> {
    fn default() -> Self {
        static EMPTY: Paths = Paths::new();
        ModuleIndex::new(&EMPTY)
    }
}

impl<'a> ModuleIndex<'a> {
    pub fn new(paths: &'a Paths) -> ModuleIndex<'a> {
        ModuleIndex {
            paths,
            keys: paths.iter_bytes().map(path_key).collect(),
            sorted: OnceLock::new(),
            lookups: AtomicUsize::new(0),
            files: OnceLock::new(),
        }
    }

    /// The positions of the paths under key `k`, in input order.
    fn under(&self, k: u32) -> Vec<usize> {
        if self.sorted.get().is_none()
            && self.lookups.fetch_add(1, Ordering::Relaxed) < LINEAR_LOOKUPS
        {
            // Blocks of keys compared without branches (the compiler vectorises them); the
            // rare block holding the key is then walked.
            const BLOCK: usize = 32;
            let mut out = Vec::new();
            for (b, block) in self.keys.chunks(BLOCK).enumerate() {
                if block.iter().fold(false, |hit, &x| hit | (x == k)) {
                    let at = b * BLOCK;
                    out.extend((0..block.len()).filter(|&i| block[i] == k).map(|i| at + i));
                }
            }
            return out;
        }
        let sorted = self.sorted.get_or_init(|| {
            let mut sorted: Vec<(u32, u32)> = (self.keys.iter().enumerate())
                .filter(|(_, &k)| k != 0)
                .map(|(i, &k)| (k, i as u32))
                .collect();
            sorted.sort_unstable();
            sorted
        });
        let from = sorted.partition_point(|s| s.0 < k);
        sorted[from..]
            .iter()
            .take_while(|s| s.0 == k)
            .map(|&(_, i)| i as usize)
            .collect()
    }

    /// The file dotted `module` names: of the paths whose stem ends with it at a segment
    /// boundary, the shortest (`app/auth.py` over `vendor/app/auth.py`), the first listed
    /// among equals.
    fn by_module(&self, module: &[&str]) -> Option<&'a str> {
        let k = key(module.last()?.as_bytes());
        let want = module.join("/");
        self.under(k)
            .into_iter()
            .map(|i| self.paths.get(i))
            .filter(|path| {
                stem(path)
                    .and_then(|s| s.strip_suffix(want.as_str()))
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('/'))
            })
            .reduce(|best, p| if p.len() < best.len() { p } else { best })
    }

    fn has_file(&self, path: &str) -> bool {
        let files = self.files.get_or_init(|| {
            let mut files: Vec<&str> = self.paths.iter().collect();
            files.sort_unstable();
            files
        });
        files.binary_search(&path).is_ok()
    }

    /// Resolves qualified `path` as imported by `importer`.
    pub fn resolve(&self, importer: &str, path: &str) -> Option<Target> {
        let level = path.chars().take_while(|c| *c == '.').count();
        let rest = &path[level..];
        let segs: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('.').collect()
        };
        if segs.iter().any(|s| s.is_empty()) {
            return None;
        }
        // The whole path as a module, then all but the last segment with a function.
        for k in [segs.len(), segs.len().saturating_sub(1)] {
            if (k == 0 && level == 0) || k + 1 < segs.len() {
                continue;
            }
            let function = (k < segs.len()).then(|| segs[k].to_string());
            let file = if level > 0 {
                let mut dir: Vec<&str> = importer.split('/').collect();
                dir.pop(); // the file itself
                for _ in 1..level {
                    dir.pop()?;
                }
                let mut base = dir.join("/");
                let module = segs[..k].join("/");
                if !module.is_empty() {
                    base = if base.is_empty() {
                        module
                    } else {
                        format!("{base}/{module}")
                    };
                }
                let join = |tail: &str| {
                    if base.is_empty() {
                        tail.to_string()
                    } else {
                        format!("{base}/{tail}")
                    }
                };
                let candidates = if k == 0 {
                    vec![join("__init__.py")]
                } else {
                    vec![format!("{base}.py"), join("__init__.py")]
                };
                candidates.into_iter().find(|c| self.has_file(c))
            } else {
                self.by_module(&segs[..k]).map(str::to_string)
            };
            if let Some(file) = file {
                if file != importer {
                    return Some(Target { file, function });
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute() {
        let paths: Paths = [
            "app/__init__.py",
            "app/views.py",
            "app/session_utils.py",
            "src/lib/auth.py",
        ]
        .iter()
        .collect();
        let index = ModuleIndex::new(&paths);
        let resolve = |importer: &str, path: &str, _paths: &Paths| index.resolve(importer, path);
        let t = |f: &str, func: Option<&str>| {
            Some(Target {
                file: f.into(),
                function: func.map(str::to_string),
            })
        };
        assert_eq!(
            resolve("app/views.py", ".session_utils.rotate", &paths),
            t("app/session_utils.py", Some("rotate"))
        );
        assert_eq!(
            resolve("app/views.py", ".session_utils", &paths),
            t("app/session_utils.py", None)
        );
        assert_eq!(
            resolve("app/views.py", "app.session_utils.rotate", &paths),
            t("app/session_utils.py", Some("rotate"))
        );
        assert_eq!(
            resolve("app/views.py", "lib.auth.check", &paths),
            t("src/lib/auth.py", Some("check"))
        );
        assert_eq!(
            resolve("app/views.py", "...x", &paths),
            None,
            "above the root"
        );
        assert!(
            resolve("app/views.py", "app.views", &paths).is_none_or(|t| t.file != "app/views.py"),
            "a file never resolves to itself"
        );
        assert_eq!(resolve("app/views.py", "flask.session", &paths), None);
    }

    #[test]
    fn the_shortest_path_wins_whatever_the_order() {
        for paths in [
            [
                "vendor/app/auth.py",
                "app/auth.py",
                "app/pkg/__init__.py",
                "xapp/auth.py",
            ],
            [
                "xapp/auth.py",
                "app/pkg/__init__.py",
                "app/auth.py",
                "vendor/app/auth.py",
            ],
        ] {
            let paths: Paths = paths.iter().collect();
            let index = ModuleIndex::new(&paths);
            let file = |p: &str| index.resolve("main.py", p).map(|t| t.file);
            assert_eq!(file("app.auth").as_deref(), Some("app/auth.py"));
            assert_eq!(
                file("vendor.app.auth").as_deref(),
                Some("vendor/app/auth.py")
            );
            assert_eq!(
                file("auth.login").as_deref(),
                Some("app/auth.py"),
                "{paths:?}"
            );
            assert_eq!(file("pkg").as_deref(), Some("app/pkg/__init__.py"));
            assert_eq!(
                file("pp.auth"),
                None,
                "segments match whole: `xapp` is not `pp`"
            );
        }
    }

    #[test]
    fn names_sharing_their_first_bytes_stay_apart() {
        let paths: Paths = [
            "a/session_utils.py",
            "b/session_store.py",
            "c/session_.py",
            "d/session.py",
            "e/sessions/__init__.py",
            "f/sessionx.py",
        ]
        .iter()
        .collect();
        let index = ModuleIndex::new(&paths);
        let file = |p: &str| index.resolve("main.py", p).map(|t| t.file);
        assert_eq!(file("session_utils").as_deref(), Some("a/session_utils.py"));
        assert_eq!(
            file("session_store.x").as_deref(),
            Some("b/session_store.py")
        );
        assert_eq!(file("session_").as_deref(), Some("c/session_.py"));
        assert_eq!(file("session").as_deref(), Some("d/session.py"));
        assert_eq!(file("sessions").as_deref(), Some("e/sessions/__init__.py"));
        assert_eq!(file("sessionx").as_deref(), Some("f/sessionx.py"));
        assert_eq!(file("session_other"), None);
    }

    #[test]
    fn scanned_and_sorted_keys_give_the_same_answers() {
        let paths: Paths = [
            "vendor/app/auth.py",
            "app/auth.py",
            "app/pkg/__init__.py",
            "xapp/auth.py",
            "a/session_utils.py",
            "d/session.py",
            "e/sessions/__init__.py",
            "README.md",
        ]
        .iter()
        .collect();
        let queries = [
            "app.auth",
            "auth.login",
            "pkg",
            "pp.auth",
            "session",
            "sessions.x",
            "session_utils",
            "flask.session",
            "README",
        ];
        let index = ModuleIndex::new(&paths);
        let answers = |index: &ModuleIndex| -> Vec<Option<Target>> {
            queries
                .iter()
                .map(|q| index.resolve("main.py", q))
                .collect()
        };
        let scanned = answers(&index);
        assert!(index.sorted.get().is_none(), "the first lookups scan");
        while index.sorted.get().is_none() {
            index.resolve("main.py", "other.thing");
        }
        assert_eq!(answers(&index), scanned);
        let files: Vec<Option<String>> = scanned.into_iter().map(|t| t.map(|t| t.file)).collect();
        let want = |f: &str| Some(f.to_string());
        assert_eq!(
            files,
            [
                want("app/auth.py"),
                want("app/auth.py"),
                want("app/pkg/__init__.py"),
                None,
                want("d/session.py"),
                want("e/sessions/__init__.py"),
                want("a/session_utils.py"),
                None,
                None,
            ]
        );
    }
}
