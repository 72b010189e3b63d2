"""The one settings file, driven by the environment (see docs/deployment.md).

With no environment at all it runs the embedded configuration: SQLite under ``var/``, an
in-process cache and development keys derived from a generated secret. ``DEBUG=0`` switches
to production rules, which refuse to start without the secrets they need.
"""

import base64
import hashlib
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from yiwang.envconf import env_bool, env_int, env_list, env_str
from yiwang.lib.clearance import parse_cutoff
from yiwang.lib.crypto import KeyRing

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("YIWANG_VAR_DIR", str(BASE_DIR / "var")))
DEBUG = env_bool("DEBUG", True)


def _embedded_secret() -> str:
    """A per-checkout secret kept in var/, so a developer's sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "") or _embedded_secret()
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("SECRET_KEY must be at least 40 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name this site's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "yiwang.accounts",
    "yiwang.orgs",
    "yiwang.taxonomy",
    "yiwang.intake",
    "yiwang.channels",
    "yiwang.casework",
    "yiwang.documents",
    "yiwang.staff",
    "yiwang.jobs",
    "yiwang.notify",
    "yiwang.search",
    "yiwang.dedupe",
    "yiwang.insights",
    "yiwang.classifier",
    "yiwang.open311",
    "yiwang.publishing",
    "yiwang.catalogue",
    "yiwang.applications",
    "yiwang.payments",
    "yiwang.fines",
    "yiwang.disclosure",
    "yiwang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "yiwang.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"
ASGI_APPLICATION = "yiwang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "yiwang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "yiwang.notify.context.unread_notices",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "yiwang.sqlite3"),
            "OPTIONS": {
                # WAL lets readers work beside the one writer; IMMEDIATE takes the write lock at
                # BEGIN so two writers queue on busy_timeout instead of failing with "locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
if not DEBUG and not DATABASE_URL and not env_bool("YIWANG_ALLOW_SQLITE_IN_PRODUCTION", False):
    raise ImproperlyConfigured(
        "Production needs DATABASE_URL (PostgreSQL); set YIWANG_ALLOW_SQLITE_IN_PRODUCTION=1 "
        "to run a single-machine site on SQLite on purpose."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits need shared atomic increments; see docs/decisions/0003) -------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "yiwang.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "yiwang"),
        }
    }
    # django-ratelimit lists only django-redis by name; Django's own Redis cache (which ours
    # extends) increments with Redis INCR, which is atomic and shared.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    if not DEBUG and not env_bool("YIWANG_SINGLE_PROCESS", False):
        raise ImproperlyConfigured(
            "Production needs REDIS_URL: rate limits must be shared by every server process. "
            "Set YIWANG_SINGLE_PROCESS=1 only when exactly one process serves the site."
        )
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process serves the embedded site, so its in-process counters are shared and atomic.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "default"

# --- Tasks ------------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("YIWANG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
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
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/messages/"

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "yiwang" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and private files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The site-wide stylesheet lives in the project package, which is not an app.
STATICFILES_DIRS = [BASE_DIR / "yiwang" / "static"]
# Attachments live outside any public URL and are served only by permission-checked views.
PRIVATE_STORAGE_DIR = Path(env_str("YIWANG_PRIVATE_DIR", str(VAR_DIR / "private")))
STORAGES = {
    "default": {
        "BACKEND": "yiwang.storage.PrivateStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_DIR, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Without collectstatic (the embedded site), WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10


# --- Personal data keys (see docs/personal-data.md) ---------------------------------------
def _derived_dev_key(purpose: str) -> str:
    return hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).hexdigest()


if DEBUG:
    # A key ring spec "id:urlsafe-base64(32 bytes)[,older...]"; the first key encrypts.
    YIWANG_PII_KEYS = env_str("YIWANG_PII_KEYS", "") or "dev:" + base64.urlsafe_b64encode(
        hashlib.sha256(f"pii:{SECRET_KEY}".encode()).digest()
    ).decode("ascii")
    YIWANG_HASH_KEY = env_str("YIWANG_HASH_KEY", "") or _derived_dev_key("hash")
else:
    YIWANG_PII_KEYS = env_str("YIWANG_PII_KEYS")
    YIWANG_HASH_KEY = env_str("YIWANG_HASH_KEY")
YIWANG_QUERY_CODE_KEY = env_str("YIWANG_QUERY_CODE_KEY", "") or _derived_dev_key("query-code")
# Signs the service halls' QR codes (yiwang/channels/references.py, decision 0021). Its own key,
# so that rotating SECRET_KEY does not void every poster on the walls; changing this one does.
YIWANG_HALL_REFERENCE_KEY = env_str("YIWANG_HALL_REFERENCE_KEY", "") or _derived_dev_key(
    "hall-reference"
)
for _name in ("YIWANG_HASH_KEY", "YIWANG_QUERY_CODE_KEY", "YIWANG_HALL_REFERENCE_KEY"):
    if len(globals()[_name]) < 32:
        raise ImproperlyConfigured(f"{_name} must be at least 32 characters.")
try:
    KeyRing.from_spec(YIWANG_PII_KEYS)
except ValueError as _exc:
    raise ImproperlyConfigured(f"YIWANG_PII_KEYS: {_exc}") from _exc

# --- Online applications (办件) ---------------------------------------------------------------
# Application numbers: this prefix + local date + the day's sequence (BJ20261129000001).
YIWANG_APPLICATION_PREFIX = env_str("YIWANG_APPLICATION_PREFIX", "BJ")
# Working days a department has to follow up a bad rating (差评整改).
YIWANG_FOLLOW_UP_DAYS = env_int("YIWANG_FOLLOW_UP_DAYS", 15, minimum=1)

# --- Message intake ---------------------------------------------------------------------------
YIWANG_TRACKING_PREFIX = env_str("YIWANG_TRACKING_PREFIX", "YW")
# Same-day clearance: messages arriving at or after this local time ("HH:MM") count towards
# the next day (empty: midnight, the rule 日清日结 as written).
YIWANG_CLEARANCE_CUTOFF = env_str("YIWANG_CLEARANCE_CUTOFF", "")
try:
    parse_cutoff(YIWANG_CLEARANCE_CUTOFF)
except ValueError as _exc:
    raise ImproperlyConfigured(f"YIWANG_CLEARANCE_CUTOFF: {_exc}") from _exc
# Working days a department has to reply: a default, a category may set its own, and a
# nature may override both (consultations are quicker to answer).
# A department "responds" when it signs for a forwarded case within this many hours (响应率).
YIWANG_RESPONSE_HOURS = env_int("YIWANG_RESPONSE_HOURS", 24, minimum=1)
YIWANG_DEADLINE_DAYS = env_int("YIWANG_DEADLINE_DAYS", 5, minimum=1)
YIWANG_DEADLINE_DAYS_BY_NATURE = {"consult": env_int("YIWANG_DEADLINE_DAYS_CONSULT", 3, minimum=1)}
# Tracking numbers each process reserves at a time (see yiwang/intake/numbers.py).
YIWANG_TRACKING_BLOCK = env_int("YIWANG_TRACKING_BLOCK", 20, minimum=1)
# Addresses exempt from the per-IP limits: a load balancer's health checker or a benchmark
# client, never a public network. Per-mobile and duplicate protection still apply.
YIWANG_TRUSTED_CLIENT_IPS = env_list("YIWANG_TRUSTED_CLIENT_IPS", [])
# How many reverse proxies in front of the app append to X-Forwarded-For (0 = use REMOTE_ADDR).
YIWANG_PROXY_COUNT = env_int("YIWANG_PROXY_COUNT", 0)
YIWANG_RATE_SUBMIT_PER_IP = env_str("YIWANG_RATE_SUBMIT_PER_IP", "20/h")
YIWANG_RATE_SUBMIT_PER_MOBILE = env_str("YIWANG_RATE_SUBMIT_PER_MOBILE", "5/h")
YIWANG_RATE_TRACK_PER_IP = env_str("YIWANG_RATE_TRACK_PER_IP", "30/m")
YIWANG_RATE_TRACK_PER_NUMBER = env_str("YIWANG_RATE_TRACK_PER_NUMBER", "10/h")
# Public reads that need no API key (Open311 discovery and service lists), per IP.
YIWANG_RATE_OPEN_READ_PER_IP = env_str("YIWANG_RATE_OPEN_READ_PER_IP", "120/m")

# --- Open311 GeoReport v2 (yiwang/open311) ----------------------------------------------------
# The jurisdiction_id this server answers to; a request naming another gets 404.
YIWANG_OPEN311_JURISDICTION = env_str("YIWANG_OPEN311_JURISDICTION", "yiwang.local")
# Who clients may contact about the interface (discovery's <contact>).
YIWANG_OPEN311_CONTACT = env_str("YIWANG_OPEN311_CONTACT", "")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@yiwang.invalid")
# Text messages go through an adapter (yiwang/notify/sms.py): console, file, or the operator's.
YIWANG_SMS_BACKEND = env_str("YIWANG_SMS_BACKEND", "yiwang.notify.sms.ConsoleSmsBackend")
YIWANG_SMS_FILE = env_str("YIWANG_SMS_FILE", str(VAR_DIR / "sms.jsonl"))
# Replies to messages that came through a messaging gateway (yiwang.notify.sms, decision 0023).
YIWANG_GATEWAY_BACKEND = env_str(
    "YIWANG_GATEWAY_BACKEND", "yiwang.notify.sms.ConsoleGatewayBackend"
)
YIWANG_GATEWAY_FILE = env_str("YIWANG_GATEWAY_FILE", str(VAR_DIR / "gateway.jsonl"))
# Message imports (decision 0022): rows per file, and the size of a file uploaded on the page.
# Refused hall references (forged, revoked, expired QR codes) are kept this long (days).
YIWANG_KEEP_REFUSED_REFERENCES_DAYS = env_int("YIWANG_KEEP_REFUSED_REFERENCES_DAYS", 180, minimum=1)
YIWANG_IMPORT_MAX_ROWS = env_int("YIWANG_IMPORT_MAX_ROWS", 2_000_000, minimum=1)
YIWANG_IMPORT_MAX_UPLOAD_MB = env_int("YIWANG_IMPORT_MAX_UPLOAD_MB", 500, minimum=1)
# The public address of the site, for links in e-mails and text messages.
YIWANG_SITE_URL = env_str("YIWANG_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many times the outbox tries an e-mail or text message before giving up (see notify).
YIWANG_OUTBOX_ATTEMPTS = env_int("YIWANG_OUTBOX_ATTEMPTS", 5, minimum=1)
# The classifier retrains once this many new human decisions have accumulated (see learning).
YIWANG_CLASSIFIER_RETRAIN_AFTER = env_int("YIWANG_CLASSIFIER_RETRAIN_AFTER", 500, minimum=1)

# --- Payments (yiwang/payments/README.md) -----------------------------------------------------
# The providers a payer may choose, in the order offered: simulator, alipay, wechat (the
# simulator, which takes no money, only by default in development).
YIWANG_PAYMENT_PROVIDERS = env_list("YIWANG_PAYMENT_PROVIDERS", ["simulator"] if DEBUG else [])
# Minutes a payment may take before it expires (GOV.UK Pay: 90).
YIWANG_PAYMENT_EXPIRY_MINUTES = env_int("YIWANG_PAYMENT_EXPIRY_MINUTES", 90, minimum=1)
# The simulator signs its notifications with this key; it delays them by this many seconds
# and, with AUTOPAY, pays every charge as soon as it is created (for the benchmark).
YIWANG_SIMULATOR_KEY = env_str("YIWANG_SIMULATOR_KEY", "") or _derived_dev_key("simulator")
YIWANG_SIMULATOR_DELAY_SECONDS = env_int("YIWANG_SIMULATOR_DELAY_SECONDS", 0)
YIWANG_SIMULATOR_AUTOPAY = env_bool("YIWANG_SIMULATOR_AUTOPAY", False)
_UNKNOWN_PROVIDERS = set(YIWANG_PAYMENT_PROVIDERS) - {"simulator", "alipay", "wechat"}
if _UNKNOWN_PROVIDERS:
    raise ImproperlyConfigured(f"YIWANG_PAYMENT_PROVIDERS: unknown {sorted(_UNKNOWN_PROVIDERS)}")
# Alipay (open platform, RSA2) and WeChat Pay (API v3); keys as PEM text, or *_FILE paths.
YIWANG_ALIPAY = {
    "app_id": env_str("YIWANG_ALIPAY_APP_ID", ""),
    "private_key_pem": env_str("YIWANG_ALIPAY_PRIVATE_KEY", ""),
    "alipay_public_key_pem": env_str("YIWANG_ALIPAY_PUBLIC_KEY", ""),
    "gateway_url": env_str("YIWANG_ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do"),
    "seller_id": env_str("YIWANG_ALIPAY_SELLER_ID", ""),
}
YIWANG_WECHAT = {
    "mchid": env_str("YIWANG_WECHAT_MCHID", ""),
    "appid": env_str("YIWANG_WECHAT_APPID", ""),
    "api_v3_key": env_str("YIWANG_WECHAT_API_V3_KEY", ""),
    "merchant_private_key_pem": env_str("YIWANG_WECHAT_PRIVATE_KEY", ""),
    "merchant_serial_no": env_str("YIWANG_WECHAT_SERIAL_NO", ""),
    "platform_public_key_pem": env_str("YIWANG_WECHAT_PLATFORM_PUBLIC_KEY", ""),
    "platform_serial_no": env_str("YIWANG_WECHAT_PLATFORM_SERIAL_NO", ""),
    "base_url": env_str("YIWANG_WECHAT_BASE_URL", "https://api.mch.weixin.qq.com"),
}
for _provider, _config in (("alipay", YIWANG_ALIPAY), ("wechat", YIWANG_WECHAT)):
    _missing = [key for key, value in _config.items() if not value and key != "seller_id"]
    if _provider in YIWANG_PAYMENT_PROVIDERS and _missing:
        raise ImproperlyConfigured(f"Payment provider {_provider} needs: {', '.join(_missing)}")
if (
    "simulator" in YIWANG_PAYMENT_PROVIDERS
    and not DEBUG
    and not env_bool("YIWANG_SIMULATOR_IN_PRODUCTION", False)
):
    raise ImproperlyConfigured(
        "The payment simulator takes no money: remove it from YIWANG_PAYMENT_PROVIDERS in "
        "production, or set YIWANG_SIMULATOR_IN_PRODUCTION=1 for a demonstration site."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No ID or phone number in the logs (issue 6): every handler masks them.
    "filters": {"mask_personal_data": {"()": "yiwang.logfilter.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # The development server's request lines (query strings can hold a searched phone).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # fontTools logs every glyph list it subsets at INFO: pages of text and slow posters.
        "fontTools": {"level": "WARNING"},
    },
}
