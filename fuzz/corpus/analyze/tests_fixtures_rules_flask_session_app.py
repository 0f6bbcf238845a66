# SID002-SID006 fixtures: Flask with Flask-Session (server-side, strict).
from datetime import timedelta

from flask import Flask, current_app, redirect, request, session
from flask_login import current_user, login_user, logout_user
from flask_session import Session
from werkzeug.security import check_password_hash

app = Flask(__name__)
app.config["SESSION_TYPE"] = "redis"
app.config["SESSION_COOKIE_SECURE"] = False  # error: SID005
app.config["SESSION_COOKIE_HTTPONLY"] = True
app.config.update(SESSION_COOKIE_SAMESITE=None, SECRET_KEY="x")  # error: SID005
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=365)  # error: SID006
Session(app)


class BaseConfig:
    SESSION_COOKIE_HTTPONLY = False  # error: SID005
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 7  # ok: a week


def sudo_mode():
    # Step-up after re-verifying the password: the planted sid gains sudo.
    if check_password_hash(current_user.pw_hash, request.form["password"]):
        session["sudo"] = True  # error: SID002
    return redirect("/")


def sudo_mode_regenerated():
    # ok: written, then regenerated (Flask-Session's safe order).
    if check_password_hash(current_user.pw_hash, request.form["password"]):
        session["sudo"] = True
        current_app.session_interface.regenerate(session)
    return redirect("/")


def make_admin():
    session["is_admin"] = True  # error: SID002
    return "ok"


def drop_admin():
    # ok: lowering privilege is not a privilege rise.
    session["is_admin"] = False
    return "ok"


def promote_other_user(user):
    # ok: another user's role in the database, not the session.
    user.role = "admin"
    user.save()


def login_with_role():
    # A login that also writes a role is SID001 only (one finding, one fix).
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        login_user(user)  # error: SID001
        session["role"] = user.role
    return redirect("/")


def logout_pop():
    session.pop("user_id", None)  # error: SID003
    return redirect("/")


def logout_helper_only():
    # Flask-Login keeps the server-side record and its ID.
    logout_user()  # error: SID003
    return redirect("/")


def logout_cleared():
    # ok: clear() empties the record (Flask-Session deletes an emptied one).
    logout_user()
    session.clear()
    return redirect("/")


def switch_account():
    # ok: drops a stale key, then logs in (a login, not a logout).
    session.pop("user_id", None)
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        session["user_id"] = user.id
        app.session_interface.regenerate(session)
    return redirect("/")


def resume():
    session.sid = request.args["sid"]  # error: SID004


def resume_via_local():
    sid = request.args.get("sid")
    session.sid = sid  # error: SID004


def resume_from_cookie_name(resp):
    resp.set_cookie("session", request.values["s"])  # error: SID004
    return resp


def new_random_sid():
    # ok: a fresh server-side value, not request data.
    import uuid

    session.sid = uuid.uuid4().hex


def remember_theme(resp):
    # ok: not a session cookie.
    resp.set_cookie("theme", request.args["theme"])
    return resp


def find_user(email):
    return None
