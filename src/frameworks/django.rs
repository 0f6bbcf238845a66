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
];

/// Second-factor primitives of widely used libraries that write the verified device into the
/// session without cycling the key (a privilege raised, SID002): django-otp's
/// `login(request, device)` sets `request.session["otp_device_id"]` (`django_otp/__init__.py`),
/// after which `request.user.is_verified()` holds.
pub const SECOND_FACTOR_LOGINS: &[(&str, &str)] = &[("django_otp.login", "otp_device_id")];

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
