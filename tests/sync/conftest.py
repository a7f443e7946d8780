from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync.nodes import build_hub_template


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo network as a hub database, built once per session for the replication tests."""
    return build_hub_template(tmp_path_factory.mktemp("hub-template"))
