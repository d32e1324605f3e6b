"""`builtin.module`, `func.func` and `func.return`, with upstream MLIR's names and properties."""

from __future__ import annotations

from ir.core import Block, Operation, Region
from ir.opdef import (
    STR,
    TYPE,
    IsolatedFromAbove,
    NoTerminator,
    SymbolTable,
    Terminator,
    attr,
    operand,
    region,
)
from ir.types import FunctionType, Type


class ModuleOp(Operation):
    """The top-level container of functions."""

    name = "builtin.module"
    traits = (IsolatedFromAbove, NoTerminator, SymbolTable)
    body_region = region()

    @property
    def body(self) -> Block:
        return self.regions[0].block

    @property
    def functions(self) -> list[FuncOp]:
        return [op for op in self.body.ops if isinstance(op, FuncOp)]

    def lookup(self, symbol: str) -> Operation | None:
        for op in self.body.ops:
            if isinstance(op, FuncOp) and op.sym_name == symbol:
                return op
        return None

    @property
    def main(self) -> FuncOp:
        """The entry function: `main` if present, else the only (or first) function."""
        funcs = self.functions
        if not funcs:
            raise ValueError("module has no function")
        return self.lookup("main") or funcs[0]

    def verify_(self) -> None:
        if len(self.regions) != 1 or len(self.regions[0].blocks) > 1:
            raise self.error("expects one region with one block")
        names = set()
        for f in self.functions:
            if f.sym_name in names:
                raise f.error(f"redefinition of symbol '{f.sym_name}'")
            names.add(f.sym_name)


class FuncOp(Operation):
    """A function: one region whose entry block arguments are the function's inputs."""

    name = "func.func"
    traits = (IsolatedFromAbove,)
    sym_name = attr(STR)
    function_type = attr(TYPE)
    body_region = region()

    @staticmethod
    def create(name: str, input_types: list[Type], result_types: list[Type], provenance=()) -> FuncOp:
        f = FuncOp.build(sym_name=name, function_type=FunctionType(tuple(input_types), tuple(result_types)))
        f.provenance = tuple(provenance)
        f.regions[0].add_block(Block(input_types))
        return f

    @property
    def body(self) -> Block:
        return self.regions[0].block

    @property
    def args(self):
        return self.body.args

    @property
    def return_op(self) -> Operation:
        return self.body.ops[-1]

    def verify_(self) -> None:
        ft = self.function_type
        if not isinstance(ft, FunctionType):
            raise self.error("function_type must be a function type")
        if len(self.regions) != 1 or not self.regions[0].blocks:
            raise self.error("expects a body region with an entry block")
        args = [a.type for a in self.body.args]
        if tuple(args) != ft.inputs:
            raise self.error(
                f"entry block argument types ({', '.join(map(str, args))}) do not match the "
                f"function type {ft}"
            )

    def update_type(self) -> None:
        """Recomputes function_type from the entry block arguments and the return op."""
        self.function_type = FunctionType(
            tuple(a.type for a in self.body.args), tuple(v.type for v in self.return_op.operands)
        )


class ReturnOp(Operation):
    """Returns values from a function."""

    name = "func.return"
    traits = (Terminator,)
    values = operand(variadic=True)

    def verify_(self) -> None:
        f = self.parent_op
        if not isinstance(f, FuncOp):
            raise self.error("must be inside a func.func")
        want = f.function_type.results
        got = tuple(v.type for v in self.operands)
        if got != want:
            raise self.error(
                f"returns ({', '.join(map(str, got))}) but the function type says "
                f"({', '.join(map(str, want))})"
            )


def new_module() -> ModuleOp:
    m = ModuleOp.build()
    m.regions[0].block  # noqa: B018 - creates the body block
    return m


__all__ = ["ModuleOp", "FuncOp", "ReturnOp", "Region", "new_module"]
