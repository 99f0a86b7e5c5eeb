"""Cut SVG outlines where they cross the 180° meridian, so no edge is drawn across the whole map.

Natural Earth rings that cross the antimeridian (Russia's Chukotka, Fiji, Wrangel Island) step from
x = 180 to x = -180 in one edge; drawn as is in an equirectangular map (x = longitude, y = -latitude)
that edge is a horizontal line across the world (the Arctic line and the one at about 17°S).

- An open path (a border or coastline stroke) is split at every such jump: a new subpath starts.
- A closed ring (a land fill) is *unwrapped* (longitudes made continuous, some beyond ±180) and drawn
  once more shifted by 360° on the other side; the map's viewBox clips what falls outside, so each
  half shows where it belongs.
- A ring around a pole (Antarctica, whose longitudes wind once round the globe) is closed along the
  map's edge instead: down the meridian to the pole, across, and back up.

Pure text in, text out; idempotent (a fixed path is returned unchanged).
"""

from __future__ import annotations

import re

Point = tuple[float, float]
JUMP = 180.0  # an edge longer than this in longitude wraps round the back of the globe
_SUBPATH = re.compile(r"M[^M]*")


def parse(path: str) -> list[tuple[list[Point], bool]]:
    """`M x y L x y ... [Z]` subpaths as (points, closed)."""
    subpaths = []
    for text in _SUBPATH.findall(path):
        closed = text.rstrip().endswith("Z")
        cells = text.strip().lstrip("M").rstrip("Z").split("L")
        points = [(float(x), float(y)) for x, y in (cell.split() for cell in cells if cell.strip())]
        subpaths.append((points, closed))
    return subpaths


def render(points: list[Point], closed: bool) -> str:
    """Points back to compact SVG path data (0.1° precision, as the outlines are stored)."""
    if len(points) < 2:
        return ""
    cells = "L".join(f"{round(x, 1):g} {round(y, 1):g}" for x, y in points)
    return f"M{cells}{'Z' if closed else ''}"


def _wraps(a: Point, b: Point) -> bool:
    """True for an edge that jumps across the map (an edge along a pole's map edge does not count)."""
    return abs(b[0] - a[0]) > JUMP and not (abs(a[1]) == 90 and abs(b[1]) == 90)


def _jumps(points: list[Point], closed: bool) -> bool:
    edges = zip(points, points[1:] + (points[:1] if closed else []), strict=False)
    return any(_wraps(a, b) for a, b in edges)


def split_line(points: list[Point]) -> list[list[Point]]:
    """An open polyline cut into pieces at every edge that jumps across the map."""
    pieces: list[list[Point]] = [[points[0]]]
    for previous, point in zip(points, points[1:], strict=False):
        if _wraps(previous, point):
            pieces.append([])
        pieces[-1].append(point)
    return [piece for piece in pieces if len(piece) > 1]


def unwrap(points: list[Point]) -> list[Point]:
    """Longitudes made continuous (each step ≤ 180°), so a crossing ring runs past ±180."""
    out = [points[0]]
    for x, y in points[1:]:
        previous = out[-1][0]
        while x - previous > JUMP:
            x -= 360.0
        while x - previous < -JUMP:
            x += 360.0
        out.append((x, y))
    return out


def fix_ring(points: list[Point]) -> list[list[Point]]:
    """A closed ring as rings that draw right in a -180..180 viewBox (see the module docstring)."""
    if not _jumps(points, closed=True):
        return [points]
    ring = unwrap(points)
    winding = ring[-1][0] - ring[0][0]
    if abs(winding) > JUMP:  # goes once round a pole: close it along the map edge at that pole
        pole = 90.0 if sum(y for _, y in ring) > 0 else -90.0
        end_x = ring[-1][0]
        ring = ring + [(end_x, pole), (ring[0][0], pole)]
        shift = -360.0 if max(x for x, _ in ring) > 180 else 360.0
        return [ring, [(x + shift, y) for x, y in ring]] if max(abs(x) for x, _ in ring) > 180 else [ring]
    rings = [ring]
    if max(x for x, _ in ring) > 180:
        rings.append([(x - 360.0, y) for x, y in ring])
    if min(x for x, _ in ring) < -180:
        rings.append([(x + 360.0, y) for x, y in ring])
    return rings


def fix_land(path: str) -> str:
    """Land fill path data with every antimeridian-crossing ring unwrapped and duplicated."""
    parts = []
    for points, closed in parse(path):
        rings = fix_ring(points) if closed else split_line(points)
        parts += [render(ring, closed) for ring in rings]
    return "".join(parts)


def fix_lines(path: str) -> str:
    """Stroke path data (borders, coastlines) split wherever an edge jumps across the map."""
    parts = []
    for points, closed in parse(path):
        if closed and not _jumps(points, closed=True):
            parts.append(render(points, closed=True))
            continue
        line = points + points[:1] if closed else points
        parts += [render(piece, closed=False) for piece in split_line(line)]
    return "".join(parts)


def crossing_edges(path: str) -> list[tuple[Point, Point]]:
    """Edges that span more than 180° of longitude away from the poles (what draws a stray line)."""
    found = []
    for points, closed in parse(path):
        ring = points + points[:1] if closed else points
        found += [(a, b) for a, b in zip(ring, ring[1:], strict=False) if _wraps(a, b)]
    return found
