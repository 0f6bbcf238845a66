# A local function that shadows an imported name is what the name means in this module.
from flask import redirect, request, session
from flask_login import login_user


def login_user(user):
    # Shadows flask_login.login_user: it only records the user on the request.
    request.current_user = user


def shadowed_login():
    # ok: login_user here is the local function above, which writes nothing to the session.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        login_user(user)
    return redirect("/")
