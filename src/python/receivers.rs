//! Method calls on objects whose class the text says: `self.helper()` where the helper is
//! inherited, `self.provider.login_done()` where `self.provider = Provider(...)` (or a
//! parameter annotated `Provider` is stored there), `grant.apply(request)` where `grant =
//! Grant(...)`, `grant = Grant.objects.get(...)` or `get_object_or_404(Grant, ...)`, or a
//! parameter annotated `grant: Grant`. Text only (no parse): the check's helper stage reads
//! these to summarise the methods as it summarises imported helpers, and the semantic layer
//! finds the summary under [`key`].

/// A method call found in a function's text, and what its receiver is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The callee as written (`self.provider.login_done`).
    pub callee: String,
    pub receiver: Receiver,
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receiver {
    /// `self.method()`: the enclosing class (and its bases).
    SelfClass,
    /// `self.attr.method()`: the class of an attribute of the enclosing class.
    SelfAttr(String),
    /// `name.method()`: the class of a local name or parameter.
    Local(String),
    /// `Class(...).method()`: an instance made on the spot.
    Constructed(String),
    /// `super().method()`: the enclosing class's bases (its own method of that name skipped).
    Super,
    /// `self.make(...).method()` or `make(...).method()`: what a method of the enclosing
    /// class, or a function of the module, returns (its annotation says the class).
    Returned(String),
    /// `name.attr.method()` (`_security.two_factor_plugins.tf_complete(u)`): an attribute of
    /// a name that is not `self`, whose class the text does not say.
    Attribute(String),
}

/// The key under which the helper summaries hold the summary of a method called as `callee`
/// in function `function` (its qualified name in the outline).
pub fn key(function: &str, callee: &str) -> String {
    format!("{function}::{callee}")
}

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && !s.as_bytes()[0].is_ascii_digit()
        && s.bytes().all(ident_byte)
        && !matches!(s, "self" | "cls" | "super")
}

/// The method calls of `body` (a function's text) whose receiver can have a project class:
/// `self.m(`, `self.a.m(`, `x.m(`; each callee once.
pub fn call_sites(body: &str) -> Vec<Site> {
    let b = body.as_bytes();
    let mut out: Vec<Site> = Vec::new();
    for open in memchr::memchr_iter(b'(', b) {
        let mut start = open;
        while start > 0 && (ident_byte(b[start - 1]) || b[start - 1] == b'.') {
            start -= 1;
        }
        if start > 0 && b[start - 1] == b')' && b[start] == b'.' {
            if let Some(site) = constructed(body, start, open) {
                if !out.iter().any(|s| s.callee == site.callee) {
                    out.push(site);
                }
            }
            continue;
        }
        if start == open || (start > 0 && matches!(b[start - 1], b')' | b']' | b'"' | b'\'')) {
            continue;
        }
        let callee = &body[start..open];
        let parts: Vec<&str> = callee.split('.').collect();
        let site = match parts.as_slice() {
            ["self", m] if is_ident(m) => Some((Receiver::SelfClass, *m)),
            ["self", a, m] if is_ident(a) && is_ident(m) => {
                Some((Receiver::SelfAttr(a.to_string()), *m))
            }
            [x, m] if is_ident(x) && is_ident(m) => Some((Receiver::Local(x.to_string()), *m)),
            [x, a, m] if is_ident(x) && is_ident(a) && is_ident(m) => {
                Some((Receiver::Attribute(format!("{x}.{a}")), *m))
            }
            _ => None,
        };
        let Some((receiver, method)) = site else {
            continue;
        };
        if method.starts_with("__") || out.iter().any(|s| s.callee == callee) {
            continue;
        }
        // A line's `def`/`class` header is no call.
        let line = body[..start].rsplit('\n').next().unwrap_or("").trim_start();
        if line.starts_with("def ") || line.starts_with("class ") || line.starts_with('#') {
            continue;
        }
        out.push(Site {
            callee: callee.to_string(),
            receiver,
            method: method.to_string(),
        });
    }
    for site in setter_sites(body) {
        if !out.iter().any(|s| s.callee == site.callee) {
            out.push(site);
        }
    }
    out
}

/// The attribute assignments of `body` that run a property's setter when the attribute is a
/// property of the receiver's class (`self.token = token` runs `Class.token.fset`): one site
/// per target, its callee and method spelt with `.fset` (`self.token.fset`, `token.fset`),
/// as the outline names a setter. Statements that start a line only.
pub fn setter_sites(body: &str) -> Vec<Site> {
    let mut out: Vec<Site> = Vec::new();
    let b = body.as_bytes();
    // From each `=` (not `==`, `<=`, `+=` ...) back to the start of its line.
    for eq in memchr::memchr_iter(b'=', b) {
        if b.get(eq + 1) == Some(&b'=') || (eq > 0 && b"=!<>+-*/%&|^:@".contains(&b[eq - 1])) {
            continue;
        }
        let start = memchr::memrchr(b'\n', &b[..eq]).map_or(0, |i| i + 1);
        let target = body[start..eq].trim();
        if !target.contains('.')
            || !target.bytes().all(|c| ident_byte(c) || c == b'.')
            || !body[start..eq].trim_start().starts_with(target)
        {
            continue;
        }
        let parts: Vec<&str> = target.split('.').collect();
        let site = match parts.as_slice() {
            ["self", a] if is_ident(a) => Some((Receiver::SelfClass, *a)),
            ["self", a, b] if is_ident(a) && is_ident(b) => {
                Some((Receiver::SelfAttr(a.to_string()), *b))
            }
            [x, a] if is_ident(x) && is_ident(a) => Some((Receiver::Local(x.to_string()), *a)),
            _ => None,
        };
        let Some((receiver, attr)) = site else {
            continue;
        };
        if attr.starts_with("__") {
            continue;
        }
        let callee = format!("{target}.fset");
        if out.iter().any(|s| s.callee == callee) {
            continue;
        }
        out.push(Site {
            callee,
            receiver,
            method: format!("{attr}.fset"),
        });
    }
    out
}

/// Is `method` (a site's) a property's setter (`token.fset`)?
pub fn is_setter(method: &str) -> bool {
    method.ends_with(".fset")
}

/// `Class(...).method(` where `dot` is the byte of `.method` and `open` its parenthesis: the
/// constructor's arguments are matched back from the `)` before `dot` (within 2,000 bytes;
/// brackets in strings are not told apart, which at worst loses the site).
fn constructed(body: &str, dot: usize, open: usize) -> Option<Site> {
    let b = body.as_bytes();
    let method = &body[dot + 1..open];
    if !is_ident(method) || method.starts_with("__") {
        return None;
    }
    let mut depth = 0usize;
    let mut at = dot;
    let floor = dot.saturating_sub(2000);
    let args_open = loop {
        if at <= floor {
            return None;
        }
        at -= 1;
        match b[at] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    break at;
                }
            }
            _ => {}
        }
    };
    let mut start = args_open;
    while start > 0 && (ident_byte(b[start - 1]) || b[start - 1] == b'.') {
        start -= 1;
    }
    let name = &body[start..args_open];
    let args = body[args_open + 1..dot - 1].trim();
    // `super()`, or the two-argument spelling of old code (`super(Client, self)`).
    let receiver = if name == "super" && (args.is_empty() || args.ends_with("self")) {
        Receiver::Super
    } else if class_spelling(name) == Some(name) {
        Receiver::Constructed(name.to_string())
    } else {
        let own = name.strip_prefix("self.").unwrap_or(name);
        if !is_ident(own) {
            return None;
        }
        Receiver::Returned(name.to_string())
    };
    let line = body[..start].rsplit('\n').next().unwrap_or("").trim_start();
    if line.starts_with("def ") || line.starts_with("class ") || line.starts_with('#') {
        return None;
    }
    Some(Site {
        callee: body[start..open]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
        receiver,
        method: method.to_string(),
    })
}

/// The class a function's annotation says it returns (`def make(self, s) -> Auth:`), from
/// its definition's text.
pub fn return_class(def_text: &str) -> Option<&str> {
    let arrow = def_text.find("->")?;
    // The arrow of the signature, not one in the body.
    if def_text[..arrow].contains(":\n") {
        return None;
    }
    class_spelling(&def_text[arrow + 2..])
}

/// A dotted name that looks like a class (its last segment capitalised), at the start of `s`.
fn class_spelling(s: &str) -> Option<&str> {
    let s = s.trim_start().trim_start_matches(['"', '\'']);
    let end = s
        .bytes()
        .position(|c| !(ident_byte(c) || c == b'.'))
        .unwrap_or(s.len());
    let name = &s[..end];
    let last = name.rsplit('.').next()?;
    (!name.is_empty()
        && !name.starts_with('.')
        && !name.ends_with('.')
        && last.as_bytes()[0].is_ascii_uppercase()
        && last.bytes().any(|c| c.is_ascii_lowercase()))
    .then_some(name)
}

/// The class an expression's value has, if the text says: `Class(...)`,
/// `Class.objects.get(...)`, `get_object_or_404(Class, ...)`.
fn value_class(value: &str) -> Option<&str> {
    let value = value.trim();
    for getter in ["get_object_or_404(", "aget_object_or_404("] {
        if let Some(rest) = value
            .strip_prefix(getter)
            .or_else(|| value.strip_prefix("await ")?.strip_prefix(getter))
        {
            let c = class_spelling(rest)?;
            return rest[c.len()..].trim_start().starts_with(',').then_some(c);
        }
    }
    // `Model.objects.get(...)`: the class is the part before the manager.
    if let Some((c, rest)) = value.split_once(".objects.") {
        let rest = format!(".objects.{rest}");
        let model = [".objects.get(", ".objects.select_related("]
            .iter()
            .any(|m| rest.starts_with(m))
            && !rest.contains(".filter(")
            && !rest.contains(".values")
            && !rest.contains(".count(");
        return (model && class_spelling(c) == Some(c)).then_some(c);
    }
    let c = class_spelling(value)?;
    let rest = &value[c.len()..];
    rest.starts_with('(').then_some(c)
}

/// The class of `name` in `body`, a function's text: its annotation (`name: Class`), else
/// the class every assignment `name = ...` gives it (one class, all assignments agreeing).
pub fn local_class<'t>(body: &'t str, name: &str) -> Option<&'t str> {
    // Most receivers are parameters or names from elsewhere: neither annotated nor assigned.
    let b = body.as_bytes();
    let bound = memchr::memmem::find_iter(b, name.as_bytes()).any(|at| {
        let rest = &b[at + name.len()..];
        let rest = &rest[rest.iter().take_while(|c| **c == b' ').count()..];
        matches!(rest.first(), Some(b':' | b'='))
    });
    if !bound {
        return None;
    }
    if let Some(c) = annotated(body, name) {
        return Some(c);
    }
    let mut found: Option<&str> = None;
    for (at, _) in body.match_indices(name) {
        let before = body[..at].bytes().last();
        if before.is_some_and(|c| ident_byte(c) || c == b'.') {
            continue;
        }
        let Some(value) = assigned_value(&body[at + name.len()..]) else {
            continue;
        };
        let c = value_class(value)?;
        if found.is_some_and(|f| f != c) {
            return None;
        }
        found = Some(c);
    }
    found
}

/// What follows a name when the name is assigned (`rest` starts right after it): the rest
/// of the line after `=` (not `==`), trimmed.
fn assigned_value(rest: &str) -> Option<&str> {
    let value = rest
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')
        .filter(|v| !v.starts_with('='))?;
    Some(value.split('\n').next().unwrap_or("").trim())
}

/// `name: Class` in `text` (a parameter or an annotated assignment).
fn annotated<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let pat = format!("{name}:");
    for (at, _) in text.match_indices(&pat) {
        let before = text[..at].bytes().last();
        if before.is_some_and(|c| ident_byte(c) || c == b'.') {
            continue;
        }
        let rest = text[at + pat.len()..].trim_start_matches([' ', '\t']);
        let rest = rest.strip_prefix("Optional[").unwrap_or(rest);
        if let Some(c) = class_spelling(rest) {
            return Some(c);
        }
    }
    None
}

/// The class of attribute `attr` in `class_text` (a class's text): `self.attr: Class`,
/// `self.attr = Class(...)`, or `self.attr = param` with `param: Class` in the class's text.
/// Assignments whose value's class the text does not say (`self.storage = storage`, a
/// factory's `storage()`, `None`) leave it to the others: a default made when the caller
/// hands none (`if storage is None: self.storage = SessionStorage()`) is the class. Two
/// classes are none.
pub fn attribute_class<'t>(class_text: &'t str, attr: &str) -> Option<&'t str> {
    let target = format!("self.{attr}");
    if let Some(c) = annotated(class_text, &target) {
        return Some(c);
    }
    let mut found: Option<&str> = None;
    for (at, _) in class_text.match_indices(&target) {
        let Some(value) = assigned_value(&class_text[at + target.len()..]) else {
            continue;
        };
        let c = match value_class(value) {
            Some(c) => c,
            None if is_ident(value) => match annotated(class_text, value) {
                Some(c) => c,
                None => continue,
            },
            None => continue,
        };
        if found.is_some_and(|f| f != c) {
            return None;
        }
        found = Some(c);
    }
    // A class-level annotation (`security_service: SecurityService = injectable`: dependency
    // injection, dataclasses, attrs), at the start of a line.
    found.or_else(|| {
        class_text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix(attr)?.strip_prefix(':')?;
            let rest = rest.trim_start_matches([' ', '\t']);
            class_spelling(rest.strip_prefix("Optional[").unwrap_or(rest))
        })
    })
}

/// The base classes written in a class header (`class View(mixins.Auth, Base, metaclass=M):`),
/// as spelled.
pub fn bases(header: &str) -> Vec<&str> {
    let Some(open) = header.find('(') else {
        return Vec::new();
    };
    let mut depth = 0usize;
    let mut out = Vec::new();
    let mut start = open + 1;
    for (i, c) in header[open..].char_indices() {
        let i = i + open;
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    out.push(&header[start..i]);
                    break;
                }
            }
            ',' if depth == 1 => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.into_iter()
        .map(str::trim)
        .filter(|b| {
            !b.is_empty() && !b.contains('=') && b.bytes().all(|c| ident_byte(c) || c == b'.')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_method_calls_by_receiver() {
        let body = "def post(self, x):\n    self.sp.done(a)\n    self.check(b)\n    grant.apply(r)\n    f(x).y()\n    a.b.c()\n    a.b.c.d()\n";
        let sites = call_sites(body);
        let callees: Vec<&str> = sites.iter().map(|s| s.callee.as_str()).collect();
        assert_eq!(
            callees,
            [
                "self.sp.done",
                "self.check",
                "grant.apply",
                "f(x).y",
                "a.b.c"
            ]
        );
        assert_eq!(sites[0].receiver, Receiver::SelfAttr("sp".into()));
        assert_eq!(sites[1].receiver, Receiver::SelfClass);
        assert_eq!(sites[4].receiver, Receiver::Attribute("a.b".into()));
    }

    #[test]
    fn finds_calls_of_the_base_class_through_super() {
        // `super()` and its two-argument spelling; `super(other)` (any other first argument
        // alone) is not the enclosing class's base.
        let body = "def cb(self):\n    super().store(t)\n    super(Client, self).save(t)\n    super(x).put(t)\n";
        let sites = call_sites(body);
        let supers: Vec<&str> = sites
            .iter()
            .filter(|s| s.receiver == Receiver::Super)
            .map(|s| s.method.as_str())
            .collect();
        assert_eq!(supers, ["store", "save"]);
    }

    #[test]
    fn finds_methods_of_instances_made_on_the_spot() {
        // A class's constructor (its arguments over lines, a call among them), a function's
        // result (whose annotation may say its class), not a string's method.
        let body = "def cb():
    LoginState(flask.session,\n  g(1)).update(a)
    make(x).update(b)
    \"a(b)\".format(c)
";
        let sites = call_sites(body);
        let callees: Vec<&str> = sites.iter().map(|s| s.callee.as_str()).collect();
        assert_eq!(
            callees,
            ["LoginState(flask.session,g(1)).update", "make(x).update"]
        );
        assert_eq!(sites[1].receiver, Receiver::Returned("make".into()));
        assert_eq!(
            return_class("def make(self, s: Store) -> Auth:\n    return Auth(s)\n"),
            Some("Auth")
        );
        assert_eq!(return_class("def make(s):\n    f = g(1) -> 2\n"), None);
        assert_eq!(
            sites[0].receiver,
            Receiver::Constructed("LoginState".into())
        );
        assert_eq!(sites[0].method, "update");
    }

    #[test]
    fn attribute_assignments_are_setter_sites() {
        let body = "def post(self, t):\n    self.token = t\n    self.a.user = u\n    box.name = n\n    if self.token == t:\n        pass\n    self.n += 1\n    x = 1\n    self.__dict__ = {}\n    a.b.c = 2\n";
        let sites = setter_sites(body);
        let callees: Vec<&str> = sites.iter().map(|s| s.callee.as_str()).collect();
        assert_eq!(
            callees,
            ["self.token.fset", "self.a.user.fset", "box.name.fset"]
        );
        assert_eq!(sites[0].receiver, Receiver::SelfClass);
        assert_eq!(sites[0].method, "token.fset");
        assert_eq!(sites[1].receiver, Receiver::SelfAttr("a".into()));
        assert_eq!(sites[2].receiver, Receiver::Local("box".into()));
        assert!(is_setter(&sites[2].method));
    }

    #[test]
    fn infers_classes_from_the_text() {
        let body = "def v(request, pk, box: Box):\n    grant = get_object_or_404(Grant, id=pk)\n    g2 = models.Grant.objects.get(id=pk)\n    n = make()\n";
        assert_eq!(local_class(body, "grant"), Some("Grant"));
        assert_eq!(local_class(body, "g2"), Some("models.Grant"));
        assert_eq!(local_class(body, "box"), Some("Box"));
        assert_eq!(local_class(body, "n"), None);
        let class = "class V:\n    def __init__(self, *, sp: Provider):\n        self.sp = sp\n        self.q = Queue()\n";
        assert_eq!(attribute_class(class, "sp"), Some("Provider"));
        assert_eq!(attribute_class(class, "q"), Some("Queue"));
        // Class-level annotations (injected services, dataclass fields); not a longer name.
        let injected = "class C(Controller):\n    security_service: SecurityService = injectable\n    store: Optional[Store] = None\n    security_service_x: Other = injectable\n";
        assert_eq!(
            attribute_class(injected, "security_service"),
            Some("SecurityService")
        );
        assert_eq!(attribute_class(injected, "store"), Some("Store"));
        assert_eq!(attribute_class(injected, "security"), None);
        // A default made when the caller hands none is the class; two classes are none.
        let default = "class B:\n    def __init__(self, storage=None):\n        if storage is None:\n            self.storage = SessionStorage()\n        elif callable(storage):\n            self.storage = storage()\n        else:\n            self.storage = storage\n        self.x = A()\n        self.x = B()\n";
        assert_eq!(attribute_class(default, "storage"), Some("SessionStorage"));
        assert_eq!(attribute_class(default, "x"), None);
        assert_eq!(
            bases("class A(mixins.Auth, Base, metaclass=M):"),
            ["mixins.Auth", "Base"]
        );
    }
}
