"""Django settings for doudi, read from the environment.

DOUDI_ENV selects development (the default), test or production. Outside
development the secret key and the field-encryption keys have no defaults.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from doudi.core.env import (
    EnvError,
    Environment,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)
from doudi.privacy.crypto import FieldKeyring, KeyConfigError, parse_key_spec

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent.parent

ENVIRONMENT = env_choice("DOUDI_ENV", Environment.DEVELOPMENT, Environment)
IS_PRODUCTION = ENVIRONMENT == Environment.PRODUCTION
DEBUG = env_bool("DOUDI_DEBUG", ENVIRONMENT == Environment.DEVELOPMENT)


def _default_data_dir() -> Path:
    # A source checkout keeps its data beside the code so that `make run` and
    # `doudi ...` from any folder use the same database.
    if (SOURCE_ROOT / "pyproject.toml").exists():
        return SOURCE_ROOT / "data"
    return Path.home() / ".local" / "share" / "doudi"


DATA_DIR = Path(env_str("DOUDI_DATA_DIR", str(_default_data_dir()))).resolve()

# Development-only secrets. They are public, so production refuses to start
# without real ones.
_DEV_SECRET_KEY = "doudi-development-only-not-secret"  # noqa: S105
_DEV_FIELD_KEYS = "dev1:ZG91ZGktZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ="
_DEV_BLIND_INDEX_KEY = "ZG91ZGktZGV2LWJsaW5kLWluZGV4LWtleS1ub3Qtc2U="

_secrets_required = ENVIRONMENT != Environment.DEVELOPMENT
SECRET_KEY = env_str("DOUDI_SECRET_KEY", None if _secrets_required else _DEV_SECRET_KEY)
FIELD_ENCRYPTION_KEYS = env_str(
    "DOUDI_FIELD_KEYS", None if _secrets_required else _DEV_FIELD_KEYS
)
FIELD_ENCRYPTION_CURRENT_KEY = env_str(
    "DOUDI_FIELD_KEY_CURRENT",
    None if _secrets_required else FIELD_ENCRYPTION_KEYS.split(":", 1)[0],
)
BLIND_INDEX_KEY = env_str(
    "DOUDI_BLIND_INDEX_KEY", None if _secrets_required else _DEV_BLIND_INDEX_KEY
)
for _name, _value, _dev_value in (
    ("DOUDI_SECRET_KEY", SECRET_KEY, _DEV_SECRET_KEY),
    ("DOUDI_FIELD_KEYS", FIELD_ENCRYPTION_KEYS, _DEV_FIELD_KEYS),
    ("DOUDI_BLIND_INDEX_KEY", BLIND_INDEX_KEY, _DEV_BLIND_INDEX_KEY),
):
    if _secrets_required and _dev_value in _value:
        raise EnvError(
            f"{_name} contains the public development key: set a random one."
        )

if _secrets_required and len(SECRET_KEY) < 32:
    raise EnvError("DOUDI_SECRET_KEY has under 32 characters: set a long random one.")


def _check_field_keys() -> None:
    # Build the keyring once here, so that a malformed key stops start-up with
    # the variable's name instead of failing on the first encrypted value.
    try:
        blind_key = base64.b64decode(BLIND_INDEX_KEY, validate=True)
    except (binascii.Error, ValueError):
        raise EnvError(
            "DOUDI_BLIND_INDEX_KEY is not valid base64: "
            "set the base64 of 32 random bytes."
        ) from None
    try:
        FieldKeyring(
            parse_key_spec(FIELD_ENCRYPTION_KEYS),
            current_key_id=FIELD_ENCRYPTION_CURRENT_KEY,
            blind_index_key=blind_key,
        )
    except KeyConfigError as exc:
        raise EnvError(
            "DOUDI_FIELD_KEYS, DOUDI_FIELD_KEY_CURRENT or DOUDI_BLIND_INDEX_KEY "
            f"is invalid: {exc}"
        ) from None


_check_field_keys()

ALLOWED_HOSTS = env_list(
    "DOUDI_ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise EnvError("DOUDI_ALLOWED_HOSTS is not set: list the server's host names.")
CSRF_TRUSTED_ORIGINS = env_list("DOUDI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "ninja",
    "doudi.core",
    "doudi.privacy",
    "doudi.registry",
    "doudi.assessments",
    "doudi.policychanges",
    "doudi.exchange",
    "doudi.verification",
    "doudi.interop",
    "doudi.workdays",
    "doudi.cases",
    "doudi.payments",
    "doudi.services",
    "doudi.monitoring",
    "doudi.monitoring.duplicates",
    "doudi.notifications",
    "doudi.portal",
    "doudi.feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "doudi.core.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "doudi.interop.middleware.SingleQueryValuesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "doudi.privacy.middleware.RequireVerifiedStaffMiddleware",
]

ROOT_URLCONF = "doudi.urls"
WSGI_APPLICATION = "doudi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "doudi.privacy.context.staff_context",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL", "")
    if url:
        config: dict[str, object] = dict(
            dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
        )
        # Two test runs against one server must not share (and drop) one test
        # database; DOUDI_TEST_DATABASE_NAME gives each its own.
        test_name = env_str("DOUDI_TEST_DATABASE_NAME", "")
        if test_name:
            config["TEST"] = {"NAME": test_name}
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "doudi.sqlite3",
        # WAL lets readers work while one writer commits; IMMEDIATE takes the
        # write lock at BEGIN so concurrent writers wait instead of failing.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
        "TEST": {"NAME": env_str("DOUDI_TEST_SQLITE_NAME", "") or None},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "privacy.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "privacy:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "privacy:login"
OTP_TOTP_ISSUER = "doudi"
LOGIN_FAILURE_LIMIT = env_int("DOUDI_LOGIN_FAILURE_LIMIT", 5, minimum=1)
# Failures from one address, across all accounts, before the address locks.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int(
    "DOUDI_LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1
)
LOGIN_LOCKOUT_SECONDS = env_int("DOUDI_LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
# Largest document a caseworker may attach to a case.
CASE_DOCUMENT_MAX_BYTES = env_int(
    "DOUDI_CASE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1
)
# Notification providers (docs/notifications.md). Each is off, and writes to
# its outbox file under DATA_DIR/outbox/, until its address is set; none
# defaults to a real host.
NOTIFY_ALIYUN_SMS_URL = env_str("DOUDI_ALIYUN_SMS_URL", "")
NOTIFY_ALIYUN_ACCESS_KEY_ID = env_str("DOUDI_ALIYUN_ACCESS_KEY_ID", "")
NOTIFY_ALIYUN_ACCESS_KEY_SECRET = env_str("DOUDI_ALIYUN_ACCESS_KEY_SECRET", "")
NOTIFY_ALIYUN_SIGN_NAME = env_str("DOUDI_ALIYUN_SIGN_NAME", "")
NOTIFY_WECHAT_API_URL = env_str("DOUDI_WECHAT_API_URL", "")
NOTIFY_WECHAT_APP_ID = env_str("DOUDI_WECHAT_APP_ID", "")
NOTIFY_WECHAT_APP_SECRET = env_str("DOUDI_WECHAT_APP_SECRET", "")
NOTIFY_SMTP_HOST = env_str("DOUDI_SMTP_HOST", "")
NOTIFY_SMTP_PORT = env_int("DOUDI_SMTP_PORT", 25, minimum=1)
NOTIFY_SMTP_USER = env_str("DOUDI_SMTP_USER", "")
NOTIFY_SMTP_PASSWORD = env_str("DOUDI_SMTP_PASSWORD", "")
NOTIFY_SMTP_STARTTLS = env_bool("DOUDI_SMTP_STARTTLS", False)
NOTIFY_EMAIL_FROM = env_str("DOUDI_EMAIL_FROM", "doudi@localhost")
# Demo accounts may skip the second factor only in development, so that the
# demo can be opened without an authenticator app.
OTP_REQUIRED = env_bool("DOUDI_OTP_REQUIRED", ENVIRONMENT != Environment.DEVELOPMENT)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("DOUDI_SESSION_SECONDS", 8 * 3600, minimum=60)
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REDIS_URL = env_str("DOUDI_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
elif ENVIRONMENT == Environment.TEST:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # A file cache is shared by every process on the machine, which the login
    # throttle needs; locmem would give each server worker its own count.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

CELERY_BROKER_URL = REDIS_URL or None
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = env_int("DOUDI_TASK_TIME_LIMIT", 3600, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_TIMEZONE = TIME_ZONE
# The city whose policy parameters the engine applies (a file under
# src/doudi/policy/params/).
DOUDI_CITY = env_str("DOUDI_CITY", "Shanghai")
AUDIT_SEAL_INTERVAL_SECONDS = env_int("DOUDI_AUDIT_SEAL_SECONDS", 10, minimum=1)

LOG_FORMAT = env_str("DOUDI_LOG_FORMAT", "json" if IS_PRODUCTION else "text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "doudi.core.logging.RedactPersonalData"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DOUDI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
