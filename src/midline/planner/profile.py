"""The planner's input: a user's profile, validated with messages a user can act on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from midline.catalog import Catalog
from midline.catalog.models import Level
from midline.errors import MidlineError


class ProfileError(MidlineError):
    """A profile value is out of range or names something the catalog does not know."""


def _clean_list(value: Any) -> tuple[str, ...]:
    """Accept a comma-separated string or a list; lower-case, strip, drop blanks and repeats."""
    items: Iterable[Any] = value.split(",") if isinstance(value, str) else value
    out: list[str] = []
    for item in items:
        text = str(item).strip().lower()
        if text and text not in out:
            out.append(text)
    return tuple(out)


class Profile(BaseModel):
    """What a user asks for. Ranges are the issue's: 1-7 days, 5-120 minutes, 1-52 weeks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level = "beginner"
    days: int = Field(default=3, ge=1, le=7, description="Sessions per week.")
    minutes: int = Field(default=20, ge=5, le=120, description="Minutes per session.")
    weeks: int = Field(default=4, ge=1, le=52)
    props: tuple[str, ...] = Field(default=(), description="Prop ids the user has ('none' implied).")
    avoid: tuple[str, ...] = Field(
        default=(), description="Exercise ids or condition words (matched against contraindications)."
    )
    prefer: tuple[str, ...] = Field(default=(), description="Exercise or leg-position ids to favour.")

    @field_validator("props", "avoid", "prefer", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> tuple[str, ...]:
        return _clean_list(value)


def make_profile(**values: Any) -> Profile:
    """Build a :class:`Profile`, turning pydantic's errors into one :class:`ProfileError` message."""
    try:
        return Profile(**values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "profile"
            got = f" (got {err['input']!r})" if "input" in err and err["type"] != "extra_forbidden" else ""
            problems.append(f"{field}: {err['msg']}{got}")
        raise ProfileError("invalid profile: " + "; ".join(problems)) from None


def check_against_catalog(profile: Profile, catalog: Catalog) -> None:
    """Props and preferences must name catalog entries; ``avoid`` may also hold condition words."""
    unknown = [p for p in profile.props if p not in catalog.props]
    if unknown:
        raise ProfileError(
            f"unknown prop{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))};"
            f" known props: {', '.join(catalog.props)}"
        )
    known_prefs = [*catalog.exercises, *catalog.positions]
    unknown = [p for p in profile.prefer if p not in known_prefs]
    if unknown:
        raise ProfileError(
            f"cannot prefer {', '.join(map(repr, unknown))}: not an exercise or leg position;"
            f" known leg positions: {', '.join(catalog.positions)}; exercises: {', '.join(catalog.exercises)}"
        )
