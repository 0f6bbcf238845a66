//! `sidguard install`: puts the plain git pre-commit hook (`hooks/pre-commit`) in place,
//! honouring `core.hooksPath` and linked worktrees (hooks live in the common git directory).

use std::path::PathBuf;

use crate::error::{Error, Result};

pub const PRE_COMMIT_HOOK: &str = include_str!("../hooks/pre-commit");

pub fn install(force: bool) -> Result<PathBuf> {
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
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
        path: dir.clone(),
        source: e,
    })?;
    let path = dir.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.contains("sidguard") && !force {
            return Err(Error::Usage(format!(
                "{} already exists and is not sidguard's; add `sidguard staged` to it, or rerun with --force to replace it",
                path.display()
            )));
        }
    }
    std::fs::write(&path, PRE_COMMIT_HOOK).map_err(|e| Error::Io {
        path: path.clone(),
        source: e,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(|e| {
            Error::Io {
                path: path.clone(),
                source: e,
            }
        })?;
    }
    Ok(path)
}
