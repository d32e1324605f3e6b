"""Model inputs for `run`, `bench` and the tests: deterministic random data of the declared types, or an .npz file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ir.errors import UserError
from ir.types import ShapedType, to_numpy_dtype

DEFAULT_INT_HIGH = 4


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


def _index_bound(arg) -> int:
    """An exclusive upper bound for integer data fed to `arg`: the indexed dimension for Gather-like uses."""
    bound = None
    for op, idx in arg.uses:
        onnx = getattr(type(op), "onnx", "")
        if onnx in ("Gather", "GatherElements") and idx == 1:
            data = op.operands[0].type
            axis = int(op.axis or 0) if hasattr(op, "axis") else 0
            if isinstance(data, ShapedType) and data.rank:
                dim = data.shape[axis % data.rank]
                bound = dim if bound is None else min(bound, dim)
    return max(1, bound if bound is not None else DEFAULT_INT_HIGH)


def random_arrays(specs, seed: int = 0, int_bounds: dict[str, int] | None = None) -> dict[str, np.ndarray]:
    """Deterministic random data for (name, shape, dtype) specs: floats uniform in [-1, 1), integers in
    [0, bound) (bound from `int_bounds`, else small), booleans at random. One generator, in spec order."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape, dtype in specs:
        dtype = np.dtype(dtype)
        if dtype.kind == "f":
            out[name] = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
        elif dtype.kind == "b":
            out[name] = rng.integers(0, 2, size=shape).astype(bool)
        elif dtype.kind in "iu":
            high = (int_bounds or {}).get(name, DEFAULT_INT_HIGH)
            out[name] = rng.integers(0, high, size=shape).astype(dtype)
        else:
            raise UserError(f"input '{name}': cannot make random data of dtype {dtype}")
    return out


def random_inputs(func, seed: int = 0) -> dict[str, np.ndarray]:
    """Deterministic random inputs for a function's arguments (see `random_arrays`)."""
    specs, bounds = [], {}
    for name, arg in zip(input_names(func), func.args):
        t = arg.type
        if not isinstance(t, ShapedType):
            raise UserError(f"input '{name}' has non-tensor type {t}; give inputs with --inputs")
        specs.append((name, tuple(t.shape), to_numpy_dtype(t.element_type)))
        bounds[name] = _index_bound(arg)
    return random_arrays(specs, seed, bounds)


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


def check_feeds(func, feeds: dict) -> list[np.ndarray]:
    """Feeds as a positional list, with one clear error for a missing or misshapen input."""
    names = input_names(func)
    missing = [n for n in names if n not in feeds]
    if missing:
        raise UserError(f"missing input(s): {', '.join(missing)} (the model takes {', '.join(names)})")
    out = []
    for name, arg in zip(names, func.args):
        x = np.asarray(feeds[name])
        t = arg.type
        if isinstance(t, ShapedType) and tuple(x.shape) != tuple(t.shape):
            raise UserError(f"input '{name}' has shape {tuple(x.shape)}, the model expects {t}")
        out.append(x)
    return out
