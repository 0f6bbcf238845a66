//! Caches keyed by git object id, kept in the git directory (`<git-common-dir>/sidguard/`):
//! per-file facts (`facts-v9`), so a commit hook on a large repository reads only blobs it has
//! not seen before, and function summaries (`summaries-v1`, keyed by a hash of the blob id,
//! the function and what else the summary depends on), so the helpers a change calls and the
//! version it replaces are not parsed again. Safe under concurrent hooks: written to a
//! temporary file and renamed into place (a lost update only costs a re-computation). Never
//! trusted if corrupt: a file whose header, length, order or CRC-32 does not hold is ignored
//! as a whole and rebuilt.
//!
//! What a run learns is appended to a journal next to the file (`<file>.log`), one write of
//! whole records, each with its own CRC-32: renaming a rewritten file costs a commit hook
//! more (0.4 ms on ext4, which flushes a file renamed over another) than everything it
//! saves. The journal is merged into the file once it holds [`LOG_MAX`] records; a record
//! lost to a merge running at the same time only costs a re-computation.
//!
//! Layout: the header line, a little-endian `u32` record count, the records (20-byte key,
//! little-endian `u32` value) sorted by key, and a little-endian CRC-32 of all that. Lookups
//! binary-search the mapped file: loading costs a map and a CRC pass, not one parse per
//! entry (nor a copy: the file is replaced by renaming, never written in place).

use std::collections::HashMap;

use git2::Oid;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{oid_of, partition, raw_id, RawId};

/// One cache file: its name in `<git-common-dir>/sidguard/` and its first line.
#[derive(Debug, Clone, Copy)]
pub struct Store {
    file: &'static str,
    header: &'static [u8],
    /// A file of an earlier format, removed once this one is written.
    replaces: Option<&'static str>,
}

/// Per-file facts by blob id (and, for directories, the union by tree id).
pub const FACTS: Store = Store {
    file: "facts-v9",
    header: b"sidguard-facts v9\n",
    replaces: Some("facts-v8"),
};

/// Function summaries (see `crate::summaries`).
pub const SUMMARIES: Store = Store {
    file: "summaries-v1",
    header: b"sidguard-summaries v1\n",
    replaces: None,
};

const RECORD: usize = 24;

/// A journal record: key, value, and the CRC-32 of the store's header, key and value.
const LOG_RECORD: usize = 28;

/// Journal records from which the journal is merged into the file.
pub const LOG_MAX: usize = 256;

/// The CRC-32 state after the store's header, which every journal record's CRC starts with.
fn log_hasher(header: &[u8]) -> crc32fast::Hasher {
    let mut h = crc32fast::Hasher::new();
    h.update(header);
    h
}

fn log_crc(header: &crc32fast::Hasher, record: &[u8]) -> u32 {
    let mut h = header.clone();
    h.update(record);
    h.finalize()
}

pub struct BlobCache {
    store: Store,
    path: Option<PathBuf>,
    /// The file as mapped (validated), and where its records are (sorted by blob id).
    file: Option<memmap2::Mmap>,
    span: std::ops::Range<usize>,
    /// Which records this run looked up (kept when the file is trimmed).
    used: Vec<bool>,
    /// Per first byte of the id, where its records start (a lookup searches one bucket).
    fanout: [u32; 257],
    /// Values learnt this run.
    fresh: HashMap<Oid, u32>,
    /// Values of the journal (newer than the file's), sorted by key: a few hundred records,
    /// searched by bisection (a hash map of them cost more to build than all the lookups).
    logged: Vec<(RawId, u32)>,
    /// Journal records from which `save` merges the journal into the file.
    log_max: usize,
    /// How many records the checked tree can use (see `keep_at_least`).
    live: usize,
}

impl BlobCache {
    /// Loads cache `store` for a repository whose common git directory is `git_dir`.
    pub fn load(git_dir: &Path, store: Store) -> BlobCache {
        let path = git_dir.join("sidguard").join(store.file);
        // SAFETY: mapped read-only; writers replace the file by renaming a new one over it.
        let file = std::fs::File::open(&path)
            .ok()
            .and_then(|f| unsafe { memmap2::Mmap::map(&f) }.ok());
        let span = file
            .as_deref()
            .and_then(|f| records(f, store.header))
            .unwrap_or(0..0);
        let mut fanout = [0u32; 257];
        let count = span.len() / RECORD;
        for r in file
            .as_deref()
            .map_or(&[][..], |m| &m[span.clone()])
            .chunks_exact(RECORD)
        {
            fanout[r[0] as usize + 1] += 1;
        }
        for i in 1..257 {
            fanout[i] += fanout[i - 1];
        }
        // Whole records whose CRC holds; a later record replaces an earlier one.
        let crc = log_hasher(store.header);
        let bytes = std::fs::read(log_path(&path)).unwrap_or_default();
        let mut logged: Vec<(RawId, u32)> = bytes
            .chunks_exact(LOG_RECORD)
            .filter(|r| log_crc(&crc, &r[..RECORD]).to_le_bytes() == r[RECORD..])
            .filter_map(|r| {
                let value = u32::from_le_bytes([r[20], r[21], r[22], r[23]]);
                Some((r[..20].try_into().ok()?, value))
            })
            .collect();
        // By key, the latest first within a key (a stable sort of the reversed records; ids
        // differ in their first eight bytes almost always, so those are compared first);
        // then only the first of each key stays.
        logged.reverse();
        logged.sort_by(|a, b| {
            let prefix =
                |k: &RawId| u64::from_be_bytes([k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]]);
            prefix(&a.0).cmp(&prefix(&b.0)).then_with(|| a.0.cmp(&b.0))
        });
        logged.dedup_by_key(|r| r.0);
        BlobCache {
            store,
            logged,
            log_max: LOG_MAX,
            path: Some(path),
            used: vec![false; count],
            fanout,
            file,
            span,
            fresh: HashMap::new(),
            live: 0,
        }
    }

    /// Tells the cache that the checked tree has `n` records' worth of files and directories,
    /// though this run looked only a few of them up (the commit hook skips unchanged
    /// directories by their tree id): the file is not trimmed below what the tree can use.
    pub fn keep_at_least(&mut self, n: usize) {
        self.live = n;
    }

    /// The validated records (empty without a usable file).
    fn records(&self) -> &[u8] {
        self.file
            .as_deref()
            .map_or(&[], |map| &map[self.span.clone()])
    }

    fn record(&self, i: usize) -> (&[u8], u32) {
        let r = &self.records()[i * RECORD..(i + 1) * RECORD];
        (&r[..20], u32::from_le_bytes([r[20], r[21], r[22], r[23]]))
    }

    pub fn get(&mut self, oid: Oid) -> Option<u32> {
        if let Some(v) = self.fresh.get(&oid) {
            return Some(*v); // learnt this run: newer than the journal and the file
        }
        let key = oid.as_bytes();
        if let Ok(i) = self.logged.binary_search_by(|r| r.0.as_slice().cmp(key)) {
            return Some(self.logged[i].1); // in the journal: newer than the file
        }
        let (from, to) = (
            self.fanout[key[0] as usize] as usize,
            self.fanout[key[0] as usize + 1] as usize,
        );
        let i = from + partition(to - from, |i| self.record(from + i).0 < key);
        if i < to && self.record(i).0 == key {
            self.used[i] = true;
            return Some(self.record(i).1);
        }
        None
    }

    /// Learns the value for a key: the facts of a blob (or, as the commit hook caches them,
    /// the union of the facts of a tree's Python blobs: a tree id names its whole content, as
    /// a blob id does), or a summary.
    pub fn insert(&mut self, oid: Oid, value: u32) {
        self.fresh.insert(oid, value);
    }

    /// Writes the cache back if it learnt something. Failures are ignored: the cache is an
    /// optimisation.
    pub fn save(&mut self) {
        let Some(path) = &self.path else { return };
        if self.fresh.is_empty() {
            return;
        }
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let log = log_path(path);
        if self.file.is_some() && self.logged.len() + self.fresh.len() <= self.log_max {
            let mut fresh: Vec<(&Oid, &u32)> = self.fresh.iter().collect();
            fresh.sort_unstable();
            let mut bytes = Vec::with_capacity(fresh.len() * LOG_RECORD);
            let hasher = log_hasher(self.store.header);
            for (k, v) in fresh {
                let start = bytes.len();
                bytes.extend_from_slice(k.as_bytes());
                bytes.extend_from_slice(&v.to_le_bytes());
                let crc = log_crc(&hasher, &bytes[start..]);
                bytes.extend_from_slice(&crc.to_le_bytes());
            }
            // One write of whole records, at the end of the file whoever else appends.
            let appended = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&log)
                .and_then(|mut f| f.write_all(&bytes));
            if appended.is_ok() {
                for (k, v) in self.fresh.drain() {
                    let key = raw_id(k.as_bytes());
                    match self.logged.binary_search_by_key(&key, |r| r.0) {
                        Ok(i) => self.logged[i].1 = v,
                        Err(i) => self.logged.insert(i, (key, v)),
                    }
                }
            }
            return;
        }
        // Merged: the file's records, the journal's and this run's (the newest value wins).
        let logged = std::mem::take(&mut self.logged);
        for (k, v) in logged {
            self.fresh.entry(oid_of(&k)).or_insert(v);
        }
        // Keep the file from growing without bound: when it holds more than four times what
        // this run looked at, only what this run used or learnt is kept.
        let used = (self.used.iter().filter(|u| **u).count() + self.fresh.len()).max(self.live);
        let trim = self.used.len() + self.fresh.len() > used * 4 + 1024;
        // The file's records are sorted already: the new ones are merged in (a new value
        // replaces an old one), record by record, with no per-record allocation - a commit
        // hook that learns one blob rewrites a file of 5,000 records.
        let mut fresh: Vec<(&[u8], u32)> =
            self.fresh.iter().map(|(k, v)| (k.as_bytes(), *v)).collect();
        fresh.sort_unstable();
        let header = self.store.header;
        let records = self.records();
        let old = (0..self.used.len())
            .filter(|i| !trim || self.used[*i])
            .map(|i| &records[i * RECORD..(i + 1) * RECORD]);
        let mut bytes =
            Vec::with_capacity(header.len() + 8 + (self.used.len() + fresh.len()) * RECORD);
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0; 4]); // the count, once known
        let mut count = 0u32;
        let mut old = old.peekable();
        let mut new = fresh.iter().peekable();
        loop {
            let take_old = match (old.peek(), new.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(o), Some((k, _))) => {
                    if o[..20] == **k {
                        old.next(); // replaced by the new value
                        false
                    } else {
                        o[..20] < **k
                    }
                }
            };
            if take_old {
                bytes.extend_from_slice(old.next().unwrap_or_default());
            } else if let Some((k, v)) = new.next() {
                bytes.extend_from_slice(k);
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            count += 1;
        }
        bytes[header.len()..header.len() + 4].copy_from_slice(&count.to_le_bytes());
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        // Unmapped before the rename (some systems refuse to replace a mapped file).
        self.file = None;
        self.span = 0..0;
        self.used.clear();
        self.fanout = [0; 257];
        let tmp = dir.join(format!("{}.{}.tmp", self.store.file, std::process::id()));
        let ok = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&bytes))
            .is_ok();
        if ok && std::fs::rename(&tmp, path).is_ok() {
            self.fresh.clear();
            let _ = std::fs::remove_file(&log);
            // The file of an earlier format is not read any more.
            if let Some(old) = self.store.replaces {
                let _ = std::fs::remove_file(dir.join(old));
            }
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The journal of cache file `path`.
fn log_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".log");
    PathBuf::from(name)
}

/// Where the records of a cache file are, if the file is whole: header, count, records in
/// strictly increasing id order, CRC-32.
fn records(bytes: &[u8], header: &[u8]) -> Option<std::ops::Range<usize>> {
    let body = bytes.strip_prefix(header)?;
    let (count, rest) = body.split_first_chunk::<4>()?;
    let count = u32::from_le_bytes(*count) as usize;
    let (records, crc) = rest.split_at_checked(count.checked_mul(RECORD)?)?;
    let crc: [u8; 4] = crc.try_into().ok()?;
    if crc32fast::hash(&bytes[..bytes.len() - 4]) != u32::from_le_bytes(crc) {
        return None;
    }
    let sorted = records
        .chunks_exact(RECORD)
        .zip(records.chunks_exact(RECORD).skip(1))
        .all(|(a, b)| super::precedes(&a[..20], &b[..20]));
    let start = header.len() + 4;
    sorted.then_some(start..start + records.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = FACTS.header;
    const FILE: &str = FACTS.file;

    /// The facts cache, as the commit hook loads it.
    #[derive(Debug)]
    struct FactsCache;

    impl FactsCache {
        fn load(dir: &Path) -> BlobCache {
            BlobCache::load(dir, FACTS)
        }
    }

    #[derive(Debug, PartialEq)]
    struct FileFacts(u32);

    impl BlobCache {
        fn get_f(&mut self, oid: Oid) -> Option<FileFacts> {
            self.get(oid).map(FileFacts)
        }
        fn insert_f(&mut self, oid: Oid, f: FileFacts) {
            self.insert(oid, f.0)
        }
    }

    fn oid(c: char) -> Oid {
        Oid::from_str(&c.to_string().repeat(40)).unwrap()
    }

    #[test]
    fn round_trip_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = FactsCache::load(dir.path());
        assert!(c.get_f(oid('a')).is_none());
        c.insert_f(oid('a'), FileFacts(5));
        c.insert_f(oid('0'), FileFacts(0));
        assert_eq!(
            c.get_f(oid('a')),
            Some(FileFacts(5)),
            "learnt facts are seen at once"
        );
        c.save();
        let mut c = FactsCache::load(dir.path());
        assert_eq!(c.get_f(oid('a')), Some(FileFacts(5)));
        assert_eq!(c.get_f(oid('0')), Some(FileFacts(0)));
        assert_eq!(c.get_f(oid('7')), None);
        c.insert_f(oid('7'), FileFacts(1 << 20));
        c.save();
        let mut c = FactsCache::load(dir.path());
        for (o, f) in [('0', 0), ('7', 1 << 20), ('a', 5)] {
            assert_eq!(
                c.get_f(oid(o)),
                Some(FileFacts(f)),
                "{o} kept by the second save"
            );
        }
    }

    #[test]
    fn a_new_value_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = FactsCache::load(dir.path());
        for (o, f) in [('1', 1), ('5', 5), ('9', 9)] {
            c.insert_f(oid(o), FileFacts(f));
        }
        c.save();
        let mut c = FactsCache::load(dir.path());
        c.insert_f(oid('5'), FileFacts(50));
        assert_eq!(c.get_f(oid('5')), Some(FileFacts(50)), "at once");
        c.insert_f(oid('0'), FileFacts(0));
        c.insert_f(oid('f'), FileFacts(15));
        c.save();
        for merged in [false, true] {
            let mut c = FactsCache::load(dir.path());
            for (o, f) in [('0', 0), ('1', 1), ('5', 50), ('9', 9), ('f', 15)] {
                assert_eq!(c.get_f(oid(o)), Some(FileFacts(f)), "{o}, merged: {merged}");
            }
            let bytes = std::fs::read(dir.path().join("sidguard").join(FILE)).unwrap();
            assert_eq!(
                records(&bytes, HEADER).unwrap().len() / RECORD,
                if merged { 6 } else { 3 },
                "the second run's values went to the journal, then were merged"
            );
            // The journal merged into the file (as when it is full).
            c.log_max = 0;
            c.insert_f(oid('e'), FileFacts(14));
            c.save();
        }
        assert!(!dir.path().join("sidguard").join("facts-v9.log").exists());
    }

    #[test]
    fn the_latest_journal_record_of_a_key_wins() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = FactsCache::load(dir.path());
        c.insert_f(oid('1'), FileFacts(1));
        c.save(); // the file
        for value in [70, 71, 72] {
            let mut c = FactsCache::load(dir.path());
            c.insert_f(oid('7'), FileFacts(value));
            c.insert_f(oid(char::from(b'a' + (value - 70) as u8)), FileFacts(value));
            c.save(); // appended to the journal
            let mut c = FactsCache::load(dir.path());
            assert_eq!(c.get_f(oid('7')), Some(FileFacts(value)));
        }
        let mut c = FactsCache::load(dir.path());
        for (o, f) in [('1', 1), ('a', 70), ('b', 71), ('c', 72)] {
            assert_eq!(c.get_f(oid(o)), Some(FileFacts(f)), "{o}");
        }
        assert_eq!(c.get_f(oid('2')), None);
    }

    #[test]
    fn the_journal_keeps_whole_records_and_is_merged_when_full() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("sidguard").join("facts-v9.log");
        let mut c = FactsCache::load(dir.path());
        c.insert_f(oid('1'), FileFacts(1));
        c.save(); // no file yet: written whole
        assert!(!log.exists());
        for (o, f) in [('2', 2), ('3', 3), ('4', 4)] {
            let mut c = FactsCache::load(dir.path());
            c.insert_f(oid(o), FileFacts(f));
            c.save();
        }
        assert_eq!(
            std::fs::metadata(&log).unwrap().len() as usize,
            3 * LOG_RECORD
        );
        // A damaged record, and half a record at the end (a write cut short): ignored.
        let mut bytes = std::fs::read(&log).unwrap();
        bytes[LOG_RECORD + 21] ^= 1; // '3''s value
        let half = bytes[..LOG_RECORD / 2].to_vec();
        bytes.extend_from_slice(&half);
        std::fs::write(&log, &bytes).unwrap();
        let mut c = FactsCache::load(dir.path());
        for (o, f) in [('1', Some(1)), ('2', Some(2)), ('3', None), ('4', Some(4))] {
            assert_eq!(c.get_f(oid(o)), f.map(FileFacts), "{o}");
        }
        // Full: merged into the file, the journal removed.
        for i in 0..LOG_MAX as u32 {
            c.insert(
                Oid::hash_object(git2::ObjectType::Blob, &i.to_le_bytes()).unwrap(),
                i,
            );
        }
        c.save();
        assert!(!log.exists(), "merged");
        let mut c = FactsCache::load(dir.path());
        assert_eq!(c.get_f(oid('4')), Some(FileFacts(4)));
        assert_eq!(c.get_f(oid('3')), None);
        let bytes = std::fs::read(dir.path().join("sidguard").join(FILE)).unwrap();
        assert_eq!(records(&bytes, HEADER).unwrap().len() / RECORD, 3 + LOG_MAX);
    }

    #[test]
    fn a_damaged_file_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = FactsCache::load(dir.path());
        c.insert_f(oid('a'), FileFacts(5));
        c.insert_f(oid('b'), FileFacts(6));
        c.save();
        let file = dir.path().join("sidguard").join(FILE);
        let good = std::fs::read(&file).unwrap();
        assert!(records(&good, HEADER).is_some());
        let mut flipped = good.clone();
        flipped[HEADER.len() + 4 + 20] ^= 1; // a's facts: 5 -> 4
        let truncated = good[..good.len() - 1].to_vec();
        let mut longer = good.clone();
        longer.push(0);
        // Out of order, with a CRC that matches: still refused.
        let mut unsorted = good[..HEADER.len() + 4].to_vec();
        unsorted.extend_from_slice(&good[HEADER.len() + 4 + RECORD..HEADER.len() + 4 + 2 * RECORD]);
        unsorted.extend_from_slice(&good[HEADER.len() + 4..HEADER.len() + 4 + RECORD]);
        let crc = crc32fast::hash(&unsorted);
        unsorted.extend_from_slice(&crc.to_le_bytes());
        let v1 = format!("sidguard-facts v1\n{} 5\n", "a".repeat(40)).into_bytes();
        for (what, bytes) in [
            ("flipped bit", flipped),
            ("truncated", truncated),
            ("trailing byte", longer),
            ("unsorted", unsorted),
            ("old format", v1),
            ("empty", Vec::new()),
        ] {
            std::fs::write(&file, &bytes).unwrap();
            let mut c = FactsCache::load(dir.path());
            assert!(
                c.get_f(oid('a')).is_none(),
                "{what}: a corrupt cache is not trusted"
            );
        }
    }

    #[test]
    fn trimmed_to_what_runs_use() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = FactsCache::load(dir.path());
        for i in 0..3000u32 {
            c.insert_f(
                Oid::hash_object(git2::ObjectType::Blob, &i.to_le_bytes()).unwrap(),
                FileFacts(i),
            );
        }
        c.save();
        let mut c = FactsCache::load(dir.path());
        let kept = Oid::hash_object(git2::ObjectType::Blob, &7u32.to_le_bytes()).unwrap();
        assert_eq!(c.get_f(kept), Some(FileFacts(7)));
        c.insert_f(oid('a'), FileFacts(1));
        c.log_max = 0; // merged (trimming happens then)
        c.save();
        let bytes = std::fs::read(dir.path().join("sidguard").join(FILE)).unwrap();
        assert_eq!(
            records(&bytes, HEADER).unwrap().len() / RECORD,
            2,
            "only what the run used"
        );
        let mut c = FactsCache::load(dir.path());
        assert_eq!(c.get_f(kept), Some(FileFacts(7)));
        assert_eq!(c.get_f(oid('a')), Some(FileFacts(1)));
    }
}
