//! Server policy for `sidguard pre-receive`: read from the server (a path on the command
//! line, or the bare repository's git config `sidguard.config`), never from the pushed tree,
//! so a pusher cannot switch the check off by pushing a configuration change.
//!
//! ```toml
//! fail = "closed"                  # "closed" (default): errors and limits reject the push; "open": they warn
//! max-blob-bytes = 2097152         # larger Python files are not checked (a limit: fail mode applies)
//! time-budget-seconds = 60         # total time for the whole push (a limit: fail mode applies)
//! strict = false                   # block on findings that were already there, too
//! allow-suppressions = false       # honour `# sidguard: ignore[...]` comments in pushed code
//! use-repository-config = false    # read [tool.sidguard] / .sidguard.toml from the pushed tree
//! color = "never"                  # "never" (default) or "always"; a push option `sidguard.color=always` also works
//! ```
//!
//! By default nothing in the pushed tree is read as configuration and inline suppressions in
//! pushed code are ignored; the policy opts in to each.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    Closed,
    Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyColor {
    Never,
    Always,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Policy {
    pub fail: FailMode,
    pub max_blob_bytes: u64,
    pub time_budget_seconds: u64,
    pub strict: bool,
    pub allow_suppressions: bool,
    pub use_repository_config: bool,
    pub color: PolicyColor,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail: FailMode::Closed,
            max_blob_bytes: 2 * 1024 * 1024,
            time_budget_seconds: 60,
            strict: false,
            allow_suppressions: false,
            use_repository_config: false,
            color: PolicyColor::Never,
        }
    }
}

impl Policy {
    /// Parses a policy file; errors name the file, line and column.
    pub fn parse(text: &str, origin: &Path) -> Result<Policy> {
        toml::from_str(text).map_err(|e| {
            let (line, col) = crate::config::line_col(text, e.span());
            Error::Usage(format!(
                "{}:{line}:{col}: invalid sidguard policy: {}",
                origin.display(),
                e.message()
            ))
        })
    }

    pub fn load(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Policy::parse(&text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let p = Policy::parse("", Path::new("p.toml")).unwrap();
        assert_eq!(p.fail, FailMode::Closed);
        assert!(!p.strict && !p.allow_suppressions && !p.use_repository_config);
        let p = Policy::parse(
            "fail = \"open\"\nmax-blob-bytes = 10\n",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!((p.fail, p.max_blob_bytes), (FailMode::Open, 10));
        let e =
            Policy::parse("fail = \"open\"\nexclude = [\"*\"]\n", Path::new("p.toml")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("p.toml:2:1: invalid sidguard policy: unknown field `exclude`"),
            "{e}"
        );
        let e = Policy::parse("time-budget-seconds = \"soon\"\n", Path::new("p.toml")).unwrap_err();
        assert!(e.to_string().contains("p.toml:1:"), "{e}");
    }
}
