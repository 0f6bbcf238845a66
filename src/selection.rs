//! Which rules a run reports, chosen on the command line (`--select`, `--ignore`), as ruff
//! does. Entries are codes (`SID001`), names (`login-without-regeneration`) or code prefixes
//! (`SID00`, `SID9`), any case; an entry that names no rule is an error, never ignored.

use crate::error::{Error, Result};
use crate::registry as rules;

/// The rules a run keeps: all of them (or the `--select`ed ones) minus the `--ignore`d ones.
/// The configuration's `disable` applies on top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `None`: every rule.
    select: Option<Vec<&'static str>>,
    ignore: Vec<&'static str>,
}

impl Selection {
    /// From the flags' values (already split at commas).
    pub fn new(select: &[String], ignore: &[String]) -> Result<Selection> {
        let codes = |flag: &str, entries: &[String]| -> Result<Vec<&'static str>> {
            let mut out = Vec::new();
            for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
                let matched = matching(entry);
                if matched.is_empty() {
                    return Err(Error::Usage(format!(
                        "`--{flag} {entry}` names no rule; give codes (SID001), names (login-without-regeneration) or code prefixes (SID00); `sidguard rules` lists them"
                    )));
                }
                out.extend(matched);
            }
            out.sort_unstable();
            out.dedup();
            Ok(out)
        };
        let select = codes("select", select)?;
        Ok(Selection {
            select: (!select.is_empty()).then_some(select),
            ignore: codes("ignore", ignore)?,
        })
    }

    /// Every rule is kept.
    pub fn is_all(&self) -> bool {
        self.select.is_none() && self.ignore.is_empty()
    }

    /// Is rule `code` kept?
    pub fn allows(&self, code: &str) -> bool {
        self.select.as_ref().is_none_or(|s| s.contains(&code)) && !self.ignore.contains(&code)
    }
}

/// The codes an entry names: a rule's code or name, or a prefix of codes.
fn matching(entry: &str) -> Vec<&'static str> {
    if let Some(rule) = rules::find(entry) {
        return vec![rule.code];
    }
    let upper = entry.to_ascii_uppercase();
    if !upper.starts_with("SID") {
        return Vec::new();
    }
    rules::RULES
        .iter()
        .filter(|r| r.code.starts_with(&upper))
        .map(|r| r.code)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn codes_names_and_prefixes() {
        let s = Selection::new(&strings(&["sid00", "blanket-suppression"]), &[]).unwrap();
        assert!(s.allows("SID001") && s.allows("SID006") && s.allows("SID900"));
        assert!(!s.allows("SID901"));
        let s = Selection::new(&[], &strings(&["login-without-regeneration", "SID9"])).unwrap();
        assert!(!s.allows("SID001") && !s.allows("SID900") && !s.allows("SID901"));
        assert!(s.allows("SID002"));
        assert!(Selection::new(&[], &[]).unwrap().is_all());
    }

    #[test]
    fn an_entry_that_names_no_rule_is_an_error() {
        for bad in ["SID999", "nope", "S"] {
            let e = Selection::new(&strings(&[bad]), &[])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(&format!("`--select {bad}` names no rule")),
                "{e}"
            );
        }
        let e = Selection::new(&[], &strings(&["x"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`--ignore x`"), "{e}");
    }
}
