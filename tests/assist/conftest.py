from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The rules' explanations are translated; these tests read them in English."""
    with translation.override("en"):
        yield
