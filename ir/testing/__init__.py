"""Public hypothesis strategies and checks for property-based testing of compilers built on Ziggurat.

- `ir.testing.strategies`: dtypes, shapes, broadcastable shape pairs, types, attributes of every builtin kind.
- `ir.testing.graphs`: random well-typed graph-dialect modules (`graph_functions`, `graph_cases`) and
  matching inputs (`inputs_for`); `available_op_types()` lists the op types they cover.
- `ir.testing.modules`: random modules with nested regions and unregistered ops (print/parse, clone).
- `ir.testing.semantics`: `assert_semantics_preserved(before, after, inputs, rtol, atol)`.

See docs/property_testing.md for how to test your own pass or rewrite pattern with them.
"""

from ir.testing.graphs import GraphCase, available_op_types, graph_cases, graph_functions, inputs_for
from ir.testing.modules import check_use_lists, defined_values, random_functions, random_modules
from ir.testing.semantics import assert_semantics_preserved, random_inputs
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

__all__ = [
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
