"""A simple front/back lower-body diagram (inline SVG) with the muscles an exercise works shaded."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

# Region shapes on a 240 x 260 canvas: front view on the left (x 0-110), back view on the right
# (x 130-240). Each entry: region id -> (view, SVG path). Left and right legs share a region id.
_FRONT_X, _BACK_X = 0, 130


def _legs(dx: int, shape: str) -> list[str]:
    """The same region on both legs of one view: ``shape`` is drawn for the figure's right leg
    (viewer's left) and mirrored about the view's centre line."""
    return [
        f'<path d="{shape}" transform="translate({dx} 0)"/>',
        f'<path d="{shape}" transform="translate({dx + 110} 0) scale(-1 1)"/>',
    ]


REGIONS: dict[str, tuple[int, str]] = {
    # front view
    "hip-flexors": (_FRONT_X, "M30 62 L45 66 L43 86 L31 82 Z"),
    "quadriceps": (_FRONT_X, "M23 90 L40 92 L43 118 L40 158 L28 160 L21 120 Z"),
    "adductors": (_FRONT_X, "M45 70 L55 92 L53 110 L49 146 L43 118 L41 90 Z"),
    "vastus-medialis": (_FRONT_X, "M41 138 L49 146 L48 165 L40 162 Z"),
    "sartorius": (_FRONT_X, "M22 64 L27 64 L49 156 L45 160 Z"),
    "abductors": (_FRONT_X, "M16 52 L26 58 L24 92 L17 84 Z"),
    # back view
    "gluteals": (_BACK_X, "M20 44 L55 46 L55 74 L30 80 L18 68 Z"),
    "deep-hip-rotators": (_BACK_X, "M32 58 L54 60 L54 70 L34 70 Z"),
    "hamstrings": (_BACK_X, "M22 86 L47 88 L47 160 L27 160 Z"),
    "adductors-back": (_BACK_X, "M48 88 L53 98 L52 112 L49 150 Z"),
}

MUSCLE_REGIONS: dict[str, tuple[str, ...]] = {
    "adductor-magnus": ("adductors", "adductors-back"),
    "adductor-longus": ("adductors",),
    "adductor-brevis": ("adductors",),
    "gracilis": ("adductors", "adductors-back"),
    "pectineus": ("adductors",),
    "vastus-medialis": ("vastus-medialis",),
    "sartorius": ("sartorius",),
    "deep-hip-rotators": ("deep-hip-rotators",),
    "gluteus-medius-minimus": ("abductors", "gluteals"),
    "tensor-fasciae-latae": ("abductors",),
    "hamstrings": ("hamstrings",),
    "hip-flexors": ("hip-flexors",),
}
"""Catalog muscle id -> the drawn regions it lies in (unknown ids are listed, not drawn)."""

_OUTLINE = "M22 40 L55 36 L55 96 L53 110 L48 165 L46 200 L44 240 L32 240 L27 200 L26 165 L20 120 L16 70 Z"
"""Half the lower body (the figure's right side), mirrored like the regions."""


def regions_for(muscles: Iterable[str]) -> set[str]:
    return {r for m in muscles for r in MUSCLE_REGIONS.get(m, ())}


def body_svg(primary: Iterable[str], secondary: Iterable[str] = (), title: str = "Muscles worked") -> str:
    """The diagram as SVG markup: primary regions solid, secondary hatched-light; a text
    alternative lists the muscles for screen readers."""
    prim = regions_for(primary)
    sec = regions_for(secondary) - prim
    parts = [
        f'<svg class="body" viewBox="0 0 240 260" role="img" aria-labelledby="body-title">'
        f'<title id="body-title">{escape(title)}</title>',
        '<g class="outline">',
        *_legs(_FRONT_X, _OUTLINE),
        *_legs(_BACK_X, _OUTLINE),
        "</g>",
    ]
    for region, (dx, shape) in REGIONS.items():
        cls = "primary" if region in prim else "secondary" if region in sec else "idle"
        parts.append(f'<g class="region {cls}" data-region="{region}">')
        parts.extend(_legs(dx, shape))
        parts.append("</g>")
    parts.append('<text x="55" y="256" text-anchor="middle">front</text>')
    parts.append('<text x="185" y="256" text-anchor="middle">back</text>')
    parts.append("</svg>")
    return "".join(parts)
