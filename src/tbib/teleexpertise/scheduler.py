"""The demo's in-process scheduler: periodic jobs without a broker or a worker."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from tbib.teleexpertise.services import escalate_overdue

logger = logging.getLogger(__name__)


def start(interval_seconds: float = 60.0) -> threading.Event:
    """Run the periodic jobs every `interval_seconds` in a daemon thread; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_seconds):
            try:
                escalated = escalate_overdue()
                if escalated:
                    logger.info("Escalated %d overdue cases", len(escalated))
            except Exception:  # keep the scheduler alive; the next run retries
                logger.exception("Periodic job failed")
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="tbib-scheduler", daemon=True).start()
    return stop
