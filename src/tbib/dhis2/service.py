"""The DHIS2 export as the hubs' screens serve it: the configured mapping, one month."""

from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tbib.dhis2.export import MappingError, data_value_set, parse_mapping
from tbib.dhis2.indicators import INDICATORS, monthly
from tbib.network.models import MobileUnit
from tbib.supervision.period import Period


class DhisUnavailable(Exception):
    """No usable mapping is configured: nothing can be exported (a readable reason)."""


def load_mapping(path: Path | None = None) -> Any:
    path = path or Path(settings.TBIB_DHIS2_MAPPING)
    try:
        return parse_mapping(json.loads(path.read_text()))
    except FileNotFoundError as error:
        raise DhisUnavailable(
            _("No DHIS2 mapping at %(path)s: set TBIB_DHIS2_MAPPING (docs/dhis2.md).")
            % {"path": path}
        ) from error
    except (OSError, ValueError, MappingError) as error:
        raise DhisUnavailable(
            _("The DHIS2 mapping %(path)s is not usable: %(error)s")
            % {"path": path, "error": error}
        ) from error


def data_value_set_for(period: Period) -> tuple[dict[str, Any], list[str]]:
    """The month's dataValueSet, and what the mapping left out (never dropped silently)."""
    mapping = load_mapping()
    year, month = period.start.year, period.start.month
    export = data_value_set(monthly(year, month), mapping, year, month)
    return export.data_value_set, export.skipped


def _demo_uid(text: str) -> str:
    """A stable DHIS2-shaped UID (a letter, then 10 letters or digits) for the demo."""
    alphabet = string.ascii_letters + string.digits
    digest = hashlib.sha256(text.encode()).digest()
    return string.ascii_letters[digest[0] % 52] + "".join(
        alphabet[b % len(alphabet)] for b in digest[1:11]
    )


def write_demo_mapping(path: Path) -> Path:
    """A mapping with made-up UIDs for every unit and indicator, so that the demo exports
    something; a real deployment writes the ministry's UIDs (docs/dhis2.md)."""
    document = {
        "_comment": "Demo mapping with made-up UIDs: replace with the DHIS2 instance's own.",
        "dataElements": {name: _demo_uid(f"de:{name}") for name in INDICATORS},
        "orgUnits": {
            code: _demo_uid(f"ou:{code}")
            for code in MobileUnit.objects.order_by("code").values_list("code", flat=True)
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1))
    return path
