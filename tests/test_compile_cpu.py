"""The compiled CPU path end to end: the nine light models, engine files, -O0, threads and contexts.

Tolerances: shipped light models are compared with onnx's expected outputs and onnxruntime within the
issue's rtol 1e-3 / atol 1e-4. Random-weight copies compare the tensor before the final Softmax relative to
its largest magnitude (1e-4): the micro-kernels sum in another order than onnxruntime, which in float32
over K <= 25088 terms moves results by about 1e-6 relative, and a layout or indexing bug moves them by O(1).
"""

import threading

import numpy as np
import onnx
import pytest

from runtime.engine import Engine
from tests.light_models import LIGHT_MODELS, expected_output, model_path, randomized_copy, runner_inputs
from ziggurat.benchmarking import ort_session
from ziggurat.driver import compile_file, compile_module


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("objects")


def _compile(path, cache_dir, **kw):
    engine, _ = compile_file(path, cache_dir=cache_dir, **kw)
    return engine


@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_light_model_compiles_and_matches(name, cache_dir, tmp_path):
    path = model_path(name)
    engine = _compile(path, cache_dir)
    feeds = runner_inputs(onnx.load(str(path), load_external_data=False))
    (ours,) = engine.run(feeds)
    np.testing.assert_allclose(ours, expected_output(name), rtol=1e-3, atol=1e-4)
    sess = ort_session(path, 1)
    np.testing.assert_allclose(ours, sess.run(None, feeds)[0], rtol=1e-3, atol=1e-4)
    engine.save(tmp_path / f"{name}.engine")  # the saved engine runs the same without the compiler
    np.testing.assert_array_equal(Engine.load(tmp_path / f"{name}.engine").run(feeds)[0], ours)


@pytest.mark.parametrize("name", ["resnet50", "squeezenet", "inception_v1", "shufflenet"])
def test_random_weights_match_before_softmax(name, cache_dir):
    from ir.onnx_import import import_onnx_model

    model, pre = randomized_copy(onnx.load(str(model_path(name))))
    engine, _ = compile_module(import_onnx_model(model), cache_dir=cache_dir)
    feeds = {
        n: np.random.default_rng(1).uniform(-1, 1, engine.plan.buffers[n].shape).astype(np.float32)
        for n in engine.input_names
    }
    ours = dict(zip(engine.output_names, engine.run(feeds)))[pre]
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ref = sess.run([pre], feeds)[0]
    err = np.abs(ours - ref).max() / np.abs(ref).max()
    assert err < 1e-4, f"{name}: relative error {err:.3g} before the softmax"


def test_engine_file_runs_without_recompiling(tmp_path, cache_dir):
    path = model_path("squeezenet")
    engine = _compile(path, cache_dir)
    out = tmp_path / "m.engine"
    engine.save(out)
    loaded = Engine.load(out)
    feeds = runner_inputs(onnx.load(str(path)))
    np.testing.assert_array_equal(loaded.run(feeds)[0], engine.run(feeds)[0])


def test_o0_matches_o2(cache_dir):
    path = model_path("squeezenet")
    feeds = runner_inputs(onnx.load(str(path)))
    o0 = _compile(path, cache_dir, opt="-O0").run(feeds)[0]
    o2 = _compile(path, cache_dir, opt="-O2").run(feeds)[0]
    np.testing.assert_allclose(o0, o2, rtol=1e-3, atol=1e-5)


def test_two_threads_with_separate_contexts_agree_with_one(cache_dir):
    engine = _compile(model_path("squeezenet"), cache_dir, threads=2)
    rng = np.random.default_rng(0)
    shape = engine.plan.buffers[engine.input_names[0]].shape
    xs = [rng.uniform(-1, 1, shape).astype(np.float32) for _ in range(4)]
    single = [engine.create_context(1).run([x])[0] for x in xs]
    results = {}

    def worker(k):
        ctx = engine.create_context(2)
        for i in range(k, len(xs), 2):
            results[i] = ctx.run([xs[i]])[0]

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for i in range(len(xs)):
        np.testing.assert_array_equal(results[i], single[i])


def test_cli_compile_and_run_engine(tmp_path, capsys):
    from ziggurat.cli import main

    path = model_path("squeezenet")
    out = tmp_path / "s.engine"
    assert main(["compile", str(path), "-o", str(out)]) == 0
    assert main(["run", str(out), "--check", "ort", "--reference", str(path)]) == 0
    assert "ok" in capsys.readouterr().out
    bad = tmp_path / "bad.engine"
    bad.write_bytes(out.read_bytes()[:1000])
    assert main(["run", str(bad)]) == 2
    assert "truncated" in capsys.readouterr().err
    assert main(["compile", str(path), "-o", str(out), "--emit", "llvm"]) == 0
    assert 'define void @"k0"(' in (tmp_path / "s.ll").read_text()
