#!/usr/bin/env bash
# Fault drill: a Celery worker is killed (kill -9, the whole worker) while it applies a large
# import; a new worker is started, beside beat. Production settings: Redis would hand the
# unacknowledged message back only after an hour, so the sweep (every minute) must notice that
# the worker stopped beating and queue the job again. The import must end applied exactly once.
#   bench/drill_worker.sh [DATABASE_URL]   (default: veikart_drill_import, a copy of the ntnu seed)
set -euo pipefail
cd "$(dirname "$0")/.."
RPORT="${RPORT:-6398}"
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --logfile /tmp/veikart-drill-worker-redis.log
export DATABASE_URL="${1:-postgres://postgres@127.0.0.1:5432/veikart_drill_import}"
export CELERY_BROKER_URL="redis://127.0.0.1:$RPORT/0"
export DEBUG=false DJANGO_SETTINGS_MODULE=bench.settings ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
# 30,000 rows: three times the largest file a user may upload (IMPORT_MAX_ROWS, 10,000).
export ROWS="${ROWS:-30000}" IMPORT_MAX_ROWS="${ROWS:-30000}" LOG_LEVEL=INFO
setsid .venv/bin/celery -A config beat -l info --schedule /tmp/veikart-drill-worker-beat \
  >/tmp/veikart-drill-worker-beat.log 2>&1 &
BEAT=$!
trap 'kill -TERM -- -'$BEAT' 2>/dev/null || true; redis-cli -p '$RPORT' shutdown nosave 2>/dev/null || true' EXIT
.venv/bin/python bench/drill_worker.py
