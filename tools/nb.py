#!/usr/bin/env python
"""Authoring helper: convert between a jupytext py:percent file and a clean nbdev notebook.

    python tools/nb.py to-nb SRC.py nbs/NAME.ipynb   # write the notebook (clean, python3 kernel)
    python tools/nb.py to-py nbs/NAME.ipynb OUT.py   # get an editable text copy back

The notebook stays the source of truth; the .py copy is only a convenient way to edit it.
"""
import json, subprocess, sys
from pathlib import Path

import jupytext

KERNEL = {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}}


def to_nb(src, dst):
    nb = jupytext.read(src, fmt="py:percent")
    nb.metadata = dict(KERNEL)
    for c in nb.cells:
        c.metadata = {}
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
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


if __name__ == "__main__":
    cmd, a, b = sys.argv[1:4]
    {"to-nb": to_nb, "to-py": to_py}[cmd](a, b)
