#!/usr/bin/env bash
# Fault drill: PostgreSQL stopped for ~10 s and restarted under a steady read/write stream.
# Uses a private, throwaway cluster on 127.0.0.1:5499 (never the shared one). Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=/usr/lib/postgresql/15/bin
DATA=/tmp/veikart-pgdrill
PGPORT=5499 PORT="${PORT:-8108}"
as_pg() { su postgres -c "$*"; }

if [ ! -d "$DATA" ]; then
  mkdir -p "$DATA" && chown postgres "$DATA"
  as_pg "$PGBIN/initdb -D $DATA -A trust -U postgres" >/dev/null
fi
as_pg "$PGBIN/pg_ctl -D $DATA -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1' -l $DATA.log -w start" >/dev/null
trap 'kill "$(cat /tmp/veikart-drill.pid 2>/dev/null)" 2>/dev/null || true; as_pg "$PGBIN/pg_ctl -D $DATA -m fast stop" >/dev/null 2>&1 || true' EXIT
dropdb --if-exists -h 127.0.0.1 -p $PGPORT -U postgres veikart_drill
createdb -h 127.0.0.1 -p $PGPORT -U postgres veikart_drill

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/veikart_drill"
export DEBUG=false DJANGO_SETTINGS_MODULE=bench.settings ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export STATIC_ROOT=/tmp/veikart-bench-static WEB_CONCURRENCY=2 GUNICORN_BIND="127.0.0.1:$PORT"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_strategy >/dev/null
.venv/bin/python manage.py seed_demo --scale small >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --pid /tmp/veikart-drill.pid \
  >/tmp/veikart-drill-gunicorn.log 2>&1 &
for _ in $(seq 50); do curl -sf "http://$GUNICORN_BIND/healthz" >/dev/null && break; sleep 0.2; done

.venv/bin/python bench/probe.py "http://$GUNICORN_BIND" 40 /tmp/veikart-drill.json &
PROBE=$!
sleep 10; echo "$(date +%T) stopping PostgreSQL"
as_pg "$PGBIN/pg_ctl -D $DATA -m fast stop" >/dev/null
sleep 1; echo "health while down: $(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' "http://$GUNICORN_BIND/healthz")"
sleep 9; echo "$(date +%T) starting PostgreSQL"
as_pg "$PGBIN/pg_ctl -D $DATA -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1' -l $DATA.log -w start" >/dev/null
wait $PROBE

.venv/bin/python - <<'PY'
import json, os, subprocess
results = json.load(open("/tmp/veikart-drill.json"))
saved = [r["name"] for r in results if r["kind"] == "saved"]
down = [r for r in results if r["status"] not in (200, 302)]
print(f"requests {len(results)}, not 200/302: {len(down)} "
      f"(statuses {sorted({str(r['status']) for r in down})}), "
      f"slowest failure {max((r['ms'] for r in down), default=0)} ms")
if down:
    last = max(r["at"] for r in down)
    after = [r for r in results if r["at"] > last]
    print(f"failures from {min(r['at'] for r in down)} s to {last} s; "
          f"first answer after that: {after[0]['status'] if after else '-'} in {after[0]['ms'] if after else '-'} ms")
env = dict(os.environ)
out = subprocess.run(
    [".venv/bin/python", "manage.py", "shell", "-c",
     "from django.contrib.auth.models import Group; "
     "print(' '.join(Group.objects.filter(name__startswith='drill-').values_list('name', flat=True)))"],
    capture_output=True, text=True, env=env, check=True)
stored = set(out.stdout.split())
print(f"writes confirmed {len(saved)}, stored {len(stored & set(saved))}, lost {len(set(saved) - stored)}")
PY
