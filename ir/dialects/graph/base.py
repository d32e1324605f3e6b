"""The base class of graph-dialect ops and the ONNX op-type registry."""

from __future__ import annotations

from typing import ClassVar

from ir.core import Operation

_BY_ONNX: dict[str, type[GraphOp]] = {}


class GraphOp(Operation):
    """A graph-level op. `onnx` names the ONNX operator it mirrors; its attributes carry ONNX's names and
    defaults, so the importer and exporter convert generically. `since_opset` is the oldest opset the
    definition covers (older versions with different inputs are normalized by the importer)."""

    onnx: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "onnx" in cls.__dict__ and cls.onnx:
            _BY_ONNX[cls.onnx] = cls


def by_onnx_name(op_type: str) -> type[GraphOp] | None:
    """The graph op class for an ONNX op type (default domain), or None."""
    return _BY_ONNX.get(op_type)


def onnx_op_types() -> list[str]:
    """Every ONNX op type the graph dialect defines."""
    return sorted(_BY_ONNX)
