# The service as a container: the wheel installed, gunicorn, a user without privileges.
#   docker build -t akim-elections .
# compose.yaml runs it with PostgreSQL (a primary and a streaming replica), Redis and nginx.

FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# WeasyPrint prints the PDF documents through Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# The instance folder of an installed app (compiled translations, scans without an object
# store) must be the service user's; the secrets come from the environment, never from it.
RUN useradd --system --uid 10001 --home-dir /srv elections \
    && mkdir -p /usr/local/var/elections-instance /srv /tmp/metrics \
    && chown elections /usr/local/var/elections-instance /srv /tmp/metrics
USER elections
WORKDIR /srv
ENV PYTHONUNBUFFERED=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics \
    GUNICORN_WORKERS=4
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# The workers' metrics are summed from files in PROMETHEUS_MULTIPROC_DIR: empty it at start.
CMD rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR" \
    && exec gunicorn -w "$GUNICORN_WORKERS" -b 0.0.0.0:8000 --max-requests 5000 \
       --max-requests-jitter 500 'elections:create_app()'
