#!/usr/bin/env python
"""HD95 and normalised surface Dice: msdseg vs MONAI, same masks, same spacing, one run.

Two 256^3 mask pairs with anisotropic spacing (0.8, 0.8, 2.5) mm (Task07_Pancreas-like):

- "organ":  an ellipsoid spanning 50-60 % of each axis (123 x 111 x 320 mm at 256^3) with a smoothly
            perturbed surface as the truth,
            and a prediction whose surface is perturbed differently, shifted by a voxel or two,
            plus a small false-positive blob (so that HD95 and the maximum differ);
- "tumour": a 25 mm lesion and a slightly larger, shifted prediction in the same 256^3 volume
            (small structures in a large volume: the common case for tumour classes).

msdseg: `hausdorff_distance(percentile=95)`, `surface_dice(tolerance_mm=2)` and `evaluate_case`
(which computes Dice, IoU, HD95, NSD and volumes from ONE distance computation), with the default
method ("auto": k-d tree here) and with the dense distance transform ("edt") for reference.
MONAI 1.6: `compute_hausdorff_distance(percentile=95)` and `compute_surface_dice(use_subvoxels=False)`
(the values of `HausdorffDistanceMetric` / `SurfaceDiceMetric` are checked to be the same).
Both use the same boundary definition (mask minus its face-connected erosion, border =
background) and exact Euclidean distances between boundary voxels in mm, so values must agree to
float32 rounding (MONAI returns float32): |dHD95| <= 1e-5 * HD95 + 1e-6 mm and |dNSD| <= 1e-6.
Inputs are prepared outside the timed region (NumPy bool arrays for msdseg; float32 torch tensors
(1, 1, X, Y, Z), MONAI's one-hot layout, for MONAI). Single-threaded k-d tree queries in both.
Ratios are MONAI time / msdseg time (> 1: msdseg faster).

    python bench/metrics.py [--size 256] [--repeat 3]
"""
from __future__ import annotations

import argparse, sys, warnings
from pathlib import Path

import numpy as np
from scipy import ndimage

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import peak_rss_mb, save, timeit  # noqa: E402

SPACING = (0.8, 0.8, 2.5)
TOL_MM = 2.0


def _field(n, centre, radii_mm, spacing):
    "Normalised ellipsoid 'radius' (1 on the surface) on an n^3 grid, in mm."
    axes = [((np.arange(n, dtype="float32") - c) * s / r) ** 2 for c, r, s in zip(centre, radii_mm, spacing)]
    return np.sqrt(axes[0][:, None, None] + axes[1][None, :, None] + axes[2][None, None, :])


def _smooth_noise(rng, n, sigma, amp):
    z = ndimage.gaussian_filter(rng.normal(size=(n, n, n)).astype("float32"), sigma)
    return amp * z / z.std()


def make_pairs(n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    c = np.array([n / 2] * 3)
    radii = (0.30 * n * 0.8, 0.27 * n * 0.8, 0.25 * n * 2.5)  # mm: the organ spans 50-60 % of each axis
    truth = _field(n, c, radii, SPACING) <= 1 + _smooth_noise(rng, n, 10, 0.03)
    pred = _field(n, c + [1.5, -1.0, 0.6], radii, SPACING) <= 1 + _smooth_noise(rng, n, 10, 0.03)
    pred |= _field(n, c + [0.4 * n, 0.4 * n, 0.0], (4, 4, 6), SPACING) <= 1   # false-positive blob away from the organ
    organ = (truth, pred)
    ct = c + [0.15 * n, -0.1 * n, 0.05 * n]
    t_t = _field(n, ct, (12.5, 12.5, 12.5), SPACING) <= 1 + _smooth_noise(rng, n, 3, 0.08)
    t_p = _field(n, ct + [2, 1, 0.5], (13.5, 13.0, 13.5), SPACING) <= 1 + _smooth_noise(rng, n, 3, 0.08)
    return {"organ": organ, "tumour": (t_t, t_p)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    import torch
    import monai
    from monai.metrics import (HausdorffDistanceMetric, SurfaceDiceMetric, compute_hausdorff_distance,
                               compute_surface_dice)
    from msdseg.metrics import _boundary, _bbox, evaluate_case, hausdorff_distance, surface_dice
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")

    results, ok = {}, True
    for name, (t, p) in make_pairs(a.size).items():
        box = _bbox(t | p)
        info = {"shape": list(t.shape), "spacing_mm": list(SPACING), "tolerance_mm": TOL_MM,
                "voxels_true": int(t.sum()), "voxels_pred": int(p.sum()),
                "union_box": [s.stop - s.start for s in box],
                "boundary_voxels": [int(_boundary(t[box]).sum()), int(_boundary(p[box]).sum())]}
        yt, yp = (torch.from_numpy(m[None, None].astype("float32")) for m in (t, p))
        sp = list(SPACING)

        ours = {
            "hd95": lambda: hausdorff_distance(t, p, SPACING, 95),
            "nsd": lambda: surface_dice(t, p, SPACING, TOL_MM),
            "hd95_edt": lambda: hausdorff_distance(t, p, SPACING, 95, method="edt"),
            "nsd_edt": lambda: surface_dice(t, p, SPACING, TOL_MM, method="edt"),
            "evaluate_case": lambda: evaluate_case(t.astype("uint8"), p.astype("uint8"), SPACING, {1: "x"},
                                                   nsd_tolerance_mm=TOL_MM),
        }
        theirs = {
            "hd95": lambda: float(compute_hausdorff_distance(yp, yt, include_background=True, percentile=95, spacing=sp)),
            "nsd": lambda: float(compute_surface_dice(yp, yt, [TOL_MM], include_background=True, spacing=sp)),
        }
        v_ours = {k: f() for k, f in ours.items()}
        v_theirs = {k: f() for k, f in theirs.items()}
        hdm = HausdorffDistanceMetric(include_background=True, percentile=95)
        hdm(yp, yt, spacing=sp)
        nsdm = SurfaceDiceMetric([TOL_MM], include_background=True)
        nsdm(yp, yt, spacing=sp)
        v_classes = {"hd95": float(hdm.aggregate()), "nsd": float(nsdm.aggregate())}
        v_ours["hd100"] = hausdorff_distance(t, p, SPACING, 100)

        t_ours = {k: timeit(f, repeat=a.repeat) for k, f in ours.items()}
        t_theirs = {k: timeit(f, repeat=a.repeat) for k, f in theirs.items()}
        med = lambda d, k: d[k]["median_s"]

        ev = v_ours["evaluate_case"]
        agree = {
            "hd95_abs_diff_mm": abs(v_ours["hd95"] - v_theirs["hd95"]),
            "nsd_abs_diff": abs(v_ours["nsd"] - v_theirs["nsd"]),
            "edt_vs_kdtree_hd95_abs_diff_mm": abs(v_ours["hd95"] - v_ours["hd95_edt"]),
            "edt_vs_kdtree_nsd_abs_diff": abs(v_ours["nsd"] - v_ours["nsd_edt"]),
            "monai_classes_equal_functions": v_classes == {k: v_theirs[k] for k in v_classes},
            "evaluate_case_equals_functions": ev["hd95_x"] == v_ours["hd95"] and ev["nsd_x"] == v_ours["nsd"],
        }
        agree["within_tolerance"] = bool(
            agree["hd95_abs_diff_mm"] <= 1e-5 * v_theirs["hd95"] + 1e-6 and agree["nsd_abs_diff"] <= 1e-6
            and agree["edt_vs_kdtree_hd95_abs_diff_mm"] <= 1e-9 and agree["edt_vs_kdtree_nsd_abs_diff"] <= 1e-12
            and agree["monai_classes_equal_functions"] and agree["evaluate_case_equals_functions"])
        ok &= agree["within_tolerance"]
        results[name] = {
            **info,
            "values": {"msdseg_hd95_mm": v_ours["hd95"], "monai_hd95_mm": v_theirs["hd95"],
                       "msdseg_nsd": v_ours["nsd"], "monai_nsd": v_theirs["nsd"],
                       "msdseg_hd100_mm": v_ours["hd100"], "msdseg_dice": ev["dice_x"]},
            "agreement": agree,
            "msdseg_s": {k: v for k, v in t_ours.items()},
            "monai_s": {k: v for k, v in t_theirs.items()},
            "ratios_monai_over_msdseg": {
                "hd95": med(t_theirs, "hd95") / med(t_ours, "hd95"),
                "nsd": med(t_theirs, "nsd") / med(t_ours, "nsd"),
                "hd95_plus_nsd_vs_evaluate_case": (med(t_theirs, "hd95") + med(t_theirs, "nsd")) / med(t_ours, "evaluate_case"),
                "hd95_vs_msdseg_edt": med(t_theirs, "hd95") / med(t_ours, "hd95_edt"),
            },
        }
        print(name, {k: round(v, 2) for k, v in results[name]["ratios_monai_over_msdseg"].items()}, flush=True)

    save("metrics", {
        "description": __doc__.split("\n\n")[0],
        "settings": {"size": a.size, "repeat": a.repeat, "spacing_mm": list(SPACING), "tolerance_mm": TOL_MM,
                     "monai": monai.__version__, "threads": "torch 1 thread; k-d tree queries single-threaded (workers=1)"},
        "cases": results, "all_within_tolerance": bool(ok), "peak_rss_mb": peak_rss_mb()})
    if not ok: sys.exit("values disagree beyond the stated tolerance")


if __name__ == "__main__":
    main()
