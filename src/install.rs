//! `sidguard install`: puts the plain git hooks (`hooks/pre-commit`, `hooks/pre-push`) in
//! place, honouring `core.hooksPath` and linked worktrees (hooks live in the common git
//! directory). A hook that is already there and is not sidguard's is kept, as pre-commit
//! keeps one: `--force` renames it to `<hook>.legacy`, and sidguard's hook runs it first (a
//! failing legacy hook fails the commit or the push). Nothing is ever deleted.

use std::path::PathBuf;

use crate::error::{Error, Result};

pub const PRE_COMMIT_HOOK: &str = include_str!("../hooks/pre-commit");
pub const PRE_PUSH_HOOK: &str = include_str!("../hooks/pre-push");

/// The git hooks `sidguard install` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HookType {
    PreCommit,
    PrePush,
}

impl HookType {
    pub fn name(self) -> &'static str {
        match self {
            HookType::PreCommit => "pre-commit",
            HookType::PrePush => "pre-push",
        }
    }

    fn script(self) -> &'static str {
        match self {
            HookType::PreCommit => PRE_COMMIT_HOOK,
            HookType::PrePush => PRE_PUSH_HOOK,
        }
    }
}

/// What `install` did with one hook.
#[derive(Debug)]
pub struct Installed {
    pub path: PathBuf,
    /// Where the hook that was there before went (`<hook>.legacy`), if there was one.
    pub legacy: Option<PathBuf>,
}

/// Is this hook file one that sidguard wrote (any version)? Its second line says so; a
/// hook of the user's that merely calls sidguard is not.
fn is_sidguards(text: &str) -> bool {
    text.lines()
        .nth(1)
        .is_some_and(|l| l.starts_with("# sidguard:"))
}

pub fn install(hook: HookType, force: bool) -> Result<Installed> {
    let repo = crate::source::git::open()?;
    let dir = match repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok())
    {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().map(|w| w.join(&p)).unwrap_or(p),
        None => repo.commondir().join("hooks"),
    };
    let io = |path: &PathBuf| {
        let path = path.clone();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let name = hook.name();
    let path = dir.join(name);
    let legacy_path = dir.join(format!("{name}.legacy"));
    let mut legacy = None;
    // `symlink_metadata`: a dangling symlink is a hook too, and is kept, not followed.
    if std::fs::symlink_metadata(&path).is_ok() {
        let ours = std::fs::read(&path)
            .ok()
            .is_some_and(|b| is_sidguards(&String::from_utf8_lossy(&b)));
        if !ours {
            if !force {
                return Err(Error::Usage(format!(
                    "{} already exists and is not sidguard's; rerun with --force to keep it as {name}.legacy (sidguard's hook runs it first), or add `{}` to it",
                    path.display(),
                    match hook {
                        HookType::PreCommit => "sidguard staged",
                        HookType::PrePush => "sidguard pre-push \"$@\"",
                    }
                )));
            }
            if std::fs::symlink_metadata(&legacy_path).is_ok() {
                return Err(Error::Usage(format!(
                    "{} already exists and is not sidguard's, and {} is taken too: move one of them away first (nothing was changed)",
                    path.display(),
                    legacy_path.display()
                )));
            }
            std::fs::rename(&path, &legacy_path).map_err(io(&path))?;
            legacy = Some(legacy_path);
        }
    }
    std::fs::write(&path, hook.script()).map_err(io(&path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(io(&path))?;
    }
    Ok(Installed { path, legacy })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_hooks_are_recognised_as_sidguards() {
        assert!(is_sidguards(PRE_COMMIT_HOOK));
        assert!(is_sidguards(PRE_PUSH_HOOK));
        assert!(!is_sidguards("#!/bin/sh\nsidguard staged\n"));
        assert!(!is_sidguards("#!/bin/sh\n"));
    }
}
