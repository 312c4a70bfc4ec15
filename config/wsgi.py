import os

from django.core.wsgi import get_wsgi_application

from ops.memory import freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
freeze_loaded()
