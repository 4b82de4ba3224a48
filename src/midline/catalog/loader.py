"""Load the catalog's YAML files, validate every entry and every cross-reference.

A broken file fails loudly with :class:`~midline.errors.CatalogError` naming the file, the entry
and what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from midline.catalog.models import (
    Action,
    Entry,
    Exercise,
    LegPosition,
    Muscle,
    Placement,
    Prop,
)
from midline.errors import CatalogError, UnknownEntryError

E = TypeVar("E", bound=Entry)

FILES: dict[str, type[Entry]] = {
    "actions.yaml": Action,
    "muscles.yaml": Muscle,
    "positions.yaml": LegPosition,
    "placements.yaml": Placement,
    "props.yaml": Prop,
    "exercises.yaml": Exercise,
}
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Catalog:
    """Every entry of the catalog, by id, in file order."""

    version: str
    actions: Mapping[str, Action]
    muscles: Mapping[str, Muscle]
    positions: Mapping[str, LegPosition]
    placements: Mapping[str, Placement]
    props: Mapping[str, Prop]
    exercises: Mapping[str, Exercise]

    def exercise(self, exercise_id: str) -> Exercise:
        return _get(self.exercises, exercise_id, "exercise")

    def muscle(self, muscle_id: str) -> Muscle:
        return _get(self.muscles, muscle_id, "muscle")

    def position(self, position_id: str) -> LegPosition:
        return _get(self.positions, position_id, "leg position")

    def prop(self, prop_id: str) -> Prop:
        return _get(self.props, prop_id, "prop")

    def muscles_in_group(self, group: str) -> list[Muscle]:
        return [m for m in self.muscles.values() if m.group == group]


def _get(table: Mapping[str, E], key: str, what: str) -> E:
    try:
        return table[key]
    except KeyError:
        known = ", ".join(table)
        raise UnknownEntryError(f"unknown {what} {key!r}; known: {known}") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path.name}: catalog file is missing ({path})") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or "entries" not in data:
        raise CatalogError(f"{path.name}: expected a mapping with 'version' and 'entries'")
    if data.get("schema") != SCHEMA_VERSION:
        raise CatalogError(
            f"{path.name}: schema {data.get('schema')!r} is not supported (expected {SCHEMA_VERSION})"
        )
    return data


def _parse(path: Path, model: type[E], raw: Any) -> dict[str, E]:
    if not isinstance(raw, list):
        raise CatalogError(f"{path.name}: 'entries' must be a list")
    out: dict[str, E] = {}
    for i, item in enumerate(raw):
        label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(entry)'}: {err['msg']}" for err in exc.errors()
            )
            raise CatalogError(f"{path.name}: entry {label!r}: {problems}") from None
        if entry.id in out:
            raise CatalogError(f"{path.name}: entry {entry.id!r} is defined twice")
        out[entry.id] = entry
    return out


def _check_refs(
    file: str, owner: str, field: str, ids: Iterable[str], known: Mapping[str, BaseModel]
) -> None:
    for ref in ids:
        if ref not in known:
            raise CatalogError(f"{file}: entry {owner!r}: {field} names unknown id {ref!r}")


def _cross_check(cat: Catalog) -> None:
    for m in cat.muscles.values():
        _check_refs("muscles.yaml", m.id, "actions", m.actions, cat.actions)
    for p in cat.props.values():
        _check_refs("props.yaml", p.id, "placements", p.placements, cat.placements)
    for ex in cat.exercises.values():
        for field, ids, known in (
            ("primary_muscles", ex.primary_muscles, cat.muscles),
            ("secondary_muscles", ex.secondary_muscles, cat.muscles),
            ("actions", ex.actions, cat.actions),
            ("positions", ex.positions, cat.positions),
            ("props", [u.prop for u in ex.props], cat.props),
        ):
            _check_refs("exercises.yaml", ex.id, field, ids, known)
        for use in ex.props:
            allowed = cat.props[use.prop].placements
            for pl in use.placements:
                if pl not in allowed:
                    raise CatalogError(
                        f"exercises.yaml: entry {ex.id!r}: prop {use.prop!r} cannot sit at {pl!r}"
                        f" (its placements: {allowed})"
                    )


def load_catalog_from(directory: Path) -> Catalog:
    """Load and validate the catalog in ``directory`` (one YAML file per kind of entry)."""
    tables: dict[str, dict[str, Entry]] = {}
    versions: dict[str, str] = {}
    for name, model in FILES.items():
        path = directory / name
        data = _read_yaml(path)
        versions[name] = str(data.get("version", ""))
        tables[name.removesuffix(".yaml")] = _parse(path, model, data["entries"])
    if len(set(versions.values())) != 1:
        first, expected = next(iter(versions.items()))
        odd = ", ".join(f"{n} has {v!r}" for n, v in versions.items() if v != expected)
        raise CatalogError(
            f"catalog files disagree on their version: {first} has {expected!r} but {odd};"
            " give every file the same version"
        )
    cat = Catalog(version=next(iter(versions.values())), **tables)  # type: ignore[arg-type]
    _cross_check(cat)
    return cat


@cache
def load_catalog() -> Catalog:
    """The catalog shipped inside the package (loaded once per process)."""
    root = resources.files("midline.catalog") / "data"
    with resources.as_file(root) as directory:
        return load_catalog_from(Path(directory))
