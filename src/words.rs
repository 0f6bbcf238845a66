//! Word search in source text: a fixed set of words found in one text or in thousands. A
//! commit hook searches a file or two, where building an automaton costs more than the whole
//! search, so the first few small texts get a SIMD substring search per word; a scan of a
//! tree gets one automaton. Used by the pre-filter, the project facts and the framework
//! tables' quick checks; it knows nothing of Python or of sessions.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

/// Is `b` a byte of an ASCII identifier?
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Does `text[start..end]` stand as a whole word (no identifier byte on either side)?
pub(crate) fn whole_word(text: &[u8], start: usize, end: usize) -> bool {
    !(start > 0 && is_word_byte(text[start - 1]) || text.get(end).is_some_and(|b| is_word_byte(*b)))
}

/// A matcher for identifier patterns whose non-overlapping leftmost-longest matches include
/// every whole-word occurrence: the patterns are identifier bytes only, so a match can
/// neither hide a whole-word one it overlaps (that would span its non-word neighbour) nor
/// be cut short by one. (Leftmost-longest also lets the SIMD searcher run.)
/// `once`: built for one search of one file (a noncontiguous NFA: its build costs far less
/// than a DFA's); else a contiguous NFA, whose build still costs a fraction of a DFA's (a
/// commit hook checks a file or two and would spend more time building than searching)
/// while the SIMD prefilter does most of the searching either way.
pub(crate) fn word_matcher<P: AsRef<[u8]>>(
    patterns: impl IntoIterator<Item = P>,
    once: bool,
) -> Option<AhoCorasick> {
    word_matcher_cased(patterns, once, false)
}

/// [`word_matcher`], ignoring ASCII case if `case_insensitive`.
pub(crate) fn word_matcher_cased<P: AsRef<[u8]>>(
    patterns: impl IntoIterator<Item = P>,
    once: bool,
    case_insensitive: bool,
) -> Option<AhoCorasick> {
    use aho_corasick::AhoCorasickKind::{ContiguousNFA, NoncontiguousNFA};
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .ascii_case_insensitive(case_insensitive)
        .kind(Some(if once {
            NoncontiguousNFA
        } else {
            ContiguousNFA
        }))
        .build(patterns)
        .ok()
}

/// Texts searched word by word before a [`Words`] builds its automaton.
pub(crate) const FEW_TEXTS: usize = 16;

/// Larger texts always go to the automaton: one pass instead of one per word.
pub(crate) const SMALL_TEXT: usize = 32 * 1024;

/// A fixed set of words looked for in one text or in thousands. The first [`FEW_TEXTS`]
/// texts (a commit hook's one or two files), if small, are searched word by word with a SIMD
/// substring search, which costs nothing to set up; then one automaton is built for the rest
/// (a scan of a tree, or a large file), whose build costs more than a commit hook's whole
/// search. Both report every occurrence `accept` takes for identifier words: the
/// automaton's non-overlapping leftmost-longest matches include every whole-word one (see
/// [`word_matcher`]).
pub(crate) struct Words {
    /// The words, lowercased when the search ignores ASCII case.
    words: Vec<String>,
    case_insensitive: bool,
    finders: Vec<memchr::memmem::Finder<'static>>,
    texts: std::sync::atomic::AtomicUsize,
    automaton: OnceLock<Option<AhoCorasick>>,
}

impl Words {
    pub fn new(words: &[&str], case_insensitive: bool) -> Words {
        let words: Vec<String> = words
            .iter()
            .map(|w| match case_insensitive {
                true => w.to_ascii_lowercase(),
                false => w.to_string(),
            })
            .collect();
        Words {
            finders: words
                .iter()
                .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
                .collect(),
            words,
            case_insensitive,
            texts: std::sync::atomic::AtomicUsize::new(0),
            automaton: OnceLock::new(),
        }
    }

    /// Does a word occur in `text` where `accept(start, end)` takes it?
    pub fn any(&self, text: &[u8], accept: impl Fn(usize, usize) -> bool) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        if text.len() <= SMALL_TEXT
            && self.automaton.get().is_none()
            && self.texts.fetch_add(1, Relaxed) < FEW_TEXTS
        {
            let lowered;
            let hay = if self.case_insensitive {
                lowered = text.to_ascii_lowercase();
                &lowered[..]
            } else {
                text
            };
            return self
                .finders
                .iter()
                .any(|f| f.find_iter(hay).any(|at| accept(at, at + f.needle().len())));
        }
        let automaton = self
            .automaton
            .get_or_init(|| word_matcher_cased(&self.words, false, self.case_insensitive));
        match automaton {
            Some(a) => a.find_iter(text).any(|m| accept(m.start(), m.end())),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefilter::FRAMEWORKS;

    /// The word-by-word search of the first texts and the automaton of the later ones find
    /// the same: for whole framework words (case and all) and for privilege tokens in any
    /// case, over texts mixing the words, their prefixes and extensions, and separators.
    #[test]
    fn words_searched_one_by_one_or_by_automaton_agree() {
        let privilege = ["role", "admin", "2fa", "impersonat", "step_up", "stepup"];
        let fragments = [
            "flask",
            "flask_login",
            "Flask",
            "_",
            ".",
            " ",
            "x",
            "django",
            "djangos",
            "aiohttp",
            "aiohttp_session",
            "ROLE",
            "rOlEs",
            "step",
            "up",
            "2",
            "fa",
            "Adm",
            "in",
            "impersonate",
            "starlette",
            "quart_auth",
            "\n",
            "é",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize
        };
        let texts: Vec<String> = (0..3000)
            .map(|_| {
                (0..next() % 9)
                    .map(|_| fragments[next() % fragments.len()])
                    .collect()
            })
            .collect();
        let few = |w: &[&str], ci| Words::new(w, ci);
        let built = |w: &[&str], ci| {
            let words = Words::new(w, ci);
            while words.automaton.get().is_none() {
                words.any(b"", |_, _| true);
            }
            words
        };
        let (frameworks, frameworks_ac) = (few(FRAMEWORKS, false), built(FRAMEWORKS, false));
        let (privileged, privileged_ac) = (few(&privilege, true), built(&privilege, true));
        let mut hits = [0, 0];
        for text in &texts {
            let t = text.as_bytes();
            let whole = |a, b| whole_word(t, a, b);
            // A fresh one each time: only its word-by-word search runs.
            frameworks
                .texts
                .store(0, std::sync::atomic::Ordering::Relaxed);
            privileged
                .texts
                .store(0, std::sync::atomic::Ordering::Relaxed);
            let f = frameworks.any(t, whole);
            assert_eq!(f, frameworks_ac.any(t, whole), "{text:?}");
            let p = privileged.any(t, |_, _| true);
            assert_eq!(p, privileged_ac.any(t, |_, _| true), "{text:?}");
            hits[0] += f as usize;
            hits[1] += p as usize;
        }
        assert!(frameworks.automaton.get().is_none());
        assert!(hits.iter().all(|h| *h > 300 && *h < 2700), "{hits:?}");
    }
}
