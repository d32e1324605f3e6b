"""Hand-declared LLVM vector intrinsics and small IR-building helpers for ``llvmlite.ir``.

``IRBuilder.fma`` refuses vectors and ``Module.declare_intrinsic`` cannot declare vector overloads,
so intrinsics such as ``llvm.fma.v8f32`` are declared here by name. ``llvmlite.ir`` uses typed
pointers, so a vector load through a ``float*`` goes through a bitcast to ``<8 x float>*``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import llvmlite.ir as ir

__all__ = [
    "COLD_LOOP",
    "NO_VECTORIZE",
    "F32",
    "I1",
    "I32",
    "I64",
    "Loop",
    "call_intrinsic",
    "const_splat",
    "declare_intrinsic",
    "f32_ptr",
    "fabs",
    "fma",
    "for_range",
    "gep",
    "i64",
    "loop_metadata",
    "maxnum",
    "minnum",
    "prefetch",
    "relu",
    "select_max",
    "select_min",
    "splat",
    "type_suffix",
    "vec_type",
    "vector_load",
    "vector_store",
    "vexp",
]

F32 = ir.FloatType()
F64 = ir.DoubleType()
F16 = ir.HalfType()
I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)


def f32_ptr() -> ir.PointerType:
    """``float*``, the pointer type kernels take for every buffer."""
    return F32.as_pointer()


def vec_type(elem: ir.Type, width: int) -> ir.VectorType:
    """``<width x elem>``."""
    return ir.VectorType(elem, width)


def i64(value: int) -> ir.Constant:
    """An ``i64`` constant."""
    return ir.Constant(I64, value)


def type_suffix(ty: ir.Type) -> str:
    """LLVM's overload suffix for a type: ``f32``, ``v8f32``, ``v4f64``, ``i64``..."""
    if isinstance(ty, ir.VectorType):
        return f"v{ty.count}{type_suffix(ty.element)}"
    if isinstance(ty, ir.FloatType):
        return "f32"
    if isinstance(ty, ir.DoubleType):
        return "f64"
    if isinstance(ty, ir.HalfType):
        return "f16"
    if isinstance(ty, ir.IntType):
        return f"i{ty.width}"
    raise TypeError(f"no intrinsic suffix for type {ty}")


def declare_intrinsic(module: ir.Module, name: str, ret: ir.Type, args: Sequence[ir.Type]) -> ir.Function:
    """Get or declare the function ``name`` with the given signature (vector overloads included)."""
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    return ir.Function(module, ir.FunctionType(ret, list(args)), name)


def call_intrinsic(builder: ir.IRBuilder, base: str, *args: ir.Value, ret: ir.Type | None = None) -> ir.Value:
    """Call ``llvm.<base>.<suffix of the first argument's type>`` (e.g. ``llvm.maxnum.v8f32``)."""
    ty = args[0].type
    name = f"llvm.{base}.{type_suffix(ty)}"
    fn = declare_intrinsic(builder.module, name, ret or ty, [a.type for a in args])
    return builder.call(fn, list(args))


def fma(builder: ir.IRBuilder, a: ir.Value, b: ir.Value, c: ir.Value) -> ir.Value:
    """``a * b + c`` fused, for scalars and vectors (``llvm.fma.*``)."""
    return call_intrinsic(builder, "fma", a, b, c)


def maxnum(builder: ir.IRBuilder, a: ir.Value, b: ir.Value) -> ir.Value:
    """IEEE maxNum (``llvm.maxnum.*``): a ReLU is ``maxnum(x, 0)``."""
    return call_intrinsic(builder, "maxnum", a, b)


def minnum(builder: ir.IRBuilder, a: ir.Value, b: ir.Value) -> ir.Value:
    """IEEE minNum (``llvm.minnum.*``)."""
    return call_intrinsic(builder, "minnum", a, b)


def vexp(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """``llvm.exp.*`` (LLVM lowers vector exp to scalar libm calls unless a vector library is set)."""
    return call_intrinsic(builder, "exp", x)


def fabs(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """``llvm.fabs.*``."""
    return call_intrinsic(builder, "fabs", x)


def sqrt(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """``llvm.sqrt.*``."""
    return call_intrinsic(builder, "sqrt", x)


def const_splat(elem: ir.Type, value: float | int, width: int) -> ir.Constant:
    """A constant vector with every lane equal to ``value``."""
    return ir.Constant(ir.VectorType(elem, width), [ir.Constant(elem, value)] * width)


def splat(builder: ir.IRBuilder, scalar: ir.Value, width: int) -> ir.Value:
    """Broadcast a scalar to all lanes (insertelement + shufflevector, which becomes vbroadcastss)."""
    vty = ir.VectorType(scalar.type, width)
    undef = ir.Constant(vty, ir.Undefined)
    one = builder.insert_element(undef, scalar, ir.Constant(I32, 0))
    mask = ir.Constant(ir.VectorType(I32, width), [ir.Constant(I32, 0)] * width)
    return builder.shuffle_vector(one, undef, mask)


def gep(builder: ir.IRBuilder, ptr: ir.Value, index: ir.Value | int, inbounds: bool = True) -> ir.Value:
    """``ptr + index`` elements (an ``i64`` index; plain ints become constants)."""
    if isinstance(index, int):
        index = i64(index)
    return builder.gep(ptr, [index], inbounds=inbounds)


def vector_load(
    builder: ir.IRBuilder, ptr: ir.Value, width: int, index: ir.Value | int = 0, align: int = 4
) -> ir.Value:
    """Load ``width`` consecutive elements at ``ptr + index`` as one vector."""
    p = gep(builder, ptr, index) if not (isinstance(index, int) and index == 0) else ptr
    vp = builder.bitcast(p, ir.VectorType(ptr.type.pointee, width).as_pointer())
    return builder.load(vp, align=align)


def vector_store(
    builder: ir.IRBuilder, value: ir.Value, ptr: ir.Value, index: ir.Value | int = 0, align: int = 4
) -> None:
    """Store a vector to consecutive elements at ``ptr + index``."""
    p = gep(builder, ptr, index) if not (isinstance(index, int) and index == 0) else ptr
    vp = builder.bitcast(p, value.type.as_pointer())
    builder.store(value, vp, align=align)


def relu(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """``max(x, 0)`` that keeps NaN as NaN, like numpy and ONNX (``maxnum`` would turn NaN into 0)."""
    zero = ir.Constant(x.type, None)
    return builder.select(builder.fcmp_ordered("<", x, zero), zero, x)


def prefetch(builder: ir.IRBuilder, ptr: ir.Value, write: bool = False, locality: int = 3) -> None:
    """``llvm.prefetch`` of the cache line holding ``ptr`` (a hint; never faults)."""
    i8p = I8.as_pointer()
    fn = declare_intrinsic(builder.module, "llvm.prefetch.p0", ir.VoidType(), [i8p, I32, I32, I32])
    p = builder.bitcast(ptr, i8p)
    builder.call(fn, [p, ir.Constant(I32, int(write)), ir.Constant(I32, locality), ir.Constant(I32, 1)])


def select_min(builder: ir.IRBuilder, a: ir.Value, b: ir.Value) -> ir.Value:
    """Signed integer ``min(a, b)``."""
    return builder.select(builder.icmp_signed("<", a, b), a, b)


def select_max(builder: ir.IRBuilder, a: ir.Value, b: ir.Value) -> ir.Value:
    """Signed integer ``max(a, b)``."""
    return builder.select(builder.icmp_signed(">", a, b), a, b)


NO_VECTORIZE: dict[str, bool | int | None] = {"llvm.loop.vectorize.enable": False}
"""Loop hints for loops LLVM should leave scalar (the SLP vectorizer still packs straight-line code)."""

COLD_LOOP: dict[str, bool | int | None] = {
    "llvm.loop.vectorize.enable": False,
    "llvm.loop.unroll.disable": None,
}
"""Loop hints for cold loops (packing, layout changes): vectorizing or unrolling them costs compile
time (up to 10x on packing code) and buys nothing measurable."""


def loop_metadata(module: ir.Module, hints: dict[str, bool | int | None]) -> ir.MDValue:
    """A self-referential ``!llvm.loop`` node (``!N = !{!N, !{"name", value}...}``; None: a bare flag).

    ``llvmlite.ir`` cannot build a node that refers to itself, so the operand tuple is patched after
    creation; LLVM's parser turns the cycle into the ``distinct`` node that loop metadata requires.
    """
    opts = []
    for key, value in sorted(hints.items()):
        name = ir.MetaDataString(module, key)
        if value is None:
            opts.append(module.add_metadata([name]))
        else:
            const = ir.Constant(I1, int(value)) if isinstance(value, bool) else ir.Constant(I32, value)
            opts.append(module.add_metadata([name, const]))
    node = ir.MDValue(module, [], name=str(len(module.metadata)))  # appends itself to the module
    node.operands = (node, *opts)
    return node


class Loop:
    """A counted loop ``for i in range(start, stop, step)`` with optional loop-carried SSA values.

    Usage::

        loop = Loop(b, 0, n, carried=[zero])
        with loop as (i, (acc,)):
            loop.next([b.fadd(acc, x)])
        (total,) = loop.results

    Carried values become phi nodes, so accumulators stay in registers without relying on mem2reg.
    ``step`` must be positive. Inside the ``with``, the builder sits in the body block. ``hints`` become
    ``!llvm.loop`` metadata, e.g. ``{"llvm.loop.vectorize.enable": False}`` (see ``loop_metadata``).
    """

    def __init__(
        self,
        builder: ir.IRBuilder,
        start: ir.Value | int,
        stop: ir.Value | int,
        step: int = 1,
        carried: Sequence[ir.Value] = (),
        name: str = "i",
        hints: dict[str, bool | int | None] | None = None,
    ) -> None:
        if step <= 0:
            raise ValueError("Loop step must be positive")
        self.b = builder
        self.start = i64(start) if isinstance(start, int) else start
        self.stop = i64(stop) if isinstance(stop, int) else stop
        self.step = step
        self.init = list(carried)
        self.name = name
        self.hints = hints or {}
        self._next: list[ir.Value] | None = None
        self.results: list[ir.Value] = []

    def next(self, values: Sequence[ir.Value]) -> None:
        """Set the carried values for the next iteration."""
        if len(values) != len(self.init):
            raise ValueError("Loop.next needs one value per carried value")
        self._next = list(values)

    def __enter__(self) -> tuple[ir.Value, list[ir.Value]]:
        b = self.b
        fn = b.function
        self.pre = b.block
        self.header = fn.append_basic_block(f"{self.name}.header")
        self.body = fn.append_basic_block(f"{self.name}.body")
        self.exit = fn.append_basic_block(f"{self.name}.exit")
        b.branch(self.header)
        b.position_at_end(self.header)
        self.index = b.phi(I64, name=self.name)
        self.index.add_incoming(self.start, self.pre)
        self.phis = []
        for k, v in enumerate(self.init):
            phi = b.phi(v.type, name=f"{self.name}.c{k}")
            phi.add_incoming(v, self.pre)
            self.phis.append(phi)
        cond = b.icmp_signed("<", self.index, self.stop)
        b.cbranch(cond, self.body, self.exit)
        b.position_at_end(self.body)
        return self.index, list(self.phis)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            return
        b = self.b
        nxt = self._next if self._next is not None else list(self.phis)
        latch = b.block
        inc = b.add(self.index, i64(self.step), name=f"{self.name}.next")
        backedge = b.branch(self.header)
        if self.hints:
            backedge.set_metadata("llvm.loop", loop_metadata(b.module, self.hints))
        self.index.add_incoming(inc, latch)
        for phi, v in zip(self.phis, nxt, strict=True):
            phi.add_incoming(v, latch)
        b.position_at_end(self.exit)
        self.results = list(self.phis)


@contextmanager
def for_range(
    builder: ir.IRBuilder,
    start: ir.Value | int,
    stop: ir.Value | int,
    step: int = 1,
    name: str = "i",
    hints: dict[str, bool | int | None] | None = None,
) -> Iterator[ir.Value]:
    """``for i in range(start, stop, step)`` with no carried values; yields the ``i64`` index."""
    loop = Loop(builder, start, stop, step, name=name, hints=hints)
    with loop as (index, _):
        yield index
