"""Django settings for every Tbib node, hub or edge, demo or production.

Nothing here is a secret and nothing here differs between deployments: what differs comes
from the environment through `_env.read_environment()`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tbib.core.choices import Mode
from tbib.settings._env import read_environment

ENV = read_environment()
PACKAGE_DIR = Path(__file__).resolve().parent.parent

TBIB_ROLE = ENV.role
TBIB_NODE = ENV.node
TBIB_MODE = ENV.mode
TBIB_VERSION = "0.1.0"
DEMO_MODE = ENV.mode is Mode.DEMO

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tbib.core",
    "tbib.geo",
    "tbib.network",
    "tbib.accounts",
    "tbib.access",
    "tbib.patients",
    "tbib.tours",
    "tbib.pharmacy",
    "tbib.clinical",
    "tbib.teleexpertise",
    "tbib.devices",
    "tbib.sync",
    "tbib.assist.apps.AssistConfig",
    "tbib.planning",
    "tbib.fhir",
    "tbib.dhis2",
    "tbib.supervision",
    "tbib.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every HTML answer carries the policy, error pages included.
    "tbib.core.middleware.ContentSecurityPolicyMiddleware",
    "tbib.core.middleware.BodyLimitMiddleware",
    "tbib.core.middleware.RejectNulMiddleware",
    # Above everything that reads the database: an outage answers 503, not a 500 page.
    "tbib.core.outage.DatabaseOutageMiddleware",
    # /fhir/ (bearer tokens only) leaves here for MACHINE_INTERFACE_MIDDLEWARE and its view.
    "tbib.core.interfaces.MachineInterfaceMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A locked edge shows only its unlock form until a team member signs in (no database).
    "tbib.sync.lock.EdgeLockMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside every view's transaction: audited attempts survive the rollback of a refused write.
    "tbib.access.kept.KeepAuditedAttemptsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tbib.accounts.middleware.LanguageMiddleware",
    "tbib.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# The FHIR interface's own chain, below the guards above (core.interfaces): no session,
# CSRF, sign-in, second factor, messages or lockout, which a bearer token does not use.
MACHINE_INTERFACE_MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "tbib.sync.lock.EdgeLockMiddleware",
    "tbib.access.kept.KeepAuditedAttemptsMiddleware",
    "tbib.accounts.middleware.LanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Bodies are bounded per route by core.middleware.BodyLimitMiddleware (413 with a message);
# Django's check stays as a backstop at the largest of those limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024 + 64 * 1024

ROOT_URLCONF = "tbib.urls"
ASGI_APPLICATION = "tbib.asgi.application"
WSGI_APPLICATION = "tbib.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tbib.web.context_processors.node",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(ENV.database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A kept connection is checked before a request's first query: after a PostgreSQL restart
    # a dead one is replaced instead of failing that request (docs/faults.md), without a round
    # trip when nothing waits on its socket (dbbackends.postgresql).
    DATABASES["default"]["ENGINE"] = "tbib.dbbackends.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "tbib.dbbackends.postgresql" and ENV.db_pool:
    # A connection pool per server process (psycopg_pool, Django 5.1+): under ASGI each
    # request may run in a different thread, and persistent per-thread connections pile up
    # until PostgreSQL refuses clients; a pool reuses a bounded set instead.
    # The pool checks a connection before lending it (Django passes psycopg_pool's
    # check_connection, with CONN_HEALTH_CHECKS above).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": ENV.db_pool,
        "timeout": 10,
        # psycopg_pool retries a failed connection with a doubling delay for this long, then
        # lets the next request start afresh: with its default (5 minutes) the hub could
        # wait a minute more after PostgreSQL is back; with 5 s, a few seconds at most.
        "reconnect_timeout": 5,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL keeps readers unblocked while the unit writes; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue instead of failing with "database is locked".
    # An edge syncs every commit to disk (FULL): a van's battery dies, and what the GP saw saved
    # must still be there; NORMAL (the demo hub) survives a crash of the process, not of power.
    durability = "FULL" if ENV.role == "edge" else "NORMAL"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous={durability}; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if ENV.edge_db_key or ENV.edge_locked:
        # The edge's database is encrypted at rest: SQLCipher (tbib/dbbackends/sqlcipher).
        # Locked (no key given, key slots on disk): the key arrives at sign-in (sync.keys).
        DATABASES["default"]["ENGINE"] = "tbib.dbbackends.sqlcipher"
        DATABASES["default"]["OPTIONS"]["key"] = ENV.edge_db_key or ""
TBIB_EDGE_LOCKED = ENV.edge_locked
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so that a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id, as OWASP's password storage cheat sheet recommends; older hashes still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): five failures lock the account, whatever
# address they come from, for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tbib.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Bearer tokens issued by POST /api/auth/token.
TBIB_TOKEN_TTL_HOURS = 12
# TOTP is required at login for these roles in production mode (accounts.choices.UserRole).
TBIB_SECOND_FACTOR_REQUIRED = not DEMO_MODE

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "tbib_language"
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ENV.var_dir / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = ENV.media_root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo serves static files straight from the apps, so it needs no collectstatic step.
WHITENOISE_USE_FINDERS = DEMO_MODE
WHITENOISE_AUTOREFRESH = DEMO_MODE

CHANNEL_LAYERS = (
    {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [ENV.redis_url]},
        }
    }
    if ENV.redis_url
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)
CACHES = (
    {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ENV.redis_url,
        }
    }
    if ENV.redis_url
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
TBIB_BROKER_URL = ENV.broker_url
TBIB_SLA_MINUTES = ENV.sla_minutes
# DHIS2 mapping of indicators and units to the instance's UIDs (docs/dhis2.md); `tbib demo`
# writes one with made-up UIDs.
TBIB_DHIS2_MAPPING = Path(
    os.environ.get("TBIB_DHIS2_MAPPING") or ENV.var_dir / "dhis2-mapping.json"
)
# Celery: the real broker when configured; otherwise tasks run in the caller (demo, edge).
CELERY_BROKER_URL = ENV.broker_url or "memory://"
CELERY_TASK_ALWAYS_EAGER = ENV.broker_url is None
CELERY_RESULT_BACKEND = "rpc://" if ENV.broker_url else None
# A job is acknowledged only once done: a worker killed mid-job leaves it to another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Broker restarts (docs/faults.md): a publish is retried for about 2.5 s, then the caller
# handles the error (planning.services._dispatch); workers reconnect for as long as it takes.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 4,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1.0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BEAT_SCHEDULE = {
    "escalate-overdue-cases": {"task": "tbib.escalate_overdue_cases", "schedule": 60.0},
    # Scenarios saved while the broker was down: sent again once it is back.
    "dispatch-queued-scenarios": {"task": "tbib.dispatch_queued_scenarios", "schedule": 60.0},
}
# Attachments of tele-expertise cases: the largest file accepted, and the chunk size clients
# should send over a 2G link (a chunk lost is resent, not the whole file).
TBIB_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024
TBIB_UPLOAD_CHUNK_BYTES = 256 * 1024
# An edge encrypts its media with a key derived from its database key (storage.py).
TBIB_MEDIA_ENCRYPTION_KEY = ENV.edge_db_key
# WebRTC: STUN/TURN servers given to browsers (coturn in production, docs/live-video.md), and
# the video bitrate cap of the low-bandwidth profile.
TBIB_ICE_SERVERS = ENV.ice_servers
TBIB_LIVE_MAX_VIDEO_BITRATE = 150_000

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEMO_MODE:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"tbib": {"level": "INFO"}},
}
