#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb without Quarto (which `nbdev_readme` needs).

Markdown cells are copied; code cells become ```python blocks (their stored outputs are not
copied); cells marked `#| hide` are left out and `#| ...` directives are dropped. Two things
differ between the docs site (Quarto, rooted in `nbs/`) and GitHub (rooted in the repo):

- relative links and image sources that name a file under `nbs/` (`images/demo.png`,
  `00b_config.ipynb`, `tutorials/...`) get the `nbs/` prefix;
- a Quarto diagram cell (```{mermaid}) becomes the fence GitHub renders (```mermaid).

`--check` exits 1 when README.md differs from what would be written.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook. -->\n\n"

# ](target) in markdown links/images, and src="target" / href="target" in HTML tags
_LINK = re.compile(r'(\]\()([^)\s]+)(\))|((?:src|href)=")([^"]+)(")')


def _rebase(target: str) -> str:
    "`target` as seen from the repo root when it names a file under nbs/; otherwise unchanged."
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("#", "/", "../")):
        return target                                         # URL, anchor, absolute or outside nbs/
    path = target.split("#", 1)[0]
    return "nbs/" + target if path and (NBS / path).exists() else target


def rewrite_markdown(text: str) -> str:
    "Rebase links into nbs/ and turn Quarto mermaid cells into GitHub mermaid fences (outside other code)."
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"^(\s*)(```+|~~~+)(.*)$", line)
        if m and fence is None:
            fence = m.group(2)
            if m.group(3).strip() == "{mermaid}": line = f"{m.group(1)}{fence}mermaid"
        elif m and fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            line = _LINK.sub(lambda g: (g.group(1) + _rebase(g.group(2)) + g.group(3)) if g.group(1)
                             else (g.group(4) + _rebase(g.group(5)) + g.group(6)), line)
        out.append(line)
    return "\n".join(out)


def render() -> str:
    nb = json.loads((NBS / "index.ipynb").read_text(encoding="utf-8"))
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
            parts.append(rewrite_markdown(body))
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
