//! sidguard: stops session fixation (CWE-384) from entering Python web code.
//!
//! The pipeline, one stage per module, data flowing one way:
//! `source` (git: what changed) -> `python` (tree-sitter: what the code means) ->
//! `rules` (what is wrong) -> `report` (how it is shown). `check` drives it. The modules
//! depend one way, each only on those below it in the layer table of
//! `docs/architecture.md` (held by `tests/layers.rs`).

pub mod autofix;
pub mod baseline;
pub mod budget;
pub mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod exit;
pub mod finding;
pub mod frameworks;
#[doc(hidden)]
pub mod fuzzing;
pub mod hook;
pub mod install;
pub mod policy;
pub mod pr;
pub mod prefilter;
pub mod project;
pub mod python;
pub mod registry;
pub mod report;
pub mod rules;
pub mod selection;
pub mod source;
pub mod summaries;
pub mod suppress;
#[doc(hidden)]
pub mod timings;
pub mod words;
