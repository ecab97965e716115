"""Every Python code block in README.md runs, and the two commands near its top are there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples() -> None:
    assert BLOCKS, "README.md has no python code block"


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code = compile(BLOCKS[index], f"README.md block {index}", "exec")
    exec(code, {"__name__": f"readme_block_{index}"})


def test_readme_top_has_exactly_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```(?:bash|sh|console)\n(.*?)```", text, flags=re.S)
    assert first_block is not None, "README.md has no shell block near the top"
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2, commands
    assert "demo" in commands[0] or "example" in commands[0]
    assert "pytest" in commands[1]
