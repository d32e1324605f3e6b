"""The CPU runtime: load object code, run a launch list, contexts in threads, engine files."""

import threading

import llvmlite.binding as llvm
import numpy as np
import pytest

from runtime.cpu_device import host_target_machine
from runtime.engine import Engine, RuntimeInputError, chrome_trace
from runtime.engine_file import EngineFileError
from runtime.plan import BufferSpec, Launch, Plan

# y[i] = max(x[i] + b[i], 0) over [start, end), with the kernel ABI void(void**, i64, i64).
KERNEL_IR = r"""
define void @add_relu(i8** %args, i64 %start, i64 %end) {
entry:
  %p0 = getelementptr i8*, i8** %args, i64 0
  %p1 = getelementptr i8*, i8** %args, i64 1
  %p2 = getelementptr i8*, i8** %args, i64 2
  %x8 = load i8*, i8** %p0
  %b8 = load i8*, i8** %p1
  %y8 = load i8*, i8** %p2
  %x = bitcast i8* %x8 to float*
  %b = bitcast i8* %b8 to float*
  %y = bitcast i8* %y8 to float*
  %empty = icmp sge i64 %start, %end
  br i1 %empty, label %done, label %loop
loop:
  %i = phi i64 [ %start, %entry ], [ %next, %loop ]
  %xp = getelementptr float, float* %x, i64 %i
  %bp = getelementptr float, float* %b, i64 %i
  %yp = getelementptr float, float* %y, i64 %i
  %xv = load float, float* %xp
  %bv = load float, float* %bp
  %s = fadd float %xv, %bv
  %pos = fcmp ogt float %s, 0.0
  %r = select i1 %pos, float %s, float 0.0
  store float %r, float* %yp
  %next = add i64 %i, 1
  %c = icmp slt i64 %next, %end
  br i1 %c, label %loop, label %done
done:
  ret void
}
"""


def _object_code() -> bytes:
    tm = host_target_machine()
    mod = llvm.parse_assembly(KERNEL_IR)
    mod.triple = tm.triple
    mod.verify()
    return tm.emit_object(mod)


def _engine(n=1000) -> tuple[Engine, np.ndarray]:
    bias = np.linspace(-1, 1, n).astype(np.float32)
    plan = Plan(
        inputs=["x"],
        outputs=["y"],
        buffers={
            "x": BufferSpec("x", "float32", [n], "input"),
            "b": BufferSpec("b", "float32", [n], "weight"),
            "t": BufferSpec("t", "float32", [n], "activation", offset=0),
            "y": BufferSpec("y", "float32", [n], "output"),
        },
        launches=[
            Launch("add_relu", ["x", "b", "t"], range=n, provenance=["add_1"]),
            Launch("add_relu", ["t", "b", "y"], range=n),
        ],
        arena_bytes=4 * n,
    )
    return Engine(plan, [_object_code()], {"b": bias.tobytes()}), bias


def _reference(x, b):
    return np.maximum(np.maximum(x + b, 0) + b, 0)


def test_run_matches_numpy():
    engine, b = _engine()
    x = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    (y,) = engine.run({"x": x})
    np.testing.assert_array_equal(y, _reference(x, b))  # same float ops in the same order: exact


def test_threads_and_contexts_agree():
    engine, b = _engine()
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal(1000).astype(np.float32) for _ in range(8)]
    results = {}

    def worker(k):
        ctx = engine.create_context(threads=2)
        for i in range(k, len(xs), 2):
            results[i] = ctx.run([xs[i]])[0]

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for i, x in enumerate(xs):
        np.testing.assert_array_equal(results[i], _reference(x, b))


def test_engine_file_round_trip_and_profile(tmp_path):
    engine, b = _engine()
    p = tmp_path / "m.engine"
    engine.save(p)
    loaded = Engine.load(p)
    x = np.ones(1000, np.float32)
    ctx = loaded.create_context()
    (y,) = ctx.run({"x": x}, profile=True)
    np.testing.assert_array_equal(y, _reference(x, b))
    trace = chrome_trace(ctx.last_profile)
    assert [e["args"]["onnx_nodes"] for e in trace["traceEvents"]] == [["add_1"], []]


def test_bad_feeds():
    engine, _ = _engine()
    with pytest.raises(RuntimeInputError, match="missing input 'x'"):
        engine.run({})
    with pytest.raises(RuntimeInputError, match="shape"):
        engine.run({"x": np.zeros(3, np.float32)})


def test_missing_weight_is_refused():
    engine, _ = _engine()
    ef = engine.to_file()
    del ef.sections["weight.b"]
    with pytest.raises(EngineFileError, match="weight 'b'"):
        Engine.from_file(ef)
