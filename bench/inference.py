#!/usr/bin/env python
"""Sliding-window inference: msdseg vs MONAI's `sliding_window_inference`, same settings, one run.

(a) blending machinery alone: a trivial predictor that returns a precomputed K-channel block
    (no arithmetic), so the time is the cost of cutting windows, weighting, accumulating and
    normalising; the outputs of the two are compared with a predictor that repeats the input
    channel K times (they must agree to float precision);
(b) a small 3D conv net of the same shape in each framework (Keras on TensorFlow for msdseg,
    PyTorch for MONAI): Conv3d(C->16, 3) + ReLU + Conv3d(16->16, 3) + ReLU + Conv3d(16->K, 1);
(c) peak memory on a CT-sized 512x512x200 volume with K=3 classes (trivial predictor), each
    framework in a fresh subprocess, with the setup's window batch and with one window per batch;
    the goal is at most 1.5x the input plus one float32 probability map (inputs: 200 MiB; map:
    600 MiB; budget 900 MiB). The predictor's output for one batch of 128^3 windows (96 MiB at 4
    windows) counts against the budget too.

Both use Gaussian blending with sigma = patch/8, overlap 0.5 and the same window batch.
Ratios are MONAI time / msdseg time (> 1: msdseg faster), from medians of runs. (a) times each
framework alone in fresh processes (three each, alternating): in one process PyTorch's idle
threads keep spinning on the cores NumPy's blending threads need. (b) alternates the two in one
process (msdseg, MONAI, msdseg, ...).

    python bench/inference.py [--shape 192,192,128] [--patch 96,96,96] [--skip-memory]
"""
from __future__ import annotations

import argparse, json, os, statistics, subprocess, sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import save, timeit_pair  # noqa: E402

K = 3


def msdseg_trivial(image, patch, bs, predictor=None):
    from msdseg.inference import sliding_window_inference
    if predictor is None:
        block = np.ones((bs, *patch, K), "float32")
        predictor = lambda x: block[:len(x)]
    return sliding_window_inference(image, predictor, patch, overlap=0.5, sw_batch_size=bs)


def monai_trivial(image_t, patch, bs, predictor=None):
    import torch
    from monai.inferers import sliding_window_inference
    if predictor is None:
        block = torch.ones((bs, K, *patch))
        predictor = lambda x: block[:x.shape[0]]
    with torch.no_grad():
        return sliding_window_inference(image_t, patch, bs, predictor, overlap=0.5, mode="gaussian", sigma_scale=0.125)


def keras_net(channels):
    import keras
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((None, None, None, channels)),
                             keras.layers.Conv3D(16, 3, padding="same", activation="relu"),
                             keras.layers.Conv3D(16, 3, padding="same", activation="relu"),
                             keras.layers.Conv3D(K, 1)])


def torch_net(channels):
    import torch
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv3d(channels, 16, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.Conv3d(16, 16, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.Conv3d(16, K, 1)).eval()


TIME_CODE = r"""
import json, sys, numpy as np
sys.path.insert(0, sys.argv[5])
from inference import msdseg_trivial, monai_trivial
from _common import timeit
which, shape, patch, bs, repeat = sys.argv[1], tuple(map(int, sys.argv[2].split(','))), tuple(map(int, sys.argv[3].split(','))), int(sys.argv[4]), int(sys.argv[6])
img = np.random.default_rng(0).normal(size=shape).astype(np.float32)
if which == 'msdseg':
    run = lambda: msdseg_trivial(img[..., None], patch, bs)
else:
    import torch
    torch.set_num_threads(int(sys.argv[7]))
    img_t = torch.from_numpy(img)[None, None]
    run = lambda: monai_trivial(img_t, patch, bs)
print(json.dumps(timeit(run, repeat=repeat)["runs_s"]))
"""


def child(code: str, *args, **env):
    "Run `code` in a fresh Python with `args`; its last stdout line, parsed as JSON."
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **env)
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env)
    if r.returncode: raise RuntimeError(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def _csv(v) -> str: return ",".join(map(str, v))


def blend_times(shape, patch, bs, repeat, rounds=3, torch_threads=2):
    """Blending-only run times, each framework alone in its own fresh processes (alternating,
    `rounds` processes each): in one process, the threads PyTorch leaves spinning after its own
    calls and NumPy's blending threads compete for the same cores and slow whichever runs next."""
    out = {"msdseg": [], "monai": []}
    for _ in range(rounds):
        for which in out:
            out[which] += child(TIME_CODE, which, _csv(shape), _csv(patch), bs, HERE, repeat, torch_threads)
    return {k: {"median_s": statistics.median(v), "min_s": min(v), "runs_s": v} for k, v in out.items()}


MEM_CODE = r"""
import json, sys, numpy as np
which, shape, patch, bs = sys.argv[1], tuple(map(int, sys.argv[2].split(','))), tuple(map(int, sys.argv[3].split(','))), int(sys.argv[4])
K = 3
def status(key):                                       # this process's own figures (VmHWM starts afresh at exec)
    for line in open('/proc/self/status'):
        if line.startswith(key): return int(line.split()[1]) / 1024
if which == 'msdseg':
    from msdseg.inference import sliding_window_inference
else:
    import torch
    torch.set_num_threads(2)
    from monai.inferers import sliding_window_inference
image = np.random.default_rng(0).standard_normal(size=shape, dtype=np.float32)
block = np.ones((bs, *patch, K), 'float32') if which == 'msdseg' else torch.ones((bs, K, *patch))
base = status('VmRSS') - image.nbytes / 2**20 - (block.nbytes if which == 'msdseg' else block.numel() * 4) / 2**20
hwm_before = status('VmHWM')
if which == 'msdseg':
    out = sliding_window_inference(image[..., None], lambda x: block[:len(x)], patch, overlap=0.5, sw_batch_size=bs)
else:
    with torch.no_grad():
        out = sliding_window_inference(torch.from_numpy(image)[None, None], patch, bs, lambda x: block[:x.shape[0]],
                                       overlap=0.5, mode='gaussian', sigma_scale=0.125)
peak = status('VmHWM')
print(json.dumps({'rss_before_input_mb': base, 'hwm_before_call_mb': hwm_before, 'peak_mb': peak,
                  'peak_above_baseline_mb': peak - base}))
"""


def memory(which, shape, patch, bs):
    "Peak memory of one framework's sliding window in a fresh process (see MEM_CODE)."
    return child(MEM_CODE, which, _csv(shape), _csv(patch), bs, OMP_NUM_THREADS="2")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", default="192,192,128")
    ap.add_argument("--patch", default="96,96,96")
    ap.add_argument("--net-shape", default="128,128,96", help="volume for the conv-net comparison (b)")
    ap.add_argument("--net-patch", default="64,64,64")
    ap.add_argument("--sw-batch", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-memory", action="store_true")
    a = ap.parse_args(argv)
    shape = tuple(int(v) for v in a.shape.split(",")); patch = tuple(int(v) for v in a.patch.split(","))
    nshape = tuple(int(v) for v in a.net_shape.split(",")); npatch = tuple(int(v) for v in a.net_patch.split(","))
    import torch
    import tensorflow as tf
    torch.set_num_threads(os.cpu_count() or 2)
    rng = np.random.default_rng(0)
    res = {"setup": {"shape": shape, "patch": patch, "sw_batch_size": a.sw_batch, "overlap": 0.5, "classes": K,
                     "net_shape": nshape, "net_patch": npatch, "torch_threads": torch.get_num_threads()}}

    # (a) trivial predictor
    img = rng.normal(size=shape).astype("float32")
    img_t = torch.from_numpy(img)[None, None]
    ours = msdseg_trivial(img[..., None], patch, a.sw_batch, lambda x: np.repeat(x, K, axis=-1))
    theirs = monai_trivial(img_t, patch, a.sw_batch, lambda x: x.repeat(1, K, 1, 1, 1))[0].numpy()
    diff = float(np.abs(np.moveaxis(theirs, 0, -1) - ours).max())
    bt = blend_times(shape, patch, a.sw_batch, repeat=3 * a.repeat, torch_threads=torch.get_num_threads())
    t_ours, t_theirs = bt["msdseg"], bt["monai"]
    vox = float(np.prod(shape))
    res["trivial"] = {"msdseg_s": t_ours["median_s"], "monai_s": t_theirs["median_s"],
                      "msdseg_voxels_per_s": vox / t_ours["median_s"], "monai_voxels_per_s": vox / t_theirs["median_s"],
                      "ratio_monai_over_msdseg": t_theirs["median_s"] / t_ours["median_s"],
                      "max_abs_difference": diff,
                      "timing": "each framework alone in fresh processes, 3 alternating processes each"}

    # (b) small conv net in each framework
    c = 1
    knet, tnet = keras_net(c), torch_net(c)
    kpred = tf.function(lambda x: knet(x, training=False), reduce_retracing=True)
    nimg = rng.normal(size=nshape).astype("float32")
    nimg_t = torch.from_numpy(nimg)[None, None]
    from msdseg.inference import sliding_window_inference as sw_ours
    from monai.inferers import sliding_window_inference as sw_monai
    def run_ours(): return sw_ours(nimg[..., None], lambda x: kpred(tf.constant(x)).numpy(), npatch, 0.5, a.sw_batch)
    def run_monai():
        with torch.no_grad(): return sw_monai(nimg_t, npatch, a.sw_batch, tnet, overlap=0.5, mode="gaussian", sigma_scale=0.125)
    t_ours, t_theirs = timeit_pair(run_ours, run_monai, repeat=a.repeat)
    nvox = float(np.prod(nshape))
    res["conv_net"] = {"msdseg_keras_s": t_ours["median_s"], "monai_torch_s": t_theirs["median_s"],
                       "msdseg_voxels_per_s": nvox / t_ours["median_s"], "monai_voxels_per_s": nvox / t_theirs["median_s"],
                       "ratio_monai_over_msdseg": t_theirs["median_s"] / t_ours["median_s"],
                       "note": "includes each framework's own conv speed on CPU (TF/oneDNN vs PyTorch)"}

    # (c) peak memory on a CT-sized volume
    if not a.skip_memory:
        big = (512, 512, 200)
        input_mb = np.prod(big) * 4 / 2**20
        prob_mb = input_mb * K
        budget = 1.5 * input_mb + prob_mb
        def both(bs):
            mo, mm = memory("msdseg", big, (128, 128, 128), bs), memory("monai", big, (128, 128, 128), bs)
            return {"msdseg": mo, "monai": mm,
                    "msdseg_peak_over_budget": mo["peak_above_baseline_mb"] / budget,
                    "monai_peak_over_budget": mm["peak_above_baseline_mb"] / budget}
        res["memory_512x512x200"] = {"input_mb": input_mb, "probability_map_mb": prob_mb, "budget_mb": budget,
                                     "window_batch_output_mb": a.sw_batch * 128**3 * K * 4 / 2**20,
                                     "note": "peak resident memory above the process's baseline (imports done), "
                                             "input and the predictor's output block included; budget = 1.5 x input "
                                             "+ one float32 probability map; 128^3 windows, the setup's window batch",
                                     **both(a.sw_batch),
                                     "sw_batch_size_1": both(1)}
    save("inference", res)


if __name__ == "__main__":
    main()
