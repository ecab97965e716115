"""Version checks for in-place writes: backward never uses a value changed since the forward.

``x[i] = v`` bumps ``x._version``; every recorded node keeps its parents' versions
(``_versions``, set by ``Op.apply``). Before a reverse pass, edges made before a
recorded write are pointed back at the tensor they saw
(:func:`redirect_rewritten_parents`); during it, :func:`check_versions` refuses any
other value that changed under a node that needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["Rewrites", "bump", "check_versions", "redirect_rewritten_parents", "rewrites"]


class Rewrites:
    #: Set by the first recorded in-place write (``x[i] = v`` with a gradient flowing);
    #: until then backward skips the walk below.
    seen = False
    #: The creation number (``engine.next_seq``) taken by the latest write of any tensor.
    #: A node made after it (a larger ``_seq``) saw every value as it still is, so the
    #: reverse pass checks versions only on nodes made before it.
    last_write = -1


rewrites = Rewrites()


def bump(t: Any) -> None:
    """Record a write into ``t``: its version goes up, then the write takes a creation
    number (in this order, so a node that reads the old version has a smaller one)."""
    t._version += 1
    rewrites.last_write = next_seq()


def redirect_rewritten_parents(roots: Sequence[Any]) -> None:
    """Point each edge made before an in-place write back at the value it saw.

    A recorded ``t[i] = v`` turns ``t`` into the output of a node (its op has
    ``overwrites_input``) whose input 0 is ``t``'s former self, a hidden tensor whose
    ``_version`` is the version it stood for. A node made earlier still names ``t`` with
    an older saved version; following input 0 back to that version finds the tensor
    the node really used. Without this, such an edge would send the gradient through
    the write (a cycle for ``t[i] += ...``). Edges that cannot be redirected are left
    for :func:`check_versions` to refuse.
    """
    stack = list(roots)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        parents = node._parents
        if not parents:
            continue
        versions = getattr(node, "_versions", None)
        if versions is not None:
            fixed: list[Any] | None = None
            for i, (p, v) in enumerate(zip(parents, versions)):
                if p._version == v:
                    continue
                q = p
                # Each step goes to an older version, so the walk ends.
                while q._version != v and getattr(q._op, "overwrites_input", False) and q._parents:
                    q = q._parents[0]
                # The exact version found: point the edge at it. Otherwise writes under
                # no_grad (which make no node) changed the value the node saw since. If the
                # walk went past that version, the edge stays, for check_versions to judge.
                # If it stopped at a newer constant, the value the node saw was that
                # constant before an untracked write: the edge carries no gradient, so it
                # points there (check_versions still refuses it if the VJP reads values).
                if q._version < v or (q._version != v and q.requires_grad):
                    q = p
                if q is not p:
                    fixed = fixed if fixed is not None else list(parents)
                    fixed[i] = q
            if fixed is not None:
                node._parents = parents = tuple(fixed)
        for p in parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)


def check_versions(node: Any, parents: Sequence[Any], versions: tuple[int, ...]) -> None:
    """Raise if a value this node's VJP needs was changed in place since the forward.

    ``versions`` are the parents' ``_version`` when the node was made; a node's own
    version starts at 0. A changed parent matters when the VJP reads input values, or
    when a recorded write made it the output of a new ``setitem`` node after this node
    (a larger ``_seq``): this node's edge would then reach the wrong graph. A write under
    no_grad makes no node, so it leaves the edge right.
    """
    op = node._op
    if node._version != 0 and getattr(op, "reads_output", True):
        raise RuntimeError(_modified_message(node, op, "the output", 0))
    for i, (p, v) in enumerate(zip(parents, versions)):
        if p._version != v and (
            getattr(op, "reads_inputs", True)
            or (p.requires_grad and p._op is not None and p._seq > node._seq)
        ):
            raise RuntimeError(_modified_message(p, op, f"input {i}", v))


def _modified_message(t: Any, op: Any, which: str, saved: int) -> str:
    return (
        f"a value needed for gradient computation was modified by an in-place operation: "
        f"{which} of {op.name}, a Tensor of shape {t.shape} and dtype {t.dtype}, is at version "
        f"{t._version} but was at version {saved} when {op.name} used it. Compute a new "
        "tensor instead of assigning into this one (writes to .data are not tracked)."
    )


from .engine import next_seq  # noqa: E402
