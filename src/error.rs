//! The library's error type. Every message says what went wrong and what to do next;
//! the CLI prints it as one line on stderr and exits with `exit::ERROR`. Messages and reports
//! quote text from the repository and the user through `sanitize`, so that a file name or a
//! stdin line cannot act on the terminal.

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

/// Replaces control characters (other than tab, which becomes a space) with visible escapes.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || is_bidi(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else if c.is_control() || is_bidi(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Unicode bidirectional controls, which can make code read differently than it runs.
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}
