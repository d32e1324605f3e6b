"""The declarative rewrite engine: patterns as data, a text form, and a greedy driver."""

from passes.rewrite.driver import DriverResult, apply_patterns_greedily, filter_patterns
from passes.rewrite.pattern import (
    Either,
    Match,
    OpPat,
    OptionalOperand,
    Pattern,
    Template,
    Var,
    either,
    m,
    match,
    op_pattern,
    optional,
    resolve_op,
    t,
    template,
)
from passes.rewrite.text import PatternSyntaxError, parse_pattern

__all__ = [
    "DriverResult",
    "apply_patterns_greedily",
    "filter_patterns",
    "Either",
    "Match",
    "OpPat",
    "OptionalOperand",
    "Pattern",
    "Template",
    "Var",
    "either",
    "m",
    "match",
    "op_pattern",
    "optional",
    "resolve_op",
    "t",
    "template",
    "PatternSyntaxError",
    "parse_pattern",
]
