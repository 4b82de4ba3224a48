"""The MakeHuman base body as numpy arrays: mesh, body-shape target, rig placed on the joint cubes, weights.

Everything is converted once to metres, z up, -y forward, +x the person's left (the rig's frame), and
shifted so the soles rest on z = 0. The rig's bones sit at the centroids of the mesh's joint cubes
*after* the target is applied, so every body shape gets its own skeleton, as MakeHuman builds it.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parent / "assets" / "makehuman"  # CC0, copied from shared/assets
LEG_BONES = {"l": ("thigh_l", "calf_l", "foot_l", "ball_l"), "r": ("thigh_r", "calf_r", "foot_r", "ball_r")}
_OBJ_TO_RIG = np.array([[0.1, 0.0, 0.0], [0.0, 0.0, -0.1], [0.0, 0.1, 0.0]])  # dm y-up -> m z-up, -y front


class BodyAssetError(RuntimeError):
    """The MakeHuman assets are missing or not in the expected layout."""


@dataclass(frozen=True)
class Body:
    """A rest-pose body: vertices (V, 3), render faces (triangles), skeleton and skin weights."""

    vertices: np.ndarray  # (V, 3) float64, metres
    triangles: np.ndarray  # (T, 3) int, the "body" group only (no helper geometry)
    bone_names: tuple[str, ...]
    bone_parent: np.ndarray  # (B,) int, -1 for the root; parents come before children
    bone_head: np.ndarray  # (B, 3)
    bone_tail: np.ndarray  # (B, 3)
    weights: np.ndarray  # (V, B) float64, rows sum to 1 on skinned vertices
    leg_side: np.ndarray  # (V,) int8: +1 left leg, -1 right leg, 0 elsewhere (by skin weight majority)

    def bone(self, name: str) -> int:
        return self.bone_names.index(name)


def _parse_obj(path: Path) -> tuple[np.ndarray, np.ndarray]:
    verts: list[list[float]] = []
    tris: list[tuple[int, int, int]] = []
    group = ""
    with path.open() as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(t) for t in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split(maxsplit=1)[1].strip()
            elif line.startswith("f ") and group == "body":
                idx = [int(t.split("/")[0]) - 1 for t in line.split()[1:]]
                tris.extend((idx[0], idx[k], idx[k + 1]) for k in range(1, len(idx) - 1))
    return np.asarray(verts, dtype=np.float64), np.asarray(tris, dtype=np.int64)


def _group_indices(groups: dict[str, list[list[int]]], name: str) -> np.ndarray:
    return np.concatenate([np.arange(a, b + 1) for a, b in groups[name]])


def load_target(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A MakeHuman target: vertex indices and their offsets (OBJ units)."""
    with gzip.open(path, "rt") as fh:
        data = np.loadtxt(fh, dtype=np.float64, ndmin=2)
    return data[:, 0].astype(np.int64), data[:, 1:4]


def load_body(target: str | None = None, assets: Path = ASSETS) -> Body:
    """Build the body; `target` names a file in targets/ without `.target.gz` (None = the base mesh)."""
    try:
        raw, tris = _parse_obj(assets / "base.obj")
        groups = json.loads((assets / "basemesh_vertex_groups.json").read_text())
        rig = json.loads((assets / "rig.game_engine.json").read_text())
        wdata = json.loads((assets / "weights.game_engine.json").read_text())["weights"]
        if target:
            idx, offs = load_target(assets / "targets" / f"{target}.target.gz")
            raw[idx] += offs
    except (OSError, KeyError, ValueError) as exc:
        raise BodyAssetError(
            f"cannot read the MakeHuman assets in {assets} ({exc}); see its README.md"
        ) from exc
    verts = raw @ _OBJ_TO_RIG.T
    body_idx = _group_indices(groups, "body")
    verts[:, 2] -= verts[body_idx, 2].min()

    def point(spec: dict[str, object]) -> np.ndarray:
        if spec.get("strategy") == "CUBE":
            return verts[_group_indices(groups, str(spec["cube_name"]))].mean(axis=0)
        if spec.get("strategy") == "MEAN":
            return verts[np.asarray(spec["vertex_indices"], dtype=np.int64)].mean(axis=0)
        return np.asarray(spec["default_position"], dtype=np.float64)

    order: list[str] = []
    pending = dict(rig)
    while pending:  # parents before children
        for name in sorted(pending):
            parent = pending[name]["parent"]
            if not parent or parent in order:
                order.append(name)
                del pending[name]
    parent_idx = np.array([order.index(rig[n]["parent"]) if rig[n]["parent"] else -1 for n in order])
    heads = np.array([point(rig[n]["head"]) for n in order])
    tails = np.array([point(rig[n]["tail"]) for n in order])
    weights = np.zeros((len(verts), len(order)))
    for b, name in enumerate(order):
        pairs = np.asarray(wdata.get(name, []), dtype=np.float64).reshape(-1, 2)
        weights[pairs[:, 0].astype(np.int64), b] = pairs[:, 1]
    total = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
    side = np.zeros(len(verts), dtype=np.int8)
    for sign, key in ((1, "l"), (-1, "r")):
        share = weights[:, [order.index(b) for b in LEG_BONES[key]]].sum(axis=1)
        side[share > 0.5] = sign
    not_body = np.ones(len(verts), dtype=bool)
    not_body[body_idx] = False
    side[not_body] = 0
    return Body(verts, tris, tuple(order), parent_idx, heads, tails, weights, side)
