//! The library's error type. Every message says what went wrong and what to do next;
//! the CLI prints it as one line on stderr and exits with `exit::ERROR`.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a git repository (or any parent up to the root): {0}; run inside a repository, or use `sidguard scan PATH` for plain files")]
    NotARepository(String),
    #[error("git: {context}: {message}")]
    Git { context: String, message: String },
    #[error("cannot read git object {oid} for {path}: {message}; the repository may be corrupt or shallow (try `git fsck`)")]
    Object {
        oid: String,
        path: String,
        message: String,
    },
    #[error("unknown revision `{0}`: pass a branch, tag or commit that exists in this repository")]
    BadRevision(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn git(context: impl Into<String>, err: git2::Error) -> Self {
        Error::Git {
            context: context.into(),
            message: err.message().to_string(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
