# SID001 fixtures: Bottle with Beaker sessions; delete() keeps the ID.
import bottle
from bottle import post, request


@post("/login")
def login():
    s = request.environ.get("beaker.session")
    if check_credentials(request.forms.u, request.forms.p):
        s["user_id"] = 1  # error: SID001
        s.save()


@post("/login-delete")
def login_delete():
    s = request.environ["beaker.session"]
    if check_credentials(request.forms.u, request.forms.p):
        s.delete()
        s["user_id"] = 1  # error: SID001
        s.save()


@post("/login-ok")
def login_regenerated():
    # ok: regenerate_id() before the write.
    s = bottle.request.environ["beaker.session"]
    if check_credentials(request.forms.u, request.forms.p):
        s.regenerate_id()
        s["user_id"] = 1
        s.save()


@post("/login-invalidate")
def login_invalidated():
    # ok: invalidate() gives a new ID (and no data) before the write.
    s = request.environ["beaker.session"]
    if check_credentials(request.forms.u, request.forms.p):
        s.invalidate()
        s["user_id"] = 1
        s.save()
