#!/usr/bin/env bash
# Render every scenario (or those given) into tests/data/rendered, one Blender process at a time,
# skipping clips already there. Run it in the background: about 3 s per unique frame on 2 cores.
#   tools/render/render_all.sh                 # all of tools/render/scenarios/*.yaml
#   tools/render/render_all.sh scenarios/r03*.yaml
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${OUT:-$repo/tests/data/rendered}"
cd "$here"
scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(scenarios/*.yaml)
for s in "${scenarios[@]}"; do
  name="$(basename "$s" .yaml)"
  if [ -f "$out/$name.mp4" ] && [ -f "$out/$name.truth.json" ]; then
    echo "skip $name (already rendered)"
    continue
  fi
  (cd "$here/.." && "$repo/.venv/bin/python" -m render --scenario "$here/$s" --out "$out")
done
