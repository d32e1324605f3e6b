"""Hypothesis strategies for the IR's building blocks: dtypes, shapes, types and attributes of every builtin kind.

Every value drawn here prints and parses back exactly (`parse_attribute(str(a))` prints as `str(a)`), so the
strategies double as round-trip fuzzers for the text format and as inputs for users' own properties.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ir.affine import AffineExpr, AffineMap, d, s
from ir.attributes import (
    AffineMapAttr,
    ArrayAttr,
    Attribute,
    DenseArrayAttr,
    DenseElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    OpaqueAttr,
    StringAttr,
    SymbolRefAttr,
    TypeAttr,
    UnitAttr,
)
from ir.types import (
    DYNAMIC,
    FloatType,
    FunctionType,
    IndexType,
    IntegerType,
    MemRefType,
    NoneType,
    TensorType,
    Type,
    VectorType,
    bf16,
    f16,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
    index,
    to_numpy_dtype,
    ui8,
)

FLOAT_TYPES: tuple[FloatType, ...] = (f16, bf16, f32, f64)
INTEGER_TYPES: tuple[IntegerType, ...] = (i1, i8, i16, i32, i64, ui8)
NUMERIC_TYPES: tuple[Type, ...] = FLOAT_TYPES + INTEGER_TYPES
COMPUTE_FLOAT_TYPES: tuple[FloatType, ...] = (f32, f64, f16)
"""Float types the interpreter computes in without surprises (bf16 is stored, not computed)."""


# ----------------------------------------------------------------------------- dtypes and shapes


def element_types(
    floats: bool = True, integers: bool = True, bf16_ok: bool = True
) -> st.SearchStrategy[Type]:
    """Scalar element types of tensors (f16, bf16, f32, f64, i1, i8, i16, i32, i64, ui8)."""
    pool: list[Type] = []
    if floats:
        pool += [t for t in FLOAT_TYPES if bf16_ok or t != bf16]
    if integers:
        pool += list(INTEGER_TYPES)
    return st.sampled_from(pool)


def dtypes(floats: bool = True, integers: bool = True) -> st.SearchStrategy[np.dtype]:
    """numpy dtypes that have an IR element type (bf16 excluded: numpy cannot compute in it natively)."""
    return element_types(floats, integers, bf16_ok=False).map(to_numpy_dtype)


def shapes(min_rank: int = 0, max_rank: int = 4, min_side: int = 1, max_side: int = 5) -> st.SearchStrategy:
    """Static shapes as tuples of ints."""
    return st.lists(st.integers(min_side, max_side), min_size=min_rank, max_size=max_rank).map(tuple)


def dynamic_shapes(min_rank: int = 0, max_rank: int = 4, max_side: int = 5) -> st.SearchStrategy:
    """Shapes whose dimensions may be DYNAMIC (printed `?`)."""
    dim = st.one_of(st.integers(0, max_side), st.just(DYNAMIC))
    return st.lists(dim, min_size=min_rank, max_size=max_rank).map(tuple)


@st.composite
def broadcastable_shapes(draw, min_rank: int = 0, max_rank: int = 4, max_side: int = 5):
    """`(a, b, result)`: two shapes that broadcast (numpy/ONNX rules) and their broadcast shape."""
    result = draw(shapes(min_rank, max_rank, 1, max_side))

    def operand() -> tuple[int, ...]:
        keep = draw(st.integers(0, len(result)))  # a suffix of the result's dims, some squeezed to 1
        dims = result[len(result) - keep :]
        return tuple(1 if draw(st.booleans()) and draw(st.booleans()) else x for x in dims)

    a, b = operand(), operand()
    full = tuple(np.broadcast_shapes(a, b))
    return a, b, full


# ----------------------------------------------------------------------------- scalar values


def float_values(type_: Type = f32, allow_special: bool = True) -> st.SearchStrategy[float]:
    """Python floats exactly representable in `type_`, including (when allowed) inf, -inf, nan and -0.0."""
    if type_ == bf16:
        base = st.floats(width=32, allow_nan=allow_special, allow_infinity=allow_special)
        dt = to_numpy_dtype(bf16)
        return base.map(lambda x: float(np.float32(x).astype(dt)))
    width = {"f16": 16, "f32": 32, "f64": 64}[type_.name]
    vals = st.floats(width=width, allow_nan=allow_special, allow_infinity=allow_special)
    if allow_special:
        vals = st.one_of(vals, st.sampled_from([0.0, -0.0, float("inf"), float("-inf"), float("nan")]))
    return vals


def integer_values(type_: Type) -> st.SearchStrategy[int]:
    """Integers that fit `type_` (signless types take the signed range; i1 is 0/1)."""
    if type_ == i1:
        return st.integers(0, 1)
    if isinstance(type_, IndexType):
        return st.integers(-(2**63), 2**63 - 1)
    w = type_.width
    if type_.signedness == "u":
        return st.integers(0, 2**w - 1)
    return st.integers(-(2 ** (w - 1)), 2 ** (w - 1) - 1)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=12,
)
strings = st.one_of(
    _TEXT,
    st.sampled_from(['a"b', "back\\slash", "new\nline", "tab\there", "\x00\x7f", "é→∑", "", "}>"]),
)
"""Strings with quotes, backslashes, control characters and unicode."""

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_$.]{0,8}", fullmatch=True)
"""Bare identifiers (attribute names, symbol names)."""


# ----------------------------------------------------------------------------- types


def scalar_types() -> st.SearchStrategy[Type]:
    """Numeric scalars plus `index` and `none`, and odd-width and signed/unsigned integers."""
    odd = st.builds(IntegerType, st.integers(1, 128), st.sampled_from(["", "s", "u"]))
    return st.one_of(st.sampled_from(list(NUMERIC_TYPES) + [index, NoneType()]), odd)


def tensor_types(elem: st.SearchStrategy[Type] | None = None, dynamic: bool = True, max_rank: int = 4):
    """Ranked tensor types, possibly with `?` dimensions."""
    shape = dynamic_shapes(0, max_rank) if dynamic else shapes(0, max_rank, 0, 5)
    return st.builds(TensorType, shape, elem or element_types())


def shaped_types(max_rank: int = 4) -> st.SearchStrategy[Type]:
    """tensor, memref and vector types (vectors have static, non-zero dimensions)."""
    return st.one_of(
        tensor_types(max_rank=max_rank),
        st.builds(MemRefType, dynamic_shapes(0, max_rank), element_types()),
        st.builds(VectorType, shapes(1, max_rank, 1, 8), element_types()),
    )


def types(function_types: bool = True) -> st.SearchStrategy[Type]:
    """Any builtin type, including function types (nested ones too)."""
    base = st.one_of(scalar_types(), shaped_types())
    if not function_types:
        return base
    return st.recursive(
        base,
        lambda inner: st.builds(
            FunctionType,
            st.lists(inner, max_size=3).map(tuple),
            st.lists(inner, max_size=3).map(tuple),
        ),
        max_leaves=6,
    )


# ----------------------------------------------------------------------------- attributes


@st.composite
def integer_attrs(draw) -> IntegerAttr:
    """`5 : i32`, `true`, `-3 : index`, `7 : ui8`..."""
    t = draw(st.sampled_from(list(INTEGER_TYPES) + [index, IntegerType(64, "s")]))
    return IntegerAttr(draw(integer_values(t)), t)


@st.composite
def float_attrs(draw, allow_special: bool = True) -> FloatAttr:
    """Float attributes of f16/bf16/f32/f64 with exactly representable values, inf/nan/-0.0 included."""
    t = draw(st.sampled_from(FLOAT_TYPES))
    return FloatAttr(draw(float_values(t, allow_special)), t)


@st.composite
def dense_array_attrs(draw) -> DenseArrayAttr:
    """`array<i64: 1, 2>`, `array<f32: ...>`, `array<i1: true>`, and empty arrays."""
    t = draw(st.sampled_from([i1, i8, i16, i32, i64, f16, bf16, f32, f64]))
    vals = float_values(t) if isinstance(t, FloatType) else integer_values(t)
    return DenseArrayAttr(t, tuple(draw(st.lists(vals, max_size=6))))


@st.composite
def affine_exprs(draw, num_dims: int, num_symbols: int, depth: int = 3) -> AffineExpr:
    """Quasi-affine expressions: +, -, * by a constant, floordiv / ceildiv / mod by a positive constant."""
    leaves = [d(i) for i in range(num_dims)] + [s(i) for i in range(num_symbols)]
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if leaves and draw(st.booleans()):
            return draw(st.sampled_from(leaves))
        from ir.affine import AffineConst

        return AffineConst(draw(st.integers(-8, 8)))
    lhs = draw(affine_exprs(num_dims, num_symbols, depth - 1))
    kind = draw(st.sampled_from(["+", "-", "*", "floordiv", "ceildiv", "mod"]))
    if kind in ("+", "-"):
        rhs = draw(affine_exprs(num_dims, num_symbols, depth - 1))
        return lhs + rhs if kind == "+" else lhs - rhs
    c = draw(st.integers(1, 9)) if kind != "*" else draw(st.integers(-4, 9))
    if kind == "*":
        return lhs * c
    if kind == "mod":
        return lhs % c
    return lhs.floordiv(c) if kind == "floordiv" else lhs.ceildiv(c)


@st.composite
def affine_maps(draw, max_dims: int = 4, max_symbols: int = 2, max_results: int = 4) -> AffineMap:
    """Affine maps with dimensions, symbols and quasi-affine results."""
    nd = draw(st.integers(0, max_dims))
    ns = draw(st.integers(0, max_symbols))
    results = draw(st.lists(affine_exprs(nd, ns), max_size=max_results))
    return AffineMap(nd, ns, tuple(results))


@st.composite
def dense_elements_attrs(draw, max_elements: int = 40, types_: tuple[Type, ...] = NUMERIC_TYPES):
    """`dense<...>` constants: splats, full literals, 0-d and empty tensors, and ones large enough
    (> 16 elements, not a splat) to print as `dense_resource` blobs."""
    et = draw(st.sampled_from(types_))
    shape = draw(shapes(0, 3, 0, 6).filter(lambda sh: int(np.prod(sh)) <= max_elements))
    n = int(np.prod(shape))
    dtype = to_numpy_dtype(et)
    if draw(st.booleans()):  # a splat
        v = draw(float_values(et) if isinstance(et, FloatType) else integer_values(et))
        arr = np.full(shape, v, dtype=np.float64 if isinstance(et, FloatType) else object).astype(dtype)
    else:
        vals = float_values(et) if isinstance(et, FloatType) else integer_values(et)
        flat = draw(st.lists(vals, min_size=n, max_size=n))
        src = np.array(flat, dtype=np.float64 if isinstance(et, FloatType) else object)
        arr = src.astype(dtype).reshape(shape)
    name = draw(st.sampled_from(["", "weights", "w.0", "1bad name"]))
    return DenseElementsAttr(TensorType(tuple(shape), et), arr, name)


def symbol_ref_attrs() -> st.SearchStrategy[SymbolRefAttr]:
    """`@main` and quoted `@"odd name"`."""
    return st.builds(SymbolRefAttr, st.one_of(identifiers, strings.filter(bool)))


def leaf_attributes(dense: bool = True) -> st.SearchStrategy[Attribute]:
    """Every non-container builtin attribute kind."""
    kinds = [
        integer_attrs(),
        float_attrs(),
        st.builds(StringAttr, strings),
        st.just(UnitAttr()),
        dense_array_attrs(),
        st.builds(TypeAttr, types()),
        symbol_ref_attrs(),
        st.builds(AffineMapAttr, affine_maps()),
        st.sampled_from([OpaqueAttr("#foo.bar<1, [2]>"), OpaqueAttr("#arith.fastmath<none>")]),
    ]
    if dense:
        kinds.append(dense_elements_attrs())
    return st.one_of(*kinds)


def attributes(max_leaves: int = 8, dense: bool = True) -> st.SearchStrategy[Attribute]:
    """Any builtin attribute, with arrays and dictionaries nested inside each other."""
    return st.recursive(
        leaf_attributes(dense),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda xs: ArrayAttr(tuple(xs))),
            st.dictionaries(attr_names, inner, max_size=4).map(DictionaryAttr.from_dict),
        ),
        max_leaves=max_leaves,
    )


attr_names = st.one_of(identifiers, strings.filter(bool))
"""Attribute dictionary keys: bare identifiers and quoted strings."""


def attribute_dicts(max_size: int = 3, dense: bool = True) -> st.SearchStrategy[dict[str, Attribute]]:
    """Dictionaries of named attributes, as ops carry them."""
    return st.dictionaries(attr_names, attributes(max_leaves=4, dense=dense), max_size=max_size)
