# SID001 across modules: helpers are resolved through relative, absolute and module imports.
import session_utils as su
from flask import request, session
from session_utils import verify

from .session_utils import looks_like_a_rotation, rotate_session, set_session


def login_helper_writes():
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        set_session(user)  # error: SID001
    return "ok"


def login_rotated_by_helper():
    # ok: rotate_session() in another module clears the session before the write.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        rotate_session()
        session["user_id"] = user.id
    return "ok"


def login_verified_by_helper():
    user = find_user(request.form["email"])
    if verify(user, request.form["password"]):
        session["user_id"] = user.id  # error: SID001
    return "ok"


def login_through_module_attribute():
    # ok: su.rotate_session() then su.set_session().
    user = find_user(request.form["email"])
    if verify(user, request.form["password"]):
        su.rotate_session()
        su.set_session(user)
    return "ok"


def login_misleading_name():
    user = find_user(request.form["email"])
    if verify(user, request.form["password"]):
        looks_like_a_rotation()
        session["user_id"] = user.id  # error: SID001
    return "ok"
