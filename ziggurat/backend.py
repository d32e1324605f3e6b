"""`ziggurat.backend`: an onnx.backend.base.Backend over Ziggurat, so onnx's own backend test runner can drive it.

`prepare` compiles the model for this CPU (`target="cpu"`, the default, through `ziggurat.driver`);
`target="interp"` runs the numpy interpreter instead. A model the compiler cannot handle raises
`ir.errors.UnsupportedError` from `prepare` (onnx's runner reports it as a failure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx.backend.base import Backend, BackendRep, namedtupledict

from ir.errors import UserError

TARGETS = ("cpu", "interp")


class ZigguratBackendRep(BackendRep):
    """A prepared model: the imported, verified module and, for `target="cpu"`, its compiled engine."""

    def __init__(self, module, target: str = "cpu", opt: str = "-O2", threads: int = 1):
        from ziggurat.inputs import input_names, output_names

        if target not in TARGETS:
            raise UserError(f"unknown target '{target}' (available: {', '.join(TARGETS)})")
        func = module.main
        self.target = target
        self.input_names = input_names(func)
        self.output_names = output_names(func)
        self.engine = None
        if target == "cpu":
            from ziggurat.driver import compile_module

            # The driver rewrites the module in place; the interpreter-ready original stays in `module`.
            self.engine, _ = compile_module(module.clone(), target="cpu", opt=opt, threads=threads)
        self.module = module

    def run(self, inputs: Any, **kwargs) -> tuple[Any, ...]:
        feeds = self._positional(inputs)
        if self.engine is not None:
            outs = self.engine.run(feeds)
        else:
            from ir.interpreter import run as interpret

            outs = interpret(self.module, feeds)
        names = [n if n.isidentifier() else f"out{i}" for i, n in enumerate(self.output_names)]
        return namedtupledict("Outputs", names)(*[np.asarray(x) for x in outs])

    def _positional(self, inputs: Any) -> list[np.ndarray]:
        if isinstance(inputs, np.ndarray):
            inputs = [inputs]
        if isinstance(inputs, Mapping):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise UserError(
                    f"missing input(s): {', '.join(missing)} (the model takes {', '.join(self.input_names)})"
                )
            return [np.asarray(inputs[n]) for n in self.input_names]
        feeds = [np.asarray(x) for x in inputs]
        if len(feeds) != len(self.input_names):
            raise UserError(
                f"the model takes {len(self.input_names)} input(s) ({', '.join(self.input_names)}), got {len(feeds)}"
            )
        return feeds


class ZigguratBackend(Backend):
    """onnx.backend API over Ziggurat: prepare, run_model, run_node, supports_device.

    Keyword options of `prepare` / `run_model` / `run_node`: `target` ("cpu", the default, or "interp"),
    `opt` ("-O0" | "-O1" | "-O2"), `threads`, `input_shapes` ({name: shape} for symbolic dimensions)."""

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
    def prepare(
        cls, model: onnx.ModelProto, device: str = "CPU", target: str = "cpu", **kwargs
    ) -> ZigguratBackendRep:
        from ir.onnx_import import import_onnx_model
        from ir.verifier import verify

        if not cls.supports_device(device):
            raise UserError(f"device {device} is not supported by ziggurat yet")
        module = import_onnx_model(model, kwargs.get("input_shapes") or {}, name=model.graph.name or "model")
        verify(module)
        return ZigguratBackendRep(
            module, target, opt=kwargs.get("opt", "-O2"), threads=int(kwargs.get("threads", 1))
        )

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
        opset = kwargs.pop("opset_version", onnx.defs.onnx_opset_version())
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
