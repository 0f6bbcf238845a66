//! Names this build of sidguard for its caches: `SIDGUARD_BUILD_ID` is a hash of the sources
//! and the locked dependencies. The summary cache keys its entries with it, so that a summary
//! computed by one version of the analysis is never read by another.

use std::hash::Hasher;
use std::path::Path;

fn add(h: &mut std::collections::hash_map::DefaultHasher, path: &Path) {
    let mut entries: Vec<_> = match std::fs::read_dir(path) {
        Ok(dir) => dir.flatten().map(|e| e.path()).collect(),
        Err(_) => {
            h.write(path.to_string_lossy().as_bytes());
            h.write(&std::fs::read(path).unwrap_or_default());
            return;
        }
    };
    entries.sort();
    for e in entries {
        add(h, &e);
    }
}

fn main() {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in ["src", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={p}");
        add(&mut h, Path::new(p));
    }
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    println!("cargo:rustc-env=SIDGUARD_BUILD_ID={:016x}", h.finish());
}
