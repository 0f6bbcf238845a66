//! Which project file an import names. Relative imports resolve from the importing file's
//! package (`from .session_utils import rotate` in `app/views.py` is `app/session_utils.py`);
//! absolute ones match a project file by path suffix, so `src/` layouts and scans of a
//! subdirectory work (`app.session_utils` is `app/session_utils.py` or `src/app/session_utils.py`).

use crate::source::Paths;

/// A resolved import: the project file, and the function in it when the path names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub file: String,
    pub function: Option<String>,
}

/// The project's Python files, indexed for the dotted module suffixes they can be imported
/// as (`src/app/auth.py` is `auth`, `app.auth` and `src.app.auth`). Built once per tree and
/// cheap to build (a commit hook builds it for every file of the repository and resolves a
/// handful of imports): it borrows the paths and sorts one small key per module (the first
/// eight bytes of its last segment) with its position; a lookup compares the few stems
/// under that key.
#[derive(Debug)]
pub struct ModuleIndex<'a> {
    /// Every path, sorted (relative imports name exact files).
    files: Vec<&'a str>,
    paths: &'a Paths,
    /// (key of the last segment of the module stem, position in `paths`), sorted: among
    /// equal keys the input order stays (it breaks ties below).
    stems: Vec<(u64, u32)>,
}

/// A path's module stem: without `.py`, and without `/__init__` for a package.
fn stem(path: &str) -> Option<&str> {
    let stem = path.strip_suffix(".py")?;
    Some(stem.strip_suffix("/__init__").unwrap_or(stem))
}

/// The sort key of a stem's last segment: its first eight bytes, big-endian.
fn key(last: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = last.len().min(8);
    b[..n].copy_from_slice(&last.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

impl Default for ModuleIndex<'_> {
    fn default() -> Self {
        static EMPTY: Paths = Paths::new();
        ModuleIndex {
            files: Vec::new(),
            paths: &EMPTY,
            stems: Vec::new(),
        }
    }
}

impl<'a> ModuleIndex<'a> {
    pub fn new(paths: &'a Paths) -> ModuleIndex<'a> {
        let mut files: Vec<&str> = paths.iter().collect();
        files.sort_unstable();
        let mut stems: Vec<(u64, u32)> = paths
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let stem = stem(p)?;
                let last = stem.rsplit('/').next().unwrap_or(stem);
                Some((key(last), i as u32))
            })
            .collect();
        stems.sort_unstable();
        ModuleIndex {
            files,
            paths,
            stems,
        }
    }

    /// The file dotted `module` names: of the paths whose stem ends with it at a segment
    /// boundary, the shortest (`app/auth.py` over `vendor/app/auth.py`), the first listed
    /// among equals.
    fn by_module(&self, module: &[&str]) -> Option<&'a str> {
        let k = key(module.last()?);
        let want = module.join("/");
        let from = self.stems.partition_point(|s| s.0 < k);
        self.stems[from..]
            .iter()
            .take_while(|s| s.0 == k)
            .map(|&(_, i)| self.paths.get(i as usize))
            .filter(|path| {
                stem(path)
                    .and_then(|s| s.strip_suffix(want.as_str()))
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('/'))
            })
            .reduce(|best, p| if p.len() < best.len() { p } else { best })
    }

    fn has_file(&self, path: &str) -> bool {
        self.files.binary_search(&path).is_ok()
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
    fn names_sharing_their_first_eight_bytes_stay_apart() {
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
}
