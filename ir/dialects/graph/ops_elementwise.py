"""Elementwise graph ops: arithmetic, math functions, activations, comparisons, logic, Cast, Where.

One class per ONNX operator (newest opset's semantics; older opsets are normalized by the importer).
Operands broadcast as numpy/ONNX multidirectional broadcasting; `evaluate` calls `ir.reference`, or, for
the activations, runs the op's `formula` (ir.formulas), the one definition lowering also emits.
"""

from __future__ import annotations

from typing import ClassVar

from ir import formulas as F
from ir import reference as ref
from ir.dialects.graph.base import GraphOp, onnx_dtype_to_type
from ir.opdef import FLOAT, INT, STR, Commutative, Elementwise, Pure, attr, enum, operand, result
from ir.shapes import broadcast_types
from ir.types import ShapedType, element_type, i1, with_element_type

# ----------------------------------------------------------------------------- unary ops


class _Unary(GraphOp):
    """A one-operand elementwise op; `fn` is its ir.reference function, or `formula` its ir.formulas one."""

    traits = (Pure, Elementwise)
    fn: ClassVar = None

    def evaluate(self, x):
        if type(self).formula is not None:
            return self.evaluate_formula(x)
        return type(self).fn(x)


class _UnaryXY(_Unary):
    X = operand()
    Y = result()


class _UnaryIO(_Unary):
    input = operand()
    output = result()


class Sqrt(_UnaryXY):
    """Square root."""

    name, onnx, fn = "graph.sqrt", "Sqrt", staticmethod(ref.sqrt)


class Neg(_UnaryXY):
    """-x."""

    name, onnx, fn = "graph.neg", "Neg", staticmethod(ref.neg)


class Abs(_UnaryXY):
    """|x|."""

    name, onnx, fn = "graph.abs", "Abs", staticmethod(ref.abs_)


class Reciprocal(_UnaryXY):
    """1 / x."""

    name, onnx, fn = "graph.reciprocal", "Reciprocal", staticmethod(ref.reciprocal)


class Floor(_UnaryXY):
    """Round toward -inf."""

    name, onnx, fn = "graph.floor", "Floor", staticmethod(ref.floor)


class Ceil(_UnaryXY):
    """Round toward +inf."""

    name, onnx, fn = "graph.ceil", "Ceil", staticmethod(ref.ceil)


class Round(_UnaryXY):
    """Round half to even."""

    name, onnx, fn = "graph.round", "Round", staticmethod(ref.round_)


class Sigmoid(_UnaryXY):
    """1 / (1 + exp(-x))."""

    name, onnx, formula = "graph.sigmoid", "Sigmoid", F.SIGMOID


class HardSwish(_UnaryXY):
    """x * max(0, min(1, x/6 + 1/2))."""

    name, onnx, formula = "graph.hard_swish", "HardSwish", F.HARD_SWISH


class Softplus(_UnaryXY):
    """log(1 + exp(x))."""

    name, onnx, formula = "graph.softplus", "Softplus", F.SOFTPLUS


class Mish(_UnaryXY):
    """x * tanh(softplus(x))."""

    name, onnx, formula = "graph.mish", "Mish", F.MISH


class BitwiseNot(_UnaryXY):
    """~x on integers."""

    name, onnx, fn = "graph.bitwise_not", "BitwiseNot", staticmethod(ref.bitwise_not)


class Erf(_UnaryIO):
    """The Gauss error function."""

    name, onnx, fn = "graph.erf", "Erf", staticmethod(ref.erf)


class Tanh(_UnaryIO):
    """Hyperbolic tangent."""

    name, onnx, fn = "graph.tanh", "Tanh", staticmethod(ref.tanh)


class Exp(_UnaryIO):
    """e**x."""

    name, onnx, fn = "graph.exp", "Exp", staticmethod(ref.exp)


class Log(_UnaryIO):
    """Natural logarithm."""

    name, onnx, fn = "graph.log", "Log", staticmethod(ref.log)


class Sign(_UnaryIO):
    """-1, 0 or 1."""

    name, onnx, fn = "graph.sign", "Sign", staticmethod(ref.sign)


class Sin(_UnaryIO):
    """Sine."""

    name, onnx, fn = "graph.sin", "Sin", staticmethod(ref.sin)


class Cos(_UnaryIO):
    """Cosine."""

    name, onnx, fn = "graph.cos", "Cos", staticmethod(ref.cos)


class Tan(_UnaryIO):
    """Tangent."""

    name, onnx, fn = "graph.tan", "Tan", staticmethod(ref.tan)


class Asin(_UnaryIO):
    """Arcsine."""

    name, onnx, fn = "graph.asin", "Asin", staticmethod(ref.asin)


class Acos(_UnaryIO):
    """Arccosine."""

    name, onnx, fn = "graph.acos", "Acos", staticmethod(ref.acos)


class Atan(_UnaryIO):
    """Arctangent."""

    name, onnx, fn = "graph.atan", "Atan", staticmethod(ref.atan)


class Sinh(_UnaryIO):
    """Hyperbolic sine."""

    name, onnx, fn = "graph.sinh", "Sinh", staticmethod(ref.sinh)


class Cosh(_UnaryIO):
    """Hyperbolic cosine."""

    name, onnx, fn = "graph.cosh", "Cosh", staticmethod(ref.cosh)


class Asinh(_UnaryIO):
    """Inverse hyperbolic sine."""

    name, onnx, fn = "graph.asinh", "Asinh", staticmethod(ref.asinh)


class Acosh(_UnaryIO):
    """Inverse hyperbolic cosine."""

    name, onnx, fn = "graph.acosh", "Acosh", staticmethod(ref.acosh)


class Atanh(_UnaryIO):
    """Inverse hyperbolic tangent."""

    name, onnx, fn = "graph.atanh", "Atanh", staticmethod(ref.atanh)


class Softsign(_UnaryIO):
    """x / (1 + |x|)."""

    name, onnx, formula = "graph.softsign", "Softsign", F.SOFTSIGN


class Identity(_UnaryIO):
    """The input unchanged."""

    name, onnx, fn = "graph.identity", "Identity", staticmethod(ref.identity)


class Gelu(_UnaryXY):
    """Gaussian error linear unit; approximate="tanh" uses the tanh formula (opset 20)."""

    name, onnx, formula = "graph.gelu", "Gelu", F.GELU
    approximate = attr(enum("none", "tanh"), default="none")


class LeakyRelu(_UnaryXY):
    """x if x >= 0 else alpha * x."""

    name, onnx, formula = "graph.leaky_relu", "LeakyRelu", F.LEAKY_RELU
    alpha = attr(FLOAT, default=0.01)


class Elu(_UnaryXY):
    """x if x >= 0 else alpha * (exp(x) - 1)."""

    name, onnx, formula = "graph.elu", "Elu", F.ELU
    alpha = attr(FLOAT, default=1.0)


class Celu(_UnaryXY):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    name, onnx, formula = "graph.celu", "Celu", F.CELU
    alpha = attr(FLOAT, default=1.0)


class Selu(_UnaryXY):
    """gamma * (x if x > 0 else alpha * (exp(x) - 1))."""

    name, onnx, formula = "graph.selu", "Selu", F.SELU
    alpha = attr(FLOAT, default=1.6732631921768188)
    gamma = attr(FLOAT, default=1.0507010221481323)


class HardSigmoid(_UnaryXY):
    """max(0, min(1, alpha * x + beta))."""

    name, onnx, formula = "graph.hard_sigmoid", "HardSigmoid", F.HARD_SIGMOID
    alpha = attr(FLOAT, default=0.2)
    beta = attr(FLOAT, default=0.5)


class ThresholdedRelu(_UnaryXY):
    """x if x > alpha else 0."""

    name, onnx, formula = "graph.thresholded_relu", "ThresholdedRelu", F.THRESHOLDED_RELU
    alpha = attr(FLOAT, default=1.0)


class Shrink(_UnaryIO):
    """x - bias if x > lambd, x + bias if x < -lambd, else 0."""

    name, onnx, formula = "graph.shrink", "Shrink", F.SHRINK
    bias = attr(FLOAT, default=0.0)
    lambd = attr(FLOAT, default=0.5)


class IsNaN(_UnaryXY):
    """x != x, as i1."""

    name, onnx = "graph.is_nan", "IsNaN"

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [with_element_type(operand_types[0], i1)]

    def evaluate(self, x):
        return ref.is_nan(x)


class IsInf(_UnaryXY):
    """x is +inf / -inf (as selected), as i1."""

    name, onnx = "graph.is_inf", "IsInf"
    detect_negative = attr(INT, default=1)
    detect_positive = attr(INT, default=1)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [with_element_type(operand_types[0], i1)]

    def evaluate(self, x):
        return ref.is_inf(x, detect_negative=self.detect_negative, detect_positive=self.detect_positive)


class Not(_UnaryXY):
    """Logical not on i1."""

    name, onnx, fn = "graph.not", "Not", staticmethod(ref.not_)

    def verify_(self) -> None:
        if element_type(self.X.type) != i1:
            raise self.error(f"operand must be i1 (bool), got {self.X.type}")
        super().verify_()


class Cast(_UnaryIO):
    """Converts the element type to `to` (an ONNX TensorProto data-type code: FLOAT=1, INT64=7, ...)."""

    name, onnx = "graph.cast", "Cast"
    to = attr(INT)
    saturate = attr(INT, default=1)
    round_mode = attr(STR, default="up")

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [with_element_type(operand_types[0], onnx_dtype_to_type(cls.prop(properties, "to")))]

    def evaluate(self, x):
        return ref.cast(x, to=self.to, saturate=self.saturate)


class CastLike(GraphOp):
    """Converts `input` to the element type of `target_type`."""

    name, onnx = "graph.cast_like", "CastLike"
    traits = (Pure,)
    input = operand()
    target_type = operand()
    output = result()
    saturate = attr(INT, default=1)
    round_mode = attr(STR, default="up")

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [with_element_type(operand_types[0], element_type(operand_types[1]))]

    def evaluate(self, x, target):
        return ref.cast_like(x, target, saturate=self.saturate)


# ----------------------------------------------------------------------------- binary ops


class _Binary(GraphOp):
    """A two-operand broadcasting op A, B -> C; `fn` is its ir.reference function."""

    traits = (Pure, Elementwise)
    fn: ClassVar = None
    A = operand()
    B = operand()
    C = result()

    def evaluate(self, a, b):
        return type(self).fn(a, b)

    def verify_(self) -> None:
        ta, tb = element_type(self.A.type), element_type(self.B.type)
        if ta != tb:
            raise self.error(f"operands must have one element type, got {ta} and {tb}")
        super().verify_()


class Sub(_Binary):
    """A - B."""

    name, onnx, fn = "graph.sub", "Sub", staticmethod(ref.sub)


class Mul(_Binary):
    """A * B."""

    name, onnx, fn = "graph.mul", "Mul", staticmethod(ref.mul)
    traits = (Pure, Elementwise, Commutative)


class Div(_Binary):
    """A / B (integer division truncates toward zero, as ONNX)."""

    name, onnx, fn = "graph.div", "Div", staticmethod(ref.div)


class Mod(_Binary):
    """A mod B: sign of the divisor (fmod=0, integers) or of the dividend (fmod=1, C fmod)."""

    name, onnx = "graph.mod", "Mod"
    fmod = attr(INT, default=0)

    def evaluate(self, a, b):
        return ref.mod(a, b, fmod=self.fmod)


class BitwiseAnd(_Binary):
    """A & B on integers."""

    name, onnx, fn = "graph.bitwise_and", "BitwiseAnd", staticmethod(ref.bitwise_and)
    traits = (Pure, Elementwise, Commutative)


class BitwiseOr(_Binary):
    """A | B on integers."""

    name, onnx, fn = "graph.bitwise_or", "BitwiseOr", staticmethod(ref.bitwise_or)
    traits = (Pure, Elementwise, Commutative)


class BitwiseXor(_Binary):
    """A ^ B on integers."""

    name, onnx, fn = "graph.bitwise_xor", "BitwiseXor", staticmethod(ref.bitwise_xor)
    traits = (Pure, Elementwise, Commutative)


class _Logical(_Binary):
    """A logical op on i1 operands."""

    def verify_(self) -> None:
        for v in (self.A, self.B):
            if element_type(v.type) != i1:
                raise self.error(f"operands must be i1 (bool), got {v.type}")
        super().verify_()


class And(_Logical):
    """Logical and."""

    name, onnx, fn = "graph.and", "And", staticmethod(ref.and_)
    traits = (Pure, Elementwise, Commutative)


class Or(_Logical):
    """Logical or."""

    name, onnx, fn = "graph.or", "Or", staticmethod(ref.or_)
    traits = (Pure, Elementwise, Commutative)


class Xor(_Logical):
    """Logical xor."""

    name, onnx, fn = "graph.xor", "Xor", staticmethod(ref.xor)
    traits = (Pure, Elementwise, Commutative)


class _Compare(_Binary):
    """A comparison: broadcast shape, i1 elements."""

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [with_element_type(broadcast_types(operand_types), i1)]


class Equal(_Compare):
    """A == B."""

    name, onnx, fn = "graph.equal", "Equal", staticmethod(ref.equal)
    traits = (Pure, Elementwise, Commutative)


class Less(_Compare):
    """A < B."""

    name, onnx, fn = "graph.less", "Less", staticmethod(ref.less)


class LessOrEqual(_Compare):
    """A <= B."""

    name, onnx, fn = "graph.less_or_equal", "LessOrEqual", staticmethod(ref.less_or_equal)


class Greater(_Compare):
    """A > B."""

    name, onnx, fn = "graph.greater", "Greater", staticmethod(ref.greater)


class GreaterOrEqual(_Compare):
    """A >= B."""

    name, onnx, fn = "graph.greater_or_equal", "GreaterOrEqual", staticmethod(ref.greater_or_equal)


class Pow(GraphOp):
    """X ** Y (the exponent may have another element type; the result has X's)."""

    name, onnx = "graph.pow", "Pow"
    traits = (Pure, Elementwise)
    X = operand()
    Y = operand()
    Z = result()

    def evaluate(self, x, y):
        return ref.pow_(x, y)


class BitShift(GraphOp):
    """X << Y or X >> Y on unsigned integers (direction "LEFT" or "RIGHT")."""

    name, onnx = "graph.bit_shift", "BitShift"
    traits = (Pure, Elementwise)
    X = operand()
    Y = operand()
    Z = result()
    direction = attr(enum("LEFT", "RIGHT"))

    def evaluate(self, x, y):
        return ref.bit_shift(x, y, direction=self.direction)


class PRelu(GraphOp):
    """x if x >= 0 else slope * x; slope broadcasts to X (unidirectionally)."""

    name, onnx = "graph.prelu", "PRelu"
    traits = (Pure, Elementwise)
    X = operand()
    slope = operand()
    Y = result()

    formula = F.PRELU

    def evaluate(self, x, slope):
        return self.evaluate_formula(x, slope)


# ----------------------------------------------------------------------------- variadic and others


class _Variadic(GraphOp):
    """An n-ary broadcasting op over `data_0` (one or more operands)."""

    traits = (Pure, Elementwise, Commutative)
    fn: ClassVar = None
    data_0 = operand(variadic=True)

    def evaluate(self, *xs):
        return type(self).fn(*xs)

    def verify_(self) -> None:
        if not self.operands:
            raise self.error("needs at least one operand")
        elems = {str(element_type(v.type)) for v in self.operands}
        if len(elems) > 1:
            raise self.error(f"operands must have one element type, got {', '.join(sorted(elems))}")
        super().verify_()


class Min(_Variadic):
    """Elementwise minimum of all operands."""

    name, onnx, fn = "graph.min", "Min", staticmethod(ref.min_)
    min = result()


class Max(_Variadic):
    """Elementwise maximum of all operands."""

    name, onnx, fn = "graph.max", "Max", staticmethod(ref.max_)
    max = result()


class Sum(_Variadic):
    """Elementwise sum of all operands."""

    name, onnx, fn = "graph.sum", "Sum", staticmethod(ref.sum_)
    sum = result()


class Mean(_Variadic):
    """Elementwise mean of all operands."""

    name, onnx, fn = "graph.mean", "Mean", staticmethod(ref.mean)
    mean = result()


class Clip(GraphOp):
    """min(max(input, min), max); absent bounds do not clip (opset 13: bounds are scalar inputs)."""

    name, onnx = "graph.clip", "Clip"
    traits = (Pure, Elementwise)
    input = operand()
    min = operand(optional=True)
    max = operand(optional=True)
    output = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0]]

    formula = F.CLIP

    def evaluate(self, x, *bounds):
        return self.evaluate_formula(x, self._bound(bounds, "min"), self._bound(bounds, "max"))

    def _bound(self, bounds, which: str):
        present = [n for n in ("min", "max") if getattr(self, n) is not None]
        return bounds[present.index(which)] if which in present else None

    def verify_(self) -> None:
        for n in ("min", "max"):
            v = getattr(self, n)
            if v is not None and isinstance(v.type, ShapedType) and v.type.rank != 0:
                raise self.error(f"'{n}' must be a scalar (rank 0), got {v.type}")
        super().verify_()


class Where(GraphOp):
    """X where condition else Y (three-way broadcast)."""

    name, onnx = "graph.where", "Where"
    traits = (Pure, Elementwise)
    condition = operand()
    X = operand()
    Y = operand()
    output = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        t = broadcast_types(operand_types)
        return [with_element_type(t, element_type(operand_types[1]))]

    def evaluate(self, c, x, y):
        return ref.where(c, x, y)

    def verify_(self) -> None:
        if element_type(self.condition.type) != i1:
            raise self.error(f"condition must be i1 (bool), got {self.condition.type}")
        if element_type(self.X.type) != element_type(self.Y.type):
            raise self.error(f"X and Y must have one element type, got {self.X.type} and {self.Y.type}")
        super().verify_()
