//! Name resolution through imports: which qualified path (`flask.session`,
//! `django.contrib.auth.login`) a bare name or a dotted expression refers to.
//!
//! Module scope is built from the outline: only the import lines are parsed, never the whole
//! file. The last binding of a name in file order wins, so a module-level `def login()` after
//! `from django.contrib.auth import login` shadows the import. Function scope adds the
//! function's own imports, parameters and assignments (flow-insensitive).

use crate::python::parse::Fields;
use std::collections::HashMap;

use tree_sitter::Node;

use super::outline::{BindingKind, Outline, TopKind};
use super::parse;

/// What a name is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// An imported module or member, by qualified path (`flask.session`).
    Import(String),
    /// A function defined in this module.
    LocalFunction,
    /// A class or a value assigned in this module or function.
    Local,
}

#[derive(Debug, Default, Clone)]
pub struct ModuleScope {
    names: HashMap<String, Bound>,
    /// The names still bound to imports, (local name, qualified path), sorted: lookups by
    /// path go through these only (a module can define 100,000 functions).
    imports: Vec<(String, String)>,
    /// The top-level package of every import, for framework detection (`django`, `flask`).
    pub imported_roots: Vec<String>,
    /// String constants of other project modules this module uses as keys
    /// (`from .middleware import _SESSION_KEY`; `session[_SESSION_KEY]`), by qualified
    /// path: filled in by the check once the project's modules are known.
    pub constants: HashMap<String, String>,
}

impl ModuleScope {
    /// Builds the module scope from the outline, parsing only the import lines.
    pub fn build(src: &str, outline: &Outline) -> ModuleScope {
        let mut entries: Vec<(usize, String, Bound)> = Vec::new();
        let mut import_text = String::new();
        let mut import_lines: Vec<usize> = Vec::new();
        for top in outline
            .top_lines
            .iter()
            .filter(|t| t.kind == TopKind::Import)
        {
            let Some(text) = src.get(top.start_byte..top.end_byte) else {
                continue;
            };
            import_lines.push(top.start_line);
            import_text.push_str(text.trim_start());
            if !import_text.ends_with('\n') {
                import_text.push('\n');
            }
        }
        let mut roots = Vec::new();
        for (i, bindings) in statement_bindings(&import_text).into_iter().enumerate() {
            let line = import_lines.get(i).copied().unwrap_or(0);
            for (name, path) in bindings {
                roots.push(path.split('.').next().unwrap_or("").to_string());
                entries.push((line, name, Bound::Import(path)));
            }
        }
        for b in &outline.bindings {
            let bound = match b.kind {
                BindingKind::Function => Bound::LocalFunction,
                BindingKind::Class | BindingKind::Assign => Bound::Local,
            };
            entries.push((b.line, b.name.clone(), bound));
        }
        entries.sort_by_key(|e| e.0);
        let mut names = HashMap::new();
        for (_, name, bound) in entries {
            names.insert(name, bound);
        }
        roots.sort();
        roots.dedup();
        let mut imports: Vec<(String, String)> = names
            .iter()
            .filter_map(|(name, b)| match b {
                Bound::Import(p) => Some((name.clone(), p.clone())),
                _ => None,
            })
            .collect();
        imports.sort();
        ModuleScope {
            names,
            imports,
            imported_roots: roots,
            constants: HashMap::new(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Bound> {
        self.names.get(name)
    }

    /// The module paths this module star-imports (`from .core import *`), as written.
    pub fn star_imports(src: &str) -> Vec<&str> {
        if memchr::memmem::find(src.as_bytes(), b"import *").is_none() {
            return Vec::new();
        }
        src.lines()
            .filter_map(|line| {
                let from = line.strip_prefix("from ")?;
                let path = from.trim_end().strip_suffix("import *")?.trim();
                (!path.is_empty()).then_some(path)
            })
            .collect()
    }

    /// Adds what `from other import *` binds: `other`'s public imports of absolute paths
    /// (`get_session` that it imports from `aiohttp_session`), where this module binds no
    /// such name itself.
    pub fn add_star_imports(&mut self, other: &ModuleScope) {
        let mut added = false;
        for (name, path) in other.imports() {
            if name.starts_with('_') || path.starts_with('.') || self.names.contains_key(name) {
                continue;
            }
            self.names
                .insert(name.to_string(), Bound::Import(path.to_string()));
            self.imports.push((name.to_string(), path.to_string()));
            let root = path.split('.').next().unwrap_or("").to_string();
            if !self.imported_roots.contains(&root) {
                self.imported_roots.push(root);
            }
            added = true;
        }
        if added {
            self.imports.sort();
            self.imported_roots.sort();
        }
    }

    /// The qualified path of a dotted name whose head a module-level import binds
    /// (`oauth_authorized.connect` -> `flask_dance.consumer.oauth_authorized.connect`).
    pub fn qualify(&self, text: &str) -> Option<String> {
        let (head, rest) = match text.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (text, None),
        };
        let Some(Bound::Import(base)) = self.names.get(head) else {
            return None;
        };
        Some(match rest {
            Some(r) => format!("{base}.{r}"),
            None => base.clone(),
        })
    }

    /// Every imported qualified path (`flask.session`, `.session_utils.rotate`).
    pub fn import_paths(&self) -> impl Iterator<Item = &str> {
        self.imports.iter().map(|(_, p)| p.as_str())
    }

    /// Every (local name, qualified path) an import binds at module level.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str)> {
        self.imports.iter().map(|(n, p)| (n.as_str(), p.as_str()))
    }

    pub fn imports_root(&self, root: &str) -> bool {
        self.imported_roots.iter().any(|r| r == root)
    }

    /// The local name under which `path` (e.g. `flask.session`) is reachable, and how:
    /// `session` for `from flask import session`, `flask.session` for `import flask`.
    pub fn spelling_of(&self, path: &str) -> Option<String> {
        // Prefer the path's own name (`session` over an alias `s`), then the shortest.
        let own = path.rsplit('.').next().unwrap_or(path);
        self.spellings_of(path)
            .min_by_key(|x| (x != own, x.len(), x.clone()))
    }

    /// Every local spelling of `path` (`s` for `from flask import session as s`, and
    /// `flask.session` as well when the module also imports `flask`).
    pub fn spellings_of<'s>(&'s self, path: &'s str) -> impl Iterator<Item = String> + 's {
        self.imports.iter().filter_map(move |(name, p)| {
            if p == path {
                Some(name.clone())
            } else {
                path.strip_prefix(p.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                    .map(|rest| format!("{name}.{rest}"))
            }
        })
    }
}

/// The (local name, qualified path) pairs an import statement binds.
pub fn import_bindings(stmt: Node<'_>, src: &str) -> Vec<(String, String)> {
    let text = |n: Node<'_>| src.get(n.byte_range()).unwrap_or("").to_string();
    let mut out = Vec::new();
    let mut cursor = stmt.walk();
    match stmt.kind() {
        "import_statement" => {
            for child in stmt.children_by_field_name("name", &mut cursor) {
                match child.kind() {
                    "dotted_name" => {
                        let path = text(child);
                        let first = path.split('.').next().unwrap_or("").to_string();
                        out.push((first.clone(), first));
                    }
                    "aliased_import" => {
                        if let (Some(n), Some(a)) = (child.field("name"), child.field("alias")) {
                            out.push((text(a), text(n)));
                        }
                    }
                    _ => {}
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = stmt.field("module_name") else {
                return out;
            };
            let module = text(module);
            for child in stmt.children_by_field_name("name", &mut cursor) {
                match child.kind() {
                    "dotted_name" => {
                        let name = text(child);
                        out.push((name.clone(), join(&module, &name)));
                    }
                    "aliased_import" => {
                        if let (Some(n), Some(a)) = (child.field("name"), child.field("alias")) {
                            out.push((text(a), join(&module, &text(n))));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// The (local name, qualified path) bindings of each statement of `import_text` (a
/// module's import statements, one after another). The last answer is kept, per thread: the
/// two versions of a changed file almost always share their imports, and this parse is the
/// dearest part of preparing a file.
fn statement_bindings(import_text: &str) -> Vec<Vec<(String, String)>> {
    type Bindings = Vec<Vec<(String, String)>>;
    thread_local! {
        static LAST: std::cell::RefCell<Option<(String, Bindings)>> =
            const { std::cell::RefCell::new(None) };
    }
    if import_text.is_empty() {
        return Vec::new();
    }
    let hit = LAST.with(|last| match &*last.borrow() {
        Some((text, bindings)) if text == import_text => Some(bindings.clone()),
        _ => None,
    });
    if let Some(bindings) = hit {
        return bindings;
    }
    let Some(tree) = parse::parse(import_text) else {
        return Vec::new(); // not kept: a parse can stop early (the time budget)
    };
    let root = tree.root_node();
    let mut cursor = root.walk();
    let bindings: Bindings = root
        .named_children(&mut cursor)
        .map(|stmt| import_bindings(stmt, import_text))
        .collect();
    LAST.with(|last| *last.borrow_mut() = Some((import_text.to_string(), bindings.clone())));
    bindings
}

fn join(module: &str, name: &str) -> String {
    if module.ends_with('.') {
        format!("{module}{name}")
    } else {
        format!("{module}.{name}")
    }
}

/// Names bound inside one function: its imports, parameters and assignment targets.
#[derive(Debug, Default, Clone)]
pub struct FunctionScope {
    pub names: HashMap<String, Bound>,
    /// Parameter names in order (including `self`).
    pub params: Vec<String>,
    /// Local names assigned from another expression (`s = session`), with that expression's text.
    pub aliases: HashMap<String, Vec<String>>,
    /// Parameters' annotations (`store: SessionBox`), as written, or what a decorator's
    /// argument of the same name injects (`@require(store="app.session:SessionBox")`).
    pub annotations: HashMap<String, String>,
}

impl FunctionScope {
    pub fn build(func: Node<'_>, src: &str) -> FunctionScope {
        let mut scope = FunctionScope::default();
        if let Some(params) = func.field("parameters") {
            let mut cursor = params.walk();
            for p in params.named_children(&mut cursor) {
                let name_node = match p.kind() {
                    "identifier" => Some(p),
                    "typed_parameter" => p.named_child(0).filter(|n| n.kind() == "identifier"),
                    "default_parameter" | "typed_default_parameter" => p.field("name"),
                    _ => None,
                };
                if let Some(n) = name_node {
                    let name = src.get(n.byte_range()).unwrap_or("").to_string();
                    // `def set_session(info, session=flask.session)`: the default is what
                    // the parameter holds when callers leave it out.
                    if let Some(default) = p.field("value") {
                        let v = src.get(default.byte_range()).unwrap_or("").to_string();
                        scope.aliases.entry(name.clone()).or_default().push(v);
                    }
                    if let Some(ty) = p.field("type") {
                        let t = src.get(ty.byte_range()).unwrap_or("").to_string();
                        scope.annotations.insert(name.clone(), t);
                    }
                    scope.params.push(name.clone());
                    scope.names.insert(name, Bound::Local);
                }
            }
        }
        // `@require(box="app.web.session:SessionBox")`, `@inject(box=SessionBox)`: a
        // decorator's argument named for a parameter says what is injected into it, as an
        // annotation would.
        if let Some(decorated) = func.parent().filter(|p| p.kind() == "decorated_definition") {
            let mut cursor = decorated.walk();
            for dec in decorated.named_children(&mut cursor) {
                let Some(args) = dec
                    .named_child(0)
                    .filter(|c| c.kind() == "call")
                    .and_then(|c| c.field("arguments"))
                else {
                    continue;
                };
                let mut c = args.walk();
                for arg in args.named_children(&mut c) {
                    if let (Some(n), Some(v)) = (arg.field("name"), arg.field("value")) {
                        let name = src.get(n.byte_range()).unwrap_or("");
                        if scope.params.iter().any(|p| p == name)
                            && matches!(v.kind(), "string" | "identifier" | "attribute")
                        {
                            let v = src.get(v.byte_range()).unwrap_or("").to_string();
                            scope.annotations.entry(name.to_string()).or_insert(v);
                        }
                    }
                }
            }
        }
        if let Some(body) = func.field("body") {
            scope.collect(body, src);
        }
        scope
    }

    fn collect(&mut self, node: Node<'_>, src: &str) {
        let mut stack = vec![node];
        let text = |n: Node<'_>| src.get(n.byte_range()).unwrap_or("").to_string();
        while let Some(n) = stack.pop() {
            match n.kind() {
                // Nested scopes bind their own names.
                "function_definition" | "class_definition" | "lambda" => {
                    if let Some(name) = n.field("name") {
                        self.names.insert(text(name), Bound::Local);
                    }
                    continue;
                }
                "import_statement" | "import_from_statement" => {
                    for (name, path) in import_bindings(n, src) {
                        self.names.insert(name, Bound::Import(path));
                    }
                    continue;
                }
                "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                    if let Some(left) = n.field("left") {
                        self.bind_target(left, n.field("right"), src);
                    }
                }
                "as_pattern" => {
                    if let Some(alias) = n.field("alias") {
                        let mut c = alias.walk();
                        for id in alias.named_children(&mut c).chain(std::iter::once(alias)) {
                            if id.kind() == "identifier" {
                                self.names.insert(text(id), Bound::Local);
                            }
                        }
                    }
                }
                "named_expression" => {
                    if let Some(name) = n.field("name") {
                        self.bind_target(name, n.field("value"), src);
                    }
                }
                _ => {}
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
    }

    fn bind_target(&mut self, target: Node<'_>, value: Option<Node<'_>>, src: &str) {
        match target.kind() {
            "identifier" => {
                let name = src.get(target.byte_range()).unwrap_or("").to_string();
                if let Some(v) = value {
                    let vt = src.get(v.byte_range()).unwrap_or("").to_string();
                    self.aliases.entry(name.clone()).or_default().push(vt);
                }
                self.names.insert(name, Bound::Local);
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
                let mut cursor = target.walk();
                for child in target.named_children(&mut cursor) {
                    self.bind_target(child, None, src);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::outline;

    #[test]
    fn star_imports_bind_the_starred_modules_public_imports() {
        let src = "from .core import *\nfrom os import path\nfrom x import (a)\ndef get_session():\n    pass\ns = 'from y import *'\n";
        assert_eq!(ModuleScope::star_imports(src), [".core"]);
        let core = "from aiohttp_session import get_session, new_session\nfrom aiohttp import web\nfrom ._private import _hidden\nfrom .db import users\nimport os.path as path\n";
        let o = outline::scan(src.as_bytes());
        let mut m = ModuleScope::build(src, &o);
        let c = ModuleScope::build(core, &outline::scan(core.as_bytes()));
        m.add_star_imports(&c);
        // The module's own definition and import win; relative and private names are not
        // taken (their paths are the starred module's).
        assert_eq!(m.get("get_session"), Some(&Bound::LocalFunction));
        assert_eq!(m.get("path"), Some(&Bound::Import("os.path".into())));
        assert_eq!(
            m.get("new_session"),
            Some(&Bound::Import("aiohttp_session.new_session".into()))
        );
        assert_eq!(m.get("web"), Some(&Bound::Import("aiohttp.web".into())));
        assert_eq!(m.get("users"), None);
        assert_eq!(m.get("_hidden"), None);
        assert!(m.imports_root("aiohttp_session"));
        assert_eq!(
            m.qualify("web.HTTPFound").as_deref(),
            Some("aiohttp.web.HTTPFound")
        );
    }

    #[test]
    fn aliases_and_shadowing() {
        let src = "import flask as f\nfrom flask import session as s\nfrom django.contrib.auth import login as auth_login\nfrom django.contrib import auth\ntry:\n    from flask_login import login_user\nexcept ImportError:\n    pass\nfrom django.contrib.auth import logout\ndef logout(request):\n    pass\n";
        let o = outline::scan(src.as_bytes());
        let m = ModuleScope::build(src, &o);
        assert_eq!(m.get("f"), Some(&Bound::Import("flask".into())));
        assert_eq!(m.get("s"), Some(&Bound::Import("flask.session".into())));
        assert_eq!(
            m.get("auth_login"),
            Some(&Bound::Import("django.contrib.auth.login".into()))
        );
        assert_eq!(
            m.get("auth"),
            Some(&Bound::Import("django.contrib.auth".into()))
        );
        assert_eq!(
            m.get("login_user"),
            Some(&Bound::Import("flask_login.login_user".into()))
        );
        assert_eq!(
            m.get("logout"),
            Some(&Bound::LocalFunction),
            "a later def shadows the import"
        );
        assert_eq!(
            m.spelling_of("flask.session").as_deref(),
            Some("s"),
            "the only spelling"
        );
        assert!(m.imports_root("django"));
    }

    /// Two versions of a file with the same imports share one parse of them; a version whose
    /// imports differ gets its own.
    #[test]
    fn versions_with_the_same_imports_bind_the_same_names() {
        let old = "from flask import session as s\nimport os\n\ndef f():\n    s.clear()\n";
        let new = "from flask import session as s\nimport os\n\ndef f():\n    s['a'] = 1\n\ndef g():\n    pass\n";
        let other = "from flask import session as t\nimport os\n";
        let scope = |src: &str| ModuleScope::build(src, &outline::scan(src.as_bytes()));
        let (a, b, c) = (scope(old), scope(new), scope(other));
        assert_eq!(a.imports, b.imports);
        assert_eq!(b.get("g"), Some(&Bound::LocalFunction));
        assert_eq!(c.get("t"), Some(&Bound::Import("flask.session".into())));
        assert_eq!(c.get("s"), None, "not the previous file's binding");
        assert_eq!(scope(old).imports, a.imports);
    }
}

#[cfg(test)]
mod spelling_tests {
    use super::*;
    use crate::python::outline;

    #[test]
    fn prefers_own_name_over_alias() {
        let src = "import flask\nfrom flask import Flask, redirect, request, session\nfrom flask import session as s\n";
        let o = outline::scan(src.as_bytes());
        let m = ModuleScope::build(src, &o);
        assert_eq!(
            m.get("session"),
            Some(&Bound::Import("flask.session".into()))
        );
        assert_eq!(m.spelling_of("flask.session").as_deref(), Some("session"));
    }
}
