"""The monthly supervision report of a place (a region, usually) as a PDF.

Same figures as the dashboard (indicators, tele-expertise per specialty, data quality), laid
out for print in the reader's language; Arabic right to left, shaped by HarfBuzz as the
clinical documents are (documents.render, DejaVu Sans shipped with the code).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from tbib.accounts.models import User
from tbib.documents.render import font_path
from tbib.geo.api import HCP_CREDIT
from tbib.supervision import dashboard, indicators, quality
from tbib.supervision.dashboard import Selection
from tbib.supervision.indicators import IndicatorRow

_FONT = "DejaVu"


def _n(value: float | None, places: int = 0) -> str:
    return "–" if value is None else str(number_format(value, places, force_grouping=True))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _hours(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 3600:.1f} h"


def _kpis(row: IndicatorRow) -> list[tuple[str, str]]:
    return [
        (_("Consultations"), _n(row.consultations)),
        (_("Unique patients"), _n(row.unique_patients)),
        (_("Population reached (share of the communes visited)"),
         _pct(row.population_reached_share)),
        (_("Stops made / planned"), f"{_n(row.stops_made)} / {_n(row.stops_planned)}"),
        (_("Tele-expertise requests"), _n(row.teleexpertise_requests)),
        (_("Time to answer, median / p90"),
         f"{_hours(row.answer_median_s)} / {_hours(row.answer_p90_s)}"),
        (_("Answered within the SLA"), _pct(row.answered_within_sla_share)),
        (_("Referrals issued"), _n(row.referrals)),
        (_("Referrals completed (seen at the facility)"),
         f"{_n(row.referrals_completed)} ({_pct(row.referrals_completed_share)})"),
        (_("Vitals from devices"), _pct(row.device_share)),
        (_("Cost per consultation (MAD)"), _n(row.cost_per_consultation_mad, 2)),
    ]  # fmt: skip


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], rtl: bool) -> None:
    pdf.set_font(_FONT, size=8)
    align = "RIGHT" if rtl else "LEFT"
    with pdf.table(
        text_align=align, headings_style=FontFace(emphasis="BOLD"), line_height=5
    ) as table:
        for values in [header, *rows]:
            line = table.row()
            for value in values:
                line.cell(value)
    pdf.ln(4)


def _heading(pdf: FPDF, text: str, rtl: bool) -> None:
    pdf.set_font(_FONT, "B", 12)
    pdf.multi_cell(0, 7, text, align="R" if rtl else "L", new_x="LMARGIN", new_y="NEXT")


def monthly_pdf(user: User, selection: Selection) -> bytes:
    """The report of the selected place for the selected month, as PDF bytes."""
    scope, period = selection.scope, selection.period
    summary = indicators.indicators(user, period, scope=scope)
    below = dashboard.BREAKDOWN[scope.level]
    rows = indicators.indicator_table(user, period, by=below, scope=scope) if below else []
    specialties = indicators.teleexpertise_by_specialty(user, period, scope=scope)
    names = dashboard.specialty_names()
    language = (get_language() or "fr")[:2]
    rtl = language == "ar"

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(_FONT, "", font_path("DejaVuSans.ttf"))
    pdf.add_font(_FONT, "B", font_path("DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    pdf.set_lang(language)
    title = _("Monthly supervision report")
    pdf.set_title(f"{title} {summary.name} {selection.label}")
    pdf.set_creator("Tbib")
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.multi_cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=10)
    pdf.multi_cell(
        0,
        6,
        f"{summary.name} · {selection.label} · "
        + _("%(units)s mobile units") % {"units": summary.units},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)

    _heading(pdf, _("Indicators"), rtl)
    _table(pdf, [_("Indicator"), _("Value")], [list(kpi) for kpi in _kpis(summary)], rtl)
    if rows:
        _heading(pdf, _("By place"), rtl)
        _table(
            pdf,
            [_("Place"), _("Consultations"), _("Patients"), _("Stops made / planned"),
             _("Tele-expertise"), _("Within SLA"), _("Referrals")],
            [[r.name, _n(r.consultations), _n(r.unique_patients),
              f"{_n(r.stops_made)} / {_n(r.stops_planned)}", _n(r.teleexpertise_requests),
              _pct(r.answered_within_sla_share), _n(r.referrals)] for r in rows],
            rtl,
        )  # fmt: skip
    if specialties:
        _heading(pdf, _("Tele-expertise by specialty"), rtl)
        _table(
            pdf,
            [_("Specialty"), _("Requests"), _("Answered"), _("Median"), _("p90"), _("Within SLA")],
            [[names.get(s.specialty, s.specialty), _n(s.requests), _n(s.answered),
              _hours(s.answer_median_s), _hours(s.answer_p90_s),
              _pct(s.answered_within_sla_share)] for s in specialties],
            rtl,
        )  # fmt: skip
    _heading(pdf, _("Data quality"), rtl)
    _table(pdf, [_("Check"), _("Count")], _quality_counts(user, selection), rtl)

    pdf.set_font(_FONT, size=7.5)
    pdf.set_text_color(90, 100, 110)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    pdf.multi_cell(
        0, 4, f"{HCP_CREDIT} · Tbib · {generated}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())


def _quality_counts(user: User, selection: Selection) -> list[list[Any]]:
    scope = selection.scope
    return [
        [
            _("Units not synced for more than 48 h"),
            str(len(quality.stale_syncs(user, scope=scope))),
        ],
        [_("Encounters left unsigned"), str(len(quality.unsigned_encounters(user, scope=scope)))],
        [_("Cases past their SLA"), str(len(quality.late_cases(user, scope=scope)))],
        [_("Devices in quarantine"), str(len(quality.quarantined_devices(user, scope=scope)))],
    ]
