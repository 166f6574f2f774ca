"""Preprocessing throughput: msdseg's `load_case` + `preprocess_case` against MONAI's equivalent chain.

Same synthetic CT task (Task09-like, 256x256x128 voxels at 0.79x0.79x1.6 mm, stored in mixed
orientations), same target spacing (1.5x1.5x2 mm as in MONAI's spleen tutorial, and 1 mm isotropic),
same interpolation order, in one run:

- msdseg: `load_case` (nibabel) -> `preprocess_case` (reorient to RAS, nonzero crop, per-image
  z-score, `scipy.ndimage.zoom` resampling);
- MONAI:  `LoadImage` -> `EnsureChannelFirst` -> `Orientation("RAS")` -> `Spacing` ->
  `NormalizeIntensity` (per-image z-score).

Two interpolation settings: linear (msdseg `image_order=1`; MONAI `mode="bilinear"`, torch
`grid_sample`) and cubic spline (msdseg `image_order=3`; MONAI `mode=3`, scipy `map_coordinates`).
msdseg additionally crops to the nonzero box (a no-op on CT, but its cost is included). Figures are
cases per second of one process, timed interleaved (case by case, msdseg then MONAI, `--repeat`
rounds, the fastest round per case counts: robust on a shared machine); `ratio` = msdseg cases/s /
MONAI cases/s (> 1: msdseg faster).
A second part measures `preprocess_dataset` (which adds TFRecord writing) with 1 and 2 threads.

Run: `.venv/bin/python bench/preprocess.py [--cases 3] [--shape 256,256,128] [--repeat 2]`
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import peak_rss_mb, save  # noqa: E402


def _paired(fns: dict, items, repeat: int) -> dict:
    "Interleaved timing: each case through each function in turn, `repeat` rounds; per case the fastest round counts."
    for f in fns.values(): f(items[0])                              # warm-up
    best = {k: [float("inf")] * len(items) for k in fns}
    for _ in range(repeat):
        for j, x in enumerate(items):
            for k, f in fns.items():
                t0 = time.perf_counter(); f(x); dt = time.perf_counter() - t0
                best[k][j] = min(best[k][j], dt)
    return {k: {"seconds_per_case": sum(v) / len(v), "cases_per_s": len(v) / sum(v), "best_seconds": v}
            for k, v in best.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=4)
    ap.add_argument("--shape", default="256,256,128")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    shape = tuple(int(v) for v in args.shape.split(","))

    import numpy as np
    import torch
    from monai.transforms import Compose, EnsureChannelFirst, LoadImage, NormalizeIntensity, Orientation, Spacing

    from msdseg.config import apply_overrides, Config, get_task
    from msdseg.data import load_case, read_dataset
    from msdseg.preprocess import preprocess_case
    from msdseg.synthetic import make_synthetic_task

    tmp = Path(tempfile.mkdtemp(prefix="msdseg-bench-pre-"))
    try:
        root = make_synthetic_task(9, tmp, n_train=args.cases, n_test=0, shape=shape, seed=0)
        ds = read_dataset(root)
        cases = ds.training
        first = load_case(cases[0])
        targets = {"1.5x1.5x2mm": [1.5, 1.5, 2.0],                  # MONAI's spleen tutorial spacing
                   "1mm_iso": [1.0, 1.0, 1.0]}                       # finer z: upsampling work
        results = {"task": ds.name, "shape": list(shape), "num_cases": len(cases),
                   "file_spacing": [round(s, 4) for s in first.spacing], "targets": targets,
                   "torch_threads": torch.get_num_threads(), "variants": {}}
        for tname, target in targets.items():
            for name, order, monai_mode in (("linear", 1, "bilinear"), ("cubic", 3, 3)):
                cfg = apply_overrides(Config(task=9), [f"data.spacing={target}", "data.normalization=zscore",
                                                       f"data.image_order={order}"])
                msd = lambda c: preprocess_case(load_case(c.image), cfg, None)[0]
                chain = Compose([LoadImage(image_only=True), EnsureChannelFirst(), Orientation(axcodes="RAS"),
                                 Spacing(pixdim=target, mode=monai_mode), NormalizeIntensity()])
                mon = lambda c: chain(str(c.image))
                a, b = msd(cases[0]), mon(cases[0])
                t = _paired({"msdseg": msd, "monai": mon}, cases, args.repeat)
                t_msd, t_mon = t["msdseg"], t["monai"]
                key = f"{tname}_{name}"
                results["variants"][key] = {
                    "msdseg": t_msd, "monai": t_mon, "ratio": t_msd["cases_per_s"] / t_mon["cases_per_s"],
                    "output_shape_msdseg": list(a.shape[:3]), "output_shape_monai": list(b.shape[1:]),
                    "monai_mode": monai_mode, "msdseg_image_order": order, "target_spacing": target}
                print(key, "msdseg", round(t_msd["cases_per_s"], 3), "cases/s; monai", round(t_mon["cases_per_s"], 3),
                      "cases/s; ratio", round(results["variants"][key]["ratio"], 2), flush=True)
        target = targets["1.5x1.5x2mm"]

        # threads: preprocess_case alone, then preprocess_dataset (+ locations + TFRecord write)
        from concurrent.futures import ThreadPoolExecutor
        from msdseg.cache import preprocess_dataset
        cfg = apply_overrides(Config(task=9), [f"data.spacing={target}", "data.normalization=zscore"])
        one = lambda c: preprocess_case(load_case(c), cfg, None)
        threads = {"load_avg_before": os.getloadavg()[0]}
        c0, t0 = time.process_time(), time.perf_counter(); [one(c) for c in cases]
        serial, serial_cpu = time.perf_counter() - t0, time.process_time() - c0
        with ThreadPoolExecutor(2) as ex:
            c0, t0 = time.process_time(), time.perf_counter(); list(ex.map(one, cases))
            two, two_cpu = time.perf_counter() - t0, time.process_time() - c0
        # cpu/wall near 2 means both threads really ran at once (the GIL was released)
        threads["preprocess_case"] = {"serial_s": serial, "serial_cpu_per_wall": serial_cpu / serial,
                                      "two_threads_s": two, "two_threads_cpu_per_wall": two_cpu / two,
                                      "speedup_2_threads": serial / two}
        for workers in (1, 2):
            out = tmp / f"cache{workers}"
            t0 = time.perf_counter()
            preprocess_dataset(ds, cfg, None, out, num_workers=workers, progress=False)
            dt = time.perf_counter() - t0
            threads[str(workers)] = {"seconds": dt, "cases_per_s": len(cases) / dt}
            shutil.rmtree(out)
        threads["preprocess_dataset_speedup_2_threads"] = threads["2"]["cases_per_s"] / threads["1"]["cases_per_s"]
        threads["load_avg_after"] = os.getloadavg()[0]
        results["preprocess_dataset_threads"] = threads
        results["peak_rss_mb"] = peak_rss_mb()
        results["summary"] = {k: round(v["ratio"], 3) for k, v in results["variants"].items()}
        save("preprocess", results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
