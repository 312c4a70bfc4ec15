#!/usr/bin/env bash
# Lighthouse on a dashboard page against gunicorn (DEBUG off, WhiteNoise serving the compressed,
# hashed static files), logged in as the rector by a session cookie. Mobile (simulated
# throttling) and desktop runs; prints performance, accessibility, FCP, LCP, TBT, CLS and the
# bytes transferred, and leaves the JSON reports in $OUT.
#   bench/lighthouse.sh [DATABASE_URL]   (default: the veikart_bench database)
# Prepare the database once:
#   DATABASE_URL=... manage.py migrate && manage.py load_strategy && manage.py seed_demo --scale small
# Environment: PORT (8106), PAGE (/dashboard/?period=2024), USERNAME (rector), RUNS (1 per preset),
# ROOT (the checkout to serve, default this one: another checkout measures "before").
# Lighthouse is fetched by npx on demand (not part of `make install`, not run in CI). It needs
# Node 18+; Lighthouse 13 needs Node 22, so the version is pinned to 12.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="${ROOT:-$HERE}"
PY="${PY:-$HERE/.venv/bin/python}"
cd "$ROOT"
export DATABASE_URL="${1:-postgres://postgres@127.0.0.1:5432/veikart_bench}"
export DEBUG=false DJANGO_SETTINGS_MODULE=bench.settings ALLOWED_HOSTS=127.0.0.1
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export LOG_LEVEL=WARNING
PORT="${PORT:-8106}" PAGE="${PAGE:-/dashboard/?period=2024}" USERNAME="${USERNAME:-rector}"
RUNS="${RUNS:-1}" OUT="${OUT:-/tmp/veikart-lighthouse}"
export STATIC_ROOT="$OUT/static"
mkdir -p "$OUT"

"$PY" manage.py collectstatic --noinput -v0
"$PY" -m gunicorn --chdir "$ROOT" -w 2 -b "127.0.0.1:$PORT" --pid "$OUT/gunicorn.pid" \
  config.wsgi >"$OUT/gunicorn.log" 2>&1 &
trap 'kill "$(cat "$OUT/gunicorn.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# A real login (signals, the session's start time) without the form: the test client's.
SESSION="$("$PY" manage.py shell -v 0 -c "
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username='$USERNAME'), backend='ops.backends.PasswordBackend')
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
" | tail -n 1)"
HEADERS="{\"Cookie\": \"sessionid=$SESSION\"}"
URL="http://127.0.0.1:$PORT$PAGE"
# Warm up, and stop unless the page answers 200 (a redirect means the cookie did not log in).
test "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sessionid=$SESSION" "$URL")" = 200

export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
for run in $(seq "$RUNS"); do
  for preset in mobile desktop; do
    extra=()
    [ "$preset" = desktop ] && extra=(--preset=desktop)
    npx -y lighthouse@12.2.3 "$URL" --quiet --output=json --output-path="$OUT/$preset-$run.json" \
      --only-categories=performance,accessibility --extra-headers="$HEADERS" \
      --chrome-flags="--headless --no-sandbox" "${extra[@]}"
  done
done

"$PY" - "$OUT" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*-*.json")):
    r = json.loads(path.read_text())
    a, c = r["audits"], r["categories"]
    kb = a["total-byte-weight"]["numericValue"] / 1024
    print(
        f"{path.stem:<10} performance {c['performance']['score']:.2f}  accessibility "
        f"{c['accessibility']['score']:.2f}  FCP {a['first-contentful-paint']['displayValue']}  "
        f"LCP {a['largest-contentful-paint']['displayValue']}  TBT "
        f"{a['total-blocking-time']['displayValue']}  CLS {a['cumulative-layout-shift']['displayValue']}"
        f"  transferred {kb:,.0f} KiB"
    )
PY
