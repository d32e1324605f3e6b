"""MLIR generic-syntax printer. Large constants go to a trailing `dialect_resources` section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ir.attributes import (
    ArrayAttr,
    Attribute,
    DenseElementsAttr,
    DictionaryAttr,
    UnitAttr,
    format_attr_name,
)
from ir.core import Operation, Region, Value
from ir.opdef import IsolatedFromAbove

ELIDED = "__elided__"


@dataclass
class PrintOptions:
    """How to print: constants with more than `inline_limit` elements (and not splats) become resources;
    `elide_constants` prints them as `dense_resource<__elided__>` and drops their bytes (for reading);
    `locations` prints provenance as `loc(...)`."""

    inline_limit: int = 16
    elide_constants: bool = False
    locations: bool = True
    indent: str = "  "


@dataclass
class _Scope:
    next_value: int = 0
    next_arg: int = 0


@dataclass
class _State:
    options: PrintOptions
    names: dict[Value, str] = field(default_factory=dict)
    scopes: list[_Scope] = field(default_factory=lambda: [_Scope()])
    resources: dict[str, DenseElementsAttr] = field(default_factory=dict)
    resource_by_digest: dict[str, str] = field(default_factory=dict)


def _resource_key(hint: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.]", "_", hint) or "cst"
    return key if re.match(r"[A-Za-z_]", key) else "_" + key


class Printer:
    """Prints ops, values, attributes and types with consistent value numbering."""

    def __init__(self, options: PrintOptions | None = None):
        self.st = _State(options or PrintOptions())
        self.lines: list[str] = []

    # -- attributes

    def attr(self, a: Attribute) -> str:
        if isinstance(a, DenseElementsAttr):
            return self._dense(a)
        if isinstance(a, ArrayAttr):
            return "[" + ", ".join(self.attr(x) for x in a.value) + "]"
        if isinstance(a, DictionaryAttr):
            return "{" + ", ".join(self.named_attr(k, v) for k, v in a.value) + "}"
        return str(a)

    def named_attr(self, k: str, v: Attribute) -> str:
        return format_attr_name(k) if isinstance(v, UnitAttr) else f"{format_attr_name(k)} = {self.attr(v)}"

    def _dense(self, a: DenseElementsAttr) -> str:
        if a.array.size <= self.st.options.inline_limit or a.is_splat:
            return a.format_inline()
        if self.st.options.elide_constants:
            return f"dense_resource<{ELIDED}> : {a.type}"
        key = self.st.resource_by_digest.get(a.digest)
        if key is None:
            base = _resource_key(a.resource_name)
            key, n = base, 0
            while key in self.st.resources:
                n += 1
                key = f"{base}_{n}"
            self.st.resources[key] = a
            self.st.resource_by_digest[a.digest] = key
        return f"dense_resource<{key}> : {a.type}"

    # -- values

    def value(self, v: Value) -> str:
        name = self.st.names.get(v)
        if name is None:
            return "%<<UNKNOWN>>"
        return name

    def _name_results(self, op: Operation) -> str:
        if not op.results:
            return ""
        sc = self.st.scopes[-1]
        base = f"%{sc.next_value}"
        sc.next_value += 1
        if len(op.results) == 1:
            self.st.names[op.results[0]] = base
            return f"{base} = "
        for i, r in enumerate(op.results):
            self.st.names[r] = f"{base}#{i}"
        return f"{base}:{len(op.results)} = "

    # -- ops

    def op(self, op: Operation, depth: int = 0) -> None:
        ind = self.st.options.indent * depth
        lhs = self._name_results(op)
        operands = ", ".join(self.value(v) for v in op.operands)
        text = f'{ind}{lhs}"{op.name}"({operands})'
        if op.properties:
            text += " <{" + ", ".join(self.named_attr(k, v) for k, v in sorted(op.properties.items())) + "}>"
        if op.regions:
            isolated = op.has_trait(IsolatedFromAbove)
            if isolated:
                self.st.scopes.append(_Scope())
            self.lines.append(text + " (")
            for i, r in enumerate(op.regions):
                self.region(r, depth)
                if i != len(op.regions) - 1:
                    self.lines[-1] += ","
            if isolated:
                self.st.scopes.pop()
            text = self.lines.pop() + ")"
        if op.attributes:
            text += " {" + ", ".join(self.named_attr(k, v) for k, v in sorted(op.attributes.items())) + "}"
        ins = ", ".join(str(v.type) for v in op.operands)
        outs = [str(t) for t in op.result_types]
        out = outs[0] if len(outs) == 1 and not outs[0].startswith("(") else f"({', '.join(outs)})"
        text += f" : ({ins}) -> {out}"
        if op.provenance and self.st.options.locations:
            text += " " + format_location(op.provenance)
        self.lines.append(text)

    def region(self, r: Region, depth: int) -> None:
        ind = self.st.options.indent * depth
        self.lines[-1] += "{" if self.lines[-1].endswith("(") else " {"
        sc = self.st.scopes[-1]
        labels = {b: f"^bb{i}" for i, b in enumerate(r.blocks)}
        for b in r.blocks:
            for a in b.args:
                self.st.names[a] = f"%arg{sc.next_arg}"
                sc.next_arg += 1
        for b in r.blocks:
            if b.args or len(r.blocks) > 1:  # an unlabeled entry block cannot be told apart when empty
                args = ", ".join(f"{self.st.names[a]}: {a.type}" for a in b.args)
                self.lines.append(f"{ind}{labels[b]}({args}):" if b.args else f"{ind}{labels[b]}:")
            for op in b.ops:
                self.op(op, depth + 1)
        self.lines.append(ind + "}")

    def resources_section(self) -> str:
        if not self.st.resources:
            return ""
        ind = self.st.options.indent
        out = ["", "{-#", f"{ind}dialect_resources: {{", f"{ind * 2}builtin: {{"]
        items = list(self.st.resources.items())
        for i, (k, a) in enumerate(items):
            comma = "," if i != len(items) - 1 else ""
            out.append(f'{ind * 3}{k}: "{encode_blob(a.array)}"{comma}')
        out += [f"{ind * 2}}}", f"{ind}}}", "#-}"]
        return "\n".join(out)


def encode_blob(array: np.ndarray) -> str:
    """MLIR's resource blob text: hex of a little-endian u32 alignment followed by the raw bytes."""
    arr = np.ascontiguousarray(array)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    align = max(arr.dtype.itemsize, 1)
    return "0x" + align.to_bytes(4, "little").hex().upper() + arr.tobytes().hex().upper()


def format_location(provenance) -> str:
    from ir.attributes import _quote  # escapes quotes, backslashes, newlines and control characters

    names = [_quote(p) for p in provenance]
    if len(names) == 1:
        return f"loc({names[0]})"
    return "loc(fused[" + ", ".join(names) + "])"


def print_op(op: Operation, options: PrintOptions | None = None) -> str:
    """Text of one op (and everything nested), with the resource section when needed."""
    p = Printer(options)
    # Values defined outside `op` get stable placeholder names so a nested op still prints.
    for v in _free_values(op):
        p.st.names[v] = f"%free{len(p.st.names)}"
    p.op(op)
    return "\n".join(p.lines) + p.resources_section() + "\n"


def _free_values(op: Operation) -> list[Value]:
    defined: set[Value] = set()
    free: dict[Value, None] = {}
    for o in op.walk():
        for r in o.regions:
            for b in r.blocks:
                defined.update(b.args)
        defined.update(o.results)
    for o in op.walk():
        for v in o.operands:
            if v not in defined:
                free[v] = None
    return list(free)
