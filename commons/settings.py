"""Commons Map settings: one file, driven by environment variables.

Every variable is documented in README.md ("Configuration"). The helpers below refuse values
they cannot understand, so a typo stops start-up with a message naming the variable instead of
silently falling back to a default.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "commons-map-development-key-not-for-production"  # noqa: S105 (refused when DEBUG is off)

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    raw = os.environ.get(name, default).strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {sorted(TRUE_WORDS | FALSE_WORDS)}."
    )


def env_int(name, default, minimum=0, maximum=None):
    raw = os.environ.get(name, str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} must be at most {maximum}.")
    return value


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def shown(url):
    """url as an error message may show it: any password blanked (start-up errors end in logs
    that more people read than hold the password). The userinfo runs to the last "@"; its
    password from its first ":"."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    if not (sep and at and colon):
        return repr(url)
    return repr(f"{scheme}://{user}:***@{host}")


def without_secret(text, url):
    """An error's own text, or nothing if it repeats any part of url's password."""
    _userinfo, at, _host = url.partition("://")[2].rpartition("@")
    password = _userinfo.partition(":")[2] if at else ""
    return (
        "" if password and any(part in text for part in (password, repr(password)[1:-1])) else text
    )


def database_from_url(url, name="DATABASE_URL"):
    """Translate DATABASE_URL into a Django DATABASES entry (SpatiaLite or PostGIS only)."""
    import dj_database_url

    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"spatialite", "postgis"}:
        raise ImproperlyConfigured(
            f"{name}={shown(url)} is not understood: use spatialite:///path/to/file.sqlite3 "
            "or postgis://user:password@host:port/name."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except Exception as exc:  # dj_database_url raises several types for malformed URLs
        detail = without_secret(str(exc), url)
        raise ImproperlyConfigured(
            f"{name}={shown(url)} is malformed" + (f": {detail}" if detail else ".")
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={shown(url)} does not name a database.")
    if scheme == "spatialite":
        # Our backend wraps Django's: it loads SpatiaLite on Pythons built without
        # extension loading and initialises the metadata the way migrate needs.
        config["ENGINE"] = "mapapp.spatialite"
        path = Path(config["NAME"])
        config["NAME"] = str(path if path.is_absolute() else BASE_DIR / path)
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # CONN_MAX_AGE stays as for PostgreSQL: opening a connection loads the SpatiaLite
        # extension, ~3 ms, about as much as answering a 1,000-entry map request.
        # IMMEDIATE: a write transaction takes the write lock when it begins, so a second editor
        # waits for the first and then sees its version (a clean 409), instead of both reading
        # and one failing with "database is locked".
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
        # Tests get a file beside it, not Django's shared in-memory database, whose locking
        # differs from a file's: concurrency tests then see what a real server sees.
        config["TEST"] = {"NAME": str(Path(config["NAME"]).with_name(f"test_{path.name}"))}
    else:
        config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    return config


def cache_from_url(url):
    """Translate CACHE_URL (db://, redis://host:port/db, locmem://, dummy://) into CACHES."""
    parts = urlsplit(url)
    if parts.scheme == "db":
        # Shared by every worker (rate limits must not multiply with WEB_CONCURRENCY); every
        # `migrate` makes the table (mapapp/apps.py), so no set-up step can forget it.
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": parts.netloc or "commons_cache",
            # Above this many keys Django drops a third of them, counters included: room for
            # the throttle's one key per client address in a busy minute.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if parts.scheme in {"redis", "rediss"} and parts.hostname:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        f"CACHE_URL={shown(url)} is not understood: "
        "use db://, redis://host:port/db, locmem:// or dummy://."
    )


def tile_origin(url):
    """The tile server's origin for the Content-Security-Policy ({s} subdomains as *)."""
    parts = urlsplit(url.replace("{s}.", "__sub__."))
    return f"{parts.scheme}://{parts.netloc.replace('__sub__.', '*.')}"


def content_security_policy(tile_url):
    """Our pages load nothing from other hosts but map tiles; the browser enforces it."""
    return {
        "DIRECTIVES": {
            "default-src": ["'self'"],
            "img-src": ["'self'", "data:", tile_origin(tile_url)],
            "style-src": ["'self'"],
            # The nonce is for the one inline script that runs: the map pages' import map.
            "script-src": ["'self'", NONCE],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
        }
    }


def tile_url_checked(url):
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or "{z}" not in url:
        raise ImproperlyConfigured(
            f"TILE_URL={url!r} must be an http(s) URL template containing {{z}}, {{x}} and {{y}}."
        )
    return url


DEBUG = env_bool("DEBUG", "true")
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development key: set SECRET_KEY to a long random "
        "value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name your hosts when DEBUG is off, not '*'.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

DATABASE_URL = env_str("DATABASE_URL", "spatialite:///var/commons.sqlite3")
DATABASES = {"default": database_from_url(DATABASE_URL)}


def replica_databases(urls, primary):
    """DATABASES entries replica_1, replica_2, ... for PostgreSQL streaming replicas."""
    if urls and primary["ENGINE"] != "django.contrib.gis.db.backends.postgis":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a postgis:// DATABASE_URL.")
    replicas = {}
    for number, url in enumerate(urls, start=1):
        if not url.startswith("postgis://"):
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS: {shown(url)} is not a postgis:// URL."
            )
        config = database_from_url(url, name="DATABASE_REPLICA_URLS")
        # The test runner makes no database of its own for a replica: it is a copy of default.
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = config
    return replicas


# Reads go to the replicas, writes to default; a client that wrote reads default for
# REPLICA_PIN_SECONDS, so it sees its write before the replicas have replayed it.
DATABASES |= replica_databases(env_list("DATABASE_REPLICA_URLS", ""), DATABASES["default"])
DATABASE_ROUTERS = ["mapapp.web.replicas.ReplicaRouter"]
# The longest a request's database statement may run (ms; 0: no limit) before it is stopped and
# the request answers 503, so a heavy query cannot hold a connection and a worker's thread for
# long. Commands, migrations and the shell are not held to it (mapapp/web/timeouts.py says why).
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_from_url(env_str("CACHE_URL", "db://"))}
# Proxies in front of the app server (see README): how many X-Forwarded-For values to trust.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)

TILE_URL = tile_url_checked(env_str("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"))
TILE_ATTRIBUTION = env_str(
    "TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
TILE_MAX_ZOOM = env_int("TILE_MAX_ZOOM", 19, minimum=1)
# How long a vector tile of our entries (/api/v1/tiles/) is kept in the cache; a write makes
# the older ones unreachable at once, whatever this says.
VECTOR_TILE_CACHE_SECONDS = env_int("VECTOR_TILE_CACHE_SECONDS", 600, minimum=0)
# How long the clusters and the category and tag lists are kept in the cache, the same way
# (0: built for every request that is not answered with a 304).
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 300, minimum=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "simple_history",
    "allauth",
    "allauth.account",
    "csp",
    "django_q",
    "mapapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "mapapp.web.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mapapp.web.timeouts.StatementTimeoutMiddleware",
    "mapapp.web.replicas.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "mapapp.web.middleware.NoStoreFormsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "commons.urls"
WSGI_APPLICATION = "commons.wsgi.application"

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
                "mapapp.pages.context_processors.roles",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries installed from npm at set-up (package.json), never committed.
    ("vendor/markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    # ES modules decoding vector tiles in the browser, found through the map's import map.
    ("vendor/pbf", BASE_DIR / "node_modules" / "pbf"),
    ("vendor/vector-tile", BASE_DIR / "node_modules" / "@mapbox" / "vector-tile"),
    ("vendor/point-geometry", BASE_DIR / "node_modules" / "@mapbox" / "point-geometry"),
]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Without DEBUG, hashed names (collectstatic writes the manifest) served as immutable.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "mapapp.web.storage.HashedStaticFiles"
    },
}
# Serve straight from the finders in development so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over HTTPS (the default without DEBUG): redirect plain HTTP, send HSTS, secure cookies.
# HTTPS=false is for trying a production configuration on plain HTTP locally.
HTTPS = env_bool("HTTPS", "false" if DEBUG else "true")
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", "true")
# Behind a proxy that terminates TLS, its X-Forwarded-Proto says whether the client used HTTPS;
# with no proxy in front the header is the client's to forge, so it is not read.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_HOPS else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS

# Every response: nothing from other hosts but map tiles (django-csp's middleware).
CONTENT_SECURITY_POLICY = content_security_policy(TILE_URL)

# Anonymous GETs from any origin; nothing else crosses origins.
CORS_URLS_REGEX = r"^/(api|ogc)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# Offsets used to derive the public point of entries whose exact location is withheld.
APPROXIMATE_OFFSET_METRES = (200, 500)
AREA_GRID_DEGREES = 0.02


def throttle_rate(name, default):
    raw = env_str(name, default).strip().lower()
    if raw in {"off", "none", ""}:
        return None
    count, _, period = raw.partition("/")
    if not count.isdigit() or period not in {
        "s",
        "sec",
        "second",
        "m",
        "min",
        "minute",
        "h",
        "hour",
        "d",
        "day",
    }:
        raise ImproperlyConfigured(f"{name}={raw!r} must look like 600/minute, or off.")
    return raw


API_DEFAULT_LIMIT = env_int("API_DEFAULT_LIMIT", 1000, minimum=1)
API_MAX_LIMIT = env_int("API_MAX_LIMIT", 10000, minimum=1)
# A text search counts its matches up to this many; past it a page says nothing of how many
# there are (no numberMatched, but a next link): a word in every entry of a national map would
# otherwise make each page of the search count them all.
# At most 30,000: a page of a search matching fewer is read by the ids found, one query
# parameter each, and SQLite takes at most 32,766 parameters in a statement.
SEARCH_COUNT_LIMIT = env_int("SEARCH_COUNT_LIMIT", 10000, minimum=1, maximum=30_000)
if API_DEFAULT_LIMIT > API_MAX_LIMIT:
    raise ImproperlyConfigured("API_DEFAULT_LIMIT must not exceed API_MAX_LIMIT.")
API_THROTTLE_ANON = throttle_rate("API_THROTTLE_ANON", "600/minute")
# Vector tiles have a budget of their own: a crowded map view costs a couple of dozen.
API_THROTTLE_TILES = throttle_rate("API_THROTTLE_TILES", "6000/minute")
# Whole-data downloads (?format=csv|geojson, the HSDS package) have a budget of their own: each
# reads every matching entry, seconds of a worker's time at national scale.
API_THROTTLE_DOWNLOADS = throttle_rate("API_THROTTLE_DOWNLOADS", "60/hour")
# Largest request body the write API reads (bytes).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1_000_000, minimum=1024)

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["mapapp.api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # `format` is our export parameter, not DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "mapapp.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Commons Map API",
    "DESCRIPTION": (
        "Read every published Commons Map entry: community organising, reciprocal working, "
        "commoning, convivial spaces, campaigns and public goods under threat. Geometries are "
        "GeoJSON points in EPSG:4326 (longitude, latitude); entries whose exact location is "
        "withheld are shown at a derived public point."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Cases, events and reports each have a `kind`: name their enums after what they are.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "mapapp.choices.CaseKind",
        "CaseStatusEnum": "mapapp.choices.CaseStatus",
        "EventKindEnum": "mapapp.choices.EventKind",
    },
    # The OGC API views are plain Django views: their paths are added after generation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mapapp.ogc.openapi.add_ogc_paths",
    ],
}

LEAFLET_CONFIG = {
    "TILES": [("Map", TILE_URL, {"attribution": TILE_ATTRIBUTION, "maxZoom": TILE_MAX_ZOOM})],
    "DEFAULT_CENTER": (54.0, -2.5),
    "DEFAULT_ZOOM": 5,
    "MIN_ZOOM": 2,
    "MAX_ZOOM": TILE_MAX_ZOOM,
    "RESET_VIEW": False,
}

# What the job queue logs (its worker, and every process that queues jobs).
JOB_LOG_LEVEL = env_str("JOB_LOG_LEVEL", "WARNING").upper()
if JOB_LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"JOB_LOG_LEVEL={JOB_LOG_LEVEL!r} is not a log level: DEBUG, INFO, WARNING or ERROR."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # The worker logs a failed job as an error; JOB_LOG_LEVEL=INFO also each job it runs (and
    # every process each job it queues).
    "loggers": {"django-q": {"level": JOB_LOG_LEVEL}},
}

# GDAL < 3.9 cannot block file/network access from spatial reference strings. Commons Map never
# builds a spatial reference from user input (only lon/lat and GeoJSON in EPSG:4326 are
# accepted), so the warning is about a path we do not open.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Accounts (django-allauth): sign-in by email and password, verified email required.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Commons Map] "
ACCOUNT_ADAPTER = "mapapp.pages.account_adapter.AccountAdapter"
# Failed sign-ins and password resets are rate limited per address and per IP.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_RATE_LIMIT", "5/5m/key,20/5m/ip"),
    "reset_password": "5/h/ip,3/h/key",
    "signup": "20/h/ip",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my-entries"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

# Email: printed to the console unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = env_str("EMAIL_HOST", "")
# Every email is a job on the queue below (mapapp/services/mail.py): a request never waits for
# the mail server, and a message the server refuses is retried, not lost. The worker hands it
# to EMAIL_DELIVERY_BACKEND.
EMAIL_BACKEND = "mapapp.services.mail.QueuedEmailBackend"
if EMAIL_HOST:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", "true")
else:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Where the site is reached, for links in emails sent by the worker (no request to ask).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Commons Map <noreply@localhost>")


# The job queue (django-q2). By default its broker is the database, so the embedded default
# needs no other server and a job enqueued in a write's transaction commits or rolls back with
# it; several app servers and worker hosts share it through the database. JOB_BROKER=redis://…
# hands jobs over through Redis instead (mapapp/services/jobs_redis.py), still written first in
# the write's transaction. A worker host runs `manage.py qcluster` (`make run` and `make serve`
# start one beside the web server).
def job_broker_class(url):
    """The django-q2 broker class JOB_BROKER names: database, or redis://host:port/N."""
    if url == "database":
        return "mapapp.services.jobs.BackoffBroker"
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    number = parts.path.strip("/")
    if (
        parts.scheme in {"redis", "rediss"}
        and parts.hostname
        and port_ok
        and (number == "" or number.isdigit())
    ):
        return "mapapp.services.jobs_redis.RedisBroker"
    raise ImproperlyConfigured(
        f"JOB_BROKER={shown(url)} is not understood: "
        "use database or redis://host:port/N (rediss:// for TLS)."
    )


JOB_BROKER = env_str("JOB_BROKER", "database").strip()
JOB_WORKERS = env_int("JOB_WORKERS", 2, minimum=1, maximum=64)
# The longest one job may run before its worker is stopped and the job tried again.
JOB_TIMEOUT_SECONDS = env_int("JOB_TIMEOUT_SECONDS", 300, minimum=1)
# A failed job is tried again after this many seconds, doubling with each attempt (at most
# JOB_RETRY_MAX_SECONDS), until JOB_MAX_ATTEMPTS; it then stays listed as failed for
# moderators (the moderation dashboard) and admins, never dropped.
JOB_RETRY_SECONDS = env_int("JOB_RETRY_SECONDS", 60, minimum=1)
JOB_RETRY_MAX_SECONDS = env_int("JOB_RETRY_MAX_SECONDS", 6 * 3600, minimum=1)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 10, minimum=1)
Q_CLUSTER = {
    "name": "commons",
    "orm": "default",
    "broker_class": job_broker_class(JOB_BROKER),
    "workers": JOB_WORKERS,
    # A worker takes no more jobs ahead than it has workers (django-q2 takes workers² by
    # default): a job's lock or lease runs while it waits in the worker's own queue, and one
    # kept waiting past it could be taken by a second worker host as well.
    "queue_limit": JOB_WORKERS,
    "timeout": JOB_TIMEOUT_SECONDS,
    # django-q2's own redelivery interval: it warns at start-up unless it exceeds the timeout,
    # and only its stock brokers hold a job for it. BackoffBroker and RedisBroker hold each job
    # for its own lease (mapapp.services.jobs.take_lease_seconds), so a job given a longer
    # timeout than this one (an import's) is never handed out again while it runs.
    "retry": JOB_TIMEOUT_SECONDS + JOB_RETRY_SECONDS,
    "max_attempts": JOB_MAX_ATTEMPTS,
    "ack_failures": False,
    # Results of succeeded jobs kept (the newest); failed ones are all kept.
    "save_limit": 500,
    "poll": 0.5,
    "catch_up": False,
    "label": "Jobs",
    # Used where LOGGING gives the root logger no handler (django-q2 then adds its own).
    "log_level": JOB_LOG_LEVEL,
}


# Followers of a threatened entry are told of a deadline when it comes within each of these
# many days (a comma-separated list).
def env_days(name, default):
    try:
        days = sorted({int(n) for n in env_list(name, default)})
    except ValueError:
        days = []
    if not days or days[0] < 0 or days[-1] > 366:
        raise ImproperlyConfigured(f"{name} must be whole numbers of days from 0 to 366.")
    return days


DEADLINE_ALERT_DAYS = env_days("DEADLINE_ALERT_DAYS", "14,3")
# When the daily digests (and, on Mondays, the weekly ones) and the deadline alerts go out:
# the hour of the day, in TIME_ZONE.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7, minimum=0, maximum=23)
# Freshness: an entry not verified for this many days has its owner reminded, at most once
# every FRESHNESS_REMINDER_INTERVAL_DAYS; after FRESHNESS_MAX_REMINDERS unanswered reminders
# it is marked unverified for the moderators (never unpublished).
FRESHNESS_REMINDER_DAYS = env_int("FRESHNESS_REMINDER_DAYS", 365, minimum=1, maximum=3650)
FRESHNESS_REMINDER_INTERVAL_DAYS = env_int(
    "FRESHNESS_REMINDER_INTERVAL_DAYS", 30, minimum=1, maximum=365
)
FRESHNESS_MAX_REMINDERS = env_int("FRESHNESS_MAX_REMINDERS", 3, minimum=1, maximum=20)
# At most this many reminders go out a day, the longest unverified first: the day the feature
# arrives every entry older than FRESHNESS_REMINDER_DAYS is due at once, and a mail server (and
# its reputation) takes a wave of thousands badly; the rest go on the following days.
FRESHNESS_REMINDERS_PER_DAY = env_int("FRESHNESS_REMINDERS_PER_DAY", 500, minimum=1)
# Visitors' "I was there recently" presses counted per address per hour.
VISIT_CONFIRMATIONS_PER_HOUR = env_int("VISIT_CONFIRMATIONS_PER_HOUR", 10, minimum=1)

# Imports (mapapp.imports): uploaded lists are kept under IMPORT_DIR, which no URL serves, until
# their run is applied or abandoned, or has been idle for IMPORT_RETENTION_HOURS; the dry-run
# lines of abandoned and failed runs go once idle as long (applied runs keep theirs).
IMPORT_DIR = Path(env_str("IMPORT_DIR", str(BASE_DIR / "var" / "imports")))
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1)
IMPORT_RETENTION_HOURS = env_int("IMPORT_RETENTION_HOURS", 72, minimum=1)
# The longest an import's dry run or apply job may run before it is stopped and tried again:
# its own timeout in place of JOB_TIMEOUT_SECONDS, since an apply is one transaction (about
# 200 rows a second, so 100,000 rows take minutes). The longer of the two also bounds how long
# a job taken by a worker host that dies before starting it waits to be taken again (about
# four times it): an hour covers 100,000 rows several times over and keeps that wait hours.
IMPORT_TIMEOUT_SECONDS = env_int("IMPORT_TIMEOUT_SECONDS", 3600, minimum=1)
# A Nominatim-compatible search URL (https://nominatim.example/search) for rows placed by
# address; empty: no geocoding, rows are placed by coordinates or town name only.
IMPORT_GEOCODER_URL = env_str("IMPORT_GEOCODER_URL", "").strip()
if IMPORT_GEOCODER_URL and urlsplit(IMPORT_GEOCODER_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(
        f"IMPORT_GEOCODER_URL={IMPORT_GEOCODER_URL!r} is not an http:// or https:// address."
    )
IMPORT_GEOCODER_TIMEOUT_SECONDS = env_int("IMPORT_GEOCODER_TIMEOUT_SECONDS", 5, minimum=1)

# Anonymous visitors may suggest new entries (reviewed before publication).
ALLOW_ANONYMOUS_SUGGESTIONS = env_bool("ALLOW_ANONYMOUS_SUGGESTIONS", "true")
# Anonymous suggestions and reports allowed per IP address per hour.
ANONYMOUS_SUBMISSIONS_PER_HOUR = env_int("ANONYMOUS_SUBMISSIONS_PER_HOUR", 10, minimum=1)
