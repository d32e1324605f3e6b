"""ONNX -> graph dialect: one `func.func @main` whose ops mirror the model's nodes.

Initializers become `graph.constant` (sharing the protobuf's bytes, no copy), attributes are converted
with each op's declared kinds (defaults come from the op definition), result types come from the op's
own inference and are cross-checked with ONNX shape inference, and every op records the ONNX node it
came from. Older opsets (7+) are normalized to the newest form by `ir.onnx_upgrade`. Every problem a
user can cause is one `UserError` line; unsupported ops are all listed in one error before any work.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ir.attributes import ArrayAttr, DenseElementsAttr, StringAttr
from ir.core import Value
from ir.errors import UnsupportedError, UserError
from ir.onnx_upgrade import (
    ALIASES,
    ATTRIBUTE_TO_INPUT_RENAMES,
    OBSOLETE_ATTRIBUTES,
    UPGRADES,
    attribute_input_dtype,
)
from ir.types import DYNAMIC, ShapedType, TensorType, Type, from_numpy_dtype, to_numpy_dtype

DEFAULT_DOMAINS = ("", "ai.onnx")
MIN_OPSET = 7
FOLD_LIMIT = 4096  # integer results up to this many elements computed from constants fold at import
MAX_ELEMENTS = 2**31  # no tensor in a model may have more elements than this ...
MAX_BYTES = 8 * 2**30  # ... or take more than 8 GiB: refused at import, before anything allocates
WINDOW_OPS = ("Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool")
SIZE_OPS = ("ConstantOfShape", "Expand", "Tile", "Resize", "Upsample")

# ----------------------------------------------------------------------------- entry points


def import_onnx_file(path: str | Path, input_shapes: Mapping[str, tuple[int, ...]] | None = None):
    """Reads a .onnx file (with external data next to it) and imports it."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such file")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UserError(f"{p}: cannot read: {e.strerror}") from None
    model = parse_model_bytes(data, str(p))
    _load_external_data(model, p.parent, str(p))
    return import_onnx_model(model, input_shapes or {}, name=p.stem, source=str(p))


def parse_model_bytes(data: bytes, label: str = "<bytes>"):
    """Decodes a serialized ModelProto, refusing truncated files and things that are not ONNX."""
    import onnx
    from google.protobuf.message import DecodeError

    if not data:
        raise UserError(f"{label}: empty file, not an ONNX model")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as e:
        raise UserError(f"{label}: not a valid ONNX model (truncated or not ONNX: {e})") from None
    if model.ir_version <= 0 or not model.HasField("graph") or not model.opset_import:
        raise UserError(f"{label}: not an ONNX model (no ir_version, graph or opset_import)")
    _check_utf8(model, label)
    return model


def _repeated(fd) -> bool:
    rep = getattr(fd, "is_repeated", None)  # protobuf >= 5.x; `label` before
    return bool(rep) if rep is not None else fd.label == fd.LABEL_REPEATED


def _check_utf8(msg, label: str, path: str = "model") -> None:
    """protobuf hands back string fields that are not valid UTF-8 as bytes; refuse them by name."""
    from google.protobuf.descriptor import FieldDescriptor

    stack = [(msg, path)]
    while stack:
        m, where = stack.pop()
        for fd, value in m.ListFields():
            if fd.type == FieldDescriptor.TYPE_STRING:
                for v in value if _repeated(fd) else [value]:
                    if isinstance(v, bytes):
                        shown = v.decode("utf-8", "backslashreplace")
                        raise UserError(f"{label}: {where}.{fd.name} '{shown}' is not valid UTF-8")
            elif fd.type == FieldDescriptor.TYPE_MESSAGE:
                if _repeated(fd):
                    stack.extend((x, f"{where}.{fd.name}[{i}]") for i, x in enumerate(value))
                else:
                    stack.append((value, f"{where}.{fd.name}"))


def _load_external_data(model, base_dir: Path, label: str) -> None:
    """Reads external tensor data, only from regular files inside the model's folder."""
    import onnx
    from onnx.external_data_helper import (
        ExternalDataInfo,
        _get_all_tensors,
        load_external_data_for_model,
        uses_external_data,
    )

    tensors = [t for t in _get_all_tensors(model) if uses_external_data(t)]
    if not tensors:
        return
    root = base_dir.resolve()
    for t in tensors:
        loc = ExternalDataInfo(t).location
        where = f"{label}: tensor '{t.name}' keeps its data in '{loc}'"
        if not loc:
            raise UserError(f"{where}: no location given")
        if Path(loc).is_absolute() or Path(loc).drive:
            raise UserError(f"{where}, an absolute path; external data must be inside the model's folder")
        target = (root / loc).resolve()
        if target != root and root not in target.parents:
            raise UserError(f"{where}, outside the model's folder {base_dir}; refused")
        if not target.is_file():
            raise UserError(f"{where}: no such file next to the model")
    try:
        load_external_data_for_model(model, str(base_dir))
    except (OSError, ValueError, onnx.checker.ValidationError) as e:
        raise UserError(f"{label}: cannot load external tensor data: {_short(e)}") from None


def import_onnx_model(
    model,
    input_shapes: Mapping[str, tuple[int, ...]] | None = None,
    name: str = "model",
    source: str | None = None,
):
    """Imports an in-memory ModelProto into a verified-ready `builtin.module` with one `func.func @main`."""
    import ir.dialects  # noqa: F401  (registers every graph op)

    label = source or name
    opset = model_opset(model, label)
    check_supported(model, opset, label)  # before the checker: it lists every unsupported op at once
    check_model(model, label)
    return _Importer(model, opset, dict(input_shapes or {}), label).run()


def check_model(model, label: str = "model") -> None:
    """onnx's checker as one UserError line, plus the checks it leaves out (opset newer than onnx knows).

    Not `full_check=True`: its strict shape inference rejects models this importer accepts on purpose
    (inputs, outputs or value_info without a type or shape, as the model-zoo light models have them;
    inconsistent model shapes, which `_complete_types` reports with both shapes). So the plain (structural)
    check runs on a light copy: no value_info (hints only), shapeless inputs/outputs given an empty shape,
    initializers over FOLD_LIMIT elements replaced by typed graph inputs (their dims are checked here)
    so the weights are not serialized again. It still catches duplicate input names, two nodes writing
    one output, attribute types that do not match the schema and negative initializer dims.
    """
    import onnx
    from onnx import helper

    latest = onnx.defs.onnx_opset_version()
    for o in model.opset_import:
        if o.domain in DEFAULT_DOMAINS and o.version > latest:
            raise UnsupportedError(
                f"{label}: opset {o.version} is newer than {latest}, the newest this onnx package knows"
            )
    src = model.graph
    light = onnx.ModelProto()
    light.ir_version = model.ir_version
    light.opset_import.extend(model.opset_import)
    g = light.graph
    g.name = src.name or "graph"
    g.node.extend(src.node)
    for field in ("input", "output"):
        for vi in getattr(src, field):
            c = getattr(g, field).add()
            c.CopyFrom(vi)
            if c.type.WhichOneof("value") is None:  # untyped outputs: the importer types them itself
                c.type.tensor_type.elem_type = onnx.TensorProto.FLOAT
            if c.type.HasField("tensor_type") and not c.type.tensor_type.HasField("shape"):
                c.type.tensor_type.shape.SetInParent()
    for t in src.initializer:
        for d in t.dims:
            if d < 0:
                raise UserError(f"{label}: initializer '{t.name}' has a negative dimension {list(t.dims)}")
        if int(np.prod(t.dims, dtype=np.int64)) <= FOLD_LIMIT:
            g.initializer.append(t)
        elif t.name not in {vi.name for vi in src.input}:
            g.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    try:
        onnx.checker.check_model(light)
    except onnx.checker.ValidationError as e:
        raise UserError(f"{label}: {_checker_message(_short(e))}") from None


def _checker_message(msg: str) -> str:
    """onnx's checker text as `node 'N' (Op): what (onnx checker)` when it names a node."""
    import re

    text, _, context = msg.partition("==>")
    text = text.strip().rstrip(".")
    m = re.match(r"Unrecognized attribute: (\S+) for operator (\S+)", text)
    if m:
        text = f"unknown attribute '{m.group(1)}'"
    node = re.search(r"Name: (\S*) OpType: (\S+)", context)
    if node:
        return f"node '{node.group(1) or '?'}' ({node.group(2)}): {text} (onnx checker)"
    return f"invalid ONNX model: {text} (onnx checker)"


def model_opset(model, label: str = "model") -> int:
    """The model's default-domain opset version (refuses versions older than 7)."""
    versions = [o.version for o in model.opset_import if o.domain in DEFAULT_DOMAINS]
    if not versions:
        raise UnsupportedError(f"{label}: the model imports no default ONNX opset")
    opset = max(versions)
    if opset < MIN_OPSET:
        raise UnsupportedError(f"{label}: opset {opset} is older than {MIN_OPSET}, the oldest supported")
    return opset


def is_supported_node(op_type: str, domain: str = "") -> bool:
    """Whether the importer can convert a node of this type (default domain only)."""
    from ir.dialects.graph import by_onnx_name

    if domain not in DEFAULT_DOMAINS:
        return False
    return by_onnx_name(ALIASES.get(op_type, op_type)) is not None


def check_supported(model, opset: int, label: str) -> None:
    """Raises one UnsupportedError listing every unsupported op type with its node names."""
    import ir.dialects  # noqa: F401

    bad: dict[str, list[str]] = {}
    for i, node in enumerate(model.graph.node):
        key = node.op_type if node.domain in DEFAULT_DOMAINS else f"{node.domain}.{node.op_type}"
        subgraph = any(a.type in (5, 10) for a in node.attribute)  # GRAPH, GRAPHS
        if subgraph or not is_supported_node(node.op_type, node.domain):
            bad.setdefault(key, []).append(node.name or f"{node.op_type}_{i}")
    if bad:
        parts = []
        for op_type, nodes in bad.items():
            shown = ", ".join(nodes[:5]) + (f", ... {len(nodes) - 5} more" if len(nodes) > 5 else "")
            parts.append(f"{op_type} ({'node' if len(nodes) == 1 else 'nodes'} {shown})")
        raise UnsupportedError(f"{label}: unsupported ONNX ops (opset {opset}): {', '.join(parts)}")


# ----------------------------------------------------------------------------- conversion helpers


def onnx_elem_to_type(elem_type: int, what: str) -> Type:
    from onnx import helper

    try:
        return from_numpy_dtype(helper.tensor_dtype_to_np_dtype(elem_type))
    except (KeyError, TypeError, ValueError):
        import onnx

        tname = (
            onnx.TensorProto.DataType.Name(elem_type)
            if elem_type in onnx.TensorProto.DataType.values()
            else elem_type
        )
        raise UnsupportedError(f"{what}: element type {tname} is not supported") from None


def tensor_to_array(t, base_dir: str | None = None) -> np.ndarray:
    """A TensorProto's data as numpy (raw bytes are viewed in place via np.frombuffer)."""
    from onnx import numpy_helper

    return numpy_helper.to_array(t, base_dir) if base_dir else numpy_helper.to_array(t)


def attribute_value(a) -> Any:
    """An AttributeProto as a plain Python value (bytes -> str, tensors -> numpy arrays)."""
    from onnx import AttributeProto, helper

    v = helper.get_attribute_value(a)
    if a.type == AttributeProto.STRING:
        return v.decode("utf-8", "replace")
    if a.type == AttributeProto.STRINGS:
        return [x.decode("utf-8", "replace") for x in v]
    if a.type == AttributeProto.TENSOR:
        return tensor_to_array(v)
    if a.type == AttributeProto.TENSORS:
        return [tensor_to_array(x) for x in v]
    if a.type in (AttributeProto.INTS, AttributeProto.FLOATS):
        return list(v)
    return v


def _value_info_map(graph) -> dict[str, tuple[int, tuple[int | None, ...] | None]]:
    """name -> (elem_type, dims or None when the rank is unknown); None dims are unknown."""
    out = {}
    for vi in list(graph.value_info) + list(graph.output) + list(graph.input):
        tt = vi.type.tensor_type if vi.type.HasField("tensor_type") else None
        if tt is None:
            continue
        dims = None
        if tt.HasField("shape"):
            dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim)
        out[vi.name] = (tt.elem_type, dims)
    return out


# ----------------------------------------------------------------------------- the importer


class NodeBuilder:
    """What an upgrade rule sees of the node being converted: emit ops, make constants, name errors."""

    def __init__(self, imp: _Importer, node, index: int):
        self.imp, self.node = imp, node
        self.op_type = node.op_type
        self.opset = imp.opset
        self.provenance = node.name or f"{node.op_type}_{index}"
        self.where = f"{imp.label}: node '{self.provenance}' ({node.op_type})"
        self.num_outputs = len(node.output)
        used = [i for i, o in enumerate(node.output) if o and o in imp.used_names]
        self.num_needed = used[-1] + 1 if used else 1
        self._emitted_main = False

    def output_name(self, i: int) -> str:
        return self.node.output[i] if i < len(self.node.output) else ""

    def constant(self, array: np.ndarray, hint: str, provenance: bool = False) -> Value:
        """A graph.constant holding `array`, placed before the node's ops."""
        from ir.dialects.graph import by_onnx_name

        attr = DenseElementsAttr.from_array(np.asarray(array), hint)
        op = by_onnx_name("Constant").build(value=attr, provenance=(self.provenance,))
        self.imp.block.append(op)
        self.imp.known[op.result] = attr.array
        self.imp.made_constants.append(op)
        return op.result

    def emit(self, op_type: str, inputs: list, attrs: dict[str, Any], final: bool = True) -> list:
        """Creates the graph op for `op_type` and returns its results; `final` ops produce the node's outputs
        (their types are checked against the model's), intermediate ones do not."""
        return self.imp.emit_op(self, op_type, list(inputs), dict(attrs), final)


class _Importer:
    def __init__(self, model, opset: int, input_shapes: dict[str, tuple[int, ...]], label: str):
        self.model, self.graph = model, model.graph
        self.opset, self.input_shapes, self.label = opset, input_shapes, label
        self.values: dict[str, Value] = {}
        self.onnx_types: dict[str, tuple[int, tuple[int | None, ...] | None]] = {}
        self.block = None
        self.used_names: set[str] = set()
        self.known: dict[Value, np.ndarray] = {}
        self.made_constants: list = []

    # -- driver

    def run(self):
        from ir.dialects.builtin import FuncOp, ReturnOp, new_module

        graph = self.graph
        init_names = {t.name for t in graph.initializer}
        inputs = [vi for vi in graph.input if vi.name not in init_names]
        unknown = sorted(set(self.input_shapes) - {vi.name for vi in inputs})
        if unknown:
            names = ", ".join(vi.name for vi in inputs)
            raise UserError(
                f"{self.label}: --input-shape names unknown input(s) {', '.join(unknown)} (inputs: {names})"
            )
        in_types = [self._input_type(vi) for vi in inputs]
        for vi, t in zip(inputs, in_types):
            _check_size(f"{self.label}: input '{vi.name}'", t)
        self.onnx_types = self._infer_onnx_shapes(inputs, in_types)

        func = FuncOp.create("main", in_types, [])
        self.block = func.body
        for vi, arg in zip(inputs, func.args):
            self.values[vi.name] = arg
        used = {n for node in graph.node for n in node.input} | {o.name for o in graph.output}
        self.used_names = used
        for t in graph.initializer:
            if t.name in used and t.name not in self.values:
                self._initializer(t)
        for i, node in enumerate(self._topological_nodes()):
            self._convert_node(node, i)
        outs = []
        for o in graph.output:
            if o.name not in self.values:
                raise UserError(f"{self.label}: graph output '{o.name}' is not produced by any node")
            outs.append(self.values[o.name])
        ret = ReturnOp.build(outs)
        self.block.append(ret)
        for op in reversed(self.made_constants):  # left dead by import-time folding
            if not op.has_uses:
                op.erase()
        func.update_type()
        func.attributes["zg.input_names"] = ArrayAttr(tuple(StringAttr(vi.name) for vi in inputs))
        func.attributes["zg.output_names"] = ArrayAttr(tuple(StringAttr(o.name) for o in graph.output))
        module = new_module()
        module.body.append(func)
        return module

    def _input_type(self, vi) -> TensorType:
        if not vi.type.HasField("tensor_type"):
            raise UnsupportedError(f"{self.label}: input '{vi.name}' is not a tensor")
        tt = vi.type.tensor_type
        elem = onnx_elem_to_type(tt.elem_type, f"{self.label}: input '{vi.name}'")
        if not tt.HasField("shape"):
            if vi.name in self.input_shapes:
                return TensorType(tuple(self.input_shapes[vi.name]), elem)
            raise UserError(
                f"{self.label}: input '{vi.name}' has no shape; give one with --input-shape {vi.name}=..."
            )
        dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in tt.shape.dim]
        fixed = self.input_shapes.get(vi.name)
        if fixed is not None:
            if len(fixed) != len(dims):
                raise UserError(
                    f"{self.label}: --input-shape {vi.name} has rank {len(fixed)}, the model's input has rank {len(dims)}"
                )
            for i, (want, have) in enumerate(zip(fixed, dims)):
                if isinstance(have, int) and have != want:
                    raise UserError(
                        f"{self.label}: --input-shape {vi.name}: dimension {i} is {have} in the model, not {want}"
                    )
            return TensorType(tuple(int(d) for d in fixed), elem)
        for i, d in enumerate(dims):
            if not isinstance(d, int) or d < 0:
                sym = f" ('{d}')" if isinstance(d, str) else ""
                shape = "x".join(str(x) if isinstance(x, int) and x >= 0 else "N" for x in dims)
                raise UserError(
                    f"{self.label}: input '{vi.name}' dimension {i}{sym} is symbolic; fix it with "
                    f"--input-shape {vi.name}={shape}"
                )
        return TensorType(tuple(dims), elem)

    def _infer_onnx_shapes(self, inputs, in_types) -> dict:
        """ONNX's own shape inference (strict off, with data propagation) on a light copy of the model: inputs
        fixed to our static shapes, large initializers replaced by typed inputs (inference serializes the
        model twice; weights would dominate the cost and never matter for shapes)."""
        import onnx
        from onnx import helper

        src = self.model.graph
        light = onnx.ModelProto()
        light.ir_version = max(self.model.ir_version, 4)
        light.opset_import.extend(self.model.opset_import)
        g = light.graph
        g.node.extend(src.node)
        g.output.extend(src.output)
        g.value_info.extend(src.value_info)
        fixed = {vi.name: t for vi, t in zip(inputs, in_types)}
        for vi in src.input:
            if vi.name in fixed:
                t = fixed[vi.name]
                elem = vi.type.tensor_type.elem_type
                g.input.append(helper.make_tensor_value_info(vi.name, elem, list(t.shape)))
        for t in src.initializer:
            if int(np.prod(t.dims, dtype=np.int64)) <= FOLD_LIMIT:
                g.initializer.append(t)
            else:
                g.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
        try:
            inferred = onnx.shape_inference.infer_shapes(light, strict_mode=False, data_prop=True)
        except Exception:  # noqa: BLE001 - ONNX inference is advisory; our own inference decides
            inferred = light
        return _value_info_map(inferred.graph)

    def _initializer(self, t) -> None:
        from ir.dialects.graph import by_onnx_name

        onnx_elem_to_type(t.data_type, f"{self.label}: initializer '{t.name}'")
        try:
            arr = tensor_to_array(t)
        except Exception as e:  # noqa: BLE001 - malformed tensor data
            raise UserError(f"{self.label}: initializer '{t.name}' has bad data: {e}") from None
        op = by_onnx_name("Constant").build(value=DenseElementsAttr.from_array(arr, t.name))
        self.block.append(op)
        self.values[t.name] = op.result
        self.known[op.result] = op.properties["value"].array

    def _topological_nodes(self) -> list:
        """The nodes in a valid order (ONNX requires it, but some exporters break the rule)."""
        nodes = list(self.graph.node)
        known = set(self.values)
        produced_by = {o: i for i, n in enumerate(nodes) for o in n.output if o}
        ok = True
        seen = set(known)
        for n in nodes:
            if any(x and x not in seen for x in n.input):
                ok = False
                break
            seen.update(n.output)
        if ok:
            return nodes
        order, done = [], set()
        state: dict[int, int] = {}

        def visit(i: int) -> None:
            stack = [(i, 0)]
            while stack:
                j, k = stack.pop()
                if k == 0:
                    if j in done:
                        continue
                    if state.get(j) == 1:
                        raise UserError(f"{self.label}: the graph has a cycle through node '{nodes[j].name}'")
                    state[j] = 1
                ins = [x for x in nodes[j].input if x and x not in known and x in produced_by]
                if k < len(ins):
                    stack.append((j, k + 1))
                    dep = produced_by[ins[k]]
                    if dep not in done:
                        stack.append((dep, 0))
                    continue
                state[j] = 2
                done.add(j)
                order.append(nodes[j])

        for i in range(len(nodes)):
            visit(i)
        return order

    # -- nodes

    def _convert_node(self, node, index: int) -> None:
        b = NodeBuilder(self, node, index)
        inputs: list[Value | None] = []
        for name in node.input:
            if not name:
                inputs.append(None)
            elif name in self.values:
                inputs.append(self.values[name])
            else:
                raise UserError(
                    f"{b.where}: input '{name}' is not defined by any node, initializer or graph input"
                )
        attrs = {a.name: attribute_value(a) for a in node.attribute}
        if node.op_type in WINDOW_OPS:
            _check_window(b, node.op_type, attrs, inputs)
        if node.op_type in SIZE_OPS:
            self._check_size_inputs(b, node.op_type, inputs)
        rule = UPGRADES.get(node.op_type)
        outs = rule(b, inputs, attrs) if rule else b.emit(node.op_type, inputs, attrs)
        for i, name in enumerate(node.output):
            if not name or (i >= len(outs) and name not in self.used_names):
                continue
            if i >= len(outs):
                raise UnsupportedError(f"{b.where}: output #{i} ('{name}') has no equivalent in the graph op")
            self.values[name] = outs[i]

    def emit_op(
        self, b: NodeBuilder, op_type: str, inputs: list, attrs: dict[str, Any], is_last: bool
    ) -> list:
        from ir.dialects.graph import by_onnx_name

        cls = by_onnx_name(op_type)
        if cls is None:
            raise UnsupportedError(f"{b.where}: no graph op for ONNX {op_type}")
        names = [d.name for d in cls.operand_defs]
        drop = OBSOLETE_ATTRIBUTES["*"] | OBSOLETE_ATTRIBUTES.get(op_type, set())
        props: dict[str, Any] = {}
        for key, value in attrs.items():
            if key in cls.attr_defs:
                props[key] = value
                continue
            in_name = ATTRIBUTE_TO_INPUT_RENAMES.get((op_type, key), key)
            if in_name in names and not any(d.variadic for d in cls.operand_defs):
                pos = names.index(in_name)
                while len(inputs) <= pos:
                    inputs.append(None)
                if inputs[pos] is None:
                    arr = np.asarray(value, dtype=attribute_input_dtype(b, value, inputs))
                    inputs[pos] = b.constant(arr, f"{b.provenance}_{in_name}")
                continue
            if key in drop:
                continue
            raise UnsupportedError(f"{b.where}: unknown attribute '{key}' (opset {self.opset})")
        operands = self._group_operands(b, cls, inputs)
        n_out = b.num_outputs if is_last else None
        try:
            op = cls.build(*operands, provenance=(b.provenance,), **props)
        except (
            UserError,
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            AttributeError,
            NotImplementedError,
        ) as e:
            # Only "cannot infer without values" falls back to ONNX's shapes; bad shapes are errors.
            can_fall_back = is_last and not isinstance(e, ValueError) or isinstance(e, UnsupportedError)
            types = self._fallback_types(b, cls, n_out, e) if can_fall_back and is_last else None
            if types is None:
                kind = UnsupportedError if isinstance(e, UnsupportedError) else UserError
                raise kind(f"{b.where}: {_short(e)}") from None
            try:
                op = cls.build(*operands, result_types=types, provenance=(b.provenance,), **props)
            except (UserError, TypeError, ValueError) as e2:
                raise UserError(f"{b.where}: {_short(e2)}") from None
        if is_last and len(op.results) < b.num_needed and any(d.variadic for d in cls.result_defs):
            # Optional outputs (MaxPool Indices, Dropout mask) that a later node uses: types from ONNX.
            types = list(op.result_types)
            for i in range(len(types), b.num_needed):
                elem, dims = self._onnx_type(b.output_name(i), b.where)
                if elem is None or dims is None or any(d is None for d in dims):
                    raise UnsupportedError(f"{b.where}: cannot type optional output '{b.output_name(i)}'")
                types.append(TensorType(tuple(dims), elem))
            op.drop_all_references()  # rebuilt with the optional outputs: the first one leaves no uses
            try:
                op = cls.build(*operands, result_types=types, provenance=(b.provenance,), **props)
            except (UserError, TypeError, ValueError) as e2:
                raise UserError(f"{b.where}: {_short(e2)}") from None
        for r in op.results:
            _check_size(b, r.type)
        if is_last:
            self._complete_types(b, op)
        folded = self._try_fold(b, op)
        if folded is not None:
            return folded
        self.block.append(op)
        return list(op.results)

    def _check_size_inputs(self, b: NodeBuilder, op_type: str, inputs: list) -> None:
        """A constant target shape (ConstantOfShape, Expand), repeat count (Tile) or output size (Resize)
        that would make an absurdly large tensor is refused before any op is built."""
        pos = {"ConstantOfShape": 0, "Expand": 1, "Tile": 1, "Resize": 3, "Upsample": 1}[op_type]
        if op_type == "Resize" and len(inputs) > 2 and inputs[2] is not None and len(inputs) <= 3:
            pos = 2
        if len(inputs) <= pos or inputs[pos] is None or inputs[pos] not in self.known:
            return
        vals = np.asarray(self.known[inputs[pos]]).reshape(-1)
        if vals.dtype.kind not in "iuf" or not vals.size:
            return
        if op_type in ("ConstantOfShape", "Expand") and (vals < 0).any():
            raise UserError(f"{b.where}: negative dimension in the target shape {vals.tolist()}")
        if op_type == "Tile" and (vals < 0).any():
            raise UserError(f"{b.where}: negative repeat count in {vals.tolist()}")
        if op_type in ("ConstantOfShape", "Expand") or (op_type == "Resize" and pos == 3):
            n = float(np.prod(vals.astype(np.float64)))
        else:  # Tile repeats, Resize / Upsample scales: times the data input's size
            x = inputs[0].type if inputs and inputs[0] is not None else None
            if not isinstance(x, ShapedType) or not x.has_static_shape:
                return
            n = float(np.prod(vals.astype(np.float64))) * float(x.num_elements)
        if not np.isfinite(n) or n > MAX_ELEMENTS:
            raise UserError(
                f"{b.where}: the result would have {n:.4g} elements, over the limit of {MAX_ELEMENTS} "
                f"(from {vals.tolist()[:8]})"
            )

    def _try_fold(self, b: NodeBuilder, op) -> list[Value] | None:
        """Shape computations (Shape/Size of static types, and small integer results of ops on known values)
        become constants at import, so the ops that consume them (Reshape, Expand, ...) get static shapes."""
        from ir.opdef import Pure

        if not op.results or not all(
            isinstance(r.type, ShapedType)
            and r.type.has_static_shape
            and r.type.num_elements <= FOLD_LIMIT
            and r.type.dtype.kind in "iub"
            for r in op.results
        ):
            return None
        onnx_type = type(op).onnx
        if onnx_type in ("Shape", "Size") and op.operands and op.operands[0].type.has_static_shape:
            t = op.operands[0].type
            vals = [np.broadcast_to(np.zeros((), t.dtype), t.shape)]
        elif op.operands and all(v in self.known for v in op.operands) and op.has_trait(Pure):
            vals = [self.known[v] for v in op.operands]
        else:
            return None
        evaluate = getattr(op, "evaluate", None)
        if evaluate is None:
            return None
        try:
            with np.errstate(all="ignore"):
                outs = evaluate(*vals)
        except Exception:  # noqa: BLE001 - not foldable: keep the op
            return None
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        if len(outs) != len(op.results):
            return None
        arrays = []
        for x, r in zip(outs, op.results):
            x = np.asarray(x)
            if x.shape != r.type.shape:
                return None
            arrays.append(np.array(x, dtype=r.type.dtype, order="C"))
        op.drop_all_references()
        return [b.constant(a, b.output_name(i) or "folded") for i, a in enumerate(arrays)]

    def _group_operands(self, b: NodeBuilder, cls, inputs: list) -> list:
        defs = cls.operand_defs
        var = [i for i, d in enumerate(defs) if d.variadic]
        while inputs and inputs[-1] is None and len(inputs) > len(defs):
            inputs.pop()
        if var:
            v = var[0]
            after = len(defs) - v - 1
            head, mid = inputs[:v], inputs[v : len(inputs) - after if after else len(inputs)]
            tail = inputs[len(inputs) - after :] if after else []
            if any(x is None for x in mid):
                raise UserError(f"{b.where}: empty name among variadic inputs")
            return [*head, mid, *tail]
        if len(inputs) > len(defs):
            raise UserError(f"{b.where}: {len(inputs)} inputs given, {cls.name} takes at most {len(defs)}")
        out = inputs + [None] * (len(defs) - len(inputs))
        for d, x in zip(defs, out):
            if x is None and not d.optional:
                raise UserError(f"{b.where}: missing required input '{d.name}'")
        return out

    def _onnx_type(self, name: str, what: str) -> tuple[Type | None, tuple[int | None, ...] | None]:
        info = self.onnx_types.get(name)
        if info is None:
            return None, None
        elem_type, dims = info
        elem = onnx_elem_to_type(elem_type, what) if elem_type else None
        return elem, dims

    def _fallback_types(self, b: NodeBuilder, cls, n_out: int | None, err: Exception) -> list[Type] | None:
        """Result types from ONNX shape inference when the op's own inference cannot decide."""
        types = []
        for i in range(n_out or 0):
            elem, dims = self._onnx_type(b.output_name(i), b.where)
            if elem is None or dims is None or any(d is None for d in dims):
                return None
            types.append(TensorType(tuple(dims), elem))
        n_defs = len(cls.result_defs)
        if not any(d.variadic for d in cls.result_defs) and len(types) != n_defs:
            return None
        return types

    def _complete_types(self, b: NodeBuilder, op) -> None:
        """Fills dynamic dims from ONNX inference and checks the two agree (one-line error if not)."""
        for i, r in enumerate(op.results):
            name = b.output_name(i)
            if not name:
                continue
            elem, dims = self._onnx_type(name, b.where)
            t = r.type
            if not isinstance(t, ShapedType):
                continue
            if dims is not None and len(dims) == len(t.shape):
                if any(a != DYNAMIC and d is not None and a != d for a, d in zip(t.shape, dims)):
                    raise UserError(
                        f"{b.where}: output '{name}' has shape {_fmt(t.shape)} by our inference but "
                        f"{_fmt(dims)} by the model's shape information (inconsistent shapes)"
                    )
                if not t.has_static_shape:
                    t = t.with_shape(
                        tuple(d if a == DYNAMIC and d is not None else a for a, d in zip(t.shape, dims))
                    )
                    r.type = t
            elif dims is not None and len(dims) != len(t.shape):
                raise UserError(
                    f"{b.where}: output '{name}' has rank {len(t.shape)} by our inference but "
                    f"{len(dims)} by the model's shape information (inconsistent shapes)"
                )
            if elem is not None and elem != t.element_type:
                raise UserError(
                    f"{b.where}: output '{name}' has element type {t.element_type} by our inference but "
                    f"{elem} in the model"
                )
            if not t.has_static_shape:
                raise UserError(
                    f"{b.where}: cannot determine a static shape for output '{name}' ({t}); "
                    "fix input shapes with --input-shape"
                )


def _check_size(b, t) -> None:
    """Refuses a result type with a negative dimension or more than MAX_ELEMENTS elements / MAX_BYTES."""
    if not isinstance(t, ShapedType):
        return
    dims = [d for d in t.shape if d != DYNAMIC]
    if any(d < 0 for d in dims):
        raise UserError(f"{_where(b)}: the result would have a negative dimension ({_fmt(t.shape)})")
    n = float(np.prod(np.array(dims, dtype=np.float64)))
    try:
        nbytes = n * np.dtype(to_numpy_dtype(t.element_type)).itemsize
    except Exception:  # noqa: BLE001 - element types without a numpy dtype: count elements only
        nbytes = 0.0
    if n > MAX_ELEMENTS or nbytes > MAX_BYTES:
        raise UserError(
            f"{_where(b)}: the result {_fmt(t.shape)} would have {n:.4g} elements ({nbytes / 2**30:.4g} GiB), "
            f"over the limit of {MAX_ELEMENTS} elements or {MAX_BYTES // 2**30} GiB"
        )


def _where(b) -> str:
    return b if isinstance(b, str) else b.where


def _ints(attrs: dict, key: str) -> list[int] | None:
    v = attrs.get(key)
    if v is None:
        return None
    return [int(x) for x in (v if isinstance(v, (list, tuple)) else [v])]


def _check_window(b: NodeBuilder, op_type: str, attrs: dict, inputs: list) -> None:
    """Conv / ConvTranspose / pooling attributes that would break shape inference, and outputs that would be
    empty, as one line before the op is built (strides, dilations, kernel_shape > 0; output size >= 1)."""
    for key in ("strides", "dilations", "kernel_shape"):
        vals = _ints(attrs, key)
        if vals is not None and any(v <= 0 for v in vals):
            raise UserError(f"{b.where}: {key} must be positive, got {vals}")
    pads = _ints(attrs, "pads")
    if pads is not None and any(p < 0 for p in pads):
        raise UserError(f"{b.where}: pads must not be negative, got {pads}")
    x = inputs[0].type if inputs and inputs[0] is not None else None
    if not isinstance(x, ShapedType) or len(x.shape) < 3:
        return
    spatial = list(x.shape[2:])
    n = len(spatial)
    kernel = _ints(attrs, "kernel_shape")
    if kernel is None and op_type in ("Conv", "ConvTranspose") and len(inputs) > 1 and inputs[1] is not None:
        w = inputs[1].type
        if isinstance(w, ShapedType) and len(w.shape) == n + 2:
            kernel = list(w.shape[2:])
    if kernel is None or len(kernel) != n or any(d == DYNAMIC for d in spatial):
        return
    strides = _ints(attrs, "strides") or [1] * n
    dil = _ints(attrs, "dilations") or [1] * n
    pads = pads or [0] * (2 * n)
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if len(strides) != n or len(dil) != n or len(pads) != 2 * n:
        return
    if op_type == "ConvTranspose":
        if attrs.get("output_shape") is not None:
            return
        outp = _ints(attrs, "output_padding") or [0] * n
        if len(outp) != n:
            return
        out = [
            s * (i - 1) + op + (k - 1) * d + 1 - (pads[j] + pads[j + n] if auto_pad == "NOTSET" else 0)
            for j, (i, s, op, k, d) in enumerate(zip(spatial, strides, outp, kernel, dil))
        ]
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        out = [-(-i // s) for i, s in zip(spatial, strides)]
    else:
        ceil = bool(attrs.get("ceil_mode", 0))
        out = []
        for j, (i, s, k, d) in enumerate(zip(spatial, strides, kernel, dil)):
            span = i + (pads[j] + pads[j + n] if auto_pad == "NOTSET" else 0) - (k - 1) * d - 1
            out.append((-(-span // s) if ceil else span // s) + 1)
    if any(o <= 0 for o in out):
        raise UserError(
            f"{b.where}: the output would be empty: spatial size {'x'.join(map(str, out))} from input {_fmt(spatial)}, "
            f"kernel {_fmt(kernel)}, strides {strides}, dilations {dil}, pads {pads}"
        )


def _fmt(dims) -> str:
    return "x".join("?" if d is None or d == DYNAMIC else str(d) for d in dims) or "scalar"


def _short(e: Exception) -> str:
    return " ".join(str(e).split()) or type(e).__name__
