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
use crate::python::outline::DefKind;
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
            if !skip_own && p.outline.function_named(&qualname).is_some() {
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
    /// keyed by `receivers::key`.
    pub(super) fn targets(&self, p: &Prepared) -> Vec<(String, Target)> {
        let mut out = Vec::new();
        for d in p
            .outline
            .defs
            .iter()
            .filter(|d| d.kind == DefKind::Function)
        {
            let Some(body) = p.text.get(d.start_byte..d.end_byte) else {
                continue;
            };
            let mut words = None;
            let class = d
                .parent
                .map(|i| &p.outline.defs[i])
                .filter(|c| c.kind == DefKind::Class)
                .map(|c| c.qualname.as_str());
            for site in receivers::call_sites(body) {
                let m = site.method.as_str();
                if let Receiver::Local(x) = &site.receiver {
                    if p.module.get(x).is_some() {
                        continue;
                    }
                }
                // Resolved only where the function can be a login, a step-up or a logout.
                if !*words.get_or_insert_with(|| may_log_in_or_out(body)) {
                    break;
                }
                let found = match (&site.receiver, class) {
                    (Receiver::SelfClass, Some(c)) => {
                        // The class's own methods are `Event::LocalCall`s.
                        if p.outline.function_named(&format!("{c}.{m}")).is_some() {
                            continue;
                        }
                        self.method(&p.path, c, m, true, 0)
                    }
                    (Receiver::SelfAttr(a), Some(c)) => self
                        .attribute(&p.path, c, a, 0)
                        .and_then(|(f, k)| self.method(&f, &k, m, false, 0)),
                    // A module-level name (`session` imported from the framework) is no
                    // instance of a class the text says.
                    (Receiver::Local(x), _) if p.module.get(x).is_some() => None,
                    (Receiver::Local(x), _) => {
                        let spelling = receivers::local_class(body, x).or_else(|| {
                            // `Grant.issue(...)`: a class's own (static or class) method.
                            x.as_bytes()[0].is_ascii_uppercase().then_some(x.as_str())
                        });
                        spelling
                            .and_then(|s| self.class(&p.path, s, 0))
                            .and_then(|(f, k)| self.method(&f, &k, m, false, 0))
                    }
                    _ => None,
                };
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
        out
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

/// Can a function be a login, a step-up or a logout (the callers whose method calls are
/// resolved)? Each finding needs evidence of authentication or a logout, which its text (or
/// a helper's name in it) says with one of these words. (A session word alone is not one:
/// a session store's own methods, which call each other all the time, would all be
/// resolved.)
fn may_log_in_or_out(body: &str) -> bool {
    use memchr::memmem::Finder;
    static FINDERS: std::sync::OnceLock<Vec<Finder<'static>>> = std::sync::OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        [
            "auth",
            "Auth",
            "login",
            "Login",
            "logout",
            "log_in",
            "log_out",
            "sign",
            "assword",
            "passwd",
            "verify",
            "token",
            "otp",
            "OTP",
            "credential",
        ]
        .iter()
        .map(|w| Finder::new(w.as_bytes()).into_owned())
        .collect()
    });
    finders.iter().any(|f| f.find(body.as_bytes()).is_some())
}
