//! Django (`request.session`, `django.contrib.auth`). Research: frameworks.md §8, §9.

use super::Effect;

/// Functions that rotate the session key themselves (safe as regeneration and as the write).
/// `login()` calls `cycle_key()` on an anonymous session and `flush()` for another user.
pub const ROTATING_CALLS: &[(&str, Effect)] = &[
    (
        "django.contrib.auth.login",
        Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
    ),
    (
        "django.contrib.auth.alogin",
        Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
    ),
    (
        "django.contrib.auth.update_session_auth_hash",
        Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
    ),
    (
        "django.contrib.auth.aupdate_session_auth_hash",
        Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
    ),
    ("django.contrib.auth.logout", Effect::RotateAndReset),
    ("django.contrib.auth.alogout", Effect::RotateAndReset),
    // allauth: perform_login -> adapter.login -> django.contrib.auth.login (research §9, which
    // cites allauth/account/internal/flows/login.py; account.utils is the older public path).
    (
        "allauth.account.utils.perform_login",
        Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
    ),
    (
        "allauth.account.internal.flows.login.perform_login",
        Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
    ),
    // social-auth-app-django: `complete(request, backend)` runs the pipeline and logs the
    // user in through `_do_login` -> `django.contrib.auth.login` (social_django/views.py).
    (
        "social_django.views.complete",
        Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
    ),
];

/// Second-factor primitives of widely used libraries that write the verified device into the
/// session without cycling the key (a privilege raised, SID002): django-otp's
/// `login(request, device)` sets `request.session["otp_device_id"]` (`django_otp/__init__.py`),
/// after which `request.user.is_verified()` holds.
pub const SECOND_FACTOR_LOGINS: &[(&str, &str)] = &[("django_otp.login", "otp_device_id")];

/// django-otp's `user_logged_in` receiver (`django_otp/__init__.py`, connected whenever the
/// library is installed) calls `django_otp.login(request, user.otp_device)` after every
/// Django `login()` of a user carrying a verified device: the device set by django-otp's
/// forms or by the project (`user.otp_device = device`).
/// `login()` cycles the key only for a new user: the user already logged in with a password
/// and now verifying the second factor keeps the key (research §8), and gains
/// `otp_device_id` (`is_verified()`) in that session.
pub const OTP_LIBRARY: &str = "django_otp";
pub const OTP_DEVICE_KEY: &str = "otp_device_id";
/// The helper named for that write.
pub const OTP_RECEIVER: &str = "django_otp's user_logged_in receiver";
/// Text naming a user that carries a verified django-otp device: the attribute, or the token
/// form of the user already logged in. `OTPAuthenticationForm` alone (username, password and
/// token) logs in an anonymous visitor, whose `login()` cycles the key before the receiver.
pub const OTP_DEVICE_MARKERS: &[&str] = &["otp_device", "OTPTokenForm"];
/// Django's login views, whose `form_valid()` is `login(request, form.get_user())`.
pub const LOGIN_VIEWS: &[&str] = &["django.contrib.auth.views.LoginView"];

/// What `request.session.<method>()` does. `clear()` keeps the key (§8, probe t_django.py).
pub fn session_method(method: &str) -> Option<Effect> {
    Some(match method {
        "cycle_key" | "acycle_key" => Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
        "flush" | "aflush" => Effect::RotateAndReset,
        "clear" => Effect::Reset,
        _ => return None,
    })
}

pub fn why(signed_cookies: bool) -> &'static str {
    if signed_cookies {
        "this project uses Django's signed_cookies engine: the session lives in the cookie, so content planted before login survives into the logged-in session unless the key is cycled or the session flushed."
    } else {
        "Django keeps the session on the server under the key in the `sessionid` cookie, and `clear()` keeps that key. Writing the identity by hand skips the `cycle_key()` that `django.contrib.auth.login()` would do, so an attacker who planted their session key is logged in as the victim."
    }
}
