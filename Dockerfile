# The newsbot image: the bot, its workers and the spaCy model (a PyPI package in uv.lock),
# run as an unprivileged user. One image for every role:
#   docker run IMAGE run --shards 0-1 --shard-count 4     a gateway
#   docker run IMAGE worker --concurrency 2               a worker
FROM python:3.11-slim AS build
ENV UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY bot ./bot
COPY cogs ./cogs
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 newsbot \
    && mkdir -p /data && chown newsbot:newsbot /data
COPY --from=build --chown=newsbot:newsbot /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    NEWSBOT_DATA_DIR=/data \
    NEWSBOT_HEARTBEAT_FILE=/tmp/newsbot-alive
WORKDIR /app
USER newsbot
VOLUME ["/data"]
# Healthy while the process keeps touching its heartbeat file (every few seconds).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import os,sys,time; sys.exit(time.time() - os.path.getmtime(os.environ['NEWSBOT_HEARTBEAT_FILE']) > 90)"
ENTRYPOINT ["newsbot"]
CMD ["run"]
