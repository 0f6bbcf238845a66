# SID001 fixtures: Flask-KVSession, where session.regenerate() exists and rotates the ID.
from flask import Flask, redirect, request, session
from flask_kvsession import KVSessionExtension

app = Flask(__name__)
KVSessionExtension(store, app)


def kv_regenerate():
    # ok: Flask-KVSession's regenerate() issues a new ID and keeps the data.
    if check_credentials(request.form["u"], request.form["p"]):
        session["user_id"] = 1
        session.regenerate()
    return redirect("/")


def kv_clear_only():
    if check_credentials(request.form["u"], request.form["p"]):
        session.clear()
        session["user_id"] = 1  # error: SID001
    return redirect("/")
