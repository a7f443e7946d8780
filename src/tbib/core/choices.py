"""Coded values shared by every app."""

from django.db import models


class NodeRole(models.TextChoices):
    """Which of the two deployments of the same codebase a node is (docs/architecture.md)."""

    HUB = "hub", "Hub"
    EDGE = "edge", "Edge"


class Mode(models.TextChoices):
    """Demo mode generates secrets and seeds demo users; production mode refuses both."""

    DEMO = "demo", "Demo"
    PRODUCTION = "production", "Production"
