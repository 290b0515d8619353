# One image for every process of the production topology (see docker-compose.yml):
#   web:    the default command, gunicorn on :8000
#   worker: celery -A mpoffice worker --loglevel=INFO
#   beat:   celery -A mpoffice beat --loglevel=INFO   (exactly one beat per deployment)
#   migrate: python manage.py migrate --no-input      (one-shot, before the others start)
# Configuration comes from the environment only; the README lists every variable.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3

# The shared libraries WeasyPrint loads at run time (letters and reports as PDF), and a font.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every pin is hash-checked.
COPY requirements.txt .
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --require-hashes -r requirements.txt

COPY . .

# Static files are collected (hashed and compressed for WhiteNoise) into the image. Settings
# need a SECRET_KEY to load: a throwaway one, for this step only, never kept in the image. The
# settings create VAR_DIR when they load, so this step points it at a directory it then removes.
RUN SECRET_KEY=collectstatic-build-only VAR_DIR=/tmp/build-var python manage.py collectstatic --no-input \
    && rm -rf /tmp/build-var \
    && mkdir -p "$VAR_DIR/media" \
    && chown -R app:app "$VAR_DIR"

USER app

EXPOSE 8000

# Workers come from WEB_CONCURRENCY (gunicorn reads it). No access log: URLs and query strings
# may carry personal data; Django's own logging scrubs it.
CMD ["gunicorn", "mpoffice.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--preload", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100"]
