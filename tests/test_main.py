"""The demo's command line, in process and once as a subprocess."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.__main__ import _Progress, main

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["demo", "--epochs", "3", "--samples", "40", "--hidden", "8"]


def test_demo_trains_saves_and_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ck.npz"
    assert main([*SMALL, "--seed", "1", "--save", str(path)]) == 0
    out = capsys.readouterr().out
    assert "epoch 1/3" in out and "epoch 3/3" in out and "loss" in out and "acc" in out
    assert "train accuracy:" in out and "held-out accuracy:" in out
    assert "\r" not in out  # no progress bar when stdout is not a terminal
    held_out = out.split("held-out accuracy:")[1].split()[0]

    ck = ag.load(path)
    assert ck["config"]["seed"] == 1 and ck["config"]["hidden"] == [8]
    assert list(ck["model"]) == ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"]
    assert len(ck["losses"]) == 3

    assert main(["demo", "--load", str(path)]) == 0
    out = capsys.readouterr().out
    assert "loaded" in out and out.split("held-out accuracy:")[1].split()[0] == held_out


def test_demo_on_moons_with_sgd(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "demo",
                "--dataset",
                "moons",
                "--optimizer",
                "sgd",
                "--epochs",
                "2",
                "--samples",
                "60",
                "--batch-size",
                "16",
                "--lr",
                "0.05",
            ]
        )
        == 0
    )
    assert "sgd (lr 0.05)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--epochs", "0"], "--epochs: expected a positive integer"),
        (["demo", "--lr", "-1"], "--lr: expected a positive number"),
        (["demo", "--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["demo", "--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
        (["demo", "--hidden"], "expected at least one argument"),
        (["demo", "--load", "a", "--save", "b"], "--save cannot be combined with --load"),
        (["demo", "--dataset", "moons", "--samples", "3"], "at least 4 for moons"),
        (["demo", "--seed", "-1"], "--seed: expected an integer >= 0"),
        (["demo", "--save", ""], "--save needs a file path"),
        ([], "required: COMMAND"),
    ],
)
def test_bad_arguments_get_argparse_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_load_errors_are_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--load", str(tmp_path / "missing.npz")]) == 1
    assert "cannot evaluate" in capsys.readouterr().err
    other = tmp_path / "other.npz"
    ag.save({"w": np.ones(2)}, other)
    assert main(["demo", "--load", str(other)]) == 1
    assert "not one written by the demo" in capsys.readouterr().err


def test_unwritable_outputs_are_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, message in [
        (["--save", str(tmp_path)], "--save needs a file path"),
        (["--save", str(tmp_path / "no" / "ck.npz")], "does not exist"),
        (["--plot", str(tmp_path / "no" / "p.png")], "does not exist"),
        (["--plot", str(tmp_path / "p.txt")], "give a path ending in .png"),
    ]:
        if argv[0] == "--plot":
            pytest.importorskip("matplotlib")
        with pytest.raises(SystemExit) as info:
            main([*SMALL, *argv])
        assert info.value.code == 2
        err = capsys.readouterr()
        assert message in err.err and "epoch" not in err.out


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("samples", 0, "samples 0"),
        ("samples", 20.5, "samples 20.5"),
        ("noise", -1.0, "noise -1.0"),
        ("seed", -3, "seed -3"),
        ("dataset", "foo", "dataset 'foo'"),
        ("classes", 2, "classes 2 does not fit spirals"),
        ("hidden", [8, 0], "hidden [8, 0]"),
        ("samples", None, "samples None"),
    ],
)
def test_a_checkpoint_with_bad_settings_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: object, message: str
) -> None:
    path = tmp_path / "ck.npz"
    assert main([*SMALL, "--save", str(path)]) == 0
    ck = ag.load(path)
    if value is None:
        del ck["config"][key]
    else:
        ck["config"][key] = value
    ag.save(ck, path)
    capsys.readouterr()
    assert main(["demo", "--load", str(path)]) == 1
    err = capsys.readouterr().err
    assert "settings are not the demo's" in err and message in err


def test_plot_without_matplotlib_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(SystemExit):
        main([*SMALL, "--plot", "x.png"])
    assert "pip install -e '.[plot]'" in capsys.readouterr().err


def test_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "demo.png"
    assert main([*SMALL, "--plot", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    bar = _Progress(4, out)
    for epoch in range(1, 5):
        bar.update(epoch, 0.5, 0.75)
    text = out.getvalue()
    assert text.count("\r[") == 4 and "[###############...............] epoch 2/4" in text
    assert text.endswith("acc  75.0%\n")


def test_python_m_autograd_lite_demo_runs() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "autograd_lite", *SMALL],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "held-out accuracy:" in result.stdout


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--dataset", "moons", "--epochs", "7"], "--dataset, --epochs"),
        (["--seed", "0"], "--seed"),
        (["--hidden", "64", "64"], "--hidden"),
        (
            ["--samples", "10", "--noise", "0", "--lr", "1", "--batch-size", "8"],
            "--samples, --noise, --lr, --batch-size",
        ),
        (["--optimizer", "adam"], "--optimizer"),
    ],
)
def test_training_options_are_refused_with_load(
    extra: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given with --load they would be ignored: the checkpoint's settings rebuild the run.
    Giving an option its default value is giving it."""
    with pytest.raises(SystemExit) as info:
        main(["demo", "--load", "ck.npz", *extra])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"{named} cannot be combined with --load" in err


def test_the_defaults_help_states_are_the_ones_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in [
        "--dataset {moons,spirals} default: spirals",
        "--noise NOISE noise std (default 0.03 spirals, 0.1 moons)",
        "(default: 64 64)",
        "--epochs EPOCHS default: 200",
        "(default 0.01 adam, 0.1 sgd)",
        "--batch-size BATCH_SIZE default: 64",
        "--optimizer {adam,sgd} default: adam",
        "(default: 0)",
    ]:
        assert words in text
    path = tmp_path / "ck.npz"
    assert main(["demo", "--epochs", "1", "--samples", "20", "--save", str(path)]) == 0
    config = ag.load(path)["config"]
    assert config == {
        "dataset": "spirals",
        "samples": 20,
        "noise": 0.03,
        "seed": 0,
        "hidden": [64, 64],
        "classes": 3,
        "optimizer": "adam",
        "lr": 0.01,
        "epochs": 1,
        "batch_size": 64,
    }


def test_output_paths_naming_a_directory_or_under_a_file_are_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    for path, message in [
        (f"{tmp_path / 'nosuch'}{os.sep}", "which names a directory"),
        (f"{tmp_path / 'nosuch'}{os.sep}.", "which names a directory"),
        (str(afile / "x.npz"), f"{afile} is not a directory"),
        (str(afile / "sub" / "x.npz"), f"{afile} is not a directory"),
        (str(tmp_path / "no" / "sub" / "x.npz"), f"the directory {tmp_path / 'no' / 'sub'} does"),
    ]:
        with pytest.raises(SystemExit) as info:
            main([*SMALL, "--save", path])
        assert info.value.code == 2
        err = capsys.readouterr()
        assert message in err.err and "epoch" not in err.out
    assert not (tmp_path / "nosuch").exists()
