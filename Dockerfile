# paperboy: the Discord bot in a slim image. The database lives on the /data volume.
#   docker compose up -d            (compose.yaml; the token in paperboy.env)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PAPERBOY_CONFIG=/app/config.toml

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin paperboy \
    && mkdir -p /data \
    && chown paperboy:paperboy /data
COPY seeds ./seeds
COPY deploy/config.docker.toml ./config.toml

USER paperboy
VOLUME ["/data"]
# /healthz of [ops] listen (127.0.0.1:9300 in deploy/config.docker.toml): gateway and database.
HEALTHCHECK --interval=60s --timeout=15s --start-period=90s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
