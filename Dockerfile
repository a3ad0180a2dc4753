# The api and worker image for docker-compose (production).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
# torch first and exactly 2.13.0 (see README: dependencies).
RUN pip install --no-cache-dir torch==2.13.0
COPY pyproject.toml constraints.txt README.md ./
COPY backend backend
COPY memory memory
COPY ingest ingest
# pipecat-ai only for the Smart Turn model file it ships (backend/voice/turn_model.py): no deps.
RUN pip install --no-cache-dir -c constraints.txt '.[voice]' \
    && pip install --no-cache-dir --no-deps -c constraints.txt pipecat-ai \
    && useradd --system --create-home switchboard
USER switchboard
ENV SWITCHBOARD_DATA_DIR=/home/switchboard/data
EXPOSE 8000
CMD ["switchboard", "serve", "--host", "0.0.0.0", "--workers", "0"]
