"""Model inputs for `run`, `bench` and the tests: random data by `ir.inputs`' rules keyed by input name, or an .npz file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ir.errors import UserError
from ir.types import ShapedType, to_numpy_dtype


def input_names(func) -> list[str]:
    """The function's input names (`zg.input_names`, else arg0, arg1, ...)."""
    names = func.attributes.get("zg.input_names")
    if names is not None:
        return [a.value for a in names.value]
    return [f"arg{i}" for i in range(len(func.args))]


def output_names(func) -> list[str]:
    """The function's output names (`zg.output_names`, else out0, out1, ...)."""
    names = func.attributes.get("zg.output_names")
    n = len(func.function_type.results)
    if names is not None and len(names.value) == n:
        return [a.value for a in names.value]
    return [f"out{i}" for i in range(n)]


def random_feeds(func, seed: int = 0) -> dict[str, np.ndarray]:
    """`ir.inputs.random_inputs` keyed by the function's input names."""
    from ir.inputs import random_inputs

    for name, arg in zip(input_names(func), func.args):
        if not isinstance(arg.type, ShapedType):
            raise UserError(f"input '{name}' has non-tensor type {arg.type}; give inputs with --inputs")
    return dict(zip(input_names(func), random_inputs(func, seed)))


def load_npz(path: str | Path, func) -> dict[str, np.ndarray]:
    """Inputs from an .npz file keyed by input name (or arg0, arg1, ... / arr_0, arr_1, ... by position)."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such file")
    try:
        with np.load(p, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as e:
        raise UserError(f"{p}: not a readable .npz file ({e})") from None
    names = input_names(func)
    out = {}
    for i, (name, arg) in enumerate(zip(names, func.args)):
        for key in (name, f"arg{i}", f"arr_{i}", f"input_{i}"):
            if key in arrays:
                out[name] = arrays[key]
                break
        else:
            raise UserError(
                f"{p}: missing input '{name}' (the file has {', '.join(sorted(arrays)) or 'nothing'})"
            )
        t = arg.type
        if isinstance(t, ShapedType):
            if tuple(out[name].shape) != tuple(t.shape):
                raise UserError(f"{p}: input '{name}' has shape {out[name].shape}, the model expects {t}")
            out[name] = out[name].astype(to_numpy_dtype(t.element_type), copy=False)
    return out
