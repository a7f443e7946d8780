"""WSGI entry point, for servers without WebSockets."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.base")
application = get_wsgi_application()
