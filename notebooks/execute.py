"""Re-execute the notebooks and store their outputs: ``make notebooks``.

Each notebook runs from top to bottom in one fresh kernel, in a temporary folder (the files
it writes, such as the quickstart's report, never land in the repository), with this
checkout's riskml; its outputs replace the stored ones only when every cell succeeded.
Absolute paths of this machine never reach the stored outputs: a notebook that printed one
fails the run.

``--check`` executes without storing and compares the fresh outputs with the stored ones:
every number a notebook prints (its text outputs: printed lines and the text of tables and
values) must equal the stored one to within one unit of its last printed digit, and every
stored figure must be drawn again. CI runs it (tests/test_notebook.py), so the numbers a
reader sees are the numbers today's code produces.

Usage::

    python notebooks/execute.py                 # every notebook, full design, stored
    python notebooks/execute.py quickstart      # notebooks whose name contains "quickstart"
    python notebooks/execute.py --check         # execute, compare with the stored outputs
    python notebooks/execute.py --fast          # the reduced design (RISKML_NOTEBOOK_FAST=1)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _local_paths(notebook) -> list[str]:
    """Outputs that quote a path of this machine (the repository, the temporary folder, home)."""
    needles = {str(ROOT), tempfile.gettempdir() + os.sep, str(Path.home()) + os.sep}
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            text = str(output.get("text", "")) + str(output.get("data", {}))
            found += [f"cell {index}: {needle}" for needle in needles if needle in text]
    return found


def _scrub_locations(notebook) -> None:
    """Turn the machine's paths in text outputs into ones that hold anywhere.

    A warning's location line names the file that raised it: this checkout's
    ``riskml/...`` (kept, relative to the repository), the kernel's temporary cell file
    (``<cell>``), or a temporary folder a notebook made for its files
    (``<temporary folder>``). Anything else that names a local path still fails the run.
    """
    import re

    temporary = re.escape(tempfile.gettempdir().rstrip(os.sep) + os.sep)
    rules = (
        # a library's warning names its installed file: where it is installed is local
        (r"[^\s\"']*" + re.escape(os.sep + "site-packages" + os.sep), "<site-packages>" + os.sep),
        (re.escape(str(ROOT) + os.sep), ""),
        (temporary + r"ipykernel_\d+" + re.escape(os.sep) + r"\d+\.py", "<cell>"),
        (temporary + r"[\w.-]+(?:" + re.escape(os.sep) + r"[\w.-]+)*", "<temporary folder>"),
    )
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                for pattern, replacement in rules:
                    output["text"] = re.sub(pattern, replacement, output["text"])


_NUMBER = r"[-+]?(?:\d+(?:[.,]\d+)*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"


def _text_outputs(cell) -> str:
    """What a reader reads in a cell's outputs: printed lines (not stderr: warnings and
    progress bars) and the text of results and displays."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output.get("text", ""))
        elif output.get("output_type") in ("execute_result", "display_data"):
            data = output.get("data", {})
            if any(key.startswith(("image/", "application/vnd.jupyter.widget")) for key in data):
                continue  # a figure ("<Figure size ...>") or a progress bar, not a number
            text = data.get("text/plain", "")
            parts.append(text if isinstance(text, str) else "".join(text))
    # an object's repr that names its memory address ("<... Styler at 0x7f23...>")
    return re.sub(r" at 0x[0-9a-fA-F]+>", " at 0x...>", "".join(parts))


def _images(cell) -> int:
    return sum(
        1
        for output in cell.get("outputs", [])
        if any(key.startswith("image/") for key in output.get("data", {}))
    )


def _numbers_differ(stored: str, fresh: str) -> bool:
    """Whether two printed numbers differ by more than one unit of the last printed digit."""
    try:
        a, b = float(stored.replace(",", "")), float(fresh.replace(",", ""))
    except ValueError:
        return stored != fresh
    digits = stored.replace(",", "").split("e")[0].split("E")[0]
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return abs(a - b) > 1.0001 * 10.0**-decimals * 10.0 ** _exponent(stored)


def _exponent(number: str) -> int:
    import re

    match = re.search(r"[eE]([-+]?\d+)$", number)
    return int(match.group(1)) if match else 0


def _first_difference(stored: str, fresh: str) -> str | None:
    """The first place where two cells' text outputs differ, in words (None: equal)."""
    import re

    stored_parts, fresh_parts = re.split(f"({_NUMBER})", stored), re.split(f"({_NUMBER})", fresh)
    if len(stored_parts) != len(fresh_parts):
        return f"the text differs: stored {stored[:300]!r}, now {fresh[:300]!r}"
    for index, (a, b) in enumerate(zip(stored_parts, fresh_parts, strict=True)):
        if index % 2 == 0:
            if " ".join(a.split()) != " ".join(b.split()):
                return f"the text differs: stored {a.strip()[:200]!r}, now {b.strip()[:200]!r}"
        elif _numbers_differ(a, b):
            context = "".join(stored_parts[max(0, index - 2) : index]).strip()[-80:]
            return f"a number differs after {context!r}: stored {a}, now {b}"
    return None


def compare(stored, fresh) -> list[str]:
    """Differences between a stored notebook's outputs and a fresh execution's, cell by cell.

    Numbers may differ by one unit of their last printed digit (a value on a rounding
    boundary); anything else that differs, and a figure that is no longer drawn, is listed.
    """
    differences = []
    for index, (old, new) in enumerate(zip(stored.cells, fresh.cells, strict=False)):
        if old.cell_type != "code":
            continue
        found = _first_difference(_text_outputs(old), _text_outputs(new))
        if found:
            differences.append(f"cell {index}: {found}")
        if _images(new) < _images(old):
            differences.append(
                f"cell {index}: {_images(old)} figure(s) stored, {_images(new)} drawn"
            )
    if len(stored.cells) != len(fresh.cells):
        differences.append(f"{len(stored.cells)} cells stored, {len(fresh.cells)} executed")
    return differences


def _blas_kernel() -> dict:
    """The OpenBLAS kernel the notebooks' numbers come from: ``{"OPENBLAS_CORETYPE":
    "Haswell"}`` on an x86-64 Linux host with AVX2 (unless the variable is set already),
    else nothing.

    OpenBLAS picks its kernels by CPU (AVX-512 ``SkylakeX`` on recent Intel, ``Haswell``
    or ``Zen`` elsewhere), and their products round differently in the last bits. Most
    fits do not notice; an L-BFGS fit such as the registry's MLP amplifies it to the
    fourth decimal of its AUC (0.7032 against 0.7029 in the Barrett notebook). The stored
    outputs were made with the Haswell kernel, which every AVX2 host runs, so that a
    check compares the same arithmetic on any such machine.
    """
    import platform

    if "OPENBLAS_CORETYPE" in os.environ or platform.machine() not in ("x86_64", "AMD64"):
        return {}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next((line for line in cpuinfo if line.startswith("flags")), "")
    except OSError:
        return {}
    return {"OPENBLAS_CORETYPE": "Haswell"} if " avx2" in flags else {}


def execute(path: Path, *, fast: bool, timeout: int, store: bool = True):
    """Run ``path`` in a fresh kernel; store its outputs (``store``) or return the executed
    notebook without storing it."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    environment = {
        "RISKML_NOTEBOOK_FAST": "1" if fast else "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "RISKML_REPOSITORY": str(ROOT),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        **_blas_kernel(),
    }
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        with tempfile.TemporaryDirectory(prefix="riskml-notebook-") as folder:
            NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": folder}},
            ).execute()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    _scrub_locations(notebook)
    quoted = _local_paths(notebook)
    if quoted:
        raise RuntimeError(f"{path.name} printed local paths, not stored: {quoted[:5]}")
    if store:
        nbformat.write(notebook, path)
    return notebook


def check(path: Path, *, fast: bool = False, timeout: int = 3600) -> list[str]:
    """Execute ``path`` without storing it; the differences from its stored outputs."""
    import nbformat

    stored = nbformat.read(path, as_version=4)
    return compare(stored, execute(path, fast=fast, timeout=timeout, store=False))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run the notebooks whose name contains these")
    parser.add_argument("--fast", action="store_true", help="the reduced design")
    parser.add_argument(
        "--check", action="store_true", help="compare a fresh execution with the stored outputs"
    )
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.names:
        paths = [p for p in paths if any(name in p.stem for name in args.names)]
    if not paths:
        print("no notebook matches", args.names, file=sys.stderr)
        return 2
    failed = []
    for path in paths:
        start = time.perf_counter()
        try:
            if args.check:
                differences = check(path, fast=args.fast, timeout=args.timeout)
            else:
                execute(path, fast=args.fast, timeout=args.timeout)
        except Exception as error:  # one notebook's failure does not stop the others
            failed.append(path.name)
            print(f"{path.name}: failed: {error}", file=sys.stderr, flush=True)
            continue
        seconds = time.perf_counter() - start
        if args.check and differences:
            failed.append(path.name)
            print(f"{path.name}: differs from its stored outputs:", file=sys.stderr)
            for line in differences:
                print("  " + line, file=sys.stderr, flush=True)
        elif args.check:
            print(f"{path.name}: the stored outputs hold ({seconds:.0f} s)", flush=True)
        else:
            print(f"{path.name}: executed and stored in {seconds:.0f} s", flush=True)
    if failed:
        print(f"{'differ or failed' if args.check else 'not stored'}: {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
