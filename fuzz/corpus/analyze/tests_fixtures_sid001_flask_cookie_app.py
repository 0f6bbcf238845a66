# SID001 fixtures: Flask with its default signed-cookie session (no server-side backend).
import flask
from flask import Flask, redirect, request, session
from flask import session as s
from flask.views import MethodView
from flask_login import login_user
from argon2 import PasswordHasher
from werkzeug.security import check_password_hash

app = Flask(__name__)
ph = PasswordHasher()


@app.route("/login", methods=["POST"])
def seed_login():
    # The seed document's vulnerable example.
    username = request.form["username"]
    password = request.form["password"]
    if check_credentials(username, password):
        session["username"] = username  # error: SID001
        return redirect("/")
    return "Invalid credentials"


@app.route("/login-ok", methods=["POST"])
def cleared_login():
    # ok: the session is cleared before the identity is written.
    user = find_user(request.form["email"])
    if user and check_password_hash(user.pw_hash, request.form["password"]):
        session.clear()
        session["user_id"] = user.id
        return redirect("/")
    return "no", 401


def clear_on_failure_only():
    user = find_user(request.form["email"])
    if not check_password_hash(user.pw_hash, request.form["password"]):
        session.clear()
        return "no", 401
    session["user_id"] = user.id  # error: SID001
    return redirect("/")


def clear_on_one_branch():
    user = find_user(request.form["email"])
    if check_password_hash(user.pw_hash, request.form["password"]):
        if request.form.get("fresh"):
            session.clear()
        session["user_id"] = user.id  # error: SID001
    return redirect("/")


def flask_login_without_clear():
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        login_user(user)  # error: SID001
    return redirect("/")


def flask_login_with_clear():
    # ok: clear() before login_user() drops planted content.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        session.clear()
        login_user(user)
    return redirect("/")


def alias_and_module_attribute():
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        s["uid"] = user.id  # error: SID001
        flask.session["username"] = user.name
    return redirect("/")


def unrelated_keys_after_login():
    # ok: cart and theme are not identity keys.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        session["cart"] = []
        session["theme"] = "dark"
    return redirect("/")


def no_authentication():
    # ok: nothing authenticates here (a preference, not a login).
    session["language"] = request.args["lang"]
    session["user_theme"] = "dark"
    return redirect("/")


def reset_session():
    session.clear()


def helper_that_clears():
    # ok: the same-module helper clears the session (what it does counts, not its name).
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        reset_session()
        session["user_id"] = user.id
    return redirect("/")


def regenerate_session():
    # shoulder.dev's remediation: copies the data out and back in, so nothing is dropped.
    data = dict(session)
    session.clear()
    session.update(data)


def helper_that_restores():
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        regenerate_session()
        session["user_id"] = user.id  # error: SID001
    return redirect("/")


def seed_good_example():
    # The seed's "GOOD" example calls session.regenerate(), which Flask does not have.
    if check_credentials(request.form["u"], request.form["p"]):
        session.regenerate()
        session["username"] = request.form["u"]  # error: SID001
    return redirect("/")


def early_return_then_clear():
    # ok: the failure path returns; the success path clears before writing.
    user = find_user(request.form["email"])
    if not user or not user.check_password(request.form["password"]):
        return "no", 401
    session.clear()
    session["user_id"] = user.id
    return redirect("/")


@app.post("/async-login")
async def async_login():
    user = await find_user_async(request.form["email"])
    if check_password_hash(user.pw_hash, request.form["password"]):
        session["user_id"] = user.id  # error: SID001
    return redirect("/")


class LoginView(MethodView):
    def post(self):
        user = find_user(request.form["email"])
        if user.check_password(request.form["password"]):
            session.update({"user_id": user.id, "name": user.name})  # error: SID001
        return redirect("/")

    def get(self):
        # ok: no authentication, no identity write.
        return "form"


def argon2_try_verify():
    user = find_user(request.form["email"])
    try:
        ph.verify(user.pw_hash, request.form["password"])
    except Exception:
        return "no", 401
    session["user_id"] = user.id  # error: SID001
    return redirect("/")


def plain_password_comparison():
    user = find_user(request.form["email"])
    if user.password == request.form["password"]:
        session["logged_in"] = True  # error: SID001
    return redirect("/")


def write_then_clear():
    # ok: clear() after the write erases the login (a bug, but not a fixation).
    if check_credentials(request.form["u"], request.form["p"]):
        session["user_id"] = 1
        session.clear()
    return redirect("/")


def oauth_callback():
    # An OAuth/SSO login: the token exchange is the authentication.
    token = oauth.google.authorize_access_token()
    session["user"] = token["userinfo"]  # error: SID001
    return redirect("/")


def module_attribute_only():
    if check_credentials(request.form["u"], request.form["p"]):
        flask.session["account_id"] = 7  # error: SID001
    return redirect("/")


def oauth_state_before_redirect():
    # ok: storing the OAuth state before redirecting to the provider is not a login.
    session["oauth_state"] = make_state()
    return oauth.google.authorize_redirect("/callback")
