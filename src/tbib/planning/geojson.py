"""GeoJSON (RFC 7946) of the planning outputs: province outlines, communes with their access
figures, the plan's bases and the communes each one serves. Coordinates are [lon, lat]."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tbib.geo.outlines import CREDIT as OUTLINES_CREDIT
from tbib.geo.outlines import province_outlines
from tbib.planning import selectors
from tbib.planning.access import Access


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def provinces() -> list[dict[str, Any]]:
    return [
        _feature({"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in ring]]},
                 layer="province", province=code)
        for code, ring in sorted(province_outlines().items())
    ]  # fmt: skip


def _point(access: Access) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [access.commune.longitude, access.commune.latitude]}


def access_collection(ranked: Iterable[Access]) -> dict[str, Any]:
    features = provinces()
    for rank, item in enumerate(ranked, start=1):
        if item.commune.latitude is None or item.commune.longitude is None:
            continue
        features.append(_feature(
            _point(item), layer="commune", rank=rank, code=item.commune.code,
            name=item.commune.name, province=item.commune.province,
            population=item.commune.population, road_km=item.commune.road_km,
            facility=item.facility, facility_road_km=item.facility_road_km,
            desert_index=item.index, underserved=item.underserved, basis=item.basis,
        ))  # fmt: skip
    return _collection(features)


def plan_collection(document: dict[str, Any], ranked: Iterable[Access]) -> dict[str, Any]:
    """The plan on the map: each base, each served commune, and a line between them."""
    by_code = {a.commune.code: a for a in ranked}
    features = provinces()
    for unit in document["units"]:
        base = by_code[unit["base"]]
        features.append(_feature(
            _point(base), layer="base", code=base.commune.code, name=base.commune.name,
            province=unit["province"], communes=unit["communes"],
            covered_population=unit["covered_population"],
            covered_underserved=unit["covered_underserved"],
        ))  # fmt: skip
        for code in unit["communes"]:
            served = by_code[code]
            features.append(_feature(
                _point(served), layer="served", code=code, name=served.commune.name,
                base=unit["base"], population=served.commune.population,
                underserved=served.underserved, desert_index=served.index,
            ))  # fmt: skip
            features.append(_feature(
                {"type": "LineString",
                 "coordinates": [_point(base)["coordinates"], _point(served)["coordinates"]]},
                layer="link", base=unit["base"], commune=code,
            ))  # fmt: skip
    return _collection(features)


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"source": f"{selectors.CREDIT}; {OUTLINES_CREDIT}"},
    }
