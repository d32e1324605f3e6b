"""Deterministic random inputs for a function's arguments: the one generator behind `run`, `bench`,
`opt --check-semantics`, mixed-precision sensitivity, `ir.testing` and the tests.

Rules: floats are uniform in [-1, 1); integers are in [0, bound), where bound is the indexed dimension
when the argument feeds a Gather's indices and `DEFAULT_INT_HIGH` otherwise (valid as indices, shape
values and counts); booleans are fair coin flips. Every dynamic dimension becomes `DYNAMIC_DIM_SIZE` (1,
the batch size a symbolic batch dimension most often stands for); give shapes explicitly for others.
One seeded generator draws the arguments in order, so a seed always gives the same inputs.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ir.errors import UserError
from ir.types import DYNAMIC, ShapedType, to_numpy_dtype

DEFAULT_INT_HIGH = 4
DYNAMIC_DIM_SIZE = 1


def random_arrays(
    specs: Iterable[tuple[str, tuple[int, ...], object]],
    seed: int = 0,
    int_bounds: dict[str, int] | None = None,
) -> dict[str, np.ndarray]:
    """Random data for (name, shape, dtype) specs by the module's rules (`int_bounds`: name -> exclusive
    upper bound for integer data)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape, dtype in specs:
        dtype = np.dtype(dtype)
        shape = tuple(DYNAMIC_DIM_SIZE if d == DYNAMIC else int(d) for d in shape)
        if dtype.kind == "f" or dtype.name == "bfloat16":
            out[name] = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
        elif dtype.kind == "b":
            out[name] = rng.integers(0, 2, size=shape).astype(bool)
        elif dtype.kind in "iu":
            high = (int_bounds or {}).get(name, DEFAULT_INT_HIGH)
            out[name] = rng.integers(0, high, size=shape).astype(dtype)
        else:
            raise UserError(f"input '{name}': cannot make random data of dtype {dtype}")
    return out


def index_bound(arg) -> int:
    """An exclusive upper bound for integer data fed to `arg`: the indexed dimension for Gather-like uses."""
    bound = None
    for op, idx in arg.uses:
        onnx = getattr(type(op), "onnx", "")
        if onnx in ("Gather", "GatherElements") and idx == 1:
            data = op.operands[0].type
            axis = int(op.axis or 0) if hasattr(op, "axis") else 0
            if isinstance(data, ShapedType) and data.rank and data.shape[axis % data.rank] != DYNAMIC:
                dim = data.shape[axis % data.rank]
                bound = dim if bound is None else min(bound, dim)
    return max(1, bound if bound is not None else DEFAULT_INT_HIGH)


def random_inputs(func_or_module, seed: int = 0) -> list:
    """Random inputs for the entry function's arguments, in order (see the module's rules): arrays for
    tensor arguments, numpy scalars for scalar ones."""
    from ir.dialects.builtin import ModuleOp

    func = func_or_module.main if isinstance(func_or_module, ModuleOp) else func_or_module
    args = list(func.regions[0].block.args)
    specs, bounds, scalar = [], {}, []
    for i, a in enumerate(args):
        t = a.type
        shaped = isinstance(t, ShapedType)
        et = t.element_type if shaped else t
        specs.append((str(i), tuple(t.shape) if shaped else (), to_numpy_dtype(et)))
        bounds[str(i)] = index_bound(a)
        scalar.append(not shaped)
    arrays = random_arrays(specs, seed, bounds)
    return [arrays[str(i)][()] if scalar[i] else arrays[str(i)] for i in range(len(args))]
