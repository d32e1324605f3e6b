"""ir.inputs: the one random-input generator (dtype rules, Gather index bounds, dynamic dims)."""

from __future__ import annotations

import numpy as np

import ir.dialects  # noqa: F401
from ir.inputs import DYNAMIC_DIM_SIZE, random_arrays, random_inputs
from ir.parser import parse_module

DYN = """
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<?x3xf32>, tensor<2x?xi64>, tensor<4xi1>) -> tensor<?x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<?x3xf32>, %arg1: tensor<2x?xi64>, %arg2: tensor<4xi1>):
    %0 = "graph.relu"(%arg0) : (tensor<?x3xf32>) -> tensor<?x3xf32>
    "func.return"(%0) : (tensor<?x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
"""


def test_dynamic_dims_become_one_and_dtypes_follow_the_types():
    m = parse_module(DYN)
    x, idx, flags = random_inputs(m)  # a module or its entry function
    assert DYNAMIC_DIM_SIZE == 1
    assert x.shape == (1, 3) and x.dtype == np.float32 and x.min() >= -1 and x.max() < 1
    assert idx.shape == (2, 1) and idx.dtype == np.int64 and idx.min() >= 0 and idx.max() < 4
    assert flags.dtype == np.bool_
    again = random_inputs(m.main)
    assert all(np.array_equal(a, b) for a, b in zip(random_inputs(m), again))
    assert not np.array_equal(random_inputs(m, seed=1)[0], x)


def test_gather_indices_stay_in_range():
    from onnx import TensorProto, helper

    from ir.onnx_import import import_onnx_model

    g = helper.make_graph(
        [helper.make_node("Gather", ["data", "i"], ["y"], axis=0)],
        "g",
        [
            helper.make_tensor_value_info("data", TensorProto.FLOAT, [2, 5]),
            helper.make_tensor_value_info("i", TensorProto.INT64, [64]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, 5])],
    )
    m = import_onnx_model(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]))
    _, i = random_inputs(m)
    assert i.min() >= 0 and i.max() < 2 and len(np.unique(i)) == 2


def test_random_arrays_by_spec():
    a = random_arrays([("x", (2, -1), np.float32), ("n", (3,), np.int32)], seed=0, int_bounds={"n": 100})
    assert a["x"].shape == (2, 1) and a["n"].dtype == np.int32 and a["n"].max() < 100
