"""Regenerate `world_110m.json` (land outlines and country borders as SVG path data) by hand.

Input: `land-110m.json` and `countries-110m.json` from the npm package world-atlas 2.0.2 (TopoJSON
built from Natural Earth 1:110m, public domain; see README.md beside this file), e.g. after
`npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz`:

    python -m risk_model.report.make_world_outline package/land-110m.json package/countries-110m.json

Projection: equirectangular, x = longitude, y = -latitude (an SVG viewBox of -180 -90 360 180),
coordinates rounded to 0.1 degree; rings and lines crossing the 180° meridian are cut or unwrapped
(`antimeridian.py`), so no edge is drawn across the map. Never run by the pipeline; the output is
committed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from risk_model.report.antimeridian import fix_land, fix_lines

OUT = Path(__file__).with_name("world_110m.json")


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) points of every arc of a quantized TopoJSON topology."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def _path(points: list[tuple[float, float]], close: bool) -> str:
    cells = []
    for lon, lat in points:
        cell = f"{round(lon, 1):g} {round(-lat, 1):g}"
        if not cells or cells[-1] != cell:
            cells.append(cell)
    return ("M" + "L".join(cells) + ("Z" if close else "")) if len(cells) > 1 else ""


def land_path(topology: dict) -> str:
    """One path filling every land polygon."""
    arcs = decode_arcs(topology)
    parts = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            parts += [_path(_ring(ring, arcs), close=True) for ring in polygon]
    return "".join(parts)


def borders_path(topology: dict) -> str:
    """Every arc of the countries topology once: coastlines and shared borders, as strokes."""
    return "".join(_path(arc, close=False) for arc in decode_arcs(topology))


def main(land_file: str, countries_file: str) -> None:
    land = json.loads(Path(land_file).read_text(encoding="utf-8"))
    countries = json.loads(Path(countries_file).read_text(encoding="utf-8"))
    outline = {"land": fix_land(land_path(land)), "borders": fix_lines(borders_path(countries))}
    OUT.write_text(json.dumps(outline) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
