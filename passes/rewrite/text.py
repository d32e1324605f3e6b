"""The compact text form of a pattern, for notebooks:

    "Relu(Add(Conv(x, w), b)) -> FusedConv(x, w, b, activation='relu')"

Capitalized calls are ops (graph op class names, ONNX names, or quoted full names via `op("graph.relu", ..)`),
lower-case names are variables (`_` matches anything), `either(a, b)` matches a commutative op's operands in
either order, keyword arguments are attribute values (matched on the left, set on the right). The right side
may also be a bare variable (`Identity(x) -> x`).
"""

from __future__ import annotations

import ast

from ir.errors import UserError
from passes.rewrite.pattern import Either, OpPat, Pattern, Template, Var, resolve_op


class PatternSyntaxError(UserError):
    """A pattern's text form is malformed (message has the column)."""


class _VarRef(Template):
    """Placeholder so a bare variable can be the right-hand side."""


def _err(text: str, node: ast.AST | None, msg: str) -> PatternSyntaxError:
    col = (getattr(node, "col_offset", 0) or 0) + 1
    return PatternSyntaxError(f'pattern:1:{col}: error: {msg} (in "{text}")')


def _literal(text: str, node: ast.AST):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise _err(text, node, "attribute values must be literals") from None


def _op_name(text: str, call: ast.Call) -> tuple[type, list[ast.AST]]:
    args = list(call.args)
    if isinstance(call.func, ast.Name) and call.func.id == "op":
        if not args or not isinstance(args[0], ast.Constant):
            raise _err(text, call, "op(...) takes the full op name first")
        name, args = args[0].value, args[1:]
    elif isinstance(call.func, ast.Name):
        name = call.func.id
    elif isinstance(call.func, ast.Attribute):
        name = ast.unparse(call.func)
    else:
        raise _err(text, call, "expected an op name")
    try:
        return resolve_op(name), args
    except KeyError:
        raise _err(text, call.func, f"unknown op '{name}'") from None


def _lhs(text: str, node: ast.AST, vars_: dict[str, Var]):
    if isinstance(node, ast.Name):
        return vars_.setdefault(node.id, Var(node.id))
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "either":
            if len(node.args) != 2 or node.keywords:
                raise _err(text, node, "either(a, b) takes two operands")
            return Either((_lhs(text, node.args[0], vars_), _lhs(text, node.args[1], vars_)))
        cls, args = _op_name(text, node)
        attrs = {k.arg: _literal(text, k.value) for k in node.keywords}
        return OpPat(cls, tuple(_lhs(text, a, vars_) for a in args), attrs)
    raise _err(text, node, f"unexpected {ast.unparse(node)!r} in a match")


def _rhs(text: str, node: ast.AST, vars_: dict[str, Var]):
    if isinstance(node, ast.Name):
        if node.id not in vars_:
            raise _err(text, node, f"variable '{node.id}' is not bound by the match")
        return vars_[node.id]
    if isinstance(node, ast.Call):
        cls, args = _op_name(text, node)
        attrs = {k.arg: _literal(text, k.value) for k in node.keywords}
        return Template(cls, tuple(_rhs(text, a, vars_) for a in args), attrs)
    raise _err(text, node, f"unexpected {ast.unparse(node)!r} in a result")


def _var_rewrite(var: Var):
    def rewrite(rewriter, mt):
        rewriter.replace_op(mt.root, [mt.values[var.name]])

    rewrite.__name__ = f"replace-with-{var.name}"
    return rewrite


def parse_pattern(text: str, name: str | None = None, benefit: int | None = None, where=None) -> Pattern:
    """A Pattern from its text form `MATCH -> RESULT`."""
    if "->" not in text:
        raise PatternSyntaxError(f"pattern:1:1: error: expected 'MATCH -> RESULT' (in \"{text}\")")
    left, right = text.split("->", 1)
    try:
        ltree = ast.parse(left.strip(), mode="eval").body
    except SyntaxError as e:
        raise PatternSyntaxError(f'pattern:1:{e.offset or 1}: error: {e.msg} (in "{text}")') from None
    try:
        rtree = ast.parse(right.strip(), mode="eval").body
    except SyntaxError as e:
        col = len(left) + 2 + (e.offset or 1)
        raise PatternSyntaxError(f'pattern:1:{col}: error: {e.msg} (in "{text}")') from None
    lpad = len(left) - len(left.lstrip())
    rpad = len(left) + 2 + len(right) - len(right.lstrip())
    for tree, off in ((ltree, lpad), (rtree, rpad)):
        for n in ast.walk(tree):
            if hasattr(n, "col_offset"):
                n.col_offset += off
    vars_: dict[str, Var] = {}
    root = _lhs(text, ltree, vars_)
    if not isinstance(root, OpPat):
        raise _err(text, ltree, "the match must be an op")
    rhs = _rhs(text, rtree, vars_)
    rewrite = _var_rewrite(rhs) if isinstance(rhs, Var) else rhs
    pname = name or "text:" + " ".join(text.split())
    return Pattern(pname, root, rewrite, where=where, benefit=benefit, text=" ".join(text.split()))


__all__ = ["parse_pattern", "PatternSyntaxError"]
