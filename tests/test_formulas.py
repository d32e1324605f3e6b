"""ir.formulas: one definition per activation, run by both backends.

Each formula op is lowered to tensor.generic (the formula on ArithScalar) and interpreted at tensor level;
the result must equal the graph op's evaluate (the formula on NumpyScalar) on random inputs with NaN,
infinities, huge, tiny and subnormal values. A spy formula checks that the reference and the lowering call
the one object the op class names, so a second copy cannot creep back in.
"""

from __future__ import annotations

import numpy as np
import pytest

import ir.dialects  # noqa: F401
import ir.reference as R
from ir import formulas as F
from ir.dialects.graph.base import by_onnx_name, onnx_op_types
from ir.interpreter import run
from ir.scalar import NumpyScalar
from ir.scalar_arith import ArithScalar
from passes import PassManager
from passes.lowering.graph_to_tensor_common import LOWERINGS
from passes.lowering.graph_to_tensor_elementwise import lower_formula
from tests._passes_util import FuncBuilder

FORMULA_OPS = sorted(t for t in onnx_op_types() if by_onnx_name(t).formula is not None)
VARIANT = {"alpha": 0.37, "beta": 0.41, "gamma": 1.3, "bias": 0.3, "lambd": 0.6}
# numpy evaluates gelu in float64 (rounded once); the f32 body rounds at every step, and 1 + erf(x / sqrt 2)
# cancels for x << 0 (absolute error ~1e-7 there, as in onnxruntime's f32 kernel).
EXACT_OFF = {"Gelu"}


def special_inputs(shape=(6, 50), seed=0) -> np.ndarray:
    """Uniform values of several magnitudes plus NaN, +-inf, +-0, huge, tiny and subnormal values."""
    r = np.random.default_rng(seed)
    x = (r.standard_normal(shape) * r.choice([1e-3, 1.0, 10.0, 100.0, 1e30], size=shape)).astype(np.float32)
    special = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e-40, 3e38, -3e38, 88.8, -88.8, 0.6, -0.6, 0.37]
    x.flat[: len(special)] = special
    return x


def attr_variants(op: str):
    cls = by_onnx_name(op)
    names = cls.formula.attrs
    if op == "Gelu":
        return [{"approximate": "none"}, {"approximate": "tanh"}]
    return [{}] + ([{a: VARIANT[a] for a in names}] if names else [])


def build(op: str, attrs: dict):
    """A one-op graph and its inputs."""
    x = special_inputs()
    cls = by_onnx_name(op)
    if op == "PRelu":
        b = FuncBuilder(x.shape, (x.shape[1],))
        slope = np.random.default_rng(1).uniform(-1, 1, x.shape[1]).astype(np.float32)
        return b.ret(b.add(cls, *b.args, **attrs)), [x, slope]
    if op == "Clip":
        b = FuncBuilder(x.shape, (), ())
        return b.ret(b.add(cls, *b.args, **attrs)), [x, np.float32(-0.5), np.float32(0.6)]
    b = FuncBuilder(x.shape)
    return b.ret(b.add(cls, b.args[0], **attrs)), [x]


def lowered(m):
    m = m.clone()
    PassManager("builtin.module(lower-graph-to-tensor)").run(m)
    return m


@pytest.mark.parametrize("op", FORMULA_OPS)
def test_numpy_backend_and_lowered_body_agree(op):
    for attrs in attr_variants(op):
        m, ins = build(op, attrs)
        ref = run(m, ins)[0]
        got = run(lowered(m), ins)[0]
        assert got.dtype == ref.dtype == np.float32 and got.shape == ref.shape
        if op in EXACT_OFF:
            np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6, err_msg=f"{op} {attrs}")
        else:
            np.testing.assert_array_equal(got, ref, err_msg=f"{op} {attrs}")


def test_clip_with_one_bound():
    x = special_inputs()
    b = FuncBuilder(x.shape, ())
    m = b.ret(b.add(by_onnx_name("Clip"), b.args[0], None, b.args[1]))
    ins = [x, np.float32(0.2)]
    np.testing.assert_array_equal(run(lowered(m), ins)[0], run(m, ins)[0])
    np.testing.assert_array_equal(run(m, ins)[0], np.minimum(x, np.float32(0.2)))


@pytest.mark.parametrize("op", FORMULA_OPS)
def test_reference_and_lowering_call_the_same_formula(op, monkeypatch):
    cls = by_onnx_name(op)
    f = cls.formula
    seen: list[type] = []

    def spy(s, *xs, **attrs):
        seen.append(type(s))
        return f.body(s, *xs, **attrs)

    monkeypatch.setattr(cls, "formula", F.Formula(f.name, spy, f.attrs, f.float_only, f.wide))
    m, ins = build(op, attr_variants(op)[0])
    run(m, ins)  # the graph op's evaluate
    assert seen == [NumpyScalar]
    lowered(m)
    assert seen == [NumpyScalar, ArithScalar]
    assert LOWERINGS[cls.name] is lower_formula
    # ir.reference's function of the op is the formula's own evaluator, not a copy.
    assert getattr(R, f.name).__self__ is f
    assert F.FORMULAS[f.name] is f


def test_defaults_only_in_the_op_definitions():
    """Formulas and the reference take every attribute: calling without one fails, the op fills it in."""
    x = special_inputs()
    with pytest.raises(TypeError):
        R.leaky_relu(x)
    b = FuncBuilder(x.shape)
    m = b.ret(b.add(by_onnx_name("LeakyRelu"), b.args[0]))
    np.testing.assert_array_equal(
        run(m, [x])[0], R.leaky_relu(x, alpha=by_onnx_name("LeakyRelu").alpha.default)
    )


def test_numpy_backend_keeps_the_dtype_and_the_stable_forms():
    for dt in (np.float16, np.float32, np.float64):
        x = np.array([-1e4, -50, 0, 50, 1e4, np.nan], dt)
        s, sp = R.sigmoid(x), R.softplus(x)
        assert s.dtype == sp.dtype == dt
        assert np.all((s[:5] >= 0) & (s[:5] <= 1)) and s[2] == 0.5 and s[4] == 1 and np.isnan(s[5])
        assert sp[4] == dt(1e4) and sp[0] == 0 and np.all(np.isfinite(sp[:5]))  # no exp overflow
    xi = np.array([-3, 0, 3], np.int32)
    assert R.relu(xi).dtype == np.int32 and list(R.relu(xi)) == [0, 0, 3]
