# SID001 fixtures: aiohttp-session with Redis storage (server-side): only new_session() gives
# a new key; invalidate() keeps it.
from aiohttp import web
from aiohttp_session import get_session, new_session, setup
from aiohttp_session.redis_storage import RedisStorage


async def login(request):
    session = await get_session(request)
    data = await request.post()
    if check_credentials(data["u"], data["p"]):
        session["user_id"] = 1  # error: SID001
    return web.Response()


async def login_invalidate(request):
    session = await get_session(request)
    data = await request.post()
    if check_credentials(data["u"], data["p"]):
        session.invalidate()
        session["user_id"] = 1  # error: SID001
    return web.Response()


async def login_new_session(request):
    # ok: new_session() before the write.
    data = await request.post()
    if check_credentials(data["u"], data["p"]):
        session = await new_session(request)
        session["user_id"] = 1
    return web.Response()


def make_app(redis):
    app = web.Application()
    setup(app, RedisStorage(redis))
    return app
