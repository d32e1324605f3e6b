"""Loop-level kernels -> LLVM IR with ``llvmlite.ir``: one ``loop.kernel`` becomes one LLVM function.

CPU functions have the runtime's one kernel ABI, ``void k(void **args, i64 start, i64 end)``: args[i]
is the data pointer of the i-th memref argument (a scalar argument is passed as a pointer to its
value), and the outermost ``loop.parallel`` mapped ``["cpu.outer"]`` runs iterations [start, end) of
its range instead of its bounds. Other loops become phi-based LLVM loops (loop-carried values are
phis), memrefs are dense row-major buffers with static shapes, and every ``arith`` / ``math`` op is
emitted from ``OP_TABLE`` (op name -> emitter). GPU-mapped parallel dimensions (``block.x``,
``thread.x``...) are plain loops here, which is how GPU kernels are emulated on the CPU; a
``loop.barrier`` inside a parallel loop splits that loop at the barrier (as CPU OpenCL runtimes do).
``codegen.emit_nvptx`` reuses this emitter with the GPU mapping turned into special registers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import llvmlite.ir as ir
import numpy as np

from ir.attributes import DenseElementsAttr, FloatAttr, IntegerAttr
from ir.core import Block, Operation, Value
from ir.dialects.loop_kernels import KERNEL_OPS as KERNEL_OP_CLASSES
from ir.errors import UnsupportedError
from ir.types import FloatType, IndexType, IntegerType, MemRefType, Type, VectorType

__all__ = [
    "ALLOCA_LIMIT",
    "OP_TABLE",
    "STRUCTURAL_OPS",
    "BFloatType",
    "KernelEmitter",
    "emit_kernel",
    "kernel_symbol",
    "llvm_type",
]

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I16 = ir.IntType(16)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F32 = ir.FloatType()
F64 = ir.DoubleType()
F16 = ir.HalfType()

ALLOCA_LIMIT = 64 * 1024
"""loop.alloc buffers up to this many bytes live on the stack; bigger ones use malloc/free."""


class BFloatType(ir.Type):
    """LLVM's ``bfloat`` (llvmlite.ir has no class for it); values convert through i16 bit patterns."""

    null = "0.0"
    intrinsic_name = "bf16"

    def _to_string(self) -> str:
        return "bfloat"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BFloatType)

    def __hash__(self) -> int:
        return hash("bfloat")


BF16 = BFloatType()


def llvm_type(t: Type) -> ir.Type:
    """The LLVM type of a scalar or vector IR type (index = i64; memrefs are element pointers)."""
    if isinstance(t, IndexType):
        return I64
    if isinstance(t, IntegerType):
        return ir.IntType(t.width)
    if isinstance(t, FloatType):
        return {"f16": F16, "bf16": BF16, "f32": F32, "f64": F64}[t.name]
    if isinstance(t, VectorType):
        if len(t.shape) != 1:
            raise UnsupportedError(f"codegen: only 1-D vectors are supported, got {t}")
        return ir.VectorType(llvm_type(t.element_type), t.shape[0])
    if isinstance(t, MemRefType):
        return llvm_type(t.element_type).as_pointer()
    raise UnsupportedError(f"codegen: no LLVM type for {t}")


def kernel_symbol(kernel: Operation) -> str:
    """The object-code symbol of a loop.kernel (its sym_name)."""
    return kernel.sym_name


def _scalar(t: ir.Type) -> ir.Type:
    return t.element if isinstance(t, ir.VectorType) else t


def _like(t: ir.Type, elem: ir.Type) -> ir.Type:
    """``t`` (scalar or vector) with element type ``elem``."""
    return ir.VectorType(elem, t.count) if isinstance(t, ir.VectorType) else elem


def _suffix(t: ir.Type) -> str:
    if isinstance(t, ir.VectorType):
        return f"v{t.count}{_suffix(t.element)}"
    if isinstance(t, ir.IntType):
        return f"i{t.width}"
    return {"float": "f32", "double": "f64", "half": "f16", "bfloat": "bf16"}[str(t)]


def _const(t: ir.Type, value) -> ir.Constant:
    """A constant of scalar or vector type ``t`` (splatted for vectors)."""
    e = _scalar(t)
    c = ir.Constant(e, value)
    return ir.Constant(t, [c] * t.count) if isinstance(t, ir.VectorType) else c


def _is_float(t: ir.Type) -> bool:
    return isinstance(_scalar(t), (ir.FloatType, ir.DoubleType, ir.HalfType, BFloatType))


def _is_narrow_float(t: ir.Type) -> bool:
    return isinstance(_scalar(t), (ir.HalfType, BFloatType))


def _fold_index(v: Value) -> int | None:
    """The constant integer value of an index/int SSA value defined by arith.constant, else None."""
    op = v.owner if hasattr(v, "owner") else None
    if isinstance(op, Operation) and op.name == "arith.constant":
        a = op.properties["value"]
        if isinstance(a, IntegerAttr):
            return int(a.value)
    return None


class KernelEmitter:
    """Emits one loop.kernel into an LLVM module. ``gpu`` selects the NVPTX flavour (see emit_nvptx)."""

    gpu = False

    def __init__(self, module: ir.Module, kernel: Operation, name: str | None = None) -> None:
        self.module = module
        self.kernel = kernel
        self.name = name or kernel_symbol(kernel)
        self.env: dict[Value, ir.Value] = {}
        self.fn: ir.Function | None = None
        self.b: ir.IRBuilder | None = None
        self.entry_builder: ir.IRBuilder | None = None
        self.start: ir.Value | None = None
        self.end: ir.Value | None = None
        self._mallocs: list[list[Value]] = []
        self._freed: set[Value] = set()

    # ------------------------------------------------------------------ function shell

    def emit(self) -> ir.Function:
        """Emits the kernel as a function with the runtime ABI and returns it."""
        i8pp = I8.as_pointer().as_pointer()
        self.fn = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [i8pp, I64, I64]), self.name)
        args, self.start, self.end = self.fn.args
        args.name, self.start.name, self.end.name = "args", "start", "end"
        args.add_attribute("noalias")
        self._open_entry()
        for i, a in enumerate(self.kernel.body.args):
            raw = self.b.load(self.b.gep(args, [ir.Constant(I64, i)]), name=f"arg{i}")
            if isinstance(a.type, MemRefType):
                self.env[a] = self.b.bitcast(raw, llvm_type(a.type))
            else:  # a scalar argument: args[i] points at its value
                self.env[a] = self.b.load(self.b.bitcast(raw, llvm_type(a.type).as_pointer()))
        self._emit_body()
        return self.fn

    def _open_entry(self) -> None:
        alloca_block = self.fn.append_basic_block("allocas")
        body = self.fn.append_basic_block("entry")
        self.entry_builder = ir.IRBuilder(alloca_block)
        self.b = ir.IRBuilder(body)
        self._alloca_block, self._first_block = alloca_block, body

    def _emit_body(self) -> None:
        self._mallocs.append([])
        outs = self.emit_block(self.kernel.body)
        if outs:
            raise UnsupportedError(f"codegen: kernel @{self.name} returns values; kernels write buffers")
        self._free_scope()
        self.b.ret_void()
        self.entry_builder.branch(self._first_block)

    # ------------------------------------------------------------------ blocks and ops

    def emit_block(self, block: Block, args: Sequence[ir.Value] = ()) -> list[ir.Value]:
        """Emits a block's ops with its arguments bound to ``args``; returns the terminator's operands."""
        for a, v in zip(block.args, args, strict=False):
            self.env[a] = v
        for op in block.ops:
            if op.name in ("loop.yield", "loop.return"):
                return [self.env[v] for v in op.operands]
            self.emit_op(op)
        return []

    def emit_op(self, op: Operation) -> None:
        handler = STRUCTURAL_OPS.get(op.name) or OP_TABLE.get(op.name)
        if handler is None:
            raise UnsupportedError(f"codegen: no LLVM lowering for {op.name} (in kernel @{self.name})")
        outs = handler(self, op, [self.env.get(v) for v in op.operands])
        if outs is None:
            outs = []
        elif not isinstance(outs, (list, tuple)):
            outs = [outs]
        for r, v in zip(op.results, outs, strict=True):
            self.env[r] = v

    # ------------------------------------------------------------------ loops

    def counted_loop(
        self,
        lo: ir.Value,
        hi: ir.Value,
        step: ir.Value,
        carried: Sequence[ir.Value],
        body: Callable[[ir.Value, list[ir.Value]], Sequence[ir.Value]],
        name: str = "i",
    ) -> list[ir.Value]:
        """for (iv = lo; iv < hi; iv += step) with loop-carried phis; returns their final values."""
        b = self.b
        pre = b.block
        header = self.fn.append_basic_block(f"{name}.header")
        bodyb = self.fn.append_basic_block(f"{name}.body")
        exit_ = self.fn.append_basic_block(f"{name}.exit")
        b.branch(header)
        b.position_at_end(header)
        iv = b.phi(I64, name=name)
        iv.add_incoming(lo, pre)
        phis = []
        for k, v in enumerate(carried):
            p = b.phi(v.type, name=f"{name}.c{k}")
            p.add_incoming(v, pre)
            phis.append(p)
        b.cbranch(b.icmp_signed("<", iv, hi), bodyb, exit_)
        b.position_at_end(bodyb)
        nxt = list(body(iv, list(phis)))
        latch = b.block
        inc = b.add(iv, step, name=f"{name}.next", flags=("nsw",))
        b.branch(header)
        iv.add_incoming(inc, latch)
        for p, v in zip(phis, nxt, strict=True):
            p.add_incoming(v, latch)
        b.position_at_end(exit_)
        return phis

    def loops_from(self, lows: Sequence, highs: Sequence, body: Callable[[list[ir.Value]], None]) -> None:
        """A unit-step loop nest over [lows[d], highs[d]) (ints or i64 values); body gets the indices."""
        lows = [ir.Constant(I64, v) if isinstance(v, int) else v for v in lows]
        highs = [ir.Constant(I64, v) if isinstance(v, int) else v for v in highs]
        ivs: list[ir.Value] = []

        def level(d: int) -> None:
            if d == len(lows):
                body(list(ivs))
                return

            def inner(iv, _c):
                ivs.append(iv)
                level(d + 1)
                ivs.pop()
                return []

            self.counted_loop(lows[d], highs[d], ir.Constant(I64, 1), [], inner, name=f"l{d}")

        level(0)

    def loops(self, extents: Sequence[int], body: Callable[[list[ir.Value]], None]) -> None:
        """A unit-step loop nest over [0, extents[d])."""
        self.loops_from([0] * len(extents), extents, body)

    def call_intrinsic(self, base: str, *args: ir.Value) -> ir.Value:
        """``llvm.<base>.*`` on the operands (the NVPTX emitter narrows this to what its backend selects)."""
        return intrinsic(self, base, *args)

    def libm(self, name: str, args: list[ir.Value]) -> ir.Value:
        """libm's ``name`` (tanhf, erff...), lane by lane on vectors."""
        return libm_call(self, name, args)

    def unique(self, base: str) -> str:
        """A symbol name not yet used in the module."""
        name, k = base, 0
        while name in self.module.globals or any(g.startswith(name + "_") for g in self.module.globals):
            k += 1
            name = f"{base}{k}"
        return name

    def emit_scoped_block(self, block: Block, args: Sequence[ir.Value]) -> list[ir.Value]:
        """A loop body: buffers malloc'd inside are freed at its end unless it deallocates them."""
        self._mallocs.append([])
        outs = self.emit_block(block, args)
        self._free_scope()
        return outs

    def _free_scope(self) -> None:
        for v in self._mallocs.pop():
            if v not in self._freed:
                self._call_free(self.env[v])

    # ------------------------------------------------------------------ memory

    def address(self, memref: Value, indices: Sequence[ir.Value]) -> ir.Value:
        """The element pointer of memref[indices] (row-major over the static shape)."""
        t = memref.type
        if any(d < 0 for d in t.shape):
            raise UnsupportedError(f"codegen: dynamic memref shapes are not supported ({t})")
        b = self.b
        lin: ir.Value | None = None
        for k, idx in enumerate(indices):
            stride = math.prod(t.shape[k + 1 :])
            term = idx if stride == 1 else b.mul(idx, ir.Constant(I64, stride), flags=("nsw",))
            lin = term if lin is None else b.add(lin, term, flags=("nsw",))
        base = self.env[memref]
        return base if lin is None else b.gep(base, [lin], inbounds=True)

    def alloc(self, op: Operation) -> ir.Value:
        t: MemRefType = op.result.type
        if op.operands or any(d < 0 for d in t.shape):
            raise UnsupportedError(f"codegen: loop.alloc with dynamic sizes is not supported ({t})")
        elem = llvm_type(t.element_type)
        count = math.prod(t.shape)
        nbytes = count * max(1, _byte_size(elem))
        align = op.alignment or 64
        if nbytes <= ALLOCA_LIMIT:
            arr = self.entry_builder.alloca(ir.ArrayType(elem, count), name="buf")
            arr.align = align
            return self.b.bitcast(arr, elem.as_pointer())
        malloc = _declare(self.module, "malloc", I8.as_pointer(), [I64])
        raw = self.b.call(malloc, [ir.Constant(I64, nbytes)])
        self._mallocs[-1].append(op.result)
        return self.b.bitcast(raw, elem.as_pointer())

    def _call_free(self, ptr: ir.Value) -> None:
        free = _declare(self.module, "free", ir.VoidType(), [I8.as_pointer()])
        self.b.call(free, [self.b.bitcast(ptr, I8.as_pointer())])

    def dealloc(self, op: Operation) -> None:
        v = op.memref
        if any(v in scope for scope in self._mallocs):
            self._call_free(self.env[v])
            self._freed.add(v)

    # ------------------------------------------------------------------ parallel loops

    def emit_parallel(self, op: Operation) -> None:
        """CPU: cpu.outer at kernel level runs [start, end) of its range; every other dim is a loop."""
        segments = _split_at_barriers(op)
        for seg in segments:
            self._emit_parallel_segment(op, seg)

    def _emit_parallel_segment(self, op: Operation, ops: list[Operation] | None) -> None:
        n = len(op.lower)
        lo = [self.env[v] for v in op.lower]
        hi = [self.env[v] for v in op.upper]
        st = [self.env[v] for v in op.step]
        mapping = list(op.mapping or [""] * n)
        block = op.regions[0].block
        ivs: list[ir.Value] = []

        def body_at(d: int) -> None:
            if d == n:
                self._emit_parallel_body(block, ivs, ops)
                return
            if d == 0 and mapping[0] == "cpu.outer" and op.parent_op is self.kernel:

                def outer(i, _c):
                    ivs.append(self.b.add(lo[0], self.b.mul(i, st[0], flags=("nsw",)), flags=("nsw",)))
                    body_at(1)
                    ivs.pop()
                    return []

                self.counted_loop(self.start, self.end, ir.Constant(I64, 1), [], outer, name="outer")
                return

            def inner(iv, _c):
                ivs.append(iv)
                body_at(d + 1)
                ivs.pop()
                return []

            self.counted_loop(lo[d], hi[d], st[d], [], inner, name=f"p{d}")

        body_at(0)

    def _emit_parallel_body(self, block: Block, ivs: list[ir.Value], ops: list[Operation] | None) -> None:
        self._mallocs.append([])
        for a, v in zip(block.args, ivs, strict=True):
            self.env[a] = v
        for o in block.ops if ops is None else ops:
            if o.name == "loop.yield":
                break
            self.emit_op(o)
        self._free_scope()

    def barrier(self, op: Operation) -> None:
        """A barrier outside any parallel loop is a no-op on the CPU (the whole nest runs in order)."""
        for a in op.ancestors():
            if a is self.kernel:
                return
            if a.name == "loop.parallel":
                raise UnsupportedError(
                    f"codegen: loop.barrier nested inside a loop within a parallel loop of @{self.name} "
                    "cannot be split for CPU execution"
                )


def _byte_size(t: ir.Type) -> int:
    if isinstance(t, ir.IntType):
        return max(1, t.width // 8)
    return {"float": 4, "double": 8, "half": 2, "bfloat": 2}[str(t)]


def _split_at_barriers(op: Operation) -> list[list[Operation] | None]:
    """The body of a parallel loop cut at its top-level loop.barrier ops (None: no barrier, whole body).

    Each segment becomes its own loop over the same range, so every iteration finishes a segment
    before any starts the next (a GPU block barrier's meaning). SSA values may not cross a barrier.
    """
    body = op.regions[0].block.ops
    if not any(o.name == "loop.barrier" for o in body):
        return [None]
    segments: list[list[Operation]] = [[]]
    for o in body:
        if o.name == "loop.barrier":
            segments.append([])
        elif o.name != "loop.yield":
            segments[-1].append(o)
    owner = {}
    for k, seg in enumerate(segments):
        for o in seg:
            for r in o.results:
                owner[r] = k
    for k, seg in enumerate(segments):
        for o in seg:
            for inner in o.walk():
                for v in inner.operands:
                    if owner.get(v, k) < k:
                        raise UnsupportedError(
                            f"codegen: the value {v.type} computed before a loop.barrier is used after it; "
                            "store it to a buffer so the loop can be split at the barrier"
                        )
    return segments


def _declare(module: ir.Module, name: str, ret: ir.Type, args: Sequence[ir.Type]) -> ir.Function:
    """Gets or declares function ``name`` (vector intrinsic overloads included)."""
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    return ir.Function(module, ir.FunctionType(ret, list(args)), name)


def intrinsic(e: KernelEmitter, base: str, *args: ir.Value) -> ir.Value:
    """``llvm.<base>.<suffix of the first argument>`` declared by hand (works for vector overloads)."""
    t = args[0].type
    fn = _declare(e.module, f"llvm.{base}.{_suffix(t)}", t, [a.type for a in args])
    return e.b.call(fn, list(args))


# ----------------------------------------------------------------------------- narrow floats


def widen(e: KernelEmitter, v: ir.Value) -> ir.Value:
    """f16/bf16 (scalar or vector) -> f32; bf16 through its bit pattern (no runtime library calls)."""
    t = v.type
    s = _scalar(t)
    if isinstance(s, ir.HalfType):
        return e.b.fpext(v, _like(t, F32))
    if isinstance(s, BFloatType):
        bits = e.b.zext(e.b.bitcast(v, _like(t, I16)), _like(t, I32))
        return e.b.bitcast(e.b.shl(bits, _const(_like(t, I32), 16)), _like(t, F32))
    return v


def narrow(e: KernelEmitter, v: ir.Value, to: ir.Type) -> ir.Value:
    """f32 -> f16/bf16 with round-to-nearest-even (bf16 by integer rounding, NaN kept quiet)."""
    s = _scalar(to)
    if isinstance(s, ir.HalfType):
        return e.b.fptrunc(v, to)
    if isinstance(s, BFloatType):
        it = _like(v.type, I32)
        bits = e.b.bitcast(v, it)
        lsb = e.b.and_(e.b.lshr(bits, _const(it, 16)), _const(it, 1))
        rounded = e.b.add(bits, e.b.add(_const(it, 0x7FFF), lsb))
        is_nan = e.b.fcmp_unordered("uno", v, v)
        qnan = e.b.or_(bits, _const(it, 0x400000))
        chosen = e.b.select(is_nan, qnan, rounded)
        return e.b.bitcast(e.b.trunc(e.b.lshr(chosen, _const(it, 16)), _like(v.type, I16)), to)
    return v


def float_op(fn: Callable[[KernelEmitter, list[ir.Value]], ir.Value]):
    """Wraps a float emitter so f16/bf16 operands are computed in f32 and rounded once (numpy's way)."""

    def emit(e: KernelEmitter, op: Operation, args: list[ir.Value]):
        t = args[0].type
        if _is_narrow_float(t):
            r = fn(e, [widen(e, a) if _is_narrow_float(a.type) else a for a in args])
            return narrow(e, r, t) if _is_float(r.type) else r
        return fn(e, args)

    return emit


# ----------------------------------------------------------------------------- op table


def _e_constant(e: KernelEmitter, op: Operation, args):
    a = op.properties["value"]
    t = llvm_type(op.result.type)
    if isinstance(a, DenseElementsAttr):
        arr = np.asarray(a.array).reshape(-1)
        if _is_narrow_float(t):
            wide = ir.Constant(_like(t, F32), [ir.Constant(F32, float(x)) for x in arr.astype(np.float32)])
            return narrow(e, wide, t)
        conv = float if _is_float(t) else int
        return ir.Constant(t, [ir.Constant(t.element, conv(x)) for x in arr])
    if isinstance(a, FloatAttr):
        if isinstance(t, BFloatType):
            return narrow(e, ir.Constant(F32, float(a.value)), t)
        return ir.Constant(t, float(a.value))
    return ir.Constant(t, int(a.value))


def _fbin(method: str):
    return float_op(lambda e, a: getattr(e.b, method)(a[0], a[1]))


def _fintr(base: str):
    return float_op(lambda e, a: e.call_intrinsic(base, *a))


def _ibin(method: str, flags=()):
    return lambda e, op, a: (
        getattr(e.b, method)(a[0], a[1], flags=flags) if flags else getattr(e.b, method)(a[0], a[1])
    )


def _safe_divisor(e: KernelEmitter, b: ir.Value) -> tuple[ir.Value, ir.Value]:
    """(b == 0, b with zeros replaced by 1): division by zero is defined here as in the interpreter."""
    zero = e.b.icmp_signed("==", b, _const(b.type, 0))
    return zero, e.b.select(zero, _const(b.type, 1), b)


def _e_divsi(e, op, a):
    z, d = _safe_divisor(e, a[1])
    return e.b.select(z, _const(a[0].type, 0), e.b.sdiv(a[0], d))


def _e_divui(e, op, a):
    z, d = _safe_divisor(e, a[1])
    return e.b.select(z, _const(a[0].type, 0), e.b.udiv(a[0], d))


def _e_remsi(e, op, a):
    _, d = _safe_divisor(e, a[1])
    return e.b.srem(a[0], d)


def _e_floordivsi(e, op, a):
    _, d = _safe_divisor(e, a[1])
    q, r = e.b.sdiv(a[0], d), e.b.srem(a[0], d)
    zero = _const(r.type, 0)
    adjust = e.b.and_(
        e.b.icmp_signed("!=", r, zero),
        e.b.icmp_signed("!=", e.b.icmp_signed("<", r, zero), e.b.icmp_signed("<", d, zero)),
    )
    return e.b.sub(q, e.b.zext(adjust, q.type))


def _e_ceildivsi(e, op, a):
    _, d = _safe_divisor(e, a[1])
    q, r = e.b.sdiv(a[0], d), e.b.srem(a[0], d)
    zero = _const(r.type, 0)
    adjust = e.b.and_(
        e.b.icmp_signed("!=", r, zero),
        e.b.icmp_signed("==", e.b.icmp_signed("<", r, zero), e.b.icmp_signed("<", d, zero)),
    )
    return e.b.add(q, e.b.zext(adjust, q.type))


def _e_minmax_i(pred: str):
    return lambda e, op, a: e.b.select(e.b.icmp_signed(pred, a[0], a[1]), a[0], a[1])


def _e_cmpf(e, op, a):
    p = op.predicate
    x, y = (widen(e, v) for v in a)
    if p[0] == "o" or p in ("ord", "false"):
        return e.b.fcmp_ordered(p, x, y)
    return e.b.fcmp_unordered(p, x, y)


def _e_cmpi(e, op, a):
    p = op.predicate
    sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
    if p in ("eq", "ne"):
        return e.b.icmp_signed(sym[p], a[0], a[1])
    fn = e.b.icmp_unsigned if p[0] == "u" else e.b.icmp_signed
    return fn(sym[p[1:]], a[0], a[1])


def _float_cast(e: KernelEmitter, v: ir.Value, to: ir.Type) -> ir.Value:
    """fpext/fptrunc between any two float types (bf16 through f32)."""
    src, dst = _scalar(v.type), _scalar(to)
    if str(src) == str(dst):
        return v
    if isinstance(src, BFloatType) or isinstance(dst, BFloatType):
        w = widen(e, v)
        if isinstance(dst, BFloatType):
            return (
                narrow(e, _float_cast(e, w, _like(to, F32)), to)
                if str(_scalar(w.type)) != "float"
                else narrow(e, w, to)
            )
        return _float_cast(e, w, to)
    order = {"half": 0, "float": 1, "double": 2}
    return e.b.fpext(v, to) if order[str(src)] < order[str(dst)] else e.b.fptrunc(v, to)


def _to_float(method: str):
    def emit(e, op, a):
        to = llvm_type(op.result.type)
        if _is_narrow_float(to):
            return narrow(e, getattr(e.b, method)(a[0], _like(to, F32)), to)
        return getattr(e.b, method)(a[0], to)

    return emit


def _from_float(method: str):
    return lambda e, op, a: getattr(e.b, method)(widen(e, a[0]), llvm_type(op.result.type))


def _e_int_resize(signed: bool):
    def emit(e, op, a):
        to = llvm_type(op.result.type)
        sw, dw = _scalar(a[0].type).width, _scalar(to).width
        if sw == dw:
            return a[0]
        if sw > dw:
            return e.b.trunc(a[0], to)
        return e.b.sext(a[0], to) if signed else e.b.zext(a[0], to)

    return emit


def _e_bitcast(e, op, a):
    return e.b.bitcast(a[0], llvm_type(op.result.type))


def _e_select(e, op, a):
    return e.b.select(a[0], a[1], a[2])


ARITH_TABLE: dict[str, Callable] = {
    "arith.constant": _e_constant,
    "arith.addf": _fbin("fadd"),
    "arith.subf": _fbin("fsub"),
    "arith.mulf": _fbin("fmul"),
    "arith.divf": _fbin("fdiv"),
    "arith.remf": _fbin("frem"),
    "arith.maximumf": _fintr("maximum"),
    "arith.minimumf": _fintr("minimum"),
    "arith.maxnumf": _fintr("maxnum"),
    "arith.minnumf": _fintr("minnum"),
    "arith.negf": float_op(lambda e, a: e.b.fneg(a[0])),
    "arith.addi": _ibin("add"),
    "arith.subi": _ibin("sub"),
    "arith.muli": _ibin("mul"),
    "arith.divsi": _e_divsi,
    "arith.divui": _e_divui,
    "arith.floordivsi": _e_floordivsi,
    "arith.ceildivsi": _e_ceildivsi,
    "arith.remsi": _e_remsi,
    "arith.maxsi": _e_minmax_i(">"),
    "arith.minsi": _e_minmax_i("<"),
    "arith.andi": _ibin("and_"),
    "arith.ori": _ibin("or_"),
    "arith.xori": _ibin("xor"),
    "arith.shli": _ibin("shl"),
    "arith.shrsi": _ibin("ashr"),
    "arith.cmpf": _e_cmpf,
    "arith.cmpi": _e_cmpi,
    "arith.select": _e_select,
    "arith.extf": lambda e, op, a: _float_cast(e, a[0], llvm_type(op.result.type)),
    "arith.truncf": lambda e, op, a: _float_cast(e, a[0], llvm_type(op.result.type)),
    "arith.sitofp": _to_float("sitofp"),
    "arith.uitofp": _to_float("uitofp"),
    "arith.fptosi": _from_float("fptosi"),
    "arith.fptoui": _from_float("fptoui"),
    "arith.extsi": _e_int_resize(True),
    "arith.extui": _e_int_resize(False),
    "arith.trunci": _e_int_resize(True),
    "arith.index_cast": _e_int_resize(True),
    "arith.bitcast": _e_bitcast,
}

MATH_INTRINSICS = {
    "sqrt": "sqrt", "exp": "exp", "exp2": "exp2", "log": "log", "log10": "log10", "log2": "log2",
    "sin": "sin", "cos": "cos", "tan": "tan", "absf": "fabs", "floor": "floor", "ceil": "ceil",
    "trunc": "trunc", "round": "round", "roundeven": "roundeven",
}  # fmt: skip
"""math ops with an LLVM intrinsic (vector overloads included: llvm.exp.v8f32...)."""

MATH_LIBM = (
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "cbrt",
    "cosh",
    "erf",
    "expm1",
    "log1p",
    "sinh",
    "tanh",
)
"""math ops that call libm (tanhf, erff...; per lane for vectors)."""


def libm_call(e: KernelEmitter, name: str, args: list[ir.Value]) -> ir.Value:
    """Calls libm's ``name`` (``namef`` for f32) on scalars, lane by lane on vectors."""
    t = args[0].type
    s = _scalar(t)
    fname = name if str(s) == "double" else name + "f"
    fn = _declare(e.module, fname, s, [s] * len(args))
    if not isinstance(t, ir.VectorType):
        return e.b.call(fn, args)
    out = ir.Constant(t, ir.Undefined)
    for lane in range(t.count):
        idx = ir.Constant(I32, lane)
        out = e.b.insert_element(out, e.b.call(fn, [e.b.extract_element(a, idx) for a in args]), idx)
    return out


def _math_intr(base: str):
    return float_op(lambda e, a: e.call_intrinsic(base, *a))


def _math_libm(name: str):
    return float_op(lambda e, a: e.libm(name, a))


def _e_rsqrt(e, a):
    return e.b.fdiv(_const(a[0].type, 1.0), e.call_intrinsic("sqrt", a[0]))


def _e_absi(e, op, a):
    x = a[0]
    return e.b.select(e.b.icmp_signed("<", x, _const(x.type, 0)), e.b.neg(x), x)


def _vector_math(name: str, scalar: Callable):
    """``name`` through codegen.vector_math's polynomial on f32 vectors (CPU), else ``scalar``."""
    from codegen.vector_math import VECTOR_MATH, is_f32_vector

    poly = VECTOR_MATH[name]

    def emit(e, op, a):
        if not e.gpu and is_f32_vector(a[0].type):
            return poly(e.b, a[0])
        return scalar(e, op, a)

    return emit


MATH_TABLE: dict[str, Callable] = {f"math.{n}": _math_intr(b) for n, b in MATH_INTRINSICS.items()}
MATH_TABLE.update({f"math.{n}": _math_libm(n) for n in MATH_LIBM})
MATH_TABLE.update({f"math.{n}": _vector_math(n, MATH_TABLE[f"math.{n}"]) for n in ("exp", "tanh", "erf")})
MATH_TABLE.update(
    {
        "math.rsqrt": float_op(_e_rsqrt),
        "math.powf": _math_intr("pow"),
        "math.copysign": _math_intr("copysign"),
        "math.atan2": _math_libm("atan2"),
        "math.fma": _math_intr("fma"),
        "math.absi": _e_absi,
    }
)

OP_TABLE: dict[str, Callable] = {**ARITH_TABLE, **MATH_TABLE}
"""Op name -> emitter(emitter, op, operand LLVM values) -> result value(s), for every arith/math op."""


# ----------------------------------------------------------------------------- structural ops


def _e_for(e: KernelEmitter, op: Operation, args):
    lo, hi, st, *init = args
    block = op.regions[0].block
    return e.counted_loop(lo, hi, st, init, lambda iv, c: e.emit_scoped_block(block, [iv, *c]), name="for")


def _e_load(e: KernelEmitter, op: Operation, args):
    ptr = e.address(op.memref, args[1:])
    t = llvm_type(op.result.type)
    if isinstance(t, ir.VectorType):
        return e.b.load(e.b.bitcast(ptr, t.as_pointer()), align=_byte_size(t.element))
    return e.b.load(ptr)


def _e_store(e: KernelEmitter, op: Operation, args):
    value = args[0]
    ptr = e.address(op.memref, args[2:])
    if isinstance(value.type, ir.VectorType):
        e.b.store(value, e.b.bitcast(ptr, value.type.as_pointer()), align=_byte_size(value.type.element))
    else:
        e.b.store(value, ptr)


def _e_copy(e: KernelEmitter, op: Operation, args):
    t = op.source.type
    nbytes = math.prod(t.shape) * _byte_size(llvm_type(t.element_type))
    i8p = I8.as_pointer()
    fn = _declare(e.module, "llvm.memcpy.p0.p0.i64", ir.VoidType(), [i8p, i8p, I64, I1])
    e.b.call(
        fn,
        [e.b.bitcast(args[1], i8p), e.b.bitcast(args[0], i8p), ir.Constant(I64, nbytes), ir.Constant(I1, 0)],
    )


def _splat(e: KernelEmitter, x: ir.Value, width: int) -> ir.Value:
    """A vector with every lane = x (insertelement + shufflevector: a broadcast instruction)."""
    vt = ir.VectorType(x.type, width)
    one = e.b.insert_element(ir.Constant(vt, ir.Undefined), x, ir.Constant(I32, 0))
    return e.b.shuffle_vector(
        one, ir.Constant(vt, ir.Undefined), ir.Constant(ir.VectorType(I32, width), [0] * width)
    )


def _e_kernel_op(e: KernelEmitter, op: Operation, args):
    from codegen.kernel_ops import emit_kernel_op

    return emit_kernel_op(e, op, args)


STRUCTURAL_OPS: dict[str, Callable] = {
    "loop.for": _e_for,
    "loop.parallel": lambda e, op, a: e.emit_parallel(op),
    "loop.load": _e_load,
    "loop.store": _e_store,
    "loop.alloc": lambda e, op, a: e.alloc(op),
    "loop.dealloc": lambda e, op, a: e.dealloc(op),
    "loop.copy": _e_copy,
    "loop.barrier": lambda e, op, a: e.barrier(op),
    "loop.splat": lambda e, op, a: _splat(e, a[0], op.result.type.shape[0]),
    "loop.view": lambda e, op, a: a[0],
}
"""Loop-dialect ops with control flow or memory effects (their emitters read the op itself)."""
STRUCTURAL_OPS.update({cls.name: _e_kernel_op for cls in KERNEL_OP_CLASSES})  # codegen/kernel_ops.py


def emit_kernel(module: ir.Module, kernel: Operation, name: str | None = None) -> ir.Function:
    """Adds one loop.kernel to ``module`` as a function with the runtime kernel ABI."""
    return KernelEmitter(module, kernel, name).emit()
