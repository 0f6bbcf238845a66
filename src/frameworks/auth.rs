//! Signals that authentication happened (credential checks, token exchanges, account
//! creation) and which session keys carry identity or privilege. Research: frameworks.md §18
//! and the knowledge table's key lists.

/// Credential verifiers by qualified path (after import resolution).
const VERIFIER_PATHS: &[&str] = &[
    "werkzeug.security.check_password_hash",
    "werkzeug.check_password_hash",
    "flask_bcrypt.check_password_hash",
    "bcrypt.checkpw",
    "django.contrib.auth.authenticate",
    "django.contrib.auth.aauthenticate",
    "django.contrib.auth.hashers.check_password",
    "django.contrib.auth.hashers.acheck_password",
    "django.contrib.auth.hashers.verify_password",
    "hmac.compare_digest",
    "secrets.compare_digest",
    "django.utils.crypto.constant_time_compare",
    "flask_security.verify_password",
    "flask_security.utils.verify_password",
    "flask_security.verify_and_update_password",
    "flask_security.utils.verify_and_update_password",
    "argon2.low_level.verify_secret",
    "jwt.decode",
    "jose.jwt.decode",
    // Authlib's JOSE: `jwt.decode(token, key)` verifies the signature (and raises on a bad one).
    "authlib.jose.jwt.decode",
    // CherryPy's HTTP Basic and Digest tools: they raise 401 unless the credentials check.
    "cherrypy.lib.auth_basic.basic_auth",
    "cherrypy.lib.auth_digest.digest_auth",
    // Kerberos/SPNEGO acceptance (pykerberos, winkerberos): the server step validates the
    // client's ticket; `authGSSServerUserName` then names the authenticated principal.
    "kerberos.authGSSServerStep",
    "winkerberos.authGSSServerStep",
    "gssapi.raw.accept_sec_context",
];

/// Security contexts whose `.step(token)` accepts a Kerberos/SPNEGO token (python-gssapi's
/// `SecurityContext(usage="accept")`, pyspnego's `spnego.server()`): after it, `ctx.complete`
/// and `ctx.initiator_name` name the client the KDC vouched for.
const SECURITY_CONTEXTS: &[&str] = &[
    "gssapi.SecurityContext",
    "gssapi.sec_contexts.SecurityContext",
    "spnego.server",
    "spnego.auth.server",
];

/// Does a callee's (last, lower-case) name consume a one-time token (`delete_confirmation`,
/// `consume_token`, `mark_token_used`, `revoke_code`)?
pub fn consumes_token(name: &str) -> bool {
    let verb = [
        "delete",
        "consume",
        "revoke",
        "expire",
        "invalidate",
        "mark_used",
        "use_",
    ]
    .iter()
    .any(|v| name.starts_with(v))
        || name.ends_with("_used");
    verb && words(name).iter().any(|w| one_time_word(w))
}

/// A word naming a one-time token of a link or a code (a confirmation, a reset token): a
/// link's token word, or a bare `code`.
fn one_time_word(w: &str) -> bool {
    w == "code" || LINK_TOKENS.contains(&w)
}

/// A name that holds a one-time token (`confirmation`, `reset_token`, `code`).
pub fn one_time_token_name(name: &str) -> bool {
    words(&name.to_ascii_lowercase())
        .iter()
        .any(|w| one_time_word(w))
}

/// Words naming the token of a magic, confirmation or activation link.
const LINK_TOKENS: &[&str] = &["token", "confirmation", "ticket", "nonce"];

/// Words that say what a `code` proves (`activation_code`, `EmailVerificationCode`).
const CODE_QUALIFIERS: &[&str] = &[
    "activation",
    "activate",
    "confirm",
    "verify",
    "verification",
    "reset",
    "magic",
    "login",
    "signin",
    "auth",
    "otp",
    "invite",
    "invitation",
];

/// A name for the token of a magic, confirmation or activation link (`token`,
/// `EmailConfirmation`, `ticket`, `nonce`, `activation_code`, `VerificationCode`). A bare
/// `code` is as often a voucher's, a country's or a project's, so it counts only with a word
/// saying what it proves.
pub fn link_token_name(name: &str) -> bool {
    if not_one_time(name) {
        return false;
    }
    let w = camel_words(name);
    w.iter().any(|w| LINK_TOKENS.contains(&w.as_str()))
        || (w.iter().any(|w| w == "code")
            && w.iter().any(|w| CODE_QUALIFIERS.contains(&w.as_str())))
}

/// The lower-case words of a name, split at non-alphanumerics and where a capital follows
/// a lower-case letter or a digit (`EmailConfirmation` -> `email`, `confirmation`).
fn camel_words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A token that is no one-time credential of a link: a form's CSRF token, an OAuth
/// refresh token, a status or error code.
pub fn not_one_time(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let w = words(&lower);
    w.iter().any(|w| {
        matches!(
            *w,
            "csrf"
                | "xsrf"
                | "refresh"
                | "status"
                | "error"
                | "country"
                | "currency"
                | "postal"
                | "zip"
                | "promo"
                | "coupon"
                | "discount"
                | "language"
                | "lang"
                | "locale"
        )
    })
}

/// Modules of framework adapters handed to a library's `login(adapter, provider)`, which
/// runs a whole OAuth/OpenID login (Authomatic's `WerkzeugAdapter`, `WebObAdapter`,
/// `DjangoAdapter`).
const LOGIN_ADAPTER_MODULES: &[&str] = &["authomatic.adapters."];

/// Does a constructor (qualified path) make such an adapter?
pub fn login_adapter(path: &str) -> bool {
    LOGIN_ADAPTER_MODULES.iter().any(|m| path.starts_with(m))
}

/// python3-saml's service provider object, whose `process_response()` validates the
/// identity provider's assertion.
const SAML_AUTH_CLASSES: &[&str] = &[
    "onelogin.saml2.auth.OneLogin_Saml2_Auth",
    "onelogin.saml2.OneLogin_Saml2_Auth",
];

/// Does a constructor (qualified path) make python3-saml's `OneLogin_Saml2_Auth`?
pub fn saml_auth(path: &str) -> bool {
    SAML_AUTH_CLASSES.contains(&path)
}

/// OpenID 2.0 relying-party consumers (python-openid, python3-openid): `Consumer(session,
/// store).complete(query, return_to)` checks the provider's signed positive assertion (its
/// signature, nonce and return URL) and returns a response whose status says SUCCESS.
const OPENID_CONSUMERS: &[&str] = &["openid.consumer.consumer.Consumer"];

/// Does a constructor (qualified path) make an OpenID 2.0 consumer?
pub fn openid_consumer(path: &str) -> bool {
    OPENID_CONSUMERS.contains(&path)
}

/// Constructors of JSON Web Token codecs whose `.decode(token, key)` verifies the signature
/// (Authlib's `JsonWebToken(algorithms)`, PyJWT's `PyJWT()`).
const JWT_CODECS: &[&str] = &[
    "authlib.jose.JsonWebToken",
    "jwt.PyJWT",
    "jwt.api_jwt.PyJWT",
];

/// Does a constructor (qualified path) make a JSON Web Token codec?
pub fn jwt_codec(path: &str) -> bool {
    JWT_CODECS.contains(&path)
}

/// Does a constructor (qualified path) make a GSSAPI/SPNEGO acceptor context?
pub fn security_context(path: &str) -> bool {
    SECURITY_CONTEXTS.contains(&path)
}

/// Signals a library sends when a login has completed (Flask-Dance's, after the OAuth
/// token exchange, with the token): their receivers start authenticated.
pub const LOGIN_SIGNALS: &[&str] = &[
    "flask_dance.consumer.oauth_authorized",
    "flask_dance.consumer.signals.oauth_authorized",
];

/// The packages of social-auth (python-social-auth): the core and its framework
/// integrations, whose strategies keep the core's state in the framework's session.
pub const SOCIAL_AUTH_ROOTS: &[&str] = &[
    "social_core",
    "social",
    "social_django",
    "social_flask",
    "social_pyramid",
    "social_cherrypy",
];

/// social-auth's `do_complete(backend, login, user=None, ...)`: once the provider has
/// authenticated the user, it calls `login(backend, user, social_user)`, so the function
/// handed as `login` starts authenticated.
pub const SOCIAL_COMPLETE: &[&str] = &[
    "social_core.actions.do_complete",
    "social.actions.do_complete",
];

/// Does a comparison or a call's arguments look for the success element of a CAS server's
/// ticket validation (`"cas:authenticationSuccess" in response`, CAS 2.0 and 3.0, or a path
/// to it: `xtr.find("./cas:authenticationSuccess", ns)`)? Only a string literal can spell it
/// (a name holds no `:` nor `}`).
pub fn cas_success(text: &str) -> bool {
    text.contains("cas:authenticationSuccess") || text.contains("}authenticationSuccess")
}

/// Flask-Dance's provider sessions (`from flask_dance.contrib.github import github`):
/// `github.get("/user")` asks the provider who holds the token the OAuth dance stored.
const OAUTH_PROXY_MODULE: &str = "flask_dance.contrib.";

/// Method or function names that verify credentials whatever their receiver.
const VERIFIER_NAMES: &[&str] = &[
    "check_password",
    "acheck_password",
    "check_password_hash",
    "checkpw",
    "verify_password",
    "verify_and_update_password",
    "verify_and_update",
    "authenticate",
    "aauthenticate",
    "compare_digest",
    "constant_time_compare",
    "auth_user_db",
    "auth_user_ldap",
    "auth_user_oauth",
    "auth_user_remote_user",
    "auth_user_saml",
];

/// Token exchanges of OAuth/SSO logins.
const TOKEN_NAMES: &[&str] = &[
    "authorize_access_token",
    // requests-oauthlib's `OAuth2Session.fetch_token`, Authlib's `OAuth2Client.fetch_token`.
    "fetch_token",
    "fetch_access_token",
    "parse_id_token",
    // pysaml2's `Saml2Client.parse_authn_request_response`: the assertion checked.
    "parse_authn_request_response",
    // MSAL's (Microsoft identity platform) code and device-code exchanges.
    "acquire_token_by_auth_code_flow",
    "acquire_token_by_authorization_code",
    "acquire_token_by_device_flow",
    // google-auth's ID-token checks (`id_token.verify_oauth2_token(credential, ...)`, Google
    // sign-in), firebase-admin's `auth.verify_id_token(token)`.
    "verify_oauth2_token",
    "verify_firebase_token",
    "verify_id_token",
];

/// The evidence label of an account created (a sign-up that logs in).
pub const NEW_ACCOUNT: &str = "new account created here";

/// A login that creates the account it logs in.
const REGISTRATION_NAMES: &[&str] = &["create_user", "acreate_user", "register_user"];

/// Substrings of project function names that verify credentials (`check_credentials`).
const VERIFIER_SUBSTRINGS: &[&str] = &[
    "authenticat",
    "check_cred",
    "verify_cred",
    "validate_cred",
    "valid_cred",
    "check_login",
    "verify_login",
    "validate_login",
    "check_pass",
    "verify_pass",
    "valid_pass",
    // Tokens, magic links and one-time codes (`verify_token`, `check_otp`, `verify_jwt`).
    "verify_tok",
    "check_tok",
    "valid_tok",
    "confirm_tok",
    "verify_link",
    "verify_magic",
    "verify_otp",
    "verify_totp",
    "check_otp",
    "check_totp",
    "verify_code",
    "verify_jwt",
    "validate_jwt",
    "decode_jwt",
];

/// Receivers whose `.verify(secret, hash)` is a password or OTP check (passlib, argon2, pwdlib).
const VERIFY_RECEIVER_HINTS: &[&str] = &[
    "hash", "pwd", "password", "passlib", "context", "ctx", "crypt", "argon", "bcrypt", "pbkdf2",
    "totp", "otp", "ph",
];

/// Why a function named `path` verifies credentials or exchanges a token, by its exact name
/// (private spellings too): what a call of it is (`credential_call`), and what a function
/// handed by reference is when the call runs it (`run_in_threadpool(cca.
/// acquire_token_by_auth_code_flow, ...)`; not by a word in the name, as `credential_call`'s
/// later checks go: `print(is_authenticated)` hands over a value).
pub fn verifier_reference(path: &str) -> Option<&'static str> {
    let last = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .trim_start_matches('_');
    if VERIFIER_NAMES.contains(&last) {
        Some("credentials verified here")
    } else if TOKEN_NAMES.contains(&last) {
        Some("OAuth/SSO token exchanged here")
    } else {
        None
    }
}

/// Why a call counts as authentication, or `None`.
pub fn credential_call(path: &str) -> Option<&'static str> {
    // A private spelling is the same verifier (`self._fetch_token(state)`).
    let last = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .trim_start_matches('_');
    let lower = last.to_ascii_lowercase();
    // An exception built (`AuthenticationFailed(...)`, `AuthError(...)`) reports a failure;
    // it verifies nothing.
    // Nor does a form built (`AuthenticationForm()`): its validation is the check
    // (`Semantic::validates_login_form`).
    if last.starts_with(|c: char| c.is_ascii_uppercase())
        && ["Failed", "Failure", "Error", "Exception", "Denied", "Form"]
            .iter()
            .any(|s| last.ends_with(s))
    {
        return None;
    }
    if VERIFIER_PATHS.contains(&path) {
        return Some("credentials verified here");
    }
    if let Some(label) = verifier_reference(path) {
        return Some(label);
    }
    if path.starts_with(OAUTH_PROXY_MODULE) && matches!(last, "get" | "post" | "request") {
        return Some("the OAuth provider's account fetched here");
    }
    if REGISTRATION_NAMES.contains(&last) {
        return Some(NEW_ACCOUNT);
    }
    // `mfa_auth.validate(code)`, `otp_device.validate(token)`: a second factor checked.
    if last == "validate" {
        let receiver = path
            .rsplit_once('.')
            .map(|(r, _)| r.to_ascii_lowercase())
            .unwrap_or_default();
        let receiver_last = receiver.rsplit('.').next().unwrap_or("");
        return (!receiver_last.is_empty()
            && (receiver_last.contains("2fa")
                || words(receiver_last)
                    .iter()
                    .any(|t| SECOND_FACTOR_TOKENS.contains(t))))
        .then_some("second factor verified here");
    }
    if last == "verify" {
        let receiver = path
            .rsplit_once('.')
            .map(|(r, _)| r.to_ascii_lowercase())
            .unwrap_or_default();
        let receiver_last = receiver.rsplit('.').next().unwrap_or("");
        if VERIFY_RECEIVER_HINTS
            .iter()
            .any(|h| receiver_last == *h || (h.len() > 2 && receiver_last.contains(h)))
        {
            return Some("credentials verified here");
        }
        return None;
    }
    if VERIFIER_SUBSTRINGS.iter().any(|s| lower.contains(s))
        && !state_predicate(&lower)
        && !builds_outgoing(&lower)
    {
        return Some("credentials verified here");
    }
    None
}

/// Can a call named `method` be a check whose outcome is a verification (the caller keeps
/// it as `verified = ...`)? Not a question about who is logged in already
/// (`is_authenticated`, `get_user`), nor what starts a login (`authorization_url`).
pub fn checks_outcome(method: &str) -> bool {
    let lower = method.trim_start_matches('_').to_ascii_lowercase();
    !lower.is_empty() && !state_predicate(&lower) && !builds_outgoing(&lower)
}

/// A name that builds what is sent to an identity provider to start a login
/// (`authentication_request`, `create_authn_request`, `authorization_url`): it verifies
/// nothing yet.
fn builds_outgoing(lower: &str) -> bool {
    matches!(
        lower.rsplit('_').next(),
        Some("request" | "url" | "uri" | "redirect")
    )
}

/// A name that asks whether someone is already logged in (`is_authenticated`,
/// `test_user_authenticated`, `has_valid_login`, `require_login`), rather than verifying
/// credentials: it reads the session, and its falsy branch is the anonymous visitor.
fn state_predicate(lower: &str) -> bool {
    lower.contains("authenticated")
        || [
            "is_", "has_", "test_", "get_", "require", "ensure", "needs_", "must_",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// The alphanumeric words of a lower-cased key or expression (`user_id` -> `user`, `id`).
fn words(lower: &str) -> Vec<&str> {
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Is `text` a one-time code read from what the visitor submitted
/// (`form.cleaned_data["code"]`, `request.POST.get("otp")`, `request.form["token"]`,
/// `form.otp.data`)? A code word read from the request or a form.
pub fn submitted_code(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let tokens = words(&lower);
    // What the session holds was not submitted now (`request.session["token"]`).
    if tokens.contains(&"session") {
        return false;
    }
    let submitted = tokens.iter().any(|t| {
        matches!(
            *t,
            "request" | "req" | "form" | "cleaned_data" | "post" | "data" | "json" | "args"
        )
    }) || lower.contains("cleaned_data");
    submitted
        && tokens.iter().any(|t| {
            matches!(
                *t,
                "code" | "otp" | "totp" | "passcode" | "pin" | "token" | "answer" | "otp_code"
            ) || SECOND_FACTOR_TOKENS.contains(t)
        })
}

/// Is `word` (an argument's text or a keyword's name) the submitted password
/// (`password`, `form.password.data`, `request.form["passwd"]`, `pwd`, `pw`)?
pub fn password_word(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    // Run together with another word too (`userpassword`, `newpasswd`).
    lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| {
        t.contains("password")
            || t.contains("passwd")
            || t.contains("passphrase")
            || matches!(t, "pwd" | "pw" | "pass" | "passw" | "pword")
    })
}

/// Does `text` (an argument's text, a keyword's name, a value written) name a password's
/// stored hash (`user.password_hash`, `user.get_hashed_password()`, `user_password_hmac`)
/// rather than the password itself? A hash is what a password is checked against.
pub fn password_hash_word(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| matches!(t, "hash" | "hashed" | "hmac" | "digest" | "salt" | "salted"))
}

/// Is an identifier the credentials as one value (`creds`, `credentials`, `user_creds`)?
pub fn credentials_word(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| matches!(t, "creds" | "cred" | "credentials" | "credential"))
}

/// Callee names that keep, send on or show credentials handed to them as one value
/// without checking them (`save_credentials(creds)`, `store.put(creds)`, `cache.set(...)`).
pub fn keeps_credentials(name: &str) -> bool {
    const VERBS: &[&str] = &[
        "save",
        "store",
        "set",
        "put",
        "write",
        "persist",
        "cache",
        "insert",
        "add",
        "append",
        "update",
        "dump",
        "serialize",
        "encrypt",
        "encode",
        "log",
        "print",
        "render",
        "emit",
        "publish",
        "push",
        "copy",
        "deepcopy",
        "merge",
        "to",
        "as",
        "from",
        "load",
        "read",
        "get",
        "build",
        "make",
        "new",
        "with",
        "refresh",
        "revoke",
        "delete",
        "remove",
        "clear",
    ];
    let lower = name.trim_start_matches('_').to_ascii_lowercase();
    let first = lower.split('_').next().unwrap_or("");
    VERBS.contains(&first) || name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Callee names that take a password without checking it: reads, conversions, messages,
/// logging, rendering, and strength or form checks of a value the user is still typing.
pub fn not_a_password_check(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "get",
        "getlist",
        "pop",
        "strip",
        "encode",
        "decode",
        "lower",
        "upper",
        "len",
        "str",
        "bytes",
        "print",
        "format",
        "append",
        "extend",
        "add",
        "log",
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "flash",
        "render",
        "render_template",
        "render_to_response",
        "jsonify",
        "json",
        "dumps",
        "loads",
        "setdefault",
        "isinstance",
        "bool",
        "int",
        "escape",
        "quote",
        "unquote",
        "replace",
        "join",
        "split",
        "send_mail",
        "send_email",
        "mail",
        "validate_password_strength",
        "password_strength",
        "gettext",
        "_",
        "ngettext",
        "lazy_gettext",
        "url_for",
        "redirect",
        "reverse",
        "abort",
        "update",
        "set_cookie",
        "write",
        "dict",
        "Response",
        "HttpResponse",
        "JsonResponse",
        "validate_password",
        "PasswordField",
        "StringField",
        "CharField",
        "Field",
        "Column",
        "fields",
        "Schema",
    ];
    // Hashing a new password stores it; it checks nothing (`hash_password(password)`,
    // `make_password`, `generate_password_hash`, `user.set_password(password)`).
    let stores = name.starts_with("hash")
        || name.starts_with("make_password")
        || name.starts_with("generate_password")
        || name.starts_with("set_password")
        || name.starts_with("encrypt");
    NAMES.contains(&name) || stores || name.starts_with("mock") || name.starts_with("assert")
}

/// Does a helper's name say it stores a new password (`set_password`, `User.setPassword`)?
/// A session write in one keeps the current session valid across the change (as Django's
/// `update_session_auth_hash` does, a fresh token for this browser): bookkeeping of the
/// change, not a login of its callers (an account's creation sets the first password).
pub fn sets_password(function: &str) -> bool {
    let last = function.rsplit('.').next().unwrap_or(function);
    let lower = last.trim_matches('_').to_ascii_lowercase();
    matches!(lower.as_str(), "set_password" | "setpassword")
}

/// Words of a form's name that say it logs in or signs up (`names_login_form`).
const LOGIN_FORM_WORDS: &[&str] = &[
    "login",
    "signin",
    "sign_in",
    "logon",
    "authentication",
    "authform",
    "register",
    "signup",
    "sign_up",
    "registration",
    "credential",
];

/// Does a form's name or constructor say it logs in or signs up (`LoginForm`, `login_form`,
/// `SignInForm`, `RegisterForm`, `AuthenticationForm`)?
pub fn names_login_form(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    LOGIN_FORM_WORDS.iter().any(|w| lower.contains(w))
        // A form that checks a password (`PasswordViewRestrictionForm`: a protected page's
        // password), not one that sets, resets or changes it.
        || (lower.contains("password")
            && !["reset", "forgot", "lost", "set", "new", "change", "update", "confirm"]
                .iter()
                .any(|w| lower.contains(w)))
        || names_second_factor_form(&lower)
}

/// A form that checks a second factor's code (`MFAForm`, `OTPForm`, `TwoFactorVerifyCodeForm`,
/// `RecoveryCodeForm`), not one that sets one up or removes it.
fn names_second_factor_form(lower: &str) -> bool {
    let factor = [
        "mfa",
        "otp",
        "2fa",
        "tfa",
        "twofactor",
        "two_factor",
        "multifactor",
        // A one-time code or password (`OneTimeCodeForm`, `one_time_password_form`).
        "onetime",
        "one_time",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || (lower.contains("code")
            && ["verif", "recovery", "backup"]
                .iter()
                .any(|w| lower.contains(w)));
    lower.contains("form")
        && factor
        && ![
            "setup", "set_up", "enable", "enroll", "enrol", "add", "disable", "remove",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// Keys that never hold the logged-in identity, whatever is written under them
/// (`csrf_token`, `next`, a flow's `otp_secret`, a pending `2fa_user_id`).
pub fn unrelated_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    pending_login_key(key)
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|t| UNRELATED_TOKENS.contains(&t) || FLOW_TOKENS.contains(&t))
        // Which provider a login went through (`current_provider`), not who logged in.
        || matches!(
            lower.rsplit(|c: char| !c.is_ascii_alphanumeric()).next(),
            Some("provider" | "providers")
        )
}

/// Does a value's text name the principal (`user.id`, `row["id"]`, `acct.name`,
/// `username`, `login`, `client.pk`)?
pub fn identity_value(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let tokens = words(&lower);
    let Some(last) = tokens.last() else {
        return false;
    };
    let names_user = tokens.iter().any(|t| {
        t.starts_with("user")
            || matches!(
                *t,
                "uid"
                    | "login"
                    | "email"
                    | "account"
                    | "acct"
                    | "member"
                    | "principal"
                    | "identity"
            )
    });
    // `client.pk`, `row["id"]`: the key of a record just looked up. Not a credential's
    // own (`key.id`, `device.pk`: which passkey or device was used says how, not who).
    let credential = tokens.len() == 2
        && matches!(
            tokens[0],
            "key" | "passkey" | "device" | "credential" | "authenticator" | "token"
        );
    let record_key =
        tokens.len() > 1 && !credential && matches!(*last, "id" | "pk" | "uid" | "username");
    names_user || record_key
}

/// Is `text` a dictionary literal one of whose keys or values names the principal
/// (`{project.id: project.name}`, `{"uid": acct.pk, "ts": now}`)? Literals, calls and
/// comprehensions name nobody.
pub fn record_names_identity(text: &str) -> bool {
    let Some(inner) = text
        .trim()
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
    else {
        return false;
    };
    if inner.contains(" for ") {
        return false;
    }
    inner.split([',', ':']).any(|piece| {
        let piece = piece.trim();
        !piece.is_empty()
            && piece
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '"' | '\''))
            && !piece.starts_with(['"', '\''])
            && identity_value(piece)
    })
}

/// Does an expression name the user the request is already logged in as (Flask-Login's
/// `current_user`, Django's `request.user`, Flask's `g.user`, a `get_current_user()`
/// call, Pyramid's `request.authenticated_userid`), or that user's key (`.id`, `.pk`)?
/// Writing that user into the session again (a profile edit refreshing its keys) logs
/// nobody new in.
pub fn current_user_expr(text: &str) -> bool {
    let mut t = text.trim();
    for suffix in [
        "._get_current_object()",
        ".get_id()",
        ".id",
        ".pk",
        ".user_id",
        ".username",
        ".email",
    ] {
        t = t.strip_suffix(suffix).unwrap_or(t);
    }
    let t = t.strip_prefix("self.").unwrap_or(t);
    matches!(
        t,
        "current_user"
            | "flask_login.current_user"
            | "request.user"
            | "g.user"
            | "flask.g.user"
            | "request.authenticated_userid"
            | "authenticated_userid(request)"
            | "info.context.user"
    ) || t.ends_with("get_current_user()")
        || t.ends_with(".current_user")
        || t == "current_user()"
}

/// Is a method of the session object one that records an authentication in it
/// (`request.session.record_auth_timestamp()`, `session.mark_reauthenticated()`)? A
/// project's own session class says so by name; the re-auth time it stores is a privilege.
pub fn records_authentication(method: &str) -> bool {
    let lower = method.to_ascii_lowercase();
    let tokens = words(&lower);
    matches!(tokens.first(), Some(&"record" | &"mark"))
        && tokens.iter().any(|t| {
            matches!(
                *t,
                "auth" | "reauth" | "authenticated" | "reauthenticated" | "authentication"
            )
        })
}

/// Does a key name a second factor (`mfa_authenticated`, `otp_device_id`, `2fa_ok`)? Such a
/// flag raises privilege only where a factor was verified on the way (SID002): set with no
/// check at all it is bookkeeping (MFA disabled, nothing to verify).
pub fn second_factor_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.contains("2fa")
        || words(&lower)
            .iter()
            .any(|t| SECOND_FACTOR_TOKENS.contains(t))
}

/// Is a key the time of a second-factor step (`2fa_auth_time`, `mfa_started_at`)? Written
/// next to a pending-login marker, it dates that pending login; it grants nothing.
pub fn second_factor_time_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let tokens = words(&lower);
    (lower.contains("2fa") || tokens.iter().any(|t| SECOND_FACTOR_TOKENS.contains(t)))
        && tokens.iter().any(|t| {
            matches!(
                *t,
                "time" | "timestamp" | "ts" | "at" | "started" | "since" | "expires" | "expiry"
            )
        })
}

/// Is a key a time stamp (`login_time`, `_session_login_ts`, `auth_timestamp`)?
pub fn time_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    words(&lower).iter().any(|t| {
        matches!(
            *t,
            "time" | "timestamp" | "ts" | "date" | "datetime" | "since"
        )
    })
}

/// Does a comparison look like a password check (`user.password == form['password']`)?
pub fn password_comparison(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (lower.contains("==") || lower.contains("!="))
        && (lower.contains("password")
            || lower.contains("passwd")
            || lower.contains("pwd")
            || lower.contains("hashpw(")
            // A PIN or passcode on both sides (`received_pin == str(settings.PIN)`): a
            // site's or an account's PIN checked. Not one side alone (`pin is set`), nor
            // a PIN's length or count of tries.
            || lower
                .split(['=', '!'])
                .filter(|side| !side.trim().is_empty())
                .all(|side| {
                    let tokens = words(side);
                    tokens
                        .iter()
                        .any(|t| matches!(*t, "pin" | "passcode" | "passphrase"))
                        && !tokens.iter().any(|t| {
                            matches!(
                                *t,
                                "len" | "length" | "count" | "size" | "digits" | "attempts"
                                    | "tries"
                            )
                        })
                }))
}

/// Tokens that make a key an identity key.
const IDENTITY_TOKENS: &[&str] = &[
    "user",
    "userid",
    "uid",
    "username",
    "email",
    "account",
    "accountid",
    "member",
    "memberid",
    "login",
    "logged",
    "loggedin",
    "authenticated",
    "auth",
    "authed",
    "identity",
    "principal",
    "customer",
    "person",
    "profile",
    // Login state of token and single sign-on logins (`oauth_token`, `access_token`,
    // `oauth_info`, `saml_auth_data`): written after the exchange, they are the login.
    "token",
    "oauth",
    "oauth2",
    "openid",
    "oidc",
    "sso",
    "saml",
    "jwt",
    // SAML's subject identifier (`NameID`, `saml_nameid`).
    "nameid",
];

/// Tokens that make a key a privilege key (also identity for SID001).
const PRIVILEGE_TOKENS: &[&str] = &[
    "role",
    "roles",
    "admin",
    "staff",
    "superuser",
    "sudo",
    "elevated",
    "privilege",
    "privileges",
    "permissions",
    "perms",
    "mfa",
    "otp",
    "2fa",
    "tfa",
    "twofactor",
    "multifactor",
    "impersonate",
    "impersonating",
    "impersonator",
    "authorized",
    // Authorization claims or grants (`authz_claims`): what the session may do, not who.
    "authz",
    // Access granted by a check just passed (`passed_view_restrictions`: a protected
    // page's password), not by the login.
    "passed",
    "unlocked",
];

/// Tokens of keys that hold what a flow needs on the way to a login or a second factor
/// (`otp_secret_key`, `mfa_email_code`, `MFA_REDIRECT_URL`, `auth_mfa_required`,
/// `mfa_methods`), not a privilege granted.
const FLOW_TOKENS: &[&str] = &[
    "secret",
    "code",
    "codes",
    "url",
    "uri",
    "redirect",
    "required",
    "require",
    "purpose",
    "bind",
    "challenge",
    "setup",
    // OAuth's `prompt` (force the provider's account chooser or consent next time).
    "prompt",
    // The state of a login flow under way (MSAL's `auth_flow`, `oauth_flow`).
    "flow",
    "reg",
    "enroll",
    "enrol",
    "registration",
    "method",
    "methods",
    "answer",
    "recheck",
    "qr",
    "attempts",
    "attempt",
    "tries",
    "expires",
    "expiry",
    "expiration",
    "confirmation",
    "verification",
    "invite",
    "invitation",
    "signup",
    "reset",
    // An account's removal or deletion being confirmed (`account_remove`).
    "remove",
    "removal",
    "delete",
    "deletion",
];

/// Second-factor tokens: with a user token, the key marks who is *waiting* for the second
/// factor (`2fa_user_id`, `pretix_auth_2fa_user`): not logged in yet.
const SECOND_FACTOR_TOKENS: &[&str] = &[
    "2fa",
    "mfa",
    "otp",
    "tfa",
    "totp",
    "twofactor",
    "factor",
    "multifactor",
];

/// Tokens of a key naming a user who is not logged in yet (`pending_user_id`,
/// `force_reset_password_user`, `pre_2fa_user`).
const PENDING_TOKENS: &[&str] = &[
    "pending",
    "partial",
    "part",
    "pre",
    "unverified",
    "tmp",
    "temp",
    "reset",
    "force",
    "unconfirmed",
];

/// Is `key` a marker of a login still under way (a pending second factor, a forced password
/// reset), which the step that completes it replaces with a real login?
pub fn pending_login_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let tokens = words(&lower);
    // A user, not a state of one: `mfa_authenticated` is the second factor passed.
    let user = tokens.iter().any(|t| {
        (t.starts_with("user") || USER_TOKENS.contains(t))
            && !matches!(*t, "logged" | "loggedin" | "authenticated")
    });
    // `tf_`: Flask-Security's (and its Quart port's) prefix for two-factor state
    // (`tf_user_id`, `tf_state`): the user still owes the second factor.
    let owed = user
        && tokens
            .iter()
            .any(|t| SECOND_FACTOR_TOKENS.contains(t) || PENDING_TOKENS.contains(t) || *t == "tf");
    // A login itself named as under way (`part_login`, `pending_login`, `partial_signin`).
    let login = tokens.iter().any(|t| matches!(*t, "login" | "signin"));
    // The record of a second-factor step under way (`admin_2fa_session_id`): the id of the
    // flow the user must still finish, not a factor passed.
    let flow = tokens.iter().any(|t| SECOND_FACTOR_TOKENS.contains(t))
        && tokens.ends_with(&["session", "id"]);
    owed || flow || (login && tokens.iter().any(|t| PENDING_TOKENS.contains(t)))
}

/// Tokens that make an otherwise identity-looking key unrelated (`user_theme`, `user_agent`).
const UNRELATED_TOKENS: &[&str] = &[
    "backend",
    "cart",
    "theme",
    "lang",
    "language",
    "locale",
    "visits",
    "visit",
    "agent",
    "pref",
    "prefs",
    "preferences",
    "timezone",
    "tz",
    "settings",
    "csrf",
    "next",
    "flash",
    "flashes",
    // A message for the next page (`login_message`, `auth_msg`), whoever it is about.
    "message",
    "messages",
    "msg",
    "state",
    "nonce",
    "captcha",
    "count",
    // How the request authenticated (`login_mechanism`, `auth_method`), not who.
    "mechanism",
    "method",
    // A failed attempt (`_multipass_auth_failed`, `login_error`), not a login.
    "failed",
    "failure",
    "fail",
    "error",
    "errors",
    "denied",
    // A form's remembered default (`registration_notify_user_default`: a checkbox's last
    // value), whoever it mentions.
    "default",
    // How long the session should last (`auth_long_session`, `session_lifetime`,
    // `persistent_login`): a remember-me choice, written before a second factor as well.
    "long",
    "lifetime",
    "persistent",
    // `keep_me_logged_in`: the same choice, whatever it is set to.
    "keep",
    // A mode the session is restricted to (`saml_only`), not who is in it.
    "only",
    // When the session was last refreshed (`admin_session_updated`): a timestamp kept
    // beside a grant, which it does not make.
    "updated",
];

/// Tokens of a key that names *who is logged in* (what a logout removes), narrower than
/// identity: `email`, `account`, `login` also name verification and login-flow state
/// (`account_verified_email`, `LOGIN_SESSION_KEY`), which flows remove without logging out.
const USER_TOKENS: &[&str] = &[
    "user",
    "userid",
    "uid",
    "username",
    "member",
    "memberid",
    "logged",
    "loggedin",
    "authenticated",
    "principal",
];

/// Whether a session key names the logged-in user (`user_id`, `_auth_user_id`,
/// `auth.userid`, `member_id`, `logged_in`): removing it is a logout.
pub fn user_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let tokens = words(&lower);
    // Only the user and plain qualifiers: `_AUTHENTICATION_METHODS_USER_SESSION_KEY` names
    // bookkeeping about a user, not who is logged in.
    // The single sign-on that logged the user in is a qualifier too (`saml_user_id`,
    // `cas_username`, `oidc_user`).
    const QUALIFIERS: &[&str] = &[
        "id", "pk", "key", "session", "auth", "current", "is", "in", "name", "saml", "cas", "oidc",
        "sso", "ldap",
    ];
    !privilege_key(key)
        && tokens.iter().any(|t| USER_TOKENS.contains(t))
        && tokens
            .iter()
            .all(|t| USER_TOKENS.contains(t) || QUALIFIERS.contains(t))
}

/// Whether a session key raises privilege (`is_admin`, `role`, `sudo`, `mfa_verified`,
/// `impersonate_id`) rather than only naming the user.
pub fn privilege_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let tokens = words(&lower);
    if reset_grant(&tokens) {
        return true;
    }
    if tokens
        .iter()
        .any(|t| UNRELATED_TOKENS.contains(t) || FLOW_TOKENS.contains(t))
        || pending_login_key(key)
    {
        return false;
    }
    tokens.iter().any(|t| {
        PRIVILEGE_TOKENS.contains(t)
            || t.starts_with("impersonat")
            || t.starts_with("sudo")
            || t.starts_with("superuser")
            || t.starts_with("reauth")
            || *t == "stepup"
    }) || lower.contains("step_up")
        || lower.contains("2fa")
        || assurance_level(&tokens)
        || acting_as(&tokens)
}

/// A password reset the session is now allowed to perform, stored once the reset code or
/// link was checked (`password_reset_verified_ts`, `perform_reset`, `reset_allowed`):
/// whoever holds the session ID may set the account's password. Not a reset under way
/// (`reset_code`, `reset_email_sent`, `force_reset_password_user`).
fn reset_grant(tokens: &[&str]) -> bool {
    tokens.contains(&"reset")
        && (tokens
            .iter()
            .any(|t| matches!(*t, "verified" | "perform" | "allowed" | "granted"))
            // The reset token a view keeps once it has checked it (Django's
            // `_password_reset_token`): the set-password form trusts the session that holds it.
            || (tokens.contains(&"password") && tokens.last() == Some(&"token")))
        && !tokens
            .iter()
            .any(|t| UNRELATED_TOKENS.contains(t) || matches!(*t, "code" | "sent" | "email"))
}

/// Another user's identity taken on (`_runas_id`, `run_as_user`, `masquerade_as`,
/// `mask_user`): an impersonation, in the words other tools use for it.
fn acting_as(tokens: &[&str]) -> bool {
    tokens
        .iter()
        .any(|t| *t == "runas" || t.starts_with("masquerad"))
        || tokens
            .windows(2)
            .any(|w| matches!(w, ["run", "as"] | ["mask" | "masked", "user" | "userid"]))
}

/// A level of confirmation or assurance the session reached (`CONFIRM_LEVEL`, `auth_level`,
/// `assurance_level`): a re-authentication for sensitive operations raises it.
fn assurance_level(tokens: &[&str]) -> bool {
    tokens.contains(&"level")
        && tokens
            .iter()
            .any(|t| matches!(*t, "confirm" | "confirmed" | "auth" | "assurance" | "aal"))
}

/// Can `text` hold a privilege key anywhere (any case)? Keys are read from the file's own
/// text (literals and names), so a file without any of these cannot raise privilege (SID002).
pub fn may_name_privilege(text: &str) -> bool {
    static M: std::sync::OnceLock<crate::words::Words> = std::sync::OnceLock::new();
    let m = M.get_or_init(|| {
        let mut pats: Vec<&str> = PRIVILEGE_TOKENS.to_vec();
        pats.extend([
            "impersonat",
            "stepup",
            "step_up",
            "reauth",
            "level",
            "runas",
            "run_as",
            "masquerad",
            "mask_user",
            "masked_user",
            // A reset grant (`reset_grant`): the word beside `reset`, either order.
            "reset_verified",
            "verified_reset",
            "perform_reset",
            "reset_allowed",
            "reset_granted",
        ]);
        crate::words::Words::new(&pats, true)
    });
    m.any(text.as_bytes(), |_, _| true)
}

/// Whether a session key holds identity or privilege (`user_id`, `_auth_user_id`, `is_admin`).
pub fn identity_key(key: &str) -> bool {
    // Snake or camel case (`saml_name_id`, `samlNameId`).
    let owned = camel_words(key);
    let tokens: Vec<&str> = owned.iter().map(String::as_str).collect();
    if tokens.is_empty() {
        return false;
    }
    if tokens.iter().any(|t| UNRELATED_TOKENS.contains(t)) || pending_login_key(key) {
        return false;
    }
    // When the login happened (`login_time`, `auth_timestamp`): bookkeeping, not who.
    if time_key(key) {
        return false;
    }
    // Which provider the login went through (`_multipass_login_provider`), not who: the
    // provider's token (`provider_oauth_token`) is the login's state.
    if matches!(tokens.last(), Some(&"provider" | &"providers")) {
        return false;
    }
    // A flow's secret, code or URL (`otp_secret_key`, `mfa_email_code`) holds no identity.
    if tokens.iter().any(|t| FLOW_TOKENS.contains(t))
        && !tokens
            .iter()
            .any(|t| USER_TOKENS.contains(t) || t.starts_with("user"))
    {
        return false;
    }
    // SAML's subject identifier spelt in two words (`name_id`, `samlNameId`).
    if tokens.windows(2).any(|w| w == ["name", "id"]) {
        return true;
    }
    tokens.iter().any(|t| {
        IDENTITY_TOKENS.contains(t)
            || PRIVILEGE_TOKENS.contains(t)
            || (t.starts_with("auth") && !t.starts_with("author"))
            || t.starts_with("user")
            || t.starts_with("impersonat")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The helper stage walks a helper asked only for its authentication when its text may
    /// hold evidence (`prefilter::may_authenticate`): every verifier, token exchange,
    /// registration, login-form and second-factor name read here must be one it sees.
    #[test]
    fn every_verifier_name_may_authenticate() {
        let config = crate::config::Config::default();
        let names = VERIFIER_PATHS
            .iter()
            .chain(VERIFIER_NAMES)
            .chain(TOKEN_NAMES)
            .chain(REGISTRATION_NAMES)
            .chain(VERIFIER_SUBSTRINGS)
            .chain(SECURITY_CONTEXTS)
            .chain(OPENID_CONSUMERS)
            .map(|n| n.to_string())
            // Read as a receiver's `.verify(...)` or `.validate(...)`.
            .chain(
                VERIFY_RECEIVER_HINTS
                    .iter()
                    .map(|h| format!("{h}.verify(pw, hashed)")),
            )
            .chain(
                SECOND_FACTOR_TOKENS
                    .iter()
                    .map(|t| format!("{t}.validate(value)")),
            );
        for name in names {
            assert!(
                crate::prefilter::may_authenticate(name.as_bytes(), &config),
                "{name}"
            );
        }
        // A login or sign-up form validated (`names_login_form`) is evidence too, and the
        // password as a request's key.
        let forms = LOGIN_FORM_WORDS
            .iter()
            .map(|w| format!("{w}_form.is_valid()"))
            .chain(
                [
                    "RegisterForm(request.POST)",
                    "RegisterUserForm(request.POST)",
                    "register_form.is_valid()",
                    "SignupForm()",
                ]
                .map(String::from),
            );
        for form in forms {
            assert!(names_login_form(&form), "{form}");
            assert!(
                crate::prefilter::may_authenticate(form.as_bytes(), &config),
                "{form}"
            );
        }
        for text in [
            "check(request.form[\"pass\"])",
            "pw = request.POST.get('pass')",
        ] {
            assert!(
                crate::prefilter::may_authenticate(text.as_bytes(), &config),
                "{text}"
            );
        }
        // A link's token looked up (`link_token_name`), snake or camel case.
        for text in LINK_TOKENS
            .iter()
            .map(|t| format!("Model.objects.get({t}=value)"))
            .chain(CODE_QUALIFIERS.iter().flat_map(|q| {
                let mut camel = q.to_string();
                camel[..1].make_ascii_uppercase();
                [
                    format!("Link.objects.get({q}_code=value)"),
                    format!("{camel}Code.objects.get(value=value)"),
                ]
            }))
        {
            assert!(
                crate::prefilter::may_authenticate(text.as_bytes(), &config),
                "{text}"
            );
        }
        for text in [
            "return self.get_queryset().get(pk=object_id)",
            "context.update(extra)",
            "@register.filter(is_safe=True)\ndef pprint(value):\n    return pformat(value)",
        ] {
            assert!(
                !crate::prefilter::may_authenticate(text.as_bytes(), &config),
                "{text}"
            );
        }
    }

    #[test]
    fn link_tokens() {
        for n in [
            "token",
            "reset_token",
            "EmailConfirmation",
            "activation_code",
            "VerificationCode",
            "LoginTicket",
            "nonce",
        ] {
            assert!(link_token_name(n), "{n}");
        }
        for n in [
            "code",
            "voucher_code",
            "ProjectCode",
            "csrf_token",
            "refresh_token",
            "status_code",
            "CountryCode",
            "tokenizer_name",
        ] {
            assert!(!link_token_name(n), "{n}");
        }
    }

    #[test]
    fn credentials_as_one_value() {
        for w in ["creds", "credentials", "user_creds", "login_credential"] {
            assert!(credentials_word(w), "{w}");
        }
        for w in ["credit", "created", "incredible", "token"] {
            assert!(!credentials_word(w), "{w}");
        }
        for n in [
            "save_credentials",
            "set",
            "_store",
            "update",
            "Credentials",
            "get_creds",
        ] {
            assert!(keeps_credentials(n), "{n}");
        }
        for n in ["mk_token", "login", "check", "issue_ticket", "authorize"] {
            assert!(!keeps_credentials(n), "{n}");
        }
    }

    #[test]
    fn pin_comparisons() {
        assert!(password_comparison(
            "received_pin == str(settings.PIN_PASSCODE_PIN)"
        ));
        assert!(password_comparison("form.passcode.data != user.passcode"));
        // One side only, or a PIN's length: nobody checked.
        assert!(!password_comparison("pin == None"));
        assert!(!password_comparison("len(pin) == settings.PIN_LENGTH"));
        assert!(!password_comparison("spinner == mapping"));
    }

    #[test]
    fn step_up_keys() {
        // A factor passed, not a user waiting for one.
        assert!(!pending_login_key("mfa_authenticated"));
        assert!(privilege_key("mfa_authenticated"));
        assert!(pending_login_key("2fa_user_id"));
        // Flask-Security's two-factor state of a user; its method alone names no user.
        assert!(pending_login_key("tf_user_id"));
        assert!(!pending_login_key("tf_primary_method"));
        // A login named as under way, whoever it is for.
        assert!(pending_login_key("part_login"));
        assert!(pending_login_key("pending_login"));
        assert!(!pending_login_key("login"));
        assert!(!pending_login_key("last_login"));
        // The id of a second-factor flow under way; not a factor's verified session.
        assert!(pending_login_key("admin_2fa_session_id"));
        assert!(!pending_login_key("mfa_session_verified"));
        // Authorization claims raise what the session may do.
        assert!(privilege_key("authz_claims"));
        assert!(!user_key("authz_claims"));
        // Assurance levels and re-authentication records.
        for k in [
            "CONFIRM_LEVEL",
            "auth_level",
            "reauthenticated_at",
            "reauth",
        ] {
            assert!(privilege_key(k), "{k}");
        }
        for k in ["log_level", "level", "confirm_email"] {
            assert!(!privilege_key(k), "{k}");
        }
        assert!(second_factor_key("otp_device_id") && second_factor_key("mfa_authenticated"));
        assert!(!second_factor_key("sudo_mode"));
        // `<factor>.validate(code)` checks a factor; other `validate()` calls do not.
        assert!(credential_call("mfa_auth.validate").is_some());
        assert!(credential_call("form.validate").is_none());
        assert!(records_authentication("record_auth_timestamp"));
        assert!(!records_authentication("record_password_timestamp"));
        assert!(!records_authentication("flash"));
        // Access granted by a password just passed (a protected page's).
        assert!(privilege_key("passed_view_restrictions"));
        assert!(!privilege_key("captcha_passed"));
        // Forms that check a password, not ones that set or reset it.
        assert!(names_login_form("PasswordViewRestrictionForm"));
        for f in [
            "PasswordResetForm",
            "SetPasswordForm",
            "PasswordChangeForm",
            "NewPasswordForm",
        ] {
            assert!(!names_login_form(f), "{f}");
        }
    }

    #[test]
    fn user_keys() {
        for k in [
            "user_id",
            "_auth_user_id",
            "auth.userid",
            "member_id",
            "logged_in",
            "uid",
            "USER_ID_SESSION_KEY",
            "current_user",
        ] {
            assert!(user_key(k), "{k} names the user");
        }
        for k in [
            "account_verified_email",
            "LOGIN_SESSION_KEY",
            "EMAIL_VERIFICATION_CODE_SESSION_KEY",
            "AUTHENTICATION_METHODS_SESSION_KEY",
            "_AUTHENTICATION_METHODS_USER_SESSION_KEY",
            "is_admin",
            "user_theme",
        ] {
            assert!(!user_key(k), "{k} does not name the user");
        }
    }

    #[test]
    fn identity_keys() {
        for k in [
            "user_id",
            "user",
            "uid",
            "username",
            "_auth_user_id",
            "auth.userid",
            "logged_in",
            "is_admin",
            "role",
            "email",
            "_user_id",
            "USER_ID_KEY",
            "account",
            // Camel case, as python3-saml's demo writes it.
            "samlUserdata",
            "samlNameId",
            "loggedInUser",
        ] {
            assert!(identity_key(k), "{k} is identity");
        }
        for k in [
            "cart",
            "theme",
            "language",
            "visits",
            "csrf_token",
            "next",
            "oauth_state",
            "author",
            "user_theme",
            "_fresh",
            "lang",
            "registration_notify_user_default",
            "app_auth_long_session",
            "session_lifetime",
            "persistent_login",
            "keep_me_logged_in",
            "saml_only",
            "account_remove",
            "_multipass_auth_failed",
            "_multipass_login_provider",
            "login_error",
            "login_message",
            "authMsg",
            "login_time",
            "csrfToken",
            "authorName",
            "userTheme",
        ] {
            assert!(!identity_key(k), "{k} is not identity");
        }
    }

    #[test]
    fn credential_calls() {
        assert!(credential_call("werkzeug.security.check_password_hash").is_some());
        assert!(credential_call("user.check_password").is_some());
        assert!(credential_call("check_credentials").is_some());
        // The start of a login, sent to the provider, verifies nothing.
        assert!(credential_call("client.authentication_request").is_none());
        // A form built is no check; its validation is.
        assert!(credential_call("forms.AuthenticationForm").is_none());
        assert!(credential_call("build_authentication_url").is_none());
        assert!(credential_call("pwd_context.verify").is_some());
        assert!(credential_call("ph.verify").is_some());
        assert!(credential_call("oauth.google.authorize_access_token").is_some());
        // An exception built reports a failure: it verifies nothing.
        assert!(credential_call("AuthenticationFailed").is_none());
        assert!(credential_call("flask_multipass.AuthenticationFailed").is_none());
        assert!(credential_call("AuthError").is_none());
        assert!(credential_call("authenticate_credentials").is_some());
        assert!(credential_call("jwt.verify").is_none());
        assert!(credential_call("render_template").is_none());
        assert!(credential_call("author_list").is_none());
        assert!(credential_call("kerberos.authGSSServerStep").is_some());
        assert!(security_context("gssapi.SecurityContext"));
        assert!(!security_context("wizard.SecurityContext"));
    }

    #[test]
    fn one_time_tokens() {
        assert!(consumes_token("delete_confirmation"));
        assert!(consumes_token("consume_token"));
        assert!(consumes_token("mark_code_used"));
        assert!(!consumes_token("delete_draft"));
        assert!(!consumes_token("get_confirmation"));
        assert!(!consumes_token("send_confirmation"));
        assert!(one_time_token_name("reset_token"));
        assert!(one_time_token_name("confirmation"));
        assert!(!one_time_token_name("draft"));
    }

    #[test]
    fn reset_grants_are_privileges() {
        for k in [
            "password_reset_verified_ts",
            "perform_reset",
            "reset_allowed",
            "RESET_GRANTED",
            "_password_reset_token",
        ] {
            assert!(privilege_key(k), "{k}");
        }
        for k in [
            "password_reset_code",
            "reset_email_sent",
            "force_reset_password_user",
            "password_reset",
            "reset_verified_next",
            "reset_token_sent",
        ] {
            assert!(!privilege_key(k), "{k}");
        }
    }

    #[test]
    fn password_setters_by_name() {
        for f in [
            "set_password",
            "User.set_password",
            "Account.setPassword",
            "_set_password",
        ] {
            assert!(sets_password(f), "{f}");
        }
        for f in [
            "reset_password",
            "set_password_and_login",
            "change_password",
            "login",
        ] {
            assert!(!sets_password(f), "{f}");
        }
    }

    #[test]
    fn records_of_the_principal() {
        assert!(record_names_identity("{project.id: project.name}"));
        assert!(record_names_identity("{'uid': acct.pk, 'ts': now}"));
        assert!(!record_names_identity("{'theme': theme, 'size': 12}"));
        assert!(!record_names_identity("{p.id: p for p in projects}"));
        assert!(!record_names_identity("{'id': get_id(user)}"));
        assert!(!record_names_identity("project.id"));
    }
}
