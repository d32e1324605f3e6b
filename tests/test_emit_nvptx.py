"""codegen.emit_nvptx: GPU-mapped loop kernels -> PTX (checked by ptxas) and their CPU emulation."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.emit_nvptx import emit_nvptx_module, emulate_on_cpu
from codegen.nvptx_target import check_with_ptxas, find_ptxas
from ir.dialects import loop
from ir.errors import UnsupportedError
from ir.types import f32, memref
from runtime.cpu_device import ObjectLibrary
from tests.loop_kernel_builder import KernelBuilder, call_kernel, interpret_kernel

RNG = np.random.default_rng(1)
BLOCKS, THREADS = 4, 64
N = BLOCKS * THREADS - 10  # the last block is partly out of range: ids are guarded


def _elementwise_gpu():
    """y[i] = tanh(x[i]) * 2 + x[i] over block.x x thread.x."""
    kb = KernelBuilder("gelu_like", [memref((N,), f32), memref((N,), f32)], target="gpu")
    x, y = kb.args
    two = kb.c(2.0, f32)
    with kb.parallel([(0, BLOCKS, 1), (0, THREADS, 1)], mapping=["block.x", "thread.x"]) as (bi, ti):
        i = kb.arith("AddIOp", kb.arith("MulIOp", bi, kb.c(THREADS)), ti)
        ok = kb.arith("CmpIOp", i, kb.c(N), predicate="slt")
        safe = kb.arith("SelectOp", ok, i, kb.c(0))
        v = kb.load(x, safe)
        r = kb.arith("AddFOp", kb.arith("MulFOp", kb.math("tanh", v), two), v)
        kb.store(kb.arith("SelectOp", ok, r, kb.load(y, safe)), y, safe)
    return kb.finish()


def _reverse_blocks_with_barrier():
    """Per block of 32: tile[t] = x[b*32+t]; barrier; y[b*32+t] = tile[31-t] (needs the barrier)."""
    n = 4 * 32
    kb = KernelBuilder("rev", [memref((n,), f32), memref((n,), f32)], target="gpu")
    x, y = kb.args
    with kb.parallel([(0, 4, 1)], mapping=["block.x"]) as (bi,):
        tile = kb.add(loop.AllocOp.build(memory_space="shared", result_types=[memref((32,), f32)]))
        base = kb.arith("MulIOp", bi, kb.c(32))
        with kb.parallel([(0, 32, 1)], mapping=["thread.x"]) as (ti,):
            kb.store(kb.load(x, kb.arith("AddIOp", base, ti)), tile, ti)
            kb.add(loop.BarrierOp.build())
            kb.store(kb.load(tile, kb.arith("SubIOp", kb.c(31), ti)), y, kb.arith("AddIOp", base, ti))
    return kb.finish(), n


def test_gpu_elementwise_to_ptx_accepted_by_ptxas():
    ptx = emit_nvptx_module(_elementwise_gpu())
    assert ".entry gelu_like" in ptx.ptx and "%ctaid.x" in ptx.ptx and "%tid.x" in ptx.ptx
    (k,) = ptx.kernels
    assert k.grid == (BLOCKS, 1, 1) and k.block == (THREADS, 1, 1)
    if find_ptxas() is None:
        pytest.skip("ptxas is not installed")
    check_with_ptxas(ptx.ptx, arch=ptx.arch)


def test_gpu_elementwise_cpu_emulation_matches_numpy():
    mod = _elementwise_gpu()
    ck = emulate_on_cpu(mod)
    x = RNG.standard_normal(N, dtype=np.float32)
    y = np.zeros(N, np.float32)
    call_kernel(ObjectLibrary(ck.object_code).kernel("gelu_like"), [x, y])
    np.testing.assert_allclose(y, np.tanh(x) * 2 + x, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(y, interpret_kernel(mod, [x, np.zeros(N, np.float32)])[1], rtol=1e-6)


def test_barrier_kernel_splits_on_cpu_and_assembles_for_gpu():
    mod, n = _reverse_blocks_with_barrier()
    ck = emulate_on_cpu(mod)
    x = RNG.standard_normal(n, dtype=np.float32)
    y = np.zeros(n, np.float32)
    call_kernel(ObjectLibrary(ck.object_code).kernel("rev"), [x, y])
    np.testing.assert_array_equal(y, x.reshape(4, 32)[:, ::-1].ravel())
    ptx = emit_nvptx_module(mod)
    assert "bar.sync" in ptx.ptx and ".shared" in ptx.ptx
    assert ptx.kernels[0].shared_bytes == 128
    if find_ptxas() is not None:
        check_with_ptxas(ptx.ptx, arch=ptx.arch)


def test_value_crossing_a_barrier_is_refused_clearly():
    kb = KernelBuilder("bad", [memref((32,), f32), memref((32,), f32)], target="gpu")
    x, y = kb.args
    with kb.parallel([(0, 32, 1)], mapping=["thread.x"]) as (ti,):
        v = kb.load(x, ti)
        kb.add(loop.BarrierOp.build())
        kb.store(v, y, ti)
    with pytest.raises(UnsupportedError, match="barrier"):
        emulate_on_cpu(kb.finish())
