//! The per-file time budget (`file-time-budget-ms`): a deadline for the file the current
//! thread is analysing. The parser (through tree-sitter's progress callback) and the
//! per-function loop stop when it passes; the file is then reported as skipped, never as clean.

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Starts the budget for a file on this thread.
pub fn start(limit: Duration) {
    DEADLINE.with(|d| d.set(Instant::now().checked_add(limit)));
}

/// Ends the budget (work outside a file's analysis is not limited).
pub fn clear() {
    DEADLINE.with(|d| d.set(None));
}

/// Has this thread's file run out of time?
pub fn exceeded() -> bool {
    DEADLINE.with(|d| d.get().is_some_and(|t| Instant::now() > t))
}

/// Is a budget running on this thread?
pub fn active() -> bool {
    DEADLINE.with(|d| d.get().is_some())
}
