# SID003/SID005/SID006 fixtures: aiohttp-session with Redis.
from aiohttp import web
from aiohttp_session import get_session, setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from aiohttp_session.redis_storage import RedisStorage

storage = RedisStorage(None, secure=False, max_age=60 * 60 * 24 * 400)  # error: SID005, SID006


async def logout(request):
    session = await get_session(request)
    del session["user_id"]  # error: SID003
    return web.Response()


async def logout_ok(request):
    # ok: invalidate() empties the session.
    session = await get_session(request)
    session.invalidate()
    return web.Response()


async def make_admin(request):
    session = await get_session(request)
    session["is_admin"] = True  # error: SID002
    return web.Response()
