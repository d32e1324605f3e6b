"""Single-layer ONNX models: a convolution or a matmul + bias followed by an activation, written the way
exporters write them (torch.onnx decomposes SiLU and GELU into elementwise ops; opset 20 has Gelu).

Used by the epilogue-fusion tests and `benchmarks/epilogues.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

Act = Callable[[str, str], tuple[list[onnx.NodeProto], list[onnx.TensorProto]]]


def _const(name: str, value: float) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(value, dtype=np.float32), name)


def _node(op: str, ins: list[str], outs: list[str], **attrs) -> onnx.NodeProto:
    return helper.make_node(op, ins, outs, name=f"{op}_{outs[0]}", **attrs)


def _unary(op: str, **attrs) -> Act:
    return lambda x, y: ([_node(op, [x], [y], **attrs)], [])


def _silu(x: str, y: str):
    return [_node("Sigmoid", [x], ["sig"]), _node("Mul", [x, "sig"], [y])], []


def _clip(x: str, y: str):
    return [_node("Clip", [x, "clip_lo", "clip_hi"], [y])], [_const("clip_lo", 0.0), _const("clip_hi", 6.0)]


def _gelu_erf(x: str, y: str):
    """x * 0.5 * (1 + erf(x / sqrt(2))), as torch.onnx exports nn.GELU()."""
    nodes = [
        _node("Div", [x, "sqrt2"], ["g_div"]),
        _node("Erf", ["g_div"], ["g_erf"]),
        _node("Add", ["g_erf", "one"], ["g_add"]),
        _node("Mul", [x, "g_add"], ["g_mul"]),
        _node("Mul", ["g_mul", "half"], [y]),
    ]
    return nodes, [_const("sqrt2", math.sqrt(2.0)), _const("one", 1.0), _const("half", 0.5)]


def _gelu_tanh(x: str, y: str):
    """0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))), as exported from nn.GELU('tanh')."""
    nodes = [
        _node("Mul", [x, x], ["t_x2"]),
        _node("Mul", ["t_x2", x], ["t_x3"]),
        _node("Mul", ["t_x3", "c0"], ["t_cx3"]),
        _node("Add", [x, "t_cx3"], ["t_in"]),
        _node("Mul", ["t_in", "c1"], ["t_arg"]),
        _node("Tanh", ["t_arg"], ["t_tanh"]),
        _node("Add", ["t_tanh", "one"], ["t_add"]),
        _node("Mul", [x, "t_add"], ["t_mul"]),
        _node("Mul", ["t_mul", "half"], [y]),
    ]
    consts = [_const("c0", 0.044715), _const("c1", math.sqrt(2.0 / math.pi)), _const("one", 1.0)]
    return nodes, [*consts, _const("half", 0.5)]


ACTIVATIONS: dict[str, Act] = {
    "relu": _unary("Relu"),
    "sigmoid": _unary("Sigmoid"),
    "silu": _silu,
    "hardswish": _unary("HardSwish"),
    "clip": _clip,
    "leakyrelu": _unary("LeakyRelu", alpha=0.1),
    "gelu-erf": _gelu_erf,
    "gelu-tanh": _gelu_tanh,
    "gelu-op": _unary("Gelu"),
}
"""Activation name -> builder of its nodes (input name, output name) -> (nodes, initializers)."""


def conv_layer(act: str, c: int = 64, hw: int = 56, seed: int = 0) -> onnx.ModelProto:
    """x[1, c, hw, hw] -> Conv 3x3 pad 1 (c -> c, with bias) -> activation."""
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((c, c, 3, 3)) * math.sqrt(2.0 / (9 * c))).astype(np.float32)
    b = rng.uniform(-0.5, 0.5, c).astype(np.float32)
    nodes, inits = ACTIVATIONS[act]("conv", "y")
    graph = helper.make_graph(
        [_node("Conv", ["x", "W", "B"], ["conv"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]), *nodes],
        f"conv_{act}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, hw, hw])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, hw, hw])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B"), *inits],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])


def matmul_layer(act: str, m: int = 256, k: int = 512, n: int = 512, seed: int = 0) -> onnx.ModelProto:
    """x[m, k] -> MatMul (k -> n) + bias -> activation."""
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((k, n)) * math.sqrt(2.0 / k)).astype(np.float32)
    b = rng.uniform(-0.5, 0.5, n).astype(np.float32)
    nodes, inits = ACTIVATIONS[act]("mmb", "y")
    graph = helper.make_graph(
        [_node("MatMul", ["x", "W"], ["mm"]), _node("Add", ["mm", "B"], ["mmb"]), *nodes],
        f"matmul_{act}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B"), *inits],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
