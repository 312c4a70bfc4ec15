"""A steady stream of reads and writes, timed, for the fault drills.

    python bench/probe.py URL SECONDS OUT.json

Logs in as the demo administrator, then alternates a page read (the strategy) and a write (a
new auth group "drill-N" through the admin) every 0.1 s. Every answer is recorded with its
status and duration; a write counts as saved only when the site said so (302 after the form).
"""

from __future__ import annotations

import json
import re
import sys
import time

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log_in(session: requests.Session, base: str) -> None:
    page = session.get(f"{base}/login/", timeout=5)
    token = CSRF.search(page.text).group(1)
    session.post(
        f"{base}/login/",
        {"username": "admin", "password": "veikart-demo", "csrfmiddlewaretoken": token},
        timeout=30,
    )


def main(base: str, seconds: float, out: str) -> None:
    session = requests.Session()
    log_in(session, base)
    started, results, n = time.monotonic(), [], 0
    while time.monotonic() - started < seconds:
        n += 1
        at = time.monotonic() - started
        t0 = time.monotonic()
        try:
            if n % 2:
                response = session.get(f"{base}/", timeout=10)
                kind, status = "read", response.status_code
            else:
                form = session.get(f"{base}/admin/auth/group/add/", timeout=10)
                token = CSRF.search(form.text)
                if form.status_code != 200 or token is None:
                    kind, status = "write", form.status_code
                else:
                    response = session.post(
                        f"{base}/admin/auth/group/add/",
                        {"name": f"drill-{n}", "csrfmiddlewaretoken": token.group(1)},
                        allow_redirects=False,
                        timeout=10,
                    )
                    kind, status = "write", response.status_code
                    if status == 302:
                        kind = "saved"
        except requests.RequestException as exc:
            kind, status = "error", type(exc).__name__
        results.append(
            {
                "at": round(at, 2),
                "kind": kind,
                "status": status,
                "ms": round((time.monotonic() - t0) * 1000),
            }
        )
        if kind == "saved":
            results[-1]["name"] = f"drill-{n}"
        time.sleep(0.1)
    with open(out, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3])
