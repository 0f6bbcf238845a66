"""A tiny Flask shop with its default (signed-cookie) session."""
from flask import Flask, redirect, request, session, url_for
from flask_login import LoginManager, login_user, logout_user
from werkzeug.security import check_password_hash

from .models import User

app = Flask(__name__)
app.secret_key = "change-me"
login_manager = LoginManager(app)


@app.post("/login")
def login():
    # Flagged: whatever was planted in the session before login (a CSRF token, a "next"
    # URL, a cart owner) survives into the logged-in session.
    user = User.query.filter_by(email=request.form["email"]).first()
    if user and check_password_hash(user.password_hash, request.form["password"]):
        session["user_id"] = user.id
        return redirect(url_for("account"))
    return "invalid email or password", 401


@app.post("/login/remember")
def login_remember():
    # Flagged: Flask-Login's login_user() never clears or regenerates the session.
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return "invalid email or password", 401
    login_user(user, remember=True)
    return redirect(url_for("account"))


@app.post("/login/safe")
def login_safe():
    # Clean: the session is cleared before the identity is written.
    user = User.query.filter_by(email=request.form["email"]).first()
    if user and check_password_hash(user.password_hash, request.form["password"]):
        session.clear()
        login_user(user)
        return redirect(url_for("account"))
    return "invalid email or password", 401


@app.post("/cart")
def add_to_cart():
    # Clean: no authentication and no identity, just a cart.
    session.setdefault("cart", []).append(request.form["sku"])
    return redirect(url_for("cart"))


@app.post("/logout")
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("login"))
