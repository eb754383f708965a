# Gateway (and the migrate step): Python 3.12 with requirements/app.lock.
FROM python:3.12-slim
COPY requirements/app.lock /tmp/app.lock
RUN pip install --no-cache-dir -r /tmp/app.lock && useradd --system --uid 1001 musrenbang
COPY . /app
WORKDIR /app
ENV PYTHONPATH=/app
USER 1001
CMD ["python", "-m", "bot"]
