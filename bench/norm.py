"""Instance normalisation on CPU: msdseg's `InstanceNorm` against Keras' `GroupNormalization(groups=-1)` and MONAI's.

Layer: forward + backward time (gradients with respect to the input, gamma and beta for a fixed
random upstream gradient) of (a) `keras.layers.GroupNormalization(groups=-1, epsilon=1e-5)`, what
`norm_layer("instance")` returned before, and (b) `msdseg.models.blocks.InstanceNorm`, both in one
TensorFlow graph each (`tf.function` around a `GradientTape`, no XLA), timed in alternation
(a, b, a, b, ...) so that the load of a shared machine falls on both alike; and (c)
`torch.nn.InstanceNorm3d(affine=True)` (what MONAI's networks use) in its own process, eager
PyTorch, channels-first `(B, C, X, Y, Z)` as MONAI feeds it. Shapes are those of a UNet's levels
on a 64^3 patch, batch 2, float32 (and, with `--bf16`, (a) and (b) under `mixed_bfloat16`).
Times are medians over `--repeat` calls after two untimed ones; forward-only times too.

UNet step: msdseg's UNet (the packaged Task03 widths [16, 32, 64, 128, 256], 64^3, batch 2,
float32), one `train_on_batch` step (forward, cross-entropy, backward, AdamW) with each of (a),
(b) and no normalisation at all (`Identity` in its place: what the normalisation costs in all),
the three models built in one process and stepped in turn. Ratios: other / InstanceNorm
(> 1: InstanceNorm is faster). `TF_ENABLE_ONEDNN_OPTS` is recorded (msdseg sets it to 1 on
import unless it is set).

    python bench/norm.py [--repeat 10] [--steps 6] [--bf16] [--no-unet]
"""
from __future__ import annotations

import argparse, json, os, statistics, subprocess, sys, textwrap, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import save, timeit, timeit_pair  # noqa: E402

SHAPES = [(2, 64, 64, 64, 32), (2, 32, 32, 32, 64), (2, 16, 16, 16, 128)]

TORCH_SCRIPT = textwrap.dedent('''
    import json, os, statistics, sys, time
    args = json.loads(sys.stdin.read())
    import torch
    torch.set_num_threads(os.cpu_count())
    out = {}
    for shape in args["shapes"]:
        B, *sp, C = shape
        g = torch.Generator().manual_seed(0)
        x = (torch.randn(B, C, *sp, generator=g) * 3 + 2).requires_grad_(True)
        dy = torch.randn(B, C, *sp, generator=g)
        norm = torch.nn.InstanceNorm3d(C, affine=True, eps=1e-5)
        def fb():
            x.grad = None; norm.zero_grad(set_to_none=True)
            norm(x).backward(dy)
        def fwd():
            with torch.no_grad(): norm(x)
        res = {}
        for name, fn in (("forward_backward", fb), ("forward", fwd)):
            for _ in range(2): fn()
            runs = []
            for _ in range(args["repeat"]):
                t0 = time.perf_counter(); fn(); runs.append(time.perf_counter() - t0)
            res[name] = {"median_s": statistics.median(runs), "min_s": min(runs)}
        out["x".join(map(str, shape))] = res
    print("MEASURE " + json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": out}))
''')


def torch_times(shapes, repeat) -> dict:
    r = subprocess.run([sys.executable, "-c", TORCH_SCRIPT], input=json.dumps({"shapes": shapes, "repeat": repeat}),
                       capture_output=True, text=True, timeout=3600)
    lines = [l for l in r.stdout.splitlines() if l.startswith("MEASURE ")]
    if r.returncode or not lines: raise RuntimeError(f"torch InstanceNorm3d failed:\n{r.stderr[-3000:]}")
    return json.loads(lines[-1][len("MEASURE "):])


def layer_fns(layer, x, dy):
    "Compiled forward+backward and forward-only functions of a built layer on `x`."
    import tensorflow as tf

    @tf.function
    def fb():
        with tf.GradientTape() as t:
            t.watch(x); y = layer(x)
        return t.gradient(y, [x, *layer.trainable_weights], output_gradients=dy)

    @tf.function
    def fwd(): return layer(x)
    run_fb = lambda: [g.numpy() for g in fb()][0]
    run_fwd = lambda: fwd().numpy()
    return run_fb, run_fwd


def bench_layers(shapes, repeat, policy) -> dict:
    import keras, numpy as np, tensorflow as tf
    from msdseg.models.blocks import InstanceNorm
    out = {}
    for shape in shapes:
        rng = np.random.default_rng(0)
        x = tf.constant(rng.normal(2, 3, shape).astype("float32"))
        dy = tf.constant(rng.normal(0, 1, shape).astype("float32"))
        if policy != "float32": x, dy = tf.cast(x, tf.bfloat16), tf.cast(dy, tf.bfloat16)
        old = keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, dtype=policy)
        new = InstanceNorm(epsilon=1e-5, dtype=policy)
        old.build(shape); new.build(shape)
        old.set_weights([rng.normal(1, .3, shape[-1]).astype("float32"), rng.normal(0, .3, shape[-1]).astype("float32")])
        new.set_weights(old.get_weights())
        (old_fb, old_fwd), (new_fb, new_fwd) = layer_fns(old, x, dy), layer_fns(new, x, dy)
        diff = float(np.abs(np.asarray(old_fb(), "float32") - np.asarray(new_fb(), "float32")).max())
        res = {"max_abs_diff_dx": diff}
        for what, a, b in (("forward_backward", old_fb, new_fb), ("forward", old_fwd, new_fwd)):
            ta, tb = timeit_pair(a, b, repeat=repeat, warmup=2)
            res[what] = {"group_normalization_s": ta["median_s"], "instance_norm_s": tb["median_s"],
                         "group_normalization_min_s": ta["min_s"], "instance_norm_min_s": tb["min_s"],
                         "ratio_gn_over_in": ta["median_s"] / tb["median_s"]}
        key = "x".join(map(str, shape))
        out[key] = res
        print(policy, key, json.dumps(res), flush=True)
    return out


def bench_unet(steps) -> dict:
    import keras, numpy as np
    import msdseg.models.blocks as blocks
    from msdseg.config import load_config
    from msdseg.models import build_model
    cfg = load_config("task03/unetpp"); cfg.model.name = "unet"
    ps, B = (64, 64, 64), 2
    x = np.random.default_rng(0).normal(size=(B, *ps, cfg.num_channels)).astype("float32")
    y = np.random.default_rng(1).integers(0, cfg.num_classes, (B, *ps)).astype("int32")
    real = blocks.norm_layer
    variants = {"group_normalization": lambda n, c, g=8, name=None: keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name),
                "instance_norm": real,
                "no_norm": lambda n, c, g=8, name=None: keras.layers.Identity(name=name)}
    models, params = {}, {}
    for key, fn in variants.items():
        blocks.norm_layer = fn
        try:
            keras.utils.set_random_seed(0)
            m = build_model(cfg, training=True, input_shape=ps)
        finally:
            blocks.norm_layer = real
        m.compile(optimizer=keras.optimizers.AdamW(1e-4), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=False)
        for _ in range(2): m.train_on_batch(x, y)                     # trace and warm up
        models[key], params[key] = m, m.count_params()
    times = {k: [] for k in models}
    for _ in range(steps):                                          # in turn, so load falls on all alike
        for k, m in models.items():
            t0 = time.perf_counter(); m.train_on_batch(x, y); times[k].append(time.perf_counter() - t0)
    out = {k: {"params": params[k], "step_median_s": statistics.median(v), "step_min_s": min(v), "steps_s": v}
           for k, v in times.items()}
    med = {k: v["step_median_s"] for k, v in out.items()}
    out["ratio_gn_over_in"] = med["group_normalization"] / med["instance_norm"]
    out["norm_share_of_step"] = {k: 1 - med["no_norm"] / med[k] for k in ("group_normalization", "instance_norm")}
    print("unet", json.dumps(out), flush=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--bf16", action="store_true", help="also time (a) and (b) under mixed_bfloat16")
    ap.add_argument("--no-unet", action="store_true", help="skip the UNet training step")
    a = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    onednn_env = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    import msdseg  # noqa: F401  (first: sets TF_ENABLE_ONEDNN_OPTS=1 unless set)
    import keras, numpy, tensorflow  # noqa: F401  (versions recorded by save())
    results = {"description": __doc__.strip().splitlines()[0],
               "setup": {"shapes": [list(s) for s in SHAPES], "dtype": "float32", "repeat": a.repeat,
                         "TF_ENABLE_ONEDNN_OPTS_before_import": onednn_env,
                         "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
                         "layer": "forward + backward (dx, dgamma, dbeta) for a fixed upstream gradient",
                         "unet": "msdseg unet, task03 widths, 64^3, batch 2, float32, train_on_batch (AdamW)"}}
    results["layer_float32"] = bench_layers(SHAPES, a.repeat, "float32")
    if a.bf16: results["layer_mixed_bfloat16"] = bench_layers(SHAPES, a.repeat, "mixed_bfloat16")
    t = torch_times([list(s) for s in SHAPES], a.repeat)
    results["torch_instance_norm3d"] = t
    ratios = {}
    for key, res in t["results"].items():
        ours = results["layer_float32"][key]
        ratios[key] = {w: {"torch_over_in": res[w]["median_s"] / ours[w]["instance_norm_s"],
                           "gn_over_in": ours[w]["ratio_gn_over_in"]} for w in ("forward_backward", "forward")}
    results["ratios"] = ratios
    if not a.no_unet: results["unet_step"] = bench_unet(a.steps)
    save("norm", results)


if __name__ == "__main__":
    main()
