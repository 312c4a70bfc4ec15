"""Settings for Veikart, read from the environment.

The defaults let a fresh checkout run with no services: SQLite, eager Celery tasks, DEBUG on.
DEBUG=false switches production hardening on.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pgtrigger
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-only-for-debug")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
        raise ImproperlyConfigured(
            "DEBUG is off: set SECRET_KEY in the environment to a random value of at least 50 "
            "characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DEBUG is off: set ALLOWED_HOSTS in the environment to the comma-separated host "
            "names this site answers to (no '*'), e.g. ALLOWED_HOSTS=veikart.ntnu.no."
        )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "ops",
    "pgtrigger",
    "pghistory",
    "strategy",
    "goals",
    "indicators",
    "accounts",
    "jobs",
    "spreadsheets",
    "notifications",
    "dashboards",
    "demo",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ops.middleware.RequestLogMiddleware",
    "ops.middleware.RefuseControlCharactersInQueryMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ops.middleware.SessionLifetimeMiddleware",
    "ops.middleware.NoStoreForUsersMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "goals.middleware.HistoryMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "demo.context_processors.demo_data",
                "ops.context_processors.single_sign_on",
                "goals.context_processors.reporting",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections, checked before reuse: the first request after a PostgreSQL restart
# gets a fresh connection instead of an error. A short connect timeout lets requests fail fast
# (503) while the database is unreachable rather than hang a worker.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The embedded SQLite (`make run`) has no covering indexes: the report index's included
# columns are simply left out there, as the warning says; no need to print it on every command.
SILENCED_SYSTEM_CHECKS = (
    ["models.W040"] if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else []
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "goals:landing"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out logins before any password is checked.
    "ops.backends.LockoutBackend",
    # Passwords, for whom PASSWORD_LOGIN allows them (ops.backends.password_login_allowed).
    "ops.backends.PasswordBackend",
]
# Password login: "on" for everyone, "staff" for staff users only, "off" for superusers only
# (the break-glass administrator); the others log in through single sign-on.
PASSWORD_LOGIN = env.str("PASSWORD_LOGIN", default="on")

# Single sign-on with OpenID Connect (e.g. Feide): OIDC_ENABLED=true and the OIDC_* variables
# below, nothing else (docs/deploy.md). Local accounts keep working for administrators.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="Feide")
# OIDC_OP_DISCOVERY=true: the endpoints come from OIDC_OP_ISSUER's
# /.well-known/openid-configuration; a variable that is set overrides its entry.
OIDC_OP_DISCOVERY = env.bool("OIDC_OP_DISCOVERY", default=False)
# Empty: the claims come from the ID token alone.
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
# Logout at the provider too: this URL, or else the discovery document's end_session_endpoint.
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
# The claim that identifies a person; Feide: https://n.feide.no/claims/eduPersonPrincipalName,
# or dataporten-userid_sec (a list such as ["feide:olanor@ntnu.no"]).
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="email")
# Where to look for it: "any" (userinfo, then the ID token), "id_token" or "userinfo".
OIDC_USERNAME_SOURCE = env.str("OIDC_USERNAME_SOURCE", default="any")
# The identifier is the first group of the first value that matches this whole pattern.
OIDC_USERNAME_PATTERN = env.str("OIDC_USERNAME_PATTERN", default=r"(?:feide:)?(.+)")
# How a first sign-on finds an existing account: "username", "email" or "external_id" (only
# accounts an administrator linked). A linked identity is always found first.
OIDC_MATCH_USERS_BY = env.str("OIDC_MATCH_USERS_BY", default="username")
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=True)
# Seconds of clock difference between Veikart and the provider that token times tolerate.
OIDC_TOKEN_LEEWAY = env.int("OIDC_TOKEN_LEEWAY", default=60)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=5)
OIDC_USE_PKCE = True
LOGIN_REDIRECT_URL_FAILURE = reverse_lazy("login")
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("ops.oidc.OIDCBackend")
    OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER")
    _endpoint_default = "" if OIDC_OP_DISCOVERY else environ.Env.NOTSET
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str(
        "OIDC_OP_AUTHORIZATION_ENDPOINT", default=_endpoint_default
    )
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default=_endpoint_default)
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default=_endpoint_default)

# Sessions (ASVS V7): ops.middleware.SessionLifetimeMiddleware ends a session after 30 minutes
# without a request and 12 hours after login however active; the cookie and the server-side
# row expire 30 minutes after the middleware last renewed them.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_IDLE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), not the cookie
CSRF_COOKIE_SAMESITE = "Lax"

# Login throttling (ASVS V6.3): five failures for one username from one address lock that pair
# out for 15 minutes (also on the admin login); a success resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # ops.audit logs failures as JSON, without the password
# Behind PROXY_COUNT reverse proxies (nginx: 1) the client's address is the one the first trusted
# proxy appended to X-Forwarded-For, read by django-ipware. Anything to its left is whatever the
# client sent and is ignored (not strict: a forged prefix must not drop us back to the proxy's
# own address, which would lock on the username alone). ipware counts only the proxies whose
# addresses appear in the header, so the last proxy (seen as REMOTE_ADDR) is not counted.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)
IPWARE_STRICT = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian Bokmål"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# Our date formats ("29. nov. 2026", "29 Nov 2026") over Django's own for each language.
FORMAT_MODULE_PATH = ["config.formats"]

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en",), "en": ("nb",)}

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "ops.finders.NodeModulesFinder",  # plotly.js' basic build from npm, that file only
]
# Hashed, compressed files served by whitenoise with far-future caching once DEBUG is off
# (`manage.py collectstatic` first). STATIC_STORAGE=plain keeps the plain storage (the tests).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env.str("STATIC_STORAGE", default="manifest") == "manifest"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Cache (the dashboards' computed pages). With CACHE_URL (e.g. redis://127.0.0.1:6379/1) all
# processes share one Redis cache, so N gunicorn workers compute a page once; without it each
# process has its own local-memory cache. The Redis cache fails open (ops.cache): while Redis is
# away pages are computed, and a warning is logged once a minute.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "ops.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "veikart",
        }
    }

# The REST API (api/, docs/api.md): tokens or the browser session (CSRF enforced on writes),
# problem details for errors, a rate limit per token counted in the cache above.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.TokenAuthentication",
        "api.auth.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.auth.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.PerTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.rest.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Veikart API",
    "DESCRIPTION": "Strategy, indicators, values, figures and progress reports. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the installed drf-spectacular-sidecar package, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_AUTHENTICATION": REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "strategy.models.UnitKind",
        "PeriodKindEnum": "goals.models.PeriodKind",
    },
}

# Celery. Without CELERY_BROKER_URL tasks run eagerly, so `make run` needs no services.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TIMEZONE = TIME_ZONE
# Results live in the Job rows; the result backend is not needed for them.
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged only after its task returns, and put back on the queue if the worker
# process dies mid-task; tasks are written to be run twice safely (see jobs.models.Job.claim).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged message after the visibility timeout; it must be longer
# than any task may run. A short connect timeout keeps a request from hanging on a dead broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Queued by each worker as it connects to the broker (config.celery.SweepOnConnect), as well as
# by beat every minute: work that waited while Redis or every worker was away.
CELERY_SWEEP_ON_CONNECT = [
    "jobs.tasks.requeue_stale_jobs",
    "notifications.tasks.send_waiting_emails",
]
CELERY_BEAT_SCHEDULE = {
    "send-deadline-reminders": {
        "task": "notifications.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "send-weekly-digests": {
        "task": "notifications.tasks.send_weekly_digests",
        "schedule": crontab(day_of_week="mon", hour=6, minute=30),
    },
    "requeue-stale-jobs": {
        "task": "jobs.tasks.requeue_stale_jobs",
        "schedule": 60.0,
    },
    "send-waiting-emails": {
        "task": "notifications.tasks.send_waiting_emails",
        "schedule": 60.0,
    },
    "remove-expired-jobs": {
        "task": "jobs.tasks.remove_expired_jobs",
        "schedule": crontab(hour=3, minute=30),
    },
    "sweep-figures": {
        "task": "dashboards.tasks.sweep_figures",
        "schedule": 60.0,
    },
}

# Background jobs (jobs.models, the sweep runs every minute and as each worker starts): a job
# that could not be handed to the broker is sent once JOBS_SEND_GRACE_SECONDS have passed; one
# whose message was lost (the queue is empty) likewise; one still queued after
# JOBS_REQUEUE_AFTER_MINUTES in any case. Workers beat every JOBS_WORKER_HEARTBEAT_SECONDS; a
# running job whose worker has not beaten for JOBS_WORKER_LOST_AFTER_SECONDS is run again.
JOBS_REQUEUE_AFTER_MINUTES = env.int("JOBS_REQUEUE_AFTER_MINUTES", default=10)
JOBS_SEND_GRACE_SECONDS = env.int("JOBS_SEND_GRACE_SECONDS", default=5)
JOBS_WORKER_HEARTBEAT_SECONDS = env.int("JOBS_WORKER_HEARTBEAT_SECONDS", default=15)
JOBS_WORKER_LOST_AFTER_SECONDS = env.int("JOBS_WORKER_LOST_AFTER_SECONDS", default=60)
# /healthz/status calls beat late when the sweep (every minute) has not run for this long, and
# the queue late when a job has waited this long.
STATUS_SWEEP_LATE_SECONDS = env.int("STATUS_SWEEP_LATE_SECONDS", default=180)
STATUS_QUEUED_LATE_SECONDS = env.int("STATUS_QUEUED_LATE_SECONDS", default=300)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=5)
# A finished job (its uploaded file, its result file and its report) is deleted this many days
# after it finished, by beat every night.
JOBS_RETENTION_DAYS = env.int("JOBS_RETENTION_DAYS", default=30)

# Spreadsheet import limits, checked before a file is parsed.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_ZIP_ENTRIES = env.int("IMPORT_MAX_ZIP_ENTRIES", default=1000)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)

# Deadline reminders: days before an open period's deadline, and once on the day after it. A
# reminder missed because beat or the worker was down is still sent up to REMINDER_CATCH_UP_DAYS
# late.
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[14, 3])
REMINDER_CATCH_UP_DAYS = env.int("REMINDER_CATCH_UP_DAYS", default=2)

# Absolute links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# History of reports and measurements: django-pghistory's triggers (PostgreSQL only), with the
# user and URL of each changing request, and the job or command of other writes.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# One trigger call per statement, reading the changed rows from its transition tables, instead of
# one per row: a bulk insert of 150,000 values writes their events in one INSERT ... SELECT. The
# events are the same (a snapshot per inserted, changed or deleted row, with its context).
PGHISTORY_LEVEL = pgtrigger.Statement

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="veikart@localhost")
if env.str("EMAIL_FILE_PATH", default=""):  # for EMAIL_BACKEND=...filebased.EmailBackend
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH")
# The outbox of workflow e-mails (notifications.models.OutboxEmail): the sweep sends what waited
# OUTBOX_SEND_GRACE_SECONDS past its time; a failed attempt is retried after 30 s, 1, 2, 4 …
# minutes (at most an hour), OUTBOX_MAX_ATTEMPTS times; an e-mail whose sender vanished while
# sending is tried again after OUTBOX_SENDING_TIMEOUT_SECONDS.
OUTBOX_SEND_GRACE_SECONDS = env.int("OUTBOX_SEND_GRACE_SECONDS", default=5)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_SENDING_TIMEOUT_SECONDS = env.int("OUTBOX_SENDING_TIMEOUT_SECONDS", default=600)

# Logs go to stderr; LOG_FORMAT=json (the default with DEBUG off) writes one JSON object a line.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # ops.middleware logs every request once, with its user and duration.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

# Headers on every response (ASVS V3.4). The policy allows no inline script, no eval and no
# inline style: htmx is configured for it in base.html and plotly.js is the basic build (no eval).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if OIDC_ENABLED:
    # Logging out sends the browser from the logout form on to the provider's end-session
    # endpoint (RP-initiated logout); form-action also governs that redirect.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
        {
            "{0.scheme}://{0.netloc}".format(urlsplit(url))
            for url in (OIDC_OP_ISSUER, OIDC_OP_LOGOUT_ENDPOINT)
            if url
        }
    )

if not DEBUG:
    # Production hardening; TLS ends at the reverse proxy, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer and monitoring probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/status$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and path=/.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
