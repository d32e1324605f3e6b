"""Affine expressions and maps (`affine_map<(d0, d1)[s0] -> (d1, d0 * 2 + s0)>`), as in MLIR."""

from __future__ import annotations

from dataclasses import dataclass


class AffineExpr:
    """A quasi-affine expression over dimensions d_i and symbols s_i."""

    def __add__(self, other) -> AffineExpr:
        return _binary("+", self, _wrap(other))

    __radd__ = __add__

    def __mul__(self, other) -> AffineExpr:
        return _binary("*", self, _wrap(other))

    __rmul__ = __mul__

    def __sub__(self, other) -> AffineExpr:
        return _binary("+", self, _binary("*", _wrap(other), AffineConst(-1)))

    def floordiv(self, other) -> AffineExpr:
        return _binary("floordiv", self, _wrap(other))

    def ceildiv(self, other) -> AffineExpr:
        return _binary("ceildiv", self, _wrap(other))

    def __mod__(self, other) -> AffineExpr:
        return _binary("mod", self, _wrap(other))

    def evaluate(self, dims, symbols=()):
        """Value for the given dims and symbols; works on ints and on numpy integer arrays."""
        raise NotImplementedError


@dataclass(frozen=True)
class AffineDim(AffineExpr):
    position: int

    def evaluate(self, dims, symbols=()):
        return dims[self.position]

    def __str__(self) -> str:
        return f"d{self.position}"


@dataclass(frozen=True)
class AffineSym(AffineExpr):
    position: int

    def evaluate(self, dims, symbols=()):
        return symbols[self.position]

    def __str__(self) -> str:
        return f"s{self.position}"


@dataclass(frozen=True)
class AffineConst(AffineExpr):
    value: int

    def evaluate(self, dims, symbols=()):
        return self.value

    def __str__(self) -> str:
        return str(self.value)


_PRECEDENCE = {"+": 1, "*": 2, "floordiv": 2, "ceildiv": 2, "mod": 2}


@dataclass(frozen=True)
class AffineBinary(AffineExpr):
    kind: str  # "+", "*", "floordiv", "ceildiv", "mod"
    lhs: AffineExpr
    rhs: AffineExpr

    def evaluate(self, dims, symbols=()):
        a, b = self.lhs.evaluate(dims, symbols), self.rhs.evaluate(dims, symbols)
        if self.kind == "+":
            return a + b
        if self.kind == "*":
            return a * b
        if self.kind == "floordiv":
            return a // b
        if self.kind == "ceildiv":
            return -((-a) // b)
        return a % b

    def __str__(self) -> str:
        prec = _PRECEDENCE[self.kind]

        def side(e: AffineExpr, right: bool) -> str:
            s = str(e)
            if isinstance(e, AffineBinary) and (
                _PRECEDENCE[e.kind] < prec or (right and _PRECEDENCE[e.kind] == prec)
            ):  # a right operand of equal precedence keeps its parentheses: the parser is left-associative
                return f"({s})"
            return s

        if self.kind == "+" and isinstance(self.rhs, AffineConst) and self.rhs.value < 0:
            return f"{side(self.lhs, False)} - {-self.rhs.value}"
        return f"{side(self.lhs, False)} {self.kind} {side(self.rhs, True)}"


def _wrap(x) -> AffineExpr:
    return x if isinstance(x, AffineExpr) else AffineConst(int(x))


def _binary(kind: str, a: AffineExpr, b: AffineExpr) -> AffineExpr:
    """Builds a binary expression, folding constants so equal maps print equally."""
    if isinstance(a, AffineConst) and isinstance(b, AffineConst):
        return AffineConst(AffineBinary(kind, a, b).evaluate(()))
    if kind == "+" and isinstance(b, AffineConst) and b.value == 0:
        return a
    if kind == "+" and isinstance(a, AffineConst) and a.value == 0:
        return b
    if kind == "*" and isinstance(b, AffineConst) and b.value == 1:
        return a
    if kind == "*" and isinstance(a, AffineConst) and a.value == 1:
        return b
    if kind == "*" and isinstance(a, AffineConst):  # constants go on the right, as MLIR prints them
        return AffineBinary(kind, b, a)
    return AffineBinary(kind, a, b)


def d(i: int) -> AffineDim:
    return AffineDim(i)


def s(i: int) -> AffineSym:
    return AffineSym(i)


@dataclass(frozen=True)
class AffineMap:
    """`(d0, ..., dn)[s0, ...] -> (e0, ..., em)`."""

    num_dims: int
    num_symbols: int
    results: tuple[AffineExpr, ...]

    @staticmethod
    def identity(n: int) -> AffineMap:
        return AffineMap(n, 0, tuple(AffineDim(i) for i in range(n)))

    @staticmethod
    def permutation(perm) -> AffineMap:
        return AffineMap(len(perm), 0, tuple(AffineDim(p) for p in perm))

    @staticmethod
    def projection(num_dims: int, dims) -> AffineMap:
        """Selects `dims` out of `num_dims` loop dimensions (a broadcast or reduction operand)."""
        return AffineMap(num_dims, 0, tuple(AffineDim(p) for p in dims))

    @property
    def is_projected_permutation(self) -> bool:
        seen = set()
        for e in self.results:
            if isinstance(e, AffineConst) and e.value == 0:
                continue
            if not isinstance(e, AffineDim) or e.position in seen:
                return False
            seen.add(e.position)
        return True

    def evaluate(self, dims, symbols=()) -> tuple:
        return tuple(e.evaluate(dims, symbols) for e in self.results)

    def __str__(self) -> str:
        dims = ", ".join(f"d{i}" for i in range(self.num_dims))
        syms = f"[{', '.join(f's{i}' for i in range(self.num_symbols))}]" if self.num_symbols else ""
        return f"({dims}){syms} -> ({', '.join(str(e) for e in self.results)})"
