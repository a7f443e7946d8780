"""Structural validation of incoming resources with `fhir.resources` (its R4B models, which
read the R4 structures we take): a body of the wrong shape is refused with the library's own
account of what is wrong, before any of our mapping looks at it."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from tbib.fhir.outcome import FhirError


def check(resource: dict[str, Any], where: str = "") -> None:
    name = resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(name))
    except (KeyError, ValueError) as error:
        raise FhirError(
            400, f"{where}Unknown resourceType {str(name)[:40]!r}.", "structure"
        ) from error
    try:
        model.model_validate(resource)
    except (ValidationError, ValueError, TypeError) as error:
        errors: list[Any] = getattr(error, "errors", lambda: [])()
        if errors:
            detail = "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'root')}: {e.get('msg', '')}"
                for e in errors[:5]
            )
        else:
            detail = str(error)
        raise FhirError(
            400, f"{where}{name} is not valid FHIR: {detail[:800]}", "structure"
        ) from error
