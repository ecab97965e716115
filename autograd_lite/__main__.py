"""The command line: ``python -m autograd_lite demo`` (also the ``autograd-lite`` script).

``demo`` trains an MLP on a generated 2-D data set (3-class spirals by default,
or two moons) with minibatch SGD or Adam, shows progress, and prints the final
train and held-out accuracy. ``--save`` writes a checkpoint (model, optimizer,
and the settings that rebuild both) that ``--load`` evaluates; ``--plot``
draws the decision boundary and the loss curve (needs the ``plot`` extra).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import numpy as np

from . import datasets, nn, optim
from ._plot import plot_demo
from ._typing import Array
from .engine import no_grad
from .nn import functional as F
from .serialization import load, save
from .tensor import Tensor

__all__ = ["build_parser", "main"]

#: Per-data-set defaults: samples (per class for spirals, in all for moons) and noise.
DATA_DEFAULTS = {"spirals": (500, 0.03), "moons": (1000, 0.1)}
DEFAULT_LR = {"adam": 0.01, "sgd": 0.1}
#: The other training options' defaults. The parser's defaults are None, so that an option
#: the user gave can be told from one left out (and refused beside --load).
TRAINING_DEFAULTS: dict[str, Any] = {
    "dataset": "spirals",
    "hidden": [64, 64],
    "epochs": 200,
    "batch_size": 64,
    "optimizer": "adam",
    "seed": 0,
}
#: The options that only training uses (dests); --load takes all of them from its checkpoint.
_TRAINING_OPTIONS = (
    "dataset",
    "samples",
    "noise",
    "hidden",
    "epochs",
    "lr",
    "batch_size",
    "optimizer",
    "seed",
)
HELD_OUT = 0.25
_CHECKPOINT_KIND = "autograd_lite.demo"


def _checked(convert: Callable[[str], Any], words: str, ok: Callable[[Any], bool]) -> Any:
    """An argparse ``type``: ``convert`` the text, then require ``ok`` of the value."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {words}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {words}, got {text}")
        return value

    return parse


_positive_int = _checked(int, "a positive integer", lambda v: v >= 1)
_positive_float = _checked(float, "a positive number", lambda v: v > 0 and math.isfinite(v))
_nonneg_int = _checked(int, "an integer >= 0", lambda v: v >= 0)
_nonneg_float = _checked(float, "a number >= 0", lambda v: v >= 0 and math.isfinite(v))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-lite", description="autograd_lite: reverse-mode autodiff on NumPy."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="train an MLP on a generated 2-D data set",
        description="Train an MLP on generated spirals or two moons and report its accuracy.",
    )
    add = demo.add_argument
    d = TRAINING_DEFAULTS
    add("--dataset", choices=sorted(DATA_DEFAULTS), help=f"default: {d['dataset']}")
    add(
        "--samples",
        type=_positive_int,
        help="points per class (spirals, default 500) or in all (moons, default 1000)",
    )
    add("--noise", type=_nonneg_float, help="noise std (default 0.03 spirals, 0.1 moons)")
    add(
        "--hidden",
        type=_positive_int,
        nargs="+",
        help=f"hidden layer widths (default: {' '.join(map(str, d['hidden']))})",
    )
    add("--epochs", type=_positive_int, help=f"default: {d['epochs']}")
    add(
        "--lr",
        type=_positive_float,
        help="initial learning rate, annealed on a cosine schedule (default 0.01 adam, 0.1 sgd)",
    )
    add("--batch-size", type=_positive_int, help=f"default: {d['batch_size']}")
    add("--optimizer", choices=sorted(DEFAULT_LR), help=f"default: {d['optimizer']}")
    add(
        "--seed",
        type=_nonneg_int,
        help=f"seed of data, split, init, shuffling (default: {d['seed']})",
    )
    add("--save", metavar="PATH", help="write a checkpoint after training")
    add("--load", metavar="PATH", help="evaluate a saved checkpoint instead of training")
    add("--plot", metavar="PATH", help="write a PNG of the decision boundary and loss curve")
    demo.set_defaults(subparser=demo)
    return parser


def _data(config: dict[str, Any]) -> tuple[Array, Array, Array, Array]:
    if config["dataset"] == "spirals":
        X, y = datasets.spirals(config["samples"], 3, config["noise"], config["seed"])
    else:
        X, y = datasets.two_moons(config["samples"], config["noise"], config["seed"])
    return datasets.train_test_split(X, y, HELD_OUT, config["seed"])


def _model(config: dict[str, Any], rng: np.random.Generator | None = None) -> nn.MLP:
    return nn.MLP(2, list(config["hidden"]), int(config["classes"]), rng=rng)


def accuracy(model: nn.Module, X: Array, y: Array) -> float:
    """The fraction of rows of ``X`` whose highest logit is the label in ``y``."""
    with no_grad():
        logits = model(Tensor(X)).data
    return float(np.mean(logits.argmax(axis=1) == y))


class _Progress:
    """A bar redrawn in place on a terminal; otherwise about ten plain lines."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.out = total, out
        self.tty = out.isatty()
        self.every = max(1, total // 10)

    def update(self, epoch: int, loss: float, acc: float) -> None:
        text = (
            f"epoch {epoch:>{len(str(self.total))}}/{self.total}  loss {loss:.4f}  acc {acc:6.1%}"
        )
        if self.tty:
            filled = int(30 * epoch / self.total)
            bar = "#" * filled + "." * (30 - filled)
            end = "\n" if epoch == self.total else ""
            self.out.write(f"\r[{bar}] {text}{end}")
            self.out.flush()
        elif epoch % self.every == 0 or epoch == self.total or epoch == 1:
            print(text, file=self.out, flush=True)


def _require_matplotlib(parser: argparse.ArgumentParser) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        parser.error(
            "--plot needs matplotlib: pip install matplotlib (in a checkout, the plot extra: "
            "pip install -e '.[plot]')"
        )


def _train(config: dict[str, Any], out: TextIO) -> tuple[nn.MLP, optim.Optimizer, list[float]]:
    Xtr, _, ytr, _ = _data(config)
    rng = np.random.default_rng(config["seed"])
    model = _model(config, rng)
    opt: optim.Optimizer
    if config["optimizer"] == "adam":
        opt = optim.Adam(model.parameters(), lr=config["lr"])
    else:
        opt = optim.SGD(model.parameters(), lr=config["lr"], momentum=0.9)
    progress = _Progress(config["epochs"], out)
    bs, n = config["batch_size"], len(ytr)
    losses: list[float] = []
    epochs = config["epochs"]
    for epoch in range(1, epochs + 1):
        # Cosine annealing: large steps early, small ones at the end, so the final
        # epochs settle instead of bouncing.
        opt.param_groups[0]["lr"] = (
            config["lr"] * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / epochs))
        )
        order = rng.permutation(n)
        total, correct = 0.0, 0
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            logits = model(Tensor(Xtr[idx]))
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            correct += int((logits.data.argmax(axis=1) == ytr[idx]).sum())
        losses.append(total / n)
        progress.update(epoch, losses[-1], correct / n)
    return model, opt, losses


def _report(model: nn.Module, config: dict[str, Any], out: TextIO) -> tuple[float, float]:
    Xtr, Xte, ytr, yte = _data(config)
    model.eval()
    train_acc, test_acc = accuracy(model, Xtr, ytr), accuracy(model, Xte, yte)
    print(f"train accuracy:    {train_acc:.1%} ({len(ytr)} points)", file=out)
    print(f"held-out accuracy: {test_acc:.1%} ({len(yte)} points)", file=out)
    return train_acc, test_acc


def _check_config(config: dict[str, Any]) -> None:
    """A checkpoint's settings, checked before they rebuild its data and model."""

    def count(key: str, least: int) -> bool:
        v = config.get(key)
        return isinstance(v, int) and not isinstance(v, bool) and v >= least

    problems = []
    if config.get("dataset") not in DATA_DEFAULTS:
        problems.append(f"dataset {config.get('dataset')!r} is not one of {sorted(DATA_DEFAULTS)}")
    elif config.get("classes") != (3 if config["dataset"] == "spirals" else 2):
        problems.append(f"classes {config.get('classes')!r} does not fit {config['dataset']}")
    if not count("samples", 4 if config.get("dataset") == "moons" else 1):
        problems.append(f"samples {config.get('samples')!r} is not a large enough integer")
    if not count("seed", 0):
        problems.append(f"seed {config.get('seed')!r} is not an integer >= 0")
    noise = config.get("noise")
    if not (
        isinstance(noise, (int, float)) and not isinstance(noise, bool) and 0 <= noise < np.inf
    ):
        problems.append(f"noise {noise!r} is not a finite number >= 0")
    hidden = config.get("hidden")
    if not (
        isinstance(hidden, (list, tuple))
        and all(isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in hidden)
    ):
        problems.append(f"hidden {hidden!r} is not a list of positive integers")
    if problems:
        raise ValueError("its settings are not the demo's: " + "; ".join(problems))


def _check_output(parser: argparse.ArgumentParser, option: str, path: str | None) -> None:
    """Refuse an output path that cannot be written before training, not after."""
    if path is None:
        return
    if not path or os.path.isdir(path):
        parser.error(f"{option} needs a file path, got {path!r}")
    if os.path.basename(path) in ("", os.curdir, os.pardir):
        parser.error(f"{option} needs a file path, got {path!r}, which names a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        # The nearest part of the path that exists: a directory (the rest is missing) or
        # a file standing where a directory must be.
        existing = directory
        while not os.path.exists(existing):
            existing = os.path.dirname(existing)
        if not os.path.isdir(existing):
            parser.error(f"{option} {path}: {existing} is not a directory")
        parser.error(f"{option} {path}: the directory {directory} does not exist")
    if option == "--plot" and not path.lower().endswith(".png"):
        parser.error(f"--plot writes a PNG: give a path ending in .png, got {path!r}")


def _load_checkpoint(path: str) -> tuple[nn.MLP, dict[str, Any], list[float]]:
    ckpt = load(path)
    if not isinstance(ckpt, dict) or ckpt.get("kind") != _CHECKPOINT_KIND:
        raise ValueError(f"{path} is a checkpoint, but not one written by the demo's --save")
    config = dict(ckpt["config"])
    _check_config(config)
    model = _model(config)
    model.load_state_dict(ckpt["model"])
    return model, config, [float(v) for v in ckpt["losses"]]


def _apply_training_defaults(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Refuse training options given with --load (which would ignore them), then fill in
    the defaults of those left out."""
    given = [name for name in _TRAINING_OPTIONS if getattr(args, name) is not None]
    if args.load is not None and given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        parser.error(
            f"{options} cannot be combined with --load (which evaluates with the settings "
            "the checkpoint was trained with)"
        )
    for name, value in TRAINING_DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, list(value) if isinstance(value, list) else value)


def _demo(args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO) -> int:
    _apply_training_defaults(args, parser)
    if args.plot is not None:
        _require_matplotlib(parser)
    if args.dataset == "moons" and args.samples is not None and args.samples < 4:
        parser.error("--samples must be at least 4 for moons (2 per moon, then a split)")
    if args.load is not None and args.save is not None:
        parser.error("--save cannot be combined with --load (which only evaluates)")
    _check_output(parser, "--save", args.save)
    _check_output(parser, "--plot", args.plot)
    if args.load is not None:
        try:
            model, config, losses = _load_checkpoint(args.load)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"autograd-lite demo: error: cannot evaluate {args.load}: {e}", file=sys.stderr)
            return 1
        sizes = [2, *config["hidden"], config["classes"]]
        print(f"loaded {args.load}: MLP {sizes} trained on {config['dataset']}", file=out)
    else:
        samples, noise = DATA_DEFAULTS[args.dataset]
        config = {
            "dataset": args.dataset,
            "samples": args.samples or samples,
            "noise": noise if args.noise is None else args.noise,
            "seed": args.seed,
            "hidden": list(args.hidden),
            "classes": 3 if args.dataset == "spirals" else 2,
            "optimizer": args.optimizer,
            "lr": args.lr or DEFAULT_LR[args.optimizer],
            "epochs": args.epochs,
            "batch_size": args.batch_size,
        }
        print(
            f"training MLP {[2, *config['hidden'], config['classes']]} on {args.dataset} "
            f"with {args.optimizer} (lr {config['lr']}), {args.epochs} epochs",
            file=out,
        )
        start = time.perf_counter()
        model, opt, losses = _train(config, out)
        print(f"trained in {time.perf_counter() - start:.1f} s", file=out)
    train_acc, test_acc = _report(model, config, out)
    if args.save is not None:
        ckpt = {
            "kind": _CHECKPOINT_KIND,
            "config": config,
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "losses": np.asarray(losses),
            "accuracy": {"train": train_acc, "held_out": test_acc},
        }
        try:
            save(ckpt, args.save)
        except OSError as e:
            print(f"autograd-lite demo: error: cannot save {args.save}: {e}", file=sys.stderr)
            return 1
        print(f"saved checkpoint to {args.save}", file=out)
    if args.plot is not None:
        X = np.concatenate(_data(config)[:2])
        y = np.concatenate(_data(config)[2:])
        try:
            plot_demo(args.plot, model, X, y, losses)
        except OSError as e:
            print(f"autograd-lite demo: error: cannot write {args.plot}: {e}", file=sys.stderr)
            return 1
        print(f"wrote plot to {args.plot}", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m autograd_lite`` and the ``autograd-lite`` script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo(args, args.subparser, sys.stdout)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
