#!/usr/bin/env python
"""Largest connected component: msdseg (`scipy.ndimage.label`) vs connected-components-3d (cc3d), one run.

Three binary masks of 256 x 256 x 128 voxels (a CT-sized prediction):

- "organ + blobs": an ellipsoidal organ (10 % of the volume) with a second class inside and
                   30 spurious 4^3 blobs scattered over the whole volume (the case
                   postprocessing exists for);
- "compact":       a 40 x 40 x 30 organ and one small blob near it (a small structure in a large
                   volume: the bounding-box crop of `largest_component` pays off);
- "noise":         30 % random voxels (hundreds of thousands of components: the worst case).

msdseg: `msdseg.postprocess.largest_component` (crop to the mask's bounding box, `ndimage.label`,
`np.bincount`). cc3d: `cc3d.largest_k(mask, k=1)` on the full mask. Both with 26- and 6-connectivity;
the outputs must be identical. Ratios are msdseg time / cc3d time (> 1: cc3d faster).

cc3d is not a dependency of msdseg (without it the benchmark is skipped); install it anywhere and
point to it:

    pip install --target /tmp/cc3d connected-components-3d
    python bench/connected_components.py --path /tmp/cc3d [--repeat 5]
"""
from __future__ import annotations

import argparse, sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import save, timeit_pair  # noqa: E402

SHAPE = (256, 256, 128)


def masks(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    g = np.indices(SHAPE, sparse=True)
    organ = sum(((gi - c) / a) ** 2 for gi, c, a in zip(g, (128, 128, 64), (80, 60, 40))) <= 1
    for _ in range(30):
        c = rng.integers(4, np.array(SHAPE) - 4)
        organ[tuple(slice(x - 2, x + 2) for x in c)] = True
    compact = np.zeros(SHAPE, bool)
    compact[100:140, 90:130, 50:80] = True
    compact[150:155, 150:155, 60:64] = True
    return {"organ + blobs": organ, "compact": compact, "noise": rng.random(SHAPE) < 0.3}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--path", help="a folder holding the cc3d package (pip install --target ...)")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    if a.path: sys.path.insert(0, a.path)
    try:
        import cc3d
    except ImportError:                      # not a dependency: `make bench` skips this one instead of failing
        print("skipped: cc3d is not installed (pip install --target DIR connected-components-3d, then --path DIR)")
        return
    from msdseg.postprocess import largest_component
    from importlib.metadata import version
    out = {"shape": SHAPE, "cc3d": version("connected-components-3d"), "cases": {}}
    for name, m in masks().items():
        for conn in (26, 6):
            ours, theirs = largest_component(m, conn), cc3d.largest_k(m, k=1, connectivity=conn) > 0
            if not np.array_equal(ours, theirs): raise AssertionError(f"{name}, connectivity {conn}: outputs differ")
            t_ours, t_cc3d = timeit_pair(lambda: largest_component(m, conn),
                                         lambda: cc3d.largest_k(m, k=1, connectivity=conn), repeat=a.repeat)
            out["cases"][f"{name}, {conn}-connected"] = {
                "fill": float(m.mean()), "msdseg_scipy": t_ours, "cc3d": t_cc3d,
                "ratio_msdseg_over_cc3d": t_ours["median_s"] / t_cc3d["median_s"]}
    save("connected_components", out)


if __name__ == "__main__":
    main()
