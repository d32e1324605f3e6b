"""Public hypothesis strategies and checks for property-based testing of compilers built on Ziggurat.

- `ir.testing.strategies`: dtypes, shapes, broadcastable shape pairs, types, attributes of every builtin kind.
- `ir.testing.graphs`: random well-typed graph-dialect modules (`graph_functions`, `graph_cases`) and
  matching inputs (`inputs_for`); `available_op_types()` lists the op types they cover.
- `ir.testing.modules`: random modules with nested regions and unregistered ops (print/parse, clone).
- `ir.testing.semantics`: `assert_semantics_preserved(before, after, inputs, rtol, atol)`.
- `ir.testing.tensor_generics`: random `tensor.generic` modules (`tensor_generic_cases`).
- `ir.testing.loop_nests`: random `loop.kernel` nests over memrefs (`loop_nest_cases`).
- random pass pipelines live in `passes.testing` (`pipelines(level=...)`): `ir` imports no other package.

See docs/property_testing.md for how to test your own pass or rewrite pattern with them.
"""

from ir.inputs import random_inputs
from ir.testing.graphs import GraphCase, available_op_types, graph_cases, graph_functions, inputs_for
from ir.testing.loop_nests import LoopNestCase, loop_nest_cases, loop_nest_functions
from ir.testing.modules import check_use_lists, defined_values, random_functions, random_modules
from ir.testing.semantics import assert_semantics_preserved
from ir.testing.strategies import (
    affine_maps,
    attribute_dicts,
    attributes,
    broadcastable_shapes,
    dense_array_attrs,
    dense_elements_attrs,
    dtypes,
    dynamic_shapes,
    element_types,
    float_attrs,
    float_values,
    integer_attrs,
    scalar_types,
    shaped_types,
    shapes,
    strings,
    tensor_types,
    types,
)
from ir.testing.tensor_generics import TensorGenericCase, tensor_generic_cases, tensor_generic_functions

__all__ = [
    "LoopNestCase",
    "TensorGenericCase",
    "loop_nest_cases",
    "loop_nest_functions",
    "tensor_generic_cases",
    "tensor_generic_functions",
    "GraphCase",
    "affine_maps",
    "assert_semantics_preserved",
    "attribute_dicts",
    "attributes",
    "available_op_types",
    "broadcastable_shapes",
    "check_use_lists",
    "defined_values",
    "dense_array_attrs",
    "dense_elements_attrs",
    "dtypes",
    "dynamic_shapes",
    "element_types",
    "float_attrs",
    "float_values",
    "graph_cases",
    "graph_functions",
    "inputs_for",
    "integer_attrs",
    "random_functions",
    "random_inputs",
    "random_modules",
    "scalar_types",
    "shaped_types",
    "shapes",
    "strings",
    "tensor_types",
    "types",
]
