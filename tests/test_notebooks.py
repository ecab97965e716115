"""Every notebook in notebooks/ runs top to bottom, and is committed with its outputs.

The kernel is this interpreter (a kernelspec written to a temporary directory
points at ``sys.executable``), so the notebooks run against the same environment
and the same checkout as the tests, with no ``ipykernel install`` beforehand.
``python tests/test_notebooks.py`` re-executes them all and saves their outputs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT_S = 120  # per cell; each notebook is meant to run in well under a minute


def execute(path: Path, workdir: Path) -> Any:
    """Run the notebook at ``path`` in a fresh kernel of this interpreter; return it run."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    spec_dir = workdir / "kernels" / "autograd-lite"
    spec_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "autograd-lite", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    ksm = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)])
    km = KernelManager(kernel_name="autograd-lite", kernel_spec_manager=ksm)

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        km=km,
        timeout=TIMEOUT_S,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    env = dict(os.environ)
    # The checkout under test comes first, whatever is installed in the environment.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    # Small matmuls on a busy 2-core machine run several times faster on one BLAS thread
    # than with threads waiting on each other.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.pop("MPLBACKEND", None)  # the kernel's inline backend embeds the figures
    client.execute(env=env)
    return nb


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS][:1] == ["01_derivations.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_with_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cell"
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, f"{path.name}: some cells were never run; save it executed"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not run top to bottom"
    assert not any(o.get("output_type") == "error" for c in code for o in c["outputs"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    execute(path, tmp_path)


def _save_all() -> None:
    import tempfile

    import nbformat

    for path in NOTEBOOKS:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            nb = execute(path, Path(tmp))
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, path)
        print(f"{path.name}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    _save_all()
