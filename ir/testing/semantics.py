"""`assert_semantics_preserved`: run two modules (before/after a transform) in the interpreter and compare.

The failure message holds the printed .mlir of both modules and the inputs, so a hypothesis-shrunk
counterexample is readable (and replayable) as it stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ir.core import Operation
from ir.printer import PrintOptions, print_op
from ir.types import ShapedType, to_numpy_dtype

DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6


def _entry(module_or_func: Operation) -> Operation:
    from ir.dialects.builtin import ModuleOp

    return module_or_func.main if isinstance(module_or_func, ModuleOp) else module_or_func


def random_inputs(module_or_func: Operation, seed: int = 0, low: float = -2.0, high: float = 2.0) -> list:
    """Random arrays matching the entry function's argument types (dynamic dimensions become 2)."""
    rng = np.random.default_rng(seed)
    out = []
    for a in _entry(module_or_func).regions[0].block.args:
        t = a.type
        shape = tuple(2 if d < 0 else d for d in t.shape) if isinstance(t, ShapedType) else ()
        et = t.element_type if isinstance(t, ShapedType) else t
        dtype = to_numpy_dtype(et)
        if dtype.kind == "f" or dtype.name == "bfloat16":
            x = rng.uniform(low, high, size=shape).astype(dtype)
        elif dtype.kind == "b":
            x = rng.integers(0, 2, size=shape).astype(bool)
        else:
            info = np.iinfo(dtype)
            x = rng.integers(max(info.min, -8), min(info.max, 8) + 1, size=shape).astype(dtype)
        out.append(x if shape else x[()] if isinstance(x, np.ndarray) else x)
    return out


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
    equal_nan: bool = True,
) -> list:
    """Interprets `before` and `after` on the same inputs (random ones when None) and raises AssertionError,
    with both modules printed, if any output differs beyond `rtol`/`atol`. Returns `after`'s outputs."""
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
        wf, gf = _comparable(w), _comparable(g)
        if not np.allclose(gf, wf, rtol=rtol, atol=atol, equal_nan=equal_nan):
            with np.errstate(invalid="ignore"):
                err = np.abs(gf - wf)
                worst = int(np.nanargmax(err)) if err.size and not np.all(np.isnan(err)) else 0
            detail = (
                f"output {i} differs (rtol={rtol}, atol={atol}): max abs error "
                f"{np.nanmax(err) if err.size else 0!r} at flat index {worst}\n"
                f"  before: {np.array2string(w, threshold=32, precision=6)}\n"
                f"  after:  {np.array2string(g, threshold=32, precision=6)}"
            )
            raise AssertionError(_report(before, after, inputs, detail))
    return got


def _comparable(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64) if a.dtype.kind in "fiub" or a.dtype.name == "bfloat16" else a


def _report(before: Operation, after: Operation, inputs, detail: str) -> str:
    return (
        f"semantics not preserved: {detail}\n{_fmt_inputs(inputs)}\n"
        f"--- before ---\n{_text(before)}--- after ---\n{_text(after)}"
    )
