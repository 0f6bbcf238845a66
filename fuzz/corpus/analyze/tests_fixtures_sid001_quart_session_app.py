# Quart-Session (server-side, strict, no regenerate API): clear() keeps the ID.
from quart import Quart, redirect, request, session
from quart_session import Session

app = Quart(__name__)
app.config["SESSION_TYPE"] = "redis"
Session(app)


@app.post("/login")
async def login():
    form = await request.form
    if check_credentials(form["u"], form["p"]):
        session.clear()
        session["user_id"] = 1  # error: SID001
    return redirect("/")


@app.post("/prefs")
async def prefs():
    # ok: no authentication.
    session["theme"] = "dark"
    return redirect("/")
