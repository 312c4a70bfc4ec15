"""Production static files: collectstatic builds hashed, compressed files that whitenoise
serves with far-future caching, and pages link to the hashed names."""

from __future__ import annotations

import json

from tests.ops.test_settings import PRODUCTION, run_django

SERVE = """
import json, django
django.setup()
from django.test import Client
from django.templatetags.static import static
client = Client()
url = static("css/veikart.css")
response = client.get(url, HTTP_ACCEPT_ENCODING="gzip", secure=True)
print(json.dumps({
    "url": url,
    "status": response.status_code,
    "cache": response.headers.get("Cache-Control", ""),
    "encoding": response.headers.get("Content-Encoding", ""),
}))
"""


def test_collectstatic_builds_a_manifest_that_whitenoise_serves_compressed(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path)}
    done = run_django("manage.py", "collectstatic", "--noinput", "-v0", **env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/veikart.*.css.gz"))

    served = run_django("-c", SERVE, DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert served.returncode == 0, served.stderr
    result = json.loads(served.stdout.strip().splitlines()[-1])
    assert result["url"].startswith("/static/css/veikart.")
    assert result["url"] != "/static/css/veikart.css"  # the hashed name
    assert result["status"] == 200
    assert "immutable" in result["cache"]
    assert result["encoding"] == "gzip"
