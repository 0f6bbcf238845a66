//! What a node means for sessions: turns calls, assignments and comparisons into `Event`s,
//! using import resolution and the framework tables. Rules consume events; they never look
//! at raw text. A SQLAlchemy `db.session`, a `requests.Session()` or a test client's
//! `session_transaction()` never resolve to a web session here, so they produce no events.

use crate::python::parse::Fields;
use tree_sitter::Node;

use super::imports::{Bound, FunctionScope, ModuleScope};
use crate::config::Config;
use crate::frameworks::{
    aiohttp, auth, beaker, bottle, cherrypy, django, flask, pyramid, quart, starlette, Backend,
    Effect, Framework,
};
use crate::project::FileFacts;
use crate::project::ProjectFacts;

/// One thing a node does to the session or to authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Authentication happened (credential check, token exchange, new account).
    Auth { label: &'static str },
    /// A value was written to the session. `identity`: the key carries identity or privilege.
    Write {
        framework: Framework,
        identity: bool,
        /// The key raises privilege (`is_admin`, `role`, `sudo`, `impersonate_id`) rather
        /// than naming the user.
        privilege: bool,
        /// The value written is a falsy literal (`False`, `None`, `0`, `""`): it lowers.
        lowers: bool,
        /// The key (or keys) written.
        key: String,
        /// How the code writes it, for messages (`session["user_id"]`, `session.update(...)`).
        desc: String,
        /// How the code spells the session object here (`session`, `request.session`).
        session: String,
        /// A login helper that wrote it (`flask_login.login_user`).
        helper: Option<String>,
    },
    /// A regeneration, reset or look-alike.
    Session {
        framework: Framework,
        effect: Effect,
        call: String,
    },
    /// A key removed from the session (`session.pop("user_id")`, `del session[k]`).
    Remove {
        framework: Framework,
        /// The key names the logged-in user (`user_id`, `_auth_user_id`): a logout.
        identity: bool,
        desc: String,
        session: String,
        /// The key removed (its text: a literal's content or a name, `SESSION_KEY`).
        key: String,
    },
    /// A logout helper that drops the identity keys and keeps the session
    /// (`flask_login.logout_user()`, Pyramid `forget()`).
    Logout {
        framework: Framework,
        call: String,
        session: String,
    },
    /// Data copied out of the session before `clear()` is written back (`session.update(saved)`).
    Restore { framework: Framework },
    /// A call to a project function in another module, by its summary.
    Helper {
        summary: crate::python::summary::Summary,
        name: String,
        /// The session the helper works on, as the caller spells it (`request.session` when
        /// it is handed the request, else the module's session proxy): where a fix goes.
        session: String,
    },
    /// A call to a function defined in this module (`helper()`), or to a method of the
    /// enclosing class (`self.helper()`, as `Class.helper`).
    LocalCall { qualname: String },
    /// The function's argument number `index` (as its callers pass it) is written into the
    /// session, directly (`session[self.key] = token`) or through a helper that stores it:
    /// what a summary carries as `stores_arg`.
    StoresArg {
        framework: Framework,
        index: u8,
        desc: String,
        session: String,
    },
}

/// The evidence label of a CAS ticket validated by hand (its success element looked for).
const CAS_VALIDATED: &str = "the CAS server's ticket validation checked here";

pub struct Semantic<'a> {
    pub src: &'a str,
    pub module: &'a ModuleScope,
    pub func: std::rc::Rc<FunctionScope>,
    pub facts: ProjectFacts,
    /// Qualified name of the enclosing class, for `self.method()` calls.
    pub class: Option<String>,
    /// Whose `request.session` this module means (Django, Starlette, Pyramid), by its imports.
    request_framework: Option<Framework>,
    config: &'a Config,
    /// Summaries of project helpers in other modules, by the qualified path this module uses.
    /// This module's dotted name, from its path, when known.
    module_path: Option<String>,
    pub helpers: Option<&'a std::collections::HashMap<String, crate::python::summary::Summary>>,
    /// Methods and properties of `self` that return the framework's session
    /// (`self._session` with `@property def _session(self): return request.environ[...]`).
    accessors: Option<std::rc::Rc<std::collections::HashMap<String, Framework>>>,
    /// The enclosing function's names, for the free names of a nested function (a closure).
    outer: Option<std::rc::Rc<FunctionScope>>,
    /// Classes of this module whose `__setattr__` writes into a session (an attribute
    /// written on an instance is a session key written), by name.
    wrappers: Option<std::rc::Rc<std::collections::HashMap<String, Framework>>>,
    /// The analysed function's bytes in `src` (the whole file's text in `scan`).
    body: std::ops::Range<usize>,
    /// The enclosing class's text, from the file (`src` may hold the function alone).
    class_text: Option<&'a str>,
    /// The whole module's text (`src` may hold the function alone).
    module_text: Option<&'a str>,
    /// The analysed function's qualified name (`Class.method`): the scope of the method
    /// calls the helper summaries hold (`python::receivers::key`).
    function: Option<String>,
}

impl<'a> Semantic<'a> {
    pub fn new(
        src: &'a str,
        module: &'a ModuleScope,
        func: std::rc::Rc<FunctionScope>,
        facts: ProjectFacts,
        class: Option<String>,
        config: &'a Config,
    ) -> Self {
        let imports = |roots: &[&str]| roots.iter().any(|r| module.imports_root(r));
        let request_framework = if imports(&["django"]) {
            Some(Framework::Django)
        } else if imports(&["starlette", "fastapi", "starsessions"]) {
            Some(Framework::Starlette)
        } else if imports(&["pyramid"]) {
            Some(Framework::Pyramid)
        } else if imports(&["flask", "quart", "aiohttp", "bottle", "cherrypy"]) {
            None
        } else if facts.is_django() {
            Some(Framework::Django)
        } else if facts.has(FileFacts::STARLETTE) {
            Some(Framework::Starlette)
        } else if facts.has(FileFacts::PYRAMID) {
            Some(Framework::Pyramid)
        } else {
            None
        };
        Semantic {
            src,
            module,
            func,
            facts,
            class,
            request_framework,
            config,
            helpers: None,
            module_path: None,
            accessors: None,
            outer: None,
            wrappers: None,
            body: 0..src.len(),
            class_text: None,
            module_text: None,
            function: None,
        }
    }

    /// The analysed function's qualified name, for its method calls' summaries.
    pub fn with_function(mut self, qualname: Option<String>) -> Self {
        self.function = qualname;
        self
    }

    /// `self`'s methods and properties that return a session, by name.
    pub fn with_accessors(
        mut self,
        accessors: Option<std::rc::Rc<std::collections::HashMap<String, Framework>>>,
    ) -> Self {
        self.accessors = accessors;
        self
    }

    /// This module's session wrapper classes, by name.
    pub fn with_wrappers(
        mut self,
        wrappers: Option<std::rc::Rc<std::collections::HashMap<String, Framework>>>,
    ) -> Self {
        self.wrappers = wrappers;
        self
    }

    /// Is local `name` an instance of a session wrapper class of this module (`box =
    /// SessionBox()`, a parameter `box: SessionBox`)? Its framework, if so.
    fn wrapper_instance(&self, name: &str) -> Option<Framework> {
        let project = self.facts.has(FileFacts::SESSION_WRAPPER);
        if self.wrappers.is_none() && !project {
            return None;
        }
        // A class of this module (its store checked), else one of the project's own in
        // another module (`@inject(box="app.web.session:SessionBox")`): its session is the
        // one this module's framework keeps.
        let class_of = |t: &str| -> Option<Framework> {
            let t = t.trim().trim_matches(['"', '\'']);
            let t = t.split_once('(').map_or(t, |(c, _)| c).trim();
            let class = t.rsplit(['.', ':']).next().unwrap_or(t);
            if let Some(fw) = self.wrappers.as_ref().and_then(|w| w.get(class)) {
                return Some(*fw);
            }
            (project && self.facts.session_wrapper(class))
                .then(|| self.wrapper_framework())
                .flatten()
        };
        if let Some(t) = self.func.annotations.get(name) {
            return class_of(t);
        }
        let values = self.func.aliases.get(name)?;
        let mut fw = None;
        for v in values {
            if !v.trim_end().ends_with(')') {
                return None;
            }
            fw = Some(class_of(v)?);
        }
        fw
    }

    /// The functions of this module connected to signal `signal` by a call
    /// (`signal.connect(receiver, ...)`): up to four.
    fn connected_receivers(&self, signal: &str) -> Vec<String> {
        let text = self.module_text.unwrap_or(self.src);
        let pat = format!("{signal}.connect(");
        let mut out: Vec<String> = Vec::new();
        for (at, _) in text.match_indices(&pat) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let rest = &text[at + pat.len()..];
            let name = rest.split([',', ')']).next().unwrap_or("").trim();
            if self.module.get(name) == Some(&Bound::LocalFunction)
                && !out.iter().any(|n| n == name)
                && out.len() < 4
            {
                out.push(name.to_string());
            }
        }
        out
    }

    /// The functions of this module connected to Flask-Login's signal `signal`
    /// (`user_logged_out`), imported from `flask_login` under any local name.
    fn flask_login_receivers(&self, signal: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (local, path) in self.module.imports() {
            let from_flask_login = path
                .strip_prefix("flask_login.")
                .map(|p| p.strip_prefix("signals.").unwrap_or(p))
                == Some(signal);
            if from_flask_login {
                for r in self.connected_receivers(local) {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
        }
        out
    }

    /// A social-auth strategy (`strategy`, `backend.strategy`, `self.strategy`) in a module
    /// of a social-auth integration: its `session_set()` writes the framework's session.
    fn social_strategy(&self, obj: Node<'_>) -> bool {
        let text = self.text(obj);
        text.rsplit('.').next() == Some("strategy")
            && auth::SOCIAL_AUTH_ROOTS
                .iter()
                .any(|r| self.module.imports_root(r))
    }

    /// The session a wrapper class of another module writes, as this module's imports say
    /// (a Bottle or Beaker module's is Beaker's); none in a module that names no framework.
    fn wrapper_framework(&self) -> Option<Framework> {
        let imports = |r: &str| self.module.imports_root(r);
        if imports("bottle") || imports("beaker") || imports("tg") || imports("pylons") {
            Some(Framework::Beaker)
        } else if imports("cherrypy") {
            Some(Framework::CherryPy)
        } else if imports("quart") {
            Some(Framework::Quart)
        } else if imports("aiohttp") || imports("aiohttp_session") {
            Some(Framework::Aiohttp)
        } else if imports("flask") {
            Some(Framework::Flask)
        } else {
            self.request_framework
        }
    }

    /// The analysed function's node (what text searches of it look at).
    /// The enclosing class's text, as the file holds it.
    pub fn with_class_text(mut self, text: Option<&'a str>) -> Self {
        self.class_text = text;
        self
    }

    pub fn with_module_text(mut self, text: &'a str) -> Self {
        self.module_text = Some(text);
        self
    }

    pub fn with_body(mut self, func: Node<'_>) -> Self {
        self.body = func.byte_range();
        self
    }

    /// The scope of the function this one is nested in (its closure's names).
    pub fn with_outer(mut self, outer: Option<std::rc::Rc<FunctionScope>>) -> Self {
        self.outer = outer;
        self
    }

    /// Names this module by its file path (`app/auth.py` is `app.auth`).
    pub fn with_module_path(mut self, file_path: &str) -> Self {
        let stem = file_path.strip_suffix(".py").unwrap_or(file_path);
        let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
        self.module_path = Some(stem.replace('/', "."));
        self
    }

    pub fn with_helpers(
        mut self,
        helpers: Option<&'a std::collections::HashMap<String, crate::python::summary::Summary>>,
    ) -> Self {
        self.helpers = helpers;
        self
    }

    /// A call that logs the user in: authentication, and an identity written to `session`.
    /// Its evidence is [`LOGGED_IN_HERE`].
    fn login_call(
        &self,
        framework: Framework,
        func: Node<'_>,
        session: String,
        path: String,
    ) -> Vec<Event> {
        vec![
            Event::Auth {
                label: LOGGED_IN_HERE,
            },
            Event::Write {
                framework,
                identity: true,
                privilege: false,
                lowers: false,
                key: String::new(),
                desc: format!("{}(...)", self.text(func)),
                session,
                helper: Some(path),
            },
        ]
    }

    /// Can Pyramid's `remember()`/`forget()` write the session here? With a session-based
    /// policy (`SessionAuthenticationPolicy`, a policy of the project's own that writes
    /// `request.session`), and where the project sets no policy at all: the application
    /// that uses it chooses one, possibly session-based, as it chooses the session factory.
    fn pyramid_session_policy(&self) -> bool {
        self.facts.has(FileFacts::PYRAMID_SESSION_AUTH)
            || !self.facts.has(FileFacts::PYRAMID_SETS_POLICY)
    }

    /// How this module spells Flask's or Quart's session proxy (`session` if not imported).
    fn module_session(&self, framework: Framework) -> String {
        let path = format!("{}.session", framework.name().to_ascii_lowercase());
        self.module
            .spelling_of(&path)
            .unwrap_or_else(|| "session".to_string())
    }

    /// A key naming the logged-in user (what a logout removes), or a configured identity key.
    pub fn user_key(&self, key: &str) -> bool {
        auth::user_key(key) || self.config.settings.identity_keys.iter().any(|k| k == key)
    }

    fn identity_key(&self, key: &str) -> bool {
        auth::identity_key(key) || self.config.settings.identity_keys.iter().any(|k| k == key)
    }

    pub fn text(&self, node: Node<'_>) -> &'a str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    pub fn backend(&self, fw: Framework) -> Backend {
        self.facts.backend(fw)
    }

    /// `session.<method>()` where the project's own session interface is in use and a
    /// session class of the project defines `method` as a rotation of the ID
    /// (`project::rotating_session_methods`: indico's `set_session_user()`, CTFd's
    /// `regenerate()`). The mapping's own methods are never taken for one.
    fn project_rotates(&self, fw: Framework, method: &str) -> bool {
        const MAPPING: &[&str] = &[
            "get",
            "pop",
            "update",
            "setdefault",
            "clear",
            "keys",
            "items",
            "values",
            "copy",
            "popitem",
        ];
        fw == Framework::Flask
            && self.backend(fw) == Backend::FlaskCustom
            && !MAPPING.contains(&method)
            && self.facts.rotating_session_method(method)
    }

    /// The events of an atomic node reported by the flow engine. A session written inside a
    /// synthetic request (`with app.test_request_context():`, `with app.test_client() as
    /// c:`) is no visitor's: nothing a browser planted is in it.
    pub fn events(&self, node: Node<'_>) -> Vec<Event> {
        let mut out = self.node_events(node);
        if out.iter().any(|e| matches!(e, Event::Write { .. })) && self.in_synthetic_request(node) {
            out.retain(|e| !matches!(e, Event::Write { .. }));
        }
        out
    }

    /// Does `condition` hold only while the application runs its tests (`app.testing`,
    /// `current_app.config["TESTING"]`, `settings.TESTING`, or `and` with one of those)?
    pub fn testing_only(&self, condition: Node<'_>) -> bool {
        let text = self.text(condition).as_bytes();
        if memchr::memmem::find(text, b"ESTING").is_none()
            && memchr::memmem::find(text, b"esting").is_none()
        {
            return false;
        }
        let mut c = condition;
        while c.kind() == "parenthesized_expression" {
            match c.named_child(0) {
                Some(inner) => c = inner,
                None => return false,
            }
        }
        match c.kind() {
            "boolean_operator" => {
                c.field("operator").is_some_and(|o| self.text(o) == "and")
                    && [c.field("left"), c.field("right")]
                        .into_iter()
                        .flatten()
                        .any(|side| self.testing_only(side))
            }
            "attribute" => c.field("attribute").is_some_and(|a| {
                let name = self.text(a);
                name == "TESTING"
                    || (name == "testing"
                        && c.field("object").is_some_and(|o| {
                            let o = self.text(o);
                            o == "app" || o.ends_with("_app") || o.ends_with(".app")
                        }))
            }),
            // `app.config["TESTING"]`, `app.config.get("TESTING")`.
            "subscript" | "call" => {
                let (obj, key) = match c.kind() {
                    "subscript" => (c.field("value"), c.field("subscript")),
                    _ => {
                        let get = c.field("function").filter(|f| {
                            f.kind() == "attribute"
                                && f.field("attribute").is_some_and(|a| self.text(a) == "get")
                        });
                        (
                            get.and_then(|f| f.field("object")),
                            c.field("arguments").and_then(|a| a.named_child(0)),
                        )
                    }
                };
                obj.is_some_and(|o| self.text(o).ends_with("config"))
                    && key.is_some_and(|k| k.kind() == "string" && self.key_text(k) == "TESTING")
            }
            _ => false,
        }
    }

    /// A helper's parameter named for the session (`session`, `user_session`) and used as a
    /// mapping in it (`session["user_id"] = ...`): the session its callers hand it (a
    /// database session is not subscripted). Its framework: the module's, else the project's.
    fn session_parameter(&self, name: &str) -> Option<Framework> {
        let lower = name.to_ascii_lowercase();
        let named =
            lower == "session" || lower.ends_with("_session") || lower.starts_with("session_");
        if !named || !self.func.params.iter().any(|p| p == name) {
            return None;
        }
        let body = self.src.get(self.body.clone()).unwrap_or("");
        if !body.contains(&format!("{name}[")) {
            return None;
        }
        self.any_framework()
    }

    /// The framework of a session whose code names none: the module's, else the project's
    /// (`wrapper_framework` already falls back to Django, Starlette or Pyramid by the facts).
    fn any_framework(&self) -> Option<Framework> {
        self.wrapper_framework()
            .or_else(|| self.facts.has(FileFacts::FLASK).then_some(Framework::Flask))
    }

    /// `self.<attr>` in a method of a class that keeps the session it is handed
    /// (`def __init__(self, session): self._session = session`) and uses it as a mapping
    /// (`self._session[key]`): a wrapper of the web session a caller passes (a database
    /// session is not subscripted). Its framework: the module's, else the project's.
    fn constructor_session(&self, attr: &str) -> Option<Framework> {
        let class = self.class_text?;
        if !constructor_sessions(class).iter().any(|a| a == attr) {
            return None;
        }
        self.any_framework()
    }

    /// Is `node` in the body of a `with` over a test request context or a test client?
    fn in_synthetic_request(&self, node: Node<'_>) -> bool {
        let mut at = node.parent();
        while let Some(n) = at {
            match n.kind() {
                "function_definition" | "class_definition" | "module" => return false,
                "with_statement" => {
                    let mut c = n.walk();
                    let synthetic = n.named_children(&mut c).any(|item| {
                        item.kind() == "with_clause" && {
                            let t = self.text(item);
                            t.contains(".test_request_context(") || t.contains(".test_client(")
                        }
                    });
                    if synthetic {
                        return true;
                    }
                }
                _ => {}
            }
            at = n.parent();
        }
        false
    }

    fn node_events(&self, node: Node<'_>) -> Vec<Event> {
        match node.kind() {
            "call" => self.call(node),
            "assignment" if self.remote_user(node) => vec![Event::Auth {
                label: "the user the web server authenticated (REMOTE_USER) taken here",
            }],
            "assignment" if self.saml_response(node) => vec![Event::Auth {
                label: "the identity provider's SAML response taken here",
            }],
            "assignment" | "augmented_assignment" => self.assignment(node),
            "delete_statement" => self.deletion(node),
            "for_statement" => self.emptying_loop(node),
            "comparison_operator" => {
                let text = self.text(node);
                if auth::password_comparison(text) {
                    vec![Event::Auth {
                        label: "password compared here",
                    }]
                } else if auth::cas_success(text) || self.cas1_success(text) {
                    vec![Event::Auth {
                        label: CAS_VALIDATED,
                    }]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }

    /// CAS 1.0's answer checked (`valid == "yes"`, or `!=` for the failure branch) in a
    /// function that asks the server's `/validate?ticket=` endpoint, whose answer is `yes` and
    /// the user name on success.
    fn cas1_success(&self, comparison: &str) -> bool {
        let yes = ["\"yes\"", "'yes'"]
            .iter()
            .any(|y| comparison.ends_with(y) || comparison.starts_with(y));
        yes && (comparison.contains("==") || comparison.contains("!="))
            && self
                .src
                .get(self.body.clone())
                .is_some_and(|b| b.contains("/validate?ticket="))
    }

    fn call(&self, node: Node<'_>) -> Vec<Event> {
        let mut out = Vec::new();
        let Some(func) = node.field("function") else {
            return out;
        };
        let args = node.field("arguments");
        // A CAS ticket validated by hand: the server's answer searched for its success element
        // (`tree.find("cas:authenticationSuccess", ns)`).
        if args.is_some_and(|a| auth::cas_success(self.text(a))) {
            out.push(Event::Auth {
                label: CAS_VALIDATED,
            });
        }
        if func.kind() == "attribute" {
            if let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) {
                let method = self.text(attr);
                if let Some(fw) = self.session_expr(obj) {
                    let session = self.text(obj).to_string();
                    let call = format!("{session}.{method}()");
                    let effect = if self.project_rotates(fw, method) {
                        Some(Effect::Rotate {
                            keeps_data: true,
                            needs_nonempty: false,
                        })
                    } else if fw == Framework::Django
                        && method == "set_expiry"
                        && args
                            .and_then(|a| a.named_child(0))
                            .is_some_and(|a| self.text(a).ends_with(".now()"))
                    {
                        // `request.session.set_expiry(timezone.now())`: the record expires
                        // now, so its key loads nothing more and the next request starts a
                        // new session, as after `flush()`.
                        Some(Effect::RotateAndReset)
                    } else {
                        self.backend(fw).session_method(method)
                    };
                    if let Some(effect) = effect {
                        out.push(Event::Session {
                            framework: fw,
                            effect,
                            call,
                        });
                        return out;
                    }
                    match method {
                        "update" | "setdefault" | "aset" => {
                            if let Some(args) = args {
                                out.extend(self.mapping_write(fw, &session, method, args));
                            }
                        }
                        m if auth::records_authentication(m) => {
                            out.push(Event::Write {
                                framework: fw,
                                identity: false,
                                privilege: true,
                                lowers: false,
                                key: m.to_string(),
                                desc: call,
                                session,
                                helper: None,
                            });
                        }
                        "pop" | "apop" => {
                            if let Some(first) = args.and_then(|a| a.named_child(0)) {
                                let key = self.key_text(first);
                                out.push(Event::Remove {
                                    framework: fw,
                                    identity: self.user_key(&key),
                                    desc: format!(
                                        "{session}.{method}({})",
                                        self.key_desc(first, &key)
                                    ),
                                    session,
                                    key,
                                });
                            }
                        }
                        _ => {}
                    }
                    return out;
                }
                // social-auth's strategy (`backend.strategy.session_set("user_id", user.id)`):
                // a write into the session of the framework the strategy adapts.
                if method == "session_set" && self.social_strategy(obj) {
                    if let (Some(args), Some(fw)) = (args, self.wrapper_framework()) {
                        let mut events = self.mapping_write(fw, self.text(obj), method, args);
                        let value = args.named_child(1);
                        for e in &mut events {
                            if let Event::Write { identity, key, .. } = e {
                                *identity = *identity
                                    || (!auth::unrelated_key(key)
                                        && value.is_some_and(|v| self.identity_value(v)));
                            }
                        }
                        return events;
                    }
                }
                // `app.session_interface.regenerate(session)` / `current_app.session_interface...`
                if method == "regenerate"
                    && obj.kind() == "attribute"
                    && obj
                        .field("attribute")
                        .is_some_and(|a| self.text(a) == "session_interface")
                {
                    let backend = self.backend(Framework::Flask);
                    out.push(Event::Session {
                        framework: Framework::Flask,
                        effect: flask::interface_regenerate(backend),
                        call: format!("{}()", self.text(func)),
                    });
                    return out;
                }
                // `saml_authenticated.send(...)` on a signal whose receivers this module
                // connects (`saml_authenticated.connect(_session_login, app)`): the send
                // runs them.
                if method == "send" && obj.kind() == "identifier" {
                    let signal = self.text(obj);
                    if !self.func.names.contains_key(signal)
                        && matches!(self.module.get(signal), None | Some(Bound::Local))
                    {
                        for receiver in self.connected_receivers(signal) {
                            out.push(Event::LocalCall { qualname: receiver });
                        }
                    }
                }
                // `self.helper()` in a method: a call to the enclosing class's own method.
                if let (Some(class), "identifier") = (&self.class, obj.kind()) {
                    if self.text(obj) == "self" {
                        out.push(Event::LocalCall {
                            qualname: format!("{class}.{method}"),
                        });
                    }
                }
            }
        }
        let path = self.call_path(func);
        if flask::LOGIN_HELPERS.contains(&path.as_str()) {
            // `login_user(AnonymousUserMixin())`, a guest class of the project's own: a
            // placeholder that names nobody is not a login.
            if args
                .and_then(|a| a.named_child(0))
                .is_some_and(|u| self.anonymous_user(u))
            {
                return out;
            }
            let session = self.module_session(Framework::Flask);
            let mut events = self.login_call(Framework::Flask, func, session, path);
            // Invenio-Accounts (>= 1.0) connects a receiver to Flask-Login's `user_logged_in`
            // that regenerates the Flask-KVSession ID after the request (on by default,
            // `ACCOUNTS_SESSION_ACTIVITY_ENABLED`): a login in a module of an Invenio
            // application or module is rotated where it happens.
            if self.module.imports_root("invenio_accounts") {
                events.push(Event::Session {
                    framework: Framework::Flask,
                    effect: flask::INVENIO_LOGIN_LISTENER,
                    call: "invenio_accounts.sessions.login_listener()".to_string(),
                });
            }
            return events;
        }
        let logout = if flask::LOGOUT_HELPERS.contains(&path.as_str()) {
            Some((Framework::Flask, self.module_session(Framework::Flask)))
        } else if pyramid::FORGET.contains(&path.as_str()) && self.pyramid_session_policy() {
            Some((Framework::Pyramid, "request.session".to_string()))
        } else if aiohttp::FORGET.contains(&path.as_str())
            && self.facts.has(FileFacts::AIOHTTP_SESSION_IDENTITY)
        {
            Some((Framework::Aiohttp, "session".to_string()))
        } else {
            None
        };
        if let Some((framework, session)) = logout {
            out.push(Event::Logout {
                framework,
                call: format!("{}()", self.text(func)),
                session,
            });
            // Flask-Login's `logout_user()` sends `user_logged_out`: the receivers this
            // module connects to it (`user_logged_out.connect(expire_session, app)`) run
            // inside the call, after the keys are dropped.
            if framework == Framework::Flask {
                for receiver in self.flask_login_receivers("user_logged_out") {
                    out.push(Event::LocalCall { qualname: receiver });
                }
            }
            return out;
        }
        // Django's login of a user carrying a django-otp device, or a LoginView's own login
        // (`super().form_valid(form)`): django-otp's receiver writes the verified device.
        let django_login = names("django.contrib.auth.login", &path)
            || names("django.contrib.auth.alogin", &path)
            || (path == ".form_valid" && self.super_is_login_view(func));
        if django_login && self.logs_in_otp_device() {
            let request = match args.and_then(|a| a.named_child(0)) {
                Some(r) if path != ".form_valid" => self.text(r).to_string(),
                _ if self.class.is_some() => "self.request".to_string(),
                _ => "request".to_string(),
            };
            out.extend(self.second_factor_recorded(
                "second factor verified (a django-otp device) here",
                func,
                django::OTP_DEVICE_KEY,
                format!("{request}.session"),
                django::OTP_RECEIVER.to_string(),
            ));
            return out;
        }
        if let Some((_, effect)) = django::ROTATING_CALLS.iter().find(|(p, _)| names(p, &path)) {
            out.push(Event::Session {
                framework: Framework::Django,
                effect: effect.clone(),
                call: format!("{}()", self.text(func)),
            });
            return out;
        }
        if let Some((_, key)) = django::SECOND_FACTOR_LOGINS
            .iter()
            .find(|(p, _)| *p == path)
        {
            let session = args
                .and_then(|a| a.named_child(0))
                .map(|r| format!("{}.session", self.text(r)))
                .unwrap_or_else(|| "request.session".to_string());
            // The device it is handed was verified: the primitive is the evidence.
            out.extend(self.second_factor_recorded(
                "second factor recorded as verified here",
                func,
                key,
                session,
                path,
            ));
            return out;
        }
        // Framework calls that rotate or write, by qualified path.
        let session_call = |framework, effect| Event::Session {
            framework,
            effect,
            call: format!("{}()", self.text(func)),
        };
        if path == starlette::REGENERATE {
            out.push(session_call(
                Framework::Starlette,
                Effect::Rotate {
                    keeps_data: true,
                    needs_nonempty: false,
                },
            ));
            return out;
        }
        if path == aiohttp::NEW_SESSION {
            out.push(session_call(Framework::Aiohttp, Effect::RotateAndReset));
            return out;
        }
        if path == cherrypy::EXPIRE {
            // It back-dates the browser's cookie and nothing else (CherryPy 18.10
            // `lib/sessions.py:911-918`): the stored session keeps its ID and its data.
            out.push(session_call(
                Framework::CherryPy,
                Effect::NoOp {
                    why: "`cherrypy.lib.sessions.expire()` only expires the browser's cookie: the stored session keeps its ID and its data",
                },
            ));
            return out;
        }
        let remember =
            if pyramid::REMEMBER.contains(&path.as_str()) && self.pyramid_session_policy() {
                Some(Framework::Pyramid)
            } else if aiohttp::REMEMBER.contains(&path.as_str())
                && self.facts.has(FileFacts::AIOHTTP_SESSION_IDENTITY)
            {
                Some(Framework::Aiohttp)
            } else {
                None
            };
        if let Some(framework) = remember {
            // The security policy stores the identity in the session.
            let request = args
                .and_then(|a| a.named_child(0))
                .map(|r| self.text(r).to_string())
                .unwrap_or_else(|| "request".to_string());
            let mut events = self.login_call(framework, func, format!("{request}.session"), path);
            // A fixed identity written as a literal (`remember(request, response, "jack")`,
            // a demo's login as one user): the call alone authenticates nobody, so it is a
            // login only after a check of its own (a site's single password).
            let identity = args.and_then(|a| {
                let mut c = a.walk();
                let positional: Vec<Node<'_>> = a
                    .named_children(&mut c)
                    .filter(|n| n.kind() != "keyword_argument")
                    .collect();
                positional
                    .get(if framework == Framework::Aiohttp {
                        2
                    } else {
                        1
                    })
                    .copied()
            });
            if identity.is_some_and(|i| i.kind() == "string") {
                events.retain(|e| !matches!(e, Event::Auth { .. }));
            }
            return events;
        }
        let method = || {
            let h = self.helpers?;
            let callee: String = self
                .text(func)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            h.get(&crate::python::receivers::key(
                self.function.as_deref()?,
                &callee,
            ))
        };
        // A method's summary (`obj.m()` of a project class) is looked up only when the path
        // finds none; it adds to what the call's name and arguments say (a
        // `verifier.verify(password, ...)` whose class is a protocol still checks).
        let by_path = self.helpers.and_then(|h| h.get(&path));
        let by_method = if by_path.is_none() { method() } else { None };
        if let Some(found) = by_path.or(by_method) {
            let mut summary = *found;
            // `hash_password(password)` stores a password; whatever it calls checks nothing.
            if auth::not_a_password_check(path.rsplit('.').next().unwrap_or(&path)) {
                summary.authenticates = false;
            }
            // A class called (`Teams(name, email, password)`) runs its `__init__`, whose
            // summary this is; what the class's name and arguments say counts as well (a
            // model built from a sign-up form is a new account).
            let constructor = path
                .rsplit('.')
                .next()
                .is_some_and(|last| last.starts_with(|c: char| c.is_ascii_uppercase()));
            if by_method.is_some() || constructor {
                out.extend(self.call_events_by_name(func, args, &path));
            }
            // Handed the request (`unset_user(request)`): the session is the request's.
            let session = self.helper_session(args);
            let name = self.text(func).to_string();
            let (summary, passed) =
                self.helper_at_call(summary, |i| Self::positional(args, i), &name, &session);
            out.push(Event::Helper {
                summary,
                name,
                session,
            });
            out.extend(passed);
            return out;
        }
        out.extend(self.call_events_by_name(func, args, &path));
        out
    }

    /// A Django call that records a verified second factor under `key` in `session` (a
    /// privilege written by `helper`, the library's primitive or receiver): the evidence and
    /// the write.
    fn second_factor_recorded(
        &self,
        label: &'static str,
        func: Node<'_>,
        key: &str,
        session: String,
        helper: String,
    ) -> [Event; 2] {
        [
            Event::Auth { label },
            Event::Write {
                framework: Framework::Django,
                identity: false,
                privilege: true,
                lowers: false,
                key: key.to_string(),
                desc: format!("{}(...)", self.text(func)),
                session,
                helper: Some(helper),
            },
        ]
    }

    /// The session a project helper handed `args` works on: the request's when it is handed
    /// one, else the module's session proxy.
    fn helper_session(&self, args: Option<Node<'_>>) -> String {
        // The first argument, or a keyword argument's value (`request=self.request`).
        let request = args.and_then(|a| {
            let mut cursor = a.walk();
            let found = a
                .named_children(&mut cursor)
                .enumerate()
                .filter_map(|(i, arg)| match arg.kind() {
                    "keyword_argument" => arg.field("value"),
                    _ => (i == 0).then_some(arg),
                })
                .map(|r| self.text(r))
                .find(|r| self.is_request_like(r));
            found
        });
        match request {
            Some(r) => format!("{r}.session"),
            None => self.module_session(Framework::Flask),
        }
    }

    /// What a call means by its qualified path, name and arguments alone (the settings'
    /// writers and rotations, the credential checks, a local function).
    fn call_events_by_name(
        &self,
        func: Node<'_>,
        args: Option<Node<'_>>,
        path: &str,
    ) -> Vec<Event> {
        let path = path.to_string();
        let mut out = Vec::new();
        let settings = &self.config.settings;
        let framework = self.default_framework();
        if Config::matches(&settings.regeneration_functions, &path) {
            out.push(Event::Session {
                framework,
                effect: Effect::Rotate {
                    keeps_data: true,
                    needs_nonempty: false,
                },
                call: format!("{}()", self.text(func)),
            });
            return out;
        }
        if Config::matches(&settings.identity_writers, &path) {
            let session = match framework {
                Framework::Flask | Framework::Quart => self.module_session(framework),
                _ => "request.session".to_string(),
            };
            return self.login_call(framework, func, session, path);
        }
        if let Some(label) = auth::credential_call(&path) {
            // A constant-time comparison with the session-auth hash the session already holds
            // (`compare_digest(request.session.get(HASH_KEY, ""), user_hash)`, the check
            // Django's `login()` makes of a session that names a user) checks the session,
            // not credentials a visitor submitted. (A code kept in the session and compared
            // with the one submitted is a check.)
            let session_check = matches!(
                last_segment(&path),
                "compare_digest" | "constant_time_compare"
            ) && args.is_some_and(|a| {
                let t = self.text(a);
                (t.contains("session.get(") || t.contains("session["))
                    && t.to_ascii_lowercase().contains("hash")
            });
            if !session_check {
                out.push(Event::Auth { label });
            }
        } else if let Some(label) = args.and_then(|a| self.runs_verifier(a)) {
            out.push(Event::Auth { label });
        } else if self.accepts_security_token(func) {
            out.push(Event::Auth {
                label: "Kerberos/SPNEGO token accepted here",
            });
        } else if self.processes_saml_response(func) {
            out.push(Event::Auth {
                label: "SAML response validated here",
            });
        } else if self.decodes_jwt(func) {
            out.push(Event::Auth {
                label: "the token's signature verified here",
            });
        } else if self.completes_openid(func) {
            out.push(Event::Auth {
                label: "OpenID assertion verified here",
            });
        } else if Config::matches(&settings.credential_checks, &path) {
            out.push(Event::Auth {
                label: "credentials verified here",
            });
        } else if self.validates_login_form(func) {
            out.push(Event::Auth {
                label: "login form (with the password) validated here",
            });
        } else if args.is_some_and(|a| self.passes_password(&path, a)) {
            out.push(Event::Auth {
                label: "the submitted password is checked here",
            });
        } else if args.is_some_and(|a| self.checks_submitted_code(&path, a)) {
            out.push(Event::Auth {
                label: "the submitted one-time code is checked here",
            });
        } else if args.is_some_and(|a| self.exchanges_code(&path, a)) {
            out.push(Event::Auth {
                label: "the OAuth authorization code exchanged here",
            });
        } else if args.is_some_and(|a| self.sends_grant(a)) {
            out.push(Event::Auth {
                label: "OAuth/SSO token exchanged here",
            });
        } else if args.is_some_and(|a| self.consumes_handed_token(&path, a)) {
            out.push(Event::Auth {
                label: "the one-time token the caller looked up is consumed here",
            });
        } else if args.is_some_and(|a| self.logs_in_through_adapter(&path, a)) {
            out.push(Event::Auth {
                label: "OAuth/SSO login completed here",
            });
        } else if args.is_some_and(|a| self.looks_up_token(func, &path, a)) {
            out.push(Event::Auth {
                label: "a one-time token looked up here",
            });
        }
        if func.kind() == "attribute" {
            out.extend(self.callback_attribute(func));
        }
        if func.kind() == "identifier" {
            let name = self.text(func);
            if !self.func.names.contains_key(name)
                && self.module.get(name) == Some(&Bound::LocalFunction)
            {
                out.push(Event::LocalCall {
                    qualname: name.to_string(),
                });
            } else if let Some(values) = self.func.aliases.get(name) {
                // A local bound only to functions of this module (`check = _check_v2 if v2
                // else _check_v1`, then `check(resp)`): a call to each.
                // Each value, or both ends of a conditional one (`a if v1 else b`).
                let ends: Vec<&str> = values
                    .iter()
                    .flat_map(|v| match v.split_once(" if ") {
                        Some((a, rest)) => match rest.rsplit_once(" else ") {
                            Some((_, b)) => vec![a.trim(), b.trim()],
                            None => vec![v.trim()],
                        },
                        None => vec![v.trim()],
                    })
                    .collect();
                let local = |v: &&str| self.module.get(v) == Some(&Bound::LocalFunction);
                if !ends.is_empty() && ends.len() <= 4 && ends.iter().all(local) {
                    for v in ends {
                        out.push(Event::LocalCall {
                            qualname: v.to_string(),
                        });
                    }
                }
            }
        }
        out
    }

    /// `self._login_user(...)` where the class keeps a function of this module in the
    /// attribute (`self._login_user = _login_saml_user` in `__init__`, a default callback an
    /// application may replace through a setter): a call to that function. Values that are
    /// names of something else (the setter's parameter) are the application's, unknown here.
    fn callback_attribute(&self, func: Node<'_>) -> Vec<Event> {
        let Some(attr) = self.text(func).strip_prefix("self.") else {
            return Vec::new();
        };
        let Some(class) = self.class_text else {
            return Vec::new();
        };
        if attr.contains('.') || class.contains(&format!("def {attr}(")) {
            return Vec::new();
        }
        let values = attribute_values(class, attr);
        if values.is_empty()
            || values.len() > 4
            || !values
                .iter()
                .all(|v| v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            return Vec::new();
        }
        values
            .into_iter()
            .filter(|v| self.module.get(v) == Some(&Bound::LocalFunction))
            .map(|qualname| Event::LocalCall { qualname })
            .collect()
    }

    fn assignment(&self, node: Node<'_>) -> Vec<Event> {
        let Some(left) = node.field("left") else {
            return Vec::new();
        };
        // `session.sid = new_id()` on a server-side store: the record is saved under a new
        // ID (Flask-Session's and Quart-Session's `sid`, a project's own rotation helper).
        // Setting it to nothing (`session.sid = None`) issues nothing.
        if left.kind() == "attribute" && node.kind() == "assignment" {
            let rotates = left
                .field("attribute")
                .is_some_and(|a| matches!(self.text(a), "sid" | "session_id"))
                && node
                    .field("right")
                    .is_some_and(|r| !falsy_literal(self.text(r)) && self.text(r) != "None");
            if let Some(fw) = left.field("object").and_then(|o| self.session_expr(o)) {
                if rotates && self.backend(fw).storage() != crate::frameworks::Storage::ClientCookie
                {
                    return vec![Event::Session {
                        framework: fw,
                        effect: Effect::Rotate {
                            keeps_data: true,
                            needs_nonempty: false,
                        },
                        call: format!("{} = ...", self.text(left)),
                    }];
                }
            }
            // `box.user = name` on a wrapper whose `__setattr__` writes the session.
            if let (Some(obj), Some(attr)) = (left.field("object"), left.field("attribute")) {
                if obj.kind() == "identifier" {
                    if let Some(fw) = self.wrapper_instance(self.text(obj)) {
                        let key = self.text(attr).to_string();
                        return vec![self.key_write(node, fw, key, obj, self.text(left))];
                    }
                }
            }
            return self.property_setter(left).unwrap_or_default();
        }
        if left.kind() == "identifier" && node.kind() == "assignment" {
            // `verified = adapter.complete_verify(request, user, data)`: a check whose result
            // the code itself calls verified, whatever the checker's name.
            if let Some(label) = node
                .field("right")
                .and_then(|r| self.verification_outcome(self.text(left), r))
            {
                return vec![Event::Auth { label }];
            }
            return Vec::new();
        }
        if left.kind() != "subscript" {
            return Vec::new();
        }
        let Some(value) = left.field("value") else {
            return Vec::new();
        };
        let Some(fw) = self.session_expr(value) else {
            return Vec::new();
        };
        let key = left
            .field("subscript")
            .map(|k| self.key_text(k))
            .unwrap_or_default();
        let desc = match left.field("subscript") {
            Some(k) => format!("{}[{}]", self.text(value), self.key_desc(k, &key)),
            None => format!("{}[{:?}]", self.text(value), key),
        };
        let write = self.key_write(node, fw, key, value, &desc);
        let stored = match &write {
            Event::Write {
                identity: false,
                lowers: false,
                key,
                ..
            } if !auth::unrelated_key(key) => node
                .field("right")
                .and_then(|r| self.argument_index(r))
                .map(|index| Event::StoresArg {
                    framework: fw,
                    index,
                    desc: desc.clone(),
                    session: self.text(value).to_string(),
                }),
            _ => None,
        };
        std::iter::once(write).chain(stored).collect()
    }

    /// The position, as callers pass it, of the parameter `value` is (`token`), or is a
    /// local bound only to (`_token = value`, `data = value.copy()`); a method's `self` or
    /// `cls` is not counted. Up to the seventh.
    fn argument_index(&self, value: Node<'_>) -> Option<u8> {
        if value.kind() != "identifier" {
            return None;
        }
        let name = self.text(value);
        let params = &self.func.params;
        let position = |name: &str| {
            let skip = usize::from(
                self.class.is_some() && params.first().is_some_and(|p| p == "self" || p == "cls"),
            );
            params
                .iter()
                .skip(skip)
                .position(|p| p == name)
                .and_then(|i| u8::try_from(i).ok())
                .filter(|i| *i < 7)
        };
        if let Some(i) = position(name) {
            return Some(i);
        }
        let values = self.func.aliases.get(name)?;
        let mut found = values.iter().map(|v| {
            let v = v.trim();
            position(v.strip_suffix(".copy()").unwrap_or(v))
        });
        let first = found.next()??;
        found.all(|i| i == Some(first)).then_some(first)
    }

    /// The positions of the arguments `call` hands its callee that are the principal or a
    /// verified token (`identity_value`): a call's positional arguments, or the value an
    /// assignment hands a property's setter.
    pub fn identity_args(&self, call: Node<'_>) -> Vec<u8> {
        if call.kind() == "assignment" {
            return match call.field("right") {
                Some(v) if self.identity_value(v) => vec![0],
                _ => Vec::new(),
            };
        }
        Self::positional_args(call.field("arguments"))
            .into_iter()
            .enumerate()
            .filter(|(_, a)| a.is_some_and(|a| self.identity_value(a)))
            .filter_map(|(i, _)| u8::try_from(i).ok())
            .collect()
    }

    /// A call's first seven positional arguments, in order; a splat (`*args`) is none.
    fn positional_args(args: Option<Node<'_>>) -> Vec<Option<Node<'_>>> {
        let Some(args) = args else {
            return Vec::new();
        };
        let mut cursor = args.walk();
        let found = args
            .named_children(&mut cursor)
            .filter(|a| !matches!(a.kind(), "keyword_argument" | "comment"))
            .take(7)
            .map(|a| (!matches!(a.kind(), "list_splat" | "dictionary_splat")).then_some(a))
            .collect();
        found
    }

    /// The positional argument number `index` of a call's `args`.
    fn positional(args: Option<Node<'_>>, index: u8) -> Option<Node<'_>> {
        Self::positional_args(args)
            .get(usize::from(index))
            .copied()
            .flatten()
    }

    /// A helper's summary at a call handing it `arg_at(i)` as argument `i`: it writes
    /// identity when the argument it stores is the principal or a verified token; it stores
    /// this function's own argument when handed one (`StoresArg`, for this function's
    /// summary).
    fn helper_at_call<'t>(
        &self,
        summary: crate::python::summary::Summary,
        arg_at: impl Fn(u8) -> Option<Node<'t>>,
        name: &str,
        session: &str,
    ) -> (crate::python::summary::Summary, Option<Event>) {
        let summary = summary.at_call(|i| arg_at(i).is_some_and(|a| self.identity_value(a)));
        let passed = summary.stores_arg.and_then(|(i, framework)| {
            let index = self.argument_index(arg_at(i)?)?;
            Some(Event::StoresArg {
                framework,
                index,
                desc: format!("{name}(...)"),
                session: session.to_string(),
            })
        });
        (summary, passed)
    }

    /// `self.token = token` where `token` is a property of the receiver's class: a call to
    /// its setter (`Class.token.fset`), of this class (followed here) or found by the helper
    /// stage (`receivers::setter_sites`, by its summary).
    fn property_setter(&self, left: Node<'_>) -> Option<Vec<Event>> {
        let target: String = self
            .text(left)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let callee = format!("{target}.fset");
        if let Some(summary) = self.helpers.and_then(|h| {
            h.get(&crate::python::receivers::key(
                self.function.as_deref()?,
                &callee,
            ))
        }) {
            let session = self.helper_session(None);
            let value = left.parent().and_then(|a| a.field("right"));
            let (summary, passed) =
                self.helper_at_call(*summary, |i| value.filter(|_| i == 0), &callee, &session);
            let mut out = vec![Event::Helper {
                summary,
                name: callee,
                session,
            }];
            out.extend(passed);
            return Some(out);
        }
        let attr = target.strip_prefix("self.")?;
        let class = self.class.as_ref()?;
        let text = self.class_text?;
        // Most classes declare no setter: one search says so.
        memchr::memmem::find(text.as_bytes(), b".setter")?;
        let declared = format!("@{attr}.setter");
        text.match_indices(&declared)
            .any(|(at, _)| {
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                text[line_start..line_end].trim() == declared
            })
            .then(|| {
                vec![Event::LocalCall {
                    qualname: format!("{class}.{attr}.fset"),
                }]
            })
    }

    /// A local named as the outcome of a verification (`verified`, `otp_verified`,
    /// `authenticated`) assigned a call's result (awaited or not): the call is the check. Not
    /// a question about the session's state (`is_authenticated()`, `get_…`, `has_…`).
    fn verification_outcome(&self, name: &str, value: Node<'_>) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase();
        let last = lower.rsplit('_').next().unwrap_or(&lower);
        if !matches!(last, "verified" | "authenticated" | "authed") || lower.starts_with("is_") {
            return None;
        }
        let mut value = value;
        if value.kind() == "await" {
            value = value.named_child(0)?;
        }
        if value.kind() != "call" {
            return None;
        }
        let callee = self.text(value.field("function")?);
        let method = callee.rsplit('.').next().unwrap_or(callee);
        auth::checks_outcome(method).then_some("credentials verified here")
    }

    /// The write of `key` into the session `session` by the assignment `node`.
    fn key_write(
        &self,
        node: Node<'_>,
        fw: Framework,
        key: String,
        session: Node<'_>,
        desc: &str,
    ) -> Event {
        let lowers = node.kind() == "assignment"
            && node
                .field("right")
                .is_some_and(|r| falsy_literal(self.text(r)));
        // The key may say nothing (`SESSION_KEY`, `benutzer`): what is written can (the
        // user's id or name, the login just verified).
        let identity = self.identity_key(&key)
            || (!auth::unrelated_key(&key)
                && node.field("right").is_some_and(|r| self.identity_value(r)));
        Event::Write {
            framework: fw,
            identity,
            privilege: auth::privilege_key(&key),
            lowers,
            desc: desc.to_string(),
            key,
            session: self.text(session).to_string(),
            helper: None,
        }
    }

    /// Is `value` the principal or something that names it (`user.id`, `row["id"]`,
    /// `acct.name`, `username`, `str(client.pk)`)? Only names, attributes, subscripts and
    /// conversions of them: literals and messages (`f"Welcome {user.name}"`) are not.
    fn identity_value(&self, value: Node<'_>) -> bool {
        // `session[KEY] = request.login = login`: the value is the innermost right side.
        let mut value = value;
        while value.kind() == "assignment" {
            match value.field("right") {
                Some(r) => value = r,
                None => return false,
            }
        }
        let value = match value.kind() {
            "call" => {
                let conv = value
                    .field("function")
                    .is_some_and(|f| matches!(self.text(f), "str" | "int"));
                match (
                    conv,
                    value.field("arguments").and_then(|a| a.named_child(0)),
                ) {
                    (true, Some(inner)) => inner,
                    _ => return false,
                }
            }
            _ => value,
        };
        // A record of the principal (`{project.id: project.name}`, `{"id": acct.pk}`), as
        // written or through a local bound only to such records.
        if value.kind() == "dictionary" {
            return auth::record_names_identity(self.text(value));
        }
        if !matches!(value.kind(), "identifier" | "attribute" | "subscript") {
            return false;
        }
        // The password or passphrase the login checked, kept to authenticate the next
        // requests (`session["codename"] = supplied_passphrase`): the credential is the
        // identity.
        let text = self.text(value);
        auth::identity_value(text)
            || (auth::password_word(text) && !auth::password_hash_word(text))
            || (value.kind() == "identifier"
                && self
                    .func
                    .aliases
                    .get(self.text(value))
                    .is_some_and(|values| {
                        !values.is_empty()
                            && (values.iter().all(|v| auth::record_names_identity(v))
                                || values.iter().all(|v| self.verified_result(v)))
                    }))
    }

    /// Is `text` a call of a verifier (`authenticate(...)`, `await validate(ticket, ...)`
    /// where the project's `validate` authenticates by its summary)? What it returns is who
    /// was just verified: the principal, or the attributes the identity provider vouched for.
    fn verified_result(&self, text: &str) -> bool {
        let text = text.trim();
        let text = text.strip_prefix("await ").map_or(text, str::trim);
        let Some((callee, _)) = text.split_once('(') else {
            return false;
        };
        let callee = callee.trim();
        if !text.ends_with(')') || !is_dotted(callee) {
            return false;
        }
        let path = self.qualify(callee).unwrap_or_else(|| callee.to_string());
        auth::credential_call(&path).is_some_and(|label| label != auth::NEW_ACCOUNT)
            || self
                .helpers
                .and_then(|h| h.get(&path))
                .is_some_and(|s| s.authenticates)
    }

    /// `session.update({...})`, `session.update(k=v)`, `session.setdefault(k, v)`, `aset(k, v)`.
    fn mapping_write(
        &self,
        fw: Framework,
        session: &str,
        method: &str,
        args: Node<'_>,
    ) -> Vec<Event> {
        let mut keys: Vec<String> = Vec::new();
        let mut cursor = args.walk();
        let list: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
        if method == "update" {
            for arg in &list {
                match arg.kind() {
                    "dictionary" => {
                        let mut c = arg.walk();
                        for pair in arg.named_children(&mut c) {
                            if let Some(k) = pair.field("key") {
                                keys.push(self.key_text(k));
                            }
                        }
                    }
                    "keyword_argument" => {
                        if let Some(n) = arg.field("name") {
                            keys.push(self.text(n).to_string());
                        }
                    }
                    "identifier" => {
                        let name = self.text(*arg);
                        if self.is_session_copy(name) {
                            return vec![Event::Restore { framework: fw }];
                        }
                        // A local dict filled key by key (`data["uid"] = ...`): its keys.
                        let filled = self.subscript_keys(name);
                        if filled.is_empty() {
                            keys.push(name.to_string());
                        } else {
                            keys.extend(filled);
                        }
                    }
                    _ => keys.push(self.text(*arg).to_string()),
                }
            }
        } else if let Some(first) = list.first() {
            keys.push(self.key_text(*first));
        }
        let identity = keys.iter().any(|k| self.identity_key(k));
        // `session.setdefault("OPENID", {})`: room made for a library's state, nobody in it.
        let lowers =
            method != "update" && list.get(1).is_some_and(|v| falsy_literal(self.text(*v)));
        // Privilege only when no key names the user (a login writes both).
        let privilege = keys.iter().any(|k| auth::privilege_key(k))
            && !keys
                .iter()
                .any(|k| self.identity_key(k) && !auth::privilege_key(k));
        vec![Event::Write {
            framework: fw,
            identity,
            privilege,
            lowers,
            desc: format!(
                "{session}.{method}({})",
                keys.iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            key: keys.join(", "),
            session: session.to_string(),
            helper: None,
        }]
    }

    /// The string keys this function assigns into local `name` (`name["uid"] = ...`).
    fn subscript_keys(&self, name: &str) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let src = self.src.get(self.body.clone()).unwrap_or("");
        let pat = format!("{name}[");
        let mut from = 0;
        while let Some(i) = src.get(from..).and_then(|r| r.find(&pat)) {
            let at = from + i;
            from = at + pat.len();
            let before = src[..at].bytes().next_back();
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                continue;
            }
            let rest = &src[from..];
            let Some(q) = rest.chars().next().filter(|c| matches!(c, '\'' | '"')) else {
                continue;
            };
            let Some(end) = rest[1..].find(q) else {
                continue;
            };
            let key = &rest[1..1 + end];
            let after = rest[1 + end + 1..].trim_start();
            let assigned = after.strip_prefix(']').is_some_and(|a| {
                let a = a.trim_start();
                a.starts_with('=') && !a.starts_with("==")
            });
            if assigned && !key.contains(['\n', '[', ']']) && !keys.iter().any(|k| k == key) {
                keys.push(key.to_string());
                if keys.len() >= 32 {
                    break;
                }
            }
        }
        keys
    }

    /// `del session["user_id"]` (one event per session subscript deleted).
    fn deletion(&self, node: Node<'_>) -> Vec<Event> {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let mut targets: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        if targets.len() == 1 && targets[0].kind() == "expression_list" {
            let list = targets[0];
            let mut c = list.walk();
            targets = list.named_children(&mut c).collect();
        }
        for t in targets {
            if t.kind() != "subscript" {
                continue;
            }
            let (Some(value), Some(k)) = (t.field("value"), t.field("subscript")) else {
                continue;
            };
            let Some(fw) = self.session_expr(value) else {
                continue;
            };
            let key = self.key_text(k);
            out.push(Event::Remove {
                framework: fw,
                identity: self.user_key(&key),
                desc: format!("del {}[{}]", self.text(value), self.key_desc(k, &key)),
                session: self.text(value).to_string(),
                key,
            });
        }
        out
    }

    /// How a key reads in a message: a literal quoted (`"user_id"`), a name as the code
    /// spells it (`SESSION_KEY`, not a string of that name).
    fn key_desc(&self, node: Node<'_>, key: &str) -> String {
        if node.kind() == "string" {
            format!("{key:?}")
        } else {
            // A key spread over lines (`session[current_app.\n    config["K"]]`) reads as
            // written on one.
            self.text(node).lines().map(str::trim_start).collect()
        }
    }

    /// The text of a subscript key: a string's content, or a name (`SESSION_KEY`).
    fn key_text(&self, node: Node<'_>) -> String {
        match node.kind() {
            "string" => {
                let mut c = node.walk();
                let content: String = node
                    .named_children(&mut c)
                    .filter(|n| n.kind() == "string_content")
                    .map(|n| self.text(n))
                    .collect();
                content
            }
            "identifier" | "attribute" => {
                let text = self.text(node);
                if self.qualify(text).as_deref() == Some("django.contrib.auth.SESSION_KEY") {
                    return "_auth_user_id".to_string();
                }
                // A local key built from a literal (`key = self._make_key("name_id")`,
                // `key = f"{prefix}_user_id"`): the literal names what is stored.
                if node.kind() == "identifier" {
                    if let Some(values) = self.func.aliases.get(text) {
                        let literals: Option<Vec<&str>> =
                            values.iter().map(|v| key_literal(v)).collect();
                        if let Some(first) = literals.as_ref().and_then(|l| l.first()) {
                            return (*first).to_string();
                        }
                    }
                }
                // A module's constant whose name says only that it is a session key
                // (`SESSION_KEY = "cas_attrs"`): its literal names what is stored. A name
                // that says more (`LOGIN_TIME_KEY = "_login_at"`) is kept.
                // And a literal naming a flow's state where the name names a user
                // (`USER_ID_SESSION_KEY = "password_reset_user_id"`): the user of a reset
                // still under way, not who is logged in.
                // A constant of another project module (`from .middleware import
                // _SESSION_KEY`, `settings.VERIFIED_KEY`) is read the same way.
                let identifier = node.kind() == "identifier";
                let constant = if identifier && self.func.aliases.contains_key(text) {
                    None
                } else {
                    identifier
                        .then(|| self.module_constant(text))
                        .flatten()
                        .or_else(|| {
                            self.module
                                .qualify(text)
                                .and_then(|q| self.module.constants.get(&q))
                                .map(String::as_str)
                        })
                };
                let name = text.rsplit('.').next().unwrap_or(text);
                if let Some(lit) = constant {
                    if generic_key_name(name) || auth::unrelated_key(lit) {
                        return lit.to_string();
                    }
                    // A literal that names a privilege where the constant's name does not
                    // (`VERIFIED_SESSION_KEY = "_mfa_verified_otp"`): what is stored is what
                    // the application checks. (A name that says more than its literal of
                    // who is logged in is kept: `LOGIN_TIME_KEY = "_login_at"`.)
                    if auth::privilege_key(lit)
                        && !auth::privilege_key(name)
                        && !self.identity_key(name)
                    {
                        return lit.to_string();
                    }
                }
                name.to_string()
            }
            _ => self.text(node).to_string(),
        }
    }

    /// The string literal a module-level constant is assigned (`NAME_KEY = "samlNameId"` at
    /// the start of a line of the module), if `name` is one.
    fn module_constant(&self, name: &str) -> Option<&'a str> {
        if !matches!(self.module.get(name), Some(Bound::Local)) {
            return None;
        }
        module_constant_literal(self.module_text.unwrap_or(self.src), name)
    }

    /// Is local `name` a copy of the session's data (`dict(session)`, `session.copy()`)?
    fn is_session_copy(&self, name: &str) -> bool {
        let Some(values) = self.func.aliases.get(name) else {
            return false;
        };
        values.iter().any(|v| {
            let v = v.trim();
            let inner = v
                .strip_prefix("dict(")
                .and_then(|r| r.strip_suffix(')'))
                .or_else(|| v.strip_suffix(".copy()"))
                .or_else(|| v.strip_prefix("{**").and_then(|r| r.strip_suffix('}')))
                .map(|s| s.trim_end_matches(".items()"));
            inner.is_some_and(|i| self.session_text(i, 0).is_some())
        })
    }

    /// Which framework's session an expression is, if any.
    pub fn session_expr(&self, node: Node<'_>) -> Option<Framework> {
        let mut node = node;
        // `((session))`: unwrap parentheses iteratively (no recursion on hostile nesting).
        while node.kind() == "parenthesized_expression" {
            node = node.named_child(0)?;
        }
        match node.kind() {
            "identifier" | "attribute" | "subscript" | "call" => {
                self.session_text(self.text(node), 0)
            }
            _ => None,
        }
    }

    /// Which framework's session a dotted text names (`session`, `flask.session`,
    /// `request.session`, `self.request.session`, or a local alias of one).
    fn session_text(&self, text: &str, depth: usize) -> Option<Framework> {
        if depth > 4 {
            return None;
        }
        let text = text.trim();
        // aiohttp-session: `await get_session(request)` / `await new_session(request)`.
        let unawaited = text.strip_prefix("await ").map(str::trim).unwrap_or(text);
        if let Some((callee, _)) = unawaited.split_once('(') {
            let callee = callee.trim();
            if unawaited.ends_with(')')
                && is_dotted(callee)
                && self
                    .qualify(callee)
                    .is_some_and(|q| aiohttp::GET_SESSION.contains(&q.as_str()))
            {
                return Some(Framework::Aiohttp);
            }
        }
        if is_beaker_lookup(text) || self.named_environ_session(text) {
            return Some(Framework::Beaker);
        }
        // Django's session engine opened by key (`SessionStore(session_key)`,
        // `import_module(settings.SESSION_ENGINE).SessionStore(key)`): a session object as
        // `request.session` is (frameworks.md §8).
        if django_session_store(text) && self.module.imports_root("django") {
            return Some(Framework::Django);
        }
        if let Some(fw) = self.accessor(text) {
            return Some(fw);
        }
        if !is_dotted(text) {
            return None;
        }
        if let Some(obj) = text.strip_suffix(".session") {
            match self.qualify(obj).as_deref() {
                Some("flask" | "flask.globals") => return Some(Framework::Flask),
                Some("quart" | "quart.globals") => return Some(Framework::Quart),
                Some("cherrypy") => return Some(Framework::CherryPy),
                // Bottle has no session: one on its request is a plug-in's (BottleSessions).
                Some(bottle::REQUEST) => return Some(Framework::Bottle),
                _ => {}
            }
            if self.is_request_like(obj) {
                return self.request_framework;
            }
            return None;
        }
        if let Some(fw) = text
            .strip_prefix("self.")
            .and_then(|attr| self.constructor_session(attr))
        {
            return Some(fw);
        }
        // An attribute the class assigns a session to (`self._session = self._request.session`
        // in `__init__`), on every assignment.
        if let Some(attr) = text.strip_prefix("self.") {
            if let Some(class) = self.class_text {
                let values = attribute_values(class, attr);
                if !values.is_empty() && !values.iter().any(|v| v.starts_with(text)) {
                    let mut fw = None;
                    for v in &values {
                        fw = Some(self.session_text(v, depth + 1)?);
                    }
                    return fw;
                }
            }
        }
        if let Some(fw) = self.session_parameter(text) {
            return Some(fw);
        }
        if text.contains('.') {
            return self.qualify(text).and_then(|q| session_path(&q));
        }
        match self.func.names.get(text) {
            Some(Bound::Import(p)) => session_path(p),
            Some(_) => {
                // A local alias (`s = session`); every assignment must be a session.
                let values = self.func.aliases.get(text)?;
                let mut fw = None;
                for v in values {
                    let f = self.session_text(v.trim(), depth + 1)?;
                    fw = Some(f);
                }
                fw
            }
            None => {
                // A nested function's free name is the enclosing function's.
                if let Some(outer) = self.outer.as_ref().filter(|o| o.names.contains_key(text)) {
                    return match outer.names.get(text) {
                        Some(Bound::Import(p)) => session_path(p),
                        _ => {
                            let values = outer.aliases.get(text)?;
                            let mut fw = None;
                            for v in values {
                                fw = Some(self.session_text(v.trim(), depth + 1)?);
                            }
                            fw
                        }
                    };
                }
                match self.module.get(text) {
                    Some(Bound::Import(p)) => session_path(p),
                    _ => None,
                }
            }
        }
    }

    /// `self._session` or `self.get_session()`: a method or property of the class (or of a
    /// class of this module it derives from or that derives from it) returning a session.
    fn accessor(&self, text: &str) -> Option<Framework> {
        let accessors = self.accessors.as_ref()?;
        // `_getsession()`: a function of this module.
        if let Some(name) = text.strip_suffix("()") {
            if self.module.get(name) == Some(&Bound::LocalFunction)
                && !self.func.names.contains_key(name)
            {
                return accessors.get(text).copied();
            }
        }
        let rest = text
            .strip_prefix("self.")
            .or_else(|| text.strip_prefix("cls."))?;
        let name = rest.strip_suffix("()").unwrap_or(rest);
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        accessors.get(name).copied()
    }

    /// `request.environ.get(self.session_key)`: a WSGI environ entry named by a variable that
    /// says it is the session's key, in a module of a Beaker or Bottle application (Beaker's
    /// middleware takes its `environ_key` from configuration).
    fn named_environ_session(&self, text: &str) -> bool {
        let Some((_, rest)) = text
            .split_once("environ.get(")
            .or_else(|| text.split_once("environ["))
        else {
            return false;
        };
        let key = rest.trim_end_matches([')', ']']).trim();
        is_dotted(key)
            && key
                .rsplit('.')
                .next()
                .is_some_and(|k| k.to_ascii_lowercase().contains("session"))
            && (self.module.imports_root("bottle") || self.module.imports_root("beaker"))
    }

    /// The framework that writes unknown-backend identity (configured identity writers).
    fn default_framework(&self) -> Framework {
        if self.module.imports_root("quart") {
            Framework::Quart
        } else {
            self.request_framework.unwrap_or(Framework::Flask)
        }
    }

    fn is_request_like(&self, obj: &str) -> bool {
        let direct = |obj: &str| {
            let last = obj.rsplit('.').next().unwrap_or(obj);
            // `self._request` is the request a class keeps as much as `self.request`.
            let last = if obj.starts_with("self.") {
                last.trim_start_matches('_')
            } else {
                last
            };
            if matches!(last, "request" | "req" | "http_request") {
                return true;
            }
            // The first parameter of a view that is not `self`/`cls` is the request.
            !obj.contains('.')
                && self
                    .func
                    .params
                    .iter()
                    .find(|p| *p != "self" && *p != "cls")
                    .is_some_and(|p| p == obj)
        };
        if direct(obj) {
            return true;
        }
        // A local bound to the request (`r = self.request`) on every assignment.
        !obj.contains('.')
            && self
                .func
                .aliases
                .get(obj)
                .is_some_and(|values| !values.is_empty() && values.iter().all(|v| direct(v)))
    }

    /// Is `func` (a callee) the validation of a login or sign-up form, which checks the
    /// password (`form.validate_on_submit()` with `form = LoginForm()`, `login_form.validate()`,
    /// `SignInForm(request.POST).is_valid()`)?
    fn validates_login_form(&self, func: Node<'_>) -> bool {
        if func.kind() != "attribute" {
            return false;
        }
        let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
            return false;
        };
        if !matches!(
            self.text(attr),
            "validate" | "validate_on_submit" | "is_valid"
        ) {
            return false;
        }
        let receiver = self.text(obj);
        let mut texts: Vec<&str> = vec![receiver];
        if obj.kind() == "identifier" {
            if let Some(values) = self.func.aliases.get(receiver) {
                texts.extend(values.iter().map(|v| v.split('(').next().unwrap_or("")));
                // A form looked up by a name (`self._get_form("SECURITY_LOGIN_FORM")`,
                // `get_form_class("login")`): the literal names it.
                texts.extend(values.iter().filter_map(|v| {
                    let args = v.split_once('(')?.1.strip_suffix(')')?.trim();
                    let lit = first_literal(args)?;
                    (args.len() == lit.len() + 2).then_some(lit)
                }));
            }
        }
        // `self.form.is_valid()`: the form another method of the class built
        // (`self.form = forms.UserCredential(values)`, `self.form =
        // import_attr(settings.USER_CREDENTIAL_FORM)(values)`), by what is assigned to it up
        // to its last call's arguments on that line.
        if self.class.is_some() && receiver.starts_with("self.") {
            // The class's text: `src` can be this method alone.
            let class = self.class_text.unwrap_or(self.src);
            let assigned = format!("{receiver} = ");
            texts.extend(class.match_indices(&assigned).map(|(at, _)| {
                let line = class[at + assigned.len()..].lines().next().unwrap_or("");
                line.rsplit_once('(').map_or(line, |(head, _)| head)
            }));
        }
        texts.iter().any(|t| auth::names_login_form(t))
    }

    /// `super().form_valid(...)` in a subclass of Django's `LoginView`: its `login()`.
    fn super_is_login_view(&self, func: Node<'_>) -> bool {
        if func
            .field("object")
            .is_none_or(|o| self.text(o).split_whitespace().collect::<String>() != "super()")
        {
            return false;
        }
        let Some(text) = self.class_text else {
            return false;
        };
        let bases = text
            .split_once('(')
            .and_then(|(_, b)| b.split_once(')'))
            .map_or("", |(b, _)| b);
        bases.split(',').any(|b| {
            let b = b.trim();
            is_dotted(b)
                && self
                    .qualify(b)
                    .is_some_and(|p| django::LOGIN_VIEWS.contains(&p.as_str()))
        })
    }

    /// A verifier or a token exchange handed by reference to a call that runs it: an
    /// executor or a thread pool (`await run_in_threadpool(cca.acquire_token_by_auth_code_flow,
    /// ...)`, `sync_to_async(authenticate)(request, ...)`, a project's own
    /// `self._execute(self._cca.acquire_token_by_auth_code_flow, **kw)`). The first positional
    /// argument, a bare name or attribute, by its exact name (`auth::verifier_reference`).
    fn runs_verifier(&self, args: Node<'_>) -> Option<&'static str> {
        let mut c = args.walk();
        let first = args
            .named_children(&mut c)
            .find(|a| a.kind() != "comment")
            .filter(|a| matches!(a.kind(), "identifier" | "attribute"))?;
        auth::verifier_reference(self.text(first))
    }

    /// Does this login hand Django's `login()` a user carrying a django-otp device, in a
    /// module of a project that uses django-otp (its receiver is connected)? The function or
    /// its class names the device or django-otp's OTP forms.
    fn logs_in_otp_device(&self) -> bool {
        if !self.module.imports_root(django::OTP_LIBRARY) {
            return false;
        }
        let names_device = |t: &str| django::OTP_DEVICE_MARKERS.iter().any(|m| t.contains(m));
        names_device(self.src.get(self.body.clone()).unwrap_or(""))
            || self.class_text.is_some_and(names_device)
    }

    /// Does a call consume a one-time token this function was handed (`async def
    /// reset_allowed(request, confirmation): ... await db.delete_confirmation(confirmation)`)?
    /// The caller looked the token up from the link's code; deleting it (or marking it used)
    /// is the end of a confirmation or reset that proves who follows the link.
    fn consumes_handed_token(&self, path: &str, args: Node<'_>) -> bool {
        let last = last_segment(path)
            .trim_start_matches('_')
            .to_ascii_lowercase();
        if !auth::consumes_token(&last) {
            return false;
        }
        let mut cursor = args.walk();
        let handed = args.named_children(&mut cursor).any(|a| {
            a.kind() == "identifier" && {
                let name = self.text(a);
                self.func.params.iter().any(|p| p == name) && auth::one_time_token_name(name)
            }
        });
        handed
    }

    /// Does a query look a record up by a one-time token it is handed (`Token.query
    /// .filter_by(value=value, used=False)`, `.filter(Activation.code == token)`,
    /// `get_object_or_404(Invite, token=token)`)? Finding the record is what proves who
    /// follows a magic link, a confirmation or an activation link: the token is the
    /// credential. The field looked up holds a secret (`token`, `code`, `key`, `hash`), the
    /// value is not a constant, and the field, the model or the value is named for a link's
    /// token (`auth::link_token_name`): a bare `code` is as often a voucher's or a country's.
    fn looks_up_token(&self, func: Node<'_>, path: &str, args: Node<'_>) -> bool {
        const LOOKUPS: &[&str] = &[
            "filter",
            "filter_by",
            "get",
            "aget",
            "get_or_none",
            "get_object_or_404",
            "aget_object_or_404",
            "where",
            "find_one",
        ];
        if !LOOKUPS.contains(&last_segment(path)) {
            return false;
        }
        // The model queried: the receiver's first capitalised name (`Token.query`,
        // `Token.objects`, `select(Token)`), or `get_object_or_404`'s first argument.
        let receiver = func.field("object").map(|o| self.text(o)).unwrap_or("");
        let model = receiver
            .split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
            .find(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
            .is_some_and(auth::link_token_name)
            || args
                .named_child(0)
                .filter(|a| a.kind() == "identifier")
                .is_some_and(|a| auth::link_token_name(self.text(a)));
        let looked_up = |field: &str, v: Node<'_>| {
            let secret = auth::one_time_token_name(field)
                || matches!(
                    field.trim_start_matches('_'),
                    "value" | "key" | "hash" | "digest" | "secret" | "uuid" | "jti"
                );
            secret
                && !auth::not_one_time(field)
                && matches!(v.kind(), "identifier" | "attribute" | "subscript" | "call")
                && !auth::not_one_time(self.text(v))
                && (model || auth::link_token_name(field) || auth::link_token_name(self.text(v)))
        };
        let mut cursor = args.walk();
        let found = args
            .named_children(&mut cursor)
            .any(|arg| match arg.kind() {
                "keyword_argument" => match (arg.field("name"), arg.field("value")) {
                    (Some(n), Some(v)) => {
                        looked_up(self.text(n).split("__").next().unwrap_or(""), v)
                    }
                    _ => false,
                },
                // `Model.field == value`, either way round.
                "comparison_operator" if self.text(arg).contains("==") => {
                    let (Some(l), Some(r)) = (arg.named_child(0), arg.named_child(1)) else {
                        return false;
                    };
                    let field = |f: Node<'_>| {
                        (f.kind() == "attribute")
                            .then(|| f.field("attribute").map(|a| self.text(a)))
                            .flatten()
                    };
                    field(l).is_some_and(|f| looked_up(f, r))
                        || field(r).is_some_and(|f| looked_up(f, l))
                }
                _ => false,
            });
        found
    }

    /// `x.login(adapter, provider_name)` with a library's framework adapter (Authomatic's
    /// `WerkzeugAdapter(request, response)`, or a local bound to one): the library runs the
    /// whole OAuth/OpenID exchange and returns the provider's result. Its `login` is reached
    /// through an instance made anywhere (`Authomatic(config, secret)` in another module, a
    /// registry), so the adapter it is handed is what says which `login` it is.
    fn logs_in_through_adapter(&self, path: &str, args: Node<'_>) -> bool {
        if last_segment(path) != "login" {
            return false;
        }
        args.named_child(0)
            .is_some_and(|first| self.built_by(first, auth::login_adapter))
    }

    /// Is `node` an object a constructor whose qualified path satisfies `class` made: the
    /// call itself (`gssapi.SecurityContext(...)`), or a local bound to one (`ctx =
    /// gssapi.SecurityContext(...)`)?
    fn built_by(&self, node: Node<'_>, class: fn(&str) -> bool) -> bool {
        self.built(node, |head| self.qualify(head).is_some_and(|p| class(&p)))
    }

    /// Is `node` a call of a constructor whose dotted callee `made_by` accepts, or a local
    /// assigned one?
    fn built(&self, node: Node<'_>, made_by: impl Fn(&str) -> bool) -> bool {
        let constructor = |text: &str| {
            let head = text.split('(').next().unwrap_or("").trim();
            text.contains('(') && is_dotted(head) && made_by(head)
        };
        match node.kind() {
            "call" => constructor(self.text(node)),
            "identifier" => self
                .func
                .aliases
                .get(self.text(node))
                .is_some_and(|values| values.iter().any(|v| constructor(v))),
            // An attribute the class builds (`self.auth = OneLogin_Saml2_Auth(...)`).
            "attribute" => self
                .text(node)
                .strip_prefix("self.")
                .zip(self.class_text)
                .is_some_and(|(attr, class)| {
                    attribute_values(class, attr).iter().any(|v| constructor(v))
                }),
            _ => false,
        }
    }

    /// A Flask-Login anonymous user: built by `AnonymousUserMixin()`, by a class of this
    /// module deriving from it (`class Guest(AnonymousUserMixin):`), or by the login
    /// manager's `anonymous_user()`, directly or through a local.
    fn anonymous_user(&self, node: Node<'_>) -> bool {
        let anonymous = |head: &str| {
            head.rsplit('.').next() == Some("anonymous_user")
                || self
                    .qualify(head)
                    .is_some_and(|p| flask::ANONYMOUS_USERS.contains(&p.as_str()))
        };
        // The class may be anywhere in the module: `src` can be the function alone.
        let module = self.module_text.unwrap_or(self.src);
        self.built(node, |head| {
            anonymous(head)
                || (!head.contains('.')
                    && module.match_indices("class ").any(|(at, _)| {
                        let line = module[at..].lines().next().unwrap_or("");
                        line["class ".len()..].starts_with(head)
                            && line["class ".len() + head.len()..].starts_with('(')
                            && crate::python::receivers::bases(line)
                                .iter()
                                .any(|b| anonymous(b.trim()))
                    }))
        })
    }

    /// `auth.process_response()` on python3-saml's `OneLogin_Saml2_Auth`, built here or by
    /// a factory named for SAML (`auth = init_saml_auth(req)`, `self._init_saml_auth()`):
    /// the assertion the identity provider posted is validated.
    fn processes_saml_response(&self, func: Node<'_>) -> bool {
        let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
            return false;
        };
        if self.text(attr) != "process_response" {
            return false;
        }
        // A python3-saml `OneLogin_Saml2_Auth` handed in (a decorator's or a factory's),
        // known by what the function asks it next: the subject the response names.
        let receiver = self.text(obj);
        if is_dotted(receiver)
            && self.src.get(self.body.clone()).is_some_and(|b| {
                b.contains(&format!("{receiver}.get_nameid("))
                    || b.contains(&format!("{receiver}.get_attributes("))
            })
        {
            return true;
        }
        self.built(obj, |head| {
            self.qualify(head).is_some_and(|p| auth::saml_auth(&p))
                || head
                    .rsplit('.')
                    .next()
                    .is_some_and(|f| f.to_ascii_lowercase().contains("saml"))
        })
    }

    /// `ctx.step(token)` on a GSSAPI/SPNEGO security context (`ctx =
    /// gssapi.SecurityContext(creds=..., usage="accept")`, or the constructor chained): the
    /// client's Kerberos ticket is verified by the step that completes the context.
    fn accepts_security_token(&self, func: Node<'_>) -> bool {
        let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
            return false;
        };
        if self.text(attr) != "step" {
            return false;
        }
        self.built_by(obj, auth::security_context)
    }

    /// `codec.decode(token, key)` on a JSON Web Token codec this function built (`_jwt =
    /// JsonWebToken(algorithms)`, on any of its assignments): the signature is verified.
    fn decodes_jwt(&self, func: Node<'_>) -> bool {
        let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
            return false;
        };
        self.text(attr) == "decode" && self.built_by(obj, auth::jwt_codec)
    }

    /// `consumer.complete(query, return_to)` on an OpenID 2.0 consumer (`consumer =
    /// Consumer(session, store)`, or the constructor chained): the provider's assertion is
    /// verified, and its response's status says whether it held.
    fn completes_openid(&self, func: Node<'_>) -> bool {
        let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
            return false;
        };
        self.text(attr) == "complete" && self.built_by(obj, auth::openid_consumer)
    }

    /// Does a call other than a plain read or a message hand the submitted password to
    /// something (`check_credentials(user, password)`, `store.login(name, form.password.data)`,
    /// `pwd.verify(request.form["pw"], row.hash)`)? A project's own checker is evidence of
    /// authentication whatever its name; so is hashing a new password (a sign-up or a reset
    /// that logs in).
    fn passes_password(&self, path: &str, args: Node<'_>) -> bool {
        // Most calls pass no password: a byte scan of the arguments for `pw`/`pa` (any
        // case) rules them out before any text is split into words.
        let text = self.text(args).as_bytes();
        if !text
            .windows(2)
            .any(|w| w[0] | 0x20 == b'p' && matches!(w[1] | 0x20, b'w' | b'a'))
            && !self.credentials_tuple_in(args)
            && !text.windows(4).any(|w| w.eq_ignore_ascii_case(b"cred"))
        {
            return false;
        }
        let callee = last_segment(path);
        if auth::not_a_password_check(callee) {
            return false;
        }
        // The credentials handed over as one value: a mapping holding the password
        // (`{"username": name, "password": pw}`, or a local bound to one), or a local named
        // for them (`mk_token(creds)`) that is not built by a constructor here. A call that
        // keeps or sends them on (`save_credentials(creds)`, `cache.set(key, creds)`) checks
        // nothing.
        let keeps = auth::keeps_credentials(callee);
        let mut cursor = args.walk();
        let found = args.named_children(&mut cursor).any(|arg| {
            let (name, value) = match arg.kind() {
                "keyword_argument" => (arg.field("name"), arg.field("value")),
                _ => (None, Some(arg)),
            };
            let password = |v: Node<'_>| {
                matches!(v.kind(), "identifier" | "attribute" | "subscript" | "call")
                    && auth::password_word(self.text(v))
            };
            // The application's own secret, read from its configuration
            // (`psycopg2.connect(user=..., password=current_app.config["DB_PASSWORD"])`, an
            // LDAP service bind with `settings.BIND_PASSWORD`): a connection, not a check of
            // what a visitor submitted.
            let configured = value.is_some_and(|v| {
                let t = self.text(v);
                v.kind() == "string"
                    || ["config[", "config.get(", "settings.", "environ", "getenv("]
                        .iter()
                        .any(|c| t.contains(c))
            });
            if configured {
                return false;
            }
            name.is_some_and(|n| auth::password_word(self.text(n)))
                || value.is_some_and(|v| {
                    password(v)
                        // The credentials as one tuple (`users.index((name, password))`),
                        // or a local bound to one (`creds = (name, password)`).
                        || (v.kind() == "tuple" && {
                            let mut c = v.walk();
                            let found = v.named_children(&mut c).any(password);
                            found
                        })
                        || (v.kind() == "identifier" && self.credentials_tuple(self.text(v)))
                        || (!keeps
                            && (self.credentials_mapping(v)
                                || (name.is_none() && self.named_credentials(v))))
                })
        });
        found
    }

    /// A check (`verify`, `validate`, `check_code`) handed the one-time code the visitor
    /// submitted (`verification.verify(form.cleaned_data["code"])`,
    /// `device.verify_token(request.POST["otp"])`): a second factor (or a login code)
    /// verified, whatever object does it.
    fn checks_submitted_code(&self, path: &str, args: Node<'_>) -> bool {
        let callee = last_segment(path)
            .trim_start_matches('_')
            .to_ascii_lowercase();
        if !["verify", "validate", "check"]
            .iter()
            .any(|v| callee.starts_with(v))
            || callee.contains("password")
        {
            return false;
        }
        argument_values(args).any(|v| {
            matches!(v.kind(), "subscript" | "attribute" | "call")
                && auth::submitted_code(self.text(v))
        })
    }

    /// Is the call the exchange of an OAuth authorization code for who the user is: a
    /// callee named for fetching a token or the user's details (`retr_info(code, ...)`,
    /// `get_access_token(code)`, `fetch_userinfo(auth_code)`, `exchange_code(code)`; not
    /// `get_project_for_user(code)`, whose `code` names a record)
    /// handed the code the provider sent back (a parameter or local named for it, or read
    /// from the request: `request.args.get("code")`)?
    fn exchanges_code(&self, path: &str, args: Node<'_>) -> bool {
        let callee = last_segment(path)
            .trim_start_matches('_')
            .to_ascii_lowercase();
        let fetches = [
            "fetch", "get", "retr", "exchange", "request", "obtain", "redeem", "acquire",
        ]
        .iter()
        .any(|v| callee.starts_with(v));
        let what = ["token", "info", "code", "credential"]
            .iter()
            .any(|w| callee.contains(w));
        if !(fetches && what) {
            return false;
        }
        let code_name = |t: &str| {
            matches!(
                t,
                "code" | "auth_code" | "authorization_code" | "oauth_code" | "authcode"
            )
        };
        argument_values(args).any(|v| match v.kind() {
            "identifier" => code_name(self.text(v)),
            "subscript" | "call" => {
                let t = self.text(v);
                auth::submitted_code(t) && (t.contains("\"code\"") || t.contains("'code'"))
            }
            _ => false,
        })
    }

    /// Is `v` a mapping holding the password (`{"username": u, "password": p}`,
    /// `dict(user=u, password=p)`), or a local bound only to such?
    fn credentials_mapping(&self, v: Node<'_>) -> bool {
        let holds = |t: &str| {
            let t = t.trim();
            let pairs = if let Some(inner) = t.strip_prefix('{') {
                inner.strip_suffix('}')
            } else {
                t.strip_prefix("dict(").and_then(|i| i.strip_suffix(')'))
            };
            // A key naming the password, and a second entry (the user's name).
            pairs.is_some_and(|p| {
                p.contains(',')
                    && p.split(',').any(|pair| {
                        pair.split_once([':', '='])
                            .is_some_and(|(k, _)| auth::password_word(k.trim()))
                    })
            })
        };
        match v.kind() {
            "dictionary" => holds(self.text(v)),
            "call" => self.text(v).starts_with("dict(") && holds(self.text(v)),
            "identifier" => self
                .func
                .aliases
                .get(self.text(v))
                .is_some_and(|values| !values.is_empty() && values.iter().all(|t| holds(t))),
            _ => false,
        }
    }

    /// Is `v` a local or parameter named for the credentials (`creds`, `credentials`) and
    /// not bound here to an object built by a call (`Credentials(token)`,
    /// `flow.credentials_from(...)`): the submitted credentials, as a value?
    fn named_credentials(&self, v: Node<'_>) -> bool {
        v.kind() == "identifier"
            && auth::credentials_word(self.text(v))
            && self.func.aliases.get(self.text(v)).is_none_or(|values| {
                values
                    .iter()
                    .all(|t| !t.trim_end().ends_with(')') || t.trim_start().starts_with('{'))
            })
    }

    /// Does a call send an OAuth grant that logs someone in (`requests.post(url,
    /// data={"grant_type": "authorization_code", "code": code})`, or a local bound to such a
    /// mapping)? That is a token endpoint's exchange done by hand: the provider authenticated
    /// the user. A `refresh_token` or `client_credentials` grant authenticates nobody new.
    fn sends_grant(&self, args: Node<'_>) -> bool {
        const GRANT: &str = "grant_type";
        let login_grant = |t: &str| {
            t.contains(GRANT) && (t.contains("authorization_code") || auth::password_word(t))
        };
        argument_values(args).any(|v| match v.kind() {
            "dictionary" => login_grant(self.text(v)),
            "identifier" => {
                self.func.aliases.get(self.text(v)).is_some_and(|values| {
                    values.iter().any(|t| t.starts_with('{') && login_grant(t))
                })
            }
            _ => false,
        })
    }

    /// Does an assignment take the user the web server authenticated (`username =
    /// request.META["REMOTE_USER"]`, `environ.get("REMOTE_USER")`)? A login that trusts it
    /// is a login like any other: the server checked the credentials.
    fn remote_user(&self, node: Node<'_>) -> bool {
        node.field("right").is_some_and(|r| {
            matches!(r.kind(), "subscript" | "call") && {
                let text = self.text(r);
                text.contains("REMOTE_USER")
            }
        })
    }

    /// Does an assignment take the SAML response an identity provider posted to this service
    /// provider (`request.form["SAMLResponse"]`, `request.POST.get("SAMLResponse")`)? The
    /// assertion consumer that goes on to write the session is the single sign-on login.
    fn saml_response(&self, node: Node<'_>) -> bool {
        node.field("right").is_some_and(|r| {
            matches!(r.kind(), "subscript" | "call") && self.text(r).contains("SAMLResponse")
        })
    }

    /// Is local `name` bound to a tuple holding the password (`creds = (name, password)`)?
    fn credentials_tuple(&self, name: &str) -> bool {
        self.func.aliases.get(name).is_some_and(|values| {
            values.iter().any(|t| {
                t.starts_with('(') && t.ends_with(')') && t.contains(',') && auth::password_word(t)
            })
        })
    }

    /// Does a call's argument list pass such a local?
    fn credentials_tuple_in(&self, args: Node<'_>) -> bool {
        let mut cursor = args.walk();
        let found = args
            .named_children(&mut cursor)
            .any(|a| a.kind() == "identifier" && self.credentials_tuple(self.text(a)));
        found
    }

    /// Does `condition` being `taken` (true or false) mean the session already holds the
    /// identity compared with it? `session["uid"] != user.pk` false, `request.session.get(k)
    /// == customer.pk` true; through `not`, parentheses, `a or b` false and `a and b` true.
    pub fn same_identity_in_session(&self, condition: Node<'_>, taken: bool) -> bool {
        let mut stack = vec![(condition, taken)];
        let mut steps = 0;
        while let Some((c, taken)) = stack.pop() {
            steps += 1;
            if steps > 64 {
                return false;
            }
            match c.kind() {
                "parenthesized_expression" => {
                    if let Some(inner) = c.named_child(0) {
                        stack.push((inner, taken));
                    }
                }
                "not_operator" => {
                    if let Some(inner) = c.field("argument") {
                        stack.push((inner, !taken));
                    }
                }
                "boolean_operator" => {
                    let op = c.field("operator").map(|o| self.text(o)).unwrap_or("");
                    // Both operands are known only when `or` is false or `and` is true.
                    if (op == "or" && !taken) || (op == "and" && taken) {
                        for side in [c.field("left"), c.field("right")].into_iter().flatten() {
                            stack.push((side, taken));
                        }
                    }
                }
                "comparison_operator" => {
                    let (parts, ops) = self.comparison(c);
                    let equal_when_true = match ops.as_slice() {
                        ["=="] => true,
                        ["!="] => false,
                        _ => continue,
                    };
                    if taken == equal_when_true
                        && parts.len() == 2
                        && parts.iter().any(|p| {
                            self.session_read(*p)
                                || auth::current_user_expr(self.text(*p))
                                || self.session_getter_call(*p)
                        })
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// A comparison's operands and its operators (`a is not None`: `[a, None]`, `["is",
    /// "not"]`).
    fn comparison<'n>(&self, c: Node<'n>) -> (Vec<Node<'n>>, Vec<&'a str>) {
        let mut cursor = c.walk();
        let parts: Vec<Node<'n>> = c.named_children(&mut cursor).collect();
        let mut cur = c.walk();
        let ops = c
            .children(&mut cur)
            .filter(|n| !n.is_named())
            .map(|n| self.text(n))
            .collect();
        (parts, ops)
    }

    /// On the branch `taken` of `condition`, is the user the function goes on to log in
    /// certainly missing or refused (`if not user or not user.is_active:`, `if user is None:`,
    /// the fall-through of `if user: login(request, user); return ...`)? `principal` says
    /// which names hold that user (the names handed to the login).
    pub fn principal_missing(
        &self,
        condition: Node<'_>,
        taken: bool,
        principal: &dyn Fn(&str) -> bool,
    ) -> bool {
        self.missing_at(condition, taken, principal, 0)
    }

    fn missing_at(
        &self,
        c: Node<'_>,
        taken: bool,
        principal: &dyn Fn(&str) -> bool,
        depth: usize,
    ) -> bool {
        if depth > 16 {
            return false;
        }
        let recurse = |n: Node<'_>, t: bool| self.missing_at(n, t, principal, depth + 1);
        // `user` or a flag saying the account may log in (`user.is_active`).
        let holds_user = |n: Node<'_>| match n.kind() {
            "identifier" => principal(self.text(n)),
            "attribute" => {
                n.field("object")
                    .is_some_and(|o| o.kind() == "identifier" && principal(self.text(o)))
                    && n.field("attribute")
                        .is_some_and(|a| matches!(self.text(a), "is_active" | "is_authenticated"))
            }
            _ => false,
        };
        match c.kind() {
            "parenthesized_expression" => c.named_child(0).is_some_and(|i| recurse(i, taken)),
            "not_operator" => c.field("argument").is_some_and(|i| recurse(i, !taken)),
            "boolean_operator" => {
                let op = c.field("operator").map(|o| self.text(o)).unwrap_or("");
                let sides: Vec<Node<'_>> = [c.field("left"), c.field("right")]
                    .into_iter()
                    .flatten()
                    .collect();
                // `a or b` true and `a and b` false: one of them holds, so each must say so.
                match (op, taken) {
                    ("or", true) | ("and", false) => {
                        sides.len() == 2 && sides.iter().all(|s| recurse(*s, taken))
                    }
                    _ => sides.iter().any(|s| recurse(*s, taken)),
                }
            }
            "comparison_operator" => {
                let (parts, ops) = self.comparison(c);
                let none_when_true = match ops.as_slice() {
                    ["is"] | ["=="] => true,
                    ["is", "not"] | ["is not"] | ["!="] => false,
                    _ => return false,
                };
                parts.len() == 2
                    && taken == none_when_true
                    && parts.iter().any(|p| p.kind() == "none")
                    && parts.iter().any(|p| holds_user(*p))
            }
            _ => !taken && holds_user(c),
        }
    }

    /// A getter named for what the session holds (`_get_user_session_key(request)`, as
    /// Django's `login()` reads the logged-in user's key, `get_session_user(request)`): its
    /// value is the session's.
    fn session_getter_call(&self, node: Node<'_>) -> bool {
        if node.kind() != "call" {
            return false;
        }
        let Some(func) = node.field("function") else {
            return false;
        };
        let name = self.text(func);
        let last = name
            .rsplit('.')
            .next()
            .unwrap_or(name)
            .trim_start_matches('_')
            .to_ascii_lowercase();
        last.starts_with("get_") && last.contains("session")
    }

    /// `for key in list(session.keys()): session.pop(key)` (or `del session[key]`): every key
    /// removed, which is the store's `clear()`.
    fn emptying_loop(&self, node: Node<'_>) -> Vec<Event> {
        let (Some(left), Some(mut it), Some(body)) =
            (node.field("left"), node.field("right"), node.field("body"))
        else {
            return Vec::new();
        };
        if left.kind() != "identifier" {
            return Vec::new();
        }
        // The iterable: the session, its `keys()`, or a copy of either (`list(...)`).
        while it.kind() == "call" {
            let Some(f) = it.field("function") else {
                return Vec::new();
            };
            let next = if matches!(self.text(f), "list" | "tuple" | "set" | "sorted") {
                it.field("arguments").and_then(|a| a.named_child(0))
            } else if f.kind() == "attribute"
                && f.field("attribute").is_some_and(|a| self.text(a) == "keys")
            {
                f.field("object")
            } else {
                None
            };
            match next {
                Some(n) => it = n,
                None => return Vec::new(),
            }
        }
        let Some(fw) = self.session_expr(it) else {
            return Vec::new();
        };
        let (session, key) = (self.text(it), self.text(left));
        // The body is the removal alone: a condition would keep some keys.
        let only = (body.named_child_count() == 1)
            .then(|| body.named_child(0))
            .flatten()
            .map(|stmt| self.text(stmt).trim().to_string())
            .unwrap_or_default();
        let removes = [
            format!("{session}.pop({key})"),
            format!("{session}.pop({key}, None)"),
            format!("del {session}[{key}]"),
        ]
        .contains(&only);
        let Some(effect) = removes
            .then(|| self.backend(fw).session_method("clear"))
            .flatten()
        else {
            return Vec::new();
        };
        vec![Event::Session {
            framework: fw,
            effect,
            call: format!("for {key} in ...: {session}.pop({key})"),
        }]
    }

    /// Is the value an identity write stores the user already logged in (`login_user(user)`
    /// or `update_user(user)` after `user = get_current_user()`, `session["uid"] =
    /// current_user.id`)? `node` is the call (its first positional argument other than the
    /// request is the value) or the assignment (its right side).
    pub fn writes_current_user(&self, node: Node<'_>) -> bool {
        let Some(value) = self.written_value(node) else {
            return false;
        };
        let text = self.text(value);
        if auth::current_user_expr(text) {
            return true;
        }
        // A local bound only to the current user (`user = get_current_user()`).
        let base = text.split('.').next().unwrap_or(text);
        self.func.aliases.get(base).is_some_and(|values| {
            !values.is_empty() && values.iter().all(|v| auth::current_user_expr(v))
        }) && !self.func.params.iter().any(|p| p == base)
    }

    /// Is the value written one of the function's own parameters (`def _do_login_user(user,
    /// ...): login_user(user)`)? Then the caller chose the user, and verified them or not.
    /// So is a value derived from one (`user.get_id()`, `user.id`) or a local bound only to
    /// such values (`token = registry.session_token(user)`).
    pub fn writes_parameter(&self, node: Node<'_>) -> bool {
        let param = |name: &str| {
            !matches!(name, "self" | "cls" | "request" | "req")
                && self.func.params.iter().any(|p| p == name)
        };
        // The identifiers of an expression's text (`registry.token(user)` -> registry,
        // token, user); the first is its base.
        let idents = |t: &str| -> Vec<String> {
            t.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        let derived =
            |t: &str| matches!(t.split(['.', '(', '[']).next(), Some(b) if param(b.trim()));
        self.written_value(node).is_some_and(|v| match v.kind() {
            "identifier" => {
                let name = self.text(v);
                param(name)
                    || self.func.aliases.get(name).is_some_and(|values| {
                        !values.is_empty()
                            && values
                                .iter()
                                .all(|t| derived(t) || idents(t).iter().skip(1).any(|w| param(w)))
                    })
            }
            "attribute" | "call" => derived(self.text(v)),
            _ => false,
        })
    }

    /// The value an identity write stores: a call's first positional argument other than
    /// the request, or an assignment's right side.
    fn written_value<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "call" => node.field("arguments").and_then(|args| {
                let mut cursor = args.walk();
                let first = args
                    .named_children(&mut cursor)
                    .filter(|a| a.kind() != "keyword_argument")
                    .find(|a| !matches!(self.text(*a), "request" | "self.request" | "req"));
                first
            }),
            "assignment" => node.field("right"),
            _ => None,
        }
    }

    /// What a subscript or a `.get(...)` call reads from (`x` of `x[k]`, `x.get(k)`).
    fn read_from<'t>(&self, n: Node<'t>) -> Option<Node<'t>> {
        match n.kind() {
            "subscript" => n.field("value"),
            "call" => n
                .field("function")
                .filter(|f| {
                    f.kind() == "attribute"
                        && f.field("attribute").is_some_and(|a| self.text(a) == "get")
                })
                .and_then(|f| f.field("object")),
            _ => None,
        }
    }

    /// `session[k]` or `session.get(k...)` on a web session, where `k` names the user
    /// (`session["nonce"] == state` says nothing about who is logged in).
    fn session_read(&self, node: Node<'_>) -> bool {
        // A field of a record the session holds (`session.get("sessionuser", {}).get("name")`,
        // `session["user"]["id"]`): the record's key says whose it is.
        // Only a read of a read recurses.
        if self
            .read_from(node)
            .filter(|i| self.read_from(*i).is_some())
            .is_some_and(|i| self.session_read(i))
        {
            return true;
        }
        let key = match node.kind() {
            "subscript" => node
                .field("value")
                .filter(|v| self.session_expr(*v).is_some())
                .and_then(|_| node.field("subscript")),
            "call" => node
                .field("function")
                .filter(|f| {
                    f.kind() == "attribute"
                        && f.field("attribute").is_some_and(|a| self.text(a) == "get")
                        && f.field("object")
                            .is_some_and(|o| self.session_expr(o).is_some())
                })
                .and_then(|_| node.field("arguments"))
                .and_then(|a| a.named_child(0)),
            _ => None,
        };
        // A user written as one word with its qualifier (`sessionuser`, `currentuser`).
        let one_word = |key: &str| {
            let lower = key.to_ascii_lowercase();
            lower.len() > 4
                && lower.ends_with("user")
                && lower.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                && !auth::privilege_key(key)
        };
        let names_user = |key: &str| {
            self.user_key(key)
                || (self.identity_key(key) && !auth::unrelated_key(key))
                || one_word(key)
        };
        key.is_some_and(|k| {
            // A key held in a local (`session_key = f"customer_auth_id:{org}"`) is its value.
            let local = (k.kind() == "identifier")
                .then(|| self.func.aliases.get(self.text(k)))
                .flatten();
            match local {
                Some(values) => values.iter().all(|v| names_user(v)),
                None => names_user(&self.key_text(k)),
            }
        })
    }

    /// `flag` or `not flag`, where `flag` is a parameter with a `True`/`False` default that
    /// the function never assigns: its value when callers leave it out.
    pub fn default_flag(&self, condition: Node<'_>) -> Option<bool> {
        let (name, negated) = match condition.kind() {
            "identifier" => (condition, false),
            "not_operator" => (condition.field("argument")?, true),
            _ => return None,
        };
        if name.kind() != "identifier" {
            return None;
        }
        let name = self.text(name);
        if !self.func.params.iter().any(|p| p == name) {
            return None;
        }
        let value = match self.func.aliases.get(name).map(Vec::as_slice) {
            Some([only]) if only == "True" => true,
            Some([only]) if only == "False" => false,
            _ => return None,
        };
        Some(value != negated)
    }

    /// Does `stmt` (a `raise` statement or an expression statement) end the request with a
    /// successful response? `raise web.HTTPFound(url)`, `raise cherrypy.HTTPRedirect(url)`,
    /// `raise response` where `response = web.HTTPSeeOther(...)`, Bottle's `redirect(url)`
    /// (it raises), `abort(redirect(url))` (Flask, Quart).
    pub fn raises_response(&self, stmt: Node<'_>) -> bool {
        let Some(expr) = stmt.named_child(0) else {
            return false;
        };
        let expr = if expr.kind() == "await" {
            match expr.named_child(0) {
                Some(e) => e,
                None => return false,
            }
        } else {
            expr
        };
        if stmt.kind() == "raise_statement" {
            return match expr.kind() {
                "call" => expr
                    .field("function")
                    .is_some_and(|f| response_class(last_segment(self.text(f)))),
                "identifier" => self.func.aliases.get(self.text(expr)).is_some_and(|vs| {
                    vs.iter().any(|v| {
                        let callee = v.split('(').next().unwrap_or("").trim();
                        v.contains('(')
                            && (response_class(last_segment(callee))
                                || last_segment(callee) == "redirect")
                    })
                }),
                _ => false,
            };
        }
        if expr.kind() != "call" {
            return false;
        }
        let Some(func) = expr.field("function") else {
            return false;
        };
        // Only `redirect(...)` and `abort(...)` can raise a response here: the callee's
        // name rules every other call out before it is resolved.
        if !matches!(last_segment(self.text(func)), "redirect" | "abort") {
            return false;
        }
        let path = self.call_path(func);
        if RAISING_REDIRECTS.iter().any(|p| names(p, &path)) {
            return true;
        }
        // `abort(redirect(url))` / `abort(response)`: abort raises the response it is given.
        ABORTS.iter().any(|p| names(p, &path))
            && expr
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .is_some_and(|arg| {
                    arg.kind() == "call"
                        && arg
                            .field("function")
                            .is_some_and(|f| last_segment(self.text(f)) == "redirect")
                })
    }

    /// Qualified path of a dotted text through imports, or `None` when its head is local or unknown.
    pub fn qualify(&self, text: &str) -> Option<String> {
        let (head, rest) = match text.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (text, None),
        };
        let base = match self.func.names.get(head) {
            Some(Bound::Import(p)) => p.clone(),
            Some(_) => return None,
            None => return self.module.qualify(text),
        };
        Some(match rest {
            Some(r) => format!("{base}.{r}"),
            None => base,
        })
    }

    /// The path used to match a callee against the tables: qualified when resolvable,
    /// otherwise the dotted text, otherwise `.method` for calls on arbitrary expressions.
    fn call_path(&self, func: Node<'_>) -> String {
        let text = self.text(func);
        // A function defined in this module is known by its own qualified name, so the
        // knowledge tables apply to the modules they name (allauth's own `perform_login`).
        if let (Some(module), Some(Bound::LocalFunction)) =
            (&self.module_path, self.module.get(text))
        {
            if !self.func.names.contains_key(text) {
                return format!("{module}.{text}");
            }
        }
        if is_dotted(text) {
            return self.qualify(text).unwrap_or_else(|| text.to_string());
        }
        if func.kind() == "attribute" {
            if let Some(a) = func.field("attribute") {
                return format!(".{}", self.text(a));
            }
        }
        String::new()
    }
}

/// Exceptions that are responses, by class name: redirects and 2xx answers raised to end a
/// request (aiohttp's `web.HTTPFound`, Pyramid's `httpexceptions`, CherryPy's
/// `HTTPRedirect`, Werkzeug's `RequestRedirect`, allauth's `ImmediateHttpResponse`).
const RESPONSE_CLASSES: &[&str] = &[
    "HTTPFound",
    "HTTPSeeOther",
    "HTTPMovedPermanently",
    "HTTPTemporaryRedirect",
    "HTTPPermanentRedirect",
    "HTTPMultipleChoices",
    "HTTPNotModified",
    "HTTPRedirect",
    "InternalRedirect",
    "HTTPOk",
    "HTTPCreated",
    "HTTPAccepted",
    "HTTPNoContent",
    "HTTPResetContent",
    "RequestRedirect",
    "ImmediateHttpResponse",
    "HTTPResponse",
];

/// Calls that redirect by raising (Bottle's `redirect()` raises `HTTPResponse`).
const RAISING_REDIRECTS: &[&str] = &["bottle.redirect"];

/// Calls that raise the response they are given.
const ABORTS: &[&str] = &["flask.abort", "quart.abort", "werkzeug.exceptions.abort"];

fn response_class(name: &str) -> bool {
    RESPONSE_CLASSES.contains(&name) || redirecting_exception(name)
}

/// An exception of a project's own named for the redirect it asks for
/// (`MustRedirectSignup`, `RedirectRequired`): its handler answers with that redirect, and
/// the session is saved with it. Not one named for a failure about a redirect
/// (`InvalidRedirectError`, `UnsafeRedirect`, `RedirectLoopDetected`).
fn redirecting_exception(name: &str) -> bool {
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) || !name.contains("Redirect") {
        return false;
    }
    const FAILURES: &[&str] = &[
        "Error",
        "Invalid",
        "Unsafe",
        "Bad",
        "Disallowed",
        "Forbidden",
        "Loop",
        "Fail",
        "Denied",
        "Untrusted",
        "Open",
    ];
    !FAILURES.iter().any(|w| name.contains(w))
}

/// A call's argument values: the positional arguments and the keyword arguments' values.
fn argument_values(args: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut cursor = args.walk();
    let all: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    all.into_iter().filter_map(|arg| match arg.kind() {
        "keyword_argument" => arg.field("value"),
        _ => Some(arg),
    })
}

fn last_segment(text: &str) -> &str {
    text.rsplit('.').next().unwrap_or(text).trim()
}

/// Does callee `path` name table entry `entry`? Exactly, or as a suffix at a dot boundary
/// (a module's own path may carry a prefix such as `src.`).
fn names(entry: &str, path: &str) -> bool {
    path == entry
        || path
            .strip_suffix(entry)
            .is_some_and(|head| head.ends_with('.'))
}

/// The framework whose session proxy a qualified path is (`flask.session`, `cherrypy.session`).
fn session_path(path: &str) -> Option<Framework> {
    if flask::SESSION_PATHS.contains(&path) {
        Some(Framework::Flask)
    } else if quart::SESSION_PATHS.contains(&path) {
        Some(Framework::Quart)
    } else if cherrypy::SESSION_PATHS.contains(&path) {
        Some(Framework::CherryPy)
    } else if beaker::SESSION_PATHS.contains(&path) {
        Some(Framework::Beaker)
    } else {
        None
    }
}

/// `request.environ["beaker.session"]` or `environ.get("beaker.session")`.
fn is_beaker_lookup(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let lookup = t.contains("environ[") || t.contains("environ.get(");
    let key = t.contains("'beaker.session'") || t.contains("\"beaker.session\"");
    lookup && key && (t.ends_with(']') || t.ends_with(')'))
}

/// `SessionStore(key)` or `<engine>.SessionStore(key)`: Django's session class of the
/// configured engine, opened on a key (an existing session). Not `SessionStore()`: a new
/// record whose key the server makes (a one-time store for a hand-off token), which no
/// browser can have planted.
fn django_session_store(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(args) = t.strip_suffix(')') else {
        return false;
    };
    let Some(at) = args.rfind("SessionStore(") else {
        return false;
    };
    let named = at == 0 || args[..at].ends_with('.');
    named && at + "SessionStore(".len() < args.len()
}

/// The evidence of a login call: the call itself ([`Semantic::login_call`]).
pub const LOGGED_IN_HERE: &str = "user logged in here";

/// `False`, `None`, `0`, `""`, `''`: a value that removes rather than grants.
fn falsy_literal(text: &str) -> bool {
    matches!(
        text.trim(),
        "False"
            | "None"
            | "0"
            | "\"\""
            | "''"
            | "[]"
            | "{}"
            | "()"
            | "set()"
            | "dict()"
            | "list()"
            | "tuple()"
    )
}

/// The signals `text` connects `receiver` to by a call (`sig.connect(receiver, ...)`,
/// `dj_auth.signals.user_logged_out.connect(receiver)`), each by the last name before
/// `.connect(` (`user_logged_out`).
pub(crate) fn connected_signals<'t>(text: &'t str, receiver: &str) -> Vec<&'t str> {
    let pat = format!(".connect({receiver}");
    let mut out: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices(&pat) {
        let next = text[at + pat.len()..].chars().next();
        if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let head = &text[..at];
        // By bytes: every byte after the last non-name one is ASCII, so the slice starts on
        // a character (a char search's `i + 1` can land inside a multi-byte one).
        let start = head
            .bytes()
            .rposition(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .map_or(0, |i| i + 1);
        let signal = &head[start..];
        if !signal.is_empty() && !out.contains(&signal) {
            out.push(signal);
        }
    }
    out
}

/// The string literal assigned to `name` at the start of a line of `module`
/// (`NAME_KEY = "samlNameId"`), when that literal is the whole value.
pub(crate) fn module_constant_literal<'m>(module: &'m str, name: &str) -> Option<&'m str> {
    let pattern = format!("{name} = ");
    module.match_indices(&pattern).find_map(|(at, _)| {
        if at != 0 && module.as_bytes()[at - 1] != b'\n' {
            return None;
        }
        let rest = &module[at + pattern.len()..];
        let line = rest.split('\n').next().unwrap_or(rest).trim_end();
        let quoted = line.starts_with(['"', '\'']);
        let lit = first_literal(line)?;
        // The whole value is that one literal (not `"a" + x`).
        (quoted && line.len() == lit.len() + 2).then_some(lit)
    })
}

/// The literals of the module constants a function's text uses as keys when their names say
/// only that they are session keys (`session[SESSION_KEY]`), for a scan of what it can name.
pub(crate) fn generic_key_literals<'m>(own_text: &str, module: &'m str) -> Vec<&'m str> {
    own_text
        .match_indices('[')
        .filter_map(|(at, _)| {
            let rest = &own_text[at + 1..];
            let name = &rest[..rest.find(']')?];
            (generic_key_name(name) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                .then_some(name)
        })
        .filter_map(|name| module_constant_literal(module, name))
        .collect()
}

/// Does a constant's name say nothing but that it is a session key (`SESSION_KEY`,
/// `SESSION_VAR`, `KEY`)?
fn generic_key_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let mut words = lower.split('_').filter(|w| !w.is_empty()).peekable();
    words.peek().is_some()
        && words.all(|w| matches!(w, "session" | "sess" | "key" | "var" | "name" | "field"))
}

/// The values a class assigns to `self.<attr>` (`self._session = self._request.session`),
/// as text, in the class's own text. A name with anything but identifier characters has none.
fn attribute_values(class: &str, attr: &str) -> Vec<String> {
    // One pass over a class's lines, kept for the class last asked about: the walk asks
    // about many `self.x` of one class in a row.
    thread_local! {
        static LAST: std::cell::RefCell<(String, std::collections::HashMap<String, Vec<String>>)> =
            std::cell::RefCell::new((String::new(), std::collections::HashMap::new()));
    }
    LAST.with(|l| {
        let mut l = l.borrow_mut();
        if l.0 != class {
            let mut map: std::collections::HashMap<String, Vec<String>> =
                std::collections::HashMap::new();
            for line in class.lines() {
                // The start of a statement: only indentation before `self.`.
                let Some(rest) = line.trim_start().strip_prefix("self.") else {
                    continue;
                };
                let Some((name, value)) = rest.split_once(" = ") else {
                    continue;
                };
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    map.entry(name.to_string())
                        .or_default()
                        .push(value.trim().to_string());
                }
            }
            *l = (class.to_string(), map);
        }
        l.1.get(attr).cloned().unwrap_or_default()
    })
}

/// The attributes a class keeps the session it is handed in (`def __init__(self, session):
/// self._session = session`) and uses as a mapping (`self._session[key]`). Methods of one
/// class are analysed one after another: the last class's answer is kept per thread (with
/// its text, so that another class at the same address is never taken for it).
fn constructor_sessions(class: &str) -> Vec<String> {
    thread_local! {
        static LAST: std::cell::RefCell<(String, Vec<String>)> =
            const { std::cell::RefCell::new((String::new(), Vec::new())) };
    }
    if let Some(hit) = LAST.with(|l| {
        let l = l.borrow();
        (!class.is_empty() && l.0 == class).then(|| l.1.clone())
    }) {
        return hit;
    }
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut attrs: Vec<String> = Vec::new();
    if let Some(init) = class.find("def __init__(") {
        let params = &class[init + "def __init__(".len()..];
        let params = params
            .find("):")
            .or_else(|| params.find(')'))
            .map_or("", |end| &params[..end]);
        for p in params.split(|c: char| !ident(c)) {
            if p.is_empty() || !p.contains("session") {
                continue;
            }
            let value = format!(" = {p}");
            for (at, _) in class.match_indices(&value) {
                let after = class[at + value.len()..].chars().next();
                if after.is_some_and(ident) {
                    continue;
                }
                let head = &class[..at];
                // By bytes, so the slice starts on a character (see `prefilter::signal_sends`).
                let start = head
                    .bytes()
                    .rposition(|b| !(ident(char::from(b)) || b == b'.'))
                    .map_or(0, |i| i + 1);
                if let Some(attr) = head[start..].strip_prefix("self.") {
                    if !attr.is_empty()
                        && attr.chars().all(ident)
                        && class.contains(&format!("self.{attr}["))
                        && !attrs.iter().any(|a| a == attr)
                    {
                        attrs.push(attr.to_string());
                    }
                }
            }
        }
    }
    LAST.with(|l| *l.borrow_mut() = (class.to_string(), attrs.clone()));
    attrs
}

fn is_dotted(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c == '_' || c.is_alphanumeric()))
}

/// The literal a key is built from: a string (`f"{prefix}_user_id"`), or the one literal
/// handed to a function named for keys (`self._make_session_key('name_id')`). Not one read
/// from a request or a mapping (`request.form['name']`).
fn key_literal(text: &str) -> Option<&str> {
    let text = text.trim();
    let quoted = |t: &str| {
        let t = t.trim_start_matches(['f', 'r', 'b', 'u', 'F', 'R', 'B', 'U']);
        t.starts_with(['"', '\''])
    };
    if quoted(text) {
        return first_literal(text);
    }
    let (callee, _) = text.split_once('(')?;
    let last = callee.rsplit('.').next()?.to_ascii_lowercase();
    if last.contains("key") && text.ends_with(')') && !text.contains('[') {
        return first_literal(text);
    }
    None
}

/// The first string literal's content in an expression's text (`make_key('name_id')` ->
/// `name_id`, `f"{p}_user_id"` -> `{p}_user_id`), if it holds one.
fn first_literal(text: &str) -> Option<&str> {
    let start = text.find(['"', '\''])?;
    let quote = text[start..].chars().next()?;
    let rest = &text[start + 1..];
    let end = rest.find(quote)?;
    let lit = &rest[..end];
    (!lit.is_empty()).then_some(lit)
}
