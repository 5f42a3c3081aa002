"""Voronka settings: one file, everything tunable from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("VORONKA_DEBUG", True)
SECRET_KEY = os.environ.get("VORONKA_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("VORONKA_SECRET_KEY must be set when VORONKA_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("VORONKA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("VORONKA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "voronka.core",
    "voronka.accounts",
    "voronka.contacts",
    "voronka.deals",
    "voronka.activities",
    "voronka.web",
    "voronka.forecasting",
    "voronka.plans",
    "voronka.dedupe",
    "voronka.imports",
    "voronka.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "voronka.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "voronka.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "voronka.urls"
WSGI_APPLICATION = "voronka.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "voronka.web.context_processors.navigation",
            ],
        },
    }
]

# Django's form templates, with <select> options built in Python (voronka/core/form_renderer.py).
FORM_RENDERER = "voronka.core.form_renderer.FastSelectRenderer"

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, plus fresh planner statistics (voronka/core/sqlite3/base.py)
    DATABASES["default"]["ENGINE"] = "voronka.core.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
        ),
    }
    # Tests run on an in-memory database, as with Django's own engine name (pytest-django
    # recognises that name only, and would otherwise derive a file name per worker).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# Connections are kept for a minute on both databases: opening a SQLite file and running the
# pragmas above took about 4 ms, a part of every request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "deals:board_default"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("VORONKA_LANGUAGE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("VORONKA_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("VORONKA_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Money: Decimal amounts with an ISO 4217 currency; RUB unless configured.
VORONKA_DEFAULT_CURRENCY = os.environ.get("VORONKA_DEFAULT_CURRENCY", "RUB")
VORONKA_CURRENCIES = [
    c.strip()
    for c in os.environ.get("VORONKA_CURRENCIES", "RUB,USD,EUR,CNY,KZT,BYN").split(",")
    if c.strip()
]
VORONKA_PHONE_REGION = os.environ.get("VORONKA_PHONE_REGION", "RU")
VORONKA_BOARD_PAGE_SIZE = int(os.environ.get("VORONKA_BOARD_PAGE_SIZE", "20"))
VORONKA_LIST_PAGE_SIZE = int(os.environ.get("VORONKA_LIST_PAGE_SIZE", "50"))
VORONKA_RECYCLE_DAYS = int(os.environ.get("VORONKA_RECYCLE_DAYS", "30"))

# Background jobs (django-tasks): the database backend by default, so jobs survive restarts
# without another server; `manage.py db_worker` runs them. VORONKA_TASKS_BACKEND may name
# another backend (django_tasks_rq.RQBackend with REDIS_URL when scaled out).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("VORONKA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
VORONKA_MAX_ATTACHMENT_BYTES = int(os.environ.get("VORONKA_MAX_ATTACHMENT_BYTES", 20 * 2**20))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Secure cookies by default in production; VORONKA_SECURE_COOKIES=0 for a plain-http bench.
SESSION_COOKIE_SECURE = env_bool("VORONKA_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("VORONKA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("VORONKA_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_HOST = os.environ.get("VORONKA_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("VORONKA_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("VORONKA_FROM_EMAIL", "voronka@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VORONKA_LOG_LEVEL", "WARNING")},
}
