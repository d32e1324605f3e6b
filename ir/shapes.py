"""Shape arithmetic shared by type inference: numpy/ONNX broadcasting."""

from __future__ import annotations

from collections.abc import Sequence

from ir.types import DYNAMIC, ShapedType, TensorType, Type


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """Multidirectional (numpy) broadcasting; DYNAMIC stays dynamic unless the other side is known > 1."""
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(rank):
        dim = 1
        for s in shapes:
            k = i - (rank - len(s))
            if k < 0:
                continue
            d = s[k]
            if d == 1:
                continue
            if dim == 1:
                dim = d
            elif d == DYNAMIC:
                continue
            elif dim == DYNAMIC:
                dim = d
            elif d != dim:
                raise ValueError(f"shapes {[tuple(x) for x in shapes]} do not broadcast")
        out.append(dim)
    return tuple(out)


def broadcast_types(types: Sequence[Type]) -> Type:
    """The result type of an elementwise op over `types` (element type of the first operand)."""
    shaped = [t for t in types if isinstance(t, ShapedType)]
    if not shaped:
        return types[0]
    first = shaped[0]
    shape = broadcast_shapes(*(t.shape for t in shaped))
    return TensorType(shape, first.element_type) if isinstance(first, TensorType) else first.with_shape(shape)
