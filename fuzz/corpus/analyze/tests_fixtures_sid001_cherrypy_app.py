# SID001 fixtures: CherryPy sessions (server-side, strict).
import cherrypy


class Root:
    @cherrypy.expose
    def login(self, username, password):
        if check_credentials(username, password):
            cherrypy.session["user"] = username  # error: SID001
        return "ok"

    @cherrypy.expose
    def login_ok(self, username, password):
        # ok: regenerate() before the write.
        if check_credentials(username, password):
            cherrypy.session.regenerate()
            cherrypy.session["user"] = username
        return "ok"
