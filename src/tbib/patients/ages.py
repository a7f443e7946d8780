"""Ages as a clinician says them: months under two, years after; "~" when estimated."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _


def age_text(birth: datetime.date | None, estimated: bool, today: datetime.date) -> str:
    if birth is None:
        return _("age unknown")
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if years < 2:
        months = (today.year - birth.year) * 12 + today.month - birth.month
        months -= today.day < birth.day
        return _("%(n)d months") % {"n": max(months, 0)}
    text = _("%(n)d years") % {"n": years}
    return f"~{text}" if estimated else text
