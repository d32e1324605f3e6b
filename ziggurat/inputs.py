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


def read_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of an .npz file by key; a missing or unreadable file is one UserError line."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such file")
    try:
        with np.load(p, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError) as e:
        raise UserError(f"{p}: not a readable .npz file ({e})") from None


def select_feeds(
    arrays: dict[str, np.ndarray], specs: list[tuple[str, tuple[int, ...], np.dtype]], source: str
) -> dict[str, np.ndarray]:
    """The feeds for inputs `specs` (name, shape, dtype) from `arrays`, keyed by input name (or arg0 /
    arr_0 / input_0 by position). A missing input, a key naming no input, or an array of another shape or
    dtype is refused with one line, as onnxruntime does (no silent cast: float64 into f32 is an error)."""
    names = [n for n, _, _ in specs]
    out: dict[str, np.ndarray] = {}
    used: set[str] = set()
    for i, (name, _, _) in enumerate(specs):
        for key in (name, f"arg{i}", f"arr_{i}", f"input_{i}"):
            if key in arrays:
                out[name] = arrays[key]
                used.add(key)
                break
        else:
            raise UserError(
                f"{source}: missing input '{name}' (the file has {', '.join(sorted(arrays)) or 'nothing'}; "
                f"inputs: {', '.join(names)})"
            )
    extra = sorted(set(arrays) - used)
    if extra:
        raise UserError(f"{source}: '{extra[0]}' names no input (inputs: {', '.join(names)})")
    for name, shape, dtype in specs:
        x = out[name]
        if dtype is not None and x.dtype != np.dtype(dtype):
            raise UserError(
                f"{source}: input '{name}' has element type {x.dtype}, the model expects {np.dtype(dtype)} "
                "(convert it; inputs are not cast)"
            )
        if shape is not None and tuple(x.shape) != tuple(shape):
            shown = "x".join(map(str, shape)) or "scalar"
            raise UserError(f"{source}: input '{name}' has shape {x.shape}, the model expects {shown}")
    return out


def load_npz(path: str | Path, func) -> dict[str, np.ndarray]:
    """Inputs from an .npz file keyed by input name (or arg0, arg1, ... / arr_0, arr_1, ... by position)."""
    specs = []
    for name, arg in zip(input_names(func), func.args):
        t = arg.type
        if isinstance(t, ShapedType):
            specs.append((name, tuple(t.shape), to_numpy_dtype(t.element_type)))
        else:
            specs.append((name, None, None))
    return select_feeds(read_npz(path), specs, str(path))
