"""Importing `ir.dialects` registers every dialect's ops."""

from ir.dialects import builtin, graph  # noqa: F401

try:  # dialects that are added as the project grows register themselves when present
    from ir.dialects import arith, loop, tensor  # noqa: F401
except ImportError:  # pragma: no cover
    pass
