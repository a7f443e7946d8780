"""A plan drawn as SVG (no online tiles): province outlines, bases, served communes, links."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from tbib.geo.outlines import CREDIT as OUTLINES_CREDIT
from tbib.planning import selectors
from tbib.planning.access import Access
from tbib.web import maps


def plan_map(document: dict[str, Any], ranked: list[Access]) -> dict[str, Any]:
    """What the map template draws, projected like the network overview's map."""
    by_code = {a.commune.code: a.commune for a in ranked}
    bases, served, links = [], [], []
    for unit in document["units"]:
        base = by_code[unit["base"]]
        bx, by = maps.project(base.latitude, base.longitude)  # type: ignore[arg-type]
        bases.append(maps.MapPoint(bx, by, base.name, "unit"))
        for code in unit["communes"]:
            commune = by_code[code]
            x, y = maps.project(commune.latitude, commune.longitude)  # type: ignore[arg-type]
            served.append(maps.MapPoint(x, y, f"{commune.name} ← {base.name}", "served"))
            links.append((bx, by, x, y))
    return {"width": maps.WIDTH, "height": maps.HEIGHT, "provinces": maps.province_paths(),
            "bases": bases, "served": served, "links": links}  # fmt: skip


def plan_svg(document: dict[str, Any], ranked: list[Access]) -> str:
    """A standalone SVG file of the plan, with its sources credited on the map."""
    return render_to_string("planning/plan_map.svg", {
        "map": plan_map(document, ranked), "standalone": True,
        "credit": f"{selectors.CREDIT}; {OUTLINES_CREDIT}",
    })  # fmt: skip
