# A production settings module that never sets the Secure flag (default: off).
ALLOWED_HOSTS = ["example.com"]
DEBUG = False  # error: SID005
SESSION_COOKIE_AGE = 60 * 60 * 8  # ok: eight hours
