"""Re-execute the notebooks and store their outputs: ``make notebooks``.

Each notebook runs from top to bottom in one fresh kernel, in a temporary folder (the files
it writes, such as the quickstart's report, never land in the repository), with this
checkout's riskml; its outputs replace the stored ones only when every cell succeeded.
Absolute paths of this machine never reach the stored outputs: a notebook that printed one
fails the run.

Usage::

    python notebooks/execute.py                 # every notebook, full design
    python notebooks/execute.py quickstart      # notebooks whose name contains "quickstart"
    python notebooks/execute.py --fast          # the reduced design (RISKML_NOTEBOOK_FAST=1)
"""

from __future__ import annotations

import argparse
import os
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
        (re.escape(str(ROOT) + os.sep), ""),
        (temporary + r"ipykernel_\d+" + re.escape(os.sep) + r"\d+\.py", "<cell>"),
        (temporary + r"[\w.-]+(?:" + re.escape(os.sep) + r"[\w.-]+)*", "<temporary folder>"),
    )
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                for pattern, replacement in rules:
                    output["text"] = re.sub(pattern, replacement, output["text"])


def execute(path: Path, *, fast: bool, timeout: int) -> float:
    """Run ``path`` in a fresh kernel and store its outputs; return the seconds taken."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    environment = {
        "RISKML_NOTEBOOK_FAST": "1" if fast else "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "RISKML_REPOSITORY": str(ROOT),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    start = time.perf_counter()
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
    nbformat.write(notebook, path)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run the notebooks whose name contains these")
    parser.add_argument("--fast", action="store_true", help="the reduced design")
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
        try:
            seconds = execute(path, fast=args.fast, timeout=args.timeout)
        except Exception as error:  # one notebook's failure does not stop the others
            failed.append(path.name)
            print(f"{path.name}: not stored: {error}", file=sys.stderr, flush=True)
            continue
        print(f"{path.name}: executed and stored in {seconds:.0f} s", flush=True)
    if failed:
        print(f"not stored: {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
