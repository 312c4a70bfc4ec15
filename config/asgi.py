import os

from django.core.asgi import get_asgi_application

from ops.memory import freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
freeze_loaded()
