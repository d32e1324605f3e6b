"""graph dialect -> ONNX: the inverse of the importer, for functions made of graph ops that are ONNX ops.

Constants become initializers, attributes are written back with their ONNX types, and the opset is the
newest that both the onnx package and onnxruntime 1.32 know, so onnxruntime can run an optimized graph.
"""

from __future__ import annotations

import re

import numpy as np

from ir.attributes import DenseElementsAttr
from ir.errors import UnsupportedError
from ir.opdef import BOOL, DENSE, FLOAT, FLOATS, INT, INTS, STR, STRS
from ir.types import ShapedType, to_numpy_dtype

ORT_MAX_OPSET = 28  # onnxruntime 1.32 loads models up to this opset


def export_opset() -> int:
    from onnx import defs

    return min(defs.onnx_opset_version(), ORT_MAX_OPSET)


def _value_info(name: str, t):
    from onnx import helper

    if not isinstance(t, ShapedType):
        raise UnsupportedError(f"cannot export value '{name}' of non-tensor type {t}")
    elem = helper.np_dtype_to_tensor_dtype(to_numpy_dtype(t.element_type))
    return helper.make_tensor_value_info(name, elem, list(t.shape))


def _attribute(op, key: str, attr):
    from onnx import helper, numpy_helper

    d = op.attr_defs.get(key)
    if d is None:
        raise UnsupportedError(f"'{op.name}' op{op.location_str()}: attribute '{key}' has no ONNX form")
    value = d.kind.from_attr(attr)
    kind = d.kind
    if kind is BOOL:
        return helper.make_attribute(key, int(value))
    if kind is INT:
        return helper.make_attribute(key, int(value))
    if kind is FLOAT:
        return helper.make_attribute(key, float(value))
    if kind is STR or kind.name.startswith("one of"):
        return helper.make_attribute(key, str(value))
    if kind is INTS:
        return helper.make_attribute(key, [int(v) for v in value], attr_type=helper.AttributeProto.INTS)
    if kind is FLOATS:
        return helper.make_attribute(key, [float(v) for v in value], attr_type=helper.AttributeProto.FLOATS)
    if kind is STRS:
        return helper.make_attribute(key, [str(v) for v in value], attr_type=helper.AttributeProto.STRINGS)
    if kind is DENSE:
        return helper.make_attribute(key, numpy_helper.from_array(np.asarray(value)))
    raise UnsupportedError(
        f"'{op.name}' op{op.location_str()}: attribute '{key}' of kind {kind.name} has no ONNX form"
    )


def export_onnx(module, opset: int | None = None, name: str = "ziggurat"):
    """A ModelProto for the module's entry function; refuses (listing them) ops that are not ONNX ops."""
    import onnx
    from onnx import helper, numpy_helper

    from ir.dialects.builtin import ModuleOp
    from ir.dialects.graph import GraphOp

    func = module.main if isinstance(module, ModuleOp) else module
    block = func.body
    bad = sorted(
        {
            op.name
            for op in block.ops
            if op.name != "func.return" and not (isinstance(op, GraphOp) and type(op).onnx)
        }
    )
    if bad:
        raise UnsupportedError(f"cannot export to ONNX: ops with no ONNX form: {', '.join(bad)}")

    names: dict[object, str] = {}
    taken: set[str] = set()

    def fresh(hint: str) -> str:
        base = re.sub(r"\s+", "_", hint) or "v"
        n, i = base, 0
        while n in taken:
            i += 1
            n = f"{base}_{i}"
        taken.add(n)
        return n

    in_attr = func.attributes.get("zg.input_names")
    in_names = (
        [a.value for a in in_attr.value]
        if in_attr is not None
        else [f"arg{i}" for i in range(len(func.args))]
    )
    inputs = []
    for arg, n in zip(func.args, in_names):
        names[arg] = fresh(n)
        inputs.append(_value_info(names[arg], arg.type))

    ret = block.ops[-1]
    out_attr = func.attributes.get("zg.output_names")
    out_names = [a.value for a in out_attr.value] if out_attr is not None else []
    if len(out_names) != len(ret.operands):
        out_names = [f"out{i}" for i in range(len(ret.operands))]
    # A value returned once, produced by an op, takes its output name directly.
    first_return: dict[object, str] = {}
    for v, n in zip(ret.operands, out_names):
        if v not in first_return and v not in names and n not in taken:
            first_return[v] = n

    initializers, nodes, used_inits = [], [], set()
    for op in block.ops:
        if op.name == "func.return":
            continue
        if type(op).onnx == "Constant":
            attr: DenseElementsAttr = op.properties["value"]
            hint = first_return.get(op.result) or attr.resource_name or "const"
            nm = fresh(hint) if hint not in used_inits else fresh(hint + "_dup")
            used_inits.add(nm)
            names[op.result] = nm
            initializers.append(numpy_helper.from_array(np.asarray(attr.array), nm))
            continue
        ins = []
        for d in op.operand_defs:
            g = op.operand_group(d.name)
            if d.variadic:
                ins.extend(names[v] for v in g)
            else:
                ins.append("" if g is None else names[g])
        while ins and ins[-1] == "":
            ins.pop()
        outs = []
        prov = op.provenance[0] if op.provenance else type(op).onnx
        for r in op.results:
            names[r] = first_return.get(r) or fresh(f"{prov}_out{r.index}" if len(op.results) > 1 else prov)
            taken.add(names[r])
            outs.append(names[r])
        attrs = [
            _attribute(op, k, a)
            for k, a in sorted(op.properties.items())
            if k not in ("operandSegmentSizes", "resultSegmentSizes")
        ]
        node = helper.make_node(type(op).onnx, ins, outs, name=fresh("node_" + prov))
        node.attribute.extend(attrs)
        nodes.append(node)

    outputs = []
    for v, n in zip(ret.operands, out_names):
        if names.get(v) != n:  # an input, a constant or a value returned twice: copy it
            n = fresh(n)
            nodes.append(helper.make_node("Identity", [names[v]], [n], name=fresh("node_" + n)))
        outputs.append(_value_info(n, v.type))
    graph = helper.make_graph(nodes, name, inputs, outputs, initializers)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset or export_opset())], producer_name="ziggurat"
    )
    model.ir_version = min(model.ir_version, onnx.IR_VERSION)
    return model
