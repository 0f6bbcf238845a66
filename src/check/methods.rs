//! Stage 3, methods: calls on objects whose class is a project class. `python::receivers`
//! says from the text which class a receiver has (the enclosing class for an inherited
//! `self.helper()`, an attribute's class for `self.provider.done()`, a local's or a
//! parameter's for `grant.apply(request)`); this module finds that class in the project
//! (defined in the file, or imported, through re-exports) and the method in it or its bases
//! (in this module or imported), and hands the helper stage one more target per call:
//! summarised as imported helpers are, and found by the semantic layer under
//! `receivers::key`. Files are read only to follow a class or a base the text names, each
//! once per run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::python::file::Prepared;
use crate::python::imports::Bound;
use crate::python::modules::{ModuleIndex, Target};
use crate::python::outline::{Def, DefKind};
use crate::python::receivers::{self, Receiver};
use crate::source::ProjectTree;

/// How far re-exports and base classes are followed.
const MAX_DEPTH: usize = 6;

/// The project's classes, read on demand.
pub(super) struct Classes<'a, 'i> {
    tree: &'a dyn ProjectTree,
    index: &'a ModuleIndex<'i>,
    known: HashMap<&'a str, &'a Prepared>,
    read: Mutex<HashMap<String, Option<Arc<Prepared>>>>,
}

impl<'a, 'i> Classes<'a, 'i> {
    pub(super) fn new(
        tree: &'a dyn ProjectTree,
        index: &'a ModuleIndex<'i>,
        known: HashMap<&'a str, &'a Prepared>,
    ) -> Self {
        Classes {
            tree,
            index,
            known,
            read: Mutex::new(HashMap::new()),
        }
    }

    /// The files read to follow classes so far, prepared: the helper stage takes them from
    /// here rather than preparing them again.
    pub(super) fn files(&self) -> HashMap<String, Arc<Prepared>> {
        self.read
            .lock()
            .map(|m| {
                m.iter()
                    .filter_map(|(path, p)| Some((path.clone(), p.clone()?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn with_file<R>(&self, path: &str, f: impl FnOnce(&Prepared) -> Option<R>) -> Option<R> {
        if let Some(p) = self.known.get(path) {
            return f(p);
        }
        let cached = self.read.lock().ok()?.get(path).cloned();
        let p = match cached {
            Some(p) => p,
            None => {
                let p = self
                    .tree
                    .read(path)
                    .map(|bytes| Arc::new(Prepared::new(path.to_string(), &bytes)));
                self.read.lock().ok()?.insert(path.to_string(), p.clone());
                p
            }
        }?;
        f(&p)
    }

    /// The class `spelling` names in file `path`: (its file, its qualified name there).
    fn class(&self, path: &str, spelling: &str, depth: usize) -> Option<(String, String)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (head, rest) = match spelling.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (spelling, None),
        };
        let import = self.with_file(path, |p| {
            if rest.is_none() && top_class(p, spelling) {
                return Some(None);
            }
            match p.module.get(head) {
                Some(Bound::Import(q)) => Some(Some(q.clone())),
                _ => None,
            }
        })?;
        let Some(q) = import else {
            return Some((path.to_string(), spelling.to_string()));
        };
        let full = match rest {
            Some(r) => format!("{q}.{r}"),
            None => q,
        };
        let target = self.index.resolve(path, &full)?;
        let name = target.function?;
        if name.contains('.') {
            return None;
        }
        // Defined there, or imported there in turn (a package's `__init__` re-exporting it).
        self.class(&target.file, &name, depth + 1)
    }

    /// Method `method` of class `class` in `file`, or of its bases: (file, `Class.method`).
    fn method(
        &self,
        file: &str,
        class: &str,
        method: &str,
        skip_own: bool,
        depth: usize,
    ) -> Option<(String, String)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let qualname = format!("{class}.{method}");
        let bases = self.with_file(file, |p| {
            if !skip_own && declares(p, method) && p.outline.function_named(&qualname).is_some() {
                return Some(Err(()));
            }
            Some(Ok(class_bases(p, class)))
        })?;
        let Ok(bases) = bases else {
            return Some((file.to_string(), qualname));
        };
        bases.iter().find_map(|b| {
            let (bf, bc) = self.class(file, b, 0)?;
            self.method(&bf, &bc, method, false, depth + 1)
        })
    }

    /// The class of attribute `attr` of class `class` in `file` (or of its bases).
    fn attribute(
        &self,
        file: &str,
        class: &str,
        attr: &str,
        depth: usize,
    ) -> Option<(String, String)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (own, bases) = self.with_file(file, |p| {
            let d = p
                .outline
                .defs
                .iter()
                .find(|d| d.kind == DefKind::Class && d.qualname == class)?;
            let text = p.text.get(d.start_byte..d.end_byte)?;
            let own = receivers::attribute_class(text, attr).map(str::to_string);
            Some((own, class_bases(p, class)))
        })?;
        if let Some(spelling) = own {
            return self.class(file, &spelling, 0);
        }
        bases.iter().find_map(|b| {
            let (bf, bc) = self.class(file, b, 0)?;
            self.attribute(&bf, &bc, attr, depth + 1)
        })
    }

    /// The methods `p`'s functions call on objects of project classes, as helper targets
    /// keyed by `receivers::key`; and the calls whose receiver's class the text does not
    /// say, for the class-hierarchy fallback (`Unresolved`).
    pub(super) fn targets(&self, p: &Prepared) -> (Vec<(String, Target)>, Vec<Unresolved>) {
        let mut out = Vec::new();
        let mut unresolved = Vec::new();
        for (i, d) in p.outline.defs.iter().enumerate() {
            if d.kind != DefKind::Function {
                continue;
            }
            let Some(body) = p.text.get(d.start_byte..d.end_byte) else {
                continue;
            };
            // Resolved only where the function can be a login, a step-up or a logout.
            if !may_log_in_or_out(body) {
                continue;
            }
            self.def_targets(p, i, &mut out, Some(&mut unresolved));
        }
        (out, unresolved)
    }

    /// The methods function `def` of `p` calls on objects of project classes whose class the
    /// text says, as helper targets keyed by `receivers::key` (a helper's own callees, below
    /// the first hop), and the calls whose receiver's class the text does not say (there the
    /// fallback looks in the helper's own module and those it imports, `class_methods_named`:
    /// no pass over the tree per depth). Only in a function whose text can
    /// log in or out or names a session: the others' method calls lead to no login, and
    /// resolving them reads the classes' files.
    pub(super) fn targets_of(
        &self,
        p: &Prepared,
        def: usize,
    ) -> (Vec<(String, Target)>, Vec<Unresolved>) {
        let mut out = Vec::new();
        let mut unresolved = Vec::new();
        let d = &p.outline.defs[def];
        let body = p.text.get(d.start_byte..d.end_byte).unwrap_or("");
        if may_log_in_or_out(body) || may_change_a_login(body) {
            self.def_targets(p, def, &mut out, Some(&mut unresolved));
        }
        (out, unresolved)
    }

    /// `targets` of one function (`def`): the resolved calls go to `out`, the others to
    /// `unresolved` when it is given.
    fn def_targets(
        &self,
        p: &Prepared,
        def: usize,
        out: &mut Vec<(String, Target)>,
        mut unresolved: Option<&mut Vec<Unresolved>>,
    ) {
        let d = &p.outline.defs[def];
        let Some(body) = p.text.get(d.start_byte..d.end_byte) else {
            return;
        };
        let mut changes = None;
        let class = d
            .parent
            .map(|i| &p.outline.defs[i])
            .filter(|c| c.kind == DefKind::Class)
            .map(|c| c.qualname.as_str());
        for site in receivers::call_sites(body) {
            let m = site.method.as_str();
            // A module-level name (`session` imported from the framework, a module) is no
            // instance of a class the text says; an imported class's own (static or class)
            // method (`CookieBackend.mark_2fa(request)`) is the class's.
            if let Receiver::Local(x) = &site.receiver {
                if p.module.get(x).is_some() && !x.as_bytes()[0].is_ascii_uppercase() {
                    continue;
                }
            }
            let found = match (&site.receiver, class) {
                // `self.m()` of an inherited method, and `super().m()` the same way:
                // the class's own methods are `Event::LocalCall`s, and an override's
                // `super().m()` is not followed (Django's views call theirs at every
                // level of their hierarchies: +5% instructions on the Django scan).
                (Receiver::SelfClass | Receiver::Super, Some(c)) => {
                    if declares(p, m) && p.outline.function_named(&format!("{c}.{m}")).is_some() {
                        continue;
                    }
                    self.method(&p.path, c, m, true, 0)
                }
                (Receiver::SelfAttr(a), Some(c)) => self
                    .attribute(&p.path, c, a, 0)
                    .and_then(|(f, k)| self.method(&f, &k, m, false, 0)),
                (Receiver::Local(x), _) if p.module.get(x).is_some() => self
                    .class(&p.path, x, 0)
                    .and_then(|(f, k)| self.method(&f, &k, m, false, 0)),
                (Receiver::Local(x), _) => {
                    let spelling = receivers::local_class(body, x).or_else(|| {
                        // `Grant.issue(...)`: a class's own (static or class) method (an
                        // assignment to a class's attribute runs no setter).
                        (x.as_bytes()[0].is_ascii_uppercase() && !receivers::is_setter(m))
                            .then_some(x.as_str())
                    });
                    spelling
                        .and_then(|s| self.class(&p.path, s, 0))
                        .and_then(|(f, k)| self.method(&f, &k, m, false, 0))
                }
                (Receiver::Constructed(c), _) => self
                    .class(&p.path, c, 0)
                    .and_then(|(f, k)| self.method(&f, &k, m, false, 0)),
                // `self._build(...).m()`: the class its annotation says it returns.
                (Receiver::Returned(r), _) => {
                    let made = match (r.strip_prefix("self."), class) {
                        (Some(own), Some(c)) => self.method(&p.path, c, own, false, 0),
                        (None, _) => p
                            .outline
                            .function_named(r)
                            .map(|_| (p.path.clone(), r.clone())),
                        _ => None,
                    };
                    made.and_then(|(file, qualname)| {
                        let spelling = self.with_file(&file, |q| {
                            let d = q.outline.function_named(&qualname)?;
                            let d = &q.outline.defs[d];
                            let text = q.text.get(d.start_byte..d.end_byte)?;
                            receivers::return_class(text).map(str::to_string)
                        })?;
                        self.class(&file, &spelling, 0)
                    })
                    .and_then(|(f, k)| self.method(&f, &k, m, false, 0))
                }
                _ => None,
            };
            let unknown_receiver = match &site.receiver {
                Receiver::SelfAttr(_) => class.is_some(),
                Receiver::Attribute(x) => {
                    let head = x.split('.').next().unwrap_or(x);
                    !framework_receiver(head) && !literal_value(body, head)
                }
                Receiver::Local(x) => {
                    !x.as_bytes()[0].is_ascii_uppercase()
                        && !framework_receiver(x)
                        && !literal_value(body, x)
                }
                Receiver::SelfClass
                | Receiver::Super
                | Receiver::Constructed(_)
                | Receiver::Returned(_) => false,
            };
            if let Some(unresolved) = unresolved.as_deref_mut().filter(|_| {
                found.is_none()
                    && unknown_receiver
                    && !receivers::is_setter(m)
                    && specific_method(m)
                    && *changes.get_or_insert_with(|| may_change_a_login(body))
            }) {
                unresolved.push(Unresolved {
                    key: receivers::key(&d.qualname, &site.callee),
                    method: m.to_string(),
                    near: matches!(site.receiver, Receiver::Attribute(_)),
                });
            }
            if let Some((file, function)) = found {
                out.push((
                    receivers::key(&d.qualname, &site.callee),
                    Target {
                        file,
                        function: Some(function),
                    },
                ));
            }
        }
    }
}

/// A method call whose receiver's class the text does not say (`svc = registry.lookup(...)`
/// then `svc.end_user_session()`, a plugin loaded by name in `self.auth`), in a function
/// that can be a login or a logout. The class-hierarchy fallback resolves it to the
/// project's definitions of the method (`definitions`): the helper stage summarises each,
/// and keeps the call's summary only if they all agree (`agree`).
#[derive(Debug, Clone)]
pub(super) struct Unresolved {
    pub key: String,
    pub method: String,
    /// Resolved only among the caller's own module and those it imports (`nearby`), not
    /// the whole tree: an attribute of a module-level object
    /// (`_security.plugins.tf_complete(u)`), which most calls of a project's extension
    /// state are, and which a commit hook must not answer with a pass over the tree.
    pub near: bool,
}

/// At most this many definitions of one method name are summarised for a call.
pub(super) const MAX_DEFINITIONS: usize = 4;

/// Receivers that are framework objects whatever the project defines (their methods are
/// the framework's).
fn framework_receiver(x: &str) -> bool {
    matches!(
        x,
        "request"
            | "req"
            | "session"
            | "response"
            | "resp"
            | "db"
            | "app"
            | "current_app"
            | "g"
            | "settings"
            | "config"
            | "logger"
            | "log"
            | "cursor"
            | "conn"
            | "connection"
            | "form"
            | "serializer"
            | "super"
    )
}

/// Is `name` assigned a literal in `body` (`x = {}`, `x = []`, `x = "..."`): a builtin
/// type, no project class?
fn literal_value(body: &str, name: &str) -> bool {
    body.match_indices(name).any(|(at, _)| {
        let before = body[..at].bytes().last();
        if before.is_some_and(|c| ident_byte(c) || c == b'.') {
            return false;
        }
        body[at + name.len()..]
            .trim_start_matches([' ', '\t'])
            .strip_prefix('=')
            .filter(|v| !v.starts_with('='))
            .map(str::trim_start)
            .and_then(|v| v.bytes().next())
            .is_some_and(|c| matches!(c, b'{' | b'[' | b'"' | b'\'' | b'0'..=b'9'))
    })
}

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Is method name `m` specific enough that the project's definitions of it are what an
/// object of unknown class runs? A compound name (`end_session`, `authenticate_user`,
/// `headersRemember`), not private-dunder, not a method name of the standard library or of
/// a framework's objects (`get_user`, `set_password`, `is_valid`): one-word names (`get`,
/// `save`, `login`, `authenticate`) are methods of too many classes.
pub(super) fn specific_method(m: &str) -> bool {
    if m.starts_with("__") {
        return false;
    }
    let core = m.trim_start_matches('_');
    let compound = core.trim_end_matches('_').contains('_')
        || core.bytes().skip(1).any(|c| c.is_ascii_uppercase());
    compound
        && !matches!(
            core,
            "get_user"
                | "set_password"
                | "check_password"
                | "set_unusable_password"
                | "has_usable_password"
                | "cycle_key"
                | "set_expiry"
                | "get_expiry_age"
                | "login_user"
                | "logout_user"
                | "get_or_create"
                | "update_or_create"
                | "get_object"
                | "get_queryset"
                | "get_context_data"
                | "form_valid"
                | "form_invalid"
                | "is_valid"
                | "full_clean"
                | "has_perm"
                | "has_perms"
                | "refresh_from_db"
                | "process_request"
                | "process_response"
                | "process_view"
                | "get_response"
                | "set_cookie"
                | "delete_cookie"
                | "set_signed_cookie"
                | "get_signed_cookie"
                | "find_service"
                | "route_url"
                | "route_path"
                | "get_full_path"
                | "build_absolute_uri"
                | "is_authenticated"
                | "get_session_auth_hash"
                | "check_token"
                | "make_token"
                | "create_user"
                | "create_superuser"
                | "normalize_email"
                | "get_by_natural_key"
                | "email_user"
                | "send_mail"
                | "add_message"
                | "new_csrf_token"
                | "get_csrf_token"
                | "get_json"
                | "get_data"
                | "to_dict"
                | "as_view"
                | "add_url_rule"
                | "register_blueprint"
                | "url_for"
                | "render_template"
                | "get_id"
                | "get_username"
                | "set_session"
                | "get_session"
                | "save_session"
                | "open_session"
        )
}

/// Test code: its doubles are not what the project's other code calls.
pub(super) fn test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || path
            .split('/')
            .any(|d| matches!(d, "tests" | "test" | "testing"))
}

/// A definition with no body of its own (an interface's or an abstract base's: a docstring,
/// `pass`, `...`, `raise NotImplementedError`): not what a call runs.
fn stub(def_text: &str) -> bool {
    // The body starts after the header's closing parenthesis and colon.
    let Some(open) = def_text
        .find("def ")
        .and_then(|d| def_text[d..].find('(').map(|o| o + d))
    else {
        return false;
    };
    let mut depth = 0usize;
    let mut close = None;
    for (i, c) in def_text[open..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return false;
    };
    let Some(colon) = def_text[close..].find(':') else {
        return false;
    };
    let body = &def_text[close + colon + 1..];
    let mut lines = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    // A docstring.
    if let Some(first) = lines.peek().copied() {
        for q in ["\"\"\"", "'''"] {
            let first = first.trim_start_matches(['r', 'u', 'b']);
            if let Some(rest) = first.strip_prefix(q) {
                lines.next();
                if !rest.contains(q) {
                    for l in lines.by_ref() {
                        if l.contains(q) {
                            break;
                        }
                    }
                }
                break;
            }
        }
    }
    lines.all(|l| {
        l == "pass"
            || l == "..."
            || l.starts_with("raise NotImplementedError")
            || l.starts_with("return NotImplemented")
    })
}

/// The project's class methods named in `names`, outside `excluded` paths: (file,
/// qualified name) per name, stubs left out (the caller leaves out test code's unless it
/// is test code itself). One pass over the tree's Python files
/// (the files being checked from `known`, the rest read), made only when a fallback call
/// exists; a file is prepared only if its text holds `def name(`.
pub(super) fn definitions(
    tree: &dyn ProjectTree,
    known: &HashMap<&str, &Prepared>,
    contents: &HashMap<&str, &[u8]>,
    names: &[String],
    excluded: &(dyn Fn(&str) -> bool + Sync),
) -> HashMap<String, Vec<(String, String)>> {
    use rayon::prelude::*;
    let patterns: Vec<String> = names.iter().map(|n| format!("def {n}(")).collect();
    let Ok(ac) = aho_corasick::AhoCorasick::new(&patterns) else {
        return HashMap::new();
    };
    let paths: Vec<&str> = tree.paths().iter().collect();
    let found: Vec<(String, String, String)> = paths
        .par_iter()
        .filter(|path| !excluded(path))
        .flat_map_iter(|path| {
            let mut out = Vec::new();
            let owned;
            let prepared_known = known.get(*path).copied();
            let text: &[u8] = match (prepared_known, contents.get(*path)) {
                (Some(p), _) => p.text.as_bytes(),
                (None, Some(c)) => c,
                (None, None) => match tree.read(path) {
                    Some(b) => {
                        owned = b;
                        &owned
                    }
                    None => return out,
                },
            };
            if ac.find(text).is_none() {
                return out;
            }
            // The outline alone (no module scope): only the definitions are looked at.
            let made;
            let (outline, text) = match prepared_known {
                Some(p) => (&p.outline, p.text.as_str()),
                None => {
                    let text = String::from_utf8_lossy(text);
                    made = (crate::python::outline::scan(text.as_bytes()), text);
                    (&made.0, made.1.as_ref())
                }
            };
            for d in &outline.defs {
                if names.contains(&d.name) && class_method(outline, text, d) {
                    out.push((d.name.clone(), path.to_string(), d.qualname.clone()));
                }
            }
            out
        })
        .collect();
    let mut by_name: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (name, file, qualname) in found {
        by_name.entry(name).or_default().push((file, qualname));
    }
    for defs in by_name.values_mut() {
        defs.sort();
        defs.dedup();
    }
    by_name
}

/// Is `d` (of `outline`, over `text`) a method of a class with a body of its own (what a
/// call of its name on an object of that class runs)?
fn class_method(outline: &crate::python::outline::Outline, text: &str, d: &Def) -> bool {
    d.kind == DefKind::Function
        && d.parent
            .is_some_and(|i| outline.defs[i].kind == DefKind::Class)
        && !stub(text.get(d.start_byte..d.end_byte).unwrap_or(""))
}

impl Classes<'_, '_> {
    /// The definitions of method `name` (file, qualified name) in `files` (a caller's own
    /// module and those it imports), each file read once per run.
    pub(super) fn nearby(&self, files: &[String], name: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for f in files {
            let found = self
                .with_file(f, |p| Some(class_methods_named(p, name)))
                .unwrap_or_default();
            out.extend(found.into_iter().map(|q| (f.clone(), q)));
        }
        out
    }
}

/// The qualified names of `p`'s class methods named `name` (`definitions` of one file).
pub(super) fn class_methods_named(p: &Prepared, name: &str) -> Vec<String> {
    p.outline
        .defs
        .iter()
        .filter(|d| d.name == name && class_method(&p.outline, &p.text, d))
        .map(|d| d.qualname.clone())
        .collect()
}

/// The summary of a call resolved to several definitions: kept only if every definition
/// was summarised and all agree on what a session check needs (identity, privilege, ended
/// login, rotation, reset); it authenticates if most definitions do (a dispatch over
/// plug-ins whose base is abstract). A union of the writers would report a call that runs a
/// definition which writes nothing.
pub(super) fn agree(
    summaries: &[Option<crate::python::summary::Summary>],
) -> Option<crate::python::summary::Summary> {
    let first = (*summaries.first()?)?;
    let mut out = first;
    // Authentication by the majority of the definitions: a dispatch over plug-ins (an OAuth
    // handler per provider) authenticates though its abstract base (`pass`) and a
    // development stub (a fixed user) do not.
    let verifying = summaries
        .iter()
        .flatten()
        .filter(|s| s.authenticates)
        .count();
    for s in &summaries[1..] {
        let s = (*s)?;
        if (
            s.writes_identity,
            s.writes_privilege,
            s.ends_login,
            s.rotates,
            s.resets,
            s.stores_arg,
        ) != (
            first.writes_identity,
            first.writes_privilege,
            first.ends_login,
            first.rotates,
            first.resets,
            first.stores_arg,
        ) {
            return None;
        }
    }
    out.authenticates = verifying * 2 > summaries.len();
    Some(out)
}

/// Can file `p` define method `method`? A property's setter (`token.fset`) only where the
/// text declares one (`@token.setter`): most classes have none, and looking the name up in
/// the outline costs a pass over its definitions per assignment.
fn declares(p: &Prepared, method: &str) -> bool {
    match method.strip_suffix(".fset") {
        Some(attr) => {
            let declared = format!("@{attr}.setter");
            memchr::memmem::find(p.text.as_bytes(), declared.as_bytes()).is_some()
        }
        None => true,
    }
}

/// Is `name` a top-level class of `p`?
fn top_class(p: &Prepared, name: &str) -> bool {
    p.outline
        .defs
        .iter()
        .any(|d| d.kind == DefKind::Class && d.parent.is_none() && d.name == name)
}

/// The bases written in the header of class `class` (qualified name) of `p`.
fn class_bases(p: &Prepared, class: &str) -> Vec<String> {
    let Some(d) = p
        .outline
        .defs
        .iter()
        .find(|d| d.kind == DefKind::Class && d.qualname == class)
    else {
        return Vec::new();
    };
    let text = p.text.get(d.start_byte..d.end_byte).unwrap_or("");
    let Some(at) = text.find(&format!("class {}", d.name)) else {
        return Vec::new();
    };
    let header = &text[at + 6 + d.name.len()..];
    if !header.trim_start().starts_with('(') {
        return Vec::new();
    }
    let mut n = header.len().min(2000);
    while !header.is_char_boundary(n) {
        n -= 1;
    }
    let header = &header[..n];
    receivers::bases(header)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Does a function's text name a login, a logout or a session (the callers whose calls on
/// objects of unknown class fall back to the project's definitions of the method: that
/// fallback reads the whole tree, so only for these)?
fn may_change_a_login(body: &str) -> bool {
    use memchr::memmem::Finder;
    static FINDERS: std::sync::OnceLock<Vec<Finder<'static>>> = std::sync::OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        [
            "login", "Login", "logout", "Logout", "log_in", "log_out", "signin", "sign_in",
            "signout", "sign_out", "session", "Session", "remember", "forget",
        ]
        .iter()
        .map(|w| Finder::new(w.as_bytes()).into_owned())
        .collect()
    });
    finders.iter().any(|f| f.find(body.as_bytes()).is_some())
}

/// Can a function be a login, a step-up or a logout (the callers whose method calls are
/// resolved)? Each finding needs evidence of authentication or a logout, which its text (or
/// a helper's name in it) says with one of these words. (A session word alone is not one:
/// a session store's own methods, which call each other all the time, would all be
/// resolved.)
fn may_log_in_or_out(body: &str) -> bool {
    // One automaton (at most 32 patterns: its packed searcher), not a search per word:
    // most bodies hold none, and were searched once per word.
    static WORDS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        aho_corasick::AhoCorasick::new([
            "auth",
            "Auth",
            "login",
            "Login",
            "logout",
            "log_in",
            "log_out",
            // Not `sign` alone: `assign`, `signal` and `design` are no login.
            "sign_",
            "signin",
            "signon",
            "signup",
            "signout",
            "Sign",
            // A sign-up (`register_user`, `RegisterForm`, `SECURITY_REGISTER_FORM`), whose
            // account creation can log in; not `register` alone (a registry's:
            // `atexit.register`, `server.register_function`: +1.6% on the stdlib scan).
            "register_user",
            "RegisterForm",
            "REGISTER_FORM",
            "RegistrationForm",
            "registration_form",
            "create_user",
            "signature",
            "signed",
            "signer",
            "assword",
            "passwd",
            "verify",
            "token",
            // An activation or confirmation link followed (`redeem_activation(code)`).
            "activat",
            "confirm",
            "otp",
            "OTP",
            "credential",
        ])
        .expect("fixed patterns")
    });
    words.is_match(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::Framework;
    use crate::python::summary::Summary;

    #[test]
    fn only_specific_names_fall_back() {
        for m in [
            "end_session",
            "authenticate_user",
            "headers_remember",
            "endSession",
        ] {
            assert!(specific_method(m), "{m}");
        }
        for m in [
            "get",
            "save",
            "update",
            "delete",
            "__init__",
            "reset",
            "authenticate",
            "get_user",
            "set_password",
            "is_valid",
            "_private_",
        ] {
            assert!(!specific_method(m), "{m}");
        }
    }

    #[test]
    fn stubs_are_no_definitions() {
        assert!(stub("    def m(self, a):\n        \"\"\"Doc.\"\"\"\n"));
        assert!(stub(
            "    def m(self):\n        raise NotImplementedError()\n"
        ));
        assert!(stub(
            "    def m(value):\n        \"\"\"Two\n        lines.\"\"\"\n        ...\n"
        ));
        assert!(!stub(
            "    def m(self):\n        \"\"\"Doc.\"\"\"\n        session['u'] = 1\n"
        ));
        assert!(!stub("    def m(self, a=(1, 2)):\n        return a\n"));
    }

    #[test]
    fn definitions_must_agree() {
        let writes = Summary {
            writes_identity: Some(Framework::Flask),
            authenticates: true,
            ..Summary::default()
        };
        let nothing = Summary::default();
        assert_eq!(agree(&[Some(writes), Some(writes)]), Some(writes));
        assert_eq!(agree(&[Some(writes), Some(nothing)]), None);
        assert_eq!(agree(&[Some(writes), None]), None);
        let quiet = Summary {
            authenticates: false,
            ..writes
        };
        assert_eq!(agree(&[Some(writes), Some(quiet)]), Some(quiet));
        assert!(literal_value("def f():\n    cache = {}\n", "cache"));
        assert!(!literal_value("def f():\n    cache = make()\n", "cache"));
    }
}
