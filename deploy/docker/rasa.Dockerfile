# Rasa server: the official image plus what the project's NLU components import (pinned as in requirements/rasa.lock).
FROM rasa/rasa:3.6.21
USER root
RUN pip install --no-cache-dir RapidFuzz==3.14.5
COPY core /app/project/core
COPY nlu /app/project/nlu
COPY ops /app/project/ops
COPY credentials.yml /app/project/credentials.yml
ENV PYTHONPATH=/app/project PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false
WORKDIR /app/project
USER 1001
