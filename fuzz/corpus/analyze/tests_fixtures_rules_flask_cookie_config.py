# Config classes: SID005 in scan for a production class that leaves Secure at its default.
class Config:
    SECRET_KEY = "change-me"
    SESSION_COOKIE_SAMESITE = "Lax"


class ProductionConfig(Config):
    DEBUG = False  # error: SID005


class DevelopmentConfig(Config):
    # ok: development may use plain HTTP.
    DEBUG = True
    PERMANENT_SESSION_LIFETIME = 86400 * 90  # error: SID006
