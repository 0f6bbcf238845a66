#![doc = include_str!("login_without_regeneration.md")]
//!
//! ## Implementation
//! A path-sensitive walk (`python::flow`) with this state: `rotated` and `reset` (true only
//! if they happened on *every* path), `maybe_empty` (the session may be empty here, which
//! makes Flask-Session's `regenerate()` a no-op), `auth` (some path authenticated), and
//! `pending`: identity writes made while unprotected. A later rotation or erase on a path
//! clears that path's pending writes (write-then-regenerate is Flask-Session's safe order);
//! whatever is still pending when a path leaves the function is a finding. Calls to helpers
//! in the same module are followed (depth-limited), so what a helper does counts, not its name.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tree_sitter::Node;

use super::fix::{self, Insertion};
use super::Context;
use crate::finding::{Evidence, Finding, Remediation, Span};
use crate::frameworks::{aiohttp, starlette, Backend, Effect, Framework, Storage};
use crate::python::file::FunctionRef;
use crate::python::flow::{Analysis, Engine};
use crate::python::imports::FunctionScope;
use crate::python::parse::{Fields, Parsed};
use crate::python::semantic::{Event, Semantic};
use crate::python::summary::Summary;

const MAX_INLINE_DEPTH: usize = 3;

/// Which rule the walk serves. The three share the state machine: what the session's ID and
/// data went through on every path, and the writes or removals still unprotected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SID001: identity written after authentication, session not regenerated.
    Login,
    /// SID002: privilege raised in the session (`is_admin`, `sudo`, step-up) without a new ID.
    Privilege,
    /// SID003: identity removed at logout while the session (and its ID) lives on.
    Logout,
}

impl Mode {
    fn code(self) -> &'static str {
        match self {
            Mode::Login => "SID001",
            Mode::Privilege => "SID002",
            Mode::Logout => "SID003",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Login => "login-without-regeneration",
            Mode::Privilege => "privilege-change-without-regeneration",
            Mode::Logout => "logout-without-invalidation",
        }
    }
}

/// A marked place in the analysed function's file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    line: usize,
    col: usize,
    end_line: usize,
    end_col: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    at: Place,
    framework: Framework,
    desc: String,
    session: String,
    helper: Option<String>,
    /// Where the fix goes: the statement holding the write (or the call to the helper).
    stmt: Stmt,
    /// The same-module helper the write happened in, if any.
    inner: Option<String>,
    auth: Place,
    auth_label: String,
    /// The write is a login primitive handed a parameter of the function (`def
    /// _do_login_user(user): login_user(user)`), with no authentication before it: the
    /// caller chose the user, and authenticated them or not.
    by_caller: bool,
    /// A logout's emptying of a store that keeps the ID (`delete()`, Django's `clear()`):
    /// shown only when no identity removal is.
    emptied: bool,
    /// Summarising: the function's argument this write stores (`Summary::stores_arg`), not
    /// an identity of its own.
    arg: Option<u8>,
}

/// The statement holding a write: where a fix line can be inserted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Stmt {
    line: usize,
    end_line: usize,
    /// Byte column where the statement starts; a fix is only inserted when that is the
    /// start of the line's code (not `if ok: session[...] = ...`).
    col: usize,
    is_return: bool,
}

/// The call in the outermost function through which a helper is being analysed.
#[derive(Debug, Clone)]
struct CallSite {
    at: Place,
    stmt: Stmt,
    helper: String,
    /// The helper's flags the call sets to a literal (`autologin=False`).
    flags: Vec<(String, bool)>,
    /// The positions of the arguments the call hands the helper that are the principal or a
    /// verified token (`self.token = token` after `fetch_token`): a helper of the outermost
    /// function storing one of those writes identity.
    identity_args: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    rotated: bool,
    reset: bool,
    maybe_empty: bool,
    auth: Option<(Place, String)>,
    /// Authentication happened in this function (on some path), not before it.
    authed: bool,
    pending: BTreeSet<Pending>,
    noops: BTreeSet<(Place, String)>,
    /// Some path wrote identity (a login, not a logout).
    wrote_identity: bool,
    /// The session already holds the identity being written (a branch where
    /// `session["uid"] == user.pk`): logging the same user in again fixes nothing, as
    /// Django's `login()` skips the rotation then.
    same_user: bool,
    /// A marker of a login waiting for its second factor was written (`2fa_user`): the
    /// second-factor time written with it (`2fa_auth_time`) dates that pending login; it is
    /// not a privilege the session gained.
    pending_login: bool,
    /// Where the time of a second-factor step was written as a privilege (SID002).
    second_factor: BTreeSet<Place>,
    /// Writes made before this path found the user it was about to log in missing or
    /// refused (`if not user or not user.is_active: return redirect(failed_url)`): the
    /// path is a failed login, and those writes are no login (an OAuth token saved before
    /// the account lookup, Django's `login()` cycling the key on the success path).
    failed: BTreeSet<Place>,
}

impl State {
    fn entry() -> State {
        State {
            rotated: false,
            reset: false,
            maybe_empty: false,
            auth: None,
            authed: false,
            pending: BTreeSet::new(),
            noops: BTreeSet::new(),
            wrote_identity: false,
            same_user: false,
            pending_login: false,
            second_factor: BTreeSet::new(),
            failed: BTreeSet::new(),
        }
    }
}

struct Sid001<'c, 'f> {
    mode: Mode,
    ctx: &'c Context<'f>,
    sem: Semantic<'f>,
    parsed: &'f Parsed,
    /// Call site in the outermost function this helper was inlined from.
    call_site: Option<CallSite>,
    depth: usize,
    stack: Vec<usize>,
    /// Top level: findings at exits. Inlined: states at exits.
    found: BTreeMap<Place, (Pending, BTreeSet<(Place, String)>)>,
    exits: Vec<State>,
    /// Summarising a helper for callers in other modules: collect exit states.
    summarizing: bool,
    /// How many events the walk met (none: the function cannot change any state).
    events: usize,
    /// The outermost function is named as a logout (`logout`, `do_logout`, `sign_out`):
    /// a session key it sets to `None` is the login it ends, whatever the key's name
    /// (`cherrypy.session[self.session_key] = None`).
    logout_named: bool,
    /// Named as a hook run at a logout (`on_logout`, `before_logout`), not the logout.
    logout_hook: bool,
    /// Some normal exit of the function left an identity written: it logs in there, and a
    /// logout on its other paths cleans up a failed login (an OAuth callback's
    /// `logout_user()` when the exchange failed), which ends no session.
    logs_in: bool,
    /// Helpers inlined at a call (by the call's node id and the helper), with the state each was entered
    /// with and what it left: a loop or a `try` walked again meets the same call with the
    /// same state, and the helper's walk is the same.
    inlined: HashMap<(usize, usize), Inlined>,
    /// The names handed to the function's logins (`login(request, user)`,
    /// `session["uid"] = user.pk`), found at the first branch that needs them.
    principals: Option<BTreeSet<String>>,
}

fn place(parsed: &Parsed, node: Node<'_>) -> Place {
    let s = node.start_position();
    let e = node.end_position();
    Place {
        line: parsed.line(s.row),
        col: parsed.file_col(s.row, s.column),
        end_line: parsed.line(e.row),
        end_col: parsed.file_col(e.row, e.column),
    }
}

/// The statement that holds `node` (its ancestor whose parent is a block or module).
fn statement(parsed: &Parsed, node: Node<'_>) -> Stmt {
    let mut cur = node;
    while let Some(p) = cur.parent() {
        if matches!(p.kind(), "block" | "module") {
            break;
        }
        cur = p;
    }
    let sp = place(parsed, cur);
    Stmt {
        line: sp.line,
        end_line: sp.end_line,
        col: sp.col,
        is_return: cur.kind() == "return_statement",
    }
}

impl<'c, 'f> Sid001<'c, 'f> {
    /// The names the function hands to what logs in or regenerates (`login(request, user)`,
    /// `login_user(user)`, `session["uid"] = user.pk`, a helper given the user), found from
    /// any node inside it.
    fn principal_names(&self, inside: Node<'_>) -> BTreeSet<String> {
        let mut func = inside;
        while func.kind() != "function_definition" {
            match func.parent() {
                Some(p) => func = p,
                None => return BTreeSet::new(),
            }
        }
        let mut names = BTreeSet::new();
        let base = |n: Node<'_>, names: &mut BTreeSet<String>| {
            let mut n = n;
            while n.kind() == "attribute" {
                match n.field("object") {
                    Some(o) => n = o,
                    None => return,
                }
            }
            if n.kind() == "identifier" {
                names.insert(self.sem.text(n).to_string());
            }
        };
        let mut stack = vec![func];
        while let Some(n) = stack.pop() {
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
            let logs_in = matches!(n.kind(), "call" | "assignment")
                && self.sem.events(n).iter().any(|e| match e {
                    Event::Write { identity, .. } => *identity,
                    Event::Session { .. } | Event::Helper { .. } | Event::LocalCall { .. } => true,
                    _ => false,
                });
            if !logs_in {
                continue;
            }
            if n.kind() == "assignment" {
                if let Some(v) = n.field("right") {
                    base(v, &mut names);
                }
            } else if let Some(args) = n.field("arguments") {
                let mut cursor = args.walk();
                for a in args.named_children(&mut cursor) {
                    match a.kind() {
                        "keyword_argument" => {
                            if let Some(v) = a.field("value") {
                                base(v, &mut names);
                            }
                        }
                        _ => base(a, &mut names),
                    }
                }
            }
        }
        names.retain(|n| !matches!(n.as_str(), "request" | "self" | "req" | "session"));
        names
    }

    fn protected(&self, st: &State, fw: Framework) -> bool {
        match self.sem.backend(fw).storage() {
            Storage::ClientCookie => st.reset || st.rotated,
            _ => st.rotated,
        }
    }

    /// Is the logout complete on this path: the ID replaced (the old one loads nothing any
    /// more, and what is left of the data, the identity removed, is the visitor's alone:
    /// `pop()` then Django's `cycle_key()`), or the data erased on a store whose erased
    /// record does not stay valid under the same ID?
    fn invalidated(&self, st: &State, fw: Framework) -> bool {
        st.rotated || (st.reset && !logout_needs_rotation(self.sem.backend(fw)))
    }

    /// Records an unprotected write or removal at `node` (or at the inlined call site).
    fn mark(
        &self,
        node: Node<'_>,
        st: &mut State,
        framework: Framework,
        desc: String,
        session: String,
        helper: Option<String>,
    ) {
        self.mark_as(node, st, framework, desc, session, helper, false);
    }

    #[allow(clippy::too_many_arguments)]
    fn mark_as(
        &self,
        node: Node<'_>,
        st: &mut State,
        framework: Framework,
        desc: String,
        session: String,
        helper: Option<String>,
        emptied: bool,
    ) {
        let (auth, auth_label) = st
            .auth
            .clone()
            .unwrap_or_else(|| (nowhere(), String::new()));
        let (at, stmt, inner) = match &self.call_site {
            Some(cs) => (cs.at.clone(), cs.stmt.clone(), Some(cs.helper.clone())),
            None => (place(self.parsed, node), statement(self.parsed, node), None),
        };
        // Also a write after such a login, whose only evidence is that login
        // (`login_user(user); session["case"] = ...` in `wrap_login_user(user)`).
        let by_caller = self.call_site.is_none()
            && ((auth == at && self.sem.writes_parameter(node))
                || (auth_label == crate::python::semantic::LOGGED_IN_HERE
                    && st.pending.iter().any(|p| p.by_caller && p.at == auth)));
        st.pending.insert(Pending {
            at,
            framework,
            desc,
            session,
            helper,
            stmt,
            inner,
            auth,
            auth_label,
            by_caller,
            emptied,
            arg: None,
        });
    }

    /// SID002 and SID003 events; `true` when the event was handled here.
    fn apply_other(
        &mut self,
        node: Node<'_>,
        ev: &Event,
        st: &mut State,
        conditional: bool,
    ) -> bool {
        match (self.mode, ev) {
            (
                Mode::Privilege,
                Event::Write {
                    framework,
                    privilege,
                    lowers,
                    key,
                    desc,
                    session,
                    helper,
                    ..
                },
            ) => {
                st.maybe_empty = false;
                if crate::frameworks::auth::pending_login_key(key) {
                    st.pending_login = true;
                }
                let storage = self.sem.backend(*framework).storage();
                // A second-factor flag with no verification on the way is bookkeeping.
                let unverified =
                    st.auth.is_none() && crate::frameworks::auth::second_factor_key(key);
                // A cookie session has no ID to fix and is re-signed for the victim alone.
                if *privilege
                    && !unverified
                    && !*lowers
                    && storage != Storage::ClientCookie
                    && !self.protected(st, *framework)
                {
                    if crate::frameworks::auth::second_factor_time_key(key) {
                        let at = match &self.call_site {
                            Some(cs) => cs.at.clone(),
                            None => place(self.parsed, node),
                        };
                        st.second_factor.insert(at);
                    }
                    self.mark(
                        node,
                        st,
                        *framework,
                        desc.clone(),
                        session.clone(),
                        helper.clone(),
                    );
                }
                true
            }
            (
                Mode::Logout,
                Event::Write {
                    framework,
                    identity,
                    privilege,
                    lowers,
                    key,
                    desc,
                    session,
                    helper,
                },
            ) => {
                let server = self.sem.backend(*framework).storage() != Storage::ClientCookie;
                // `session["logged_in"] = False` logs out; any other identity write logs in.
                // On a cookie store that is the whole logout (nothing stays on a server).
                let ends_login = self.sem.user_key(key)
                    || (self.logout_named && !crate::frameworks::auth::unrelated_key(key));
                if *lowers && ends_login {
                    if !server {
                        return true;
                    }
                    self.mark(
                        node,
                        st,
                        *framework,
                        desc.clone(),
                        session.clone(),
                        helper.clone(),
                    );
                } else if *identity
                    && !*privilege
                    && !*lowers
                    && !crate::frameworks::auth::time_key(key)
                {
                    // A login's time stamped (`session["login_time"] = time.time()`) is
                    // bookkeeping, not a login.
                    st.wrote_identity = true;
                }
                true
            }
            (
                Mode::Logout,
                Event::Remove {
                    framework,
                    identity,
                    desc,
                    session,
                    key,
                },
            ) => {
                // A logout's removal is of who is logged in, whatever the key is called
                // (`del session[SESSION_KEY]`), unless the key names something else (`next`,
                // `cart`, the OAuth `state`): as for a falsy write above.
                // A module's hook run at logout (`on_logout`, `after_logout`) removes its own
                // data (`del session["gridData"]`), not the login: only keys named as it.
                let ends_login = *identity
                    || (self.logout_named
                        && !self.logout_hook
                        && !crate::frameworks::auth::unrelated_key(key));
                // Cookie stores: removing the identity keys re-signs a cookie without them.
                if ends_login && self.sem.backend(*framework).storage() != Storage::ClientCookie {
                    self.mark(node, st, *framework, desc.clone(), session.clone(), None);
                }
                true
            }
            (
                Mode::Logout,
                Event::Logout {
                    framework,
                    call,
                    session,
                },
            ) => {
                // Cookie sessions: the helper's key removal is the whole logout there.
                if self.sem.backend(*framework).storage() != Storage::ClientCookie {
                    self.mark(
                        node,
                        st,
                        *framework,
                        call.clone(),
                        session.clone(),
                        Some(call.clone()),
                    );
                }
                true
            }
            (
                Mode::Logout,
                Event::Session {
                    effect,
                    framework,
                    call,
                },
            ) => {
                // A logout that only empties a store which keeps the emptied record under the
                // same ID (Beaker's `delete()`, Django's `clear()`): the ID lives on.
                if !conditional
                    && self.logout_named
                    && *effect == Effect::Reset
                    && logout_needs_rotation(self.sem.backend(*framework))
                {
                    let session = call
                        .rsplit_once('.')
                        .map_or(call.as_str(), |(s, _)| s)
                        .to_string();
                    self.mark_as(node, st, *framework, call.clone(), session, None, true);
                }
                if !conditional {
                    match effect {
                        Effect::Rotate { .. } => st.rotated = true,
                        Effect::Reset => st.reset = true,
                        Effect::RotateAndReset => {
                            st.rotated = true;
                            st.reset = true;
                        }
                        Effect::NoOp { .. } => {}
                    }
                }
                true
            }
            _ => false,
        }
    }

    fn apply(&mut self, node: Node<'_>, ev: Event, st: &mut State, conditional: bool) {
        if self.apply_other(node, &ev, st, conditional) {
            return;
        }
        match ev {
            Event::Auth { label } => {
                st.authed = true;
                if st.auth.is_none() {
                    st.auth = Some((self.outer_place(node), label.to_string()));
                }
            }
            Event::Write {
                framework,
                identity,
                privilege,
                lowers,
                desc,
                session,
                helper,
                ..
            } => {
                st.maybe_empty = false;
                // Privilege-only keys are SID002's (a step-up is not a login); a falsy value
                // (`session["user"] = None`, `setdefault("OPENID", {})`) logs nobody in. On a
                // cookie store, which SID002 leaves alone, access granted by a check to a
                // visitor nobody logged in (`session["authorized"] = True` after a site's
                // password) is that visitor's login: planted content survives into it.
                let cookie = self.sem.backend(framework).storage() == Storage::ClientCookie;
                if !identity
                    || (privilege && !cookie)
                    || lowers
                    || self.protected(st, framework)
                    || st.same_user
                {
                    return;
                }
                // The user already logged in, written again (a profile edit refreshing the
                // session's copy of it): nobody new is logged in. In a helper, only while
                // no login is pending on the path: after the caller's `login_user(user)`,
                // `current_user` is the user just logged in.
                if (self.call_site.is_none() || st.pending.is_empty())
                    && self.sem.writes_current_user(node)
                {
                    return;
                }
                // A login: only after authentication.
                if st.auth.is_some() {
                    self.mark(node, st, framework, desc, session, helper);
                }
            }
            Event::Session {
                effect,
                call,
                framework,
            } => match effect {
                Effect::Rotate { needs_nonempty, .. } => {
                    if needs_nonempty && st.maybe_empty {
                        st.noops.insert((
                            self.outer_place(node),
                            format!("`{call}` does nothing here: the session was just cleared, and it skips empty sessions"),
                        ));
                    } else if !conditional {
                        st.rotated = true;
                        st.pending.clear();
                    }
                }
                Effect::Reset => {
                    st.maybe_empty = true;
                    if !conditional {
                        st.reset = true;
                        st.pending.clear();
                    }
                    // On server-side stores this is the misconception the finding is about.
                    if self.sem.backend(framework).storage() != Storage::ClientCookie {
                        st.noops.insert((
                            self.outer_place(node),
                            format!("`{call}` empties the session but keeps its ID"),
                        ));
                    }
                }
                Effect::RotateAndReset => {
                    st.maybe_empty = true;
                    if !conditional {
                        st.rotated = true;
                        st.reset = true;
                        st.pending.clear();
                    }
                }
                Effect::NoOp { why } => {
                    st.noops.insert((self.outer_place(node), why.to_string()));
                }
            },
            Event::Restore { .. } => {
                st.reset = false;
                st.maybe_empty = false;
                st.noops.insert((
                    self.outer_place(node),
                    "the data saved before `clear()` is written back, so planted content survives"
                        .to_string(),
                ));
            }
            Event::Helper {
                summary,
                name,
                session,
            } => {
                // A helper in another module, by what it does on every path.
                if summary.authenticates {
                    self.apply(
                        node,
                        Event::Auth {
                            label: "credentials verified in a helper",
                        },
                        st,
                        conditional,
                    );
                }
                // What the helper leaves written, as a write at the call: an identity, or a
                // privilege (`privilege`).
                let helper_write = |framework, privilege: bool| Event::Write {
                    framework,
                    identity: !privilege,
                    privilege,
                    lowers: false,
                    key: String::new(),
                    desc: format!("{name}(...)"),
                    session: session.clone(),
                    helper: Some(name.clone()),
                };
                // A step-up the helper writes (SID002): raised here only after evidence of
                // re-authentication in the caller (a verifier, a validated form); without it
                // the call may be anything (the helper's own write is judged where it is).
                if let (Mode::Privilege, Some(framework), Some(_)) =
                    (self.mode, summary.writes_privilege, &st.auth)
                {
                    self.apply(node, helper_write(framework, true), st, conditional);
                }
                if let Some(framework) = summary.writes_identity {
                    self.apply(node, helper_write(framework, false), st, conditional);
                }
                // A logout's helper that only drops the identity keys (SID003).
                if let (Mode::Logout, Some(framework)) = (self.mode, summary.ends_login) {
                    let ev = Event::Logout {
                        framework,
                        call: call_text(&name),
                        session: session.clone(),
                    };
                    self.apply(node, ev, st, conditional);
                }
                let effect = match (summary.rotates, summary.resets) {
                    (true, true) => Some(Effect::RotateAndReset),
                    (true, false) => Some(Effect::Rotate {
                        keeps_data: true,
                        needs_nonempty: false,
                    }),
                    (false, true) => Some(Effect::Reset),
                    (false, false) => None,
                };
                if let Some(effect) = effect {
                    // The rotation's framework: that of what the helper writes (a step-up's
                    // `cycle_key()` before its privilege is Django's).
                    let framework = summary
                        .writes_identity
                        .or(summary.writes_privilege)
                        .or(summary.ends_login)
                        .unwrap_or(Framework::Flask);
                    let ev = Event::Session {
                        framework,
                        effect,
                        call: call_text(&name),
                    };
                    self.apply(node, ev, st, conditional);
                }
            }
            Event::LocalCall { qualname } => {
                if let Some(next) = self.inline(node, &qualname, st.clone()) {
                    *st = next;
                }
                // A call of a helper that meets no event (or of none this file defines,
                // which the walk does not follow) is none either: a helper that calls only
                // such helpers is inert too (`file.inert`).
                let inert = self
                    .ctx
                    .file
                    .outline
                    .function_named(&qualname)
                    .is_none_or(|d| self.ctx.file.inert(d).is_some());
                if !inert {
                    self.events += 1;
                }
            }
            // Summarising: an argument left written unprotected, for `Summary::stores_arg`
            // (in the function itself, not in a helper of this module it calls, whose
            // arguments are its own).
            Event::StoresArg {
                framework,
                index,
                desc,
                session,
            } => {
                // A helper of the outermost function storing an argument the call made the
                // principal or a verified token: an identity write at the call.
                let handed = self.depth == 1
                    && self
                        .call_site
                        .as_ref()
                        .is_some_and(|cs| cs.identity_args.contains(&index));
                if handed {
                    let write = Event::Write {
                        framework,
                        identity: true,
                        privilege: false,
                        lowers: false,
                        key: String::new(),
                        desc,
                        session,
                        helper: None,
                    };
                    self.apply(node, write, st, conditional);
                } else if self.mode == Mode::Login
                    && self.summarizing
                    && self.call_site.is_none()
                    && !self.protected(st, framework)
                    && !st.same_user
                {
                    let mut one = State::entry();
                    one.auth = st.auth.clone();
                    self.mark(node, &mut one, framework, desc, session, None);
                    st.pending.extend(one.pending.into_iter().map(|p| Pending {
                        arg: Some(index),
                        ..p
                    }));
                }
            }
            Event::Remove { .. } | Event::Logout { .. } => {}
        }
    }

    /// Where `node` is, in the outermost analysed function (the call site when inlined).
    fn outer_place(&self, node: Node<'_>) -> Place {
        match &self.call_site {
            Some(cs) => cs.at.clone(),
            None => place(self.parsed, node),
        }
    }

    /// Follows a call into a helper of this module: the state after it is the join of the
    /// helper's exits, entered with the caller's state.
    fn inline(&mut self, call: Node<'_>, qualname: &str, st: State) -> Option<State> {
        if self.depth >= MAX_INLINE_DEPTH {
            return None;
        }
        let file = self.ctx.file;
        let def = file.outline.function_named(qualname)?;
        if self.stack.contains(&def) {
            return None;
        }
        // One call can reach several helpers (`parse = v1 if old else v2; parse(resp)`).
        let memo_key = (call.id(), def);
        if let Some(seen) = self.inlined.get(&memo_key) {
            if let Some((_, out)) = seen.iter().find(|(entry, _)| *entry == st) {
                return out.clone();
            }
        }
        let entry = st.clone();
        let out = self.inline_walk(call, def, qualname, st);
        self.inlined
            .entry(memo_key)
            .or_default()
            .push((entry, out.clone()));
        out
    }

    /// `inline`'s walk of helper `def` (not met at this call with this state before).
    fn inline_walk(
        &mut self,
        call: Node<'_>,
        def: usize,
        qualname: &str,
        st: State,
    ) -> Option<State> {
        let file = self.ctx.file;
        let caller_auth = st.auth.is_some();
        // Writes the helper made after authenticating by itself are the helper's findings.
        // A logout's helper that removes the keys (`clear_session()` in `logout()`) is the
        // logout's too: a function named as a logout is the handler that ends the login.
        let logout = self.mode == Mode::Logout && self.logout_named;
        // Probing whether this caller discharges the helper (`discharges`): its writes are
        // followed here, at the top level, like the caller's own.
        let probed = self.call_site.is_none()
            && PROBE.with(|p| p.borrow().as_ref().is_some_and(|(h, _)| h == qualname));
        // A password setter's session write (a fresh token for this browser) is no login of
        // its caller, as its summary tells callers in other modules (`auth::sets_password`).
        let setter = self.call_site.is_none() && crate::frameworks::auth::sets_password(qualname);
        let own = |mut out: State| {
            if setter {
                out.pending.retain(|p| p.inner.as_deref() != Some(qualname));
            }
            if probed {
                if out.pending.iter().any(|p| p.inner.is_some()) {
                    PROBE.with(|p| {
                        if let Some((_, seen)) = p.borrow_mut().as_mut() {
                            *seen = true;
                        }
                    });
                }
                return out;
            }
            if !caller_auth && !logout {
                out.pending.retain(|p| p.inner.is_none());
            }
            out
        };
        // A helper already seen to meet no event leaves any state as it found it.
        if let Some(returns) = file.inert(def) {
            return returns.then(|| own(st));
        }
        let func = file.function(def)?;
        let mut call_site = match &self.call_site {
            Some(cs) => cs.clone(),
            None => CallSite {
                at: place(self.parsed, call),
                stmt: statement(self.parsed, call),
                helper: qualname.to_string(),
                flags: Vec::new(),
                identity_args: self.sem.identity_args(call),
            },
        };
        call_site.flags = literal_flags(self.parsed, call);
        // Flags the call sets can hide the helper's events from this walk only.
        let flagged = !call_site.flags.is_empty();
        let mut stack = self.stack.clone();
        stack.push(def);
        let (_, exit, events) = analyse(
            self.ctx,
            self.mode,
            &func,
            st,
            Some(call_site),
            stack,
            false,
        )?;
        if events == 0 && !flagged {
            file.set_inert(def, exit.is_some());
        }
        exit.map(own)
    }
}

impl Analysis for Sid001<'_, '_> {
    type State = State;

    fn join(&self, a: &State, b: &State) -> State {
        // A logout's removal is judged on its own path: one the path went on to invalidate
        // is settled there, whatever the other path did (`if logged_in: pop; flush()` then
        // a shared `return`).
        let settled = |s: &State| -> BTreeSet<Pending> {
            s.pending
                .iter()
                .filter(|p| !(self.mode == Mode::Logout && self.invalidated(s, p.framework)))
                .cloned()
                .collect()
        };
        State {
            rotated: a.rotated && b.rotated,
            reset: a.reset && b.reset,
            maybe_empty: a.maybe_empty || b.maybe_empty,
            auth: a.auth.clone().or_else(|| b.auth.clone()),
            authed: a.authed || b.authed,
            pending: settled(a).union(&settled(b)).cloned().collect(),
            noops: a.noops.union(&b.noops).cloned().collect(),
            wrote_identity: a.wrote_identity || b.wrote_identity,
            // Per path: the same user already in, or a new ID.
            same_user: (a.same_user || a.rotated) && (b.same_user || b.rotated),
            pending_login: a.pending_login || b.pending_login,
            second_factor: a.second_factor.union(&b.second_factor).cloned().collect(),
            // A failed login on both paths only.
            failed: a.failed.intersection(&b.failed).cloned().collect(),
        }
    }

    fn event(&mut self, node: Node<'_>, st: &mut State, conditional: bool) {
        let events = self.sem.events(node);
        // Local calls count once their helper is known to matter (`apply`).
        self.events += events
            .iter()
            .filter(|e| !matches!(e, Event::LocalCall { .. }))
            .count();
        for ev in events {
            self.apply(node, ev, st, conditional);
        }
    }

    fn branch(&mut self, condition: Node<'_>, taken: bool, st: &mut State) {
        if self.sem.same_identity_in_session(condition, taken) {
            st.same_user = true;
        }
        if self.mode != Mode::Logout
            && self.call_site.is_none()
            && !self.summarizing
            && st.pending.iter().any(|p| !st.failed.contains(&p.at))
        {
            let principals = match &self.principals {
                Some(p) => p,
                None => {
                    let found = self.principal_names(condition);
                    self.principals.insert(found)
                }
            };
            if !principals.is_empty()
                && self
                    .sem
                    .principal_missing(condition, taken, &|n| principals.contains(n))
            {
                let failed: Vec<Place> = st.pending.iter().map(|p| p.at.clone()).collect();
                st.failed.extend(failed);
            }
        }
    }

    fn decided(&mut self, condition: Node<'_>) -> Option<bool> {
        // The application's testing flag (`if current_app.testing and ...:`) is off for
        // every visitor: what runs under it is a test shortcut.
        if self.sem.testing_only(condition) {
            return Some(false);
        }
        // A helper's flag parameter, read where callers leave it at its default: inlined
        // helpers and summaries for other modules (`set_account(request, account)` with
        // `cycle_session_id=True`). A function checked on its own may be given anything.
        if self.call_site.is_none() && !self.summarizing {
            return None;
        }
        // A flag the call sets (`change_user_password(user, pw, autologin=False)`).
        if let Some(cs) = &self.call_site {
            let (name, negated) = match condition.kind() {
                "not_operator" => (condition.child_by_field_name("argument"), true),
                _ => (Some(condition), false),
            };
            let name = name.map_or("", |n| self.sem.text(n));
            if self.sem.func.params.iter().any(|p| p == name) {
                if let Some((_, v)) = cs.flags.iter().find(|(f, _)| f == name) {
                    return Some(*v != negated);
                }
            }
        }
        self.sem.default_flag(condition)
    }

    fn responds(&mut self, node: Node<'_>) -> bool {
        // A helper that raises the response (`await remember(request, response, user);
        // raise response`) answers the request for its caller: what it wrote is saved with
        // that response, as at a `return`.
        self.sem.raises_response(node)
    }

    fn exit(&mut self, _node: Option<Node<'_>>, st: &State) {
        if self.summarizing && self.call_site.is_none() && self.mode == Mode::Logout {
            // A logout helper's summary: what a path leaves of the login after that path's
            // own invalidation (a POST path that forgets, then invalidates, ends nothing).
            let mut kept = st.clone();
            kept.pending.retain(|p| !self.invalidated(st, p.framework));
            self.exits.push(kept);
            return;
        }
        if self.call_site.is_some() || self.summarizing {
            self.exits.push(st.clone());
            return;
        }
        if self.mode == Mode::Logout && st.wrote_identity {
            self.logs_in = true;
            return;
        }
        for p in &st.pending {
            if self.mode == Mode::Logout && self.invalidated(st, p.framework) {
                continue;
            }
            if st.failed.contains(&p.at) {
                continue;
            }
            if self.mode == Mode::Privilege && st.pending_login && st.second_factor.contains(&p.at)
            {
                continue;
            }
            self.found
                .entry(p.at.clone())
                .or_insert_with(|| (p.clone(), st.noops.clone()));
        }
    }
}

/// Found writes (at the outermost function), the join of the normal exit states, and how
/// many events the walk met.
type Analysed = (
    BTreeMap<Place, (Pending, BTreeSet<(Place, String)>)>,
    Option<State>,
    usize,
);

/// The walks of one helper at one call: (the state it was entered with, what it left).
type Inlined = Vec<(State, Option<State>)>;

/// Runs the analysis on one function. `call_site`: inlined into a caller; `summarizing`:
/// collecting exit states for callers in other modules.
fn analyse(
    ctx: &Context<'_>,
    mode: Mode,
    func: &FunctionRef,
    entry: State,
    call_site: Option<CallSite>,
    stack: Vec<usize>,
    summarizing: bool,
) -> Option<Analysed> {
    let node = func.node()?;
    let file = ctx.file;
    let sem = Semantic::new(
        &func.parsed.text,
        &file.module,
        file.scope(func, node),
        ctx.facts,
        file.enclosing_class(func.def),
        ctx.config,
    )
    .with_helpers(ctx.helpers)
    .with_function(file.outline.defs.get(func.def).map(|d| d.qualname.clone()))
    .with_module_path(&file.path)
    .with_accessors(session_accessors(ctx, func.def))
    .with_outer(outer_scope(ctx, func.def))
    .with_wrappers(session_wrappers(ctx))
    .with_class_text(file.enclosing_class_text(func.def))
    .with_module_text(&file.text)
    .with_body(node);
    let mut a = Sid001 {
        mode,
        ctx,
        sem,
        parsed: &func.parsed,
        depth: stack.len() - 1,
        call_site,
        stack,
        found: BTreeMap::new(),
        exits: Vec::new(),
        summarizing,
        events: 0,
        logout_named: false,
        logout_hook: false,
        logs_in: false,
        inlined: HashMap::new(),
        principals: None,
    };
    let mut loader = false;
    if mode == Mode::Logout {
        let outer = a.stack.first().and_then(|d| file.outline.defs.get(*d));
        a.logout_named = outer.is_some_and(|d| logout_name(&d.name));
        a.logout_hook = outer.is_some_and(|d| {
            let lower = d.name.trim_start_matches('_').to_ascii_lowercase();
            ["on_", "before_", "after_"]
                .iter()
                .any(|p| lower.starts_with(p))
        });
        loader = !a.logout_named && outer.is_some_and(|d| loader_name(&d.name));
    }
    let mut engine = Engine::new(&mut a);
    engine.run_function(node, entry);
    if engine.truncated {
        // Code nested past the walk's bound was not analysed: say so, never pass silently.
        ctx.file.truncated.set(true);
    }
    // A getter that drops an identity it cannot resolve (a per-request user loader) ends no
    // login: whoever is logged in is nobody already.
    if a.logs_in || (loader && a.call_site.is_none() && !a.summarizing) {
        a.found.clear();
    }
    let exits = std::mem::take(&mut a.exits);
    let exit = exits.into_iter().reduce(|x, y| a.join(&x, &y));
    Some((a.found, exit, a.events))
}

/// The methods and properties of `def`'s class that return a session (by name): those of
/// the class itself, then of the classes of this module it derives from, then of those that
/// derive from it (an abstract base's `self._session` is what its subclasses return). A
/// method counts when its body, past a docstring and imports, is one `return` of a session.
fn session_accessors(
    ctx: &Context<'_>,
    def: usize,
) -> Option<std::rc::Rc<std::collections::HashMap<String, Framework>>> {
    use crate::python::outline::DefKind;
    let file = ctx.file;
    let defs = &file.outline.defs;
    // The module's own functions that return a session (`def _getsession(): session =
    // bottle.request.environ.get("beaker.session"); if not session: raise ...; return
    // session`), called by name: under `name()`. Computed once per file, under no class.
    let module_level = usize::MAX;
    let module = file.accessors.borrow().get(&module_level).cloned();
    let module = module.unwrap_or_else(|| {
        let mut found: std::collections::HashMap<String, Framework> =
            std::collections::HashMap::new();
        if memchr::memmem::find(file.text.as_bytes(), b"return").is_some() {
            for (m, d) in defs.iter().enumerate() {
                if d.kind != DefKind::Function || d.parent.is_some() {
                    continue;
                }
                let body = file.text.get(d.start_byte..d.end_byte).unwrap_or("");
                if body.len() > 2000 || !body.contains("return") || !body.contains("session") {
                    continue;
                }
                if let Some(fw) = returned_session(ctx, m, None) {
                    found.insert(format!("{}()", d.name), fw);
                }
            }
        }
        let out = (!found.is_empty()).then(|| std::rc::Rc::new(found));
        file.accessors
            .borrow_mut()
            .insert(module_level, out.clone());
        out
    });
    let Some(class) = defs
        .get(def)?
        .parent
        .filter(|p| defs[*p].kind == DefKind::Class)
    else {
        return module;
    };
    if let Some(known) = file.accessors.borrow().get(&class) {
        return known.clone();
    }
    // Classes of this module by name, with the names of their bases.
    let bases = |c: usize| -> Vec<String> {
        let d = &defs[c];
        let header = file
            .text
            .get(d.start_byte..d.end_byte)
            .and_then(|t| t.split(':').next())
            .unwrap_or("");
        header
            .split_once('(')
            .map_or("", |(_, b)| b)
            .split([',', ')'])
            .map(|b| b.trim().rsplit('.').next().unwrap_or("").to_string())
            .filter(|b| !b.is_empty())
            .collect()
    };
    let classes: Vec<usize> = (0..defs.len())
        .filter(|i| defs[*i].kind == DefKind::Class)
        .collect();
    let mut order = vec![class];
    // Up: the bases defined in this module.
    let mut i = 0;
    while i < order.len() && order.len() < 16 {
        for b in bases(order[i]) {
            if let Some(c) = classes.iter().find(|c| defs[**c].name == b) {
                if !order.contains(c) {
                    order.push(*c);
                }
            }
        }
        i += 1;
    }
    // Down: the classes of this module deriving from it.
    let mut down = vec![class];
    let mut j = 0;
    while j < down.len() && down.len() < 16 {
        let name = defs[down[j]].name.clone();
        for c in &classes {
            if !down.contains(c) && bases(*c).contains(&name) {
                down.push(*c);
            }
        }
        j += 1;
    }
    order.extend(down.into_iter().filter(|c| *c != class));
    let mut found: std::collections::HashMap<String, Framework> = std::collections::HashMap::new();
    for c in order {
        for m in (0..defs.len()).filter(|m| defs[*m].parent == Some(c)) {
            let d = &defs[m];
            if d.kind != DefKind::Function || found.contains_key(&d.name) {
                continue;
            }
            let body = file.text.get(d.start_byte..d.end_byte).unwrap_or("");
            if body.len() > 2000 || !body.contains("return") || !body.contains("session") {
                continue;
            }
            if let Some(fw) = returned_session(ctx, m, Some(&defs[c].qualname)) {
                found.insert(d.name.clone(), fw);
            }
        }
    }
    if let Some(module) = &module {
        for (name, fw) in module.iter() {
            found.entry(name.clone()).or_insert(*fw);
        }
    }
    let out = (!found.is_empty()).then(|| std::rc::Rc::new(found));
    file.accessors.borrow_mut().insert(class, out.clone());
    out
}

/// The session a function returns, if its body ends in one `return` of a session
/// expression (or of a local bound to one), after assignments, calls and guards that raise
/// (`if not session: raise ValueError(...)`).
fn returned_session(ctx: &Context<'_>, def: usize, class: Option<&str>) -> Option<Framework> {
    let file = ctx.file;
    let func = file.function(def)?;
    let node = func.node()?;
    let body = node.child_by_field_name("body")?;
    let mut cursor = body.walk();
    let mut value = None;
    let text = |n: Node<'_>| func.parsed.text.get(n.byte_range()).unwrap_or("");
    for stmt in body.named_children(&mut cursor) {
        if value.is_some() && stmt.kind() != "comment" {
            return None;
        }
        match stmt.kind() {
            "comment" | "import_statement" | "import_from_statement" | "expression_statement" => {}
            // A guard: it raises (or aborts) and returns nothing.
            "if_statement"
                if stmt.child_by_field_name("alternative").is_none()
                    && !text(stmt).contains("return")
                    && (text(stmt).contains("raise ") || text(stmt).contains("abort(")) => {}
            "return_statement" => value = stmt.named_child(0),
            _ => return None,
        }
    }
    let value = value?;
    let sem = Semantic::new(
        &func.parsed.text,
        &file.module,
        file.scope(&func, node),
        ctx.facts,
        class.map(str::to_string),
        ctx.config,
    );
    sem.session_expr(value)
}

/// This module's classes whose `__setattr__(self, key, value)` is one write of `value`
/// under `key` into a session (`self.session[key] = value`, the session reached as
/// `session_accessors` finds it), by name: an attribute written on an instance of one is a
/// session key written.
fn session_wrappers(
    ctx: &Context<'_>,
) -> Option<std::rc::Rc<std::collections::HashMap<String, Framework>>> {
    use crate::python::outline::DefKind;
    let file = ctx.file;
    file.wrappers
        .get_or_init(|| {
            memchr::memmem::find(file.text.as_bytes(), b"__setattr__")?;
            let defs = &file.outline.defs;
            let mut found = std::collections::HashMap::new();
            for (m, d) in defs.iter().enumerate() {
                let Some(class) = d.parent.filter(|p| defs[*p].kind == DefKind::Class) else {
                    continue;
                };
                if d.kind != DefKind::Function || d.name != "__setattr__" {
                    continue;
                }
                if let Some(fw) = forwarded_write(ctx, m) {
                    found.insert(defs[class].name.clone(), fw);
                }
            }
            (!found.is_empty()).then(|| std::rc::Rc::new(found))
        })
        .clone()
}

/// The session `def(self, key, value)` writes `value` into under `key`, if its body is
/// that one write (past a docstring).
fn forwarded_write(ctx: &Context<'_>, def: usize) -> Option<Framework> {
    let file = ctx.file;
    let func = file.function(def)?;
    let node = func.node()?;
    let scope = file.scope(&func, node);
    let [_, key, value] = scope.params.as_slice() else {
        return None;
    };
    let body = node.child_by_field_name("body")?;
    let mut cursor = body.walk();
    let mut write = None;
    for stmt in body.named_children(&mut cursor) {
        let first = stmt.named_child(0);
        match stmt.kind() {
            "comment" => {}
            "expression_statement" if first.is_some_and(|c| c.kind() == "string") => {}
            "expression_statement"
                if write.is_none() && first.is_some_and(|c| c.kind() == "assignment") =>
            {
                write = first;
            }
            _ => return None,
        }
    }
    let write = write?;
    let text = |n: Node<'_>| func.parsed.node_text(n);
    let left = write
        .child_by_field_name("left")
        .filter(|l| l.kind() == "subscript")?;
    let right = write.child_by_field_name("right")?;
    let sub = left.child_by_field_name("subscript")?;
    if text(sub) != key.as_str() || text(right) != value.as_str() {
        return None;
    }
    let sem = Semantic::new(
        &func.parsed.text,
        &file.module,
        scope.clone(),
        ctx.facts,
        file.enclosing_class(def),
        ctx.config,
    )
    .with_accessors(session_accessors(ctx, def));
    sem.session_expr(left.child_by_field_name("value")?)
}

/// The local names of the function `def` is nested in, if it is nested in one.
fn outer_scope(ctx: &Context<'_>, def: usize) -> Option<std::rc::Rc<FunctionScope>> {
    use crate::python::outline::DefKind;
    let file = ctx.file;
    let parent = file.outline.defs.get(def)?.parent?;
    if file.outline.defs[parent].kind != DefKind::Function {
        return None;
    }
    let func = file.function(parent)?;
    let node = func.node()?;
    Some(file.scope(&func, node))
}

/// A function nested in another and handed, as an argument, to a call named as an
/// authentication (`auth.get_authenticated_user(on_user)`, `complete_login(callback=done)`):
/// it is called with the authenticated user, so it starts authenticated. The name node of
/// the call, where that is shown, if so.
fn authenticated_callback(ctx: &Context<'_>, def: usize) -> Option<String> {
    use crate::python::outline::DefKind;
    let file = ctx.file;
    let d = file.outline.defs.get(def)?;
    let parent = d.parent?;
    if file.outline.defs[parent].kind != DefKind::Function {
        return None;
    }
    let outer = file
        .text
        .get(file.outline.defs[parent].start_byte..d.start_byte)?;
    let after = file
        .text
        .get(d.end_byte..file.outline.defs[parent].end_byte)
        .unwrap_or("");
    if !after.contains(d.name.as_str()) && !outer.contains(d.name.as_str()) {
        return None;
    }
    let func = file.function(parent)?;
    let node = func.node()?;
    let mut stack = vec![node.child_by_field_name("body")?];
    while let Some(n) = stack.pop() {
        if n.kind() == "function_definition" || n.kind() == "class_definition" {
            continue;
        }
        if n.kind() == "call" {
            let hands = n.child_by_field_name("arguments").is_some_and(|args| {
                let mut c = args.walk();
                let found = args.named_children(&mut c).any(|a| {
                    let a = match a.kind() {
                        "keyword_argument" => a.child_by_field_name("value"),
                        _ => Some(a),
                    };
                    a.is_some_and(|a| func.parsed.node_text(a) == d.name)
                });
                found
            });
            let callee = n
                .child_by_field_name("function")
                .map(|f| func.parsed.node_text(f))
                .unwrap_or("");
            let last = callee.rsplit('.').next().unwrap_or(callee);
            if hands
                && (last.to_ascii_lowercase().contains("authenticat")
                    || crate::frameworks::auth::credential_call(callee).is_some())
            {
                return Some(format!("`{callee}()` calls it with the authenticated user"));
            }
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    None
}

/// A receiver of a library's "login completed" signal (Flask-Dance's
/// `@oauth_authorized.connect_via(blueprint)`): the library runs it right after the OAuth
/// token exchange, with the token, so it starts authenticated.
fn login_signal_receiver(ctx: &Context<'_>, def: usize) -> Option<String> {
    let file = ctx.file;
    let d = file.outline.defs.get(def)?;
    decorators(file, d).find_map(|line| {
        let signal = line.split(['(', ' ']).next()?;
        let (head, method) = signal.rsplit_once('.')?;
        if !matches!(method, "connect" | "connect_via") {
            return None;
        }
        let path = file.module.qualify(head)?;
        crate::frameworks::auth::LOGIN_SIGNALS
            .contains(&path.as_str())
            .then(|| format!("a receiver of `{head}`: the OAuth login completed before it runs"))
    })
}

/// A receiver of Django's `user_logged_out` signal (`user_logged_out.connect(handler)`,
/// `@receiver(user_logged_out)`): Django's `logout()` sends it and then flushes the
/// session, so what the receiver removes is no logout of its own.
fn django_logout_receiver(ctx: &Context<'_>, def: usize) -> bool {
    let file = ctx.file;
    let Some(d) = file.outline.defs.get(def) else {
        return false;
    };
    if !file.module.imports_root("django") {
        return false;
    }
    let decorated = decorators(file, d).any(|line| {
        line.strip_prefix("receiver(")
            .is_some_and(|rest| rest.split([',', ')']).next().is_some_and(is_logout_signal))
    });
    let connected = || {
        crate::python::semantic::connected_signals(&file.text, &d.name)
            .into_iter()
            .any(is_logout_signal)
    };
    d.parent.is_none() && (decorated || connected())
}

/// Is function `def` a command-line command (`@click.command()`, `@cli.command("add")`,
/// `@app.cli.command()`, Typer's `@app.command()`, Flask-Script's `@manager.command`), or a
/// Django management command's method? It runs outside any request: the session it may set
/// up (an application's `before_request` code called to prepare its context) is no
/// browser's, so nothing it writes logs a visitor in or out.
fn command_line(ctx: &Context<'_>, def: usize) -> bool {
    let file = ctx.file;
    let Some(d) = file.outline.defs.get(def) else {
        return false;
    };
    if file.path.contains("management/commands/") {
        return true;
    }
    let cli_module = || {
        ["click", "typer", "flask_script"]
            .iter()
            .any(|m| file.module.imports_root(m))
            || file
                .module
                .import_paths()
                .any(|p| p.starts_with("flask.cli"))
    };
    decorators(file, d).any(|line| {
        let head = line.split(['(', ' ']).next().unwrap_or("").trim_end();
        head.ends_with(".cli.command")
            || ((head.ends_with(".command") || head == "command") && cli_module())
    })
}

/// Does `signal`, as written, name Django's `user_logged_out` (`user_logged_out`,
/// `signals.user_logged_out`, `dj_auth.signals.user_logged_out`)?
fn is_logout_signal(signal: &str) -> bool {
    signal.trim().rsplit('.').next() == Some("user_logged_out")
}

/// A function of this module handed to social-auth's `do_complete()` as its `login`
/// callback (`do_complete(backend, login=do_login)`, `do_complete(self.backend,
/// self.do_login)`, or through a local `do_login = custom if custom else self.do_login`):
/// social-auth calls it with the user the provider authenticated, so it starts
/// authenticated.
fn social_login_callback(ctx: &Context<'_>, def: usize) -> Option<String> {
    use crate::python::outline::DefKind;
    let file = ctx.file;
    let name = file.outline.defs.get(def)?.name.as_str();
    if !file.text.contains("do_complete") {
        return None;
    }
    // Does an expression's text name the function (`do_login`, `self.do_login`)?
    let names_it = |text: &str| {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .any(|t| {
                t == name
                    || t.rsplit_once('.')
                        .is_some_and(|(h, n)| n == name && h == "self")
            })
    };
    for (i, d) in file.outline.defs.iter().enumerate() {
        if d.kind != DefKind::Function
            || !file
                .text
                .get(d.start_byte..d.end_byte)
                .is_some_and(|t| t.contains("do_complete(") && t.contains(name))
        {
            continue;
        }
        let Some(func) = file.function(i) else {
            continue;
        };
        let Some(node) = func.node() else {
            continue;
        };
        let scope = file.scope(&func, node);
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
            if n.kind() != "call" {
                continue;
            }
            let callee = n
                .child_by_field_name("function")
                .map(|f| func.parsed.node_text(f))
                .unwrap_or("");
            let path = file.module.qualify(callee);
            if !path.is_some_and(|p| crate::frameworks::auth::SOCIAL_COMPLETE.contains(&p.as_str()))
            {
                continue;
            }
            let Some(args) = n.child_by_field_name("arguments") else {
                continue;
            };
            let mut c = args.walk();
            let list: Vec<Node<'_>> = args.named_children(&mut c).collect();
            let login = list
                .iter()
                .find(|a| {
                    a.kind() == "keyword_argument"
                        && a.child_by_field_name("name")
                            .is_some_and(|k| func.parsed.node_text(k) == "login")
                })
                .and_then(|a| a.child_by_field_name("value"))
                .or_else(|| {
                    list.iter()
                        .filter(|a| {
                            !matches!(
                                a.kind(),
                                "keyword_argument" | "list_splat" | "dictionary_splat"
                            )
                        })
                        .nth(1)
                        .copied()
                });
            let Some(login) = login else {
                continue;
            };
            let text = func.parsed.node_text(login);
            let named = names_it(text)
                || (login.kind() == "identifier"
                    && scope
                        .aliases
                        .get(text)
                        .is_some_and(|values| values.iter().any(|v| names_it(v))));
            if named {
                return Some(format!(
                    "handed to `{callee}()` as its login callback: social-auth calls it with \
                     the user the provider authenticated"
                ));
            }
        }
    }
    None
}

/// SID001 findings for outline function `def`.
pub fn check(ctx: &Context<'_>, def: usize) -> Vec<Finding> {
    check_mode(ctx, def, Mode::Login)
}

/// The findings of the rule `mode` serves for outline function `def`.
pub fn check_mode(ctx: &Context<'_>, def: usize, mode: Mode) -> Vec<Finding> {
    let Some(func) = ctx.file.function(def) else {
        return Vec::new();
    };
    if mode == Mode::Login && auth_backend_method(ctx, def) {
        return Vec::new();
    }
    if mode == Mode::Logout && django_logout_receiver(ctx, def) {
        return Vec::new();
    }
    if command_line(ctx, def) {
        return Vec::new();
    }
    if ctx
        .file
        .outline
        .defs
        .get(def)
        .is_some_and(|d| crate::frameworks::implements_primitive(&ctx.file.path, &d.qualname))
    {
        return Vec::new();
    }
    let Some(node) = func.node() else {
        return Vec::new();
    };
    let mut entry = State::entry();
    if let Some((name, form)) = validated_login_form(ctx, def, node) {
        entry.auth = Some((
            place(&func.parsed, name),
            match form {
                Some(form) => format!("`{form}` validated before `form_valid()` is called"),
                None => "login form validated before `form_valid()` is called".to_string(),
            },
        ));
        entry.authed = true;
    } else if let Some(why) = (mode == Mode::Login)
        .then(|| {
            authenticated_callback(ctx, def)
                .or_else(|| login_signal_receiver(ctx, def))
                .or_else(|| social_login_callback(ctx, def))
        })
        .flatten()
    {
        if let Some(name) = node.child_by_field_name("name") {
            entry.auth = Some((place(&func.parsed, name), why));
            entry.authed = true;
        }
    }
    let Some((mut found, _, _)) = analyse(ctx, mode, &func, entry, None, vec![def], false) else {
        return Vec::new();
    };
    // A logout that removes the identity is shown there, not where it empties the store.
    if found.values().any(|(p, _)| !p.emptied) {
        found.retain(|_, (p, _)| !p.emptied);
    }
    // A function named as the primitive it calls (`def login_user(user): ...
    // flask_login.login_user(user)`) is that primitive's implementation, a library's or the
    // project's own wrapper: its callers are judged where they call it, not the wrapper.
    // Leading underscores aside (`from flask_login import logout_user as _logout_user`),
    // and the call's arguments (a logout's helper is its call, `_logout_user()`).
    let name = ctx
        .file
        .outline
        .defs
        .get(def)
        .map(|d| d.name.trim_start_matches('_'));
    found.retain(|_, (p, _)| {
        p.helper.as_deref().is_none_or(|h| {
            let h = h.split('(').next().unwrap_or(h);
            Some(h.rsplit('.').next().unwrap_or(h).trim_start_matches('_')) != name
        })
    });
    // A helper that logs in the user its caller hands it, with no authentication of its
    // own (`_do_login_user(user)`, `tf_complete(user)`), is judged at its callers, which
    // verified that user or not; a decorated function (a route, a view) is a handler.
    if mode == Mode::Login
        && ctx
            .file
            .outline
            .defs
            .get(def)
            .is_some_and(|d| d.start_line == d.header_line)
    {
        found.retain(|_, (p, _)| !p.by_caller);
    }
    // A Flask-Login request loader (`@login_manager.request_loader`) authenticates each
    // request by itself (an API key, Basic auth, `REMOTE_USER`): Flask-Login keeps no user
    // in the session for it, so what it writes there by key is that request's bookkeeping,
    // not a login a later request inherits. A login helper it calls (`login_user()`) does
    // store the user, and stays.
    if mode == Mode::Login && request_loader(ctx, def) {
        found.retain(|_, (p, _)| p.helper.is_some());
    }
    if found.is_empty() {
        return Vec::new();
    }
    let logged_in = mode == Mode::Login && logged_in_already(ctx, def);
    // An account created by a user already logged in (a manager adding a member) is
    // someone else's: the visitor's session logs nobody new in.
    if logged_in
        && found
            .values()
            .all(|(p, _)| p.auth_label == crate::frameworks::auth::NEW_ACCOUNT)
    {
        return Vec::new();
    }
    // A step-up on a cookie-only session: no server-side ID to fix, and the raised privilege
    // is re-signed into a cookie only the victim receives (SID002 is not reported there).
    if logged_in
        && found.values().all(|(p, _)| {
            ctx.facts.backend(p.framework).storage() == crate::frameworks::Storage::ClientCookie
        })
    {
        return Vec::new();
    }
    let writes: Vec<(Pending, BTreeSet<(Place, String)>)> = found.into_values().collect();
    let is_async = node.child(0).is_some_and(|c| c.kind() == "async");
    // A login of the user already logged in (a view behind `login_required`, a re-auth
    // view) is a step-up: reported as the privilege change it is (SID002).
    let mode = if logged_in { Mode::Privilege } else { mode };
    vec![finding(ctx, mode, def, &writes, is_async)]
}

/// Is function `def` registered as a Flask-Login request or header loader
/// (`@login_manager.request_loader`, `@lm.header_loader`)?
fn request_loader(ctx: &Context<'_>, def: usize) -> bool {
    ctx.file.outline.defs.get(def).is_some_and(|d| {
        decorators(ctx.file, d).any(|line| {
            let line = line.trim_end();
            line.ends_with(".request_loader") || line.ends_with(".header_loader")
        })
    })
}

/// The decorator lines of definition `d`, each after its `@` (a decorator's continuation
/// lines, inside its parentheses, are not among them).
fn decorators<'f>(
    file: &'f crate::python::file::SourceFile,
    d: &crate::python::outline::Def,
) -> impl Iterator<Item = &'f str> + 'f {
    (d.start_line..d.header_line)
        .filter_map(move |l| file.line_text(l).trim_start().strip_prefix('@'))
}

/// Does function `def` run for a user who is logged in already: it (or, for a method, its
/// class) is decorated with a `login_required` (`@login_required`,
/// `@method_decorator(login_required, name="dispatch")`), or it or its class is named as a
/// re-authentication (`ReauthView`, `sudo_mode`, `step_up`) or an impersonation
/// (`ImpersonatePanel`)? Its login is then a step-up.
fn logged_in_already(ctx: &Context<'_>, def: usize) -> bool {
    let defs = &ctx.file.outline.defs;
    let Some(d) = defs.get(def) else {
        return false;
    };
    let class = d
        .parent
        .and_then(|p| defs.get(p))
        .filter(|c| c.kind == crate::python::outline::DefKind::Class);
    // The decorator itself, a name of it (`@login_required`, `@flask_login.login_required`,
    // `@method_decorator(login_required, ...)`, `@fresh_login_required`); not a gate named
    // after a feature (`@remote_login_required`: the remote-login feature is on).
    let decorated = |x: &crate::python::outline::Def| {
        (x.start_line..x.header_line).any(|l| {
            // Every line of the decorators: `@method_decorator(\n login_required, ...)`.
            ctx.file
                .line_text(l)
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| matches!(w, "login_required" | "fresh_login_required"))
        })
    };
    let reauth_named = |name: &str| {
        let lower = name.to_ascii_lowercase();
        // An impersonation (`ImpersonatePanel.get`, `masquerade_as`) is taken on by a user
        // already logged in, as a re-authentication is.
        [
            "reauth",
            "sudo",
            "stepup",
            "step_up",
            "impersonat",
            "masquerad",
        ]
        .iter()
        .any(|w| lower.contains(w))
    };
    // A class view whose bases demand a login (Django's `LoginRequiredMixin`,
    // `PermissionRequiredMixin`).
    let login_mixin = |c: &crate::python::outline::Def| {
        let text = ctx.file.text.get(c.start_byte..c.end_byte).unwrap_or("");
        let head = text
            .find("class ")
            .and_then(|at| text[at..].find(':').map(|end| &text[at..at + end]))
            .unwrap_or("");
        head.contains("LoginRequiredMixin") || head.contains("PermissionRequiredMixin")
    };
    std::iter::once(d)
        .chain(class)
        .any(|x| decorated(x) || reauth_named(&x.name))
        || class.is_some_and(login_mixin)
}

/// The keyword arguments of a call set to `True` or `False`.
fn literal_flags(parsed: &Parsed, call: Node<'_>) -> Vec<(String, bool)> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|a| a.kind() == "keyword_argument")
        .filter_map(|a| {
            let text = |n: Node<'_>| parsed.text.get(n.byte_range()).unwrap_or("");
            let name = text(a.child_by_field_name("name")?);
            let value = match text(a.child_by_field_name("value")?) {
                "True" => true,
                "False" => false,
                _ => return None,
            };
            Some((name.to_string(), value))
        })
        .collect()
}

/// A Django authentication backend's `authenticate()` (a method of a class deriving from a
/// `...Backend`, or one that also defines `get_user()`): `django.contrib.auth.authenticate()`
/// calls it, and the login is where its caller then runs `login()`, which cycles the key
/// and keeps what the backend stored (tokens, claims).
fn auth_backend_method(ctx: &Context<'_>, def: usize) -> bool {
    let defs = &ctx.file.outline.defs;
    let Some(d) = defs.get(def) else {
        return false;
    };
    let Some(class) = d
        .parent
        .filter(|p| defs[*p].kind == crate::python::outline::DefKind::Class)
    else {
        return false;
    };
    if d.name != "authenticate" || !ctx.file.module.imports_root("django") {
        return false;
    }
    let c = &defs[class];
    let header = ctx
        .file
        .text
        .get(c.start_byte..c.end_byte)
        .and_then(|t| t.split(':').next())
        .unwrap_or("");
    let bases = header.split_once('(').map_or("", |(_, b)| b);
    bases.contains("Backend")
        || defs
            .iter()
            .any(|m| m.parent == Some(class) && m.name == "get_user")
}

/// Django's `FormView.form_valid(form)` runs only after `form.is_valid()`: in a login or
/// sign-up view (`UserLoginView`, `SignupView`), or a view whose `form_class` is a login,
/// password or second-factor form (`form_class = OneTimePasswordForm`), the credentials
/// were verified before the method starts. The method's name node, where the evidence is
/// shown, and the form class when that is what says so.
fn validated_login_form<'t>(
    ctx: &Context<'_>,
    def: usize,
    node: Node<'t>,
) -> Option<(Node<'t>, Option<String>)> {
    let d = ctx.file.outline.defs.get(def)?;
    if d.name != "form_valid" {
        return None;
    }
    let name = node.child_by_field_name("name")?;
    let class = ctx.file.enclosing_class(def)?;
    let class = class.rsplit('.').next().unwrap_or(&class);
    if crate::frameworks::auth::names_login_form(class) {
        return Some((name, None));
    }
    let c = ctx.file.outline.defs.get(d.parent?)?;
    let form = declared_form_class(ctx.file.text.get(c.start_byte..c.end_byte)?, c.indent)?;
    crate::frameworks::auth::names_login_form(form).then(|| (name, Some(form.to_string())))
}

/// The form class a class-based view's body declares (`form_class = OneTimePasswordForm`,
/// `form_class = forms.LoginForm`), last segment, from its lines indented one level below
/// the `class` line at `indent`.
fn declared_form_class(class_text: &str, indent: usize) -> Option<&str> {
    let mut body_indent = None;
    class_text.lines().skip(1).find_map(|l| {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            return None;
        }
        let i = l.len() - t.len();
        if i <= indent || *body_indent.get_or_insert(i) != i {
            return None;
        }
        let value = t
            .strip_prefix("form_class")?
            .trim_start()
            .strip_prefix('=')?
            .trim();
        let last = value.rsplit('.').next()?;
        (!last.is_empty() && last.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then_some(last)
    })
}

/// A getter's name (`get_current_user`, `load_user`, `_fetch_member`, `identify_user`): a
/// function that reads who is logged in, whose removal of the identity is a cleanup of a
/// stale one.
fn loader_name(name: &str) -> bool {
    let lower = name.trim_start_matches('_').to_ascii_lowercase();
    ["get_", "load_", "fetch_", "current_", "identify_"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Is a function named as a logout (`logout`, `do_logout`, `sign_out`, `logoff`,
/// `end_session`)?
pub fn logout_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "logout",
        "log_out",
        "signout",
        "sign_out",
        "logoff",
        "log_off",
        "end_session",
        "single_logout",
    ]
    .iter()
    .any(|w| lower.contains(w))
        // SAML's single logout service, as a word (`_slo`, `saml_sls`; not `slot`).
        || lower.split('_').any(|w| matches!(w, "slo" | "sls"))
}

fn nowhere() -> Place {
    Place {
        line: 0,
        col: 0,
        end_line: 0,
        end_col: 0,
    }
}

/// Stores where an emptied record stays valid under the same ID, so a logout must also
/// replace the ID: Django's `clear()` deletes only the cookie (the row keeps the login),
/// Beaker's `delete()`, CherryPy's `clear()`, BottleSessions' `session_delete()`,
/// server-side Pyramid (and a Pyramid store the application chooses, which may be
/// server-side). starsessions is not one: its middleware deletes the record of a session
/// that is empty when the response goes out (frameworks.md §10a), so `clear()` ends it.
fn logout_needs_rotation(backend: Backend) -> bool {
    matches!(
        backend,
        Backend::DjangoDb
            | Backend::PyramidServer
            | Backend::PyramidUnset
            | Backend::Beaker
            | Backend::CherryPy
            | Backend::BottleSessions
    )
}

/// One finding per function: located at the first unprotected write, with the others as evidence.
fn finding(
    ctx: &Context<'_>,
    mode: Mode,
    def: usize,
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    is_async: bool,
) -> Finding {
    let file = ctx.file;
    let d = &file.outline.defs[def];
    let (first, noops) = &writes[0];
    let backend = ctx.facts.backend(first.framework);
    let storage = backend.storage();

    let mut evidence = Vec::new();
    if first.auth.line > 0 {
        evidence.push(Evidence {
            line: first.auth.line,
            column: char_col(file, first.auth.line, first.auth.col),
            end_column: end_char_col(file, &first.auth),
            label: first.auth_label.clone(),
        });
    }
    for (p, _) in &writes[1..] {
        evidence.push(Evidence {
            line: p.at.line,
            column: char_col(file, p.at.line, p.at.col),
            end_column: end_char_col(file, &p.at),
            label: match mode {
                Mode::Login => "identity also written here",
                Mode::Privilege => "privilege also raised here",
                Mode::Logout => "identity also removed here",
            }
            .to_string(),
        });
    }
    for (p, why) in noops {
        evidence.push(Evidence {
            line: p.line,
            column: char_col(file, p.line, p.col),
            end_column: end_char_col(file, p),
            label: why.clone(),
        });
    }
    evidence.sort_by_key(|e| (e.line, e.column));
    evidence.dedup_by(|a, b| a.line == b.line && a.label == b.label);

    let what = match (&first.helper, &first.inner) {
        (Some(h), _) => {
            // A project helper is named as the call spells it (`self.sp.login_successful()`,
            // `flows.signin.start()`); a library's primitive by its package and name.
            let name = if first.desc == format!("{h}(...)") {
                call_text(h)
            } else {
                short(h)
            };
            format!("`{name}` writes the user's identity into the session")
        }
        (None, Some(helper)) => format!(
            "`{}` writes the user's identity into the session",
            call_text(helper)
        ),
        (None, None) => format!("identity written with `{}`", first.desc),
    };
    let message = match (mode, storage) {
        (Mode::Privilege, Storage::ServerPermissive) => format!(
            "privilege raised with `{}` without regenerating the session ID: any ID an attacker chose and planted gains it, the worst case ({})",
            first.desc,
            backend.label()
        ),
        (Mode::Privilege, _) => format!(
            "privilege raised with `{}` without regenerating the session ID: a planted session ID gains it ({})",
            first.desc,
            backend.label()
        ),
        (Mode::Logout, Storage::ClientCookie) => format!(
            "logout removes the identity with `{}` but keeps the rest of the session: privilege flags and tokens in it survive into the next login in this browser ({})",
            first.desc,
            backend.label()
        ),
        (Mode::Logout, _) if backend.unset() => format!(
            "logout {} but does not invalidate the session: the store is chosen by the application (none is configured in this project), and on a server-side one the ID stays valid with the rest of its data ({})",
            match &first.helper {
                Some(h) => format!("calls `{h}`, which only drops the login keys,"),
                None if first.emptied => format!("only empties the session with `{}`", first.desc),
                None => format!("removes the identity with `{}`", first.desc),
            },
            backend.label()
        ),
        (Mode::Logout, _) if first.emptied => format!(
            "logout empties the session with `{}` but does not invalidate it: its ID stays valid on the server ({})",
            first.desc,
            backend.label()
        ),
        (Mode::Logout, _) => format!(
            "logout {} but does not invalidate the session: its ID stays valid on the server with the rest of its data ({})",
            match &first.helper {
                Some(h) => format!("calls `{h}`, which only drops the login keys,"),
                None => format!("removes the identity with `{}`", first.desc),
            },
            backend.label()
        ),
        (_, Storage::ClientCookie) => format!(
            "{what} without clearing it first: content planted before login survives ({})",
            backend.label()
        ),
        (_, Storage::ServerPermissive) => format!(
            "{what} without regenerating the session ID: any ID an attacker chooses and plants becomes authenticated, the worst case ({})",
            backend.label()
        ),
        (_, Storage::ServerStrict) => format!(
            "{what} without regenerating the session ID: a planted session ID becomes authenticated ({})",
            backend.label()
        ),
    };
    // Pyramid's `remember()`/`forget()` in a project that sets no security policy: the
    // application's choice decides whether they touch the session.
    // (A login's helper is the primitive's path, a logout's the call as spelled.)
    let policy_note = match first.helper.as_deref() {
        Some(h)
            if first.framework == Framework::Pyramid
                && matches!(
                    h.trim_end_matches("()").rsplit('.').next(),
                    Some("remember" | "forget")
                )
                && !ctx
                    .facts
                    .has(crate::project::FileFacts::PYRAMID_SETS_POLICY) =>
        {
            format!(" {}", crate::frameworks::pyramid::POLICY_UNSET)
        }
        _ => String::new(),
    };
    let why = match mode {
        Mode::Login => format!("{}{policy_note}", backend.why()),
        Mode::Privilege => format!(
            "A session's privileges should change only together with its ID. If an attacker planted this session ID in the victim's browser (session fixation), the attacker's copy of the ID gains whatever the victim unlocks here: an admin flag, a sudo or step-up mode, an impersonation. {}",
            storage_note(storage)
        ),
        Mode::Logout => format!("{}{policy_note}", logout_why(backend)),
    };
    let remediation = match mode {
        Mode::Logout => logout_remediation(ctx, def, backend, writes, is_async),
        Mode::Login => remediation(ctx, def, backend, writes, is_async),
        Mode::Privilege => {
            let mut r = remediation(ctx, def, backend, writes, is_async);
            // The backend's fix, worded for a privilege change (cookie stores never get here).
            r.summary = r
                .summary
                .replace("writing the identity", "raising the privilege");
            // Django's `login()` is no fix for a user already logged in: it keeps the key
            // when the same user logs in again.
            if let Some((call, _)) = r.summary.split_once(", or log the user in with `") {
                r.summary = format!(
                    "{call}: `login()` of the user already logged in keeps the key, so it is no fix here."
                );
            }
            // Django's `login()` is the write itself there (django-otp's receiver).
            let otp_login = writes.iter().find(|(p, _)| {
                p.helper.as_deref() == Some(crate::frameworks::django::OTP_RECEIVER)
            });
            if let Some((p, _)) = otp_login {
                if let Some((call, _)) = r.summary.split_once(" before raising the privilege") {
                    r.summary = format!(
                        "{call} before `{}`: for the user already logged in Django's `login()` cycles nothing, and django-otp's `user_logged_in` receiver then records the verified device in the same session.",
                        p.desc.replace("(...)", "()")
                    );
                }
            }
            r
        }
    };

    let mut lines = BTreeMap::new();
    let mut show = |l: usize| {
        lines.insert(l, file.line_text(l).to_string());
    };
    show(first.at.line);
    for e in &evidence {
        show(e.line);
    }
    let span = Span {
        line: first.at.line,
        column: char_col(file, first.at.line, first.at.col),
        end_line: first.at.end_line,
        end_column: char_col(file, first.at.end_line, first.at.end_col),
    };
    Finding {
        rule: mode.code(),
        name: mode.name(),
        // Teams that accept the cookie-session risk can make it a warning (configuration).
        severity: if storage == Storage::ClientCookie
            && ctx.config.settings.client_cookie_severity == crate::config::CookieSeverity::Warning
        {
            crate::finding::Severity::Warning
        } else {
            crate::finding::Severity::Error
        },
        blocking: true,
        path: file.path.clone(),
        span,
        function: d.qualname.clone(),
        message,
        evidence,
        why,
        framework: first.framework.id(),
        // A store the application chooses is judged as a server-side one, and named as what
        // it is: not known to this project.
        storage: match storage {
            _ if backend.unset() => "app-chosen",
            Storage::ClientCookie => "client-cookie",
            Storage::ServerStrict => "server-strict",
            Storage::ServerPermissive => "server-permissive",
        },
        remediation,
        git_ref: None,
        commit: None,
        lines,
        function_lines: (d.start_line, d.end_line),
        key: String::new(),
        preexisting: false,
        fingerprint: String::new(),
    }
}

fn storage_note(storage: Storage) -> &'static str {
    match storage {
        Storage::ServerPermissive => "This store adopts IDs the client chooses, so the attacker need not even visit the site first.",
        _ => "This store keeps the session on the server under the ID in the cookie, so the ID is what carries the privilege.",
    }
}

fn logout_why(backend: Backend) -> String {
    let what = match backend {
        Backend::DjangoDb => "Django's `del`/`pop` remove one key and save the rest under the same key; `clear()` empties the session in memory, but the middleware then only deletes the cookie, and the database row keeps the old data (the login included) under that key. `logout()` or `flush()` deletes the row and issues a new key.",
        Backend::Beaker => "Beaker's `delete()` and `clear()` keep the session ID; `invalidate()` deletes the record and issues a new ID.",
        Backend::BottleSessions => "BottleSessions' `session_delete()` and `clear()` empty the session in memory only: the stored record keeps its data (the login included) under the same ID. `session_regenerate()` deletes the old record and issues a new ID.",
        Backend::CherryPy => "CherryPy's `clear()` keeps the ID, and `cherrypy.lib.sessions.expire()` only expires the browser's cookie: the stored session keeps its ID and data. `cherrypy.session.regenerate()` deletes the old record and issues a new ID.",
        Backend::Starsessions => "starsessions keeps the record under the same (client-chosen) ID with everything but the removed keys; `request.session.clear()` empties it, and the middleware then deletes the record of an empty session.",
        Backend::PyramidServer => "A server-side Pyramid session stays valid under its ID until `invalidate()` deletes it.",
        Backend::PyramidUnset => "This project sets no session factory (Pyramid has none by default), so the application chooses the store. On a server-side one (pyramid_session_redis, pyramid_beaker) the session stays valid under its ID until `invalidate()` deletes it; `request.session.invalidate()` is safe on every session factory, the signed cookie included.",
        Backend::AiohttpUnset => "This project builds no aiohttp-session storage (aiohttp-session has none by default; `setup(app, storage)` is the application's), so the application chooses it, often Redis. There the record keeps its key and everything but the login keys; `session.invalidate()` empties it, and `await new_session(request)` starts a fresh one: both are safe on every storage, the cookie ones included.",
        Backend::FlaskSession | Backend::FlaskCustom | Backend::FlaskKvSession | Backend::QuartSession => "Flask-Login's `logout_user()` and `pop()` remove only the login keys; the server-side record keeps its ID and everything else. `session.clear()` empties it, and Flask-Session deletes an emptied record when it saves.",
        _ => "Removing only the login keys keeps everything else the session holds (privilege flags, CSRF tokens, planted data) for whoever uses this browser next.",
    };
    format!("A logout must end the session, not only forget who is in it: anyone holding the old session ID (an attacker who planted or stole it) keeps what remains. {what}")
}

/// How the code spells the session at its own (non-helper) write, else `default`.
fn written_session(writes: &[(Pending, BTreeSet<(Place, String)>)], default: &str) -> String {
    writes
        .iter()
        .find(|(p, _)| p.helper.is_none() && !p.session.is_empty())
        .map(|(p, _)| p.session.clone())
        .unwrap_or_else(|| default.to_string())
}

/// How a fix spells a framework's session proxy `path` (`flask.session`): as the function
/// wrote it (a name bound there), else as the module imports it.
fn bound_session_name(
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    module: &crate::python::imports::ModuleScope,
    path: &str,
) -> Option<String> {
    let written = written_session(writes, "");
    if !written.is_empty() {
        return Some(written);
    }
    module.spelling_of(path)
}

/// How a fix spells Flask's session proxy (`bound_session_name`); when the module does not
/// bind it, the import to add goes into `notes` (a fix must not call a name the module does
/// not bind, nor one bound to something else, such as a database session).
fn flask_session_name(
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    module: &crate::python::imports::ModuleScope,
    notes: &mut Vec<String>,
) -> String {
    proxy_session_name(writes, module, "flask", notes)
}

/// `flask_session_name` for the session proxy of `framework` (`flask`, `quart`), which a
/// module binds with `from flask import session` or reaches as `flask.session`.
fn proxy_session_name(
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    module: &crate::python::imports::ModuleScope,
    framework: &str,
    notes: &mut Vec<String>,
) -> String {
    if let Some(s) = bound_session_name(writes, module, &format!("{framework}.session")) {
        return s;
    }
    if module.get("session").is_none() {
        notes.push(format!(
            "add `from {framework} import session` to the module's imports"
        ));
        return "session".to_string();
    }
    if let Some(spelled) = module.spelling_of(framework) {
        return format!("{spelled}.session");
    }
    notes.push(format!("add `import {framework}` to the module's imports"));
    format!("{framework}.session")
}

/// How a fix spells a Beaker session: as the function wrote it, else the WSGI environ's
/// (`request.environ["beaker.session"]`, where Beaker's middleware puts it; the write was
/// in a helper, so the function names no session of its own).
fn beaker_session_name(writes: &[(Pending, BTreeSet<(Place, String)>)]) -> String {
    written_session(writes, r#"request.environ["beaker.session"]"#)
}

/// How a fix spells BottleSessions' session on Bottle's request (`bound_session_name`); a
/// module that does not import `bottle`'s request gets the import to add in `notes`.
fn bottle_session_name(
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    module: &crate::python::imports::ModuleScope,
    notes: &mut Vec<String>,
) -> String {
    let path = format!("{}.session", crate::frameworks::bottle::REQUEST);
    bound_session_name(writes, module, &path).unwrap_or_else(|| {
        notes.push("add `from bottle import request` to the module's imports".into());
        "request.session".to_string()
    })
}

/// How a fix spells CherryPy's session (`bound_session_name`); a module that does not import
/// `cherrypy` (the write was in a helper elsewhere) gets the import to add in `notes`.
fn cherrypy_session_name(
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    module: &crate::python::imports::ModuleScope,
    notes: &mut Vec<String>,
) -> String {
    bound_session_name(writes, module, "cherrypy.session").unwrap_or_else(|| {
        notes.push("add `import cherrypy` to the module's imports".into());
        "cherrypy.session".to_string()
    })
}

/// SID003's fix: end the session before (or instead of) removing the keys.
fn logout_remediation(
    ctx: &Context<'_>,
    def: usize,
    backend: Backend,
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    is_async: bool,
) -> Remediation {
    let file = ctx.file;
    let module = &file.module;
    let request_session = request_session(ctx, def);
    let receiver = |default: &str| written_session(writes, default);
    let mut notes: Vec<String> = Vec::new();
    let mut flask_session = || flask_session_name(writes, module, &mut notes);
    let (code, summary): (String, String) = match backend {
        Backend::FlaskCookie | Backend::FlaskSession | Backend::FlaskCustom => {
            let s = flask_session();
            (
                format!("{s}.clear()"),
                format!("Call `{s}.clear()`: the whole session is emptied (Flask-Session deletes an emptied record), and Flask-Login's `logout_user()` can still run after it."),
            )
        }
        Backend::FlaskKvSession => {
            let s = flask_session();
            (
                format!("{s}.destroy()"),
                format!("Call `{s}.destroy()`: Flask-KVSession deletes the record and the ID."),
            )
        }
        Backend::DjangoDb | Backend::DjangoSignedCookies => {
            let s = writes
                .iter()
                .map(|(p, _)| p.session.clone())
                .find(|s| s.ends_with("session"))
                .unwrap_or_else(|| request_session.clone());
            let flush = if is_async {
                format!("await {s}.aflush()")
            } else {
                format!("{s}.flush()")
            };
            (
                flush.clone(),
                format!("Call `{flush}` (or log out with `django.contrib.auth.logout(request)`, which flushes): the row is deleted and a new key issued."),
            )
        }
        Backend::Starsessions => {
            let s = receiver(&request_session);
            (
                format!("{s}.clear()"),
                format!("Call `{s}.clear()`: starsessions deletes the record of a session that is empty when the response goes out, so the old (possibly client-chosen) ID holds nothing."),
            )
        }
        Backend::StarletteCookie | Backend::QuartCookie | Backend::QuartSession => {
            let s = match backend {
                Backend::StarletteCookie => receiver(&request_session),
                _ => proxy_session_name(writes, module, "quart", &mut notes),
            };
            (
                format!("{s}.clear()"),
                format!("Call `{s}.clear()`, so nothing of the logged-in session survives."),
            )
        }
        Backend::PyramidCookie | Backend::PyramidServer | Backend::PyramidUnset => {
            let s = receiver(&request_session);
            (
                format!("{s}.invalidate()"),
                format!("Call `{s}.invalidate()`: the session's data is dropped and a server-side record deleted."),
            )
        }
        Backend::AiohttpCookie | Backend::AiohttpServer | Backend::AiohttpUnset => {
            let s = receiver("");
            let s = if s.is_empty() {
                // Written in a helper: the handler names no session of its own.
                notes.push("get the session first: `session = await get_session(request)`, from `aiohttp_session`".into());
                "session".to_string()
            } else {
                s
            };
            (
                format!("{s}.invalidate()"),
                format!("Call `{s}.invalidate()` to empty the session; if the request goes on to use a session, start a fresh one with `await new_session(request)`."),
            )
        }
        Backend::Beaker => {
            let s = beaker_session_name(writes);
            (
                format!("{s}.invalidate()"),
                format!("Call `{s}.invalidate()` (not `delete()`, which keeps the ID): the record is deleted and a new ID issued."),
            )
        }
        Backend::CherryPy => {
            let s = cherrypy_session_name(writes, module, &mut notes);
            (
                format!("{s}.regenerate()"),
                format!("Call `{s}.regenerate()`: CherryPy deletes the old record and issues a new ID (`cherrypy.lib.sessions.expire()` only expires the browser's cookie)."),
            )
        }
        Backend::BottleSessions => {
            let s = bottle_session_name(writes, module, &mut notes);
            (
                format!("{s}.clear()\n{s}.session_regenerate()"),
                format!("Call `{s}.clear()`, then `{s}.session_regenerate()`: the old record is deleted and the new one is empty (`session_delete()` keeps the stored record)."),
            )
        }
    };
    let mut inserts: Vec<Insertion> = Vec::new();
    let mut summary = summary;
    // A removal that raises on an emptied session (`session.pop("k")` without a default,
    // `del session["k"]`): the session is ended after the last removal instead, at the
    // same level; where that cannot be said, no patch.
    let raising = |line: usize| {
        let t = file.line_text(line).trim_start();
        t.starts_with("del ") || t.split_once(".pop(").is_some_and(|(_, a)| !a.contains(','))
    };
    if let Some((p, _)) = writes.first() {
        let stmt_text = file.line_text(p.stmt.line);
        let indent = stmt_text.len() - stmt_text.trim_start().len();
        if p.stmt.col == indent && !raising(p.stmt.line) {
            inserts.push(Insertion {
                line: p.stmt.line,
                after: false,
                code,
            });
        } else if p.stmt.col == indent && !p.stmt.is_return {
            // The run of removals that follows at the same level (`session.pop("_fresh")`
            // after `session.pop("_user_id")`).
            let d = &file.outline.defs[def];
            let mut last = p.stmt.end_line;
            while last < d.end_line && {
                let next = file.line_text(last + 1);
                next.len() - next.trim_start().len() == indent && raising(last + 1)
            } {
                last += 1;
            }
            summary.push_str(" Here, after the keys are removed: before them, a `pop()` without a default or a `del` would raise on the emptied session.");
            inserts.push(Insertion {
                line: last,
                after: true,
                code,
            });
        }
    }
    let d = &file.outline.defs[def];
    for n in notes {
        summary.push_str(&format!(" ({n})"));
    }
    Remediation {
        summary,
        patch: fix::patch(file, d.start_line, d.end_line, &inserts),
    }
}

/// A helper's call as the code spells it: `check()`, or `self.user = ...` for a property's
/// setter (`self.user.fset`, or `Own.user.fset` for one of the caller's own class).
fn call_text(helper: &str) -> String {
    match helper.strip_suffix(".fset") {
        // A setter of the caller's own class is named by its qualified name (`Own.user`).
        Some(target) if target.starts_with(|c: char| c.is_ascii_uppercase()) => {
            let attr = target.rsplit('.').next().unwrap_or(target);
            format!("self.{attr} = ...")
        }
        Some(target) => format!("{target} = ..."),
        None => format!("{helper}()"),
    }
}

fn short(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    match path.split('.').next().filter(|root| *root != last) {
        Some(root) => format!("{root}.{last}()"),
        None => format!("{last}()"),
    }
}

/// The framework's fix, placed in the user's own function.
fn remediation(
    ctx: &Context<'_>,
    def: usize,
    backend: Backend,
    writes: &[(Pending, BTreeSet<(Place, String)>)],
    is_async: bool,
) -> Remediation {
    let file = ctx.file;
    let module = &file.module;
    let request_session = request_session(ctx, def);
    let mut notes: Vec<String> = Vec::new();
    // How the code spells the session at the write (for helpers, a sensible default).
    let receiver = |default: &str| written_session(writes, default);
    let flask_session = |notes: &mut Vec<String>| flask_session_name(writes, module, notes);
    let (code, after, summary): (String, bool, String) = match backend {
        Backend::FlaskCookie => {
            let s = flask_session(&mut notes);
            (
                format!("{s}.clear()"),
                false,
                format!("Call `{s}.clear()` before writing the identity, so nothing planted in the session before login survives."),
            )
        }
        Backend::FlaskSession | Backend::FlaskCustom => {
            let s = flask_session(&mut notes);
            let app = if module.get("app").is_some() {
                "app".to_string()
            } else {
                module.spelling_of("flask.current_app").unwrap_or_else(|| {
                    notes
                        .push("add `from flask import current_app` to the module's imports".into());
                    "current_app".to_string()
                })
            };
            (
                format!("{app}.session_interface.regenerate({s})"),
                true,
                format!(
                    "Call `{app}.session_interface.regenerate({s})` after writing the identity (Flask-Session >= 0.7). Not before a `clear()`: it skips empty sessions, so clear-then-regenerate keeps the attacker's ID."
                ),
            )
        }
        Backend::FlaskKvSession => {
            let s = flask_session(&mut notes);
            (
                format!("{s}.regenerate()"),
                true,
                format!("Call `{s}.regenerate()` after writing the identity: Flask-KVSession then issues a new session ID and deletes the old record."),
            )
        }
        Backend::DjangoDb | Backend::DjangoSignedCookies => {
            let receiver = writes
                .iter()
                .map(|(p, _)| p.session.clone())
                .find(|s| s.ends_with("session"))
                .unwrap_or_else(|| request_session.clone());
            // In an async view the sync API does database I/O and raises
            // SynchronousOnlyOperation: use the `a`-prefixed coroutines (Django >= 5.0).
            let (cycle, login) = if is_async {
                (
                    format!("await {receiver}.acycle_key()"),
                    "await django.contrib.auth.alogin(request, user)",
                )
            } else {
                (
                    format!("{receiver}.cycle_key()"),
                    "django.contrib.auth.login(request, user)",
                )
            };
            (
                cycle.clone(),
                false,
                format!("Call `{cycle}` before writing the identity, or log the user in with `{login}`, which cycles the key itself."),
            )
        }
        Backend::StarletteCookie | Backend::QuartCookie => {
            // Starlette's session is the request's; Quart's a proxy like Flask's.
            let s = match backend {
                Backend::QuartCookie => proxy_session_name(writes, module, "quart", &mut notes),
                _ => receiver(&request_session),
            };
            (
                format!("{s}.clear()"),
                false,
                format!("Call `{s}.clear()` before writing the identity, so nothing planted in the session before login survives."),
            )
        }
        Backend::Starsessions => {
            let request = receiver(&request_session)
                .trim_end_matches(".session")
                .to_string();
            if module.spelling_of(starlette::REGENERATE).is_none() {
                notes.push(
                    "add `from starsessions import regenerate_session_id` to the module's imports"
                        .into(),
                );
            }
            (
                format!("regenerate_session_id({request})"),
                false,
                "Call `regenerate_session_id(request)` before writing the identity: starsessions adopts client-chosen IDs, so the pre-login ID must never carry the login.".to_string(),
            )
        }
        Backend::PyramidCookie | Backend::PyramidServer | Backend::PyramidUnset => {
            let s = receiver(&request_session);
            (
                format!("{s}.invalidate()"),
                false,
                format!("Call `{s}.invalidate()` before writing the identity (before `remember()`): after it, the login would be erased."),
            )
        }
        Backend::AiohttpCookie | Backend::AiohttpServer | Backend::AiohttpUnset => {
            let var = writes
                .iter()
                .map(|(p, _)| p.session.clone())
                .find(|s| !s.contains('.') && !s.contains('('))
                .unwrap_or_else(|| "session".to_string());
            let request = first_param(ctx, def).unwrap_or_else(|| "request".to_string());
            if module.spelling_of(aiohttp::NEW_SESSION).is_none() {
                notes.push(
                    "add `from aiohttp_session import new_session` to the module's imports".into(),
                );
            }
            (
                format!("{var} = await new_session({request})"),
                false,
                format!("Start a new session with `{var} = await new_session({request})` before writing the identity; `invalidate()` keeps the old key."),
            )
        }
        Backend::QuartSession => {
            let s = receiver("session");
            let app = if module.get("app").is_some() {
                "app"
            } else {
                "current_app"
            };
            (
                format!(
                    "await {app}.session_interface.delete(key={app}.session_interface.key_prefix + {s}.sid, app={app})\n{s}.sid = {app}.session_interface._generate_sid()"
                ),
                false,
                "Quart-Session has no API to regenerate the session ID. The patch uses its private API to delete the old record and issue a new ID (not verified against your version); switching the login to Quart-Auth, which issues a fresh signed token, avoids the private API.".to_string(),
            )
        }
        Backend::Beaker => {
            let s = beaker_session_name(writes);
            (
                format!("{s}.regenerate_id()"),
                false,
                format!("Call `{s}.regenerate_id()` before writing the identity (`delete()` keeps the ID; `invalidate()` also works but drops the data)."),
            )
        }
        Backend::CherryPy => {
            let s = cherrypy_session_name(writes, module, &mut notes);
            (
                format!("{s}.regenerate()"),
                false,
                format!("Call `{s}.regenerate()` before writing the identity: CherryPy then deletes the old record and issues a new ID."),
            )
        }
        Backend::BottleSessions => {
            let s = bottle_session_name(writes, module, &mut notes);
            (
                format!("{s}.session_regenerate()"),
                false,
                format!("Call `{s}.session_regenerate()` before writing the identity: BottleSessions then deletes the old record and issues a new ID, keeping the data."),
            )
        }
    };
    // One insertion per statement run: before the first write, or after the last.
    let mut inserts: Vec<Insertion> = Vec::new();
    for (p, _) in writes {
        let after_here = after && !p.stmt.is_return;
        let line = if after_here {
            p.stmt.end_line
        } else {
            p.stmt.line
        };
        let stmt_text = file.line_text(p.stmt.line);
        let indent = stmt_text.len() - stmt_text.trim_start().len();
        if p.stmt.col != indent {
            continue;
        }
        let ins = Insertion {
            line,
            after: after_here,
            code: code.clone(),
        };
        if !inserts.contains(&ins) {
            inserts.push(ins);
        }
    }
    // Consecutive writes: keep only the first "before" insertion and the last "after" one
    // within a run of adjacent statements.
    // A run is followed by the line of its latest write, not its kept insertion's (three
    // writes in a row get one insertion, not one before the first and one before the third).
    inserts.sort_by_key(|i| i.line);
    let mut merged: Vec<Insertion> = Vec::new();
    let mut run_end = 0;
    for ins in inserts {
        let line = ins.line;
        if let Some(prev) = merged.last_mut() {
            let adjacent = line == run_end + 1 && ins.after == prev.after;
            if adjacent && !ins.after {
                run_end = line;
                continue;
            }
            if adjacent && ins.after {
                *prev = ins;
                run_end = line;
                continue;
            }
        }
        merged.push(ins);
        run_end = line;
    }
    let d = &file.outline.defs[def];
    let patch = fix::patch(file, d.start_line, d.end_line, &merged);
    let mut summary = summary;
    for n in notes {
        summary.push_str(&format!(" ({n})"));
    }
    // Flask and Quart keep `permanent` in the session (`_permanent`): a clear placed after
    // the function sets it undoes it.
    if code.ends_with(".clear()")
        && merged.first().is_some_and(|first| {
            (d.start_line..first.line).any(|l| {
                file.line_text(l)
                    .replace(' ', "")
                    .contains(".permanent=True")
            })
        })
    {
        summary.push_str(" `clear()` also drops `session.permanent` (stored in the session): set it again after the clear.");
    }
    Remediation { summary, patch }
}

/// 1-based character column of 0-based byte column `col` on `line`.
pub(crate) fn char_col(file: &crate::python::file::SourceFile, line: usize, col: usize) -> usize {
    let text = file.line_text(line);
    let mut c = col.min(text.len());
    while c > 0 && !text.is_char_boundary(c) {
        c -= 1;
    }
    text[..c].chars().count() + 1
}

fn end_char_col(file: &crate::python::file::SourceFile, p: &Place) -> usize {
    if p.end_line == p.line {
        char_col(file, p.line, p.end_col)
    } else {
        file.line_text(p.line).chars().count() + 1
    }
}

/// The function's first parameter that is not `self`/`cls` (the request, in a view).
fn first_param(ctx: &Context<'_>, def: usize) -> Option<String> {
    let func = ctx.file.function(def)?;
    let node = func.node()?;
    let scope = FunctionScope::build(node, &func.parsed.text);
    scope.params.into_iter().find(|p| p != "self" && p != "cls")
}

/// The request's session as function `def` can name it, for a fix whose writes name none
/// (a helper call): `self.request.session` in a method that has no `request` of its own
/// but uses `self.request`, else `request.session`.
fn request_session(ctx: &Context<'_>, def: usize) -> String {
    let text = ctx.file.def_text(def);
    let own = ctx.file.function(def).and_then(|func| {
        let node = func.node()?;
        let scope = FunctionScope::build(node, &func.parsed.text);
        Some(scope.params.iter().any(|p| p == "request") || scope.names.contains_key("request"))
    });
    if own != Some(true) && text.contains("self.request") {
        "self.request.session".to_string()
    } else {
        "request.session".to_string()
    }
}

thread_local! {
    /// The helper a `discharges` probe follows into its caller, and whether its writes were
    /// met there.
    static PROBE: std::cell::RefCell<Option<(String, bool)>> = const { std::cell::RefCell::new(None) };
}

/// Does function `def`, a caller of `helper` in the same module, discharge the writes the
/// helper is reported for? Walked as the caller's own (login and privilege walks), the
/// helper's writes are met and none is left at an exit: the caller rotates after them
/// (`user = resolve_passkey_assertion(request)`, then Django's `login()`, which cycles the
/// key), or the path is a failed login (`if user is None: return failure()`, the path where
/// the helper wrote nothing). A caller that leaves them, or never meets them, does not.
pub fn discharges(ctx: &Context<'_>, def: usize, helper: &str) -> bool {
    let Some(func) = ctx.file.function(def) else {
        return false;
    };
    let walk = |mode| {
        PROBE.with(|p| *p.borrow_mut() = Some((helper.to_string(), false)));
        let found = analyse(ctx, mode, &func, State::entry(), None, vec![def], false)
            .map(|(found, _, _)| found);
        let seen = PROBE
            .with(|p| p.borrow_mut().take())
            .is_some_and(|(_, s)| s);
        (
            seen,
            found.is_some_and(|f| f.values().all(|(p, _)| p.inner.is_none())),
        )
    };
    let (login_seen, login_clean) = walk(Mode::Login);
    if !login_clean {
        return false;
    }
    let (privilege_seen, privilege_clean) = walk(Mode::Privilege);
    privilege_clean && (login_seen || privilege_seen)
}

/// Summarises function `def` (entered as if already authenticated, so that its identity
/// writes are seen).
pub fn summarize(ctx: &Context<'_>, def: usize) -> Summary {
    let Some(func) = ctx.file.function(def) else {
        return Summary::default();
    };
    let mut entry = State::entry();
    let nowhere = Place {
        line: 0,
        col: 0,
        end_line: 0,
        end_col: 0,
    };
    entry.auth = Some((nowhere, "caller".to_string()));
    let Some((_, Some(exit), _)) = analyse(
        ctx,
        Mode::Login,
        &func,
        entry.clone(),
        None,
        vec![def],
        true,
    ) else {
        return Summary::default();
    };
    // Privilege writes: the SID002 walk, only where the function's own text can name a
    // privilege (a key, a constant, a helper; the file's text is not read for this: a
    // summary is computed for both versions of a changed function, and a long file read
    // twice in every commit hook is the hook's cost).
    let own_text = ctx.file.def_text(def);
    // A helper it calls in another module that ends a login counts as removing a key.
    let callee = |f: fn(&Summary) -> bool| ctx.helpers.is_some_and(|h| h.values().any(f));
    // A key held by a module constant whose name says only that it is a key
    // (`session[SESSION_KEY]`, `SESSION_KEY = "mfa"`) names what its literal names.
    let names_privilege = crate::frameworks::auth::may_name_privilege(own_text)
        || crate::python::semantic::generic_key_literals(own_text, &ctx.file.text)
            .iter()
            .any(|lit| crate::frameworks::auth::may_name_privilege(lit));
    let writes_privilege = if names_privilege {
        analyse(ctx, Mode::Privilege, &func, entry, None, vec![def], true)
            .and_then(|(_, exit, _)| exit)
            .and_then(|st| {
                st.pending
                    .iter()
                    .find(|p| !(st.pending_login && st.second_factor.contains(&p.at)))
                    .map(|p| p.framework)
            })
    } else {
        None
    };
    let mut writes_identity = exit
        .pending
        .iter()
        .find(|p| p.arg.is_none())
        .map(|p| p.framework);
    let stores_arg = exit
        .pending
        .iter()
        .find_map(|p| Some((p.arg?, p.framework)))
        .filter(|_| writes_identity.is_none());
    // A logout's helper (`session["user_id"] = None`, `session.pop("user")`): the SID003 walk,
    // only where the function's text can remove or null a key, and when it erases nothing
    // and rotates nothing on its exits, and writes no identity there (nulling a key is no
    // login: the login walk's write is then dropped).
    let removes = ["None", ".pop(", "False"]
        .iter()
        .any(|w| own_text.contains(w))
        || own_text.lines().any(|l| l.trim_start().starts_with("del "))
        || callee(|s| s.ends_login.is_some());
    let name = ctx
        .file
        .outline
        .defs
        .get(def)
        .map_or("", |d| d.name.as_str());
    let ends_login = if removes && !exit.reset && !exit.rotated && !loader_name(name) {
        analyse(
            ctx,
            Mode::Logout,
            &func,
            State::entry(),
            None,
            vec![def],
            true,
        )
        .and_then(|(_, exit, _)| exit)
        .filter(|st| !st.wrote_identity && !st.reset && !st.rotated)
        .and_then(|st| st.pending.iter().next().map(|p| p.framework))
    } else {
        None
    };
    if ends_login.is_some() {
        writes_identity = None;
    }
    Summary {
        authenticates: exit.authed,
        writes_identity,
        writes_privilege,
        ends_login,
        rotates: exit.rotated,
        resets: exit.reset,
        stores_arg: stores_arg.filter(|_| ends_login.is_none()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::file::SourceFile;

    #[test]
    fn summaries_survive_the_cache_encoding() {
        let mut seen = std::collections::HashSet::new();
        let frameworks = || std::iter::once(None).chain(Framework::ALL.map(Some));
        for flags in 0..8u32 {
            for w in frameworks() {
                for p in frameworks() {
                    for e in frameworks() {
                        let s = Summary {
                            authenticates: flags & 1 != 0,
                            rotates: flags & 2 != 0,
                            resets: flags & 4 != 0,
                            writes_identity: w,
                            writes_privilege: p,
                            ends_login: e,
                            stores_arg: None,
                        };
                        assert_eq!(Summary::from_bits(s.to_bits()), Some(s));
                        assert!(
                            seen.insert(s.to_bits()),
                            "{s:?}: bits shared with another summary"
                        );
                        // A stored argument, only without an identity of its own.
                        for arg in 0..7u8 {
                            let Some(f) = w else { break };
                            let s = Summary {
                                writes_identity: None,
                                stores_arg: Some((arg, f)),
                                ..s
                            };
                            assert_eq!(Summary::from_bits(s.to_bits()), Some(s));
                            assert!(
                                seen.insert(s.to_bits()),
                                "{s:?}: bits shared with another summary"
                            );
                        }
                    }
                }
            }
        }
        for (i, f) in Framework::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i, "ALL is in declaration order");
        }
        for bad in [
            8,
            0x40,
            10 << 24,
            10 << 8,
            0xff << 8,
            0xff << 16,
            0xff << 24,
        ] {
            assert_eq!(Summary::from_bits(bad), None, "{bad:#x} is not a summary");
        }
    }

    const SRC: &str = "from flask import request, session\n\ndef audit(user):\n    print(user)\n\ndef deny():\n    raise PermissionError()\n\ndef a():\n    if check_password_hash(u.pw, request.form['p']):\n        audit(u)\n        deny()\n        session['uid'] = u.id\n\ndef b():\n    if check_password_hash(u.pw, request.form['p']):\n        session.clear()\n        audit(u)\n        deny()\n        session['uid'] = u.id\n";

    fn lines(file: &SourceFile, def: usize) -> Vec<usize> {
        let config = crate::config::Config::default();
        let ctx = Context {
            file,
            facts: Default::default(),
            config: &config,
            helpers: None,
        };
        check(&ctx, def).iter().map(|f| f.span.line).collect()
    }

    #[test]
    fn helpers_without_events_are_walked_once_and_change_nothing() {
        let def = |f: &SourceFile, n: &str| f.outline.function_named(n).unwrap();
        let warm = SourceFile::new("m.py".into(), SRC.as_bytes(), false);
        let (audit, deny) = (def(&warm, "audit"), def(&warm, "deny"));
        assert_eq!(lines(&warm, def(&warm, "a")), vec![13]);
        assert_eq!(
            warm.inert(audit),
            Some(true),
            "audit returns and meets no event"
        );
        assert_eq!(warm.inert(deny), Some(false), "deny never returns");
        // `b` now takes the shortcut for both helpers; a fresh file walks them: same result.
        let fresh = SourceFile::new("m.py".into(), SRC.as_bytes(), false);
        assert_eq!(
            lines(&warm, def(&warm, "b")),
            lines(&fresh, def(&fresh, "b"))
        );
        assert!(
            lines(&fresh, def(&fresh, "b")).is_empty(),
            "b rotates first"
        );
    }
}
