"""Waymark settings.

Every deployment-specific value comes from an environment variable (see .env.example);
the defaults are safe for development on a laptop: DEBUG on, an embedded SQLite file.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    return int(os.environ.get(name, default))


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies in front of Waymark, each appending the address it saw to X-Forwarded-For
# (one nginx or Caddy: 1). The client's address, for the per-address sign-in limits and the
# audit trail alike, is the one the outermost trusted proxy saw; with 0 the header is ignored,
# so nobody can forge an address by sending it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# The organisation running this instance: shown in the footer and on report covers.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Waymark demo organisation")

# The DBS Update Service's status checks (mentors.dbs): off until the organisation has registered.
DBS_STATUS_CHECKS_ENABLED = env_bool("DBS_STATUS_CHECKS_ENABLED", False)
DBS_UPDATE_SERVICE_URL = os.environ.get(
    "DBS_UPDATE_SERVICE_URL", "https://secure.crbonline.gov.uk/crsc/api/status"
)
DBS_ORGANISATION_NAME = os.environ.get("DBS_ORGANISATION_NAME", "")
DBS_CHECKER_FORENAME = os.environ.get("DBS_CHECKER_FORENAME", "")
DBS_CHECKER_SURNAME = os.environ.get("DBS_CHECKER_SURNAME", "")
DBS_STATUS_CHECK_EVERY_DAYS = env_int("DBS_STATUS_CHECK_EVERY_DAYS", 90)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "auditlog",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "csp",
    # Waymark, lowest layer first: reports reads every app; mentoring depends on none.
    "mentoring",
    "clients",
    "referrals",
    "mentors",
    "contacts",
    "outcomes",
    "reports",
    "dataio",
]

MIDDLEWARE = [
    # First: a Host outside ALLOWED_HOSTS is a 400 before anything (sign-in limits, audit) sees it.
    "mentoring.middleware.RefuseUnknownHostMiddleware",
    "mentoring.middleware.CurrentRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and sign-in middleware, so its header is the last word on every response.
    "mentoring.middleware.NoStoreMiddleware",
    "mentoring.middleware.SessionSaveTolerantMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "mentoring.middleware.AuditlogMiddleware",
    # Writes the reads of client records a request made (mentoring.access), in one INSERT.
    "mentoring.audit.ReadAuditMiddleware",
    "mentoring.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"

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
                "mentoring.context_processors.waymark",
            ],
        },
    },
]

# PostgreSQL in production and tests; an embedded SQLite file when DATABASE_URL is unset.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT spends 20-50 ms compiling each large query; the app's queries are
    # short (the reports too, measured by `make bench`), so compiling never pays for itself.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (login rate limits, sessions stay in the database): shared by every web process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "waymark_cache",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Every account, whatever its role: at least 12 characters, nothing of the person's own details,
# nothing on the common-password list. allauth's set, change and reset forms and the admin's user
# forms all run these.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "mentoring.auth.NoPersonalDetailsInPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id cost (mentoring.auth.SingleLaneArgon2PasswordHasher): OWASP's minimum by default.
ARGON2_MEMORY_KIB = env_int("ARGON2_MEMORY_KIB", 47104)
ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 1)
ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 1)
PASSWORD_HASHERS = PASSWORD_HASHERS_CONFIGURED = [
    "mentoring.auth.SingleLaneArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# One backend: each sign-in checks one account's password once (mentoring.auth.OneAccountBackend).
AUTHENTICATION_BACKENDS = ["mentoring.auth.OneAccountBackend"]

# Sign-in: invited staff only, username or email, lockout after repeated failures.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "mentoring.auth.InvitedStaffOnlyAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# No e-mail to an address with no account: there is no sign-up to point it to.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
ACCOUNT_RATE_LIMITS = {
    # Five wrong passwords for one account lock it for 15 minutes; an address gets 20.
    "login_failed": f"20/15m/ip,{LOGIN_FAILURE_LIMIT}/15m/key",
    # Sign-in attempts from one address (an office shares one): raise for a load test.
    "login": os.environ.get("LOGIN_RATE_LIMIT_PER_IP", "30/m/ip"),
    "reset_password": "5/h/ip,3/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Waymark"
# Roles that must use two-factor authentication before they can do anything else.
MFA_REQUIRED_GROUPS = ["Manager", "Administrator"]
# Demo accounts seeded by `make run` may skip two-factor, and only while DEBUG is on.
MFA_DEMO_EXEMPTION = DEBUG and env_bool("WAYMARK_DEMO_SKIP_MFA", default=True)

# Idle sessions expire after 30 minutes: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Django's default, named because it matters: messages go in a cookie first (the session only
# for what does not fit), so "Contact logged" still arrives when the session cannot be saved
# (mentoring.middleware.SessionSaveTolerantMiddleware).
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"
CSRF_COOKIE_HTTPONLY = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "waymark@localhost")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
FORMAT_MODULE_PATH = ["mentoring.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The upload page checks, then applies, an import inside a web request each. 10 MB (about
# 120,000 contact rows) took 12 s to check and 15 s to apply on a 2-core machine: room to
# spare inside a reverse proxy's usual 60 s read timeout on a slower one. Larger sets go through
# `manage.py import_data` on the server, which has no time limit.
IMPORT_UPLOAD_MAX_BYTES = env_int("IMPORT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Where checked uploads wait for the administrator's confirmation; share it between app servers.
IMPORT_UPLOAD_DIR = os.environ.get("IMPORT_UPLOAD_DIR", "")
# How long they wait: after that they are refused and deleted (they hold personal data).
IMPORT_UPLOAD_TTL_MINUTES = env_int("IMPORT_UPLOAD_TTL_MINUTES", 60)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FILTERS_EMPTY_CHOICE_LABEL = "Any"  # a filter left empty means any value (django-filter would show "---------")
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

AUDITLOG_INCLUDE_ALL_MODELS = False

# Report figures: small-number suppression thresholds (METRICS.md, "Small numbers").
REPORT_SUPPRESS_COUNT_BELOW = env_int("REPORT_SUPPRESS_COUNT_BELOW", 5)
REPORT_SUPPRESS_BASE_BELOW = env_int("REPORT_SUPPRESS_BASE_BELOW", 10)
# Retention: clients are anonymised this many years after their last case closed.
RETENTION_YEARS = env_int("RETENTION_YEARS", 6)

# Security headers. Scripts only from our own origin: no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # Only a load test on the loopback interface (plain HTTP) turns these off.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
