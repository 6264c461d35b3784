"""Django settings. Everything configurable comes from the environment via hub.env."""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext

from hub import env
from hub.metrics.allow import parse_networks

# lets admin.ModelAdmin[Model] and friends be written with their type parameters
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()
SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.flag("SHOPCRIER_DEBUG")
ALLOWED_HOSTS = env.words("SHOPCRIER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

MQTT_BROKER = env.broker(DATA_DIR)
MQTT_BASE_TOPIC = env.base_topic()
# Where `fleet` commands keep the broker's generated passwd and acl files, and the
# broker to SIGHUP when they change (a pid or a pid file; unset: reload by hand).
BROKER_DIR = env.optional_path("SHOPCRIER_BROKER_DIR") or DATA_DIR / "broker"
BROKER_PID = env.text("SHOPCRIER_BROKER_PID", "")
# The broker URL written into enrolled nodes' TOML (no credentials: enroll adds them).
NODE_BROKER_URL = env.text("SHOPCRIER_NODE_BROKER_URL", "")
# Bearer token for the hub's JSON API (acknowledging messages); unset: the API refuses everyone.
API_TOKEN = env.text("SHOPCRIER_API_TOKEN", "")
# Where speakers reach this hub's web side: prompt sound URLs in announcements start with it.
PUBLIC_URL = env.public_url()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "hub",
    "hub.org",
    "hub.rules",
    "hub.intake",
    "hub.outbox",
    "hub.attention",
    "hub.fleet",
    "hub.monitor",
    "hub.notify",
    "hub.sounds",
    "dashboard",
    "hub.logins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dashboard.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hub.urls"
ASGI_APPLICATION = "hub.asgi.application"

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
                "dashboard.context.viewer",
            ],
        },
    },
]

DATABASES = {"default": env.database(DATA_DIR, web=env.serves_web())}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env.text("SHOPCRIER_LOG_LEVEL", "INFO").upper()},
}

# -- the dashboard (dashboard/): people, live feed, i18n, serving -------------
# The dashboard speaks Simplified Chinese unless a login chooses English
# (dashboard.middleware); LANGUAGE_CODE stays for the admin and commands.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
DASHBOARD_LANGUAGE = "zh-hans"
LOCALE_PATHS = [BASE_DIR / "dashboard" / "locale"]
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:feed"
# One web process: the in-memory layer; several: SHOPCRIER_REDIS_URL (channels-redis).
REDIS_URL = env.text("SHOPCRIER_REDIS_URL", "")
CHANNEL_LAYERS = env.channel_layers(REDIS_URL, env.text("SHOPCRIER_REDIS_PREFIX", "shopcrier"))
# The web process follows the hub's MQTT topics to hear of news (dashboard.bridge); off only in unit tests.
DASHBOARD_FOLLOW_MQTT = env.flag("SHOPCRIER_DASHBOARD_FOLLOW_MQTT", True)
# whitenoise serves static files from daphne itself (collectstatic fills STATIC_ROOT;
# without it, tests and DEBUG serve them from the apps' folders).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start about a missing one
WHITENOISE_AUTOREFRESH = DEBUG
# Behind TLS (SHOPCRIER_TLS=1, or the proxy's X-Forwarded-Proto): secure cookies and HSTS.
TLS = env.flag("SHOPCRIER_TLS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = TLS
SECURE_SSL_REDIRECT = TLS
SECURE_HSTS_SECONDS = 31536000 if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
SECURE_HSTS_PRELOAD = TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TLS else None
CSRF_TRUSTED_ORIGINS = env.words("SHOPCRIER_CSRF_TRUSTED_ORIGINS", "")

# Addresses or networks that may scrape /metrics without the API token (comma-separated; docs/config.md).
try:
    METRICS_ALLOW = parse_networks("SHOPCRIER_METRICS_ALLOW", env.words("SHOPCRIER_METRICS_ALLOW", ""))
except ValueError as _exc:
    raise env.EnvError(str(_exc)) from None
# -- statistics and retention (hub/stats) -------------------------------------
# Days are the shop's days: one zone for every report, so a department's numbers
# add up to the shop's. The hub's TIME_ZONE stays UTC for storage.
INSTALLED_APPS += ["hub.stats"]
STATS_TIME_ZONE = env.zone("SHOPCRIER_STATS_TIME_ZONE", "Asia/Shanghai")
STATS_DEFAULT_ACK_SECONDS = 600
STATS_RETENTION_DAYS = 90
QUARANTINE_RETENTION_DAYS = 90
# The daily/weekly summary to the people who switched it on (hub/stats/summary.py): at this hour of the shop's day.
_summary_hour = env.text("SHOPCRIER_STATS_SUMMARY_HOUR", "8")
if not _summary_hour.isdigit() or not 0 <= int(_summary_hour) <= 23:
    raise env.EnvError(f"SHOPCRIER_STATS_SUMMARY_HOUR={_summary_hour!r}: expected an hour of the day, 0 to 23")
STATS_SUMMARY_HOUR = int(_summary_hour)
# -- performance (docs/performance.md) -----------------------------------------
# Committed deliveries wake the publisher across processes (NOTIFY / a local socket); 0: poll only.
OUTBOX_WAKE = env.flag("SHOPCRIER_OUTBOX_WAKE", True)
# How often the publisher looks at the outbox when nothing woke it (the fallback poll).
OUTBOX_POLL_S = env.seconds("SHOPCRIER_OUTBOX_POLL", 0.2)
# A web process keeps the rules, routes and categories webhooks are recognised with this long
# (hub/intake/webhook_pipeline.py); other processes load them for every use.
WEBHOOK_CONFIG_TTL_S = env.seconds("SHOPCRIER_WEBHOOK_CONFIG_TTL", 1.0) if env.serves_web() else 0.0
# Several `run` processes on one broker and database: each its own name (its MQTT client id).
HUB_INSTANCE = env.text("SHOPCRIER_HUB_INSTANCE", "")
