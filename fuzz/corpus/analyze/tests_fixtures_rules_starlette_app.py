# SID004-SID006 fixtures: Starlette / FastAPI with the signed-cookie SessionMiddleware.
from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key="k", https_only=False)  # error: SID005
app.add_middleware(SessionMiddleware, secret_key="k", max_age=None)  # error: SID006
app.add_middleware(SessionMiddleware, secret_key="k", https_only=True, same_site="lax")  # ok


def make_app(inner):
    return SessionMiddleware(inner, secret_key="k", same_site="none")  # error: SID005


@app.get("/logout")
async def logout(request: Request):
    request.session.pop("user_id", None)  # error: SID003
    return {}


@app.get("/logout2")
async def logout_ok(request: Request):
    # ok
    request.session.clear()
    return {}
