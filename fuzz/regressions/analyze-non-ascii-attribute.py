# A class handed the session keeps it under a non-ASCII attribute name.
from flask import session


class Store:
    def __init__(self, session):
        self.é = session

    def sign_in(self, user):
        self.é["user_id"] = user.id
        self._session["user_id"] = user.id
