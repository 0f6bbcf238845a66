# SID001 fixtures: starsessions (server-side, adopts client-chosen IDs: the worst case).
from fastapi import FastAPI, Request
from starsessions import SessionMiddleware, regenerate_session_id
from starsessions.stores.redis import RedisStore

app = FastAPI()
app.add_middleware(SessionMiddleware, store=RedisStore("redis://"))


@app.post("/login")
async def login(request: Request):
    form = await request.form()
    if check_credentials(form["u"], form["p"]):
        request.session.clear()
        request.session["user_id"] = 1  # error: SID001
    return {}


@app.post("/login-ok")
async def login_regenerated(request: Request):
    # ok: regenerate_session_id() before the identity is written.
    form = await request.form()
    if check_credentials(form["u"], form["p"]):
        regenerate_session_id(request)
        request.session["user_id"] = 1
    return {}
