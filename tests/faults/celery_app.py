"""The project's Celery app, for the fault tests' workers: the jobs a worker sends (a
scenario dispatched again) stay on the test's private queue, away from other runs."""

import os

from tbib.celery import app

app.conf.task_default_queue = os.environ["TBIB_TEST_QUEUE"]

__all__ = ["app"]
