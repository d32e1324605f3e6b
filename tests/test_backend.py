"""onnx's own backend test runner over ziggurat.backend: the nine light-model tests, plus the API itself."""

from __future__ import annotations

import re
import unittest

import numpy as np
import onnx
import onnx.backend.test
import pytest
from onnx import helper

import ziggurat.backend as zbackend
from ir.errors import UserError

LIGHT_TESTS = r"test_(bvlc_alexnet|densenet121|inception_v1|inception_v2|resnet50|shufflenet|squeezenet|vgg19|zfnet512)_cpu"


def _light_suite(monkeypatch) -> unittest.TestSuite:
    """onnx's BackendTest restricted to the light models. Loading the thousands of node cases costs ~25 s and
    they are skipped by the include pattern anyway, so only the "real" (model zoo) kind is loaded."""
    import onnx.backend.test.runner as runner

    load = runner.load_model_tests
    monkeypatch.setattr(
        runner,
        "load_model_tests",
        lambda *a, kind=None, **k: load(*a, kind=kind, **k) if kind == "real" else [],
    )
    bt = onnx.backend.test.BackendTest(zbackend, __name__)
    bt.include(LIGHT_TESTS)
    tests = [t for t in _flatten(bt.test_suite) if re.search(LIGHT_TESTS, t.id())]
    return unittest.TestSuite(tests)


def _flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


@pytest.mark.slow
def test_backend_runner_passes_the_nine_light_models(tmp_path, monkeypatch):
    """onnx's runner prepares each model with the default target, so this compiles all nine for the CPU."""
    monkeypatch.setenv("ONNX_HOME", str(tmp_path))
    monkeypatch.setenv("ONNX_MODELS", str(tmp_path / "models" / "light"))
    suite = _light_suite(monkeypatch)
    assert suite.countTestCases() == 9
    result = unittest.TextTestRunner(verbosity=0).run(suite)
    problems = [str(t) for t, _ in result.failures + result.errors]
    assert not problems, problems
    assert not result.skipped
    assert result.testsRun == 9


def _add_model():
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2, 3])
    z = helper.make_tensor_value_info("z", onnx.TensorProto.FLOAT, [2, 3])
    g = helper.make_graph([helper.make_node("Add", ["x", "y"], ["z"], name="add")], "g", [x, y], [z])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def test_prepare_and_run_with_lists_and_dicts():
    rep = zbackend.prepare(_add_model(), "CPU")
    a, b = np.ones((2, 3), np.float32), np.full((2, 3), 2, np.float32)
    np.testing.assert_array_equal(rep.run([a, b])[0], a + b)
    np.testing.assert_array_equal(rep.run({"x": a, "y": b}).z, a + b)
    np.testing.assert_array_equal(zbackend.run_model(_add_model(), [a, b])[0], a + b)


def test_missing_input_is_one_clear_error():
    rep = zbackend.prepare(_add_model(), "CPU")
    with pytest.raises(UserError, match="missing input.*y"):
        rep.run({"x": np.ones((2, 3), np.float32)})


def test_run_node_and_devices():
    node = helper.make_node("Relu", ["a"], ["b"])
    x = np.array([[-1.0, 2.0]], np.float32)
    np.testing.assert_array_equal(zbackend.run_node(node, [x])[0], np.maximum(x, 0))
    assert zbackend.supports_device("CPU")
    assert not zbackend.supports_device("CUDA")
    assert zbackend.ZigguratBackend.is_compatible(_add_model())


def _conv_relu_model():
    rng = np.random.default_rng(0)
    w = onnx.numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    b = onnx.numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "b")
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 4, 8, 8])
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("Relu", ["c"], ["y"], name="relu"),
    ]
    g = helper.make_graph(nodes, "conv_relu", [x], [y], [w, b])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def test_prepare_compiles_for_the_cpu_by_default_and_matches_onnxruntime():
    import onnxruntime as ort

    from ir.tolerance import compare

    model = _conv_relu_model()
    x = np.random.default_rng(1).standard_normal((1, 3, 8, 8)).astype(np.float32)
    ref = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"x": x}
    )[0]
    rep = zbackend.prepare(model, "CPU")
    assert rep.target == "cpu" and rep.engine is not None
    (y,) = rep.run([x])
    assert compare("y", y, ref).ok
    assert compare("y", rep.run({"x": x}).y, ref).ok


def test_target_interp_uses_the_interpreter(monkeypatch):
    import ziggurat.driver

    def no_compile(*a, **k):
        raise AssertionError("target='interp' must not compile")

    monkeypatch.setattr(ziggurat.driver, "compile_module", no_compile)
    model = _conv_relu_model()
    x = np.random.default_rng(1).standard_normal((1, 3, 8, 8)).astype(np.float32)
    rep = zbackend.prepare(model, device="CPU", target="interp")
    assert rep.engine is None
    from ir.interpreter import run

    np.testing.assert_array_equal(rep.run([x])[0], run(rep.module, [x])[0])
    with pytest.raises(UserError, match="unknown target"):
        zbackend.prepare(model, target="cuda")


def test_a_model_the_compiler_cannot_handle_raises_unsupported_error():
    from ir.errors import UnsupportedError

    x = helper.make_tensor_value_info("x", onnx.TensorProto.UINT8, [2, 3])
    z = helper.make_tensor_value_info("z", onnx.TensorProto.UINT8, [2, 3])
    g = helper.make_graph([helper.make_node("Add", ["x", "x"], ["z"])], "g", [x], [z])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(UnsupportedError, match="ui8"):
        zbackend.prepare(model)
    a = np.array([[1, 2, 3], [4, 5, 6]], np.uint8)
    np.testing.assert_array_equal(zbackend.prepare(model, target="interp").run([a])[0], a + a)
