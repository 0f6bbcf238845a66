//! The rule pages under `docs/rules/` are what `sidguard explain` prints, one page per rule
//! that `sidguard rules` lists, and the README's rules table links each of them.
//!
//! After changing a rule's documentation (`src/rules/*.md`), regenerate the pages with
//! `SIDGUARD_BLESS=1 cargo test --test rule_pages`.

mod common;

use std::path::{Path, PathBuf};

/// (code, name) of every rule, as `sidguard rules` lists them.
fn rules() -> Vec<(String, String)> {
    let run = common::sidguard_at(&root(), &std::env::temp_dir(), &["rules"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let list: Vec<(String, String)> = run
        .stdout()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cells = l.split_whitespace();
            Some((cells.next()?.to_string(), cells.next()?.to_string()))
        })
        .collect();
    assert!(
        list.len() >= 2,
        "`sidguard rules` lists no rules:\n{}",
        run.stdout()
    );
    list
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The page's path, relative to the repository root.
fn page_path(code: &str, name: &str) -> String {
    format!("docs/rules/{code}-{name}.md")
}

/// What the page of rule `code` must hold: a line saying where it comes from, then exactly
/// what `sidguard explain CODE` prints.
fn expected_page(code: &str) -> String {
    let run = common::sidguard_at(&root(), &std::env::temp_dir(), &["explain", code], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    format!(
        "<!-- Generated from `sidguard explain {code}` (the rule's documentation in src/rules/). \
         Edit that, then run `SIDGUARD_BLESS=1 cargo test --test rule_pages`. -->\n\n{}",
        run.stdout()
    )
}

fn bless() -> bool {
    std::env::var_os("SIDGUARD_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn every_rule_has_a_page_that_is_what_explain_prints() {
    let dir = root().join("docs/rules");
    if bless() {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for (code, name) in rules() {
        let rel = page_path(&code, &name);
        let path = root().join(&rel);
        let want = expected_page(&code);
        if bless() {
            std::fs::write(&path, &want).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(have) if have == want => {}
            Ok(_) => stale.push(format!("{rel} differs from `sidguard explain {code}`")),
            Err(_) => stale.push(format!("{rel} is missing")),
        }
    }
    if bless() {
        // Pages of rules that are gone go with them.
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            if !pages().contains(&file) {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nregenerate the pages: SIDGUARD_BLESS=1 cargo test --test rule_pages",
        stale.join("\n")
    );
}

/// The page file names, `CODE-name.md`.
fn pages() -> Vec<String> {
    rules()
        .iter()
        .map(|(code, name)| format!("{code}-{name}.md"))
        .collect()
}

#[test]
fn no_page_names_a_rule_that_does_not_exist() {
    if bless() {
        return; // the other test removes them
    }
    let pages = pages();
    let dir = root().join("docs/rules");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!("{} is missing", dir.display());
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        assert!(
            pages.contains(&file),
            "docs/rules/{file} is the page of no rule `sidguard rules` lists: remove it (or rename it to a rule's `CODE-name.md`)"
        );
    }
}

#[test]
fn the_readme_rules_table_links_every_page() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for (code, name) in rules() {
        let link = format!("[{code}]({})", page_path(&code, &name));
        let row = readme
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("{code}]")))
            .unwrap_or_else(|| panic!("the README's rules table has no row for {code}"));
        assert!(
            row.contains(&link) && row.contains(&format!("| {name} |")),
            "the README's row for {code} should read `| {link} | {name} | ...`: {row}"
        );
        assert!(Path::new(&root().join(page_path(&code, &name))).exists());
    }
}
