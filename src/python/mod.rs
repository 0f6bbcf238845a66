//! What the code means: outline, parsing, import resolution, flow and session semantics.

pub mod file;
pub mod flow;
pub mod imports;
pub mod modules;
pub mod outline;
pub mod parse;
pub mod receivers;
pub mod semantic;
pub mod summary;
