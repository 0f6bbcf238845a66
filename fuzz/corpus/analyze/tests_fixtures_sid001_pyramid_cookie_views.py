# Pyramid with the default SignedCookieSessionFactory and an auth-ticket policy:
# remember() mints a fresh signed auth_tkt cookie, which is not a session write.
from pyramid.authentication import AuthTktCookieHelper
from pyramid.httpexceptions import HTTPFound
from pyramid.security import remember

helper = AuthTktCookieHelper("secret")


def login(request):
    # ok: remember() with an auth-ticket policy is not a session write.
    if check_credentials(request.params["u"], request.params["p"]):
        headers = remember(request, 7)
        return HTTPFound(location="/", headers=headers)


def login_by_hand(request):
    if check_credentials(request.params["u"], request.params["p"]):
        request.session["user_id"] = 7  # error: SID001
    return {}
