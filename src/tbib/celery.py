"""Durable background jobs (Celery) on the real broker in production.

With no `TBIB_BROKER_URL` (the demo, the edge), tasks run in the calling process and the
demo's own scheduler thread runs the periodic ones: no extra server is needed.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.base")

app = Celery("tbib")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["tbib.teleexpertise", "tbib.planning"])
