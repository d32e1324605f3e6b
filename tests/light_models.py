"""Helpers for tests on onnx's light model zoo: paths, the backend runner's inputs, randomized-weight copies."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ziggurat.models import LIGHT_MODELS, light_model_dir  # noqa: F401 - LIGHT_MODELS is re-exported for tests

LIGHT_DIR = light_model_dir()


def model_path(name: str) -> Path:
    return LIGHT_DIR / f"light_{name}.onnx"


def expected_output(name: str) -> np.ndarray:
    return numpy_helper.to_array(onnx.load_tensor(str(LIGHT_DIR / f"light_{name}_output_0.pb")))


def runner_inputs(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """The inputs onnx's backend runner makes for light models (generate_dummy_data, random=False)."""
    inits = {t.name for t in model.graph.initializer}
    feeds = {}
    for x in model.graph.input:
        if x.name in inits:
            continue
        shape = tuple(d.dim_value if d.HasField("dim_value") else 1 for d in x.type.tensor_type.shape.dim)
        n = int(np.prod(shape))
        feeds[x.name] = (np.arange(n).reshape(shape) / n).astype(np.float32)
    return feeds


def randomized_copy(model: onnx.ModelProto, seed: int = 0) -> tuple[onnx.ModelProto, str]:
    """A copy whose ConstantOfShape weights are random initializers (He-scaled; 1-D in [0.5, 1.5]), with the
    tensor feeding the final Softmax added as an extra output. Returns (model, pre-softmax output name)."""
    rng = np.random.default_rng(seed)
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    keep, new_inits = [], []
    for node in g.node:
        if node.op_type == "ConstantOfShape" and node.input[0] in inits:
            shape = tuple(int(d) for d in numpy_helper.to_array(inits[node.input[0]]))
            if len(shape) == 1:
                w = rng.uniform(0.5, 1.5, size=shape)
            else:
                fan_in = int(np.prod(shape[1:]))
                w = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
            new_inits.append(numpy_helper.from_array(w.astype(np.float32), node.output[0]))
        else:
            keep.append(node)
    del g.node[:]
    g.node.extend(keep)
    g.initializer.extend(new_inits)
    existing = {i.name for i in g.input}
    for t in new_inits:  # IR version 3 wants initializers listed as inputs too
        if t.name not in existing:
            g.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    softmax = [n for n in g.node if n.op_type == "Softmax"]
    pre = softmax[-1].input[0] if softmax else g.output[0].name
    if pre not in {o.name for o in g.output}:
        g.output.append(helper.make_value_info(pre, onnx.TypeProto()))
    return m, pre


def onnx_home_env(tmp: Path) -> dict[str, str]:
    """Environment for onnx's BackendTest, which writes light-model test data under ONNX_HOME."""
    env = dict(os.environ)
    env["ONNX_HOME"] = str(tmp)
    return env
