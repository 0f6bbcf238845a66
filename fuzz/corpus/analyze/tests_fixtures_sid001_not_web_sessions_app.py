# None of these are web sessions: no finding, even after a credential check.
import requests
from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


def sqlalchemy_session():
    # ok: db.session is SQLAlchemy's unit of work, not the user's session.
    user = find_user(request.form["email"])
    if user.check_password(request.form["password"]):
        db.session["user_id"] = user.id
        db.session.add(user)
        db.session.commit()
    return "ok"


def requests_session():
    # ok: a requests.Session() is an HTTP client.
    if check_credentials("u", "p"):
        session = requests.Session()
        session["user"] = "bob"
        session.headers["user"] = "bob"
    return "ok"


def test_client_session(client):
    # ok: a test client's session_transaction() is a test helper.
    if check_credentials("u", "p"):
        with client.session_transaction() as sess:
            sess["user_id"] = 1
