# SID002/SID003/SID005/SID006 fixtures: CherryPy sessions.
import cherrypy

config = {
    "/": {
        "tools.sessions.on": True,
        "tools.sessions.httponly": False,  # error: SID005
        "tools.sessions.timeout": 60 * 24 * 90,  # error: SID006
    }
}


class Root:
    @cherrypy.expose
    def logout(self):
        cherrypy.session.pop("user_id", None)  # error: SID003

    @cherrypy.expose
    def logout_ok(self):
        # ok: expire() ends the session.
        cherrypy.lib.sessions.expire()

    @cherrypy.expose
    def elevate(self):
        cherrypy.session["role"] = "admin"  # error: SID002

    @cherrypy.expose
    def elevate_ok(self):
        # ok: regenerated first.
        cherrypy.session.regenerate()
        cherrypy.session["role"] = "admin"
