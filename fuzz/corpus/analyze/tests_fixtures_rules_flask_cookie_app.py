# SID002-SID006 fixtures: Flask's default signed-cookie session.
from flask import Flask, redirect, session
from flask_login import logout_user

app = Flask(__name__)
app.config.from_mapping(SECRET_KEY="dev", SESSION_COOKIE_HTTPONLY=False)  # error: SID005


def make_admin():
    # ok: a cookie session has no server-side ID; the raised flag is re-signed for the victim.
    session["is_admin"] = True
    return "ok"


def logout_helper():
    # ok: on the cookie session, logout_user()'s key removal is the whole logout.
    logout_user()
    return redirect("/")


def logout_by_hand():
    # Other data (privilege flags, tokens) survives in the cookie.
    session.pop("user_id")  # error: SID003
    return redirect("/")


def logout_cleared():
    # ok
    session.clear()
    return redirect("/")
