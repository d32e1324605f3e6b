"""Hardening of the object cache, the engine loader, execution contexts and Gather (issue 15, items 3-4)."""

from __future__ import annotations

import copy
import threading

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from ir.errors import UserError
from ir.onnx_import import import_onnx_model
from runtime.engine import ContextBusyError, Engine
from runtime.engine_file import EngineFile, EngineFileError
from runtime.plan import Plan
from ziggurat.driver import compile_module


def _add_relu_model(n: int = 64) -> onnx.ModelProto:
    b = numpy_helper.from_array(np.linspace(-1, 1, n).astype(np.float32).reshape(1, n), "b")
    nodes = [
        helper.make_node("Add", ["x", "b"], ["s"], name="add_0"),
        helper.make_node("Relu", ["s"], ["r"], name="relu_0"),
        helper.make_node("Mul", ["r", "r"], ["y"], name="mul_0"),
    ]
    g = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, n])],
        [b],
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def _reference(x: np.ndarray, n: int = 64) -> np.ndarray:
    r = np.maximum(x + np.linspace(-1, 1, n).astype(np.float32).reshape(1, n), 0)
    return r * r


def _compile(model, cache_dir):
    return compile_module(import_onnx_model(model), cache_dir=cache_dir)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng, _ = _compile(_add_relu_model(), tmp_path_factory.mktemp("cache"))
    return eng


def _x(seed=0, n=64):
    return np.random.default_rng(seed).standard_normal((4, n)).astype(np.float32)


# ----------------------------------------------------------------------------- object cache


def _entries(cache_dir):
    return [p for p in cache_dir.rglob("*.o") if not p.name.startswith(".tmp-")]


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_corrupt_cache_entry_is_rebuilt(tmp_path, damage):
    from codegen.host_target import ObjectCache

    model = _add_relu_model()
    eng, rep = _compile(model, tmp_path)
    assert not rep.cache_hit
    (entry,) = _entries(tmp_path)
    raw = bytearray(entry.read_bytes())
    if damage == "flip":
        raw[len(raw) // 2] ^= 0x40
    elif damage == "truncate":
        raw = raw[: len(raw) // 3]
    elif damage == "empty":
        raw = bytearray()
    else:
        raw = bytearray(b"\x7fELF" + bytes(range(256)) * 4)
    entry.write_bytes(bytes(raw))

    # a fresh cache object (a new process) meets the damaged entry on disk
    eng2, rep2 = _compile(model, tmp_path)
    assert not rep2.cache_hit  # recompiled, not loaded
    np.testing.assert_allclose(eng2.run({"x": _x()})[0], _reference(_x()), rtol=1e-6)
    # the entry was overwritten with a good one: the next compile hits it
    _, rep3 = _compile(model, tmp_path)
    assert rep3.cache_hit
    assert not list(tmp_path.rglob(".tmp-*"))

    # the counters say so
    cache = ObjectCache(tmp_path)
    entry.write_bytes(entry.read_bytes()[:-7])
    assert cache.get(entry.stem) is None
    assert cache.stats.corrupt == 1 and cache.stats.disk_hits == 0
    assert not entry.exists()


def test_cache_write_leaves_no_temporary_on_failure(tmp_path, monkeypatch):
    import os

    from codegen.host_target import ObjectCache

    cache = ObjectCache(tmp_path)

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    cache.put("ab" + "0" * 62, b"object")
    monkeypatch.undo()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    cache.put("ab" + "0" * 62, b"object")
    assert ObjectCache(tmp_path).get("ab" + "0" * 62) == b"object"


# ----------------------------------------------------------------------------- engine loader


def _rewrite(engine: Engine, edit) -> EngineFile:
    """The engine's file with its plan edited by ``edit(plan_json, sections)``, re-checksummed."""
    ef = engine.to_file()
    ef = EngineFile(copy.deepcopy(ef.meta), dict(ef.sections))
    edit(ef.meta["plan"], ef.sections)
    return EngineFile.from_bytes(ef.to_bytes())  # a valid container: only the loader can refuse it


def _load(ef: EngineFile, tmp_path=None) -> Engine:
    if tmp_path is not None:
        p = tmp_path / "m.engine"
        ef.save(p)
        return Engine.load(p)
    return Engine.from_file(ef)


def test_untampered_engine_loads_and_runs(engine, tmp_path):
    loaded = _load(_rewrite(engine, lambda plan, sections: None), tmp_path)
    np.testing.assert_allclose(loaded.run([_x()])[0], _reference(_x()), rtol=1e-6)
    assert engine.plan.kernels and all(k["arity"] >= 1 for k in engine.plan.kernels.values())


def _input(plan):
    return next(b for b in plan["buffers"] if b["name"] == plan["inputs"][0])


def _set(d, key, value):
    d[key] = value


TAMPERS = {
    "smaller input shape": lambda p, s: _set(_input(p), "shape", [2, 64]),
    "smaller input shape and kernel table": lambda p, s: (
        _set(_input(p), "shape", [2, 64]),
        [sig["arg_bytes"].__setitem__(0, 512) for sig in p["kernels"].values()],
    ),
    "negative launch range": lambda p, s: _set(p["launches"][0], "range", -4),
    "zero launch range": lambda p, s: _set(p["launches"][0], "range", 0),
    "larger launch range": lambda p, s: _set(p["launches"][0], "range", p["launches"][0]["range"] * 8),
    "unknown kernel": lambda p, s: _set(p["launches"][0], "kernel", "no_such_kernel"),
    "extra argument": lambda p, s: p["launches"][0]["args"].append(p["inputs"][0]),
    "dropped argument": lambda p, s: p["launches"][0]["args"].pop(),
    "unknown buffer": lambda p, s: _set(p["launches"][0], "args", ["ghost", *p["launches"][0]["args"][1:]]),
    "kernel table dropped": lambda p, s: _set(p, "kernels", {}),
    "bad dtype": lambda p, s: _set(_input(p), "dtype", "float99"),
    "negative dim": lambda p, s: _set(_input(p), "shape", [-4, 64]),
    "garbage object code": lambda p, s: _set(s, "object_code.0", b"\x7fELF" + b"\x01" * 300),
    "truncated object code": lambda p, s: _set(s, "object_code.0", s["object_code.0"][:200]),
    "foreign object code": lambda p, s: _set(s, "object_code.0", b"MZ" + b"\0" * 500),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_tampered_engine_is_refused_with_one_line(engine, tmp_path, tamper):
    ef = _rewrite(engine, TAMPERS[tamper])
    with pytest.raises(EngineFileError) as e:
        eng = _load(ef, tmp_path)
        eng.run([_x()])  # never reached for a refused file
    assert "\n" not in str(e.value)


def _matmul_softmax_model() -> onnx.ModelProto:
    w = numpy_helper.from_array(np.linspace(-1, 1, 64 * 64).astype(np.float32).reshape(64, 64), "w")
    g = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
            helper.make_node("Softmax", ["m"], ["y"], name="sm", axis=-1),
        ],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 64])],
        [w],
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("where", ["memory", "file"])
def test_activation_outside_arena_is_refused(tmp_path, where):
    eng, _ = _compile(_matmul_softmax_model(), tmp_path / "cache")
    acts = [b for b in eng.plan.buffers.values() if b.kind == "activation" and not b.alias_of]
    assert acts, "this model is meant to have arena activations"
    if where == "memory":
        plan = Plan.from_json(copy.deepcopy(eng.plan.to_json()))
        next(b for b in plan.buffers.values() if b.name == acts[0].name).offset = plan.arena_bytes
        with pytest.raises(EngineFileError, match="outside"):
            Engine(plan, eng.objects, eng._weight_bytes)  # noqa: SLF001
    else:
        with pytest.raises(EngineFileError, match="outside"):
            _load(_rewrite(eng, lambda p, s: _set(p, "arena_bytes", 16)), tmp_path)


def test_feed_of_another_shape_is_refused(engine):
    from runtime.engine import RuntimeInputError

    with pytest.raises(RuntimeInputError, match="shape"):
        engine.run([np.zeros((2, 64), np.float32)])


# ----------------------------------------------------------------------------- contexts and threads


def test_shared_context_raises_instead_of_corrupting(engine):
    ctx = engine.create_context()
    xs = [_x(seed) for seed in range(8)]
    expected = [engine.create_context().run([x])[0] for x in xs]
    mismatches, busy, ok = [], [], []
    lock = threading.Lock()

    def worker(k):
        for _ in range(100):
            try:
                (y,) = ctx.run([xs[k]])
            except ContextBusyError as e:
                with lock:
                    busy.append(str(e))
                continue
            with lock:
                (ok if np.array_equal(y, expected[k]) else mismatches).append(k)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not mismatches
    assert len(ok) + len(busy) == 800 and ok
    assert all("one context per thread" in m for m in busy)


# ----------------------------------------------------------------------------- Gather


def _gather_model(indices, data_shape=(3, 4), axis=0, constant=True):
    ind = np.asarray(indices, np.int64)
    out_shape = list(data_shape[:axis]) + list(ind.shape) + list(data_shape[axis + 1 :])
    inits = [numpy_helper.from_array(ind, "idx")] if constant else []
    inputs = [helper.make_tensor_value_info("data", TensorProto.FLOAT, list(data_shape))]
    if not constant:
        inputs.append(helper.make_tensor_value_info("idx", TensorProto.INT64, list(ind.shape)))
    g = helper.make_graph(
        [helper.make_node("Gather", ["data", "idx"], ["y"], name="gather_rows", axis=axis)],
        "g",
        inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
        inits,
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize("indices", [[1, 99], [-4], [3]])
def test_gather_constant_out_of_range_is_a_user_error(tmp_path, indices):
    with pytest.raises(UserError) as e:
        _compile(_gather_model(indices), tmp_path)
    msg = str(e.value)
    assert "gather_rows" in msg and "out of range" in msg and "\n" not in msg


@pytest.mark.parametrize("indices,axis", [([2, 0, -1, -3], 0), ([[1, -1], [0, 2]], 0), ([-2, 3], 1)])
def test_gather_in_range_and_negative_indices_still_work(tmp_path, indices, axis):
    eng, _ = _compile(_gather_model(indices, axis=axis), tmp_path)
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    (y,) = eng.run({"data": data})
    np.testing.assert_array_equal(y, np.take(data, np.asarray(indices), axis=axis))
