FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STUDYBOT_DB=/data/studybot.db
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY content ./content
RUN pip install --no-cache-dir . \
 && useradd --create-home --uid 10001 studybot \
 && mkdir -p /data && chown studybot:studybot /data

USER studybot
VOLUME ["/data"]
ENV STUDYBOT_CONTENT_DIR=/app/content/bank
CMD ["studybot", "run"]
