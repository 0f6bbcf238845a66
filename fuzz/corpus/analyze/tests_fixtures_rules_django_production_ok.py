# ok: production settings that keep the session cookie Secure.
DEBUG = False
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 1209600
