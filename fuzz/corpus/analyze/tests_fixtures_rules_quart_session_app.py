# SID002/SID003/SID005/SID006 fixtures: Quart with Quart-Session (server-side).
from datetime import timedelta

from quart import Quart, redirect, session
from quart_session import Session

app = Quart(__name__)
app.config["SESSION_TYPE"] = "redis"
app.config["SESSION_COOKIE_SECURE"] = False  # error: SID005
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(weeks=52)  # error: SID006
Session(app)


@app.route("/admin-mode")
async def admin_mode():
    session["is_admin"] = True  # error: SID002
    return "ok"


@app.route("/logout")
async def logout():
    session.pop("user_id", None)  # error: SID003
    return redirect("/")


@app.route("/logout2")
async def logout_ok():
    # ok: cleared.
    session.clear()
    return redirect("/")
