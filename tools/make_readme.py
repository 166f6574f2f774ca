#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb without Quarto (which `nbdev_readme` needs).

Markdown cells are copied; code cells become ```python blocks (their stored outputs are not
copied); cells marked `#| hide` are left out and `#| ...` directives are dropped.
`--check` exits 1 when README.md differs from what would be written.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook. -->\n\n"


def render() -> str:
    nb = json.loads((ROOT / "nbs" / "index.ipynb").read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        src = "".join(cell["source"]).strip("\n")
        lines = src.splitlines()
        directives = [l.strip() for l in lines if l.strip().startswith("#|")]
        if any(d.replace(" ", "") in ("#|hide", "#|include:false") for d in directives):
            continue
        body = "\n".join(l for l in lines if not l.strip().startswith("#|")).strip("\n")
        if not body:
            continue
        if cell["cell_type"] == "markdown":
            parts.append(body)
        elif cell["cell_type"] == "code":
            parts.append(f"```python\n{body}\n```")
    return HEADER + "\n\n".join(parts) + "\n"


def main():
    text = render()
    readme = ROOT / "README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text(encoding="utf-8") != text:
            print("README.md is out of step with nbs/index.ipynb: run `make readme`")
            return 1
        return 0
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
