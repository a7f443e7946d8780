"""The unit's screen: dismiss a finding with a reason."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tbib.assist.services import dismiss_finding
from tbib.clinical.views import _ctx, _errors, unit_staff_only
from tbib.core.errors import Conflict


@require_POST
@unit_staff_only
def dismiss(request: HttpRequest, encounter_id: uuid.UUID, rule: str) -> HttpResponse:
    try:
        dismiss_finding(ctx=_ctx(request), encounter_id=encounter_id, rule=rule,
                        reason=request.POST.get("reason", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error).values()))
    except Conflict as error:
        messages.error(request, str(error))
    return redirect("unit-encounter", encounter_id=encounter_id)
