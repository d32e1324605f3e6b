"""`ziggurat.backend`: an onnx.backend.base.Backend over Ziggurat, so onnx's own backend test runner can drive it.

Only the interpreter exists so far; compiled targets plug in through `ZigguratBackendRep.run`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx.backend.base import Backend, BackendRep, namedtupledict

from ir.errors import UserError


class ZigguratBackendRep(BackendRep):
    """A prepared model: the imported, verified module, run by the interpreter."""

    def __init__(self, module, target: str = "interp"):
        from ziggurat.inputs import input_names, output_names

        self.module = module
        self.target = target
        func = module.main
        self.input_names = input_names(func)
        self.output_names = output_names(func)

    def run(self, inputs: Any, **kwargs) -> tuple[Any, ...]:
        from ir.interpreter import run as interpret

        if isinstance(inputs, np.ndarray):
            inputs = [inputs]
        if isinstance(inputs, Mapping):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise UserError(
                    f"missing input(s): {', '.join(missing)} (the model takes {', '.join(self.input_names)})"
                )
            feeds = [inputs[n] for n in self.input_names]
        else:
            feeds = list(inputs)
            if len(feeds) != len(self.input_names):
                raise UserError(
                    f"the model takes {len(self.input_names)} input(s) ({', '.join(self.input_names)}), got {len(feeds)}"
                )
        outs = interpret(self.module, feeds)
        names = [n if n.isidentifier() else f"out{i}" for i, n in enumerate(self.output_names)]
        return namedtupledict("Outputs", names)(*outs)


class ZigguratBackend(Backend):
    """onnx.backend API over Ziggurat: prepare, run_model, run_node, supports_device."""

    @classmethod
    def is_compatible(cls, model: onnx.ModelProto, device: str = "CPU", **kwargs) -> bool:
        from ir.errors import UnsupportedError
        from ir.onnx_import import check_supported, model_opset

        try:
            check_supported(model, model_opset(model), "model")
        except UnsupportedError:
            return False
        return cls.supports_device(device)

    @classmethod
    def prepare(cls, model: onnx.ModelProto, device: str = "CPU", **kwargs) -> ZigguratBackendRep:
        from ir.onnx_import import import_onnx_model
        from ir.verifier import verify

        if not cls.supports_device(device):
            raise UserError(f"device {device} is not supported by ziggurat yet")
        module = import_onnx_model(model, kwargs.get("input_shapes") or {}, name=model.graph.name or "model")
        verify(module)
        return ZigguratBackendRep(module, kwargs.get("target", "interp"))

    @classmethod
    def run_model(cls, model: onnx.ModelProto, inputs: Any, device: str = "CPU", **kwargs) -> tuple[Any, ...]:
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(
        cls,
        node: onnx.NodeProto,
        inputs: Any,
        device: str = "CPU",
        outputs_info: Sequence[tuple[np.dtype, tuple[int, ...]]] | None = None,
        **kwargs,
    ) -> tuple[Any, ...] | None:
        """Wraps the node in a one-node model typed from the given inputs and runs it."""
        from onnx import helper

        arrays = list(inputs.values()) if isinstance(inputs, Mapping) else list(inputs)
        names = [n for n in node.input if n]
        graph_inputs = [
            helper.make_tensor_value_info(
                n, helper.np_dtype_to_tensor_dtype(np.asarray(a).dtype), np.shape(a)
            )
            for n, a in zip(names, arrays)
        ]
        outputs = [helper.make_value_info(n, onnx.TypeProto()) for n in node.output if n]
        graph = helper.make_graph([node], "node", graph_inputs, outputs)
        opset = kwargs.get("opset_version", onnx.defs.onnx_opset_version())
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid(node.domain or "", opset)])
        return cls.prepare(model, device, **kwargs).run(arrays)

    @classmethod
    def supports_device(cls, device: str) -> bool:
        return str(device).upper().startswith("CPU")


backend = ZigguratBackend
prepare = ZigguratBackend.prepare
run_model = ZigguratBackend.run_model
run_node = ZigguratBackend.run_node
supports_device = ZigguratBackend.supports_device
