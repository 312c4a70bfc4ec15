"""Production settings for a benchmark on loopback, where there is no TLS: the cookies must
travel over plain HTTP. Everything else is exactly config.settings with DEBUG off."""

from config.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
