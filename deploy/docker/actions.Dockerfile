# Action server: the official rasa-sdk image plus what the actions import (pinned as in requirements/rasa.lock).
FROM rasa/rasa-sdk:3.6.2
USER root
RUN pip install --no-cache-dir SQLAlchemy==1.4.54 asyncpg==0.32.0 aiosqlite==0.21.0 alembic==1.13.3 \
        RapidFuzz==3.14.5 prometheus-client==0.26.0 boto3==1.44.8 botocore==1.44.8
COPY actions /app/project/actions
COPY core /app/project/core
COPY storage /app/project/storage
COPY workflows /app/project/workflows
COPY ops /app/project/ops
ENV PYTHONPATH=/app/project PYTHONHASHSEED=0
WORKDIR /app/project
USER 1001
ENTRYPOINT ["python", "-m", "ops.action_server"]
