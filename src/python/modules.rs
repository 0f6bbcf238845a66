//! Which project file an import names. Relative imports resolve from the importing file's
//! package (`from .session_utils import rotate` in `app/views.py` is `app/session_utils.py`);
//! absolute ones match a project file by path suffix, so `src/` layouts and scans of a
//! subdirectory work (`app.session_utils` is `app/session_utils.py` or `src/app/session_utils.py`).

use std::collections::{HashMap, HashSet};

/// A resolved import: the project file, and the function in it when the path names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub file: String,
    pub function: Option<String>,
}

/// The project's Python files, indexed by every dotted module suffix they can be imported as
/// (`src/app/auth.py` is `auth`, `app.auth` and `src.app.auth`), built once per tree.
#[derive(Debug, Default)]
pub struct ModuleIndex {
    files: HashSet<String>,
    by_module: HashMap<String, String>,
}

impl ModuleIndex {
    pub fn new(paths: &[String]) -> ModuleIndex {
        let mut files = HashSet::with_capacity(paths.len());
        let mut by_module: HashMap<String, String> = HashMap::with_capacity(paths.len() * 3);
        for p in paths {
            files.insert(p.clone());
            let Some(stem) = p.strip_suffix(".py") else {
                continue;
            };
            let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
            let parts: Vec<&str> = stem.split('/').collect();
            for i in 0..parts.len() {
                let module = parts[i..].join(".");
                // The shortest path wins a tie (`app/auth.py` over `vendor/app/auth.py`).
                match by_module.get(&module) {
                    Some(existing) if existing.len() <= p.len() => {}
                    _ => {
                        by_module.insert(module, p.clone());
                    }
                }
            }
        }
        ModuleIndex { files, by_module }
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
                candidates.into_iter().find(|c| self.files.contains(c))
            } else {
                self.by_module.get(&segs[..k].join(".")).cloned()
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
        let paths: Vec<String> = [
            "app/__init__.py",
            "app/views.py",
            "app/session_utils.py",
            "src/lib/auth.py",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let index = ModuleIndex::new(&paths);
        let resolve = |importer: &str, path: &str, _paths: &[String]| index.resolve(importer, path);
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
}
