#!/usr/bin/env python
"""Training speed per architecture on this machine's CPU, msdseg against MONAI networks of the same
design and width, each model in its own fresh process, in one run.

msdseg (packaged widths, filters 16-32-64-128-256, instance norm, leaky ReLU, Dice + CE, AdamW,
global-norm clipping 1.0; the trainer's own compiled step `Trainer.steps.train`):

  compute  : the step fed from one batch repeated (no input work); the figure compared with MONAI;
  fed      : batches from `make_dataset` (patch sampling + full augmentation) on preprocessed cases
             held in memory; input wait share = 1 - compute / fed (0: the pipeline keeps up).

MONAI (eager PyTorch, `torch.set_num_threads(cores)`, the same patch, batch, norm, filters, loss
`DiceCELoss(include_background=False)`, AdamW and `clip_grad_norm_(1.0)`):

  unet           vs DynUNet (nnU-Net's network: kernels 3, strides 1-2-2-2-2, instance norm, leaky ReLU)
  unet_plus_plus vs BasicUNetPlusPlus (deep supervision; its heads are all full resolution)
  transunet      vs UNETR (the closest MONAI has: a ViT encoder; 12 layers where ours has 4, so NOT the
                  same design and width; quoted for orientation only)
  swin_transunet vs SwinUNETR, feature_size 12 and 24 (bracketing our parameter count)

Time per step is the median over the timed steps after one warm-up call. Ratios are
MONAI step time / msdseg step time (> 1: msdseg is faster). Also reported: achieved GFLOP/s
(msdseg: 3 x the forward FLOPs TensorFlow's graph profiler counts; MONAI: torch's
FlopCounterMode over forward + backward; over the step time) against the peak this machine's TensorFlow reaches on one large Conv3D forward + backward.

    python bench/train.py [--patch 64,64,64] [--batch 2] [--steps 4] [--models unet,...]
"""
from __future__ import annotations

import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import save  # noqa: E402

FILTERS = [16, 32, 64, 128, 256]
MODELS = {"unet": {"name": "unet"}, "unet_plus_plus": {"name": "unet_plus_plus", "deep_supervision": True},
          "transunet": {"name": "transunet"}, "swin_transunet": {"name": "swin_transunet"}}
PEERS = {  # msdseg model -> [(peer name, MONAI constructor)]
    "unet": [("monai_dynunet", "DynUNet(spatial_dims=3, in_channels=1, out_channels=3, kernel_size=[3] * 5, "
                               "strides=[1, 2, 2, 2, 2], upsample_kernel_size=[2] * 4, filters=[16, 32, 64, 128, 256], "
                               "norm_name=('instance', {'affine': True}), "
                               "act_name=('leakyrelu', {'negative_slope': 0.01, 'inplace': True}))")],
    "unet_plus_plus": [("monai_basic_unet_plus_plus", "BasicUNetPlusPlus(spatial_dims=3, in_channels=1, out_channels=3, "
                                                      "features=(16, 32, 64, 128, 256, 16), deep_supervision=True, "
                                                      "norm=('instance', {'affine': True}))")],
    "transunet": [("monai_unetr", "UNETR(in_channels=1, out_channels=3, img_size=PATCH, feature_size=16, "
                                  "hidden_size=256, mlp_dim=1024, num_heads=8, norm_name='instance')")],
    "swin_transunet": [("monai_swin_unetr_fs12", "SwinUNETR(in_channels=1, out_channels=3, feature_size=12)"),
                       ("monai_swin_unetr_fs24", "SwinUNETR(in_channels=1, out_channels=3, feature_size=24)")],
}


def count_flops(model, patch, batch: int) -> float:
    "Forward FLOPs of one batch, as TensorFlow's graph profiler counts them (convolutions, matmuls, ...)."
    import tensorflow as tf
    fn = tf.function(lambda x: model(x, training=False)).get_concrete_function(
        tf.TensorSpec((batch, *patch, model.inputs[0].shape[-1])))
    opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    return float(tf.compat.v1.profiler.profile(graph=fn.graph, options=opts).total_float_ops)


def bench_msdseg(key, patch, batch, steps):
    import msdseg  # noqa: F401  (first: it turns oneDNN on before TensorFlow loads, as for every user)
    import tensorflow as tf
    from pipeline import make_cases
    from msdseg.config import Config
    from msdseg.records import cases_dataset
    from msdseg.samplers import make_dataset
    from msdseg.training import Trainer
    cases = make_cases(4, tuple(max(p * 2, 96) for p in patch))
    cfg = Config.from_dict({"task": 3, "data": {"patch_size": list(patch), "batch_size": batch, "samples_per_case": 2,
                                                "shuffle_buffer": 4},
                            "model": {"filters": FILTERS, **MODELS[key]},
                            "training": {"steps_per_epoch": steps + 1, "val_steps": 1, "steps_per_execution": 1},
                            "curriculum": [{"name": "foundation", "epochs": 2}],
                            "logging": {"progress": False, "print_table": False, "tensorboard": False}})
    src = cases_dataset(cases, 3, max_per_class=2000).cache()
    t = Trainer(cfg, tempfile.mkdtemp(), train_source=src, val_source=None, fingerprint={})
    one = next(iter(make_dataset(cfg, src, seed=1)))
    cit = t.steps.feed(tf.data.Dataset.from_tensors(one).repeat())
    t.steps.train(cit, 1)                                   # trace + warm up
    compute = []
    for _ in range(steps):
        t0 = time.perf_counter(); t.steps.train(cit, 1); compute.append(time.perf_counter() - t0)
    it = t.steps.feed(t._train_dataset(cfg.curriculum[0]))
    t.steps.train(it, 1)
    fed = []
    for _ in range(steps):
        t0 = time.perf_counter(); t.steps.train(it, 1); fed.append(time.perf_counter() - t0)
    params = int(sum(np.prod(v.shape) for v in t.model.trainable_variables))
    c, f = statistics.median(compute), statistics.median(fed)
    flops = 3 * count_flops(t.model, patch, batch)
    return {"params": params, "step_s": c, "step_s_runs": compute, "step_s_fed": f, "input_wait_share": max(0.0, 1 - c / f),
            "train_gflop": flops / 1e9, "gflop_per_s": flops / 1e9 / c}


def bench_peer(ctor, patch, batch, steps):
    import torch
    from monai.losses import DiceCELoss
    from monai.networks.nets import BasicUNetPlusPlus, DynUNet, SwinUNETR, UNETR  # noqa: F401 (eval)
    from torch.utils.flop_counter import FlopCounterMode
    torch.set_num_threads(os.cpu_count()); torch.manual_seed(0)
    model = eval(ctor.replace("PATCH", repr(tuple(patch))))
    x = torch.randn(batch, 1, *patch)
    y = torch.randint(0, 3, (batch, 1, *patch))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loss_fn = DiceCELoss(include_background=False, to_onehot_y=True, softmax=True)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        out = model(x)
        outs = out if isinstance(out, (list, tuple)) else [out]
        loss = sum(loss_fn(o, y) for o in outs)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    counter = FlopCounterMode(display=False)
    with counter: step()                                    # warm-up step, FLOPs counted (forward + backward)
    flops = counter.get_total_flops()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
    s = statistics.median(times)
    return {"params": sum(q.numel() for q in model.parameters()), "step_s": s, "step_s_runs": times,
            "train_gflop": flops / 1e9, "gflop_per_s": flops / 1e9 / s, "constructor": ctor,
            "threads": torch.get_num_threads()}


def conv_peak(patch, batch):
    "GFLOP/s of one Conv3D 32->32, kernel 3, on a (batch, *patch, 32) tensor, forward + backward (TensorFlow)."
    import msdseg  # noqa: F401  (sets TF_ENABLE_ONEDNN_OPTS like every msdseg process)
    import tensorflow as tf
    conv = tf.keras.layers.Conv3D(32, 3, padding="same")
    x = tf.random.normal((batch, *patch, 32))
    conv.build(x.shape)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(conv(x))
        return tape.gradient(loss, [x, *conv.trainable_variables])
    step(x)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter(); [g.numpy() for g in step(x)]; runs.append(time.perf_counter() - t0)
    flops = 3 * 2 * batch * np.prod(patch) * 27 * 32 * 32
    return {"gflop_per_s": flops / 1e9 / statistics.median(runs), "step_s": statistics.median(runs)}


def child(kind, arg, patch, batch, steps):
    "Run one measurement in a fresh process; return its JSON."
    cmd = [sys.executable, __file__, "--child", kind, "--arg", arg, "--patch", ",".join(map(str, patch)),
           "--batch", str(batch), "--steps", str(steps)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    lines = [l for l in r.stdout.splitlines() if l.startswith("MEASURE ")]
    if r.returncode or not lines: raise RuntimeError(f"{kind} {arg} failed:\n{r.stderr[-3000:]}")
    return json.loads(lines[-1][len("MEASURE "):])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patch", default="64,64,64")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--child", choices=["msdseg", "monai", "peak"], help=argparse.SUPPRESS)
    ap.add_argument("--arg", default="", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    patch = tuple(int(v) for v in a.patch.split(","))
    if a.child:
        fn = {"msdseg": bench_msdseg, "monai": bench_peer}.get(a.child)
        out = conv_peak(patch, a.batch) if a.child == "peak" else fn(a.arg, patch, a.batch, a.steps)
        if a.child != "monai":
            from msdseg.utils import onednn_enabled
            out["onednn"] = onednn_enabled()
        print("MEASURE " + json.dumps(out, default=float), flush=True)
        return
    peak = child("peak", "", patch, a.batch, a.steps)
    print("tf conv3d peak", peak, flush=True)
    write = _write(a, patch, peak)
    ours, peers, ratios = {}, {}, {}
    for key in a.models.split(","):
        ours[key] = o = child("msdseg", key, patch, a.batch, a.steps)
        o["share_of_conv_peak"] = o["gflop_per_s"] / peak["gflop_per_s"]
        print(key, o, flush=True)
        for name, ctor in PEERS[key]:
            peers[name] = p = child("monai", ctor, patch, a.batch, a.steps)
            p["compared_with"] = key
            print(name, p, flush=True)
            ratios[f"{name}/{key}"] = {"step_time": p["step_s"] / o["step_s"], "params": p["params"] / o["params"]}
        write(ours, peers, ratios)                          # after each model: a failure later keeps these


def _write(a, patch, peak):
    "The results writer of one run."
    def write(ours, peers, ratios):
        save("train", {"description": __doc__.strip().splitlines()[0],
                   "setup": {"patch": list(patch), "batch": a.batch, "timed_steps": a.steps, "filters": FILTERS,
                             "norm": "instance", "loss": "Dice + CE", "optimizer": "AdamW, clip 1.0",
                             "msdseg_onednn": next(iter(ours.values()))["onednn"] if ours else None,
                             "device": "CPU (data pipeline and model share the cores)"},
                   "tf_conv3d_peak": peak, "msdseg": ours, "monai": peers, "ratios_monai_over_msdseg": ratios,
                   "complete": sorted(ours) == sorted(a.models.split(","))})
    return write


if __name__ == "__main__":
    main()
