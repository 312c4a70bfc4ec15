"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be set from the environment; docs/deploy.md explains the choices.
"""

import multiprocessing
import os

# Behind the reverse proxy on the same host; use 0.0.0.0:8000 only with a firewall in front.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: requests are short and database-bound. (2 × cores) + 1 is gunicorn's advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer than this is killed and logged; the proxy should wait a bit more.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Django logs each request as JSON (ops.middleware); gunicorn logs only its own events.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the proxy (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Large uploads go through the Excel import only; the proxy caps the body size too.
limit_request_line = 8190
# gunicorn's control socket (`gunicornc`) is not used; several instances on one host would
# otherwise share $HOME/.gunicorn/gunicorn.ctl.
control_socket_disable = True
