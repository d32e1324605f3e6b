"""codegen.emit_llvm / codegen.compile: loop kernels -> LLVM -> object code, run through the kernel ABI.

Each kernel is compiled, loaded with runtime.cpu_device.ObjectLibrary, run on numpy buffers and
compared with ir.interpreter on the same loop-level IR: integers exactly, floats within rtol 1e-6
(1e-5 where vectorization or libm may reorder/round differently; stated per test).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codegen.compile import compile_kernels
from codegen.emit_llvm import OP_TABLE
from codegen.host_target import ObjectCache
from ir.attributes import IntegerAttr
from ir.core import OP_REGISTRY
from ir.dialects import arith, loop
from ir.dialects.math import BINARY, UNARY
from ir.parser import parse_module
from ir.types import f16, f32, i32, index, memref, vector
from runtime.cpu_device import ObjectLibrary
from tests.loop_kernel_builder import KernelBuilder, call_kernel, interpret_kernel

MLIR = Path(__file__).parent / "mlir"
RNG = np.random.default_rng(0)


def _run(module, arrays, start=0, end=1, name=None):
    ck = compile_kernels(module)
    lib = ObjectLibrary(ck.object_code)
    bufs = [np.array(a, copy=True) for a in arrays]
    call_kernel(lib.kernel(name or ck.symbols[0]), bufs, start, end)
    return bufs, ck


def _as_kernel(path: Path):
    """A func.func test file whose body is a loop nest, as a loop.kernel module."""
    text = path.read_text().replace('"func.func"', '"loop.kernel"').replace('"func.return"', '"loop.return"')
    return parse_module(text)


def test_every_arith_and_math_op_has_an_emitter():
    names = {n for n in OP_REGISTRY if n.startswith(("arith.", "math."))}
    assert names, "dialects not registered"
    missing = sorted(names - set(OP_TABLE))
    assert not missing, f"no LLVM emitter for {missing}"


def _elementwise_broadcast(m=6, n=20):
    kb = KernelBuilder("ew", [memref((m, n), f32), memref((n,), f32), memref((m, n), f32)])
    x, b, y = kb.args
    one = kb.c(1.0, f32)
    zero = kb.c(0.0, f32)
    with kb.parallel([(0, m, 1)], mapping=["cpu.outer"]) as (i,):
        with kb.for_(0, n) as (j, _, _s):
            v = kb.arith("MulFOp", kb.load(x, i, j), kb.load(b, j))
            v = kb.arith("AddFOp", v, one)
            kb.store(kb.arith("MaximumFOp", v, zero), y, i, j)
    kb.kernel.attributes["zg.parallel_range"] = IntegerAttr(m, index)
    return kb.finish(), m, n


def test_elementwise_with_broadcast_matches_interpreter():
    mod, m, n = _elementwise_broadcast()
    x = RNG.standard_normal((m, n), dtype=np.float32)
    b = RNG.standard_normal(n, dtype=np.float32)
    y = np.zeros((m, n), np.float32)
    (_, _, got), _ = _run(mod, [x, b, y], 0, m)
    want = interpret_kernel(mod, [x, b, y])[2]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(got, np.maximum(x * b + 1, 0), rtol=1e-6)


def test_cpu_outer_split_runs_start_end_slices():
    mod, m, n = _elementwise_broadcast(m=9)
    x = RNG.standard_normal((m, n), dtype=np.float32)
    b = RNG.standard_normal(n, dtype=np.float32)
    ck = compile_kernels(mod)
    fn = ObjectLibrary(ck.object_code).kernel("ew")
    whole = np.zeros((m, n), np.float32)
    call_kernel(fn, [x, b, whole], 0, m)
    parts = np.zeros((m, n), np.float32)
    call_kernel(fn, [x, b, parts], 0, 4)
    assert not parts[4:].any()
    np.testing.assert_array_equal(parts[:4], whole[:4])
    call_kernel(fn, [x, b, parts], 4, m)
    np.testing.assert_array_equal(parts, whole)
    empty = np.zeros((m, n), np.float32)
    call_kernel(fn, [x, b, empty], 3, 3)
    assert not empty.any()


def test_reduction_with_iter_args_float():
    m, n = 5, 33
    kb = KernelBuilder("rowsum", [memref((m, n), f32), memref((m,), f32)])
    x, y = kb.args
    with kb.for_(0, m) as (i, _, _s):
        with kb.for_(0, n, iters=[kb.c(0.0, f32)]) as (j, (acc,), st):
            st["yield"] = [kb.arith("AddFOp", acc, kb.load(x, i, j))]
        kb.store(st["op"].results[0], y, i)
    mod = kb.finish()
    x = RNG.standard_normal((m, n), dtype=np.float32)
    (_, got), _ = _run(mod, [x, np.zeros(m, np.float32)])
    want = interpret_kernel(mod, [x, np.zeros(m, np.float32)])[1]
    np.testing.assert_allclose(got, want, rtol=1e-6)  # serial order is kept (no fast-math reassociation)


def test_integer_kernel_is_exact():
    """Sum with iter_args plus every signed division flavour, shifts, compares and select (i32)."""
    n = 64
    kb = KernelBuilder("ints", [memref((n,), i32), memref((n,), i32), memref((8, n), i32), memref((1,), i32)])
    a, b, out, total = kb.args
    three = kb.c(3, i32)
    with kb.for_(0, n, iters=[kb.c(0, i32)]) as (i, (acc,), st):
        x, y = kb.load(a, i), kb.load(b, i)
        kb.store(kb.arith("DivSIOp", x, y), out, 0, i)
        kb.store(kb.arith("RemSIOp", x, y), out, 1, i)
        kb.store(kb.arith("FloorDivSIOp", x, y), out, 2, i)
        kb.store(kb.arith("CeilDivSIOp", x, y), out, 3, i)
        kb.store(kb.arith("ShRSIOp", x, three), out, 4, i)
        kb.store(kb.arith("XOrIOp", kb.arith("ShLIOp", x, three), y), out, 5, i)
        lt = kb.arith("CmpIOp", x, y, predicate="slt")
        kb.store(kb.arith("SelectOp", lt, kb.arith("MaxSIOp", x, y), kb.arith("MinSIOp", x, y)), out, 6, i)
        kb.store(kb.arith("MulIOp", kb.arith("SubIOp", x, y), three), out, 7, i)
        st["yield"] = [kb.arith("AddIOp", acc, x)]
    kb.store(st["op"].results[0], total, 0)
    mod = kb.finish()
    av = RNG.integers(-1000, 1000, n).astype(np.int32)
    bv = RNG.integers(-9, 9, n).astype(np.int32)
    bv[::7] = 0  # division by zero: defined as the interpreter defines it
    arrays = [av, bv, np.zeros((8, n), np.int32), np.zeros(1, np.int32)]
    got, _ = _run(mod, arrays)
    want = interpret_kernel(mod, arrays)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert got[3][0] == av.sum()


def test_matmul_loop_nest_file():
    mod = _as_kernel(MLIR / "loop_matmul.mlir")
    a = RNG.standard_normal((4, 3), dtype=np.float32)
    b = RNG.standard_normal((3, 5), dtype=np.float32)
    c = np.zeros((4, 5), np.float32)
    (_, _, got), _ = _run(mod, [a, b, c])
    np.testing.assert_allclose(got, interpret_kernel(mod, [a, b, c])[2], rtol=1e-6)


def test_conv_loop_nest_file():
    mod = _as_kernel(MLIR / "loop_conv.mlir")
    x = RNG.standard_normal((1, 2, 7, 7), dtype=np.float32)
    w = RNG.standard_normal((3, 2, 3, 3), dtype=np.float32)
    y = np.zeros((1, 3, 3, 3), np.float32)
    (_, _, got), _ = _run(mod, [x, w, y])
    np.testing.assert_allclose(got, interpret_kernel(mod, [x, w, y])[2], rtol=1e-6, atol=1e-6)


def test_vector_load_store_kernel():
    """y[i:i+8] = max(fma(x, s, y), 0) on vector<8xf32> (fma rounds once: rtol 1e-6 vs the interpreter)."""
    n = 64
    kb = KernelBuilder("vec", [memref((4, n), f32), memref((4, n), f32)])
    x, y = kb.args
    s = kb.add(loop.SplatOp.build(kb.c(1.5, f32), result_types=[vector((8,), f32)]))
    zero = kb.add(arith.ConstantOp.create(0.0, vector((8,), f32)))
    with kb.parallel([(0, 4, 1), (0, n, 8)]) as (r, i):
        v = kb.math("fma", kb.load(x, r, i, vector=8), s, kb.load(y, r, i, vector=8))
        kb.store(kb.arith("MaximumFOp", v, zero), y, r, i)
    mod = kb.finish()
    xv = RNG.standard_normal((4, n), dtype=np.float32)
    yv = RNG.standard_normal((4, n), dtype=np.float32)
    (_, got), _ = _run(mod, [xv, yv])
    np.testing.assert_allclose(got, interpret_kernel(mod, [xv, yv])[1], rtol=1e-6)


def test_f16_kernel():
    """f16 buffers: addf in f16 (computed in f32, rounded once, as numpy) and extf/mulf/truncf; exact."""
    n = 40
    kb = KernelBuilder("half", [memref((n,), f16), memref((n,), f16), memref((n,), f16), memref((n,), f32)])
    a, b, y, z = kb.args
    with kb.for_(0, n) as (i, _, _s):
        x1, x2 = kb.load(a, i), kb.load(b, i)
        kb.store(kb.arith("AddFOp", kb.arith("MulFOp", x1, x2), x1), y, i)
        w = kb.arith("MulFOp", kb.arith("ExtFOp", x1, result_types=[f32]), kb.c(0.1, f32))
        kb.store(w, z, i)
    mod = kb.finish()
    av = RNG.standard_normal(n).astype(np.float16)
    bv = RNG.standard_normal(n).astype(np.float16)
    arrays = [av, bv, np.zeros(n, np.float16), np.zeros(n, np.float32)]
    got, _ = _run(mod, arrays)
    want = interpret_kernel(mod, arrays)
    np.testing.assert_array_equal(got[2], want[2])
    np.testing.assert_array_equal(got[3], want[3])


def _math_kernel(width: int | None):
    """out[k, i] = math.<op_k>(x[i]) for every unary math op (scalar or vector<width>)."""
    names = sorted(UNARY) + sorted(BINARY)
    n = 16
    kb = KernelBuilder("mathops", [memref((n,), f32), memref((n,), f32), memref((len(names), n), f32)])
    x, y, out = kb.args
    step = width or 1
    with kb.for_(0, n, step) as (i, _, _s):
        xv, yv = kb.load(x, i, vector=width), kb.load(y, i, vector=width)
        for k, name in enumerate(names):
            r = kb.math(name, xv, yv) if name in BINARY else kb.math(name, xv)
            kb.store(r, out, k, i)
    return kb.finish(), names, n


@pytest.mark.parametrize("width", [None, 8])
def test_math_ops_match_interpreter_and_numpy(width):
    """Every math op, scalar and vector<8xf32>, vs the interpreter (rtol 1e-5: libm vs numpy ulps)."""
    mod, names, n = _math_kernel(width)
    x = RNG.uniform(0.05, 0.95, n).astype(np.float32)
    y = RNG.uniform(0.5, 2.0, n).astype(np.float32)
    arrays = [x, y, np.zeros((len(names), n), np.float32)]
    got, _ = _run(mod, arrays)
    want = interpret_kernel(mod, arrays)[2]
    for k, name in enumerate(names):
        np.testing.assert_allclose(got[2][k], want[k], rtol=1e-5, err_msg=f"math.{name}", equal_nan=True)
    row = {nm: got[2][k] for k, nm in enumerate(names)}
    np.testing.assert_allclose(row["exp"], np.exp(x), rtol=1e-6)
    np.testing.assert_allclose(row["tanh"], np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(row["sqrt"], np.sqrt(x), rtol=1e-6)
    from math import erf

    np.testing.assert_allclose(row["erf"], np.array([erf(float(v)) for v in x], np.float32), rtol=1e-6)


@pytest.mark.parametrize("size", [16, 40000])
def test_alloc_in_kernel_stack_and_heap(size):
    """A scratch loop.alloc: small -> alloca, large -> malloc/free; y = 2 * x through the scratch."""
    kb = KernelBuilder("scratch", [memref((size,), f32), memref((size,), f32)])
    x, y = kb.args
    tmp = kb.add(loop.AllocOp.build(result_types=[memref((size,), f32)]))
    two = kb.c(2.0, f32)
    with kb.for_(0, size) as (i, _, _s):
        kb.store(kb.arith("MulFOp", kb.load(x, i), two), tmp, i)
    with kb.for_(0, size) as (i, _, _s):
        kb.store(kb.load(tmp, i), y, i)
    kb.add(loop.DeallocOp.build(tmp))
    mod = kb.finish()
    xv = RNG.standard_normal(size, dtype=np.float32)
    (_, got), ck = _run(mod, [xv, np.zeros(size, np.float32)])
    np.testing.assert_array_equal(got, 2 * xv)
    assert ('@"malloc"' in ck.llvm_ir) == (size * 4 > 64 * 1024)


def _sum_relu(emit, acc, *extras):
    """The epilogue act(acc + extras...) with act = ReLU, built from arith ops."""
    for x in extras:
        acc = emit(arith.AddFOp.build(acc, x))
    return emit(arith.MaximumFOp.build(acc, emit(arith.ConstantOp.create(0.0, f32))))


def test_gemm_kernel_op_with_bias_relu_epilogue_and_row_split():
    from ir.dialects.loop_kernels import GemmOp

    m, n, k = 13, 40, 37
    kb = KernelBuilder(
        "mm", [memref((m, k), f32), memref((k, n), f32), memref((n,), f32), memref((m, n), f32)]
    )
    a, b, bias, c = kb.args
    kb.add(GemmOp.create(a, b, [bias], c, ["channel"], _sum_relu, m=m, n=n, k=k))
    mod = kb.finish()
    av = RNG.standard_normal((m, k), dtype=np.float32)
    bv = RNG.standard_normal((k, n), dtype=np.float32)
    biasv = RNG.standard_normal(n, dtype=np.float32)
    ck = compile_kernels(mod)
    fn = ObjectLibrary(ck.object_code).kernel("mm")
    out = np.zeros((m, n), np.float32)
    call_kernel(fn, [av, bv, biasv, out], 0, 6)
    call_kernel(fn, [av, bv, biasv, out], 6, m)
    want = interpret_kernel(mod, [av, bv, biasv, np.zeros((m, n), np.float32)])[3]
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)  # blocked/FMA summation order differs
    np.testing.assert_allclose(out, np.maximum(av @ bv + biasv, 0), rtol=1e-4, atol=1e-4)


def test_object_cache_hit_on_second_compile(tmp_path):
    mod, m, n = _elementwise_broadcast()
    cache = ObjectCache(tmp_path)
    first = compile_kernels(mod, cache=cache)
    events = []
    second = compile_kernels(mod, cache=ObjectCache(tmp_path), progress=lambda *a: events.append(a))
    assert not first.cache_hit and second.cache_hit
    assert second.object_code == first.object_code and second.symbols == ["ew"]
    assert events[0] == ("emit", 1, 1) and events[-1] == ("compile", 1, 1)


def test_conv2d_kernel_op_nchw_with_bias_relu_residual_and_row_split():
    """NCHW conv through the NCHW8c micro-kernel (channels padded 5 -> 8, 6 -> 8), split over (n, oh)."""
    from ir.dialects.loop_kernels import Conv2dOp

    n, ci, h, w, co = 2, 5, 9, 8, 6
    oh, ow = 5, 4  # 3x3, stride 2, pads 1
    kb = KernelBuilder(
        "cv",
        [memref((n, ci, h, w), f32), memref((co, ci, 3, 3), f32), memref((co,), f32),
         memref((n, co, oh, ow), f32), memref((n, co, oh, ow), f32)],
    )  # fmt: skip
    x, wt, bias, res, out = kb.args
    kb.add(
        Conv2dOp.create(
            x,
            wt,
            [bias, res],
            out,
            ["channel", "full"],
            _sum_relu,
            strides=[2, 2],
            pads=[1, 1, 1, 1],
            dilations=[1, 1],
            kernel=[3, 3],
        )
    )
    mod = kb.finish()
    arrays = [
        RNG.standard_normal(s, dtype=np.float32)
        for s in [(n, ci, h, w), (co, ci, 3, 3), (co,), (n, co, oh, ow), (n, co, oh, ow)]
    ]
    ck = compile_kernels(mod)
    fn = ObjectLibrary(ck.object_code).kernel("cv")
    out = np.zeros((n, co, oh, ow), np.float32)
    bufs = [*arrays[:4], out]
    call_kernel(fn, bufs, 0, 3)
    call_kernel(fn, bufs, 3, n * oh)
    want = interpret_kernel(mod, [*arrays[:4], np.zeros_like(out)])[4]
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)  # blocked summation order differs


def test_bf16_kernel_rounds_like_the_interpreter():
    """bf16 through bit patterns (no runtime library): y = bf16(x * 3 + x) and z = f32(y); exact."""
    from ir.types import bf16, to_numpy_dtype

    n = 24
    kb = KernelBuilder("bf", [memref((n,), bf16), memref((n,), bf16), memref((n,), f32)])
    x, y, z = kb.args
    with kb.for_(0, n) as (i, _, _s):
        v = kb.load(x, i)
        r = kb.arith("AddFOp", kb.arith("MulFOp", v, kb.c(3.0, bf16)), v)
        kb.store(r, y, i)
        kb.store(kb.arith("ExtFOp", r, result_types=[f32]), z, i)
    mod = kb.finish()
    dt = to_numpy_dtype(bf16)
    arrays = [RNG.standard_normal(n).astype(dt), np.zeros(n, dt), np.zeros(n, np.float32)]
    got, _ = _run(mod, arrays)
    want = interpret_kernel(mod, arrays)
    np.testing.assert_array_equal(got[1].astype(np.float32), want[1].astype(np.float32))
    np.testing.assert_array_equal(got[2], want[2])
