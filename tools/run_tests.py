#!/usr/bin/env python
"""msdseg's whole test suite (what `make test` and `.ci/run` call).

1. `nbdev_export` must leave `msdseg/` unchanged (the library is in step with the notebooks).
2. `nbdev_clean` must leave `nbs/` unchanged (notebooks are committed clean).
3. README.md must equal what `tools/make_readme.py` makes from `nbs/index.ipynb`.
4. `tools/check_docs.py` passes (notebook titles, docstrings, nbdev's docs processing).
   `tools/check_imports.py` passes (no msdseg module imports one that imports it back).
5. Every notebook runs under `nbdev_test`, `slow` cells included, one process per notebook,
   with its own TMPDIR that is measured and removed when it finishes, so whatever a test leaves in
   temporary folders never accumulates on the machine (the line says how much it left).
   Notebooks start longest first (by the times in `tools/test_times.json`, from the last run on
   the slowest machine, refreshed with `--save-times`), so that the two workers finish together;
   each result is printed when its notebook finishes.

Prints the machine first (CPU model, cores, AVX2/AVX-512, and whether TensorFlow runs its oneDNN
kernels in the notebooks' environment: timings and float32 round-off depend on all of them),
then one line per check/notebook with its time, the five slowest notebooks, the total time and a
closing `N passed, M failed`; exits 1 on any failure and also when no notebook was found or a
notebook run did not report success (an empty suite is not a success).
"""
import hashlib, json, os, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLAGS = os.environ.get("MSDSEG_TEST_FLAGS", "slow")
WORKERS = int(os.environ.get("MSDSEG_TEST_WORKERS", "2"))
TIMEOUT = int(os.environ.get("MSDSEG_TEST_TIMEOUT", "2400"))
TIMES = ROOT / "tools" / "test_times.json"


def expected_seconds() -> dict:
    "Seconds each notebook took in the run recorded in `tools/test_times.json` (empty if there is none)."
    try: return json.loads(TIMES.read_text())["seconds"]
    except (OSError, ValueError, KeyError): return {}


def snapshot(folder: Path, pattern: str) -> dict:
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob(pattern)) if ".ipynb_checkpoints" not in p.parts
            and "__pycache__" not in p.parts}


def changed(before: dict, after: dict) -> list:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)


def notebooks() -> list:
    found = []
    for p in sorted((ROOT / "nbs").rglob("*.ipynb")):
        rel = p.relative_to(ROOT / "nbs")
        if any(part.startswith(("_", ".")) for part in rel.parts):
            continue
        found.append(p)
    return found


def folder_mb(folder: Path) -> float:
    "MiB of the files under `folder` (what a notebook's tests left in their TMPDIR)."
    total = 0
    for dirpath, _, files in os.walk(folder):
        for f in files:
            try: total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError: pass
    return total / 2**20


def machine() -> str:
    "One line about the CPU and TensorFlow's kernels, asked of a fresh process with the notebooks' environment."
    code = "import msdseg; from msdseg.utils import machine_info, machine_line; print(machine_line(machine_info(tensorflow=True)))"
    r = run([sys.executable, "-c", code], env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else f"unknown ({r.stderr.strip()[-300:]})"


def test_one(nb: Path):
    t0 = time.time()
    tmp = Path(tempfile.mkdtemp(prefix=f"msdseg-test-{nb.stem}-"))
    # the venv's console scripts (`msdseg`) must be found by notebooks that call them
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1", TMPDIR=str(tmp),
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    try:
        r = run([str(BIN / "nbdev_test"), "--path", str(nb), "--flags", FLAGS, "--n_workers", "0"],
                timeout=TIMEOUT, env=env)
        # nbdev_test exits 0 and prints "No files were eligible for testing" when it ran nothing
        ok = r.returncode == 0 and "Success." in r.stdout
        log = (r.stdout + r.stderr)[-6000:]
    except subprocess.TimeoutExpired:
        ok, log = False, f"timed out after {TIMEOUT}s"
    finally:
        left = folder_mb(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    return nb, ok, time.time() - t0, left, log


def main() -> int:
    passed, failed, t_start, times = 0, 0, time.time(), []
    machine_line_ = machine()
    print(f"machine: {machine_line_}; test flags: {FLAGS!r}", flush=True)

    def report(name, ok, secs=None, log="", left=0.0):
        nonlocal passed, failed
        passed, failed = passed + ok, failed + (not ok)
        notes = ([f"{secs:.0f}s"] if secs is not None else []) + ([f"left {left:.0f} MB in TMPDIR, removed"] if left >= 0.5 else [])
        print(f"{'PASS' if ok else 'FAIL'} {name}" + (f" ({', '.join(notes)})" if notes else ""), flush=True)
        if not ok and log:
            print("    " + log.strip().replace("\n", "\n    "), flush=True)

    before = snapshot(ROOT / "msdseg", "*.py")
    r = run([str(BIN / "nbdev_export")])
    diff = changed(before, snapshot(ROOT / "msdseg", "*.py"))
    report("nbdev_export leaves msdseg/ unchanged", r.returncode == 0 and not diff,
           log=(r.stderr + "\nchanged: " + ", ".join(diff)) if (diff or r.returncode) else "")

    before = snapshot(ROOT / "nbs", "*.ipynb")
    r = run([str(BIN / "nbdev_clean")])
    diff = changed(before, snapshot(ROOT / "nbs", "*.ipynb"))
    report("nbdev_clean leaves nbs/ unchanged", r.returncode == 0 and not diff,
           log=(r.stderr + "\nchanged: " + ", ".join(diff)) if (diff or r.returncode) else "")

    r = run([sys.executable, "tools/make_readme.py", "--check"])
    report("README.md is in step with nbs/index.ipynb", r.returncode == 0, log=r.stdout + r.stderr)

    t0 = time.time()
    r = run([sys.executable, "tools/check_docs.py"], env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    report("docs: titles, docstrings, nbdev processing (tools/check_docs.py)", r.returncode == 0, time.time() - t0, log=r.stdout)

    r = run([sys.executable, "tools/check_imports.py"])
    report("no import cycles between msdseg's modules (tools/check_imports.py)", r.returncode == 0, log=r.stdout + r.stderr)

    nbs = notebooks()
    if not nbs:
        print("no notebooks found under nbs/: an empty suite is a failure", flush=True)
        failed += 1
    known = expected_seconds()
    order = sorted(nbs, key=lambda p: -known.get(str(p.relative_to(ROOT / "nbs")), 60))   # unknown: a minute
    with ThreadPoolExecutor(WORKERS) as ex:
        for f in as_completed([ex.submit(test_one, nb) for nb in order]):
            nb, ok, secs, left, log = f.result()
            report(f"nbdev_test {nb.relative_to(ROOT)}", ok, secs, log, left)
            times.append((secs, str(nb.relative_to(ROOT / "nbs"))))

    slowest = ", ".join(f"{n} {s:.0f}s" for s, n in sorted(times, reverse=True)[:5])
    print(f"slowest: {slowest}; total {(time.time() - t_start) / 60:.1f} min with {WORKERS} workers", flush=True)
    if "--save-times" in sys.argv:
        TIMES.write_text(json.dumps({"machine": machine_line_, "workers": WORKERS,
                                     "seconds": {n: round(s) for s, n in sorted(times, key=lambda t: t[1])}}, indent=1) + "\n")
        print(f"wrote {TIMES.relative_to(ROOT)}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
