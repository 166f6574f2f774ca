#!/usr/bin/env python
"""Check what the docs need, without Quarto (part of `make test`).

(a) every notebook under nbs/ (tutorials included; folders and files starting with `_` or `.`
    skipped) opens with a `# Title` + `> one-line summary` markdown cell: its first markdown
    cell is one of its first four cells, its first line is `# Title` and the next non-empty
    line `> summary` (nbdev turns these into the page title and description);
(b) every exported public symbol of msdseg has its own docstring: each name in each module's
    `__all__` (functions and classes; constants and re-exported modules cannot carry one), and
    the public methods and properties of exported classes (a method overriding a documented
    base-class method inherits that documentation, and Keras' protocol methods of Keras
    subclasses -- `get_config`, `call`, `update_state`, ... -- are documented by Keras);
(c) nbdev's docs processing runs clean: each notebook is processed as `nbdev_proc_nbs` does it
    (`nbdev.serve_drv.exec_nb` with nbdev's default processors: show_doc cells are added, and
    in every notebook that exports, the exported cells and every cell containing an import are
    executed), each in a fresh process (two at a time) so that every failing notebook is named,
    into a temporary folder. A cell that mixes imports with other code (nbdev warns "Found cells
    containing imports and other code") is a problem too: the docs build would execute it whole,
    i.e. run a test out of order (names it needs are undefined) or a whole training. Test-only
    imports belong in the notebook's hidden test-imports cell (`#| hide`, after the `#| export`
    imports); a demo cell whose output the docs should show is marked `#| exec_doc` instead.
    `nbdev_proc_nbs` itself is not called: without Quarto it tries
    to install Quarto and then runs `pip install -e ".[dev]"` with whatever pip is first on
    PATH, and it rewrites `msdseg/_modidx.py` and writes `nbs/_quarto.yml`, `nbs/nbdev.yml` and
    `nbs/sidebar.yml`. Quarto itself (`nbdev_docs`, the site) runs in the GitHub docs workflow.

Prints every problem found and exits 1 if there is any. `--no-proc` skips (c).
"""
import dataclasses, importlib, inspect, json, pkgutil, re, shutil, sys, time, types, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"


sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_tests import notebooks  # noqa: E402  (the notebooks the docs are made from: the ones the suite tests)


def check_titles() -> list:
    "(a) Problems with the `# Title` / `> summary` cell of each notebook."
    problems = []
    for nb in notebooks():
        rel = nb.relative_to(ROOT)
        try: cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        except (ValueError, KeyError) as e:
            problems.append(f"{rel}: not a readable notebook ({e})"); continue
        first_md = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), None)
        if first_md is None or first_md > 3:
            problems.append(f"{rel}: no markdown cell among the first four cells (the `# Title` + `> summary` cell)")
            continue
        lines = [l.strip() for l in "".join(cells[first_md]["source"]).splitlines() if l.strip()]
        if not lines or not re.match(r"^# \S", lines[0]):
            problems.append(f"{rel}: the first markdown cell does not start with a `# Title` line "
                            f"(it starts with {lines[0][:60] if lines else 'nothing'!r})")
        elif len(lines) < 2 or not re.match(r"^> \S", lines[1]):
            problems.append(f"{rel}: `{lines[0]}` is not followed by a `> one-line summary` line in the same cell")
    return problems


def _own_doc(obj) -> str:
    "The docstring written on `obj` itself (a dataclass's generated signature text does not count)."
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    if isinstance(obj, type) and dataclasses.is_dataclass(obj) and doc and doc.startswith(obj.__name__ + "("):
        return ""
    return (doc or "").strip()


# Keras' own protocol (serialisation, layer and metric hooks): documented by Keras, not repeated
_KERAS_HOOKS = {"get_config", "from_config", "build", "call", "compute_output_shape", "update_state", "result",
                "reset_state", "get_build_config", "build_from_config"}

def _member_doc(cls, name, member) -> str:
    "Docstring of a class member, or of the base-class member it overrides."
    if name in _KERAS_HOOKS and any(b.__module__.startswith("keras") for b in cls.__mro__[1:]): return "(Keras protocol)"
    f = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
    doc = (getattr(f, "__doc__", None) or "").strip()
    if doc: return doc
    for base in cls.__mro__[1:]:
        if name in base.__dict__:
            b = base.__dict__[name]
            b = b.fget if isinstance(b, property) else getattr(b, "__func__", b)
            if (getattr(b, "__doc__", None) or "").strip(): return b.__doc__.strip()
    return ""


def check_docstrings() -> list:
    "(b) Exported public functions, classes and public methods without a docstring."
    sys.path.insert(0, str(ROOT))
    warnings.simplefilter("ignore")
    import msdseg
    problems, seen = [], set()
    names = sorted(m.name for m in pkgutil.walk_packages(msdseg.__path__, "msdseg.") if not m.name.endswith("_modidx"))
    for modname in ["msdseg"] + names:
        try: mod = importlib.import_module(modname)
        except Exception as e:
            problems.append(f"{modname}: cannot be imported ({type(e).__name__}: {e})"); continue
        where = Path(mod.__file__).relative_to(ROOT) if getattr(mod, "__file__", None) else modname
        for name in getattr(mod, "__all__", []):
            if not hasattr(mod, name):
                problems.append(f"{where}: `{name}` is in __all__ but not defined"); continue
            obj = getattr(mod, name)
            if isinstance(obj, types.ModuleType) or not (inspect.isclass(obj) or inspect.isroutine(obj)): continue
            if getattr(obj, "__module__", modname) != modname and not getattr(obj, "__module__", "").startswith("msdseg"):
                continue                                        # re-exported from another package
            key = (getattr(obj, "__module__", modname), getattr(obj, "__qualname__", name))
            if key in seen: continue
            seen.add(key)
            if not _own_doc(obj): problems.append(f"{where}: `{name}` has no docstring")
            if not inspect.isclass(obj): continue
            for mname, member in sorted(obj.__dict__.items()):
                if mname.startswith("_"): continue
                if not (inspect.isfunction(member) or isinstance(member, (staticmethod, classmethod, property))): continue
                if not _member_doc(obj, mname, member):
                    kind = "property" if isinstance(member, property) else "method"
                    problems.append(f"{where}: {kind} `{name}.{mname}` has no docstring")
    return problems


_PROC_ONE = """
import os, sys
from pathlib import Path
os.environ["IN_TEST"] = "1"                     # as nbdev.serve_drv.main sets it
from nbdev.processors import FilterDefaults
from nbdev.serve_drv import exec_nb
try: exec_nb(Path(sys.argv[1]), Path(sys.argv[2]), FilterDefaults)
except Exception as e:
    chain, x = [], e
    while x is not None and len(chain) < 4: chain.append(f"{type(x).__name__}: {x}"); x = x.__cause__ or x.__context__
    print("PROC-FAILED\\n" + "\\n".join(reversed(chain))); sys.exit(1)
"""


def _proc_one(nb: Path, out: Path):
    import subprocess
    dst = out / nb.relative_to(NBS)
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        r = subprocess.run([sys.executable, "-c", _PROC_ONE, str(nb), str(dst)], cwd=ROOT, capture_output=True,
                           text=True, timeout=1800)
        return nb, r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return nb, 1, "PROC-FAILED\ntimed out after 1800 s", ""


def check_processing() -> tuple:
    "(c) Notebooks nbdev's docs processing fails on (each in a fresh process), and cells it would run whole."
    import tempfile
    from concurrent.futures import ThreadPoolExecutor
    problems = []
    with tempfile.TemporaryDirectory(prefix="msdseg_proc_") as tmp, ThreadPoolExecutor(2) as ex:
        for nb, rc, out, err in ex.map(lambda p: _proc_one(p, Path(tmp)), notebooks()):
            rel = nb.relative_to(ROOT)
            if rc:
                msg = out.split("PROC-FAILED", 1)[1].strip() if "PROC-FAILED" in out else (out + err)[-2000:]
                lines = msg.splitlines()
                at = next((i for i, l in enumerate(lines) if l.startswith("Exception: Error")), None)
                if at is not None and len(lines) > at + 4: lines = lines[:at + 4] + ["..."]   # the failing cell's first lines
                problems.append(f"{rel}: " + "\n      ".join(lines))
            for cell in re.findall(r"Found cells containing imports and other code\. See FAQ\.\n---\n(.*?)\n---", err, re.S):
                first = cell.strip().splitlines()[0]
                problems.append(f"{rel}: a cell mixes imports with other code, so the docs build runs all of it "
                                f"(it starts `{first[:80]}`): move its imports into the hidden test-imports cell")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    checks = [("(a) notebook titles and summaries", check_titles),
              ("(b) docstrings of exported symbols", check_docstrings)]
    if "--no-proc" not in argv: checks.append(("(c) nbdev docs processing (nbdev_proc_nbs without Quarto)", check_processing))
    total = 0
    for title, fn in checks:
        t0 = time.perf_counter()
        problems = fn()
        total += len(problems)
        print(f"{title}: {'ok' if not problems else f'{len(problems)} problem(s)'} ({time.perf_counter() - t0:.0f} s)",
              flush=True)
        for p in problems: print("  - " + p, flush=True)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
