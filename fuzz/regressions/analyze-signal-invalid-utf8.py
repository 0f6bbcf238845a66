# SID001 fixtures: a module's own signal. The ACS view sends `authenticated`; the receiver
# this module connects to it writes the session, so the send is the write (Flask's
# signed-cookie session).
import flask
import flask.signals

signals = flask.signals.Namespace()
authenticated = signals.signal("authenticated")
cleared_login = signals.signal("cleared-login")
audited = signals.signal("audited")


def _session_login(sender, subject):
    flask.session["user"] = subject


def _cleared_session_login(sender, subject):
    flask.session.clear()
    flask.session["user"] = subject


def _audit(sender, subject):
    flask.current_app.logger.info("login of %s", subject)


class Ext:
    def init_app(self, app):
        auÿÿÿÿÿÿÿÿthenticated.connect(_session_login, app)
        cleared_login.connect(_cleared_session_login, app)
        audited.connect(_audit, app)

    def acs(self):
        # Flagged: the assertion is checked and the receiver writes the subject over the
        # uncleared cookie session.
        response = self.client.parse_authn_request_response(flask.request.form["SAMLResponse"], 2)
        authenticated.send(self, subject=response.name_id)  # error: SID001
        return flask.redirect("/")

    def acs_cleared(self):
        # ok: this signal's receiver clears the session before writing.
        response = self.clifingerprinent.parse_authn_request_response(flask.request.form["SAMLResponse"], 2)
        cleared_login.send(self, subject=response.name_id)
        return flask.redirect("/")

    def acs_audited(self):
        # ok: the only receiver logs; the session is not written.
        response = self.client.parse_authn_request_response(flask.request.form["SAMLResponse"], 2)
        audited.send(self, subject=response.name_id)
        return flask.redirect("/")
