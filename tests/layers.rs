//! The top-level modules of `src/` depend one way: each may use only the modules below it in
//! the layer table of `docs/architecture.md` (section "Layers"), where the order is written
//! once. The edges are read from the sources: every `crate::` path (`use crate::a::b`,
//! `crate::{a, b}`, `crate::a::f()` in code) and every `super::` path that leaves its
//! top-level module, outside comments, strings and `#[cfg(test)]` items. A new edge that goes
//! up the table (or a module the table does not place) fails here, naming the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The source with comments, string and character literals blanked (line breaks kept, so
/// line numbers stay right).
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    // Keeps the line breaks of c[from..to].
    let blank = |out: &mut String, from: usize, to: usize| {
        out.push(' ');
        for ch in &c[from..to.min(c.len())] {
            if *ch == '\n' {
                out.push('\n');
            }
        }
    };
    let ident = |k: usize| k > 0 && (c[k - 1].is_alphanumeric() || c[k - 1] == '_');
    while i < c.len() {
        let at = |k: usize, s: &str| s.chars().enumerate().all(|(j, x)| c.get(k + j) == Some(&x));
        if at(i, "//") {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if at(i, "/*") {
            let (start, mut depth) = (i, 0);
            while i < c.len() {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            blank(&mut out, start, i);
            continue;
        }
        // Raw strings: r"..", r#".."#, br#".."#.
        let raw_at = if at(i, "br") { i + 2 } else { i + 1 };
        if !ident(i) && (c[i] == 'r' || at(i, "br")) {
            let hashes = c[raw_at..].iter().take_while(|x| **x == '#').count();
            if c.get(raw_at + hashes) == Some(&'"') {
                let start = i;
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                i = raw_at + hashes + 1;
                while i < c.len() && !at(i, &close) {
                    i += 1;
                }
                i += close.chars().count();
                blank(&mut out, start, i);
                continue;
            }
        }
        if c[i] == '"' {
            let start = i;
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            blank(&mut out, start, i);
            continue;
        }
        if c[i] == '\'' {
            // A character literal ('a', '\n', '\u{1F}'), else a lifetime ('a, 'static).
            if c.get(i + 1) == Some(&'\\') {
                let start = i;
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                blank(&mut out, start, i);
                continue;
            }
            if c.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push(' ');
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

/// `code` without the items under `#[cfg(test)]` (line breaks kept).
fn without_tests(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut code = code.to_string();
    while let Some(start) = code.find(MARK) {
        let bytes = code.as_bytes();
        let mut end = start + MARK.len();
        let mut depth = 0i32;
        while end < bytes.len() {
            match bytes[end] {
                b'{' | b'(' | b'[' => depth += 1,
                b'}' | b')' | b']' => {
                    depth -= 1;
                    if depth == 0 && bytes[end] == b'}' {
                        end += 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end += 1;
                    break;
                }
                _ => {}
            }
            end += 1;
        }
        let lines = code[start..end].matches('\n').count();
        code.replace_range(start..end, &"\n".repeat(lines));
    }
    code
}

/// The top-level modules a path names at `rest` (what follows `crate::`): one name, or the
/// first name of each entry of a `{...}` group.
fn heads(rest: &str) -> Vec<String> {
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let rest = rest.trim_start();
    let Some(group) = rest.strip_prefix('{') else {
        return vec![word(rest)];
    };
    let mut out = Vec::new();
    let (mut depth, mut entry_start) = (0, true);
    for (k, ch) in group.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => entry_start = true,
            c if entry_start && !c.is_whitespace() => {
                entry_start = false;
                out.push(word(&group[k..]));
            }
            _ => {}
        }
    }
    out
}

/// One use of another top-level module: (line, the module used, the path as written).
type Edge = (usize, String, String);

/// The other top-level modules that the code of module `module` (its path from the crate
/// root: `["source", "git"]` for `src/source/git.rs`) uses.
fn edges_of(src: &str, module: &[String]) -> Vec<Edge> {
    let code = without_tests(&code_only(src));
    let top = &module[0];
    let mut out = Vec::new();
    let starts_path = |line: &str, k: usize| {
        !line[..k]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$')
    };
    for (n, line) in code.lines().enumerate() {
        for (k, _) in line.match_indices("crate::") {
            if !starts_path(line, k) {
                continue;
            }
            for head in heads(&line[k + "crate::".len()..]) {
                if !head.is_empty() && head != *top && head != "self" {
                    out.push((n + 1, head, line[k..].trim().to_string()));
                }
            }
        }
        for (k, _) in line.match_indices("super::") {
            if !starts_path(line, k) {
                continue;
            }
            let mut rest = &line[k..];
            let mut up = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                up += 1;
                rest = r;
            }
            // `super` from `a/b.rs` (module a::b) is `a`; from `a.rs` or `a/mod.rs`, the root.
            let parent_len = module.len().saturating_sub(up);
            let heads = if parent_len == 0 {
                heads(rest)
            } else {
                vec![module[0].clone()]
            };
            for head in heads {
                if !head.is_empty() && head != *top {
                    out.push((n + 1, head, line[k..].trim().to_string()));
                }
            }
        }
    }
    out
}

/// Modules declared inline (`mod name { ... }`) outside test code: their `super::` would
/// mean something else, which this reader does not follow.
fn inline_modules(src: &str) -> Vec<usize> {
    let code = without_tests(&code_only(src));
    code.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim_start().trim_start_matches("pub ").trim_start();
            l.strip_prefix("mod ")
                .is_some_and(|r| r.trim_end().ends_with('{'))
        })
        .map(|(n, _)| n + 1)
        .collect()
}

/// The layer table: module names in order, top first, with their layer.
fn layer_order() -> Vec<(String, String)> {
    let path = root().join("docs/architecture.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Layers"))
        .expect("docs/architecture.md has a `## Layers` section");
    let mut order = Vec::new();
    // The rows after the header and its separator.
    for row in section.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (layer, modules) = (cells[1], cells[2]);
        for m in modules.split('`').skip(1).step_by(2) {
            order.push((m.to_string(), layer.to_string()));
        }
    }
    assert!(
        order.len() > 3,
        "the layer table of docs/architecture.md names no modules"
    );
    order
}

/// The top-level modules `src/lib.rs` declares.
fn declared_modules() -> Vec<String> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    code_only(&lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            Some(
                l.strip_prefix("mod ")?
                    .trim_end_matches(';')
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

/// Every `.rs` file under `src/` but the crate roots, with its module path.
fn module_files() -> Vec<(PathBuf, Vec<String>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = root().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut module: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            (module != ["lib"] && module != ["main"]).then_some((p, module))
        })
        .collect()
}

#[test]
fn every_top_level_module_has_one_place_in_the_layer_table() {
    let order = layer_order();
    let placed: Vec<&str> = order.iter().map(|(m, _)| m.as_str()).collect();
    let declared = declared_modules();
    for m in &declared {
        let n = placed.iter().filter(|p| **p == m).count();
        assert_eq!(
            n, 1,
            "src/{m}: module `{m}` is placed {n} times in the layer table of docs/architecture.md (once, in its layer)"
        );
    }
    for p in &placed {
        assert!(
            declared.iter().any(|m| m == p),
            "the layer table of docs/architecture.md places `{p}`, which src/lib.rs does not declare"
        );
    }
}

#[test]
fn no_module_uses_one_above_it() {
    let order = layer_order();
    let rank: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (m, _))| (m.as_str(), i))
        .collect();
    let layer_of = |m: &str| order.iter().find(|(x, _)| x == m).map(|(_, l)| l.as_str());
    let mut wrong = Vec::new();
    let mut edges = 0;
    for (path, module) in module_files() {
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        for line in inline_modules(&src) {
            wrong.push(format!(
                "{rel}:{line}: an inline module outside tests: move it to a file of its own (the layer check reads `super::` by file)"
            ));
        }
        let top = &module[0];
        let Some(&from) = rank.get(top.as_str()) else {
            wrong.push(format!("{rel}: module `{top}` is not in the layer table"));
            continue;
        };
        for (line, used, written) in edges_of(&src, &module) {
            edges += 1;
            match rank.get(used.as_str()) {
                Some(&to) if to > from => {}
                Some(_) => wrong.push(format!(
                    "{rel}:{line}: `{top}` ({}) uses `{used}` ({}), which is not below it: {written}",
                    layer_of(top).unwrap_or("?"),
                    layer_of(&used).unwrap_or("?"),
                )),
                None => wrong.push(format!(
                    "{rel}:{line}: `{top}` uses `{used}`, which is not in the layer table: {written}"
                )),
            }
        }
    }
    assert!(edges > 50, "the reader found only {edges} edges in src/");
    assert!(
        wrong.is_empty(),
        "dependencies against the layer order of docs/architecture.md (a module may use only \
         those below it; move the type or function down to where both can use it):\n{}",
        wrong.join("\n")
    );
}

/// The reader itself: what counts as an edge and what does not.
#[test]
fn the_reader_sees_paths_in_code_and_only_there() {
    let module = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let src = r##"
use crate::config::Config;
use crate::{finding::Finding, report::{self, Format}};
// crate::hook in a comment
/* crate::pr in a block comment */
const S: &str = "crate::cli in a string";
const R: &str = r#"crate::cli in a raw string"#;
fn f<'a>(x: &'a str) -> char { let _ = crate::check::run; '"' }
use super::sibling;
use super::super::rules::Rule;
#[cfg(test)]
mod tests {
    use crate::install;
}
#[cfg(test)]
use crate::fuzzing;
"##;
    let edges: Vec<(usize, String)> = edges_of(src, &module(&["python", "file"]))
        .into_iter()
        .map(|(l, m, _)| (l, m))
        .collect();
    assert_eq!(
        edges,
        vec![
            (2, "config".to_string()),
            (3, "finding".to_string()),
            (3, "report".to_string()),
            (8, "check".to_string()),
            (10, "rules".to_string()),
        ]
    );
    // From a top-level file, `super::` is the crate root.
    let top = edges_of("use super::config::Config;\n", &module(&["finding"]));
    assert_eq!(top[0].1, "config");
    assert_eq!(inline_modules("pub mod inner {\n}\n"), vec![1]);
    assert!(inline_modules("#[cfg(test)]\nmod tests {\n}\nmod file;\n").is_empty());
}
