# syntax=docker/dockerfile:1
# Guichet's production image (README, "Runbook"): built in two stages, run as a non-root user,
# static files collected at build time, gunicorn configured by gunicorn.conf.py.
#
#   docker build -t guichet:latest .
#   docker compose up -d          (compose.yaml: web, workers, beat, PostgreSQL, Redis)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the virtualenv, from the lock file with hashes, and the translations ----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /venv
COPY requirements.lock /tmp/requirements.lock
# Every package pinned with its hashes: a tampered or substituted file fails the build.
RUN /venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock
WORKDIR /app
COPY . /app
# The settings refuse to load outside development and test without a real broker's URL: this
# one is never contacted (nothing is queued while building).
RUN GUICHET_ENV=build DJANGO_SECRET_KEY=build-only-not-a-secret GUICHET_VAR_DIR=/app/var \
        CELERY_BROKER_URL=redis://build.invalid:6379/0 \
        DRAFTING_EMBEDDINGS= /venv/bin/python manage.py compilemessages --ignore=.venv \
    && GUICHET_ENV=build DJANGO_SECRET_KEY=build-only-not-a-secret GUICHET_VAR_DIR=/app/var \
        CELERY_BROKER_URL=redis://build.invalid:6379/0 \
        DRAFTING_EMBEDDINGS= /venv/bin/python manage.py collectstatic --noinput -v 0

# --- run: the virtualenv, the code and the collected static files, nothing else ---------------
FROM ${PYTHON_IMAGE} AS run
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GUICHET_ENV=production \
    GUICHET_VAR_DIR=/app/var \
    PORT=8000
# postgresql-client: pg_dump and psql for the runbook's backups, run from this image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 guichet \
    && useradd --system --uid 10001 --gid guichet --home-dir /app --shell /usr/sbin/nologin guichet
COPY --from=build /venv /venv
COPY --from=build --chown=root:root /app /app
# Uploaded attachments live on a volume mounted here; the rest of the tree stays read-only.
RUN mkdir -p /app/var/media \
    && chown -R guichet:guichet /app/var/media
WORKDIR /app
USER guichet:guichet
EXPOSE 8000
VOLUME ["/app/var/media"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/probe.py", "/healthz"]
CMD ["gunicorn", "config.wsgi"]
