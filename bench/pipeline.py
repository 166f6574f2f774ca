#!/usr/bin/env python
"""Input pipeline throughput: msdseg's stage-1 tf.data pipeline vs MONAI's usual 3D pipeline.

Both read the same preprocessed cases held in memory (msdseg: the case dicts its TFRecord cache
produces; MONAI: a CacheDataset), cut the same patch size with the same foreground share,
apply the same augmentations, and batch with the same worker count:

  msdseg : make_dataset(stage=foundation, fg_prob=1/3) with flips, quarter turns, intensity
           scaling and Gaussian noise (the other augmentations off), tf.data with a private
           thread pool of WORKERS threads
  MONAI  : CacheDataset + RandCropByPosNegLabeld(pos=1, neg=2) + RandFlipd (3 axes) +
           RandRotate90d + RandScaleIntensityd + RandGaussianNoised, DataLoader(num_workers=WORKERS)

A second msdseg figure uses msdseg's full default augmentation (adds small rotations and
scaling with trilinear interpolation, gamma, contrast, blur and a bias field), which MONAI's
chain above does not do. Result: patches/s of each, and the ratio msdseg / MONAI.

    python bench/pipeline.py [--cases 8] [--shape 160,160,96] [--patch 96,96,96] [--batch 2]
"""
from __future__ import annotations

import argparse, os, sys, time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import save  # noqa: E402


def make_cases(n, shape, seed=0):
    "Preprocessed-looking cases: z-scored image with a bright organ-like blob (label 1) and a small lesion (label 2)."
    rng = np.random.default_rng(seed)
    out = []
    grid = np.stack(np.meshgrid(*[np.linspace(-1, 1, s, dtype="float32") for s in shape], indexing="ij"))
    for _ in range(n):
        c = rng.uniform(-0.4, 0.4, 3).astype("float32")[:, None, None, None]
        r = ((grid - c) ** 2 / np.array([0.15, 0.1, 0.12], "float32")[:, None, None, None]).sum(0)
        lab = (r < 1).astype("int32")
        lab[(r < 0.08)] = 2
        img = (rng.normal(size=shape).astype("float32") * 0.5 + lab * 1.5)[..., None]
        out.append((img, lab))
    return out


def bench_msdseg(cases, patch, batch, workers, steps, full_aug):
    import tensorflow as tf
    from msdseg.config import Config
    from msdseg.records import cases_dataset
    from msdseg.samplers import make_dataset
    aug = {} if full_aug else {"rotate_prob": 0.0, "scale_prob": 0.0, "gamma_prob": 0.0, "contrast_prob": 0.0,
                               "blur_prob": 0.0, "bias_field_prob": 0.0, "brightness_prob": 0.15,
                               "rot90_prob": 0.5, "flip_prob": 0.5, "noise_prob": 0.15}
    cfg = Config.from_dict({"task": 3, "data": {"patch_size": list(patch), "batch_size": batch, "samples_per_case": 2,
                                                "shuffle_buffer": 4},
                            "augmentation": aug, "curriculum": [{"name": "foundation", "epochs": 1, "fg_prob": 1 / 3}]})
    src = cases_dataset(cases, 3, max_per_class=2000).cache()
    ds = make_dataset(cfg, src, seed=0)
    opts = tf.data.Options()
    opts.threading.private_threadpool_size = workers
    ds = ds.with_options(opts)
    it = iter(ds)
    for _ in range(3): next(it)                                   # warm up (graph building, caches)
    t0 = time.perf_counter()
    for _ in range(steps):
        x, y = next(it)
    dt = time.perf_counter() - t0
    return {"patches_per_s": steps * batch / dt, "seconds": dt, "batches": steps}


def bench_monai(cases, patch, batch, workers, steps):
    import torch
    from monai.data import CacheDataset, DataLoader, list_data_collate
    from monai.transforms import (Compose, RandCropByPosNegLabeld, RandFlipd, RandGaussianNoised, RandRotate90d,
                                  RandScaleIntensityd)
    torch.set_num_threads(1)
    data = [{"image": np.moveaxis(img, -1, 0).copy(), "label": lab[None].copy()} for img, lab in cases]
    keys = ["image", "label"]
    tr = Compose([
        RandCropByPosNegLabeld(keys, label_key="label", spatial_size=patch, pos=1, neg=2, num_samples=2),
        RandFlipd(keys, prob=0.5, spatial_axis=0), RandFlipd(keys, prob=0.5, spatial_axis=1),
        RandFlipd(keys, prob=0.5, spatial_axis=2), RandRotate90d(keys, prob=0.5, max_k=3, spatial_axes=(0, 1)),
        RandScaleIntensityd("image", factors=0.25, prob=0.15), RandGaussianNoised("image", prob=0.15, std=0.1),
    ])
    ds = CacheDataset(data, transform=tr, cache_rate=1.0, num_workers=1, progress=False)
    dl = DataLoader(ds, batch_size=max(1, batch // 2), shuffle=True, num_workers=workers, collate_fn=list_data_collate,
                    persistent_workers=workers > 0)
    def batches():
        while True:
            yield from dl
    it = batches()
    for _ in range(3): next(it)
    t0 = time.perf_counter()
    n = 0
    for _ in range(steps):
        b = next(it); n += b["image"].shape[0]
    dt = time.perf_counter() - t0
    return {"patches_per_s": n / dt, "seconds": dt, "batches": steps, "patches": n}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=8)
    ap.add_argument("--shape", default="160,160,96")
    ap.add_argument("--patch", default="96,96,96")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--steps", type=int, default=40)
    a = ap.parse_args(argv)
    shape = tuple(int(v) for v in a.shape.split(","))
    patch = tuple(int(v) for v in a.patch.split(","))
    cases = make_cases(a.cases, shape)
    res = {"setup": {"cases": a.cases, "shape": shape, "patch": patch, "batch": a.batch, "workers": a.workers,
                     "steps": a.steps, "samples_per_case": 2, "fg_share": "1/3"}}
    res["msdseg_same_augs"] = bench_msdseg(cases, patch, a.batch, a.workers, a.steps, full_aug=False)
    res["monai"] = bench_monai(cases, patch, a.batch, a.workers, a.steps)
    res["msdseg_full_augs"] = bench_msdseg(cases, patch, a.batch, a.workers, a.steps, full_aug=True)
    m = res["monai"]["patches_per_s"]
    res["ratio_msdseg_over_monai"] = res["msdseg_same_augs"]["patches_per_s"] / m
    res["ratio_msdseg_full_augs_over_monai"] = res["msdseg_full_augs"]["patches_per_s"] / m
    save("pipeline", res)


if __name__ == "__main__":
    main()
