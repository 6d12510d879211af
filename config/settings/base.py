"""Every setting of Zhulian, read from the environment.

Safe defaults exist only for local use (DEBUG on). With DEBUG off the secret key and the
identity-number key must come from the environment, or start-up stops.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_key32, env_list, env_secret, env_str
from config.services import database_config, redis_url, replica_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_secret(
    "DJANGO_SECRET_KEY", required=not DEBUG, dev_default="zhulian-local-only-not-a-secret"
)
# The key that encrypts identity numbers (AES-256-GCM) and keys their lookup hash.
ZHULIAN_ID_KEY = env_key32(
    "ZHULIAN_ID_KEY", required=not DEBUG, dev_default=b"zhulian-local-only-identity-key!"
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "pgtrigger",
    "pghistory",
    "core",
    "ledgers",
    "households",
    "cases",
    "resources",
    "matching",
    "dashboards",
    "accounts",
    "reviews",
    "outreach",
    "applications",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the path, the query or a form: NUL cannot reach PostgreSQL.
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and the language are known: its 400 page is in the site's layout.
    "core.url_guard.RefuseIdNumberInUrlMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A user whose password an admin set is sent to change it before anything else.
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    # Puts the signed-in user and the URL on every history row a request's writes make.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user name/address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a user name from one address after repeated failures (django-axes), for a while; and
# the user name from every address after more, so that changing address does not help.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
# Axes holds every parameter combination to one limit; ours gives the user name its own.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Django's own CSRF page is in English: ours is the 403 page, in the user's language.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Identity numbers found active in a household the user cannot see (households/clashes.py):
# each answer is logged, and past this many in the window the user may enter no new number
# until it has passed.
ID_CLASH_LIMIT = env_int("ID_CLASH_LIMIT", 10)
ID_CLASH_WINDOW_SECONDS = env_int("ID_CLASH_WINDOW_SECONDS", 60 * 60)

# The area of an access-log entry whose object carries none (core/audit.py): the ground knows
# no household and no area tree, so the registry answers.
ACCESS_LOG_AREA_CODE = "households.selectors.access_log_area_code"

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.offline.offline_settings",
            ],
        },
    },
]

DATABASES = {"default": database_config(conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
# An optional read replica for dashboards and exports; without one, "replica" is the primary.
DATABASES["replica"] = replica_config(DATABASES["default"])
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "households.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The number the public help form's receipt gives for questions or urgent cases.
HELP_HOTLINE = env_str("ZHULIAN_HELP_HOTLINE", "12345")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "households:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
# Front-end assets come from the npm registry at set-up time (`make install`) and are
# served by the app itself (WhiteNoise): deployments sit on intranets with no CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    # The service worker (core/offline.py) and the device's store (static/js/zhulian-store.js).
    ("vendor/idb", BASE_DIR / "node_modules" / "idb" / "build"),
    *[
        (f"vendor/{name}", BASE_DIR / "node_modules" / name / "build")
        for name in (
            "workbox-sw",
            "workbox-core",
            "workbox-routing",
            "workbox-strategies",
            "workbox-expiration",
        )
    ],
]
# Visit photos: private files, streamed by a view after the scope check and never given a
# public URL. The filesystem by default; any Django storage by setting, e.g. an
# S3-compatible store with django-storages installed:
#   ZHULIAN_PHOTO_STORAGE=storages.backends.s3.S3Storage
#   ZHULIAN_PHOTO_STORAGE_OPTIONS='{"bucket_name": "…", "endpoint_url": "…"}'
PHOTO_ROOT = Path(env_str("ZHULIAN_PHOTO_ROOT", str(BASE_DIR / ".data" / "photos")))
PHOTO_MAX_BYTES = env_int("ZHULIAN_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "photos": {
        "BACKEND": env_str("ZHULIAN_PHOTO_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("ZHULIAN_PHOTO_STORAGE_OPTIONS", "{}"))
        or {"location": str(PHOTO_ROOT), "base_url": "/no-public-url/"},
    },
}
MEDIA_ROOT = Path(env_str("ZHULIAN_MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
# Finished ledger exports (they may hold full identity numbers): a private directory (0700,
# files 0600) that no web server serves, apart from MEDIA_ROOT and STATIC_ROOT; downloads go
# through the app, which checks who asks.
LEDGER_EXPORT_DIR = Path(env_str("ZHULIAN_EXPORT_DIR", str(BASE_DIR / ".data" / "exports")))

# Ledger imports (ledgers/upload.py). An upload is refused above these limits before it
# is stored or parsed, and read in a child process whose memory and CPU time are capped, so
# that a crafted file fails the import instead of taking a web worker down.
LEDGER_IMPORT_MAX_UPLOAD_MB = env_int("LEDGER_IMPORT_MAX_UPLOAD_MB", 20)
LEDGER_IMPORT_MAX_ROWS = env_int("LEDGER_IMPORT_MAX_ROWS", 200_000)
LEDGER_IMPORT_MAX_COLUMNS = env_int("LEDGER_IMPORT_MAX_COLUMNS", 64)
# An XLSX's parts together, inflated; and the most a part of 1 MB or more may inflate by.
LEDGER_IMPORT_MAX_INFLATED_MB = env_int("LEDGER_IMPORT_MAX_INFLATED_MB", 256)
LEDGER_IMPORT_MAX_RATIO = env_int("LEDGER_IMPORT_MAX_RATIO", 100)
# The reading process's address space and CPU time (below gunicorn's --timeout).
LEDGER_IMPORT_READER_MEMORY_MB = env_int("LEDGER_IMPORT_READER_MEMORY_MB", 1024)
LEDGER_IMPORT_READER_SECONDS = env_int("LEDGER_IMPORT_READER_SECONDS", 30)

REDIS_URL = redis_url()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A hung Redis must not hang pages: give up after a second (redis-py waits 5 s, then
        # retries), and core/cache.py leaves the cache alone for a while after a failure.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the longest task, so a slow task is not delivered twice.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 600,
    # Without these a publish to a hung Redis waits forever, and so does the page that made
    # it; 2 s is far above Redis's answer time and above BRPOP's own 1 s wait.
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HistoryTokenAuthentication",
        "accounts.authentication.HistorySessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.PasswordIsCurrent",
    ],
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
# API tokens (django-rest-knox): stored hashed, one per device, each ending after
# API_TOKEN_IDLE_DAYS without use and API_TOKEN_MAX_DAYS after it was issued, whatever its use.
# knox's own model; named because the accounts migration refers to it by this setting.
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 — a model, not a secret
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env_int("API_TOKEN_IDLE_DAYS", 7)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": dt.timedelta(days=env_int("API_TOKEN_MAX_DAYS", 30)),
    # A token's expiry and last use are written at most once a minute, not on every request.
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "助联 Zhulian API",
    "DESCRIPTION": (
        "社会救助 community social assistance; every endpoint reads through the area scope."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # An application's step is one choice set wherever it appears (its status, the public
    # lookup's step): one enum, not a name per field and a hashed name for the clash.
    "ENUM_NAME_OVERRIDES": {"ApplicationStatusEnum": "applications.models.Application.Status"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_bad_cursor",
    ],
    # Swagger UI from the drf-spectacular-sidecar package, served by the app: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Idle expiry: requests renew the session (core.middleware, at most once a minute rather
# than a write per request), so it ends after this long without one.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# Days a worker's caseload pages and visit drafts are kept on the phone without being
# opened again (the service worker and static/js/zhulian-store.js drop them after).
OFFLINE_KEEP_DAYS = env_int("ZHULIAN_OFFLINE_KEEP_DAYS", 7)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Production transport security: on whenever DEBUG is off (behind a TLS-terminating proxy
# that sets X-Forwarded-Proto). `manage.py check --deploy` is clean under these (CI checks).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The proxy's health checks come straight to the app over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Intranet host names cannot go on the browsers' HSTS preload list, so its check is noise.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# No inline script anywhere: every script is a static file of ours or of an npm package.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
