# syntax=docker/dockerfile:1
# The written hearing service: one image for the app (default CMD) and the
# worker (`docker run IMAGE hearing worker`). Configure with HEARING_* env vars;
# HEARING_SECRET_KEY is required (production refuses the built-in one).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDFs) and fonts for Latin, Arabic, Persian and Ethiopic scripts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 --user-group hearing

WORKDIR /app

# Dependencies first, so code changes do not invalidate this layer.
# The lock is complete: nothing is resolved, so a newer release on the index changes nothing.
COPY requirements.lock requirements-build.lock ./
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements.lock -r requirements-build.lock \
    && pip check

COPY . .
# Editable on purpose: the service finds alembic.ini, migrations/, forms/ and
# templates/ relative to its source tree (service/core/settings.py PROJECT_ROOT),
# which a copy into site-packages would lose.
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && mkdir -p /app/var \
    && chown hearing:hearing /app/var

USER hearing
ENV HEARING_ENV=production
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]

CMD ["sh", "-c", "hearing migrate && exec hearing serve --host 0.0.0.0 --port 8000"]
