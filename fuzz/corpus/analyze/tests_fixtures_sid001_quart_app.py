# SID001 fixtures: Quart with its default (Flask-style) cookie session.
from quart import Quart, redirect, request, session

app = Quart(__name__)


@app.post("/login")
async def login():
    form = await request.form
    if check_credentials(form["u"], form["p"]):
        session["user_id"] = 1  # error: SID001
    return redirect("/")


@app.post("/login-ok")
async def login_cleared():
    # ok: clear() before the write.
    form = await request.form
    if check_credentials(form["u"], form["p"]):
        session.clear()
        session["user_id"] = 1
    return redirect("/")
