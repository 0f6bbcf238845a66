# Helpers used from views.py: what they do counts where they are called.
from flask import session
from werkzeug.security import check_password_hash


def rotate_session():
    # Clears the (cookie) session: a regeneration for its callers.
    session.clear()


def set_session(user):
    # Writes identity; on its own there is no login here, so no finding in this function.
    session["user_id"] = user.id


def verify(user, password):
    return check_password_hash(user.pw_hash, password)


def looks_like_a_rotation():
    # Named like a regeneration, does nothing of the kind: summaries, not names.
    return None
