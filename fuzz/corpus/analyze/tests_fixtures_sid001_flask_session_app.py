# SID001 fixtures: Flask with Flask-Session (server-side, strict): clear() keeps the session ID.
from flask import Flask, current_app, redirect, request, session
from flask_login import login_user
from flask_session import Session

app = Flask(__name__)
app.config["SESSION_TYPE"] = "redis"
Session(app)


def clear_then_regenerate_then_write():
    # The common "secure" idiom: regenerate() skips the empty session, so the sid is kept.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        session.clear()
        app.session_interface.regenerate(session)
        session["user_id"] = user.id  # error: SID001
    return redirect("/")


def write_then_regenerate():
    # ok: Flask-Session's safe order: write the identity, then regenerate.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        session["user_id"] = user.id
        app.session_interface.regenerate(session)
    return redirect("/")


def login_user_without_regenerate():
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        login_user(user)  # error: SID001
    return redirect("/")


def clear_is_not_enough():
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        session.clear()
        login_user(user)  # error: SID001
    return redirect("/")


def login_user_then_regenerate():
    # ok: current_app.session_interface.regenerate() after login_user().
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        login_user(user)
        current_app.session_interface.regenerate(session)
    return redirect("/")


def regenerate_on_one_branch():
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        login_user(user)  # error: SID001
        if user.is_admin:
            current_app.session_interface.regenerate(session)
    return redirect("/")


def regenerate_nonempty_then_write():
    # ok: regenerate() on the (non-empty) pre-login session, then the write.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        app.session_interface.regenerate(session)
        session["user_id"] = user.id
    return redirect("/")
