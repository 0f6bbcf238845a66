//! Fixture tests: every `# error: SIDxxx` marker must be reported on its line, and nothing
//! else may be reported. Each fixture directory is its own project (its own backend facts).

use std::collections::BTreeSet;
use std::path::Path;

use sidguard::{check, source};

fn expected(dir: &Path) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for entry in walk(dir) {
        let text = std::fs::read_to_string(&entry).unwrap();
        for (i, line) in text.lines().enumerate() {
            if let Some(pos) = line.find("# error: ") {
                for code in line[pos + 9..].split(',') {
                    out.insert((
                        entry.to_string_lossy().replace('\\', "/"),
                        i + 1,
                        code.trim().to_string(),
                    ));
                }
            }
        }
    }
    out
}

/// The fixture's Python files, in its subdirectories too (a project of several apps).
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for p in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        if p.is_dir() {
            files.extend(walk(&p));
        } else if p.extension().is_some_and(|e| e == "py") {
            files.push(p);
        }
    }
    files.sort();
    files
}

fn actual(dir: &Path) -> BTreeSet<(String, usize, String)> {
    let input = source::files::scan(&[dir.to_string_lossy().into_owned()]).unwrap();
    let outcome = check::run(input, false);
    outcome
        .findings
        .iter()
        .map(|f| (f.path.clone(), f.span.line, f.rule.to_string()))
        .collect()
}

fn run_fixture(name: &str) {
    run_in("tests/fixtures/sid001", name);
}

/// SID002-SID006 fixture sets.
fn run_rules(name: &str) {
    run_in("tests/fixtures/rules", name);
}

fn run_in(root: &str, name: &str) {
    let dir = Path::new(root).join(name);
    let want = expected(&dir);
    let got = actual(&dir);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "fixture {name}:\n  missing (expected, not reported): {missing:#?}\n  extra (reported, not expected): {extra:#?}"
    );
    assert!(
        !want.is_empty() || name == "not_web_sessions",
        "fixture {name} has flagged cases"
    );
}

#[test]
fn flask_cookie() {
    run_fixture("flask_cookie");
}

#[test]
fn flask_session() {
    run_fixture("flask_session");
}

#[test]
fn flask_kvsession() {
    run_fixture("flask_kvsession");
}

#[test]
fn django() {
    run_fixture("django");
}

#[test]
fn not_web_sessions() {
    run_fixture("not_web_sessions");
}

#[test]
fn starlette() {
    run_fixture("starlette");
}

#[test]
fn starsessions() {
    run_fixture("starsessions");
}

#[test]
fn pyramid() {
    run_fixture("pyramid");
}

/// A library's own implementation of a primitive the rules model (Django's `login()` at its
/// own path) is not a handler; a project function beside it is.
#[test]
fn primitives() {
    run_fixture("primitives");
}

/// A security policy of the project's own whose `remember()` writes the session: Pyramid's
/// `remember()` is then a session write, as with `SessionAuthenticationPolicy`.
#[test]
fn pyramid_own_policy() {
    run_fixture("pyramid_own_policy");
}

#[test]
fn pyramid_policy_unset() {
    run_fixture("pyramid_policy_unset");
}

#[test]
fn pyramid_authtkt() {
    run_fixture("pyramid_authtkt");
}

#[test]
fn pyramid_cookie() {
    run_fixture("pyramid_cookie");
}

#[test]
fn aiohttp() {
    run_fixture("aiohttp");
}

#[test]
fn quart() {
    run_fixture("quart");
}

#[test]
fn quart_session() {
    run_fixture("quart_session");
}

#[test]
fn bottle_beaker() {
    run_fixture("bottle_beaker");
}

#[test]
fn beaker_accessors() {
    run_fixture("beaker_accessors");
}

#[test]
fn cherrypy() {
    run_fixture("cherrypy");
}

#[test]
fn cross_module() {
    run_fixture("cross_module");
}

/// A login whose session write is several modules down, through functions of imported
/// modules and a re-export (`grants.login_granted` -> `api.remember_identity`).
#[test]
fn module_chains() {
    run_fixture("module_chains");
}

#[test]
fn rules_flask_session() {
    run_rules("flask_session");
}

#[test]
fn rules_flask_cookie() {
    run_rules("flask_cookie");
}

#[test]
fn rules_django() {
    run_rules("django");
}

#[test]
fn rules_starlette() {
    run_rules("starlette");
}

#[test]
fn rules_key_constants() {
    run_rules("key_constants");
}

#[test]
fn rules_pyramid() {
    run_rules("pyramid");
}

#[test]
fn rules_aiohttp() {
    run_rules("aiohttp");
}

#[test]
fn rules_beaker() {
    run_rules("beaker");
}

/// TurboGears' `tg.session` is a Beaker session: `delete()` keeps the ID.
#[test]
fn rules_turbogears() {
    run_rules("turbogears");
}

#[test]
fn rules_cherrypy() {
    run_rules("cherrypy");
}

#[test]
fn rules_quart_session() {
    run_rules("quart_session");
}

/// A fixed identity remembered with no check of its own (a demo's login as one user) is no
/// login; after a site's password check it is.
#[test]
fn fixed_identity() {
    run_fixture("fixed_identity");
}

/// Invenio-Accounts' `user_logged_in` receiver regenerates the session ID after the
/// request: `login_user()` in a module that uses it is rotated; elsewhere it is not.
#[test]
fn invenio_accounts() {
    run_fixture("invenio_accounts");
}

/// Redirects raised as exceptions (aiohttp, CherryPy, Bottle, a project's own redirect
/// exception) are successful responses.
#[test]
fn raised_responses() {
    run_fixture("raised_responses");
}

/// Authentication and identity that no name list knows: a project checker handed the
/// password, a login form's validation, identity by the value written.
#[test]
fn evidence() {
    run_fixture("evidence");
}

/// Test code is skipped by default (`include-tests` turns it on: tests/cli.rs).
#[test]
fn test_code() {
    run_fixture("test_code");
}

/// Django's FormView contract (form_valid after is_valid) and privilege keys by prefix.
#[test]
fn django_forms() {
    run_fixture("django_forms");
}

/// A project's own implementation of a login primitive is not a handler; its callers are.
#[test]
fn wrappers() {
    run_fixture("wrappers");
}

/// A session wrapper class of another module, injected by a decorator naming it in a
/// string, by an annotation or by a default value.
#[test]
fn injected_wrapper() {
    run_fixture("injected_wrapper");
}

/// Credentials handed to a checker as one value (a mapping with the password, `creds`).
#[test]
fn credentials_mapping() {
    run_fixture("credentials_mapping");
}

#[test]
fn callers() {
    run_fixture("callers");
}

#[test]
fn django_backends() {
    run_fixture("django_backends");
}

#[test]
fn rules_pyramid_own_factory() {
    run_rules("pyramid_own_factory");
}

#[test]
fn rules_pending_second_factor() {
    run_rules("pending_second_factor");
}

/// A logout through a helper of another module that only nulls the login keys (SID003), and
/// helpers that flush, flush on their only dropping path, or are getters.
#[test]
fn rules_logout_helpers() {
    run_rules("logout_helpers");
}

#[test]
fn rules_step_up_helpers() {
    run_rules("step_up_helpers");
}

/// A session interface of the project's own whose session class rotates the ID (a flag read
/// at save time, an emptied ID), and the same shape where nothing rotates.
#[test]
fn own_interface_rotates() {
    run_fixture("own_interface_rotates");
}

#[test]
fn own_interface_keeps_id() {
    run_fixture("own_interface_keeps_id");
}

#[test]
fn own_session_issues_id() {
    run_fixture("own_session_issues_id");
}

/// Two applications in one project directory, with different aiohttp-security identity
/// policies: each app's files are judged under its own.
#[test]
fn two_apps() {
    run_fixture("two_apps");
}

#[test]
fn rules_aiohttp_library() {
    run_rules("aiohttp_library");
}

#[test]
fn rules_aiohttp_library_cookie() {
    run_rules("aiohttp_library_cookie");
}

#[test]
fn rules_pyramid_library() {
    run_rules("pyramid_library");
}

/// Kerberos/SPNEGO acceptance (a GSSAPI context's `step()`, pykerberos) is authentication.
#[test]
fn kerberos() {
    run_fixture("kerberos");
}

/// A one-time link token handed in and consumed is evidence of who follows the link.
#[test]
fn confirmation_links() {
    run_fixture("confirmation_links");
}

/// Django's login() of a user carrying a django-otp device: the library's receiver writes
/// the verified device, and login() cycles nothing for the user already logged in (SID002).
#[test]
fn rules_django_otp_login() {
    run_rules("django_otp_login");
}

#[test]
fn object_methods() {
    run_fixture("object_methods");
}

#[test]
fn rules_object_methods_django() {
    run_rules("object_methods_django");
}

/// A password form's check, then a model method (reached through a package re-export)
/// that grants access in the session: SID002 at the method and at the view.
#[test]
fn rules_protected_pages() {
    run_rules("protected_pages");
}

/// The class-hierarchy fallback: a method called on a registry's service resolves to the
/// project's only definition of a specific name, not to disagreeing ones or generic names.
#[test]
fn method_fallback() {
    run_fixture("method_fallback");
}

/// Writes reached through methods of any depth: a manager's method, a mixin's inherited
/// method, another module's class's method; a sign-up's service method that logs in
/// through its class's own method; a password setter's session token is no login.
#[test]
fn method_chains() {
    run_fixture("method_chains");
}

/// A SAML assertion consumer (the identity provider's `SAMLResponse` taken from the form)
/// that writes the identity is a single sign-on login.
#[test]
fn saml_acs() {
    run_fixture("saml_acs");
}

/// A project helper handed the password hash that only computes a checksum is no checker
/// (its summary says it authenticates nothing); one that compares what the user sent with
/// the stored hash's checksum is, and the login after it is reported.
#[test]
fn checked_helpers() {
    run_fixture("checked_helpers");
}

/// A magic or activation link's one-time token found in the database is the credential
/// (in the view, or in a store's method reached through an object of unknown class); a
/// voucher's or a project's code proves nobody.
#[test]
fn token_lookups() {
    run_fixture("token_lookups");
}

/// Authomatic's `login(adapter, provider_name)` completes an OAuth/OpenID login: the
/// framework adapter it is handed (or a local bound to one) says which `login` it is.
#[test]
fn oauth_adapters() {
    run_fixture("oauth_adapters");
}

/// Accounts on Django: session preferences and a flow's flags are no identity; an account
/// a logged-in manager creates is no login of the visitor; the user the request already
/// had, written back by a helper, logs nobody in; a sign-up that writes its new user is a
/// login.
#[test]
fn rules_django_accounts() {
    run_rules("django_accounts");
}

/// A project's wrapper of Flask-Login's `logout_user` under a private alias is the
/// primitive's implementation, and a loader dropping a deactivated user is no logout; the
/// logout calling the wrapper is SID003 on Flask-Session.
#[test]
fn rules_flask_wrappers() {
    run_rules("flask_wrappers");
}

/// Helpers reached through re-exports: a package's `__init__` importing them from a
/// submodule, and a star import (class b).
#[test]
fn reexports() {
    run_fixture("reexports");
}

/// Class (j): a subclass of Flask's `SecureCookieSessionInterface` is a cookie store, where
/// `clear()` is the fix; another interface of the project's own would be server-side.
#[test]
fn cookie_interface() {
    run_fixture("cookie_interface");
}

/// Class (k): anonymous logins, a request loader's API key and Basic credentials checked per
/// request persist no identity in the session; a real login beside them is flagged.
#[test]
fn not_logins() {
    run_fixture("not_logins");
}

/// Class (c): Flask-Dance's OAuth logins, by a provider proxy's `get()` and by a receiver of
/// `oauth_authorized`; cleared and token-only receivers are clean.
#[test]
fn flask_dance() {
    run_fixture("flask_dance");
}

/// Class (c): a CAS ticket validated by hand (the success element looked for), through a
/// parser picked by a local (`parse = v1 if old else v2`); what the validation returned is
/// the identity whatever the key (d); a profile cached under the same key is no login.
#[test]
fn cas_by_hand() {
    run_fixture("cas_by_hand");
    run_fixture("cas_flask");
}

/// Class (f): a module's own signal: `sig.send()` runs the receivers the module connects
/// (`sig.connect(receiver)`); a clearing receiver and one that writes nothing are clean.
#[test]
fn signal_receivers() {
    run_fixture("signal_receivers");
}

/// Class (f): a class handed the session by its constructor (`LoginState(flask.session)`)
/// writes into it from a module importing no framework, called on the spot or through a
/// local; MSAL's code exchange is the evidence. A cleared session, the flow's own state and
/// a database session kept the same way are clean.
#[test]
fn session_wrapper_ctor() {
    run_fixture("session_wrapper_ctor");
}

/// Class (f): a helper handed the session as an argument (`remember_user(session, user)`),
/// in a module that imports no framework or in the caller's: its parameter named for the
/// session and subscripted is the caller's session. A helper that clears first and a
/// database session handed the same way are clean.
#[test]
fn session_parameter() {
    run_fixture("session_parameter");
}

/// Class (c): social-auth's login callbacks (handed to `do_complete()`) start authenticated;
/// a strategy's `session_set()` writes the session (CherryPy); Flask-Login's login in the
/// Flask integration's callback.
#[test]
fn social_auth() {
    run_fixture("social_auth");
    run_fixture("social_auth_flask");
}

/// Class (d): a record of the principal (`{project.id: project.name}`) written under a key
/// that says nothing, directly or by a helper; cleared and settings records are clean.
#[test]
fn record_values() {
    run_fixture("record_values");
}

/// A receiver of Flask-Login's `user_logged_out` that destroys the session ends it; one that
/// only logs leaves it (two apps of one project).
#[test]
fn flask_login_signals() {
    run_fixture("flask_login_signals");
}

/// A helper that checks the credential and writes, then returns the user: discharged when
/// every caller in its module logs that user in with Django's `login()`, reported when one
/// does not.
#[test]
fn rules_discharged_helpers() {
    run_rules("discharged_helpers");
}

/// A login two calls down, through a method called on a proxy's attribute whose class the
/// text does not say (`_shop.factor_plugins.finish_second_factor(user)`): resolved to the
/// method's definition in a module the helper imports, flagged; the same method that
/// clears first is clean. Command-line commands that call a before-request login run with
/// no browser's session: clean.
#[test]
fn plugin_completion() {
    run_fixture("plugin_completion");
}

/// Logins whose write is in a helper of another module, in Starlette, Quart and Bottle with
/// Beaker (the fixes' spellings are checked in tests/rules.rs).
#[test]
fn helper_fixes() {
    run_fixture("helper_fixes");
}

/// A backend class's static methods called on the imported class (`SessionBackend.mark(...)`):
/// one that cycles the key before its step-up marker is clean, one that writes the marker in
/// place is reported; a login under way (`part_login`) parked after the first factor is no
/// login.
#[test]
fn static_backends() {
    run_rules("static_backends");
}

/// A token exchange handed by reference to a thread pool or an executor
/// (`run_in_threadpool(cca.acquire_token_by_auth_code_flow, ...)`) is run there: the login
/// after it is reported, and is clean when the session is cleared first.
#[test]
fn executor_exchange() {
    run_fixture("executor_exchange");
}

/// A Django session opened by key (`SessionStore(key)`) is a session: a back-channel logout
/// that only deletes the login keys of a user's stored sessions is reported, one that
/// deletes the records is clean; a new record the server keys (`SessionStore()`) is none.
#[test]
fn backchannel_logout() {
    run_rules("backchannel_logout");
}

/// A PIN or passcode compared with the configured one (`received_pin == str(settings.PIN)`)
/// is a check: the flag written after it is reported, and is clean after `cycle_key()`; a
/// comparison with a PIN on one side only (its length) checks nobody.
#[test]
fn pin_gate() {
    run_fixture("pin_gate");
}

/// Logins whose identity a property's setter writes (`self.member = account` runs
/// `Class.member.fset`): the class's own setter, one inherited from another module, one of
/// a local instance; and a setter that hands a verified OAuth token to a store that writes
/// whatever it is given under a key that names nothing (`Summary::stores_arg`), or such a
/// store called directly: flagged. Cleared first, a setter with no login on the way, and a
/// store handed a preference rather than the principal: clean.
#[test]
fn property_setters() {
    run_fixture("property_setters");
}

/// Names bound by a star import of a project module (`from .core import *`, where `core`
/// imports aiohttp-session's `get_session` and `new_session`), and a Beaker session reached
/// through a module function that guards and returns it (`_getsession()`), with a CAS 1.0
/// answer (`/validate?ticket=`, `"yes"`) as the login's evidence: flagged without a new
/// session or `invalidate()`, clean with them; a `"yes"` compared where no CAS server is
/// asked is no evidence.
#[test]
fn star_imports() {
    run_fixture("star_imports");
}

/// BottleSessions' server-side session on Bottle's request: `session_regenerate()` rotates,
/// `session_delete()` keeps the stored record; a CAS answer validated by the constructor of
/// a project class (`Answer(resp.text)`), whose `__init__` looks for the success element.
#[test]
fn bottle_sessions() {
    run_fixture("bottle_sessions");
}

/// A default callback a class keeps in an attribute (`self._login_user = _login_default`):
/// calling the attribute runs it.
#[test]
fn callback_attributes() {
    run_fixture("callback_attributes");
}

/// A method called on a plug-in chosen at run time (`provider.complete_login(request)`): it
/// authenticates when most of the project's definitions do.
#[test]
fn plugin_dispatch() {
    run_fixture("plugin_dispatch");
}
