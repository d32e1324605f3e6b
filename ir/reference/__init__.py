"""Numpy reference semantics of ONNX operators: the `evaluate` of graph-dialect ops.

Pure functions over numpy arrays. ONNX inputs are positional arguments (optional ones default to None),
ONNX attributes are keyword arguments, snake_cased where ONNX uses camelCase (Gemm transA -> trans_a).
Numeric attributes are required: their ONNX defaults live only in the graph op definitions, which always
pass them. The activations are `ir.formulas` evaluators. Window attributes of conv/pool may be omitted
(absent), and the shape functions still default their attributes (axis=0, keepdims=1...) to ONNX's. Names that clash with Python builtins end in an underscore (abs_, slice_...).
"""

from ir.reference.elementwise import *  # noqa: F403
from ir.reference.elementwise import __all__ as _elementwise_all
from ir.reference.nn import *  # noqa: F403
from ir.reference.nn import __all__ as _nn_all
from ir.reference.shape_ops import *  # noqa: F403
from ir.reference.shape_ops import __all__ as _shape_ops_all

__all__ = [*_elementwise_all, *_nn_all, *_shape_ops_all]
