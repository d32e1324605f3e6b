"""The tensor, arith, math and loop dialects: hand-written .mlir files round-trip, verify and pass xDSL;
broken files fail with file:line:col; interpreted semantics match numpy; named ops match their generic forms."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import ir.dialects  # noqa: F401  (registers every dialect)
from ir.dialects import arith
from ir.dialects import math as zmath
from ir.dialects import tensor as T
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.errors import VerifyError
from ir.interpreter import run
from ir.parser import parse_file, parse_module
from ir.printer import print_op
from ir.types import f32, i32, index, tensor
from ir.verifier import verify

MLIR = Path(__file__).parent / "mlir"
VALID = sorted(MLIR.glob("*.mlir"))
INVALID = sorted((MLIR / "invalid").glob("*.mlir"))
XDSL = shutil.which("xdsl-opt")

# Loops and tensor.generic sum in index order; numpy's matmul/einsum use other orders (blocked, SIMD),
# so float32 results agree to rounding only: rtol 1e-5 (atol for values near zero).
RTOL, ATOL = 1e-5, 1e-5


def _body_text(path: Path) -> str:
    """The file without its leading `//` comment lines (the printer does not keep comments)."""
    lines = path.read_text().splitlines(keepends=True)
    while lines and lines[0].startswith("//"):
        lines.pop(0)
    return "".join(lines)


def _xdsl(texts: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Runs `xdsl-opt --allow-unregistered-dialect` once over all texts (`--split-input-file`: one start-up,
    which takes seconds); it stops at the first module that fails."""
    p = tmp_path / "modules.mlir"
    p.write_text("\n// -----\n".join(texts))
    cmd = [XDSL, "--allow-unregistered-dialect", "--split-input-file", str(p)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def _chunks(stdout: str) -> list[str]:
    """xdsl-opt's output, one string per input module."""
    return [c for c in re.split(r"^// -----$", stdout, flags=re.M) if c.strip()]


# ----------------------------------------------------------------------------- text round trip


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_file_round_trips_exactly_and_verifies(path):
    m = parse_file(path)
    verify(m)
    assert print_op(m) == _body_text(path)


@pytest.mark.skipif(XDSL is None, reason="xdsl-opt is not installed")
def test_xdsl_parses_and_verifies_every_valid_file(tmp_path):
    """xDSL verifies the upstream ops it knows (arith.*, math.*, tensor.empty, func.*) by upstream's rules."""
    texts = [print_op(parse_file(p)) for p in VALID]
    r = _xdsl(texts, tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    outs = _chunks(r.stdout)
    assert len(outs) == len(VALID)
    by_name = dict(zip((p.name for p in VALID), outs))
    # Predicates are stored as upstream's enum numbers: xDSL prints them back by name.
    assert "arith.cmpf olt" in by_name["arith_math.mlir"]
    assert "arith.cmpi sge" in by_name["arith_math.mlir"]
    assert "tensor.empty(%" in by_name["tensor_ops.mlir"]  # dynamic sizes as operands, as upstream


@pytest.mark.skipif(XDSL is None, reason="xdsl-opt is not installed")
def test_xdsl_rejects_a_misused_upstream_op(tmp_path):
    """The check has teeth: the arith.addf-on-i32 file we reject, xDSL rejects too."""
    r = _xdsl([_body_text(MLIR / "invalid" / "wrong_type.mlir")], tmp_path)
    assert r.returncode != 0 and "does not verify" in r.stdout + r.stderr


# ----------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_file_fails_with_location(path, capsys):
    from ziggurat.cli import main

    expect = re.match(r"// expect (\d+):(\d+): (.*)", path.read_text().splitlines()[0])
    assert expect, "invalid files start with '// expect LINE:COL: message'"
    line, col, message = expect.groups()
    rc = main(["show", str(path)])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1, err
    assert f"{path}:{line}:{col}" in err
    assert message in err


# ----------------------------------------------------------------------------- numpy semantics


def _conv_reference(x, w, stride):
    """Plain-loop direct convolution (NCHW, no padding) in float64."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    y = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw].astype(np.float64)
            y[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w.astype(np.float64))
    return y


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_matmul_generic_file_matches_numpy():
    a, b = _rand(4, 3), _rand(3, 5, seed=1)
    (c,) = run(parse_file(MLIR / "tensor_matmul_generic.mlir"), [a, b])
    assert c.dtype == np.float32
    np.testing.assert_allclose(c, a @ b, rtol=RTOL, atol=ATOL)


def test_conv_generic_file_matches_numpy():
    x, w = _rand(1, 2, 7, 7), _rand(3, 2, 3, 3, seed=1)
    (y,) = run(parse_file(MLIR / "tensor_conv_generic.mlir"), [x, w])
    np.testing.assert_allclose(y, _conv_reference(x, w, 2), rtol=RTOL, atol=ATOL)


def test_loop_matmul_file_matches_numpy():
    a, b = _rand(4, 3), _rand(3, 5, seed=1)
    c = np.full((4, 5), np.nan, np.float32)
    assert run(parse_file(MLIR / "loop_matmul.mlir"), [a, b, c]) == []
    np.testing.assert_allclose(c, a @ b, rtol=RTOL, atol=ATOL)


def test_loop_conv_file_matches_numpy_and_the_generic():
    x, w = _rand(1, 2, 7, 7), _rand(3, 2, 3, 3, seed=1)
    y = np.full((1, 3, 3, 3), np.nan, np.float32)
    run(parse_file(MLIR / "loop_conv.mlir"), [x, w, y])
    np.testing.assert_allclose(y, _conv_reference(x, w, 2), rtol=RTOL, atol=ATOL)
    (g,) = run(parse_file(MLIR / "tensor_conv_generic.mlir"), [x, w])
    np.testing.assert_array_equal(y, g)  # same summation order (c, kh, kw) at both levels: bit-exact


def test_loop_kernel_file_vector_access_parallel_and_call():
    x, y = _rand(8), _rand(8, seed=1)
    x0, y0 = x.copy(), y.copy()
    run(parse_file(MLIR / "loop_kernel.mlir"), [x, y])
    want_y = y0.copy()
    want_y[[0, 4]] = 2 * x0[[0, 4]]
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(x, np.maximum(x0 + y0, 0))


def test_arith_math_file_matches_numpy():
    m = parse_file(MLIR / "arith_math.mlir")
    x, y, n, k = np.float32(0.7), np.float32(1.5), np.int32(7), np.int64(3)
    h, tot, ci, bc = run(m, [x, y, n, k])
    one = np.float32(1)
    t = np.minimum(np.maximum(((x + one) - y) * x / y, x), y)
    t = -t
    sel = t if t < x else x
    import math

    v = np.float32(math.erf(np.tanh(np.log(np.abs(np.exp(sel))))))
    v = np.float32(1) / np.sqrt(np.sqrt(np.abs(v)) + one)
    fm = np.float32(np.float64(v) * np.float64(x) + np.float64(y))
    pw = np.floor(np.abs(fm) ** y)
    rounded = np.float32(math.floor(abs(fm) + 0.5) * (1 if fm >= 0 else -1))
    assert h.dtype == np.float16 and h == np.float16(rounded)
    q, r = int(49 / -3), math.fmod(49, -3)  # C semantics: toward zero, sign of the dividend
    sub = max(q, r) - min(q, r)
    assert ci == (sub >= 7)
    assert tot == int(np.float32(sub) * pw) + 3
    assert bc == np.ceil(fm).view(np.int32)


def test_arith_semantics_match_upstream_definitions():
    f = np.array([1.0, np.nan, 2.0], np.float32)
    g = np.array([1.0, 1.0, np.nan], np.float32)
    cmp = lambda p, a, b: arith.CmpFOp.build(  # noqa: E731
        arith.ConstantOp.create(a, tensor([3])).result,
        arith.ConstantOp.create(b, tensor([3])).result,
        predicate=p,
    ).evaluate(a, b)
    assert cmp("oeq", f, g).tolist() == [True, False, False]
    assert cmp("ueq", f, g).tolist() == [True, True, True]
    assert cmp("une", f, g).tolist() == [False, True, True]
    assert cmp("uno", f, g).tolist() == [False, True, True]
    assert arith.CMPF_PREDICATES.index("olt") == 4 and arith.CMPI_PREDICATES.index("ult") == 6
    a, b = np.array([-7, 7, -7], np.int32), np.array([2, -2, -2], np.int32)
    c = arith.ConstantOp.create(0, i32).result
    assert arith.DivSIOp.build(c, c).evaluate(a, b).tolist() == [-3, -3, 3]
    assert arith.RemSIOp.build(c, c).evaluate(a, b).tolist() == [-1, 1, -1]
    assert arith.FloorDivSIOp.build(c, c).evaluate(a, b).tolist() == [-4, -4, 3]
    assert arith.CeilDivSIOp.build(c, c).evaluate(a, b).tolist() == [-3, -3, 4]
    assert arith.CmpIOp.build(c, c, predicate="ult").evaluate(np.int32(-1), np.int32(1)) == np.False_
    r = zmath.RoundOp.build(arith.ConstantOp.create(0.0, f32).result)
    np.testing.assert_array_equal(
        r.evaluate(np.array([0.5, -0.5, 1.5, 2.5, 0.49999997], np.float32)), [1, -1, 2, 3, 0]
    )


# ----------------------------------------------------------------------------- named ops vs generic forms


def _function(make, in_types):
    m = new_module()
    f = FuncOp.create("main", in_types, [])
    m.body.append(f)
    op = make(*f.args)
    f.body.append(op)
    f.body.append(ReturnOp.build([op.result]))
    f.update_type()
    verify(m)
    return m, op


NAMED = {
    "matmul_batched_broadcast": (lambda a, b: T.MatmulOp.build(a, b), [tensor([2, 3, 4, 5]), tensor([5, 6])]),
    "matmul_batch1": (lambda a, b: T.MatmulOp.build(a, b), [tensor([1, 4, 5]), tensor([3, 5, 6])]),
    "conv_strided_padded_dilated": (
        lambda x, w: T.ConvOp.build(x, w, strides=[2, 1], pads=[1, 1, 0, 2], dilations=[1, 2]),
        [tensor([2, 3, 9, 8]), tensor([4, 3, 3, 2])],
    ),
    "conv_grouped": (
        lambda x, w: T.ConvOp.build(x, w, group=2, pads=[1, 1, 1, 1]),
        [tensor([1, 4, 6, 6]), tensor([6, 2, 3, 3])],
    ),
    "maxpool": (
        lambda x: T.PoolOp.build(x, kind="max", kernel=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        [tensor([1, 2, 7, 7])],
    ),
    "avgpool_exclude_pad": (
        lambda x: T.PoolOp.build(x, kind="avg", kernel=[3, 2], strides=[2, 1], pads=[1, 0, 1, 1]),
        [tensor([1, 2, 7, 7])],
    ),
    "avgpool_include_pad": (
        lambda x: T.PoolOp.build(x, kind="avg", kernel=[3, 3], pads=[1, 1, 1, 1], count_include_pad=True),
        [tensor([1, 2, 5, 5])],
    ),
    "reduce_mean_keepdims": (
        lambda x: T.ReduceOp.build(x, kind="mean", axes=[1, -1], keepdims=True),
        [tensor([3, 4, 5])],
    ),
    "reduce_max": (lambda x: T.ReduceOp.build(x, kind="max", axes=[0]), [tensor([3, 4, 5])]),
    "reduce_prod": (lambda x: T.ReduceOp.build(x, kind="prod", axes=[2]), [tensor([3, 4, 5])]),
    "transpose": (lambda x: T.TransposeOp.build(x, perm=[2, 0, 1]), [tensor([3, 4, 5])]),
    "broadcast": (
        lambda x: T.BroadcastOp.build(x, dims=[1, 2], result_types=[tensor([2, 4, 5])]),
        [tensor([1, 5])],
    ),
}


@pytest.mark.parametrize("case", list(NAMED))
def test_named_op_agrees_with_its_generic_form(case):
    make, types = NAMED[case]
    m, op = _function(make, types)
    xs = [_rand(*t.shape, seed=i) for i, t in enumerate(types)]
    (named,) = run(m, xs)
    new_ops = T.replace_with_generic(op)
    assert any(isinstance(o, T.GenericOp) for o in new_ops)
    verify(m)
    text = print_op(m)
    assert print_op(parse_module(text)) == text
    (generic,) = run(m, xs)
    assert generic.shape == named.shape and generic.dtype == named.dtype
    np.testing.assert_allclose(generic, named, rtol=RTOL, atol=ATOL)


def test_named_ops_match_independent_references():
    x, w = _rand(1, 2, 7, 7), _rand(3, 2, 3, 3, seed=1)
    m, _ = _function(
        lambda a, b: T.ConvOp.build(a, b, strides=[2, 2]), [tensor([1, 2, 7, 7]), tensor([3, 2, 3, 3])]
    )
    np.testing.assert_allclose(run(m, [x, w])[0], _conv_reference(x, w, 2), rtol=RTOL, atol=ATOL)
    m, _ = _function(
        lambda a: T.PoolOp.build(a, kind="max", kernel=[2, 2], strides=[2, 2]), [tensor([1, 2, 7, 7])]
    )
    want = x[:, :, :6, :6].reshape(1, 2, 3, 2, 3, 2).max(axis=(3, 5))
    np.testing.assert_array_equal(run(m, [x])[0], want)
    m, _ = _function(
        lambda a: T.SliceOp.build(a, offsets=[0, 1, 6, 0], sizes=[1, 1, 3, 4], strides=[1, 1, -2, 2]),
        [tensor([1, 2, 7, 7])],
    )
    np.testing.assert_array_equal(run(m, [x])[0], x[:, 1:2, 6:1:-2, 0:7:2])


def test_tensor_ops_file_runs_and_lowers_to_generics(tmp_path):
    m = parse_file(MLIR / "tensor_ops.mlir")
    xs = [_rand(1, 3, 8, 8), _rand(4, 3, 3, 3, seed=1), _rand(16, 5, seed=2)]
    before = run(m, xs)
    np.testing.assert_array_equal(before[2], np.arange(3)[:, None] * 10 + np.arange(4))
    assert before[3].shape == (3, 4)
    for op in [o for o in m.walk() if isinstance(o, T.StructuredOp)]:
        T.replace_with_generic(op)
    verify(m)
    assert not any(isinstance(o, T.StructuredOp) for o in m.walk())
    after = run(m, xs)
    for a, b in zip(before, after):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    if XDSL is not None:
        r = _xdsl([print_op(m)], tmp_path)
        assert r.returncode == 0, r.stderr[-2000:]


# ----------------------------------------------------------------------------- verifier rules


def _verify_error(text: str) -> str:
    with pytest.raises(VerifyError) as e:
        verify(parse_module(text))
    return str(e.value)


def test_generic_rejects_non_projected_output_map_and_bad_body():
    text = _body_text(MLIR / "tensor_matmul_generic.mlir")
    bad_map = text.replace("affine_map<(d0, d1, d2) -> (d0, d1)>]", "affine_map<(d0, d1, d2) -> (d0, d2)>]")
    assert "projected permutation" in _verify_error(bad_map)
    bad_arg = text.replace("%arg4: f32)", "%arg4: f32, %arg9: f32)")
    assert "element types" in _verify_error(bad_arg)


def test_empty_and_slice_and_call_rules():
    assert "dynamic dimensions" in _verify_error(
        '"builtin.module"() ({\n  %0 = "tensor.empty"() : () -> tensor<?x4xf32>\n}) : () -> ()\n'
    )
    with pytest.raises(VerifyError, match="requires attribute 'strides'"):
        _function(lambda a: T.SliceOp.build(a, offsets=[0], sizes=[1]), [tensor([2])])
    call = _body_text(MLIR / "loop_kernel.mlir").replace("callee = @axpy", "callee = @nope")
    assert "no kernel or function named @nope" in _verify_error(call)
    assert arith.ConstantOp.create(3, index).evaluate() == 3
