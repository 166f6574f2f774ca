#!/usr/bin/env python
"""msdseg's modules form a layered graph: no module imports another that imports it back.

Every import of an `msdseg` module counts, including those inside functions (a lazy import
hides a cycle from Python's import machinery, not from the design). Prints each cycle found
and exits 1; prints the layers (each module after everything it imports) and exits 0.

    python tools/check_imports.py
"""
import ast, sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "msdseg"


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__": parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path, modules: set) -> set:
    "The msdseg modules `path` imports anywhere in its body (relative imports resolved)."
    me = module_name(path)
    pkg = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            while n and n not in modules: n = n.rpartition(".")[0]
            if n and n != me and n != "msdseg": found.add(n)
    return found


def graph() -> dict:
    files = [p for p in PKG.rglob("*.py") if p.name != "_modidx.py"]
    modules = {module_name(p) for p in files}
    return {module_name(p): imports(p, modules) for p in files}


def cycles(g: dict) -> list:
    "Every elementary cycle's smallest representative, found by depth-first search."
    found, seen = [], set()
    def walk(start, node, path):
        for nxt in sorted(g.get(node, ())):
            if nxt == start:
                cyc = path[:]
                key = frozenset(cyc)
                if key not in seen: seen.add(key); found.append(cyc + [start])
            elif nxt not in path and nxt > start:
                walk(start, nxt, path + [nxt])
    for s in sorted(g): walk(s, s, [s])
    return found


def layers(g: dict) -> list:
    done, out = set(), []
    while len(done) < len(g):
        layer = sorted(m for m in g if m not in done and g[m] <= done)
        if not layer: break
        out.append(layer); done |= set(layer)
    return out


def main() -> int:
    g = graph()
    cyc = cycles(g)
    for c in cyc: print("import cycle: " + " -> ".join(c))
    if cyc: return 1
    for i, layer in enumerate(layers(g)): print(f"layer {i}: " + ", ".join(m.replace("msdseg.", "") for m in layer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
