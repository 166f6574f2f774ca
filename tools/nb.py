#!/usr/bin/env python
"""Authoring helper: convert between a jupytext py:percent file and a clean nbdev notebook.

    python tools/nb.py to-nb SRC.py nbs/NAME.ipynb   # write the notebook (clean, python3 kernel)
    python tools/nb.py to-py nbs/NAME.ipynb OUT.py   # get an editable text copy back
    python tools/nb.py restore-ids nbs/NAME.ipynb REV # cell ids back to those at git REV where cells match

The notebook stays the source of truth; the .py copy is only a convenient way to edit it.
"""
import json, subprocess, sys
from pathlib import Path

import jupytext

KERNEL = {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}}


def keep_ids(cells, old_cells):
    """Give `cells` the ids of `old_cells` where they can be matched, so a round trip through the
    text copy changes only the cells that were edited (nbdev writes cell ids into `msdseg/`):
    first cells with the same type and source, then the remaining ones at the same position."""
    free = {}
    for i, c in enumerate(old_cells):
        if c.get("id"): free.setdefault((c["cell_type"], "".join(c["source"])), []).append(i)
    used, ids = set(), [None] * len(cells)
    for i, c in enumerate(cells):
        cand = free.get((c["cell_type"], "".join(c["source"])), [])
        j = next((j for j in cand if j not in used), None)
        if j is not None: used.add(j); ids[i] = old_cells[j]["id"]
    taken = {ids[i] for i in range(len(cells)) if ids[i]}
    for i, c in enumerate(cells):
        if ids[i] is None and i < len(old_cells) and i not in used and old_cells[i]["cell_type"] == c["cell_type"] \
                and old_cells[i].get("id") not in taken:
            used.add(i); ids[i] = old_cells[i]["id"]; taken.add(ids[i])
    for c, i in zip(cells, ids):
        if i: c["id"] = i
    return cells


def to_nb(src, dst):
    nb = jupytext.read(src, fmt="py:percent")
    nb.metadata = dict(KERNEL)
    for c in nb.cells:
        c.metadata = {}
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    if Path(dst).exists():
        keep_ids(nb.cells, json.loads(Path(dst).read_text(encoding="utf-8"))["cells"])
    jupytext.write(nb, dst, fmt="ipynb")
    bindir = Path(sys.executable).parent
    subprocess.run([str(bindir / "nbdev_clean"), "--fname", dst], check=True)


def to_py(src, dst):
    nb = jupytext.read(src)
    jupytext.write(nb, dst, fmt="py:percent")
    # drop jupytext's header block so the text copy stays minimal
    text = Path(dst).read_text()
    if text.startswith("# ---"):
        end = text.index("# ---", 5)
        text = text[end + len("# ---"):].lstrip("\n")
        Path(dst).write_text(text)


def restore_ids(nb_path, rev):
    "Give `nb_path`'s cells the ids they had at git revision `rev` where they can be matched."
    old = subprocess.run(["git", "show", f"{rev}:{Path(nb_path).as_posix()}"], capture_output=True, text=True)
    if old.returncode:
        raise SystemExit(f"restore-ids: git has no {Path(nb_path).as_posix()} at revision {rev!r}: {old.stderr.strip()}")
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    keep_ids(nb["cells"], json.loads(old.stdout)["cells"])
    Path(nb_path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    bindir = Path(sys.executable).parent
    subprocess.run([str(bindir / "nbdev_clean"), "--fname", str(nb_path)], check=True)


if __name__ == "__main__":
    cmd, a, b = sys.argv[1:4]
    {"to-nb": to_nb, "to-py": to_py, "restore-ids": restore_ids}[cmd](a, b)
