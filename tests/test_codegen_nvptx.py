"""NVPTX codegen: LLVM IR with thread ids -> PTX for sm_90 -> accepted by ptxas (no GPU needed)."""

from __future__ import annotations

import llvmlite.ir as ir
import pytest

from codegen.llvm_intrinsics import F32, I64, relu
from codegen.nvptx_target import (
    NvptxTarget,
    PtxasError,
    block_id,
    check_with_ptxas,
    emit_ptx,
    find_ptxas,
    global_thread_id,
    mark_kernel,
    new_nvptx_module,
    thread_id,
)

needs_ptxas = pytest.mark.skipif(
    find_ptxas() is None, reason="ptxas not found on PATH or in /usr/local/cuda/bin"
)


def bias_relu_module() -> ir.Module:
    """y[i] = relu(x[i] + b[i % c]) for i < n: one element per thread, guarded at the tail."""
    m = new_nvptx_module("bias_relu")
    fp = F32.as_pointer()
    fn = ir.Function(m, ir.FunctionType(ir.VoidType(), [fp, fp, fp, I64, I64]), "bias_relu")
    x, bias, y, n, c = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    i = global_thread_id(b, "x")
    with b.if_then(b.icmp_signed("<", i, n)):
        v = b.fadd(b.load(b.gep(x, [i])), b.load(b.gep(bias, [b.srem(i, c)])))
        b.store(relu(b, v), b.gep(y, [i]))
    b.ret_void()
    mark_kernel(m, fn)
    return m


def test_emit_ptx_marks_the_kernel_and_reads_thread_ids():
    ptx = emit_ptx(bias_relu_module())
    assert ".version 8.0" in ptx and ".target sm_90" in ptx
    assert ".entry bias_relu" in ptx  # a launchable kernel, not a .func
    assert "%tid.x" in ptx and "%ctaid.x" in ptx and "%ntid.x" in ptx


def test_unmarked_function_is_not_an_entry():
    m = new_nvptx_module()
    fn = ir.Function(m, ir.FunctionType(ir.VoidType(), []), "helper")
    ir.IRBuilder(fn.append_basic_block()).ret_void()
    ptx = emit_ptx(m)
    assert ".entry" not in ptx and ".func helper" in ptx


@needs_ptxas
def test_ptxas_accepts_generated_ptx():
    ptx = emit_ptx(bias_relu_module())
    report = check_with_ptxas(ptx, "sm_90")
    assert "bias_relu" in report  # ptxas -v names the entry and its register use


@needs_ptxas
def test_ptxas_accepts_another_arch_and_2d_ids():
    m = new_nvptx_module("copy2d")
    fp = F32.as_pointer()
    fn = ir.Function(m, ir.FunctionType(ir.VoidType(), [fp, fp]), "copy2d")
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    row = b.zext(block_id(b, "y"), I64)
    col = b.zext(thread_id(b, "x"), I64)
    idx = b.add(b.mul(row, ir.Constant(I64, 32)), col)
    b.store(b.load(b.gep(fn.args[0], [idx])), b.gep(fn.args[1], [idx]))
    b.ret_void()
    mark_kernel(m, fn)
    ptx = emit_ptx(m, NvptxTarget(arch="sm_80", ptx_features="+ptx78"))
    assert ".target sm_80" in ptx and "%ctaid.y" in ptx
    check_with_ptxas(ptx, "sm_80")


@needs_ptxas
def test_ptxas_rejection_raises_with_its_message():
    ptx = emit_ptx(bias_relu_module()).replace("ld.global", "ld.bogus", 1)
    with pytest.raises(PtxasError, match="ptxas -arch=sm_90 failed"):
        check_with_ptxas(ptx, "sm_90")


def test_bad_dimension_is_refused():
    m = new_nvptx_module()
    fn = ir.Function(m, ir.FunctionType(ir.VoidType(), []), "k")
    with pytest.raises(ValueError):
        thread_id(ir.IRBuilder(fn.append_basic_block()), "w")
