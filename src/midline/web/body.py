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
    "hip-flexors": (_FRONT_X, "M30 58 L52 62 L50 88 L34 84 Z"),
    "sartorius": (_FRONT_X, "M28 64 L34 64 L54 150 L48 152 Z"),
    "adductors": (_FRONT_X, "M52 66 L55 70 L54 150 L44 128 L42 90 Z"),
    "vastus-medialis": (_FRONT_X, "M44 140 L54 150 L52 172 L42 168 Z"),
    "quadriceps": (_FRONT_X, "M28 84 L42 90 L44 140 L42 166 L30 160 L24 110 Z"),
    "abductors": (_FRONT_X, "M18 50 L30 58 L28 84 L20 80 Z"),
    # back view
    "deep-hip-rotators": (_BACK_X, "M30 54 L54 60 L52 74 L30 70 Z"),
    "gluteals": (_BACK_X, "M20 44 L54 50 L54 60 L30 54 L20 64 Z"),
    "hamstrings": (_BACK_X, "M24 80 L50 84 L50 160 L30 158 Z"),
    "adductors-back": (_BACK_X, "M50 84 L55 86 L54 150 L50 150 Z"),
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

_OUTLINE = (
    "M20 40 Q55 30 90 40 L92 80 L86 170 L84 240 L66 240 L62 170 L56 100 L54 100 L48 170"
    " L44 240 L26 240 L24 170 L18 80 Z"
)


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
        f'<path class="outline" d="{_OUTLINE}"/>',
        f'<path class="outline" d="{_OUTLINE}" transform="translate({_BACK_X} 0)"/>',
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
