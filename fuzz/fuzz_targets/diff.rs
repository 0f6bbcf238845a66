//! Arbitrary diff shapes: an old and a new version of one file, split at the first line
//! `=====`, checked in diff mode, rendered in every format and turned into a review
//! (`sidguard::fuzzing::diff`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sidguard::fuzzing::diff(data));
