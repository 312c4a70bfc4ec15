#!/usr/bin/env bash
# Fault drill: Redis (broker and shared cache, a private instance on 127.0.0.1:6399) is shut down
# for OUTAGE seconds (default 60) under reads and saves, then started again, empty. Pages, saves
# and dashboards must keep working; the import uploaded and the e-mails written during the
# outage must be done, once, within about a minute of Redis coming back.
#   bench/drill_redis.sh [DATABASE_URL]   (default: veikart_drill_redis, the small demo seed)
set -euo pipefail
cd "$(dirname "$0")/.."
export RPORT=6399 PORT="${PORT:-8140}"
redis-server --port $RPORT --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --logfile /tmp/veikart-drill-redis.log
export DATABASE_URL="${1:-postgres://postgres@127.0.0.1:5432/veikart_drill_redis}"
if [ -z "${1:-}" ] && createdb -h 127.0.0.1 -U postgres veikart_drill_redis 2>/dev/null; then
  # First run: the small demo seed (about 30 s).
  .venv/bin/python manage.py migrate --noinput -v0
  .venv/bin/python manage.py load_strategy >/dev/null
  .venv/bin/python manage.py seed_demo --scale small >/dev/null
fi
export CELERY_BROKER_URL="redis://127.0.0.1:$RPORT/0" CACHE_URL="redis://127.0.0.1:$RPORT/1"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH=/tmp/veikart-drill-redis-mail
mkdir -p "$EMAIL_FILE_PATH"
export DEBUG=false DJANGO_SETTINGS_MODULE=bench.settings ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export STATIC_ROOT=/tmp/veikart-bench-static WEB_CONCURRENCY=2 GUNICORN_BIND="127.0.0.1:$PORT"
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --pid /tmp/veikart-drill-redis.pid \
  >/tmp/veikart-drill-redis-gunicorn.log 2>&1 &
LOG_LEVEL=INFO setsid .venv/bin/celery -A config worker -l info --concurrency 1 -n drill@redis \
  >/tmp/veikart-drill-redis-worker.log 2>&1 &
WORKER=$!
LOG_LEVEL=INFO setsid .venv/bin/celery -A config beat -l info \
  --schedule /tmp/veikart-drill-redis-beat >/tmp/veikart-drill-redis-beat.log 2>&1 &
BEAT=$!
cleanup() {
  kill "$(cat /tmp/veikart-drill-redis.pid)" 2>/dev/null || true
  kill -TERM -- -"$WORKER" -"$BEAT" 2>/dev/null || true
  redis-cli -p $RPORT shutdown nosave 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://$GUNICORN_BIND/healthz" >/dev/null && break; sleep 0.2; done
for _ in $(seq 100); do grep -q "ready." /tmp/veikart-drill-redis-worker.log && break; sleep 0.2; done
.venv/bin/python bench/drill_redis.py "http://$GUNICORN_BIND"
echo "worker log: grep -c 'Cannot connect' = $(grep -c 'Cannot connect' /tmp/veikart-drill-redis-worker.log || true)"
