"""`assert_semantics_preserved`: run two modules (before/after a transform) in the interpreter and compare.

The failure message holds the printed .mlir of both modules and the inputs, so a hypothesis-shrunk
counterexample is readable (and replayable) as it stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ir.core import Operation
from ir.inputs import random_inputs
from ir.printer import PrintOptions, print_op
from ir.tolerance import compare

# Both sides run in the same interpreter, so the default is stricter than `ir.tolerance`'s float32
# policy (which budgets for reassociation in compiled code): rtol 1e-5, atol 1e-6 x max |before|.
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6


def _fmt_inputs(inputs) -> str:
    with np.printoptions(precision=6, threshold=64, edgeitems=4):
        items = inputs.items() if isinstance(inputs, Mapping) else enumerate(inputs)
        return "\n".join(
            f"  input {k}: {np.asarray(v).dtype}{list(np.shape(v))} = {np.asarray(v)!r}" for k, v in items
        )


def _text(m: Operation) -> str:
    try:
        return print_op(m, PrintOptions(elide_constants=False))
    except Exception as e:  # noqa: BLE001 - the message must still be produced
        return f"<unprintable: {e}>"


def assert_semantics_preserved(
    before: Operation,
    after: Operation,
    inputs: Sequence | Mapping | None = None,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> list:
    """Interprets `before` and `after` on the same inputs (`ir.inputs.random_inputs` when None) and raises
    AssertionError, with both modules printed, if any output differs beyond `rtol` / `atol` (by
    `ir.tolerance.compare`'s rule: atol relative to max |before|, NaNs and infinities must agree,
    integers exact). Returns `after`'s outputs."""
    from ir.interpreter import run

    if inputs is None:
        inputs = random_inputs(before)
    want = run(before, inputs)
    try:
        got = run(after, inputs)
    except Exception as e:  # noqa: BLE001 - a crash after the transform is a semantic failure too
        raise AssertionError(
            _report(before, after, inputs, f"the transformed module failed to run: {e}")
        ) from e
    if len(want) != len(got):
        raise AssertionError(_report(before, after, inputs, f"{len(want)} outputs before, {len(got)} after"))
    for i, (w, g) in enumerate(zip(want, got)):
        w, g = np.asarray(w), np.asarray(g)
        if w.shape != g.shape:
            raise AssertionError(
                _report(before, after, inputs, f"output {i}: shape {w.shape} became {g.shape}")
            )
        if w.dtype != g.dtype:
            raise AssertionError(
                _report(before, after, inputs, f"output {i}: dtype {w.dtype} became {g.dtype}")
            )
        c = compare(f"output {i}", g, w, dtype=w.dtype, rtol=rtol, atol=atol)
        if not c.ok:
            detail = (
                f"output {i} differs (rtol={rtol}, atol={atol} x max|before|): {c.detail}; max abs error "
                f"{c.max_abs!r}\n"
                f"  before: {np.array2string(w, threshold=32, precision=6)}\n"
                f"  after:  {np.array2string(g, threshold=32, precision=6)}"
            )
            raise AssertionError(_report(before, after, inputs, detail))
    return got


def _report(before: Operation, after: Operation, inputs, detail: str) -> str:
    return (
        f"semantics not preserved: {detail}\n{_fmt_inputs(inputs)}\n"
        f"--- before ---\n{_text(before)}--- after ---\n{_text(after)}"
    )
