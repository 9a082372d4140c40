"""Settings shared by every environment; each value comes from the environment with an
embedded default, so that a fresh checkout runs with nothing else installed (README:
Configuration)."""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("AGORA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-agora-development-only-key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "portal.core",
    "portal.accounts",
    "portal.records",
    "portal.knowledge",
    "portal.forum",
    "portal.search",
    "portal.notifications",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
]

MIDDLEWARE = [
    "portal.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page (ADR 0800).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"
WSGI_APPLICATION = None

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
                "portal.core.context_processors.shell",
            ],
            # Amounts and dates the reader's way in every template without a {% load %}.
            "builtins": ["portal.core.templatetags.formatting"],
        },
    },
]

# --- database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'agora.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A psycopg pool per process (ADR 0421): opening a PostgreSQL connection costs more than a
    # whole search query, and ASGI closes Django's connection after every request. The pool
    # hands each of daphne's sync threads (and the worker) a live connection in microseconds;
    # health checks drop connections a restarted server has cut. DB_POOL_MAX=0 turns the pool
    # off for an external pooler (PgBouncer): then DB_CONN_MAX_AGE keeps connections instead.
    DB_POOL_MAX = int(os.environ.get("DB_POOL_MAX", "10"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DB_POOL_MAX > 0:
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": min(int(os.environ.get("DB_POOL_MIN", "2")), DB_POOL_MAX),
                "max_size": DB_POOL_MAX,
                # Waiting longer than this for a free connection is an error, not a hang.
                "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
                # Recycle idle and old connections (server-side memory, failovers).
                "max_idle": 300,
                "max_lifetime": 1800,
            }
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with a pool of open connections per process (ADR 0426): a new
    # SQLite connection parses the whole schema again and starts with an empty page cache, and
    # under ASGI every request runs in a thread of its own, so Django would open one per request.
    DATABASES["default"]["ENGINE"] = "portal.core.sqlite"
    # Reads through a memory map instead of a read() per page (ADR 0426); the map is address
    # space, not memory: the kernel's page cache backs it, shared by every process.
    SQLITE_MMAP_BYTES = int(os.environ.get("SQLITE_MMAP_BYTES", str(1 << 30)))
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN,
        # so concurrent writers queue instead of failing half-way ("database is locked").
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA mmap_size={SQLITE_MMAP_BYTES};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "pool_size": int(os.environ.get("DB_POOL_MAX", "8")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and channel layer --------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "agora"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the same 5 s that
                # channels_redis blocks in BZPOPMIN: under load the read timed out first and
                # killed the socket's consumer (ADR 0502). Give the read room to outlast it.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "agora"),
                "capacity": 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Channels' in-memory layer with its expiry sweep throttled (ADR 0502).
    CHANNEL_LAYERS = {"default": {"BACKEND": "portal.notifications.layers.InMemoryChannelLayer"}}
# Notification sockets read from their own process's memory; across processes one Redis
# publish per event carries the recipients, each process delivers to its sockets (ADR 0710).
CHANNEL_LAYERS["notifications"] = {
    "BACKEND": "portal.notifications.layers.InMemoryChannelLayer",
    "CONFIG": {"capacity": 1000},
}
NOTIFICATIONS_BUS_URL = REDIS_URL
NOTIFICATIONS_BUS_CHANNEL = os.environ.get("CHANNEL_LAYER_PREFIX", "agora") + ".notifications"

# --- search -------------------------------------------------------------------------------
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "agora")
# Wagtail's own search powers its admin; Agora's search lives in portal.search.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- email --------------------------------------------------------------------------------


def email_settings(url: str) -> dict[str, object]:
    """Translate EMAIL_URL (console://, file:///path, smtp://user:pass@host:port?tls=1)."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path or str(VAR_DIR / "mail"),
        }
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme in {"smtp", "smtps"}:
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true"},
        }
    raise ValueError(f"Unsupported EMAIL_URL scheme: {parsed.scheme!r}")


globals().update(email_settings(os.environ.get("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Agora <agora@localhost>")

# --- auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out account or address is refused before the password is
    # even checked (ADR 0800).
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, permissions read in one statement; its answer is final (ADR 0426).
    "portal.accounts.backends.PermissionsBackend",
    # Only so that sessions signed in before ADR 0426 stay valid: never asked for permissions.
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Similarity misses "sales2sales2" (ratio 0.67 < 0.7): containing the username is refused.
    {"NAME": "portal.accounts.passwords.NoUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes, ADR 0800): 10 failures lock the account, and separately
# the address, for 15 minutes (a new failure during the lock restarts it); administrators see
# and lift locks under "Axes" in the Django admin. API tokens count against the same address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", 0.25))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.throttling.lockout_response"
AXES_USERNAME_CALLABLE = "portal.accounts.throttling.attempted_username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# --- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Request bodies are refused over these sizes before they are read (portal.core.bodylimit,
# ADR 0801; the proxy in deploy/ applies the same numbers): uploads on the routes below,
# everything else small. A login form or an API call never needs megabytes.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", 2 * 1024 * 1024))
REQUEST_UPLOAD_MAX_BYTES = int(os.environ.get("REQUEST_UPLOAD_MAX_BYTES", 32 * 1024 * 1024))
REQUEST_UPLOAD_PATHS = [
    r"^/cms/",  # Wagtail's editor: images, documents
    r"^/forum/(?:[^/]+/)*(?:new|t/\d+/reply)/$",  # a topic or reply with attachments
    r"^/records/deals/\d+/documents/$",
    r"^/records/service/new/$",  # a complaint with attachments
    r"^/records/service/\d+/attach/$",
    r"^/records/customers/import/$",  # CSV / XLSX import
]

# --- Wagtail ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Agora")
# Avatars come from Wagtail's own static default or an upload, never from gravatar.com: an
# intranet has no Internet (the image was broken) and must not leak e-mail hashes.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # documents go through Django so access is checked
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "zip"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.accounts.throttling.ThrottledTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.core.api.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora API",
    "DESCRIPTION": "Customers, deals, knowledge, forum, search and notifications.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The machines are offline: Swagger UI is served from the sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["portal.core.api.public_endpoints_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.core.api.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CustomerLevelEnum": "portal.records.customers.models.Customer.Level",
        "FollowLevelEnum": "portal.notifications.models.Level",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Agora --------------------------------------------------------------------------------
DEMO_DATA_ALLOWED = True
# Days before a contract ends that its deal's owner and co-owners are reminded (#18).
CONTRACT_EXPIRY_REMINDER_DAYS = int(os.environ.get("CONTRACT_EXPIRY_REMINDER_DAYS", 30))
# Subscribers that fail after commit are logged; tests set this to re-raise.
EVENTS_RAISE_ERRORS = False
# An event its app's catalogue does not declare: "raise" or "log"; empty means raise when DEBUG
# is on and log otherwise (ADR 0610).
EVENTS_CHECK = os.environ.get("EVENTS_CHECK", "")
WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", "1.0"))
# Work over this many rows (re-keying a moved rep's records) goes to the worker in chunks,
# with its progress in the admin, instead of running in the request that asked (ADR 0142).
BACKGROUND_INLINE_ROWS = int(os.environ.get("BACKGROUND_INLINE_ROWS", "500"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}
