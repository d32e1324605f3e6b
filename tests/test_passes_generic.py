"""Generic and graph passes: dce, cse, fold-constants, canonicalize, fuse; verifier and semantics kept."""

from __future__ import annotations

import numpy as np

from ir import interpreter
from ir.dialects.graph import ops_core as g
from ir.dialects.graph import ops_elementwise as ew
from ir.dialects.graph import ops_nn as nn
from ir.dialects.graph import ops_shape as sh
from passes import PassManager
from tests._passes_util import FuncBuilder, count_ops


def run(mod, text):
    return PassManager(text).run(mod)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_dce_erases_unused_pure_chains_and_is_idempotent():
    b = FuncBuilder((3,))
    (x,) = b.args
    dead = b.add(g.Relu, b.add(g.Relu, x))
    assert dead is not None
    mod = b.ret(b.add(g.Add, x, x))
    assert run(mod, "dce").changed
    assert count_ops(mod, "graph.relu") == 0
    assert not run(mod, "dce").changed


def test_cse_merges_equal_ops_and_keeps_provenance():
    b = FuncBuilder((3,))
    (x,) = b.args
    r1, r2 = b.add(g.Relu, x, name="a"), b.add(g.Relu, x, name="b")
    c1, c2 = b.const(np.ones(3, np.float32)), b.const(np.ones(3, np.float32))
    mod = b.ret(b.add(g.Add, b.add(g.Add, r1, r2), b.add(g.Add, c1, c2)))
    run(mod, "cse")
    assert count_ops(mod, "graph.relu") == 1 and count_ops(mod, "graph.constant") == 1
    relu = next(o for o in mod.walk() if o.name == "graph.relu")
    assert relu.provenance == ("a", "b")


def test_fold_constants_uses_evaluate_and_respects_cap():
    b = FuncBuilder((4,))
    (x,) = b.args
    c = b.add(g.Add, b.const(np.arange(4, dtype=np.float32)), b.const(np.ones(4, np.float32)), name="cadd")
    mod = b.ret(b.add(g.Add, x, c))
    assert not run(mod, "fold-constants{max-elements=3}").changed
    run(mod, "fold-constants, dce")
    consts = [o for o in mod.walk() if o.name == "graph.constant"]
    assert len(consts) == 1 and consts[0].provenance == ("cadd",)
    np.testing.assert_array_equal(consts[0].properties["value"].array, np.arange(1, 5))


def test_canonicalize_removes_identity_dropout_and_chains():
    b = FuncBuilder((2, 3, 4))
    (x,) = b.args
    v = b.add(ew.Identity, x)
    v = b.add(nn.Dropout, v)
    v = b.add(sh.Transpose, v, perm=[1, 0, 2])
    v = b.add(sh.Transpose, v, perm=[1, 0, 2])
    v = b.add(sh.Reshape, v, b.const(np.array([6, 4])))
    v = b.add(sh.Reshape, v, b.const(np.array([4, 6])))
    v = b.add(ew.Sum, [v, v])
    mod = b.ret(v)
    xs = [rand(2, 3, 4)]
    want = interpreter.run(mod, xs)
    run(mod, "canonicalize, dce")
    names = [o.name for o in mod.main.body.ops]
    assert names == ["graph.constant", "graph.reshape", "graph.add", "func.return"], names
    np.testing.assert_allclose(interpreter.run(mod, xs)[0], want[0])
    assert not run(mod, "canonicalize").changed  # idempotent


def test_transpose_chain_composes():
    b = FuncBuilder((2, 3, 4))
    (x,) = b.args
    v = b.add(sh.Transpose, b.add(sh.Transpose, x, perm=[1, 2, 0]), perm=[1, 2, 0])
    mod = b.ret(v)
    want = interpreter.run(mod, [rand(2, 3, 4)])
    run(mod, "canonicalize")
    ts = [o for o in mod.walk() if o.name == "graph.transpose"]
    assert len(ts) == 1 and ts[0].perm == [2, 0, 1]
    np.testing.assert_allclose(interpreter.run(mod, [rand(2, 3, 4)])[0], want[0])


def conv_bn_relu_module(residual=False):
    b = FuncBuilder((1, 3, 5, 5))
    (x,) = b.args
    w = b.const(rand(4, 3, 3, 3, seed=1))
    conv = b.add(nn.Conv, x, w, b.const(rand(4, seed=2)), pads=[1, 1, 1, 1])
    bn = b.add(
        nn.BatchNormalization,
        conv,
        b.const(rand(4, seed=3)),
        b.const(rand(4, seed=4)),
        b.const(rand(4, seed=5)),
        b.const(np.abs(rand(4, seed=6)) + 0.5),
    )
    if residual:
        other = b.add(nn.Conv, x, b.const(rand(4, 3, 1, 1, seed=7)))
        bn = b.add(g.Add, bn, other)
    return b.ret(b.add(g.Relu, bn))


def test_batchnorm_folds_into_conv_and_fuses_with_relu():
    mod = conv_bn_relu_module()
    xs = [rand(1, 3, 5, 5, seed=9)]
    want = interpreter.run(mod, xs)
    run(mod, "canonicalize, dce")
    assert count_ops(mod, "graph.batch_normalization") == 0 and count_ops(mod, "graph.conv") == 1
    np.testing.assert_allclose(interpreter.run(mod, xs)[0], want[0], rtol=1e-4, atol=1e-5)
    run(mod, "fuse, dce")
    fused = [o for o in mod.main.body.ops if o.name == "graph.fused"]
    assert len(fused) == 1 and fused[0].kind == "conv_relu"
    assert {"conv3", "batchnormalization8", "relu9"} <= set(fused[0].provenance)
    np.testing.assert_allclose(interpreter.run(mod, xs)[0], want[0], rtol=1e-4, atol=1e-5)


def test_fuse_residual_add_and_elementwise_chain():
    mod = conv_bn_relu_module(residual=True)
    xs = [rand(1, 3, 5, 5, seed=9)]
    want = interpreter.run(mod, xs)
    run(mod, "-O2")
    kinds = sorted(o.kind for o in mod.main.body.ops if o.name == "graph.fused")
    assert "conv_add_relu" in kinds
    np.testing.assert_allclose(interpreter.run(mod, xs)[0], want[0], rtol=1e-4, atol=1e-5)

    b = FuncBuilder((3,))
    (x,) = b.args
    mod2 = b.ret(b.add(ew.Tanh, b.add(ew.Mul, b.add(g.Relu, x), x)))
    run(mod2, "fuse")
    (f,) = [o for o in mod2.main.body.ops if o.name == "graph.fused"]
    assert f.kind == "elementwise" and len(f.inner_ops) == 3


def test_fuse_rejects_groups_that_would_make_a_cycle():
    # conv -> relu, and relu's input also feeds a side path that comes back into the group's add
    b = FuncBuilder((1, 2, 3, 3))
    (x,) = b.args
    conv = b.add(nn.Conv, x, b.const(rand(2, 2, 1, 1)))
    side = b.add(ew.Tanh, b.add(g.Relu, x))
    mod = b.ret(b.add(g.Add, conv, side))
    run(mod, "fuse{elementwise=false}")
    from ir.verifier import verify

    verify(mod)
