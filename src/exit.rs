//! Exit codes: a documented contract for hooks, CI and scripts (see README, "Exit codes").

/// Nothing blocking was found (warnings may have been printed).
pub const CLEAN: i32 = 0;
/// At least one blocking finding: the commit, push or check must fail.
pub const FINDINGS: i32 = 1;
/// Usage or runtime error (bad arguments, not a repository, unreadable object...).
/// A one-line reason is printed on stderr; no partial "clean" result is ever reported.
pub const ERROR: i32 = 2;
