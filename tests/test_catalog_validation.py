"""A broken catalog file fails loudly: CatalogError naming the file, the entry and what is wrong.

Each test copies the shipped data directory, breaks exactly one thing, and loads the copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from midline.catalog.loader import load_catalog_from
from midline.errors import CatalogError

DATA = Path(str(resources.files("midline.catalog") / "data"))

Doc = dict[str, Any]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(directory: Path, file: str, change: Callable[[Doc], None]) -> None:
    path = directory / file
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def entry(doc: Doc, entry_id: str) -> Doc:
    return next(e for e in doc["entries"] if e["id"] == entry_id)


def load_error(directory: Path) -> str:
    with pytest.raises(CatalogError) as err:
        load_catalog_from(directory)
    return str(err.value)


def test_the_untouched_copy_loads(data_dir: Path) -> None:
    cat = load_catalog_from(data_dir)
    assert "standing-squeeze" in cat.exercises


def test_unknown_muscle_in_an_exercise(data_dir: Path) -> None:
    edit(
        data_dir,
        "exercises.yaml",
        lambda d: entry(d, "clamshell")["secondary_muscles"].append("gluteus-maximus"),
    )
    msg = load_error(data_dir)
    assert msg.startswith("exercises.yaml: entry 'clamshell':")
    assert "secondary_muscles names unknown id 'gluteus-maximus'" in msg


def test_exercise_puts_a_prop_where_it_cannot_sit(data_dir: Path) -> None:
    edit(
        data_dir,
        "exercises.yaml",
        lambda d: entry(d, "seated-squeeze")["props"][0]["placements"].append("footbar"),
    )
    msg = load_error(data_dir)
    assert "exercises.yaml: entry 'seated-squeeze': prop 'ball' cannot sit at 'footbar'" in msg


def test_prop_names_an_unknown_placement(data_dir: Path) -> None:
    edit(data_dir, "props.yaml", lambda d: entry(d, "ring")["placements"].append("between-the-feet"))
    msg = load_error(data_dir)
    assert msg == "props.yaml: entry 'ring': placements names unknown id 'between-the-feet'"


def test_invalid_yaml(data_dir: Path) -> None:
    path = data_dir / "muscles.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - id: [unclosed\n", encoding="utf-8")
    msg = load_error(data_dir)
    assert msg.startswith("muscles.yaml: not valid YAML")
    assert "line" in msg


def test_duplicate_id(data_dir: Path) -> None:
    edit(data_dir, "exercises.yaml", lambda d: d["entries"].append(dict(entry(d, "rainbow"))))
    assert load_error(data_dir) == "exercises.yaml: entry 'rainbow' is defined twice"


def test_missing_required_field(data_dir: Path) -> None:
    edit(data_dir, "exercises.yaml", lambda d: entry(d, "mat-footwork").pop("tempo"))
    msg = load_error(data_dir)
    assert msg.startswith("exercises.yaml: entry 'mat-footwork':")
    assert "tempo: Field required" in msg


def test_id_not_kebab_case(data_dir: Path) -> None:
    edit(data_dir, "positions.yaml", lambda d: entry(d, "internal").update(id="Internal_Rotation"))
    msg = load_error(data_dir)
    assert msg.startswith("positions.yaml: entry 'Internal_Rotation': id:")
    assert "should match pattern" in msg


def test_release_faster_than_squeeze(data_dir: Path) -> None:
    edit(
        data_dir,
        "exercises.yaml",
        lambda d: entry(d, "leg-extension").update(tempo={"squeeze_s": 3, "hold_s": 1, "release_s": 1}),
    )
    msg = load_error(data_dir)
    assert msg.startswith("exercises.yaml: entry 'leg-extension': tempo:")
    assert "release_s (1.0) must be longer than squeeze_s (3.0)" in msg


def test_default_position_not_among_the_allowed_ones(data_dir: Path) -> None:
    edit(data_dir, "exercises.yaml", lambda d: entry(d, "clamshell").update(default_position="internal"))
    msg = load_error(data_dir)
    assert msg.startswith("exercises.yaml: entry 'clamshell':")
    assert "default_position 'internal' is not among positions ['parallel']" in msg


def test_position_not_in_positions_file(data_dir: Path) -> None:
    edit(
        data_dir,
        "exercises.yaml",
        lambda d: entry(d, "walking").update(positions=["parallel", "turned-out"]),
    )
    assert load_error(data_dir) == "exercises.yaml: entry 'walking': positions names unknown id 'turned-out'"


def test_schema_mismatch(data_dir: Path) -> None:
    edit(data_dir, "actions.yaml", lambda d: d.update(schema=2))
    assert load_error(data_dir) == "actions.yaml: schema 2 is not supported (expected 1)"


def test_versions_disagree(data_dir: Path) -> None:
    edit(data_dir, "placements.yaml", lambda d: d.update(version="1999.1.1"))
    msg = load_error(data_dir)
    assert msg.startswith("catalog files disagree on their version:")
    assert "placements.yaml has '1999.1.1'" in msg


def test_unknown_field_is_rejected(data_dir: Path) -> None:
    edit(data_dir, "exercises.yaml", lambda d: entry(d, "rainbow").update(difficulty="hard"))
    msg = load_error(data_dir)
    assert msg.startswith("exercises.yaml: entry 'rainbow': difficulty:")
    assert "Extra inputs are not permitted" in msg


def test_muscle_names_an_unknown_action(data_dir: Path) -> None:
    edit(data_dir, "muscles.yaml", lambda d: entry(d, "gracilis")["actions"].append("hip-hinge"))
    assert load_error(data_dir) == "muscles.yaml: entry 'gracilis': actions names unknown id 'hip-hinge'"


def test_missing_file(data_dir: Path) -> None:
    (data_dir / "props.yaml").unlink()
    assert load_error(data_dir).startswith("props.yaml: catalog file is missing")


def test_an_analysable_exercise_with_reps_needs_a_smallest_range(data_dir: Path) -> None:
    edit(data_dir, "exercises.yaml", lambda d: entry(d, "seated-squeeze")["analysis"].pop("thresholds"))
    msg = load_error(data_dir)
    assert msg.startswith("exercises.yaml: entry 'seated-squeeze': analysis:")
    assert "thresholds.min_rom must be set (> 0, in leg_length)" in msg
