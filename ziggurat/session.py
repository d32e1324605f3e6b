"""An onnxruntime-like session over a compiled engine: `Session(model).run(output_names, feeds)`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from runtime.engine import Engine


def compile(
    model, target: str = "cpu", opt: str = "-O2", threads: int = 1, input_shapes=None, **kwargs
) -> Engine:  # noqa: A001
    """Compiles an ONNX model (path or ModelProto) or a graph-level module into an Engine."""
    from ziggurat.driver import compile_file, compile_module

    if isinstance(model, str | Path):
        engine, _ = compile_file(
            model, input_shapes=input_shapes, target=target, opt=opt, threads=threads, **kwargs
        )
        return engine
    if hasattr(model, "graph"):  # an onnx.ModelProto
        from ir.onnx_import import import_onnx_model

        module = import_onnx_model(model, input_shapes=input_shapes or {})
    else:
        module = model
    engine, _ = compile_module(module, target=target, opt=opt, threads=threads, **kwargs)
    return engine


class Session:
    """Runs a compiled model with onnxruntime's calling convention."""

    def __init__(self, model_or_engine, threads: int | None = None, **compile_kwargs):
        if isinstance(model_or_engine, Engine):
            self.engine = model_or_engine
        elif isinstance(model_or_engine, str | Path) and str(model_or_engine).endswith(".engine"):
            self.engine = Engine.load(model_or_engine)
        else:
            self.engine = compile(model_or_engine, threads=threads or 1, **compile_kwargs)
        self.context = self.engine.create_context(threads)

    def get_input_names(self) -> list[str]:
        return self.engine.input_names

    def get_output_names(self) -> list[str]:
        return self.engine.output_names

    def run(self, output_names: Sequence[str] | None, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        outs = dict(zip(self.engine.output_names, self.context.run(feeds)))
        names = output_names or self.engine.output_names
        missing = [n for n in names if n not in outs]
        if missing:
            raise KeyError(f"unknown output(s) {missing}; outputs are {self.engine.output_names}")
        return [outs[n] for n in names]
