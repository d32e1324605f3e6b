"""The scalar interface elementwise formulas are written against, and its numpy backend.

A formula (see `ir.formulas`) is a Python function `f(s, x, ..., **attrs)` that only combines its values
through `s`, a `Scalar`: arithmetic, NaN-propagating max/min (as ONNX Max/Min and arith.maximumf),
ordered comparisons, select, constants of a value's type and the `math` dialect's functions. The same
formula runs on two backends:

- `NumpyScalar` (here): values are numpy arrays, computed in their own dtype — the reference semantics
  that graph ops' `evaluate`, constant folding and the interpreter use;
- `ir.scalar_arith.ArithScalar`: values are IR values; each call emits an `arith` / `math` op through a
  builder — what `lower-graph-to-tensor` puts in `tensor.generic` bodies.

Comparison predicates: eq, ne, lt, le, gt, ge; float compares are ordered (false on NaN) except `ne`,
which is unordered (true on NaN) — arith.cmpf's oeq/olt/.../une and numpy's ==, <, ..., !=.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

FUNCTIONS = ("exp", "expm1", "log", "log1p", "tanh", "erf", "sqrt")
"""The math functions a formula may call (upstream `math.<name>`; numpy meaning in ir.dialects.math)."""

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")


class Scalar(ABC):
    """The operations a formula may use; `x`, `a`, `b` are the backend's values."""

    @abstractmethod
    def is_float(self, x: Any) -> bool:
        """Whether x has a floating-point type."""

    @abstractmethod
    def like(self, value: float | int, x: Any) -> Any:
        """The constant `value` in x's type (rounded to it)."""

    @abstractmethod
    def add(self, a: Any, b: Any) -> Any: ...

    @abstractmethod
    def sub(self, a: Any, b: Any) -> Any: ...

    @abstractmethod
    def mul(self, a: Any, b: Any) -> Any: ...

    @abstractmethod
    def div(self, a: Any, b: Any) -> Any: ...

    @abstractmethod
    def max(self, a: Any, b: Any) -> Any:
        """max(a, b); a NaN operand gives NaN."""

    @abstractmethod
    def min(self, a: Any, b: Any) -> Any:
        """min(a, b); a NaN operand gives NaN."""

    @abstractmethod
    def neg(self, a: Any) -> Any: ...

    @abstractmethod
    def abs(self, a: Any) -> Any: ...

    @abstractmethod
    def fn(self, name: str, *xs: Any) -> Any:
        """A math function by its `math` dialect name (one of FUNCTIONS)."""

    @abstractmethod
    def cmp(self, pred: str, a: Any, b: Any) -> Any:
        """A boolean comparison (pred in COMPARISONS)."""

    @abstractmethod
    def select(self, c: Any, a: Any, b: Any) -> Any:
        """a where c else b."""

    # Named spellings of the math functions formulas use most.
    def exp(self, x: Any) -> Any:
        return self.fn("exp", x)

    def expm1(self, x: Any) -> Any:
        return self.fn("expm1", x)

    def log1p(self, x: Any) -> Any:
        return self.fn("log1p", x)

    def tanh(self, x: Any) -> Any:
        return self.fn("tanh", x)

    def erf(self, x: Any) -> Any:
        return self.fn("erf", x)


_NP_CMP = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}


class NumpyScalar(Scalar):
    """The reference backend: numpy arrays, each operation in the operands' dtype (no promotion)."""

    def is_float(self, x: Any) -> bool:
        return np.asarray(x).dtype.kind == "f"

    def like(self, value: float | int, x: Any) -> Any:
        return np.asarray(x).dtype.type(value)

    def add(self, a: Any, b: Any) -> Any:
        return np.add(a, b)

    def sub(self, a: Any, b: Any) -> Any:
        return np.subtract(a, b)

    def mul(self, a: Any, b: Any) -> Any:
        return np.multiply(a, b)

    def div(self, a: Any, b: Any) -> Any:
        return np.divide(a, b)

    def max(self, a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    def min(self, a: Any, b: Any) -> Any:
        return np.minimum(a, b)

    def neg(self, a: Any) -> Any:
        return np.negative(a)

    def abs(self, a: Any) -> Any:
        return np.abs(a)

    def fn(self, name: str, *xs: Any) -> Any:
        from ir.dialects import math as _math  # the math ops' own numpy meaning (imported late: no cycle)

        table = _math.UNARY if len(xs) == 1 else _math.BINARY
        return np.asarray(table[name](*xs))

    def cmp(self, pred: str, a: Any, b: Any) -> Any:
        return _NP_CMP[pred](a, b)

    def select(self, c: Any, a: Any, b: Any) -> Any:
        return np.where(c, a, b)
