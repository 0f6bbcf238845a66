//! Arbitrary bytes as a Python file through the whole analysis: decoding, outline, parse,
//! model, every rule, suppressions, and every report format (`sidguard::fuzzing::analyze`).
//! A panic anywhere, also one the checker would catch and report as an internal error, is a
//! crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sidguard::fuzzing::analyze(data));
