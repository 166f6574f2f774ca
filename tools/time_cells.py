#!/usr/bin/env python
"""Where a notebook's test time goes: run it as `nbdev_test` does and print each cell's seconds.

    python tools/time_cells.py nbs/06_training.ipynb [--flags "slow"] [--top 15]

Cells are run in one process, in order, skipping the cells whose flags (`tst_flags` in
settings.ini) are not in `--flags`, exactly as `nbdev_test --flags` does; a failing cell stops
the run and is reported. Not part of the suite: a tool for shrinking slow checks.
"""
import argparse, os, sys, time
from pathlib import Path

from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.process import NBProcessor
from nbdev.frontmatter import FrontmatterProc


def time_cells(fn: Path, flags: str = "slow") -> list:
    "`(cell index, seconds, first line)` for every cell run from `fn`, as `nbdev_test --flags flags` would run them."
    skip = set(get_config().tst_flags.split()) - set(flags.split())
    os.environ["IN_TEST"] = "1"
    nb = NBProcessor(fn, procs=FrontmatterProc, process=True).nb
    rows, t0 = [], [0.0]

    def pre(cell):
        if cell.cell_type != "code": return True
        direc = getattr(cell, "directives_", {}) or {}
        if direc.get("eval:", [""])[0].lower() == "false" or skip & direc.keys(): return True
        t0[0] = time.perf_counter()
        return False

    def post(cell):
        first = next((l for l in cell.source.splitlines() if l.strip() and not l.startswith("#|")), "")
        rows.append((cell.idx_, time.perf_counter() - t0[0], first[:70]))

    shell = CaptureShell(fn)
    with working_directory(fn.parent):
        try:
            shell.run_all(nb, exc_stop=True, preproc=pre, postproc=post)
        except Exception as e:
            print(f"stopped at a failing cell: {type(e).__name__}: {str(e)[:300]}", file=sys.stderr)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--flags", default="slow", help="space-separated test flags to run (default: slow)")
    ap.add_argument("--top", type=int, default=0, help="print only the N slowest cells")
    a = ap.parse_args()
    rows = time_cells(a.notebook.resolve(), a.flags)
    total = sum(r[1] for r in rows)
    shown = sorted(rows, key=lambda r: -r[1])[:a.top] if a.top else rows
    for i, secs, first in shown:
        print(f"cell {i:3d} {secs:8.1f}s  {first}")
    print(f"{a.notebook.name}: {len(rows)} cells, {total:.1f}s")
