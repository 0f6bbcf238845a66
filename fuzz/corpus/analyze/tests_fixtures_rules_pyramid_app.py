# SID002-SID006 fixtures: Pyramid with a server-side session and session authentication.
from pyramid.authentication import SessionAuthenticationHelper
from pyramid.security import forget
from pyramid.session import SignedCookieSessionFactory
from pyramid_session_redis import session_factory_from_settings

helper = SessionAuthenticationHelper()
factory = SignedCookieSessionFactory("secret", httponly=False, timeout=None)  # error: SID005, SID006


def make_admin(request):
    request.session["role"] = "admin"  # error: SID002
    return {}


def make_admin_ok(request):
    # ok: invalidate() first.
    request.session.invalidate()
    request.session["role"] = "admin"
    return {}


def logout(request):
    headers = forget(request)  # error: SID003
    return headers


def logout_ok(request):
    # ok: invalidate() deletes the record and the ID.
    request.session.invalidate()
    return forget(request)
