"""Host codegen: llvmlite target setup, the object cache, object reload, and the microkernels vs numpy.

Tolerances. Our kernels and numpy sum float32 products in different orders (FMA chains per register
lane, K blocking), so results differ by rounding only. Any summation order of K float32 products has
an error below about K * 2^-24 * sum_k |a_ik * b_kj| (typically sqrt(K) times that), so each check is
``|ours - exact| <= 1e-4 * (|A| @ |B|) + 1e-6``: "rtol 1e-4 relative to the K-scaled magnitude", tight
enough that any indexing or packing bug (an error of the size of one product) fails, and loose enough
for K up to a few thousand. References are computed in float64.
"""

from __future__ import annotations

import ctypes
import gc
import threading

import llvmlite.ir as ir
import numpy as np
import pytest

from codegen.host_target import (
    HostModule,
    HostTarget,
    JitLibrary,
    ObjectCache,
    compile_to_object,
    host_target,
    optimized_ir,
)
from codegen.llvm_intrinsics import (
    F32,
    I64,
    NO_VECTORIZE,
    Loop,
    f32_ptr,
    fma,
    for_range,
    gep,
    maxnum,
    relu,
    splat,
    vector_load,
    vector_store,
    vexp,
)
from codegen.microkernels import split_range
from codegen.microkernels.conv import (
    ConvSchedule,
    ConvSpec,
    build_conv2d,
    build_layout_kernels,
    nchw8c_to_nchw,
    nchw_to_nchw8c,
    pad_bias,
    repack_conv_weights,
)
from codegen.microkernels.gemm import (
    GemmSchedule,
    GemmSpec,
    GemvSchedule,
    GemvSpec,
    build_gemv,
    build_sgemm,
    pack_b_numpy,
    pack_gemv_weights_numpy,
)

RTOL = 1e-4


def assert_close_k(ours: np.ndarray, exact: np.ndarray, magnitude: np.ndarray) -> None:
    """|ours - exact| <= RTOL * magnitude + 1e-6, where magnitude = sum of |products| per output."""
    err = np.abs(ours.astype(np.float64) - exact)
    bound = RTOL * magnitude + 1e-6
    worst = np.unravel_index(np.argmax(err - bound), err.shape)
    assert np.all(err <= bound), f"error {err[worst]:.3g} > bound {bound[worst]:.3g} at {worst}"


@pytest.fixture
def cache(tmp_path) -> ObjectCache:
    return ObjectCache(tmp_path / "objects")


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------------------------------
# target, intrinsics, cache, reload


def test_host_target_uses_real_cpu_features():
    t = host_target()
    assert t.cpu_name and t.cpu_name != "generic"
    assert t.triple.startswith(("x86_64", "aarch64"))
    if t.triple.startswith("x86_64"):
        assert "+avx2" in t.features and "+fma" in t.features


def _axpy_relu_module() -> ir.Module:
    """y[i] = relu(fma(a, x[i], y[i])) over 8-wide vectors, plus exp and maxnum lanes, for n % 8 == 0."""
    m = ir.Module("t")
    fp = f32_ptr()
    fn = ir.Function(m, ir.FunctionType(ir.VoidType(), [F32, fp, fp, fp, I64]), "axpy_relu")
    a, x, y, z, n = fn.args
    b = ir.IRBuilder(fn.append_basic_block())
    av = splat(b, a, 8)
    with for_range(b, 0, n, 8) as i:
        xv = vector_load(b, x, 8, i)
        yv = vector_load(b, y, 8, i)
        vector_store(b, relu(b, fma(b, av, xv, yv)), y, i)
        vector_store(b, maxnum(b, vexp(b, xv), yv), z, i)
    b.ret_void()
    return m


def test_vector_intrinsics_match_numpy(cache):
    hm = HostModule(_axpy_relu_module(), cache=cache)
    fn = hm.function("axpy_relu", None, ctypes.c_float, *[ctypes.c_void_p] * 3, ctypes.c_int64)
    x = rng().standard_normal(64, dtype=np.float32)
    y = rng(1).standard_normal(64, dtype=np.float32)
    z = np.empty_like(x)
    y0 = y.copy()
    fn(1.5, x.ctypes.data, y.ctypes.data, z.ctypes.data, 64)
    np.testing.assert_allclose(y, np.maximum(1.5 * x + y0, 0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(z, np.maximum(np.exp(x), y0), rtol=1e-6)
    asm_ir = optimized_ir(_axpy_relu_module())
    assert "llvm.fma.v8f32" in asm_ir  # stays a vector FMA (no libm calls): the CPU features are in use


def test_relu_keeps_nan(cache):
    m = ir.Module("nan")
    fn = ir.Function(m, ir.FunctionType(F32, [F32]), "r")
    b = ir.IRBuilder(fn.append_basic_block())
    b.ret(relu(b, fn.args[0]))
    r = HostModule(m, cache=cache).function("r", ctypes.c_float, ctypes.c_float)
    assert r(-2.0) == 0.0 and r(3.0) == 3.0 and np.isnan(r(float("nan")))


def test_loop_with_carried_values_and_no_vectorize_hint():
    def module(hints):
        m = ir.Module("sum")
        fn = ir.Function(m, ir.FunctionType(F32, [f32_ptr(), I64]), "total")
        b = ir.IRBuilder(fn.append_basic_block())
        loop = Loop(b, 0, fn.args[1], carried=[ir.Constant(F32, 0.0)], hints=hints)
        with loop as (i, (acc,)):
            loop.next([b.fadd(acc, b.load(gep(b, fn.args[0], i)))])
        b.ret(loop.results[0])
        return m

    x = np.arange(100, dtype=np.float32)
    total = HostModule(module(None), use_cache=False).function(
        "total", ctypes.c_float, ctypes.c_void_p, ctypes.c_int64
    )
    assert total(x.ctypes.data, 100) == 4950.0
    for hints, expect_vector in ((None, True), (NO_VECTORIZE, False)):
        vec = ir.Module("v")
        fn = ir.Function(vec, ir.FunctionType(ir.VoidType(), [f32_ptr(), I64]), "inc")
        b = ir.IRBuilder(fn.append_basic_block())
        with for_range(b, 0, fn.args[1], hints=hints) as i:
            p = gep(b, fn.args[0], i)
            b.store(b.fadd(b.load(p), ir.Constant(F32, 1.0)), p)
        b.ret_void()
        assert ("x float>" in optimized_ir(vec)) is expect_vector


def test_object_cache_hits_without_recompiling(cache, tmp_path):
    m = _axpy_relu_module()
    HostModule(m, cache=cache)
    assert cache.stats.compiles == 1
    HostModule(m, cache=cache)  # same IR, same cache object: a memory hit
    assert cache.stats.compiles == 1 and cache.stats.memory_hits == 1
    fresh = ObjectCache(cache.directory)  # a new process would see only the files
    hm = HostModule(str(m), cache=fresh)  # IR given as text: same key as the module
    assert fresh.stats.compiles == 0 and fresh.stats.disk_hits == 1
    assert cache.path(hm.cache_key).is_file()
    other = HostModule(_axpy_relu_module().__str__().replace("axpy_relu", "axpy_relu2"), cache=fresh)
    assert fresh.stats.compiles == 1 and other.cache_key != hm.cache_key


def test_cache_key_depends_on_target():
    t = host_target()
    other = HostTarget(t.triple, "generic", t.features, t.llvmlite_version, t.llvm_version)
    older = HostTarget(t.triple, t.cpu_name, t.features, t.llvmlite_version, "0.0.0")
    keys = {ObjectCache.key("x", t), ObjectCache.key("x", other), ObjectCache.key("x", older)}
    assert len(keys) == 3


def test_disabled_cache_always_compiles(tmp_path):
    c = ObjectCache(tmp_path / "off", enabled=False)
    HostModule(_axpy_relu_module(), cache=c)
    HostModule(_axpy_relu_module(), cache=c)
    assert c.stats.compiles == 2 and not (tmp_path / "off").exists()


def test_object_code_reloads_into_a_fresh_engine(tmp_path):
    obj = compile_to_object(_axpy_relu_module())
    path = tmp_path / "k.o"
    path.write_bytes(obj)
    lib = JitLibrary(path.read_bytes())  # what an engine file does: no LLVM optimization or codegen
    fn = lib.function("axpy_relu", None, ctypes.c_float, *[ctypes.c_void_p] * 3, ctypes.c_int64)
    del lib
    gc.collect()  # the function keeps its engine alive
    x = np.ones(8, np.float32)
    y = np.ones(8, np.float32)
    z = np.empty(8, np.float32)
    fn(2.0, x.ctypes.data, y.ctypes.data, z.ctypes.data, 8)
    assert np.all(y == 3.0)
    with pytest.raises(KeyError):
        JitLibrary(obj).address("no_such_symbol")


# --------------------------------------------------------------------------------------------------
# SGEMM


def gemm_reference(a, b, spec, bias=None, residual=None):
    """(exact float64 result, magnitude |A|@|B| for the tolerance)."""
    bb = b.T if spec.trans_b else b
    exact = a.astype(np.float64) @ bb.astype(np.float64)
    mag = np.abs(a).astype(np.float64) @ np.abs(bb).astype(np.float64)
    if bias is not None:
        exact += bias
        mag += np.abs(bias)
    if residual is not None:
        exact += residual
        mag += np.abs(residual)
    if spec.relu:
        exact = np.maximum(exact, 0)
    return exact, mag


SMALL = GemmSchedule(mr=4, nr=16, kc=64, mc=8, k_unroll=2)  # many K and M blocks on small shapes


@pytest.mark.parametrize(
    "m,n,k,sched",
    [
        (7, 13, 5, None),  # everything smaller than one tile
        (6, 16, 256, None),  # exactly one register tile, one K block
        (37, 100, 300, None),  # edges in M and N, two K blocks, K % k_unroll != 0
        (145, 33, 513, None),  # M crosses an mc block by one row, K crosses two kc blocks by one
        (1, 70, 9, None),
        (29, 47, 131, SMALL),
        (64, 64, 64, GemmSchedule(mr=4, nr=24, kc=32, mc=16, k_unroll=4)),
    ],
)
def test_sgemm_matches_numpy(m, n, k, sched):
    spec = GemmSpec(m, n, k)
    g = build_sgemm(spec, sched)
    r = rng(m * 1000 + n)
    a = r.standard_normal((m, k), dtype=np.float32)
    b = r.standard_normal((k, n), dtype=np.float32)
    exact, mag = gemm_reference(a, b, spec)
    assert_close_k(g(a, b), exact, mag)
    packed = g.pack_b(b)
    np.testing.assert_array_equal(packed, pack_b_numpy(b, spec, g.schedule))
    assert_close_k(g(a, packed_b=packed), exact, mag)


@pytest.mark.parametrize("trans_b", [False, True])
def test_sgemm_fused_epilogue(trans_b):
    spec = GemmSpec(23, 45, 300, bias=True, relu=True, residual=True, trans_b=trans_b)
    g = build_sgemm(spec, GemmSchedule(kc=128, mc=12))
    r = rng(3)
    a = r.standard_normal((23, 300), dtype=np.float32)
    b = r.standard_normal((45, 300) if trans_b else (300, 45), dtype=np.float32)
    bias = r.standard_normal(45, dtype=np.float32) * 10
    res = r.standard_normal((23, 45), dtype=np.float32) * 10
    exact, mag = gemm_reference(a, b, spec, bias, res)
    out = g(a, b, bias=bias, residual=res)
    assert_close_k(out, exact, mag)
    assert (out == 0).any() and (out > 0).any()  # the ReLU clipped something, and not everything
    packed = pack_b_numpy(b, spec, g.schedule)  # compile-time packing of constant weights
    np.testing.assert_array_equal(packed, g.pack_b(b))
    assert_close_k(g(a, packed_b=packed, bias=bias, residual=res), exact, mag)


def test_sgemm_leading_dimensions_write_into_a_wider_buffer():
    spec = GemmSpec(10, 20, 30, ldc=32, bias=True)
    g = build_sgemm(spec)
    r = rng(4)
    a, b = r.standard_normal((10, 30), dtype=np.float32), r.standard_normal((30, 20), dtype=np.float32)
    bias = r.standard_normal(20, dtype=np.float32)
    out = np.full((10, 32), 7.0, dtype=np.float32)
    g(a, b, bias=bias, out=out)
    exact, mag = gemm_reference(a, b, spec, bias)
    assert_close_k(out[:, :20], exact, mag)
    assert np.all(out[:, 20:] == 7.0)  # columns past N are untouched


def test_sgemm_row_ranges_and_threads():
    spec = GemmSpec(100, 40, 70, bias=True, relu=True)
    g = build_sgemm(spec, parallel=True)
    r = rng(5)
    a, b = r.standard_normal((100, 70), dtype=np.float32), r.standard_normal((70, 40), dtype=np.float32)
    bias = r.standard_normal(40, dtype=np.float32)
    packed = g.pack_b(b)
    serial = g(a, packed_b=packed, bias=bias)
    np.testing.assert_array_equal(g(a, packed_b=packed, bias=bias, threads=2), serial)  # GOMP_parallel
    np.testing.assert_array_equal(g(a, b, bias=bias, threads=2), serial)
    out = np.zeros_like(serial)
    ranges = g.row_ranges(3)
    assert ranges[0][0] == 0 and ranges[-1][1] == 100 and all(lo % 6 == 0 for lo, _ in ranges)
    workers = [
        threading.Thread(target=g.run_range, args=(a, packed, out, lo, hi), kwargs={"bias": bias})
        for lo, hi in ranges
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    np.testing.assert_array_equal(out, serial)  # same tiles, same order: bit-identical


def test_split_range():
    assert split_range(10, 3, 1) == [(0, 3), (3, 6), (6, 10)]
    assert split_range(100, 2, 6) == [(0, 48), (48, 100)]
    assert split_range(4, 3, 6) == [(0, 0), (0, 0), (0, 4)]


def test_schedule_validation():
    with pytest.raises(ValueError):
        GemmSchedule(nr=12)
    with pytest.raises(ValueError):
        GemmSchedule(mr=6, mc=100)
    with pytest.raises(ValueError):
        GemmSchedule(mr=8, nr=16)  # 16 accumulators + operands do not fit 16 ymm registers
    with pytest.raises(ValueError):
        GemmSpec(0, 1, 1)
    with pytest.raises(ValueError):
        ConvSchedule(ow_tile=8, oc_blocks=2)


# --------------------------------------------------------------------------------------------------
# GEMV (M = 1)


@pytest.mark.parametrize(
    "n,k,flags,sched",
    [
        (1000, 2048, {"bias": True}, None),
        (7, 3, {}, None),
        (33, 129, {"bias": True, "relu": True, "residual": True, "trans_w": True}, None),
        (64, 50, {"relu": True}, GemvSchedule(nr=16, k_unroll=4, acc_sets=4, prefetch=8)),
    ],
)
def test_gemv_matches_numpy(n, k, flags, sched):
    spec = GemvSpec(n, k, **flags)
    g = build_gemv(spec, sched, parallel=True)
    r = rng(n + k)
    x = r.standard_normal(k, dtype=np.float32)
    w = r.standard_normal((n, k) if spec.trans_w else (k, n), dtype=np.float32)
    bias = r.standard_normal(n, dtype=np.float32) if spec.bias else None
    res = r.standard_normal(n, dtype=np.float32) if spec.residual else None
    wk = w.T if spec.trans_w else w
    exact = x.astype(np.float64) @ wk
    mag = np.abs(x).astype(np.float64) @ np.abs(wk)
    for extra in (bias, res):
        if extra is not None:
            exact, mag = exact + extra, mag + np.abs(extra)
    if spec.relu:
        exact = np.maximum(exact, 0)
    packed = g.pack_w(w)
    np.testing.assert_array_equal(packed, pack_gemv_weights_numpy(w, spec, g.schedule))
    y = g(x, packed, bias=bias, residual=res)
    assert_close_k(y, exact, mag)
    np.testing.assert_array_equal(g(x, packed, bias=bias, residual=res, threads=2), y)


# --------------------------------------------------------------------------------------------------
# convolution


def conv_reference(x, w, bias, spec, residual=None):
    """Float64 direct convolution (exact, magnitude) in NCHW."""
    n, ci, h, wd = x.shape
    sh, sw = spec.stride
    dh, dw = spec.dilation
    pt, pl, pb, pr = spec.pads
    xp = np.zeros((n, ci, h + pt + pb, wd + pl + pr))
    xp[:, :, pt : pt + h, pl : pl + wd] = x
    out = np.zeros((n, spec.co, spec.oh, spec.ow))
    mag = np.zeros_like(out)
    for i in range(spec.kh):
        for j in range(spec.kw):
            patch = xp[
                :,
                :,
                i * dh : i * dh + sh * (spec.oh - 1) + 1 : sh,
                j * dw : j * dw + sw * (spec.ow - 1) + 1 : sw,
            ]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j].astype(np.float64))
            mag += np.einsum("nchw,oc->nohw", np.abs(patch), np.abs(w[:, :, i, j]).astype(np.float64))
    for extra in (bias[None, :, None, None] if bias is not None else None, residual):
        if extra is not None:
            out, mag = out + extra, mag + np.abs(extra)
    if spec.relu:
        out = np.maximum(out, 0)
    return out, mag


CONV_CASES = [
    ConvSpec(1, 16, 10, 10, 16, 3, 3, (1, 1), (1, 1, 1, 1), bias=True, relu=True),  # 3x3 pad 1
    ConvSpec(2, 3, 17, 13, 20, 7, 7, (2, 2), (3, 3, 3, 3), bias=True),  # ResNet stem shape: 7x7/2, CI=3
    ConvSpec(1, 24, 9, 11, 8, 1, 1),  # 1x1
    ConvSpec(1, 8, 12, 12, 24, 3, 3, (2, 2), (1, 1, 1, 1), bias=True, relu=True, residual=True),  # stride 2
    ConvSpec(1, 5, 9, 9, 7, 3, 3, (1, 1), (2, 2, 2, 2), (2, 2)),  # dilation 2, channels not multiple of 8
    ConvSpec(1, 8, 5, 6, 16, 3, 3, (1, 2), (0, 1, 2, 0)),  # asymmetric strides and pads
    ConvSpec(1, 16, 4, 3, 16, 5, 5, (1, 1), (2, 2, 2, 2)),  # kernel wider than the image: no interior
    ConvSpec(1, 12, 8, 8, 10, 1, 1, (2, 2), bias=True),  # strided 1x1 (ResNet downsample)
]


@pytest.mark.parametrize("spec", CONV_CASES, ids=lambda s: f"{s.ci}x{s.h}x{s.w}-{s.co}-k{s.kh}s{s.stride[0]}")
def test_conv_matches_reference(spec):
    r = rng(spec.ci * 31 + spec.co)
    x = r.standard_normal((spec.n, spec.ci, spec.h, spec.w), dtype=np.float32)
    w = r.standard_normal((spec.co, spec.ci, spec.kh, spec.kw), dtype=np.float32)
    bias = r.standard_normal(spec.co, dtype=np.float32) if spec.bias else None
    res = r.standard_normal((spec.n, spec.co, spec.oh, spec.ow), dtype=np.float32) if spec.residual else None
    exact, mag = conv_reference(x, w, bias, spec, res)
    sched = ConvSchedule(ow_tile=3, oc_blocks=3, ci_outer=True) if spec.co > 16 else ConvSchedule()
    c = build_conv2d(spec, sched)
    got = c.run_nchw(x, w, bias, res)
    assert got.shape == exact.shape
    assert_close_k(got, exact, mag)


def test_conv_blocked_padding_channels_stay_zero_and_threads_agree():
    spec = ConvSpec(2, 10, 9, 9, 12, 3, 3, (1, 1), (1, 1, 1, 1), bias=True, relu=True)
    c = build_conv2d(spec, ConvSchedule(oc_outer=True), parallel=True)
    r = rng(9)
    x = nchw_to_nchw8c(r.standard_normal((2, 10, 9, 9), dtype=np.float32))
    w = repack_conv_weights(r.standard_normal((12, 10, 3, 3), dtype=np.float32))
    bias = pad_bias(r.standard_normal(12, dtype=np.float32))
    serial = c(x, w, bias)
    assert np.all(serial[:, 1, :, :, 4:] == 0)  # output channels 12..15 are padding
    np.testing.assert_array_equal(c(x, w, bias, threads=2), serial)
    out = np.zeros_like(serial)
    for lo, hi in c.row_ranges(3):
        c._range(*(ctypes.c_void_p(a.ctypes.data) for a in (x, w, out, bias)), lo, hi)
    np.testing.assert_array_equal(out, serial)


def test_conv_refuses_groups():
    with pytest.raises(ValueError, match="grouped"):
        ConvSpec(1, 8, 4, 4, 8, 3, 3, group=8)


def test_layout_kernels_and_weight_repack():
    r = rng(10)
    x = r.standard_normal((2, 13, 5, 7), dtype=np.float32)
    lay = build_layout_kernels(2, 13, 5, 7)
    xb = lay.to_blocked(x)
    np.testing.assert_array_equal(xb, nchw_to_nchw8c(x))
    assert xb.shape == (2, 2, 5, 7, 8) and np.all(xb[:, 1, :, :, 5:] == 0)
    np.testing.assert_array_equal(lay.from_blocked(xb), x)
    np.testing.assert_array_equal(nchw8c_to_nchw(xb, 13), x)
    w = r.standard_normal((10, 3, 2, 2), dtype=np.float32)
    wp = repack_conv_weights(w)
    assert wp.shape == (2, 1, 2, 2, 8, 8)
    assert wp[1, 0, 1, 0, 2, 1] == w[9, 2, 1, 0]  # [co/8][ci/8][kh][kw][ci%8][co%8]
    assert np.all(wp[1, :, :, :, :, 2:] == 0) and np.all(wp[:, :, :, :, 3:, :] == 0)


# --------------------------------------------------------------------------------------------------
# the runtime kernel ABI: void kernel(void **args, int64 start, int64 end)


def _argv(*arrays: np.ndarray):
    return (ctypes.c_void_p * len(arrays))(*(a.ctypes.data for a in arrays))


def test_kernel_abi_entries_match_the_direct_calls():
    r = rng(11)
    spec = GemmSpec(20, 30, 40, bias=True)
    g = build_sgemm(spec)
    k = g.kernel
    assert k.abi_args == ("a", "packed_b", "c", "bias") and k.range_total == 20 and k.range_align == 6
    a, b = r.standard_normal((20, 40), dtype=np.float32), r.standard_normal((40, 30), dtype=np.float32)
    bias = r.standard_normal(30, dtype=np.float32)
    packed = np.empty(k.packed_b_floats, np.float32)
    g.host.library.kernel(k.pack_b_abi)(_argv(b, packed), 0, 1)
    np.testing.assert_array_equal(packed, pack_b_numpy(b, spec, g.schedule))
    out = np.zeros((20, 30), np.float32)
    fn = g.host.library.kernel(k.abi)
    for lo, hi in ((0, 7), (7, 13), (13, 20)):  # a split the runtime might choose, not tile-aligned
        fn(_argv(a, packed, out, bias), lo, hi)
    np.testing.assert_array_equal(out, g(a, packed_b=packed, bias=bias))

    cs = ConvSpec(1, 8, 6, 6, 8, 3, 3, (1, 1), (1, 1, 1, 1), residual=True)
    c = build_conv2d(cs)
    assert c.kernel.abi_args == ("input", "weights", "output", "residual")
    x = nchw_to_nchw8c(r.standard_normal((1, 8, 6, 6), dtype=np.float32))
    w = repack_conv_weights(r.standard_normal((8, 8, 3, 3), dtype=np.float32))
    res = r.standard_normal(cs.output_shape, dtype=np.float32)
    out = np.zeros(cs.output_shape, np.float32)
    c.host.library.kernel(c.kernel.abi)(_argv(x, w, out, res), 0, c.kernel.rows)
    np.testing.assert_array_equal(out, c(x, w, residual=res))

    gv = build_gemv(GemvSpec(40, 16))
    xv, wv = r.standard_normal(16, dtype=np.float32), r.standard_normal((16, 40), dtype=np.float32)
    wp, y = gv.pack_w(wv), np.zeros(40, np.float32)
    gv.host.library.kernel(gv.kernel.abi)(_argv(xv, wp, y), 0, gv.kernel.panels)
    np.testing.assert_array_equal(y, gv(xv, wp))

    lay = build_layout_kernels(1, 13, 3, 4)
    src = r.standard_normal((1, 13, 3, 4), dtype=np.float32)
    dst = np.zeros((1, 2, 3, 4, 8), np.float32)
    lib = lay.host.library
    lib.kernel(lay.kernels.to_blocked_abi)(_argv(src, dst), 0, 1)
    lib.kernel(lay.kernels.to_blocked_abi)(_argv(src, dst), 1, lay.kernels.range_total)
    np.testing.assert_array_equal(dst, nchw_to_nchw8c(src))
