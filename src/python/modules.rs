//! Which project file an import names. Relative imports resolve from the importing file's
//! package (`from .session_utils import rotate` in `app/views.py` is `app/session_utils.py`);
//! absolute ones match a project file by path suffix, so `src/` layouts and scans of a
//! subdirectory work (`app.session_utils` is `app/session_utils.py` or `src/app/session_utils.py`).

/// A resolved import: the project file, and the function in it when the path names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub file: String,
    pub function: Option<String>,
}

/// Resolves qualified `path` as imported by `importer`, against the project's Python paths.
pub fn resolve(importer: &str, path: &str, paths: &[String]) -> Option<Target> {
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
    // Try the whole path as a module, then all but the last segment with a function.
    for k in [segs.len(), segs.len().saturating_sub(1)] {
        if k == 0 && level == 0 {
            continue;
        }
        let function = (k < segs.len()).then(|| segs[k].to_string());
        if k + 1 < segs.len() {
            continue;
        }
        let module = segs[..k].join("/");
        let file = if level > 0 {
            let mut dir: Vec<&str> = importer.split('/').collect();
            dir.pop(); // the file itself
            for _ in 1..level {
                dir.pop()?;
            }
            let base = dir.join("/");
            let join = |tail: &str| {
                if base.is_empty() {
                    tail.to_string()
                } else {
                    format!("{base}/{tail}")
                }
            };
            let candidates = if module.is_empty() {
                vec![join("__init__.py")]
            } else {
                vec![
                    join(&format!("{module}.py")),
                    join(&format!("{module}/__init__.py")),
                ]
            };
            candidates
                .into_iter()
                .find(|c| paths.iter().any(|p| p == c))
        } else {
            let wanted = [format!("{module}.py"), format!("{module}/__init__.py")];
            paths
                .iter()
                .find(|p| {
                    wanted
                        .iter()
                        .any(|w| *p == w || p.ends_with(&format!("/{w}")))
                })
                .cloned()
        };
        if let Some(file) = file {
            if file != importer {
                return Some(Target { file, function });
            }
        }
    }
    None
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
