# SID002-SID005 fixtures: Bottle with Beaker (server-side).
import bottle
from beaker.middleware import SessionMiddleware
from beaker.session import Session

session_opts = {
    "session.type": "file",
    "session.secure": False,  # error: SID005
    "session.timeout": None,  # error: SID006
}


def logout():
    s = bottle.request.environ["beaker.session"]
    s.delete()
    s.pop("user_id", None)  # error: SID003


def logout_ok():
    # ok: invalidate() deletes the record and issues a new ID.
    s = bottle.request.environ["beaker.session"]
    s.invalidate()
    s.pop("user_id", None)


def open_session():
    return Session(bottle.request.environ, id=bottle.request.query["sid"])  # error: SID004


def elevate():
    s = bottle.request.environ["beaker.session"]
    s["is_admin"] = True  # error: SID002
    s.save()
