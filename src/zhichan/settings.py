"""Settings, read from environment variables only.

Demo defaults are safe on one machine; with ZHICHAN_ENV=production every
insecure default is refused at start-up with the name of the setting.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
ENV = os.environ.get("ZHICHAN_ENV", "demo").strip().lower()
PRODUCTION = ENV == "production"
DATA_DIR = Path(os.environ.get("ZHICHAN_DATA_DIR", Path.cwd() / "var")).resolve()

_INSECURE_KEY = "zhichan-demo-only-insecure-key"  # noqa: S105 - refused in production


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


SECRET_KEY = os.environ.get("ZHICHAN_SECRET_KEY", _INSECURE_KEY)
DEBUG = _bool("ZHICHAN_DEBUG", False)
ALLOWED_HOSTS = _list("ZHICHAN_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _list("ZHICHAN_CSRF_TRUSTED_ORIGINS", "")

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'zhichan.sqlite3'}",
        conn_max_age=int(os.environ.get("ZHICHAN_DB_CONN_MAX_AGE", "60")),
        # A kept connection is tested before a request (or task) first uses it: after a database
        # restart the first request of each thread would fail otherwise (benchmarks/load.py).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE avoids lock upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Web worker processes (the shipped deploy/gunicorn.conf.py reads the same variables).
ZHICHAN_WEB_WORKERS = int(os.environ.get("ZHICHAN_WEB_WORKERS") or os.environ.get("WEB_CONCURRENCY") or "3")
REDIS_URL = os.environ.get("REDIS_URL", "")

# Where uploaded and generated files live (docs/deployment.md, "Files on a shared store"): local
# folders (on a shared mount when there are several application servers) or an S3-compatible
# bucket. Credentials for the bucket come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
ZHICHAN_FILE_STORE = os.environ.get("ZHICHAN_FILE_STORE", "local").strip().lower()
ZHICHAN_S3_BUCKET = os.environ.get("ZHICHAN_S3_BUCKET", "").strip()
ZHICHAN_S3_ENDPOINT_URL = os.environ.get("ZHICHAN_S3_ENDPOINT_URL", "").strip()
ZHICHAN_S3_REGION = os.environ.get("ZHICHAN_S3_REGION", "").strip()
ZHICHAN_S3_PREFIX = os.environ.get("ZHICHAN_S3_PREFIX", "").strip().strip("/")
# "path" for servers without per-bucket host names (MinIO, Ceph); empty: boto3 decides.
ZHICHAN_S3_ADDRESSING_STYLE = os.environ.get("ZHICHAN_S3_ADDRESSING_STYLE", "").strip().lower()
if ZHICHAN_FILE_STORE not in ("local", "s3"):
    raise ImproperlyConfigured("ZHICHAN_FILE_STORE must be local or s3")
if ZHICHAN_S3_ADDRESSING_STYLE not in ("", "auto", "path", "virtual"):
    raise ImproperlyConfigured("ZHICHAN_S3_ADDRESSING_STYLE must be path, virtual or auto")

if PRODUCTION:
    problems = []
    if SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 40:
        problems.append("ZHICHAN_SECRET_KEY must be set to a random value of 40+ characters")
    if DEBUG:
        problems.append("ZHICHAN_DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("ZHICHAN_ALLOWED_HOSTS must list the site's host names")
    if "*" in ALLOWED_HOSTS:
        problems.append("ZHICHAN_ALLOWED_HOSTS must name the hosts, not '*'")
    if not os.environ.get("DATABASE_URL"):
        problems.append("DATABASE_URL must point at the production database")
    elif DATABASES["default"]["ENGINE"].endswith("sqlite3") and ZHICHAN_WEB_WORKERS > 1:
        problems.append(
            "DATABASE_URL is SQLite, which several web workers cannot share: use PostgreSQL "
            f"or set ZHICHAN_WEB_WORKERS=1 (it is {ZHICHAN_WEB_WORKERS})"
        )
    if not REDIS_URL:
        problems.append("REDIS_URL must point at Redis: every process shares the cache and the task queue")
    if [o for o in CSRF_TRUSTED_ORIGINS if not o.startswith("https://")]:
        problems.append("ZHICHAN_CSRF_TRUSTED_ORIGINS must list https:// origins only")
    if os.environ.get("ZHICHAN_METRICS_TOKEN") and len(os.environ["ZHICHAN_METRICS_TOKEN"]) < 32:
        problems.append("ZHICHAN_METRICS_TOKEN must be 32+ random characters (or unset)")
    if ZHICHAN_FILE_STORE == "s3" and not ZHICHAN_S3_BUCKET:
        problems.append("ZHICHAN_S3_BUCKET must name the bucket when ZHICHAN_FILE_STORE is s3")
    if problems:
        raise ImproperlyConfigured("Insecure production configuration: " + "; ".join(problems))
elif ZHICHAN_FILE_STORE == "s3" and not ZHICHAN_S3_BUCKET:
    raise ImproperlyConfigured("ZHICHAN_S3_BUCKET must name the bucket when ZHICHAN_FILE_STORE is s3")

# Behind nginx (deploy/nginx-zhichan.conf), which sets X-Forwarded-Proto: request.is_secure()
# then tells HTTPS from HTTP. Only right when the proxy sets the header on every request;
# USE_X_FORWARDED_HOST stays off (nginx passes the original Host header itself).
if _bool("ZHICHAN_BEHIND_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# /metrics (core/metrics.py): who may read it.
ZHICHAN_METRICS_ALLOWED = _list("ZHICHAN_METRICS_ALLOWED", "127.0.0.1,::1")
ZHICHAN_METRICS_TOKEN = os.environ.get("ZHICHAN_METRICS_TOKEN", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs' Swagger UI itself, not from a CDN
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "zhichan.core",
    "zhichan.accounts",
    "zhichan.regions",
    "zhichan.catalog",
    "zhichan.agencies",
    "zhichan.knowledge",
    "zhichan.portal",
    "zhichan.fairs",
    "zhichan.cases",
    "zhichan.notices",
    "zhichan.enterprises",
    "zhichan.ipdata",
    "zhichan.watch",
    "zhichan.custody",
    "zhichan.screening",
    "zhichan.diagnosis",
    "zhichan.finance",
    "zhichan.providers",
    "zhichan.training",
    "zhichan.surveys",
    "zhichan.practices",
    "zhichan.evaluation",
]

MIDDLEWARE = [
    "zhichan.core.requestlog.RequestLogMiddleware",  # request id, access log, request metrics
    "zhichan.core.metrics.MetricsMiddleware",  # /metrics, answered before host checks (metrics.py)
    "zhichan.core.health.HealthCheckMiddleware",  # /healthz, answered before host checks (health.py)
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (security section below)
    "zhichan.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "zhichan.core.middleware.StripNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhichan.accounts.sessions.StaffSessionMiddleware",  # idle and absolute expiry of staff sessions
    "zhichan.accounts.twofactor.SecondFactorMiddleware",  # staff with a second factor give it first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhichan.urls"
WSGI_APPLICATION = "zhichan.wsgi.application"

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
                "zhichan.portal.context.site",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password policy: not like the account's name or e-mail, not a common password, not all digits,
# at least ZHICHAN_PASSWORD_MIN_LENGTH characters, and ZHICHAN_STAFF_PASSWORD_MIN_LENGTH for staff.
ZHICHAN_PASSWORD_MIN_LENGTH = int(os.environ.get("ZHICHAN_PASSWORD_MIN_LENGTH", "10"))
ZHICHAN_STAFF_PASSWORD_MIN_LENGTH = int(os.environ.get("ZHICHAN_STAFF_PASSWORD_MIN_LENGTH", "12"))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email", "phone", "organisation")},
    },
    {
        "NAME": "zhichan.accounts.policy.MinimumLengthValidator",
        "OPTIONS": {"min_length": ZHICHAN_PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "zhichan.accounts.policy.StaffMinimumLengthValidator",
        "OPTIONS": {"min_length": ZHICHAN_STAFF_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sessions (zhichan.accounts.sessions): logged out after this long idle, and this long after
# logging in; public and enterprise users keep Django's session age.
ZHICHAN_STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("ZHICHAN_STAFF_SESSION_IDLE_MINUTES", "30"))
ZHICHAN_STAFF_SESSION_HOURS = float(os.environ.get("ZHICHAN_STAFF_SESSION_HOURS", "12"))
# Second factor (TOTP, django-otp; zhichan.accounts.twofactor): staff may enrol an authenticator
# app; once enrolled they give a code after the password. When required, staff without one are
# sent to enrol before they can use anything else.
ZHICHAN_STAFF_REQUIRE_2FA = _bool("ZHICHAN_STAFF_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("ZHICHAN_OTP_ISSUER", "zhichan")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Failed logins: lock a username+address pair after this many failures for this long.
AXES_FAILURE_LIMIT = int(os.environ.get("ZHICHAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ZHICHAN_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("ZHICHAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The site-wide assets (vendored Bootstrap, htmx, ECharts; site.css) belong to no app.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("ZHICHAN_STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("ZHICHAN_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    # The same store as the private areas (zhichan.core.files.file_store): they switch together.
    "default": {
        "BACKEND": "zhichan.core.s3.TrackedS3Storage"
        if ZHICHAN_FILE_STORE == "s3"
        else "zhichan.core.files.TrackedFileSystemStorage"
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _bool("ZHICHAN_MANIFEST_STATIC", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the app folders when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if WHITENOISE_USE_FINDERS:
    # Without collectstatic there is no STATIC_ROOT, which is expected here, not worth a warning.
    warnings.filterwarnings("ignore", message="No directory at: ")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security headers and cookies (docs/security.md). Cookies are Secure in production (the site is
# served over TLS there), never readable from scripts, and not sent on cross-site subrequests.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = PRODUCTION
# The pages put the CSRF token in forms and in htmx's headers; no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS only in production (a demo on http://127.0.0.1 must not pin browsers to https); a year by
# default. Redirecting http to https is Django's job unless nginx does it (ZHICHAN_SSL_REDIRECT=0).
SECURE_HSTS_SECONDS = int(os.environ.get("ZHICHAN_HSTS_SECONDS", "31536000")) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("ZHICHAN_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _bool("ZHICHAN_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = _bool("ZHICHAN_SSL_REDIRECT", PRODUCTION)
# (Behind nginx, request.is_secure() relies on SECURE_PROXY_SSL_HEADER: ZHICHAN_BEHIND_PROXY, above.)
# The health check is asked over plain http from the machine itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content-Security-Policy (django-csp): scripts and styles only from this site's files — no inline
# <script>, no on*= handlers, no style= attributes (tests/core/test_security_headers.py checks every
# page). Charts set their styles from script (CSSOM), which the policy allows.
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
    }
}
# Browser features the site never uses are switched off (zhichan.core.security adds the header).
ZHICHAN_PERMISSIONS_POLICY = os.environ.get(
    "ZHICHAN_PERMISSIONS_POLICY",
    "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
)

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The task queue: SQLite file storage by default, Redis when REDIS_URL is set.
HUEY = {
    "name": "zhichan",
    "immediate": _bool("ZHICHAN_TASKS_IMMEDIATE", False),
    "results": False,
    "consumer": {"workers": int(os.environ.get("ZHICHAN_WORKER_THREADS", "2")), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "tasks.sqlite3")})

if not REDIS_URL or DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded stores live here

# Outgoing mail: printed to the console in the demo; SMTP in production, where printing would put
# the mails' tracking links in the journal.
EMAIL_BACKEND = os.environ.get(
    "ZHICHAN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("ZHICHAN_FROM_EMAIL", "noreply@localhost")
EMAIL_HOST = os.environ.get("ZHICHAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ZHICHAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ZHICHAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ZHICHAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _bool("ZHICHAN_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = _bool("ZHICHAN_EMAIL_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("ZHICHAN_EMAIL_TIMEOUT", "20"))  # a stuck relay must not hold a worker
# Notifications: where links in e-mail/SMS point, the SMS gateway class, retries of failed sends.
ZHICHAN_SITE_URL = os.environ.get("ZHICHAN_SITE_URL", "http://127.0.0.1:8000")
ZHICHAN_SMS_GATEWAY = os.environ.get("ZHICHAN_SMS_GATEWAY", "zhichan.notices.sms.LoggingSmsGateway")
ZHICHAN_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("ZHICHAN_DELIVERY_MAX_ATTEMPTS", "5"))
ZHICHAN_DELIVERY_RETRY_SECONDS = int(os.environ.get("ZHICHAN_DELIVERY_RETRY_SECONDS", "60"))
# A delivery still pending after this lost its task (notices/services.py: orphan_pending) …
ZHICHAN_DELIVERY_PENDING_SECONDS = int(os.environ.get("ZHICHAN_DELIVERY_PENDING_SECONDS", "120"))
# … and one "sending" this long was left by a worker that died (stale_sending).
ZHICHAN_DELIVERY_STALE_SECONDS = int(os.environ.get("ZHICHAN_DELIVERY_STALE_SECONDS", "600"))
# Uploads: accepted kinds (detected from the content) and the size limit.
ZHICHAN_UPLOAD_TYPES = _list("ZHICHAN_UPLOAD_TYPES", "pdf,png,jpeg,gif,webp,docx,xlsx,doc,xls,txt,ofd")
ZHICHAN_UPLOAD_MAX_MB = float(os.environ.get("ZHICHAN_UPLOAD_MAX_MB", "20"))
# Patent and trademark files uploaded for import (CSV, XLSX or XML): their own, larger limit.
ZHICHAN_IMPORT_MAX_MB = float(os.environ.get("ZHICHAN_IMPORT_MAX_MB", "500"))
# A running import whose worker gave no sign of life for this long is marked failed (it can be
# run again, resuming after its last saved batch); an ended job's uploaded file is kept this long.
ZHICHAN_IMPORT_STALE_MINUTES = int(os.environ.get("ZHICHAN_IMPORT_STALE_MINUTES", "10"))
ZHICHAN_IMPORT_KEEP_DAYS = int(os.environ.get("ZHICHAN_IMPORT_KEEP_DAYS", "30"))

# What the public sees as the site's name; each city sets its own.
ZHICHAN_BRAND = os.environ.get("ZHICHAN_BRAND", "")
# The region code of the city this deployment serves (its regions file sets it too).
ZHICHAN_CITY_CODE = os.environ.get("ZHICHAN_CITY_CODE", "")
# How far (km) outside the city's boundary box an outlet's coordinates may lie.
ZHICHAN_COORD_MARGIN_KM = float(os.environ.get("ZHICHAN_COORD_MARGIN_KM", "15"))

# Cases (requests, complaints, applications): numbers, time limits and timers; see docs/cases.md.
ZHICHAN_CASE_PREFIX = os.environ.get("ZHICHAN_CASE_PREFIX", "ZC")
# Working days to handle each case type; service applications use their guide's limit.
ZHICHAN_CASE_TIME_LIMITS = {
    "consultation": int(os.environ.get("ZHICHAN_LIMIT_CONSULTATION", "5")),
    "complaint": int(os.environ.get("ZHICHAN_LIMIT_COMPLAINT", "5")),
    "report": int(os.environ.get("ZHICHAN_LIMIT_REPORT", "5")),
    "assistance": int(os.environ.get("ZHICHAN_LIMIT_ASSISTANCE", "15")),
    "mediation": int(os.environ.get("ZHICHAN_LIMIT_MEDIATION", "15")),
    "service_application": int(os.environ.get("ZHICHAN_LIMIT_SERVICE_APPLICATION", "10")),
    "fair_complaint": int(os.environ.get("ZHICHAN_LIMIT_FAIR_COMPLAINT", "5")),
}
ZHICHAN_SUPPLEMENT_DAYS = int(os.environ.get("ZHICHAN_SUPPLEMENT_DAYS", "7"))
ZHICHAN_REFER_WITHIN_DAYS = int(os.environ.get("ZHICHAN_REFER_WITHIN_DAYS", "2"))
ZHICHAN_REOPEN_DAYS = int(os.environ.get("ZHICHAN_REOPEN_DAYS", "15"))
ZHICHAN_MAX_REOPENS = int(os.environ.get("ZHICHAN_MAX_REOPENS", "1"))
ZHICHAN_WARN_BEFORE_DAYS = int(os.environ.get("ZHICHAN_WARN_BEFORE_DAYS", "1"))
ZHICHAN_FAIR_ACCEPT_HOURS = int(os.environ.get("ZHICHAN_FAIR_ACCEPT_HOURS", "2"))
ZHICHAN_FAIR_DECIDE_HOURS = int(os.environ.get("ZHICHAN_FAIR_DECIDE_HOURS", "24"))
ZHICHAN_FAIR_WARN_HOURS = int(os.environ.get("ZHICHAN_FAIR_WARN_HOURS", "1"))
# Training: how many minutes before an event starts its check-in opens (it closes at the end).
ZHICHAN_TRAINING_CHECKIN_MINUTES = int(os.environ.get("ZHICHAN_TRAINING_CHECKIN_MINUTES", "60"))
# Satisfaction surveys (docs/surveys.md): the longest free-text answer; how long the browser
# cookie that stops a second answer lasts; the secret of the answer keys (default: SECRET_KEY).
ZHICHAN_SURVEY_TEXT_MAX = int(os.environ.get("ZHICHAN_SURVEY_TEXT_MAX", "2000"))
ZHICHAN_SURVEY_COOKIE_DAYS = int(os.environ.get("ZHICHAN_SURVEY_COOKIE_DAYS", "400"))
ZHICHAN_SURVEY_KEY = os.environ.get("ZHICHAN_SURVEY_KEY", "")
# Good practice (docs/practices.md): images and attachments per practice.
ZHICHAN_PRACTICE_MAX_FILES = int(os.environ.get("ZHICHAN_PRACTICE_MAX_FILES", "6"))
# The agency (id) that owns a case no routing rule matches; else the first operating city centre.
ZHICHAN_FALLBACK_AGENCY = os.environ.get("ZHICHAN_FALLBACK_AGENCY", "")
# Outside providers: the highest price (yuan) of a "low-cost" offer (docs/providers.md).
ZHICHAN_PROVIDER_LOW_COST_MAX = os.environ.get("ZHICHAN_PROVIDER_LOW_COST_MAX", "500")
ZHICHAN_TRACKING_GUESS_LIMIT = int(os.environ.get("ZHICHAN_TRACKING_GUESS_LIMIT", "20"))
# Password-reset e-mails one address (and one client) may ask for per hour.
ZHICHAN_PASSWORD_RESET_LIMIT = int(os.environ.get("ZHICHAN_PASSWORD_RESET_LIMIT", "5"))
ZHICHAN_CASE_TIMER_MINUTES = int(os.environ.get("ZHICHAN_CASE_TIMER_MINUTES", "10"))
# Case attachments live here, outside the web root; only the case's readers download them.
ZHICHAN_CASE_FILES_ROOT = Path(os.environ.get("ZHICHAN_CASE_FILES_ROOT", DATA_DIR / "case-files"))

# Patent search: "tantivy" (an embedded index in ZHICHAN_SEARCH_DIR) or "postgres" (a table in the
# PostgreSQL database, for several application servers); see docs/search.md.
ZHICHAN_SEARCH_BACKEND = os.environ.get("ZHICHAN_SEARCH_BACKEND", "tantivy").strip().lower()
ZHICHAN_SEARCH_DIR = Path(os.environ.get("ZHICHAN_SEARCH_DIR", DATA_DIR / "search"))
# Rows in an XLSX export of a search result (the search pages reach result 10,000 at most).
ZHICHAN_SEARCH_EXPORT_MAX = int(os.environ.get("ZHICHAN_SEARCH_EXPORT_MAX", "10000"))
if ZHICHAN_SEARCH_BACKEND not in ("tantivy", "postgres"):
    raise ImproperlyConfigured("ZHICHAN_SEARCH_BACKEND must be tantivy or postgres")
if ZHICHAN_SEARCH_BACKEND == "postgres" and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    raise ImproperlyConfigured("ZHICHAN_SEARCH_BACKEND=postgres needs DATABASE_URL to be PostgreSQL")

# Trademark screening: the candidate index directory, the weights file (default: the shipped
# data/weights.yaml), how many candidates are scored exactly, and how long a cancelled,
# invalidated or expired mark still bars similar ones (商标法 第五十条: one year).
ZHICHAN_SCREENING_DIR = Path(os.environ.get("ZHICHAN_SCREENING_DIR", DATA_DIR / "screening"))
ZHICHAN_SCREENING_WEIGHTS = os.environ.get(
    "ZHICHAN_SCREENING_WEIGHTS", str(BASE_DIR / "screening" / "data" / "weights.yaml")
)
ZHICHAN_SCREENING_CANDIDATES = int(os.environ.get("ZHICHAN_SCREENING_CANDIDATES", "500"))
# An import rewrites only the marks changed since the last full build, up to this share of it.
ZHICHAN_SCREENING_DELTA_SHARE = float(os.environ.get("ZHICHAN_SCREENING_DELTA_SHARE", "0.2"))
ZHICHAN_SCREENING_LAPSED_DAYS = int(os.environ.get("ZHICHAN_SCREENING_LAPSED_DAYS", "365"))
# Each application server keeps its own screening index: how often (seconds) a server process
# looks whether marks changed since and brings the index up to date (0: never; imports update it
# on the worker's machine only).
ZHICHAN_SCREENING_REFRESH_SECONDS = int(os.environ.get("ZHICHAN_SCREENING_REFRESH_SECONDS", "60"))
# Risk diagnosis: a registered trademark is flagged for renewal this many months before it
# expires, and until the grace period after expiry ends (商标法 第四十条: 12 and 6 months).
ZHICHAN_DIAGNOSIS_RENEWAL_MONTHS = int(os.environ.get("ZHICHAN_DIAGNOSIS_RENEWAL_MONTHS", "12"))
ZHICHAN_DIAGNOSIS_RENEWAL_GRACE_MONTHS = int(os.environ.get("ZHICHAN_DIAGNOSIS_RENEWAL_GRACE_MONTHS", "6"))

# Patent navigation reports: a running report that has not moved for this long is taken as lost;
# the CJK font for their charts and PDF ("" finds one on the machine, "none" uses none).
ZHICHAN_REPORT_STALE_MINUTES = int(os.environ.get("ZHICHAN_REPORT_STALE_MINUTES", "30"))
ZHICHAN_REPORT_FONT = os.environ.get("ZHICHAN_REPORT_FONT", "")

# Legal deadlines of patents and trademarks (watch/deadlines.py, docs/custody.md): statutory defaults.
ZHICHAN_PATENT_TERM_YEARS = {  # 专利法 第四十二条
    "invention": int(os.environ.get("ZHICHAN_INVENTION_TERM_YEARS", "20")),
    "utility": int(os.environ.get("ZHICHAN_UTILITY_TERM_YEARS", "10")),
    "design": int(os.environ.get("ZHICHAN_DESIGN_TERM_YEARS", "15")),
}
# Designs filed before this day keep the earlier 10-year term (专利法 2020 in force 2021-06-01).
ZHICHAN_DESIGN_15Y_FROM = os.environ.get("ZHICHAN_DESIGN_15Y_FROM", "2021-06-01")
ZHICHAN_DESIGN_TERM_YEARS_BEFORE = int(os.environ.get("ZHICHAN_DESIGN_TERM_YEARS_BEFORE", "10"))
# Annual fees: grace months (实施细则 第一百一十五条); the surcharge rule is in the fees file.
ZHICHAN_PATENT_FEE_GRACE_MONTHS = int(os.environ.get("ZHICHAN_PATENT_FEE_GRACE_MONTHS", "6"))
# Official fee amounts and the late-payment surcharge (watch/fees.py); a city may supply its own file.
ZHICHAN_FEES_FILE = os.environ.get("ZHICHAN_FEES_FILE", str(BASE_DIR / "watch" / "data" / "fees.yaml"))
ZHICHAN_TM_TERM_YEARS = int(os.environ.get("ZHICHAN_TM_TERM_YEARS", "10"))  # 商标法 第三十九条
ZHICHAN_TM_RENEWAL_WINDOW_MONTHS = int(os.environ.get("ZHICHAN_TM_RENEWAL_WINDOW_MONTHS", "12"))  # 第四十条
ZHICHAN_TM_GRACE_MONTHS = int(os.environ.get("ZHICHAN_TM_GRACE_MONTHS", "6"))  # 第四十条
ZHICHAN_TM_OPPOSITION_MONTHS = int(os.environ.get("ZHICHAN_TM_OPPOSITION_MONTHS", "3"))  # 第三十三条
ZHICHAN_TM_NONUSE_YEARS = int(os.environ.get("ZHICHAN_TM_NONUSE_YEARS", "3"))  # 第四十九条
# How far ahead record and portfolio pages list deadlines.
ZHICHAN_DEADLINE_HORIZON_DAYS = int(os.environ.get("ZHICHAN_DEADLINE_HORIZON_DAYS", "365"))
# Custody (托管): days before a deadline that reminders go out, and the years an iCalendar feed covers.
ZHICHAN_CUSTODY_REMIND_DAYS = sorted(
    {int(x) for x in os.environ.get("ZHICHAN_CUSTODY_REMIND_DAYS", "90,30,7").split(",") if x.strip()},
    reverse=True,
)
# Reminders of a fee or renewal in its grace period: on entering it, and this many days before its end.
ZHICHAN_CUSTODY_GRACE_REMIND_DAYS = max(int(os.environ.get("ZHICHAN_CUSTODY_GRACE_REMIND_DAYS", "30")), 0)
ZHICHAN_CUSTODY_FEED_YEARS = int(os.environ.get("ZHICHAN_CUSTODY_FEED_YEARS", "3"))
# Evidence files of custody actions, outside the web root; only the custody's readers download them.
ZHICHAN_CUSTODY_FILES_ROOT = Path(os.environ.get("ZHICHAN_CUSTODY_FILES_ROOT", DATA_DIR / "custody-files"))
# Finance: the catalogue item an enterprise's valuation application is filed under, and the
# longest economic life the valuation calculator accepts.
ZHICHAN_FINANCE_VALUATION_ITEM = os.environ.get("ZHICHAN_FINANCE_VALUATION_ITEM", "VALUATION")
ZHICHAN_FINANCE_MAX_LIFE_YEARS = int(os.environ.get("ZHICHAN_FINANCE_MAX_LIFE_YEARS", "20"))
# Watch lists: items per list, how far each alert scan looks back before the previous one (a
# record committed late is still seen; alerts are unique, so nothing is told twice), and the
# most alerts one watched field raises in one scan.
ZHICHAN_WATCH_MAX_ITEMS = int(os.environ.get("ZHICHAN_WATCH_MAX_ITEMS", "200"))
ZHICHAN_WATCH_SCAN_OVERLAP_MINUTES = int(os.environ.get("ZHICHAN_WATCH_SCAN_OVERLAP_MINUTES", "120"))
ZHICHAN_WATCH_MAX_ALERTS = int(os.environ.get("ZHICHAN_WATCH_MAX_ALERTS", "200"))
# Evaluation counts: how often the worker adds new facts to the daily counts, and how old a
# source row must be before it is counted (a transaction that wrote a row with a lower id may
# still be open; the lag gives it time to commit before the cursor moves past it).
ZHICHAN_COUNTS_EVERY_MINUTES = int(os.environ.get("ZHICHAN_COUNTS_EVERY_MINUTES", "10"))
ZHICHAN_COUNTS_LAG_SECONDS = int(os.environ.get("ZHICHAN_COUNTS_LAG_SECONDS", "120"))

# Evaluation: the most evidence files attached to one hand-entered indicator value, and the
# records per page of a scorecard figure's drill-down.
ZHICHAN_EVALUATION_EVIDENCE_FILES = int(os.environ.get("ZHICHAN_EVALUATION_EVIDENCE_FILES", "5"))
ZHICHAN_EVALUATION_DRILLDOWN_PAGE = int(os.environ.get("ZHICHAN_EVALUATION_DRILLDOWN_PAGE", "50"))

# Evaluation: the metrics whose figures the public open-figures page and API show (city and
# county totals only, never records), how long those figures are cached, and the days a
# rectification notice gives an agency by default.
ZHICHAN_OPEN_METRICS = _list(
    "ZHICHAN_OPEN_METRICS",
    "cases_received,cases_closed,satisfaction_rate,coverage_rate,outlets_operating,functions_covered,on_time_rate",
)
ZHICHAN_OPEN_FIGURES_CACHE_SECONDS = int(os.environ.get("ZHICHAN_OPEN_FIGURES_CACHE_SECONDS", "300"))
ZHICHAN_RECTIFICATION_DAYS = int(os.environ.get("ZHICHAN_RECTIFICATION_DAYS", "30"))

# Logs go to standard error (journald under systemd): one JSON object a line in production,
# readable lines otherwise (ZHICHAN_LOG_FORMAT=json|text). Every record carries the request id
# (core/requestlog.py); request bodies, query strings and names are never logged.
ZHICHAN_LOG_FORMAT = os.environ.get("ZHICHAN_LOG_FORMAT", "json" if PRODUCTION else "text").strip().lower()
if ZHICHAN_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("ZHICHAN_LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "zhichan.core.requestlog.RequestIdFilter"},
        # A safety net: phone- and ID-number-like digits in any message are masked (docs/privacy.md).
        "personal_data": {"()": "zhichan.core.privacy.PersonalDataFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "personal_data"],
            "formatter": ZHICHAN_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ZHICHAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # the worker's consumer adds a plain handler of its own unless this logger has one
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Django's own "Not Found: /path" lines repeat what the access log says.
        "django.request": {"level": "ERROR"},
    },
}
