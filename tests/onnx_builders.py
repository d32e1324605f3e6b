"""Hand-built ONNX models in real exporters' style (torch.onnx naming, Constant nodes for shapes)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F, I64 = TensorProto.FLOAT, TensorProto.INT64


class _G:
    """A tiny graph builder: nodes named like torch.onnx (`/encoder/attn/MatMul`), weights as initializers."""

    def __init__(self, seed: int = 0):
        self.nodes, self.inits, self.rng, self.n = [], [], np.random.default_rng(seed), 0

    def weight(self, name, shape, scale=None):
        fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
        w = self.rng.standard_normal(shape) * (scale if scale is not None else np.sqrt(1.0 / fan_in))
        self.inits.append(numpy_helper.from_array(w.astype(np.float32), name))
        return name

    def param(self, name, shape, lo=0.5, hi=1.5):
        self.inits.append(numpy_helper.from_array(self.rng.uniform(lo, hi, shape).astype(np.float32), name))
        return name

    def const(self, scope, value):
        self.n += 1
        out = f"{scope}/Constant_{self.n}_output_0"
        arr = np.asarray(value)
        self.nodes.append(
            helper.make_node(
                "Constant", [], [out], name=f"{scope}/Constant_{self.n}", value=numpy_helper.from_array(arr)
            )
        )
        return out

    def op(self, scope, op_type, inputs, n_out=1, **attrs):
        self.n += 1
        name = f"{scope}/{op_type}_{self.n}"
        outs = [f"{name}_output_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=name, **attrs))
        return outs[0] if n_out == 1 else outs

    def model(self, inputs, outputs, opset):
        g = helper.make_graph(self.nodes, "main_graph", inputs, outputs, self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="pytorch")
        m.ir_version = 8 if opset >= 15 else 7
        return m


def transformer_block(opset: int = 17, batch=2, seq=8, vocab=50, d=32, heads=4, ffn=64) -> onnx.ModelProto:
    """Embedding (Gather) + positional, one encoder layer: attention with a padding mask, LayerNorm, GELU (Erf)."""
    g = _G(1)
    emb = g.weight("embeddings.word_embeddings.weight", (vocab, d), 1.0)
    pos = g.weight("embeddings.position_embeddings.weight", (seq, d), 1.0)
    s = "/embeddings"
    x = g.op(s, "Gather", [emb, "input_ids"], axis=0)
    shape = g.op(s, "Shape", ["input_ids"])
    seq_len = g.op(s, "Gather", [shape, g.const(s, np.array(1, np.int64))], axis=0)
    ids = g.op(s, "Range", [g.const(s, np.array(0, np.int64)), seq_len, g.const(s, np.array(1, np.int64))])
    x = g.op(s, "Add", [x, g.op(s, "Gather", [pos, ids], axis=0)])

    def layer_norm(scope, x, name):
        gamma, beta = g.param(f"{name}.weight", (d,)), g.param(f"{name}.bias", (d,), -0.1, 0.1)
        if opset >= 17:
            return g.op(scope, "LayerNormalization", [x, gamma, beta], axis=-1, epsilon=1e-12)
        axes = {"axes": [-1]} if opset < 18 else {}
        mean = g.op(scope, "ReduceMean", [x], **axes)
        xc = g.op(scope, "Sub", [x, mean])
        var = g.op(
            scope, "ReduceMean", [g.op(scope, "Pow", [xc, g.const(scope, np.array(2.0, np.float32))])], **axes
        )
        std = g.op(scope, "Sqrt", [g.op(scope, "Add", [var, g.const(scope, np.array(1e-12, np.float32))])])
        return g.op(scope, "Add", [g.op(scope, "Mul", [g.op(scope, "Div", [xc, std]), gamma]), beta])

    x = layer_norm(s + "/LayerNorm", x, "embeddings.LayerNorm")
    a = "/encoder/layer.0/attention/self"
    hd = d // heads

    def proj(name):
        y = g.op(a, "MatMul", [x, g.weight(f"encoder.layer.0.attention.self.{name}.weight.T", (d, d))])
        y = g.op(a, "Add", [g.param(f"encoder.layer.0.attention.self.{name}.bias", (d,), -0.1, 0.1), y])
        shp = g.op(a, "Shape", [y])
        b_ = (
            g.op(
                a,
                "Unsqueeze",
                [g.op(a, "Gather", [shp, g.const(a, np.array(0, np.int64))], axis=0)],
                axes=[0],
            )
            if opset < 13
            else g.op(
                a,
                "Unsqueeze",
                [
                    g.op(a, "Gather", [shp, g.const(a, np.array(0, np.int64))], axis=0),
                    g.const(a, np.array([0], np.int64)),
                ],
            )
        )
        new_shape = g.op(a, "Concat", [b_, g.const(a, np.array([-1, heads, hd], np.int64))], axis=0)
        y = g.op(a, "Reshape", [y, new_shape])
        return g.op(a, "Transpose", [y], perm=[0, 2, 1, 3])

    q, k, v = proj("query"), proj("key"), proj("value")
    kt = g.op(a, "Transpose", [k], perm=[0, 1, 3, 2])
    scores = g.op(a, "Div", [g.op(a, "MatMul", [q, kt]), g.const(a, np.array(np.sqrt(hd), np.float32))])
    # padding mask: (1 - mask) * -10000, broadcast over heads and query positions
    m = g.op("/encoder", "Cast", ["attention_mask"], to=F)
    m = g.op(
        "/encoder",
        "Mul",
        [
            g.op("/encoder", "Sub", [g.const("/encoder", np.array(1.0, np.float32)), m]),
            g.const("/encoder", np.array(-10000.0, np.float32)),
        ],
    )
    if opset < 13:
        m = g.op("/encoder", "Unsqueeze", [m], axes=[1, 2])
    else:
        m = g.op("/encoder", "Unsqueeze", [m, g.const("/encoder", np.array([1, 2], np.int64))])
    probs = g.op(a, "Softmax", [g.op(a, "Add", [scores, m])], axis=-1 if opset >= 13 else 3)
    ctx = g.op(a, "Transpose", [g.op(a, "MatMul", [probs, v])], perm=[0, 2, 1, 3])
    ctx = g.op(a, "Reshape", [ctx, g.const(a, np.array([0, 0, d], np.int64))])
    o = "/encoder/layer.0/attention/output"
    y = g.op(
        o,
        "Add",
        [
            g.op(o, "MatMul", [ctx, g.weight("attn.out.weight.T", (d, d))]),
            g.param("attn.out.bias", (d,), -0.1, 0.1),
        ],
    )
    x = layer_norm(o + "/LayerNorm", g.op(o, "Add", [y, x]), "attn.out.LayerNorm")
    f = "/encoder/layer.0/intermediate"
    h = g.op(
        f,
        "Add",
        [
            g.op(f, "MatMul", [x, g.weight("ffn.in.weight.T", (d, ffn))]),
            g.param("ffn.in.bias", (ffn,), -0.1, 0.1),
        ],
    )
    gelu = g.op(
        f,
        "Mul",
        [
            g.op(
                f,
                "Mul",
                [
                    h,
                    g.op(
                        f,
                        "Add",
                        [
                            g.op(
                                f, "Erf", [g.op(f, "Div", [h, g.const(f, np.array(1.4142135, np.float32))])]
                            ),
                            g.const(f, np.array(1.0, np.float32)),
                        ],
                    ),
                ],
            ),
            g.const(f, np.array(0.5, np.float32)),
        ],
    )
    o2 = "/encoder/layer.0/output"
    y = g.op(
        o2,
        "Add",
        [
            g.op(o2, "MatMul", [gelu, g.weight("ffn.out.weight.T", (ffn, d))]),
            g.param("ffn.out.bias", (d,), -0.1, 0.1),
        ],
    )
    x = layer_norm(o2 + "/LayerNorm", g.op(o2, "Add", [y, x]), "ffn.out.LayerNorm")
    out = g.op("/pooler", "Identity", [x])
    g.nodes[-1].output[0] = "last_hidden_state"
    inputs = [
        helper.make_tensor_value_info("input_ids", I64, [batch, seq]),
        helper.make_tensor_value_info("attention_mask", I64, [batch, seq]),
    ]
    del out
    return g.model(inputs, [helper.make_tensor_value_info("last_hidden_state", F, [batch, seq, d])], opset)


def yolo_head(opset: int = 17, size=32, nc=3) -> onnx.ModelProto:
    """A YOLOv5-style slice: Conv+SiLU, SPPF (MaxPool), a ceil-mode MaxPool, nearest Resize + Concat, C3 Split,
    and a Detect head (Reshape, Transpose, Sigmoid, Split, grid decode, Concat)."""
    g = _G(2)
    no = nc + 5

    def conv(scope, x, cin, cout, k=1, s=1, act=True):
        w = g.weight(f"{scope}.conv.weight", (cout, cin, k, k), np.sqrt(2.0 / (cin * k * k)))
        b = g.param(f"{scope}.conv.bias", (cout,), -0.1, 0.1)
        y = g.op(
            "/" + scope.replace(".", "/"),
            "Conv",
            [x, w, b],
            kernel_shape=[k, k],
            strides=[s, s],
            pads=[k // 2] * 4,
        )
        if not act:
            return y
        return g.op(
            "/" + scope.replace(".", "/"), "Mul", [y, g.op("/" + scope.replace(".", "/"), "Sigmoid", [y])]
        )

    x = conv("model.0", "images", 3, 16, 3, 2)  # 16 x 16
    x = conv("model.1", x, 16, 32, 3, 2)  # 8 x 8
    # C3-like split
    if opset >= 13:
        a, b = g.op(
            "/model.2", "Split", [x, g.const("/model.2", np.array([16, 16], np.int64))], n_out=2, axis=1
        )
    else:
        a, b = g.op("/model.2", "Split", [x], n_out=2, axis=1, split=[16, 16])
    a = conv("model.2.m", a, 16, 16, 3)
    x = g.op("/model.2", "Concat", [a, b], axis=1)
    # SPPF
    y1 = g.op("/model.3/m", "MaxPool", [x], kernel_shape=[5, 5], strides=[1, 1], pads=[2, 2, 2, 2])
    y2 = g.op("/model.3/m_1", "MaxPool", [y1], kernel_shape=[5, 5], strides=[1, 1], pads=[2, 2, 2, 2])
    x = conv("model.3.cv2", g.op("/model.3", "Concat", [x, y1, y2], axis=1), 96, 32)
    p = g.op("/model.4", "MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)  # 8 -> 4 (ceil)
    p = conv("model.5", p, 32, 32, 1)
    if opset >= 13:
        up = g.op(
            "/model.6",
            "Resize",
            [p, "", g.const("/model.6", np.array([1, 1, 2, 2], np.float32))],
            mode="nearest",
            coordinate_transformation_mode="asymmetric",
            nearest_mode="floor",
        )
    else:
        up = g.op(
            "/model.6",
            "Resize",
            [
                p,
                g.const("/model.6", np.array([], np.float32)),
                g.const("/model.6", np.array([1, 1, 2, 2], np.float32)),
            ],
            mode="nearest",
            coordinate_transformation_mode="asymmetric",
            nearest_mode="floor",
        )
    x = g.op("/model.7", "Concat", [up, x], axis=1)  # 64 x 8 x 8
    # Detect
    d = conv("model.8.m.0", x, 64, 3 * no, 1, act=False)
    h = w = size // 4
    s = "/model.8"
    d = g.op(s, "Reshape", [d, g.const(s, np.array([1, 3, no, h, w], np.int64))])
    d = g.op(s, "Sigmoid", [g.op(s, "Transpose", [d], perm=[0, 1, 3, 4, 2])])
    split_sizes = np.array([2, 2, no - 4], np.int64)
    if opset >= 13:
        xy, wh, conf = g.op(s, "Split", [d, g.const(s, split_sizes)], n_out=3, axis=4)
    else:
        xy, wh, conf = g.op(s, "Split", [d], n_out=3, axis=4, split=split_sizes.tolist())
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    grid = np.stack((xx, yy), 2).reshape(1, 1, h, w, 2).astype(np.float32) - 0.5
    anchor = np.array([10, 13, 16, 30, 33, 23], np.float32).reshape(1, 3, 1, 1, 2)
    xy = g.op(
        s,
        "Mul",
        [
            g.op(s, "Add", [g.op(s, "Mul", [xy, g.const(s, np.array(2.0, np.float32))]), g.const(s, grid)]),
            g.const(s, np.array(4.0, np.float32)),
        ],
    )
    wh = g.op(
        s,
        "Mul",
        [
            g.op(
                s,
                "Pow",
                [
                    g.op(s, "Mul", [wh, g.const(s, np.array(2.0, np.float32))]),
                    g.const(s, np.array(2.0, np.float32)),
                ],
            ),
            g.const(s, anchor),
        ],
    )
    y = g.op(s, "Concat", [xy, wh, conf], axis=4)
    y = g.op(s, "Reshape", [y, g.const(s, np.array([1, -1, no], np.int64))])
    g.nodes[-1].output[0] = "output0"
    return g.model(
        [helper.make_tensor_value_info("images", F, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", F, [1, 3 * h * w, no])],
        opset,
    )
