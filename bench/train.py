#!/usr/bin/env python
"""Training speed per architecture on this machine's CPU: steps/s of msdseg's compiled train step
fed by its real stage-1 tf.data pipeline, and the share of step time spent waiting for input.

For each model (UNet, UNet++ with deep supervision, TransUNet, SwinTransUNet at the packaged
widths) the same `Trainer.train_steps` call is timed twice in one process:

  fed      : batches come from `make_dataset` (patch sampling + full augmentation) on
             preprocessed cases held in memory;
  compute  : the same compiled step fed from one batch repeated (no input work);

input wait share = 1 - compute_time / fed_time (0: the pipeline keeps up). The data pipeline
and the model share the same 2 cores here, so on CPU the share is an upper bound of what an
accelerator would see (where the step runs on the device and the CPU only feeds it).

    python bench/train.py [--patch 64,64,64] [--batch 2] [--steps 6]
"""
from __future__ import annotations

import argparse, os, sys, tempfile, time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import save  # noqa: E402
from pipeline import make_cases  # noqa: E402

MODELS = {"unet": {"name": "unet"}, "unet_plus_plus": {"name": "unet_plus_plus", "deep_supervision": True},
          "transunet": {"name": "transunet"}, "swin_transunet": {"name": "swin_transunet"}}


def bench_model(key, cases, patch, batch, steps, spx):
    import keras
    import tensorflow as tf
    from msdseg.config import Config
    from msdseg.records import cases_dataset
    from msdseg.training import Trainer
    keras.backend.clear_session()
    cfg = Config.from_dict({"task": 3, "data": {"patch_size": list(patch), "batch_size": batch, "samples_per_case": 2,
                                                "shuffle_buffer": 4},
                            "model": {"filters": [16, 32, 64, 128, 256], **MODELS[key]},
                            "training": {"steps_per_epoch": steps, "val_steps": 1, "steps_per_execution": spx},
                            # two epochs: the stage pipeline holds 2 x steps batches (warm-up + timed)
                            "curriculum": [{"name": "foundation", "epochs": 2}],
                            "logging": {"progress": False, "print_table": False}})
    src = cases_dataset(cases, 3, max_per_class=2000).cache()
    t = Trainer(cfg, tempfile.mkdtemp(), train_source=src, val_source=None, fingerprint={})
    it = t._train_dataset(cfg.curriculum[0])
    t.steps.train(it, spx)                          # compile + warm the pipeline
    t0 = time.perf_counter()
    for _ in range(steps // spx): t.steps.train(it, spx)
    fed = (time.perf_counter() - t0) / (steps // spx * spx)
    from msdseg.samplers import make_dataset
    one = next(iter(make_dataset(cfg, src, seed=1)))
    cit = t.steps.feed(tf.data.Dataset.from_tensors(one).repeat())
    t.steps.train(cit, spx)
    t0 = time.perf_counter()
    for _ in range(steps // spx): t.steps.train(cit, spx)
    compute = (time.perf_counter() - t0) / (steps // spx * spx)
    params = int(sum(np.prod(v.shape) for v in t.model.trainable_variables))
    return {"params": params, "step_s_fed": fed, "step_s_compute_only": compute, "steps_per_s": 1 / fed,
            "patches_per_s": batch / fed, "input_wait_share": max(0.0, 1 - compute / fed)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patch", default="64,64,64")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--spx", type=int, default=2, help="steps per execution")
    ap.add_argument("--models", default=",".join(MODELS))
    a = ap.parse_args(argv)
    patch = tuple(int(v) for v in a.patch.split(","))
    cases = make_cases(4, (128, 128, 96))
    res = {"setup": {"patch": patch, "batch": a.batch, "steps": a.steps, "steps_per_execution": a.spx,
                     "filters": [16, 32, 64, 128, 256], "augmentation": "msdseg default (all transforms)",
                     "device": "CPU (data pipeline and model share the cores)"}}
    for key in a.models.split(","):
        res[key] = bench_model(key, cases, patch, a.batch, a.steps, a.spx)
        print(key, res[key], flush=True)
    save("train", res)


if __name__ == "__main__":
    main()
