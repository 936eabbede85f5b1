# Minimal image: dependencies in a cached layer, the catalog verified at build time,
# a non-root user, and the console script as the entry point.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot/__init__.py bot/__init__.py
COPY briefings/__init__.py briefings/topics.json briefings/
RUN pip install --no-cache-dir .
COPY . .
RUN pip install --no-cache-dir --no-deps . && briefbot build --check
RUN useradd --create-home briefbot
USER briefbot
ENTRYPOINT ["briefbot"]
CMD ["run"]
