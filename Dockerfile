# briefbot: the Telegram bot with its catalog baked in. See "Deploy" in README.md.
#
#   docker build -t briefbot .
#   docker run -d --name briefbot -e TELEGRAM_BOT_TOKEN -v briefbot-data:/data \
#       -p 127.0.0.1:8080:8080 briefbot
#   docker stop -t 30 briefbot
#
# The Python that pyproject.toml's requires-python asks for; slim is enough, since every
# dependency installs from a wheel.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app

# Dependencies first, read from pyproject.toml alone: editing the code reuses this layer,
# only a change of pyproject.toml installs them again.
COPY pyproject.toml ./
RUN python -c "import tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; print(*project['dependencies'], sep=chr(10))" > /tmp/requirements.txt \
    && pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code, the committed catalog and the seeds it was built from. setuptools reads
# README.md as the package's long description.
COPY README.md ./
COPY bot/ bot/
COPY briefings/ briefings/
COPY ingest/ ingest/
COPY catalog/ catalog/
COPY seeds/ seeds/
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps . \
    && rm -rf build ./*.egg-info

# The installed package lives in site-packages, away from catalog/ and seeds/, so say
# where they are. The image refuses to build when the catalog is stale: what it serves is
# exactly what the seeds compile to.
ENV BRIEFBOT_CATALOG=/app/catalog/briefings.json \
    BRIEFBOT_SEEDS=/app/seeds
RUN briefbot build --check

# A fixed, numeric uid, so a bind-mounted /data can be given to it (chown 10001) and
# Kubernetes' runAsNonRoot can verify it. /data holds the SQLite database.
RUN groupadd --gid 10001 briefbot \
    && useradd --uid 10001 --gid briefbot --no-create-home --home-dir /data \
        --shell /usr/sbin/nologin briefbot \
    && mkdir /data \
    && chown briefbot:briefbot /data
VOLUME /data

# Listen on every interface of the container (the bot's own default is 127.0.0.1) for
# /healthz, /metrics and, with WEBHOOK_URL set, the webhook.
ENV BRIEFBOT_DATA_DIR=/data \
    BRIEFBOT_LISTEN=0.0.0.0 \
    BRIEFBOT_PORT=8080
EXPOSE 8080

USER 10001:10001

# slim has no curl; urlopen fails on a refused connection and on 503 (catalog not loaded
# or database unreachable). The shell expands BRIEFBOT_PORT, so `-e BRIEFBOT_PORT=…` works.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${BRIEFBOT_PORT:-8080}/healthz', timeout=4)"

# On SIGTERM the bot stops taking updates and lets digests in flight finish; Docker waits
# 10 s before SIGKILL by default, so give it more: `docker stop -t 30 briefbot`.
STOPSIGNAL SIGTERM

# Exec form: briefbot is PID 1 and receives the signal itself (no shell in between).
# Other subcommands work too: `docker run --rm briefbot ask "/cuba"`.
ENTRYPOINT ["briefbot"]
CMD ["run"]
