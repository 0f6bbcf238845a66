//! Function summaries kept across runs, by the git blob the function is in.
//!
//! A commit hook summarises the helpers the changed code calls (in the tree being checked
//! and in the tree it replaces) and the changed function's previous version, to see whether
//! the change alters what callers elsewhere rely on. Those are blobs the repository already
//! had: the helpers rarely change, and the previous version is what the last commit of that
//! file stored (the hook summarised it then, as its new version). Each summary costs a parse
//! and an analysis; here it costs a lookup in `<git-common-dir>/sidguard/summaries-v1`.
//!
//! The key is a SHA-256 (cut to 20 bytes) of everything a summary depends on: this build of
//! sidguard (`SIDGUARD_BUILD_ID`, a hash of its sources and locked dependencies), the
//! settings, the project facts it was computed with, the blob id, the file's path and the
//! function's name. A value that does not decode is a miss. Outside git (`scan`, input from
//! memory) nothing is cached.

use std::path::Path;
use std::sync::Mutex;

use git2::Oid;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::project::ProjectFacts;
use crate::python::summary::Summary;
use crate::source::cache::{BlobCache, SUMMARIES};

/// This build's name (see `build.rs`).
const BUILD: &str = env!("SIDGUARD_BUILD_ID");

pub struct Summaries {
    cache: Option<Mutex<BlobCache>>,
    /// The hash of the build and the settings, to which each key adds its own parts.
    prefix: Sha256,
}

impl Summaries {
    /// No cache: every summary is computed.
    pub fn none() -> Summaries {
        Summaries {
            cache: None,
            prefix: Sha256::new(),
        }
    }

    /// The cache of the repository whose common git directory is `git_dir`, for a run with
    /// `config`.
    pub fn open(git_dir: &Path, config: &Config) -> Summaries {
        let mut prefix = Sha256::new();
        // v2: summaries carry the privilege bit (`Summary::writes_privilege`); v4: a
        // summary computed with its callees' summaries has them in its key (`key_with`);
        // v5: a stored argument (`Summary::stores_arg`).
        prefix.update(b"sidguard summary v5\0");
        prefix.update(BUILD.as_bytes());
        prefix.update(b"\0");
        // The settings decide what counts as a credential check, an identity write or a
        // regeneration; all of them go in (JSON of plain lists and maps: deterministic).
        prefix.update(serde_json::to_vec(&config.settings).unwrap_or_default());
        Summaries {
            cache: Some(Mutex::new(BlobCache::load(git_dir, SUMMARIES))),
            prefix,
        }
    }

    /// The key of function `name` of file `path`, whose content is blob `blob`, summarised
    /// with project facts `facts`; none without a blob id (content not from git).
    pub fn key(
        &self,
        facts: ProjectFacts,
        blob: Option<Oid>,
        path: &str,
        name: &str,
    ) -> Option<Oid> {
        let blob = blob?;
        let mut h = self.prefix.clone();
        h.update(facts.0 .0.to_le_bytes());
        h.update(blob.as_bytes());
        h.update(path.as_bytes());
        h.update(b"\0");
        h.update(name.as_bytes());
        let digest = h.finalize();
        Oid::from_bytes(&digest[..20]).ok()
    }

    /// The key of a summary computed with the summaries of the helpers it calls in other
    /// modules (`callees`, by the qualified path the function's file uses): `key`'s parts and
    /// every callee's path and summary, so a callee whose summary changed (its own blob, or
    /// one further down) makes a new key. Without callees, `key` itself.
    pub fn key_with(
        &self,
        facts: ProjectFacts,
        blob: Option<Oid>,
        path: &str,
        name: &str,
        callees: &std::collections::HashMap<String, Summary>,
    ) -> Option<Oid> {
        let base = self.key(facts, blob, path, name)?;
        if callees.is_empty() {
            return Some(base);
        }
        let mut sorted: Vec<(&String, &Summary)> = callees.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut h = self.prefix.clone();
        h.update(b"callees\0");
        h.update(base.as_bytes());
        for (q, s) in sorted {
            h.update(q.as_bytes());
            h.update(b"\0");
            h.update(s.to_bits().to_le_bytes());
        }
        let digest = h.finalize();
        Oid::from_bytes(&digest[..20]).ok()
    }

    /// The cached summary for `key`, else `compute`'s (then cached). Without a key (content
    /// that did not come from git) it is computed.
    pub fn get_or(&self, key: Option<Oid>, compute: impl FnOnce() -> Summary) -> Summary {
        let (Some(cache), Some(key)) = (&self.cache, key) else {
            return compute();
        };
        let hit = cache
            .lock()
            .ok()
            .and_then(|mut c| c.get(key))
            .and_then(Summary::from_bits);
        if let Some(s) = hit {
            return s;
        }
        let s = compute();
        self.put(Some(key), s);
        s
    }

    /// Remembers a summary computed elsewhere (unless the cache has it already: then the
    /// file is not written again).
    pub fn put(&self, key: Option<Oid>, summary: Summary) {
        if let (Some(cache), Some(key)) = (&self.cache, key) {
            if let Ok(mut c) = cache.lock() {
                let bits = summary.to_bits();
                if c.get(key) != Some(bits) {
                    c.insert(key, bits);
                }
            }
        }
    }

    /// Writes what this run learnt (failures ignored: the cache is an optimisation).
    pub fn save(&self) {
        if let Some(Ok(mut c)) = self.cache.as_ref().map(|c| c.lock()) {
            c.save();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::Framework;
    use crate::project::FileFacts;

    fn blob(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn every_part_of_the_key_counts() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::default();
        let s = Summaries::open(dir.path(), &config);
        let facts = ProjectFacts(FileFacts(3));
        let base = s
            .key(facts, Some(blob(1)), "app/utils.py", "rotate")
            .unwrap();
        assert_eq!(
            s.key(facts, Some(blob(1)), "app/utils.py", "rotate"),
            Some(base),
            "stable"
        );
        let mut configured = Config::default();
        configured.settings.regeneration_functions = vec!["auth_lib.rotate".into()];
        let others = [
            s.key(
                ProjectFacts(FileFacts(7)),
                Some(blob(1)),
                "app/utils.py",
                "rotate",
            ),
            s.key(facts, Some(blob(2)), "app/utils.py", "rotate"),
            s.key(facts, Some(blob(1)), "app/other.py", "rotate"),
            s.key(facts, Some(blob(1)), "app/utils.py", "rotate2"),
            // The path and the name are separated: moving a character between them counts.
            s.key(facts, Some(blob(1)), "app/utils.pyr", "otate"),
            Summaries::open(dir.path(), &configured).key(
                facts,
                Some(blob(1)),
                "app/utils.py",
                "rotate",
            ),
        ];
        for (i, k) in others.iter().enumerate() {
            assert_ne!(*k, Some(base), "variant {i} has its own key");
        }
        // Callees' summaries: none is the plain key; each callee's summary counts.
        let mut callees = std::collections::HashMap::new();
        let with = |c: &std::collections::HashMap<String, Summary>| {
            s.key_with(facts, Some(blob(1)), "app/utils.py", "rotate", c)
        };
        assert_eq!(with(&callees), Some(base));
        callees.insert("app.deep.rotate".to_string(), Summary::default());
        let one = with(&callees);
        assert_ne!(one, Some(base));
        callees.insert(
            "app.deep.rotate".to_string(),
            Summary {
                rotates: true,
                ..Summary::default()
            },
        );
        assert_ne!(with(&callees), one, "a callee's summary counts");
        assert_ne!(with(&callees), Some(base));
    }

    #[test]
    fn computed_once_then_read_back_and_never_trusted_when_undecodable() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::default();
        let facts = ProjectFacts::default();
        let writes = Summary {
            writes_identity: Some(Framework::Django),
            authenticates: true,
            ..Summary::default()
        };
        let s = Summaries::open(dir.path(), &config);
        let key = s.key(facts, Some(blob(1)), "a.py", "f");
        let computed = std::cell::Cell::new(0);
        let compute = || {
            computed.set(computed.get() + 1);
            writes
        };
        assert_eq!(s.get_or(key, compute), writes);
        assert_eq!(s.get_or(key, compute), writes);
        assert_eq!(computed.get(), 1, "learnt summaries are seen at once");
        s.save();
        let s = Summaries::open(dir.path(), &config);
        assert_eq!(s.get_or(key, compute), writes);
        assert_eq!(computed.get(), 1, "read back by the next run");
        // Without a key (content not from git), always computed.
        assert_eq!(s.get_or(None, compute), writes);
        assert_eq!(computed.get(), 2);
        // A record whose bits no summary has (a file from elsewhere): a miss, recomputed.
        let other = tempfile::tempdir().unwrap();
        let mut raw = BlobCache::load(other.path(), SUMMARIES);
        raw.insert(key.unwrap(), 0xdead_0000);
        raw.save();
        let s = Summaries::open(other.path(), &config);
        assert_eq!(s.get_or(key, compute), writes);
        assert_eq!(computed.get(), 3);
        // Outside git nothing is kept.
        let none = Summaries::none();
        none.put(key, Summary::default());
        assert_eq!(none.get_or(key, compute), writes);
        assert_eq!(computed.get(), 4);
    }
}
