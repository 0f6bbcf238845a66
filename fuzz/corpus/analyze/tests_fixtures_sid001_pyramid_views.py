# SID001 fixtures: Pyramid with pyramid_session_redis and SessionAuthenticationHelper:
# remember() writes the identity into the server-side session and never invalidates it.
import pyramid_session_redis
from pyramid.authentication import SessionAuthenticationHelper
from pyramid.httpexceptions import HTTPFound
from pyramid.security import remember
from pyramid.view import view_config

helper = SessionAuthenticationHelper()


@view_config(route_name="login", request_method="POST")
def login(request):
    user = find_user(request.params["login"])
    if user is not None and user.check_password(request.params["password"]):
        headers = remember(request, user.id)  # error: SID001
        return HTTPFound(location="/", headers=headers)
    return {}


@view_config(route_name="login-ok", request_method="POST")
def login_invalidated(request):
    # ok: invalidate() before remember(): a new session ID carries the login.
    user = find_user(request.params["login"])
    if user is not None and user.check_password(request.params["password"]):
        request.session.invalidate()
        headers = remember(request, user.id)
        return HTTPFound(location="/", headers=headers)
    return {}


def login_by_hand(request):
    if check_credentials(request.params["u"], request.params["p"]):
        request.session["user_id"] = 7  # error: SID001
    return {}


def invalidate_after(request):
    # ok for SID001: invalidate() after remember() erases the login (a bug, not a fixation).
    if check_credentials(request.params["u"], request.params["p"]):
        headers = remember(request, 7)
        request.session.invalidate()
        return HTTPFound(location="/", headers=headers)
