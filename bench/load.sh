#!/usr/bin/env bash
# Load test: 50 simulated users (RATE=1: logins spread over 50 s, then DURATION=110s is 60 s steady) against gunicorn (DEBUG off) on loopback.
#   bench/load.sh [DATABASE_URL]   (default: the veikart_load database, seeded at ntnu scale)
# With CELERY_BROKER_URL set (e.g. redis://127.0.0.1:6379/13) a Celery worker runs beside gunicorn
# and settles the figures after each save, as in production; set CACHE_URL to share the cache.
# Prepare the database once:
#   DATABASE_URL=... manage.py migrate && manage.py load_strategy && manage.py seed_demo --scale ntnu
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${1:-postgres://postgres@127.0.0.1:5432/veikart_load}"
export DEBUG=false DJANGO_SETTINGS_MODULE=bench.settings ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export STATIC_ROOT="${STATIC_ROOT:-/tmp/veikart-bench-static}" LOG_LEVEL=WARNING
PORT="${PORT:-8107}" USERS="${USERS:-50}" DURATION="${DURATION:-60s}"
WEB_CONCURRENCY="${WEB_CONCURRENCY:-3}" GUNICORN_BIND="127.0.0.1:$PORT"
export WEB_CONCURRENCY GUNICORN_BIND
OUT="${OUT:-/tmp/veikart-load}"

.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --pid /tmp/veikart-bench.pid \
  >"$OUT-gunicorn.log" 2>&1 &
WORKER_PID=""
if [ -n "${CELERY_BROKER_URL:-}" ]; then
  .venv/bin/celery -A config worker -l WARNING --concurrency "${WORKER_CONCURRENCY:-1}" \
    >"$OUT-worker.log" 2>&1 &
  WORKER_PID=$!
fi
trap 'kill "$(cat /tmp/veikart-bench.pid)" ${WORKER_PID} 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://$GUNICORN_BIND/healthz" >/dev/null && break; sleep 0.2; done

.venv/bin/locust -f bench/locustfile.py --headless -u "$USERS" -r "${RATE:-10}" -t "$DURATION" \
  --host "http://$GUNICORN_BIND" --csv "$OUT" --only-summary --loglevel WARNING ${LOCUST_ARGS:-} 2>&1 | tail -40
.venv/bin/python - "$OUT" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "_stats.csv")))
for r in rows:
    n, f = int(r["Request Count"]), int(r["Failure Count"])
    print(f"{r['Name']:<40} {n:>6} req {f:>4} fail {float(r['Requests/s']):6.1f}/s "
          f"p50 {r['50%']:>6} p95 {r['95%']:>6} p99 {r['99%']:>6} ms")
total = next(r for r in rows if r["Name"] == "Aggregated")
print(f"requests {total['Request Count']}, failures {total['Failure Count']}, "
      f"{float(total['Requests/s']):.1f} req/s, p50 {total['50%']} ms, p95 {total['95%']} ms, "
      f"p99 {total['99%']} ms, errors {100 * int(total['Failure Count']) / max(int(total['Request Count']), 1):.2f} %")
PY
