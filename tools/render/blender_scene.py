"""Blender side (runs inside Blender's own Python; bpy + numpy only): render posed meshes to PNGs.

    blender -b -P blender_scene.py -- scene.npz out_dir

scene.npz holds the triangles, the posed vertices of every unique render, the camera (world matrix,
focal length), resolution, samples, skin colour and an optional box. One mesh is built once and its
vertex positions replaced per render, so every image shows exactly the skinned mesh of the truth.
"""

import sys
from pathlib import Path

import bpy  # type: ignore[import-not-found]
import numpy as np
from mathutils import Matrix  # type: ignore[import-not-found]


def _material(name, rgb, roughness):
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*rgb, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    return mat


def main(scene_path: Path, out_dir: Path) -> None:
    d = np.load(scene_path)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = int(d["samples"])
    scene.cycles.use_denoising = False  # Debian builds lack OpenImageDenoise
    scene.cycles.max_bounces = 4
    w, h = (int(v) for v in d["resolution"])
    scene.render.resolution_x, scene.render.resolution_y = w, h
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.view_settings.view_transform = "Standard"

    world = bpy.data.worlds.new("world")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.55, 0.57, 0.6, 1.0)
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.3
    scene.world = world

    verts0 = d["renders"][0]
    mesh = bpy.data.meshes.new("body")
    mesh.from_pydata(verts0.tolist(), [], d["triangles"].tolist())
    mesh.polygons.foreach_set("use_smooth", [True] * len(mesh.polygons))
    body = bpy.data.objects.new("body", mesh)
    body.data.materials.append(_material("skin", tuple(float(c) for c in d["skin"]), 0.55))
    scene.collection.objects.link(body)

    bpy.ops.mesh.primitive_plane_add(size=30.0, location=(0.0, 0.0, 0.0))
    bpy.context.object.data.materials.append(_material("floor", (0.35, 0.3, 0.27), 0.8))
    if d["box"].size:
        x, y, top, half = (float(v) for v in d["box"])
        bpy.ops.mesh.primitive_cube_add(size=1.0, location=(x, y + half * 0.5, top / 2.0))
        bpy.context.object.scale = (2.2 * half, 2.0 * half, top)
        bpy.context.object.data.materials.append(_material("box", (0.15, 0.25, 0.4), 0.6))
    # A backdrop 3 m beyond the subject, square to the camera's horizontal view direction.
    m = np.asarray(d["camera_matrix"], dtype=np.float64)
    fwd = -m[:3, 2]
    fwd_h = np.array([fwd[0], fwd[1], 0.0]) / np.hypot(fwd[0], fwd[1])
    dist = float(np.hypot(*(np.asarray(d["look_at"])[:2] - m[:2, 3]))) + 3.0
    centre = m[:3, 3] + dist * fwd_h
    angle = float(np.arctan2(-fwd_h[0], fwd_h[1]))
    bpy.ops.mesh.primitive_plane_add(
        size=30.0, location=(centre[0], centre[1], 0.0), rotation=(np.pi / 2, 0.0, angle)
    )
    bpy.context.object.data.materials.append(_material("wall", (0.45, 0.47, 0.5), 0.9))

    cam_data = bpy.data.cameras.new("cam")
    cam_data.lens = float(d["focal_mm"])
    cam_data.sensor_width = 36.0
    cam_data.sensor_fit = "HORIZONTAL"
    cam = bpy.data.objects.new("cam", cam_data)
    cam.matrix_world = Matrix([list(map(float, r)) for r in d["camera_matrix"]])
    scene.collection.objects.link(cam)
    scene.camera = cam

    # A key sun from the camera's side and above (turned with the camera) and a softer one from behind:
    # sun lights converge in few samples (no denoiser in Debian's build), so 8 samples look clean enough.
    for name, energy, rot in (
        ("key", 2.2, (0.9, 0.0, angle - 0.35)),
        ("back", 0.8, (-0.9, 0.0, angle + 2.6)),
    ):
        sun = bpy.data.lights.new(name, "SUN")
        sun.energy = energy
        sun.angle = 0.3
        obj = bpy.data.objects.new(name, sun)
        obj.rotation_euler = rot
        scene.collection.objects.link(obj)

    out_dir.mkdir(parents=True, exist_ok=True)
    flat = np.empty(len(verts0) * 3, dtype=np.float32)
    for i, verts in enumerate(d["renders"]):
        target = out_dir / f"render_{i:04d}.png"
        if target.exists():  # resumable: a killed run keeps what it finished
            continue
        flat[:] = verts.ravel()
        mesh.vertices.foreach_set("co", flat)
        mesh.update()
        scene.render.filepath = str(target)
        bpy.ops.render.render(write_still=True)
        print(f"rendered {i + 1}/{len(d['renders'])}", flush=True)


if __name__ == "__main__":
    args = sys.argv[sys.argv.index("--") + 1 :]
    main(Path(args[0]), Path(args[1]))
