"""Core graph ops: constants and a few elementwise ops that show the pattern other op files follow."""

from __future__ import annotations

import numpy as np

from ir import formulas as F
from ir.dialects.graph.base import GraphOp
from ir.opdef import DENSE, Commutative, ConstantLike, Elementwise, Pure, attr, operand, result


class Constant(GraphOp):
    """A constant tensor (ONNX Constant and initializers)."""

    name = "graph.constant"
    onnx = "Constant"
    traits = (Pure, ConstantLike)
    value = attr(DENSE)
    output = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [properties["value"].type]

    def evaluate(self):
        return self.properties["value"].array

    def verify_(self) -> None:
        if self.result.type != self.properties["value"].type:
            raise self.error(
                f"result type {self.result.type} differs from the value's {self.properties['value'].type}"
            )


class Relu(GraphOp):
    """max(x, 0)."""

    name = "graph.relu"
    onnx = "Relu"
    formula = F.RELU
    traits = (Pure, Elementwise)
    X = operand()
    Y = result()

    def evaluate(self, x):
        return self.evaluate_formula(x)


class Add(GraphOp):
    """A + B with numpy broadcasting."""

    name = "graph.add"
    onnx = "Add"
    traits = (Pure, Elementwise, Commutative)
    A = operand()
    B = operand()
    C = result()

    def evaluate(self, a, b):
        return np.add(a, b)
