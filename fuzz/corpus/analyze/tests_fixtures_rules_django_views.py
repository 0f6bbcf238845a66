# SID002-SID004 fixtures: Django (server-side sessions by default).
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import redirect


def enter_sudo(request):
    if request.user.check_password(request.POST["password"]):
        request.session["sudo_until"] = 1  # error: SID002
    return redirect("/")


def enter_sudo_cycled(request):
    # ok: the key is cycled before the privilege is written.
    if request.user.check_password(request.POST["password"]):
        request.session.cycle_key()
        request.session["sudo_until"] = 1
    return redirect("/")


def impersonate(request, user_id):
    request.session["impersonate_id"] = user_id  # error: SID002
    return redirect("/")


def change_password(request):
    # ok: update_session_auth_hash() cycles the key.
    request.user.set_password(request.POST["new"])
    request.user.save()
    update_session_auth_hash(request, request.user)
    request.session["password_changed"] = True
    return redirect("/")


def logout_del(request):
    del request.session["member_id"]  # error: SID003
    return redirect("/")


def logout_clear(request):
    # Django's clear() keeps the row (and the login in it) under the same key.
    request.session.clear()
    request.session.pop("user_id", None)  # error: SID003
    return redirect("/")


def logout_view(request):
    # ok: logout() flushes the session.
    logout(request)
    return redirect("/")


def logout_flush(request):
    # ok
    request.session.pop("user_id", None)
    request.session.flush()
    return redirect("/")


def load_from_query(request):
    store = SessionStore(session_key=request.GET["k"])  # error: SID004
    return store


def load_from_cookie(request):
    # ok: the cookie is where the framework itself reads the key.
    return SessionStore(session_key=request.COOKIES.get("sessionid"))


LOGIN_SESSION_KEY = "account_login"


def unstash_login(request):
    # ok: login-flow state (not who is logged in) is removed; no logout here.
    request.session.pop(LOGIN_SESSION_KEY, None)
    return request.session.pop("account_verified_email", None)


def clear_authentication_records(request):
    # ok: bookkeeping about a user's authentications, not who is logged in.
    request.session.pop("_AUTHENTICATION_METHODS_USER_SESSION_KEY", None)
