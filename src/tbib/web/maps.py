"""Project positions onto a small SVG map of Morocco (pure, no Django, no online tiles)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

# Bounding box of Morocco's communes (WGS 84), with a margin.
_LAT_MIN, _LAT_MAX = 20.5, 36.2
_LNG_MIN, _LNG_MAX = -17.5, -0.8
# Equirectangular projection scaled at the box's middle latitude: at this scale it keeps
# shapes recognisable and needs no projection library.
_COS_MID = math.cos(math.radians((_LAT_MIN + _LAT_MAX) / 2))
WIDTH = 600
HEIGHT = round(WIDTH * (_LAT_MAX - _LAT_MIN) / ((_LNG_MAX - _LNG_MIN) * _COS_MID))


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str
    kind: str


def project(lat: float, lng: float) -> tuple[float, float]:
    """SVG coordinates (origin top-left) of a WGS 84 position."""
    x = (lng - _LNG_MIN) / (_LNG_MAX - _LNG_MIN) * WIDTH
    y = (_LAT_MAX - lat) / (_LAT_MAX - _LAT_MIN) * HEIGHT
    return round(x, 1), round(y, 1)


def point(lat: float, lng: float, label: str, kind: str) -> MapPoint:
    x, y = project(lat, lng)
    return MapPoint(x=x, y=y, label=label, kind=kind)


@functools.cache
def province_paths() -> list[tuple[str, str]]:
    """(province code PPP, SVG path) for every province outline, projected as the points."""
    from tbib.geo.outlines import province_outlines

    paths = []
    for code, ring in sorted(province_outlines().items()):
        projected = [project(lat, lng) for lng, lat in ring]
        # Successive points that land on the same half-pixel add nothing to the drawing.
        kept = [projected[0]]
        for x, y in projected[1:]:
            if abs(x - kept[-1][0]) >= 0.5 or abs(y - kept[-1][1]) >= 0.5:
                kept.append((x, y))
        paths.append((code, "M" + "L".join(f"{x},{y}" for x, y in kept) + "Z"))
    return paths
