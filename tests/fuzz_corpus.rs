//! Replays the fuzz targets' stored corpus (the fixtures and the demo, and for `diff` the
//! old/new pairs `scripts/fuzz` makes from them) and every recorded crash
//! (`fuzz/regressions`) through the same code as the targets, so a fixed crash stays fixed
//! without cargo fuzz.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_none_or(|e| e != "md" && e != "toml") {
            out.push(p);
        }
    }
}

fn under(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    out.sort();
    out
}

#[test]
fn stored_corpus_and_regressions_replay_cleanly() {
    let seeds: Vec<PathBuf> = under("tests/fixtures")
        .into_iter()
        .chain(under("examples"))
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    assert!(seeds.len() > 20);
    let keys: [&[u8]; 5] = [
        b".clear()",
        b"cycle_key",
        b"regenerate",
        b"flush()",
        b"invalidate",
    ];
    for p in &seeds {
        let src = std::fs::read(p).unwrap();
        sidguard::fuzzing::analyze(&src);
        let lines: Vec<&[u8]> = src.split(|b| *b == b'\n').collect();
        let regress: Vec<&[u8]> = lines
            .iter()
            .copied()
            .filter(|l| !keys.iter().any(|k| l.windows(k.len()).any(|w| w == *k)))
            .collect();
        let pair =
            |old: Vec<u8>, new: Vec<u8>| [old, sidguard::fuzzing::SPLIT.to_vec(), new].concat();
        sidguard::fuzzing::diff(&pair(src.clone(), regress.join(&b'\n')));
        sidguard::fuzzing::diff(&pair(lines[..lines.len() / 2].join(&b'\n'), src.clone()));
    }
    for p in under("fuzz/regressions") {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let data = std::fs::read(&p).unwrap();
        if name.starts_with("diff-") {
            sidguard::fuzzing::diff(&data);
        } else {
            sidguard::fuzzing::analyze(&data);
        }
    }
}
