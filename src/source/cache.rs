//! A cache of per-file facts keyed by git blob id, kept in the git directory
//! (`<git-common-dir>/sidguard/facts-v1`), so a commit hook on a large repository reads only
//! blobs it has not seen before. Safe under concurrent hooks: written to a temporary file and
//! renamed into place (a lost update only costs a re-read). Never trusted if corrupt: any line
//! that does not parse invalidates the whole file, which is then rebuilt.

use std::collections::HashMap;

use git2::Oid;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::project::FileFacts;

const HEADER: &str = "sidguard-facts v1";

pub struct FactsCache {
    path: Option<PathBuf>,
    entries: HashMap<Oid, u32>,
    seen: usize,
    dirty: bool,
}

impl FactsCache {
    /// Loads the cache for a repository whose common git directory is `git_dir`.
    pub fn load(git_dir: &Path) -> FactsCache {
        let path = git_dir.join("sidguard").join("facts-v1");
        let entries = std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| parse(&s))
            .unwrap_or_default();
        FactsCache {
            path: Some(path),
            entries,
            seen: 0,
            dirty: false,
        }
    }

    pub fn get(&mut self, oid: Oid) -> Option<FileFacts> {
        self.seen += 1;
        self.entries.get(&oid).map(|f| FileFacts(*f))
    }

    pub fn insert(&mut self, oid: Oid, facts: FileFacts) {
        self.entries.insert(oid, facts.0);
        self.dirty = true;
    }

    /// Writes the cache back if it changed. Failures are ignored: the cache is an optimisation.
    pub fn save(&mut self) {
        let Some(path) = &self.path else { return };
        if !self.dirty {
            return;
        }
        // Keep the file from growing without bound: entries for blobs not seen lately go
        // when it holds more than four times what one run looks at.
        if self.seen > 0 && self.entries.len() > self.seen * 4 + 1024 {
            self.entries.clear();
        }
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let mut text = String::with_capacity(self.entries.len() * 48 + 32);
        text.push_str(HEADER);
        text.push('\n');
        let mut keys: Vec<(&Oid, &u32)> = self.entries.iter().collect();
        keys.sort();
        for (k, v) in keys {
            text.push_str(&format!("{k} {v}\n"));
        }
        let tmp = dir.join(format!("facts-v1.{}.tmp", std::process::id()));
        let ok = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_all()))
            .is_ok();
        if ok && std::fs::rename(&tmp, path).is_ok() {
            self.dirty = false;
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

fn parse(s: &str) -> Option<HashMap<Oid, u32>> {
    let mut lines = s.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut map = HashMap::new();
    for line in lines {
        let (oid, flags) = line.split_once(' ')?;
        if oid.len() != 40 || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        map.insert(Oid::from_str(oid).ok()?, flags.parse().ok()?);
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let oid = Oid::from_str(&"a".repeat(40)).unwrap();
        let mut c = FactsCache::load(dir.path());
        assert!(c.get(oid).is_none());
        c.insert(oid, FileFacts(5));
        c.save();
        let mut c = FactsCache::load(dir.path());
        assert_eq!(c.get(oid), Some(FileFacts(5)));
        std::fs::write(
            dir.path().join("sidguard/facts-v1"),
            format!("{HEADER}\n{} five\n", "a".repeat(40)),
        )
        .unwrap();
        let mut c = FactsCache::load(dir.path());
        assert!(c.get(oid).is_none(), "a corrupt cache is not trusted");
    }
}
