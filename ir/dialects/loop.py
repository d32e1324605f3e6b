"""The `loop` dialect: loops over buffers (memrefs), the level just above LLVM.

- `loop.for` (lower, upper, step: index; optional loop-carried values), `loop.parallel` (a multi-dim
  parallel nest with an optional GPU `mapping` such as ["block.x", "thread.x"]), `loop.yield`.
- `loop.load` / `loop.store`: scalar, or a vector of the trailing dimensions when the value is a vector.
- `loop.alloc`, `loop.dealloc`, `loop.copy`, `loop.barrier` (a GPU block barrier).
- `loop.kernel`: a named function of buffers at module level (IsolatedFromAbove, ends in `loop.return`),
  and `loop.call` to run one from a host function.

Every name is our own (upstream MLIR has no `loop` dialect any more). The interpreter runs loops exactly,
as Python loops, with memrefs as numpy arrays mutated in place.
"""

from __future__ import annotations

import itertools

import numpy as np

from ir.core import Operation
from ir.opdef import (
    DENSE,
    INT,
    STR,
    STRS,
    SYMBOL,
    TYPE,
    IsolatedFromAbove,
    Pure,
    Terminator,
    attr,
    is_memref,
    operand,
    region,
    result,
)
from ir.types import DYNAMIC, FloatType, FunctionType, IndexType, MemRefType, VectorType, to_numpy_dtype


def _is_index(t) -> bool:
    return isinstance(t, IndexType)


class YieldOp(Operation):
    """Ends a `loop.for` body (passing the next loop-carried values) or a `loop.parallel` body."""

    name = "loop.yield"
    traits = (Terminator,)
    values = operand(variadic=True)

    def verify_(self) -> None:
        p = self.parent_op
        if isinstance(p, ForOp):
            want = [v.type for v in p.iter_args]
            if [v.type for v in self.operands] != want:
                raise self.error(f"must yield the loop-carried types ({', '.join(map(str, want))})")
        elif isinstance(p, ParallelOp):
            if self.operands:
                raise self.error("a loop.parallel body yields nothing")
        else:
            from ir.dialects.loop_kernels import MicroKernelOp  # (it imports this module)

            if not isinstance(p, MicroKernelOp):  # its epilogue yields one value; it checks the type
                raise self.error("must end a loop.for or loop.parallel body or a kernel op's epilogue")


class ForOp(Operation):
    """for iv = lower; iv < upper; iv += step. The body block takes (iv, *carried) and yields the next
    carried values; the results are the final ones (the initial ones when the loop runs zero times)."""

    name = "loop.for"
    lower = operand(_is_index)
    upper = operand(_is_index)
    step = operand(_is_index)
    iter_args = operand(variadic=True)
    results_ = result(variadic=True)
    body = region()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return list(operand_types[3:])

    @property
    def induction_var(self):
        return self.regions[0].block.args[0]

    def verify_(self) -> None:
        carried = [v.type for v in self.iter_args]
        if [r.type for r in self.results] != carried:
            raise self.error("results must have the types of the loop-carried values")
        if len(self.regions[0].blocks) != 1:
            raise self.error("body must have one block")
        args = [a.type for a in self.regions[0].block.args]
        if not args or not _is_index(args[0]) or args[1:] != carried:
            raise self.error(
                f"body block must take (index, {', '.join(map(str, carried))}), got ({', '.join(map(str, args))})"
            )
        if not isinstance(self.regions[0].block.terminator, YieldOp):
            raise self.error("body must end with loop.yield")

    def interpret(self, interp, vals, env):
        lo, hi, st, *carried = vals
        if int(st) <= 0:
            raise ValueError(f"step must be positive, got {int(st)}")
        block = self.regions[0].block
        for i in range(int(lo), int(hi), int(st)):
            carried = interp.run_block(block, [np.int64(i), *carried], env)
        return carried


class ParallelOp(Operation):
    """A parallel nest: every point of the box [lower, upper) with `step` runs the body once, in any
    order (the interpreter goes in lexicographic order). `mapping` optionally names the hardware
    dimension of each loop (e.g. "block.x", "thread.x") for GPU code."""

    name = "loop.parallel"
    lower = operand(_is_index, variadic=True)
    upper = operand(_is_index, variadic=True)
    step = operand(_is_index, variadic=True)
    mapping = attr(STRS, default=None)
    body = region()

    def verify_(self) -> None:
        n = len(self.lower)
        if len(self.upper) != n or len(self.step) != n:
            raise self.error("lower, upper and step need the same number of values")
        if self.mapping is not None and len(self.mapping) != n:
            raise self.error(f"mapping needs {n} entries, got {len(self.mapping)}")
        args = [a.type for a in self.regions[0].block.args]
        if len(args) != n or not all(_is_index(t) for t in args):
            raise self.error(f"body block must take {n} index arguments")
        if not isinstance(self.regions[0].block.terminator, YieldOp):
            raise self.error("body must end with loop.yield")

    def interpret(self, interp, vals, env):
        n = len(self.lower)
        lo, hi, st = vals[:n], vals[n : 2 * n], vals[2 * n :]
        block = self.regions[0].block
        ranges = [range(int(a), int(b), int(s)) for a, b, s in zip(lo, hi, st)]
        for point in itertools.product(*ranges):
            interp.run_block(block, [np.int64(i) for i in point], env)
        return []


# ----------------------------------------------------------------------------- memory


def _access(mem: np.ndarray, idx, vt):
    """The index (tuple of ints and slices) of a scalar or a vector access at `idx`."""
    idx = [int(i) for i in idx]
    if isinstance(vt, VectorType):
        r = vt.rank
        lead, tail = idx[: len(idx) - r], idx[len(idx) - r :]
        return tuple(lead) + tuple(slice(i, i + n) for i, n in zip(tail, vt.shape))
    return tuple(idx)


def _check_access(op, mem_t, indices, value_t) -> None:
    if len(indices) != mem_t.rank:
        raise op.error(f"needs {mem_t.rank} indices for {mem_t}, got {len(indices)}")
    if isinstance(value_t, VectorType):
        if value_t.element_type != mem_t.element_type or value_t.rank > mem_t.rank:
            raise op.error(f"vector {value_t} does not fit {mem_t}")
    elif value_t != mem_t.element_type:
        raise op.error(f"value type {value_t} must be {mem_t.element_type} (or a vector of it)")


class LoadOp(Operation):
    """memref[indices]: a scalar, or (for a vector result of rank r) the block of the trailing r dims."""

    name = "loop.load"
    memref = operand(is_memref)
    indices = operand(_is_index, variadic=True)
    out = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0].element_type]

    def verify_(self) -> None:
        _check_access(self, self.memref.type, self.indices, self.result.type)

    def evaluate(self, mem, *idx):
        v = mem[_access(mem, idx, self.result.type)]
        return np.array(v, copy=True) if isinstance(self.result.type, VectorType) else v


class StoreOp(Operation):
    """memref[indices] = value (a vector value writes the block of the trailing dims)."""

    name = "loop.store"
    value = operand()
    memref = operand(is_memref)
    indices = operand(_is_index, variadic=True)

    def verify_(self) -> None:
        _check_access(self, self.memref.type, self.indices, self.value.type)

    def evaluate(self, value, mem, *idx):
        mem[_access(mem, idx, self.value.type)] = value
        return ()


class AllocOp(Operation):
    """A new buffer of the result type; one index operand per dynamic dimension. Contents are undefined:
    the interpreter fills floats with NaN (and integers with zeros) so reads before writes show up."""

    name = "loop.alloc"
    dynamicSizes = operand(_is_index, variadic=True)  # noqa: N815 - as upstream memref.alloc
    out = result(is_memref)
    alignment = attr(INT, default=None)
    memory_space = attr(STR, default=None, doc='"global" (default), "shared" or "local" on GPUs')

    def verify_(self) -> None:
        t = self.result.type
        n = sum(1 for d in t.shape if d == DYNAMIC)
        if len(self.operands) != n:
            raise self.error(f"{t} has {n} dynamic dimensions but {len(self.operands)} sizes are given")

    def evaluate(self, *sizes):
        it = iter(int(s) for s in sizes)
        t = self.result.type
        shape = [next(it) if d == DYNAMIC else d for d in t.shape]
        fill = np.nan if isinstance(t.element_type, FloatType) else 0
        return np.full(shape, fill, dtype=to_numpy_dtype(t.element_type))


class DeallocOp(Operation):
    """Frees a buffer made by loop.alloc."""

    name = "loop.dealloc"
    memref = operand(is_memref)

    def evaluate(self, mem):
        return ()


class CopyOp(Operation):
    """Copies every element of `source` into `target` (same shape and element type)."""

    name = "loop.copy"
    source = operand(is_memref)
    target = operand(is_memref)

    def verify_(self) -> None:
        if self.source.type != self.target.type:
            raise self.error(f"source {self.source.type} and target {self.target.type} differ")

    def evaluate(self, src, dst):
        dst[...] = src
        return ()


class BarrierOp(Operation):
    """Waits until every thread of the GPU block reaches it (a no-op on CPU and in the interpreter)."""

    name = "loop.barrier"

    def evaluate(self):
        return ()


# ----------------------------------------------------------------------------- kernels


class KernelOp(Operation):
    """A named kernel function at module level: arguments are buffers (memrefs) and scalars; the body is
    isolated from above and ends in loop.return. `target` optionally says where it runs ("cpu", "gpu")."""

    name = "loop.kernel"
    traits = (IsolatedFromAbove,)
    sym_name = attr(STR)
    function_type = attr(TYPE)
    target = attr(STR, default=None)
    body_region = region()

    @staticmethod
    def create(name: str, input_types, result_types=(), target: str | None = None) -> KernelOp:
        from ir.core import Block

        k = KernelOp.build(
            sym_name=name, function_type=FunctionType(tuple(input_types), tuple(result_types)), target=target
        )
        k.regions[0].add_block(Block(list(input_types)))
        return k

    @property
    def body(self):
        return self.regions[0].block

    @property
    def args(self):
        return self.body.args

    def verify_(self) -> None:
        ft = self.function_type
        if not isinstance(ft, FunctionType):
            raise self.error("function_type must be a function type")
        if len(self.regions[0].blocks) != 1:
            raise self.error("body must have one block")
        args = tuple(a.type for a in self.body.args)
        if args != ft.inputs:
            raise self.error(f"block arguments ({', '.join(map(str, args))}) do not match {ft}")


class ReturnOp(Operation):
    """Ends a loop.kernel (returning its scalar results, if any)."""

    name = "loop.return"
    traits = (Terminator,)
    values = operand(variadic=True)

    def verify_(self) -> None:
        k = self.parent_op
        if not isinstance(k, KernelOp):
            raise self.error("must end a loop.kernel")
        got = tuple(v.type for v in self.operands)
        if got != k.function_type.results:
            raise self.error(f"returns ({', '.join(map(str, got))}) but the kernel type is {k.function_type}")


def _lookup_symbol(op: Operation, name: str) -> Operation | None:
    """The op with `sym_name == name` in the nearest enclosing module."""
    from ir.dialects.builtin import ModuleOp

    for a in op.ancestors():
        if isinstance(a, ModuleOp):
            for o in a.body.ops:
                sym = o.properties.get("sym_name")
                if sym is not None and getattr(sym, "value", None) == name:
                    return o
            return None
    return None


class CallOp(Operation):
    """Calls a loop.kernel (or func.func) by name; buffers are passed by reference."""

    name = "loop.call"
    callee = attr(SYMBOL)
    args = operand(variadic=True)
    results_ = result(variadic=True)

    def verify_(self) -> None:
        target = _lookup_symbol(self, self.callee)
        if target is None:
            raise self.error(f"no kernel or function named @{self.callee}")
        ft = target.properties["function_type"].value
        got_in = tuple(v.type for v in self.operands)
        got_out = tuple(self.result_types)
        if got_in != ft.inputs or got_out != ft.results:
            raise self.error(f"call types do not match @{self.callee}'s type {ft}")

    def interpret(self, interp, vals, env):
        target = _lookup_symbol(self, self.callee)
        if target is None:
            raise ValueError(f"no kernel or function named @{self.callee}")
        return interp.run_block(target.regions[0].block, list(vals), {})


# ----------------------------------------------------------------------------- buffers of the host function
# (added for issue 5's lowering: weights, views, the tensor<->memref bridge, splats and micro-kernels)


class WeightOp(Operation):
    """A constant buffer (a model weight): the result memref holds `value` (DENSE, same shape and
    element type). The driver stores its bytes in the engine; kernels only read it."""

    name = "loop.weight"
    value = attr(DENSE)
    out = result(is_memref)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        t = properties["value"].type
        return [MemRefType(tuple(t.shape), t.element_type)]

    def verify_(self) -> None:
        t, m = self.properties["value"].type, self.result.type
        if tuple(t.shape) != tuple(m.shape) or t.element_type != m.element_type:
            raise self.error(f"value of type {t} does not fit {m}")

    def evaluate(self):
        return np.array(self.value, copy=True)


class ViewOp(Operation):
    """An alias of `source` with another static shape and the same element count (a row-major
    reshape): same bytes, new memref type. Writes through either are seen by both."""

    name = "loop.view"
    source = operand(is_memref)
    out = result(is_memref)

    def verify_(self) -> None:
        a, b = self.source.type, self.result.type
        if a.element_type != b.element_type or a.num_elements != b.num_elements:
            raise self.error(f"cannot view {a} as {b}")

    def evaluate(self, src):
        v = src.reshape(self.result.type.shape)
        if not np.shares_memory(v, src) and v.size:
            raise ValueError("source buffer is not contiguous")
        return v


class ToTensorOp(Operation):
    """Reads a whole buffer as a tensor value (bridges kernel arguments to tensor ops between the
    `bufferize` and `lower-tensor-to-loops` passes; as upstream's bufferization.to_tensor)."""

    name = "loop.to_tensor"
    memref = operand(is_memref)
    out = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        from ir.types import TensorType

        m = operand_types[0]
        return [TensorType(tuple(m.shape), m.element_type)]

    def evaluate(self, mem):
        return np.array(mem, copy=True)


class MaterializeOp(Operation):
    """Writes a tensor value into a buffer of the same shape (the other half of the bridge; as
    upstream's bufferization.materialize_in_destination)."""

    name = "loop.materialize"
    source = operand()
    target = operand(is_memref)

    def verify_(self) -> None:
        a, b = self.source.type, self.target.type
        if tuple(a.shape) != tuple(b.shape) or a.element_type != b.element_type:
            raise self.error(f"cannot write {a} into {b}")

    def evaluate(self, src, dst):
        dst[...] = src
        return ()


class SplatOp(Operation):
    """A vector with every lane equal to the scalar operand (as upstream vector.broadcast of a scalar);
    made by `vectorize` for loop-invariant scalars used by vector ops."""

    name = "loop.splat"
    traits = (Pure,)
    input = operand()
    out = result()

    def verify_(self) -> None:
        t = self.result.type
        if not isinstance(t, VectorType) or t.element_type != self.input.type:
            raise self.error(f"result must be a vector of {self.input.type}, got {t}")

    def evaluate(self, x):
        t = self.result.type
        return np.full(t.shape, x, dtype=to_numpy_dtype(t.element_type))


PARALLEL_RANGE_ATTR = "zg.parallel_range"
"""Discardable INT attribute on loop.kernel: trip count of its outermost parallel loop (1 if none)."""

CPU_OUTER = "cpu.outer"
"""The loop.parallel mapping of a kernel's outermost parallel loop (split across CPU threads)."""


__all__ = [
    "ForOp", "ParallelOp", "YieldOp", "LoadOp", "StoreOp", "AllocOp", "DeallocOp", "CopyOp",
    "BarrierOp", "KernelOp", "ReturnOp", "CallOp", "MemRefType", "WeightOp", "ViewOp", "ToTensorOp",
    "MaterializeOp", "SplatOp", "PARALLEL_RANGE_ATTR", "CPU_OUTER",
]  # fmt: skip
