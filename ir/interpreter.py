"""A numpy interpreter for modules at every level, built on each op's `evaluate` (or `interpret`).

Ops without regions define `evaluate(self, *operand_values)` and return an array (one result) or a tuple.
Ops with regions (generic bodies, loops) define `interpret(self, interp, operand_values)` and call
`interp.run_block(...)`. Memrefs are numpy arrays mutated in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ir.core import Block, Operation, Value
from ir.errors import UserError
from ir.types import ShapedType, Type, to_numpy_dtype


class InterpreterError(UserError):
    """An op could not be interpreted (no semantics, or bad runtime values)."""


def coerce(value, t: Type):
    """Makes a Python/numpy value match type `t` (dtype and shape) or raises."""
    if isinstance(t, ShapedType):
        arr = np.asarray(value)
        want = to_numpy_dtype(t.element_type)
        if arr.dtype != want:
            arr = arr.astype(want)
        return arr
    try:
        return to_numpy_dtype(t).type(value)
    except TypeError:
        return value


class Interpreter:
    """Runs functions op by op. `trace` (optional) is called as trace(op, outputs) after each op."""

    def __init__(self, trace=None):
        self.trace = trace

    def run_function(self, func: Operation, inputs: Sequence | Mapping) -> list:
        block = func.regions[0].block
        if isinstance(inputs, Mapping):
            names = func.attributes.get("zg.input_names")
            keys = (
                [a.value for a in names.value]
                if names is not None
                else [f"arg{i}" for i in range(len(block.args))]
            )
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise InterpreterError(f"missing input(s): {', '.join(missing)}")
            inputs = [inputs[k] for k in keys]
        if len(inputs) != len(block.args):
            raise InterpreterError(f"function takes {len(block.args)} inputs, got {len(inputs)}")
        args = []
        for i, (a, x) in enumerate(zip(block.args, inputs)):
            x = coerce(x, a.type)
            if isinstance(a.type, ShapedType) and a.type.has_static_shape and tuple(x.shape) != a.type.shape:
                raise InterpreterError(f"input #{i} has shape {tuple(x.shape)}, expected {a.type}")
            args.append(x)
        return self.run_block(block, args)

    def run_block(self, block: Block, args: Sequence, env: dict[Value, object] | None = None) -> list:
        """Runs a block with its arguments bound to `args`; returns its terminator's operand values."""
        env = {} if env is None else env
        for a, x in zip(block.args, args):
            env[a] = x
        result: list = []
        for op in block.ops:
            vals = [env[v] for v in op.operands]
            outs = self.execute(op, vals, env)
            for r, x in zip(op.results, outs):
                env[r] = x
            if op is block.ops[-1] and not op.results and op.operands:
                result = vals
        term = block.ops[-1] if block.ops else None
        if term is not None and not term.results:
            result = [env[v] for v in term.operands]
        return result

    def execute(self, op: Operation, vals: list, env: dict[Value, object]) -> list:
        interp = getattr(op, "interpret", None)
        try:
            if interp is not None:
                outs = interp(self, vals, env)
            elif op.regions:
                raise InterpreterError(f"'{op.name}' has regions but no interpret() rule")
            else:
                ev = getattr(op, "evaluate", None)
                if ev is None:
                    if not op.results:
                        return []
                    raise InterpreterError(f"'{op.name}' op{op.location_str()}: has no numpy semantics")
                outs = ev(*vals)
        except (UserError, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001 - re-raised with the op's location
            raise InterpreterError(f"'{op.name}' op{op.location_str()}: evaluation failed: {e}") from e
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        outs = [coerce(x, r.type) for x, r in zip(outs, op.results)]
        if self.trace is not None:
            self.trace(op, outs)
        return outs


def run(module_or_func: Operation, inputs: Sequence | Mapping, trace=None) -> list:
    """Interprets the module's entry function (or the given function) on `inputs`."""
    from ir.dialects.builtin import ModuleOp

    func = module_or_func.main if isinstance(module_or_func, ModuleOp) else module_or_func
    return Interpreter(trace).run_function(func, inputs)
