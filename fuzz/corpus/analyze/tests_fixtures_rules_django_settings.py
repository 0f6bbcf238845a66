# SID005/SID006 fixtures: Django settings.
import os

DEBUG = os.environ.get("DEBUG") == "1"
SESSION_COOKIE_SECURE = False  # error: SID005
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "None"  # error: SID005
SESSION_COOKIE_AGE = 60 * 60 * 24 * 365  # error: SID006
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
CSRF_COOKIE_SECURE = False  # ok: not the session cookie (another rule's business)
