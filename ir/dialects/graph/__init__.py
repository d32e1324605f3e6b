"""The `graph` dialect: one op per ONNX operator, on tensor values, plus fused ops with a region.

Importing this package registers every graph op. `by_onnx_name("Conv")` finds the op class for an
ONNX operator type.
"""

from ir.dialects.graph import ops_core  # noqa: F401  (registers ops)
from ir.dialects.graph.base import GraphOp, by_onnx_name, onnx_op_types  # noqa: F401
