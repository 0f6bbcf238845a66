# SID001 fixtures: FastAPI / Starlette with the cookie SessionMiddleware (class C).
from fastapi import FastAPI, Request
from starlette.endpoints import HTTPEndpoint
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key="change-me")


@app.post("/login")
async def login(request: Request):
    form = await request.form()
    user = await find_user(form["email"])
    if user and pwd_context.verify(form["password"], user.hashed):
        request.session["user_id"] = user.id  # error: SID001
    return {"ok": True}


@app.post("/login-ok")
async def login_cleared(request: Request):
    # ok: clear() before the write drops planted content.
    form = await request.form()
    user = await find_user(form["email"])
    if user and pwd_context.verify(form["password"], user.hashed):
        request.session.clear()
        request.session["user_id"] = user.id
    return {"ok": True}


class Login(HTTPEndpoint):
    async def post(self, request):
        form = await request.form()
        if check_credentials(form["u"], form["p"]):
            request.session.update({"username": form["u"]})  # error: SID001
        return {"ok": True}


def make_handler():
    # Nested functions are analysed on their own.
    async def inner(request):
        if check_credentials("u", "p"):
            request.session["uid"] = 1  # error: SID001

    return inner


@app.post("/prefs")
async def prefs(request: Request):
    # ok: a preference, no authentication.
    request.session["theme"] = "dark"
