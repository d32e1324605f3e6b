"""Real models through the importer and the interpreter: onnx's light model zoo (expected outputs, onnxruntime,
randomized weights), a transformer encoder block and a YOLOv5-style head built with onnx.helper, and export."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import onnx
import pytest

from ir.interpreter import run
from ir.onnx_export import export_onnx
from ir.onnx_import import import_onnx_file, import_onnx_model
from ir.parser import parse_module
from ir.printer import print_op
from ir.verifier import verify
from tests.light_models import LIGHT_MODELS, expected_output, model_path, randomized_copy, runner_inputs
from tests.onnx_builders import transformer_block, yolo_head
from ziggurat.inputs import random_feeds
from ziggurat.ort import run_onnxruntime

# vgg19 with random weights is ~20 GFLOP in numpy: tens of seconds; its constant-weight runs are fast.
SLOW_RANDOM = {"vgg19"}


@pytest.fixture(scope="module")
def light():
    cache = {}

    def get(name):
        if name not in cache:
            model = onnx.load(str(model_path(name)))
            module = import_onnx_model(model, name=name)
            verify(module)
            cache[name] = (model, module)
        return cache[name]

    return get


@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_light_model_matches_expected_output_and_onnxruntime(name, light):
    model, module = light(name)
    feeds = runner_inputs(model)
    t0 = time.perf_counter()
    ours = run(module, feeds)[0]
    elapsed = time.perf_counter() - t0
    np.testing.assert_allclose(ours, expected_output(name), rtol=1e-3, atol=1e-4)
    ref = list(run_onnxruntime(model, feeds).values())[0]
    np.testing.assert_allclose(ours, ref, rtol=1e-3, atol=1e-4)
    if name == "resnet50":
        assert elapsed < 10.0, f"ResNet-50 interpreted in {elapsed:.1f} s"


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_RANDOM else n for n in LIGHT_MODELS]
)
def test_light_model_with_random_weights_matches_onnxruntime_before_softmax(name):
    """ConstantOfShape weights make every channel identical; random ones expose layout and indexing bugs."""
    model, pre = randomized_copy(onnx.load(str(model_path(name))), seed=0)
    module = import_onnx_model(model, name=name)
    verify(module)
    feeds = runner_inputs(model)
    outs = run(module, feeds)
    names = [o.name for o in model.graph.output]
    ref = run_onnxruntime(model, feeds)
    ours, theirs = outs[names.index(pre)], ref[pre]
    scale = float(np.abs(theirs).max())
    assert scale > 0
    assert float(np.abs(ours - theirs).max()) <= 1e-3 * scale
    np.testing.assert_allclose(outs[0], ref[names[0]], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_light_model_print_parse_print_is_exact(name):
    module = import_onnx_file(model_path(name))
    text = print_op(module)
    again = parse_module(text, f"{name}.mlir")
    verify(again)
    assert print_op(again) == text


@pytest.mark.parametrize("opset", [11, 17])
def test_transformer_block(opset):
    model = transformer_block(opset)
    onnx.checker.check_model(model, full_check=True)
    module = import_onnx_model(model)
    verify(module)
    text = print_op(module)
    assert "graph.gather" in text and "graph.erf" in text and "graph.softmax" in text
    assert ("graph.layer_normalization" in text) == (opset >= 17)
    assert 'loc("/encoder/layer.0/attention/self/MatMul_' in text
    feeds = random_feeds(module.main, seed=0)
    feeds["attention_mask"] = (np.arange(16).reshape(2, 8) % 8 < 6).astype(np.int64)
    assert feeds["input_ids"].max() < 50 and feeds["input_ids"].min() >= 0
    ours = run(module, feeds)[0]
    ref = run_onnxruntime(model, feeds)["last_hidden_state"]
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("opset", [11, 17])
def test_yolo_head(opset):
    model = yolo_head(opset)
    onnx.checker.check_model(model, full_check=True)
    module = import_onnx_model(model)
    verify(module)
    text = print_op(module)
    for op in (
        "graph.conv",
        "graph.sigmoid",
        "graph.resize",
        "graph.split",
        "graph.max_pool",
        "graph.transpose",
    ):
        assert op in text
    feeds = random_feeds(module.main, seed=3)
    ours = run(module, feeds)[0]
    ref = run_onnxruntime(model, feeds)["output0"]
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-4 * float(np.abs(ref).max()))


@pytest.mark.parametrize("which", ["transformer", "yolo", "squeezenet", "resnet50"])
def test_export_round_trip_runs_the_same_in_onnxruntime(which, light):
    if which == "transformer":
        module = import_onnx_model(transformer_block(17))
    elif which == "yolo":
        module = import_onnx_model(yolo_head(17))
    else:
        model, module = light(which)
    # Light models' constant weights overflow to inf on arbitrary inputs; use the runner's inputs for them.
    feeds = random_feeds(module.main, seed=1) if which in ("transformer", "yolo") else runner_inputs(model)
    ours = run(module, feeds)
    exported = export_onnx(module)
    onnx.checker.check_model(exported)
    ref = list(run_onnxruntime(exported, feeds).values())
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * max(1.0, float(np.abs(b).max())))
    # ... and importing the export gives the same IR again.
    again = import_onnx_model(exported)

    def kinds(m):  # constants left dead by import-time folding are not re-imported
        return Counter(op.name for op in m.main.body.ops if op.name != "graph.constant")

    assert kinds(again) == kinds(module)


def test_export_refuses_ops_with_no_onnx_form():
    from ir.dialects.builtin import FuncOp, ReturnOp, new_module
    from ir.errors import UnsupportedError
    from ir.types import tensor

    module = new_module()
    f = FuncOp.create("main", [tensor([2])], [tensor([2])])
    module.body.append(f)
    from ir.core import Operation

    op = Operation([f.args[0]], [tensor([2])], name="mystery.op")
    f.body.append(op)
    f.body.append(ReturnOp.build([op.results[0]]))
    with pytest.raises(UnsupportedError, match="mystery.op"):
        export_onnx(module)
