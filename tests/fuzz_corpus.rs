//! Replays the fuzz targets' stored corpus and every recorded crash (`fuzz/regressions`)
//! through the same code as the targets, so a fixed crash stays fixed without cargo fuzz.

use std::path::Path;

fn inputs(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    out.sort();
    out
}

#[test]
fn stored_corpus_and_regressions_replay_cleanly() {
    let analyze = inputs("fuzz/corpus/analyze");
    let diff = inputs("fuzz/corpus/diff");
    assert!(analyze.len() > 20 && diff.len() > 20);
    for p in &analyze {
        sidguard::fuzzing::analyze(&std::fs::read(p).unwrap());
    }
    for p in &diff {
        sidguard::fuzzing::diff(&std::fs::read(p).unwrap());
    }
    for p in inputs("fuzz/regressions") {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let data = std::fs::read(&p).unwrap();
        if name.starts_with("diff-") {
            sidguard::fuzzing::diff(&data);
        } else {
            sidguard::fuzzing::analyze(&data);
        }
    }
}
