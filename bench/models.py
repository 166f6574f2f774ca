"""Models: parameters, training-step time and peak memory per architecture on CPU, against MONAI.

msdseg's four architectures (the packaged widths [16, 32, 64, 128, 256]; Transformer settings of
the packaged Task09 configs) and MONAI's BasicUNet, BasicUNetPlusPlus (same widths) and SwinUNETR
(feature_size 12 and 24, bracketing our SwinTransUNet's parameter count), all float32 on a
64^3 patch, batch 2, 1 input channel, 3 classes. A step is forward + cross-entropy + backward +
AdamW update (msdseg: `model.train_on_batch`, TensorFlow graph without XLA; MONAI: eager
PyTorch). Each model runs in its own fresh subprocess; its peak memory is the peak resident
memory above the level just before the model was built, sampled every millisecond. Time is the
median of the steps after the first (which traces/warms up). Ratios: MONAI / msdseg (> 1 means
msdseg is faster or smaller). Also records msdseg's `estimate_memory` against the measured peak.

    python bench/models.py [--patch 64] [--batch 2] [--steps 5]
"""
from __future__ import annotations

import argparse, json, os, statistics, subprocess, sys, textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import save  # noqa: E402

OURS = {"unet": "unetpp", "unet_plus_plus": "unetpp", "transunet": "transunet", "swin_transunet": "swin_transunet"}
PEERS = {  # name -> constructor source, and which msdseg model it is compared with
    "monai_basic_unet": ("BasicUNet(spatial_dims=3, in_channels=1, out_channels=3, features=(16, 32, 64, 128, 256, 16))", "unet"),
    "monai_basic_unet_plus_plus": ("BasicUNetPlusPlus(spatial_dims=3, in_channels=1, out_channels=3, "
                                   "features=(16, 32, 64, 128, 256, 16), deep_supervision=True)", "unet_plus_plus"),
    "monai_swin_unetr_fs12": ("SwinUNETR(in_channels=1, out_channels=3, feature_size=12)", "swin_transunet"),
    "monai_swin_unetr_fs24": ("SwinUNETR(in_channels=1, out_channels=3, feature_size=24)", "swin_transunet"),
}

TORCH_SCRIPT = textwrap.dedent('''
    import json, os, sys, threading, time
    args = json.loads(sys.stdin.read())
    import torch
    from monai.networks.nets import BasicUNet, BasicUNetPlusPlus, SwinUNETR
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    def rss():
        with open("/proc/self/statm") as f: return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    B, p = args["batch_size"], args["patch"]
    x = torch.randn(B, 1, p, p, p)
    y = torch.randint(0, 3, (B, p, p, p))
    base = rss()
    model = eval(args["ctor"])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    loss_fn = torch.nn.CrossEntropyLoss()
    peak, stop = [base], threading.Event()
    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss()); time.sleep(0.001)
    th = threading.Thread(target=sample, daemon=True); th.start()
    times = []
    model.train()
    for _ in range(args["steps"]):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        out = model(x)
        outs = out if isinstance(out, (list, tuple)) else [out]
        loss = sum(loss_fn(o, y) for o in outs)
        loss.backward(); opt.step()
        times.append(time.perf_counter() - t0)
    stop.set(); th.join()
    print("MEASURE " + json.dumps({"peak_bytes": peak[0] - base, "step_seconds": times,
                                   "params": sum(q.numel() for q in model.parameters())}))
''')


def run_peer(ctor: str, patch: int, batch: int, steps: int) -> dict:
    args = {"ctor": ctor, "patch": patch, "batch_size": batch, "steps": steps}
    r = subprocess.run([sys.executable, "-c", TORCH_SCRIPT], input=json.dumps(args), capture_output=True, text=True,
                       timeout=3600)
    lines = [l for l in r.stdout.splitlines() if l.startswith("MEASURE ")]
    if r.returncode or not lines: raise RuntimeError(f"{ctor} failed:\n{r.stderr[-3000:]}")
    return json.loads(lines[-1][len("MEASURE "):])


def summarise(m: dict) -> dict:
    steps = m["step_seconds"][1:] or m["step_seconds"]
    return {"params": m["params"], "step_median_s": statistics.median(steps), "step_min_s": min(steps),
            "first_step_s": m["step_seconds"][0], "peak_mib": m["peak_bytes"] / 2 ** 20}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patch", type=int, default=64)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    a = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras, monai, numpy, tensorflow, torch  # noqa: F401  (versions recorded by save())
    from msdseg.config import load_config
    from msdseg.models import estimate_memory, measure_memory

    ps = (a.patch,) * 3
    ours = {}
    for name, packaged in OURS.items():
        cfg = load_config(f"task03/{packaged}")            # Task03_Liver: 1 CT channel, 3 classes
        cfg.model.name = name
        m = measure_memory(cfg, ps, a.batch, "float32", steps=a.steps)
        est = estimate_memory(cfg, ps, a.batch, "float32")
        ours[name] = {**summarise(m), "estimated_mib": est["total_bytes"] / 2 ** 20,
                      "measured_over_estimated": m["peak_bytes"] / est["total_bytes"],
                      "model": {k: getattr(cfg.model, k) for k in ("filters", "norm", "embed_dim", "num_heads",
                                                                    "transformer_layers", "window_size")}}
        print(name, json.dumps(ours[name]), flush=True)
    peers, ratios = {}, {}
    for peer, (ctor, vs) in PEERS.items():
        peers[peer] = {**summarise(run_peer(ctor, a.patch, a.batch, a.steps)), "constructor": ctor, "compared_with": vs}
        print(peer, json.dumps(peers[peer]), flush=True)
        o, p = ours[vs], peers[peer]
        ratios[f"{peer}/{vs}"] = {"step_time": p["step_median_s"] / o["step_median_s"],
                                  "peak_memory": p["peak_mib"] / o["peak_mib"], "params": p["params"] / o["params"]}
    save("models", {"description": __doc__.strip().splitlines()[0],
                    "setup": {"patch": list(ps), "batch": a.batch, "in_channels": 1, "classes": 3, "dtype": "float32",
                              "steps": a.steps, "step": "forward + cross-entropy + backward + AdamW update"},
                    "msdseg": ours, "monai": peers,
                    "ratios_monai_over_msdseg": ratios})


if __name__ == "__main__":
    main()
