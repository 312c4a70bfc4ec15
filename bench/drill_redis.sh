#!/usr/bin/env bash
# Fault drill: the broker (a private Redis on 127.0.0.1:6399) stops while people save.
# Pages and saves must still succeed, an import upload is kept as a queued job, /healthz says 503.
set -euo pipefail
cd "$(dirname "$0")/.."
RPORT=6399 PORT="${PORT:-8109}"
redis-server --port $RPORT --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --logfile /tmp/veikart-drill-redis.log
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/veikart_load}"
export CELERY_BROKER_URL="redis://127.0.0.1:$RPORT/0"
export DEBUG=false DJANGO_SETTINGS_MODULE=bench.settings ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export STATIC_ROOT=/tmp/veikart-bench-static WEB_CONCURRENCY=2 GUNICORN_BIND="127.0.0.1:$PORT"
.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --pid /tmp/veikart-drill-redis.pid \
  >/tmp/veikart-drill-redis-gunicorn.log 2>&1 &
trap 'kill "$(cat /tmp/veikart-drill-redis.pid)" 2>/dev/null || true; redis-cli -p '$RPORT' shutdown nosave 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://$GUNICORN_BIND/healthz" >/dev/null && break; sleep 0.2; done
echo "health with Redis up: $(curl -s "http://$GUNICORN_BIND/healthz")"
redis-cli -p $RPORT shutdown nosave || true
echo "$(date +%T) Redis stopped"
echo "health with Redis down: $(curl -s -w ' %{http_code} in %{time_total}s' "http://$GUNICORN_BIND/healthz")"

.venv/bin/python bench/probe.py "http://$GUNICORN_BIND" 10 /tmp/veikart-drill-redis.json
.venv/bin/python - "http://$GUNICORN_BIND" <<'PY'
import json, re, sys, time
import requests
base = sys.argv[1]
results = json.load(open("/tmp/veikart-drill-redis.json"))
bad = [r for r in results if r["status"] not in (200, 302)]
print(f"reads and saves with Redis down: {len(results)} requests, {len(bad)} failed, "
      f"{sum(r['kind'] == 'saved' for r in results)} saves confirmed")
csrf = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
s = requests.Session()
token = csrf.search(s.get(f"{base}/login/").text).group(1)
s.post(f"{base}/login/", {"username": "admin", "password": "veikart-demo", "csrfmiddlewaretoken": token})
token = csrf.search(s.get(f"{base}/data/").text).group(1)
t0 = time.monotonic()
r = s.post(f"{base}/data/import/", {"csrfmiddlewaretoken": token},
           files={"file": ("values.csv", b"unit;indicator;period;value\n")}, allow_redirects=False)
print(f"import upload with Redis down: {r.status_code} -> {r.headers.get('Location')} "
      f"in {round((time.monotonic() - t0) * 1000)} ms")
PY
.venv/bin/python manage.py shell -c "from jobs.models import Job; j = Job.objects.order_by('-pk').first(); print(f'latest job: {j} (state {j.state}), kept for the sweep')"
