"""Shared helpers for msdseg's benchmarks (run on demand: `make bench`, or `python bench/NAME.py`).

Every benchmark measures msdseg and its best-known peer (MONAI, nnU-Net's method) in the same
process and run, on the same data, and writes `bench/results/NAME.json` with the raw figures,
the ratios and a description of the machine. Ratios are peer_time / msdseg_time (> 1: msdseg
is faster) unless a field says otherwise.
"""
from __future__ import annotations

import json, os, platform, statistics, sys, time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    "What the figures were measured on: CPU model, cores, AVX2/AVX-512, oneDNN state, versions, load."
    info = {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    try:
        from msdseg.utils import machine_info, machine_line
        cpu = machine_info(tensorflow="tensorflow" in sys.modules)   # oneDNN state only if this process runs TensorFlow
        info.update(cpu, summary=machine_line(cpu))
    except Exception as e:
        info["cpu_error"] = f"{type(e).__name__}: {e}"
    for mod in ("numpy", "scipy", "tensorflow", "keras", "torch", "monai", "nibabel", "jax"):
        m = sys.modules.get(mod)
        if m is not None: info[mod] = getattr(m, "__version__", "?")
    try:
        import psutil
        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
        info["load_avg_1min"] = os.getloadavg()[0]
    except Exception:
        pass
    return info


def timeit(fn, repeat: int = 5, warmup: int = 1) -> dict:
    "Wall-clock seconds of `fn()`: median, min and all runs after `warmup` untimed calls."
    for _ in range(warmup): fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); runs.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(runs), "min_s": min(runs), "runs_s": runs}


def timeit_pair(fn_a, fn_b, repeat: int = 5, warmup: int = 1) -> tuple[dict, dict]:
    """`timeit` for two functions called in alternation (a, b, a, b, ...), so that slow phases of a
    shared machine fall on both sides alike rather than on whichever ran second."""
    for _ in range(warmup): fn_a(); fn_b()
    runs = ([], [])
    for _ in range(repeat):
        for fn, out in ((fn_a, runs[0]), (fn_b, runs[1])):
            t0 = time.perf_counter(); fn(); out.append(time.perf_counter() - t0)
    return tuple({"median_s": statistics.median(r), "min_s": min(r), "runs_s": r} for r in runs)


def peak_rss_mb() -> float:
    "Peak resident memory of this process so far, in MiB (Linux: ru_maxrss is in KiB)."
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save(name: str, results: dict) -> Path:
    "Write `bench/results/NAME.json` atomically (with the machine description) and print it."
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **results}
    from msdseg.utils import atomic_write
    with atomic_write(out, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2, default=lambda o: o.item() if hasattr(o, "item") else str(o))
        f.write("\n")
    print(json.dumps(payload, indent=2, default=str))
    print(f"wrote {out}")
    return out
