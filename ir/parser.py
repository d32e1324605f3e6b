"""Parser for MLIR's generic op syntax (what `ir.printer` writes), with file:line:col errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ir.affine import AffineBinary, AffineConst, AffineDim, AffineExpr, AffineMap, AffineSym
from ir.attributes import (
    AffineMapAttr,
    ArrayAttr,
    Attribute,
    DenseArrayAttr,
    DenseElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    OpaqueAttr,
    StringAttr,
    SymbolRefAttr,
    TypeAttr,
    UnitAttr,
    parse_float,
)
from ir.core import Block, Operation, Region, Value, lookup_op
from ir.errors import ParseError
from ir.printer import ELIDED
from ir.types import (
    DYNAMIC,
    FloatType,
    FunctionType,
    IndexType,
    IntegerType,
    MemRefType,
    NoneType,
    ShapedType,
    TensorType,
    Type,
    VectorType,
    f64,
    i1,
    i64,
    integer_bounds,
    to_numpy_dtype,
    type_problem,
)

MAX_NESTING = 200
"""How deeply types, attributes, dense literals, regions and affine expressions may nest: deeper text
is refused with a clear error instead of exhausting Python's recursion limit."""

_WS = re.compile(r"(\s|//[^\n]*)*")
_IDENT = re.compile(r"[A-Za-z_][\w$.]*")
_SUFFIX_ID = re.compile(r"[\w$.-]+")
_NUMBER = re.compile(r"[-+]?(0x[0-9A-Fa-f]+|\d+\.\d*([eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d+)")
_INT = re.compile(r"[-+]?\d+")
_SCALAR_TYPE = re.compile(r"(bf16|f16|f32|f64|index|none|[su]?i\d+)\b")
_DIM = re.compile(r"(\d+|\?)x")
_NEG_DIM = re.compile(r"-\d+x")


def _nested(method):
    """Counts one level of nesting around a recursive parse method (see MAX_NESTING)."""

    def wrapper(self, *args, **kwargs):
        if self.depth >= MAX_NESTING:
            raise self.error(
                f"nesting deeper than {MAX_NESTING} levels (types, attributes, regions or expressions)"
            )
        self.depth += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self.depth -= 1

    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


class _ForwardRef(Value):
    """A value used before its definition; replaced when the definition is parsed."""

    __slots__ = ("pos",)


class Parser:
    def __init__(self, text: str, filename: str = "<string>", allow_unregistered: bool = False):
        self.text = text
        self.file = filename
        self.pos = 0
        self.allow_unregistered = allow_unregistered
        self.resources: dict[str, np.ndarray | bytes] = {}
        self.scopes: list[dict[str, Value]] = [{}]
        self.forward: dict[str, _ForwardRef] = {}
        self.depth = 0
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    # -- low-level cursor

    def loc(self, pos: int | None = None) -> tuple[int, int]:
        import bisect

        pos = self.pos if pos is None else pos
        line = bisect.bisect_right(self._line_starts, pos) - 1
        return line + 1, pos - self._line_starts[line] + 1

    def error(self, msg: str, pos: int | None = None) -> ParseError:
        line, col = self.loc(pos)
        return ParseError(msg, self.file, line, col)

    def ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()

    def peek(self, s: str) -> bool:
        self.ws()
        return self.text.startswith(s, self.pos)

    def accept(self, s: str) -> bool:
        if self.peek(s):
            self.pos += len(s)
            return True
        return False

    def expect(self, s: str, what: str | None = None) -> None:
        if not self.accept(s):
            found = self.text[self.pos : self.pos + 12].split("\n")[0] or "end of file"
            raise self.error(f"expected {what or repr(s)}, found '{found}'")

    def match(self, regex: re.Pattern) -> str | None:
        self.ws()
        m = regex.match(self.text, self.pos)
        if m is None:
            return None
        self.pos = m.end()
        return m.group(0)

    def keyword(self, kw: str) -> bool:
        self.ws()
        m = _IDENT.match(self.text, self.pos)
        if m and m.group(0) == kw:
            self.pos = m.end()
            return True
        return False

    def string(self) -> str:
        self.ws()
        if not self.text.startswith('"', self.pos):
            raise self.error("expected a string literal")
        i, out = self.pos + 1, []
        while i < len(self.text):
            c = self.text[i]
            if c == '"':
                self.pos = i + 1
                return "".join(out)
            if c == "\n":
                break
            if c == "\\":
                n = self.text[i + 1 : i + 2]
                if n in ('"', "\\"):
                    out.append(n)
                    i += 2
                elif n == "n":
                    out.append("\n")
                    i += 2
                elif n == "t":
                    out.append("\t")
                    i += 2
                else:
                    out.append(chr(int(self.text[i + 1 : i + 3], 16)))
                    i += 3
                continue
            out.append(c)
            i += 1
        raise self.error("unterminated string literal")

    # -- module

    def parse_module(self) -> Operation:
        from ir.dialects.builtin import ModuleOp

        self._parse_resources()
        ops = []
        while True:
            self.ws()
            if self.pos >= len(self.text) or self.text.startswith("{-#", self.pos):
                break
            ops.append(self.parse_op())
        self._check_forward_refs()
        if len(ops) == 1 and isinstance(ops[0], ModuleOp):
            return ops[0]
        module = ModuleOp.build()
        for op in ops:
            module.body.append(op)
        return module

    def _check_forward_refs(self) -> None:
        for name, ref in self.forward.items():
            raise self.error(f"use of undefined value '%{name}'", ref.pos)

    def _parse_resources(self) -> None:
        start = self.text.rfind("{-#")
        if start < 0:
            return
        saved, self.pos = self.pos, start + 3
        self.expect("dialect_resources")
        self.expect(":")
        self.expect("{")
        while not self.accept("}"):
            dialect = self.match(_IDENT)
            self.expect(":")
            self.expect("{")
            while not self.accept("}"):
                key = self.match(_SUFFIX_ID)
                if key is None:
                    raise self.error("expected a resource name")
                self.expect(":")
                blob = self.string()
                if dialect == "builtin":
                    if not blob.startswith("0x") or len(blob) < 10:
                        raise self.error(f"resource '{key}' is not a hex blob")
                    try:
                        self.resources[key] = bytes.fromhex(blob[10:])
                    except ValueError:
                        raise self.error(f"resource '{key}' has bad hex data") from None
                self.accept(",")
            self.accept(",")
        self.expect("#-}")
        self.text = self.text[:start]
        self.pos = saved

    # -- values and scopes

    def define(self, name: str, value: Value, pos: int) -> None:
        scope = self.scopes[-1]
        if name in scope:
            raise self.error(f"redefinition of SSA value '%{name}'", pos)
        ref = self.forward.pop(name, None)
        if ref is not None:
            if ref.type != value.type:
                raise self.error(
                    f"'%{name}' defined with type {value.type} but used earlier as {ref.type}", ref.pos
                )
            ref.replace_all_uses_with(value)
        scope[name] = value

    def use(self, name: str, type_: Type, pos: int) -> Value:
        for scope in reversed(self.scopes):
            if name in scope:
                v = scope[name]
                if v.type != type_:
                    raise self.error(f"'%{name}' has type {v.type} but is used as {type_}", pos)
                return v
        ref = self.forward.get(name)
        if ref is None:
            ref = _ForwardRef(type_)
            ref.pos = pos
            self.forward[name] = ref
        elif ref.type != type_:
            raise self.error(f"'%{name}' used with types {ref.type} and {type_}", pos)
        return ref

    # -- ops

    def parse_op(self) -> Operation:
        self.ws()
        start = self.pos
        results: list[tuple[str, int, int]] = []
        if self.peek("%"):
            while True:
                rpos = self.pos
                self.expect("%")
                name = self.match(_SUFFIX_ID)
                if name is None:
                    raise self.error("expected a value name")
                count = 1
                if self.accept(":"):
                    count = int(self.match(_INT) or 0)
                results.append((name, count, rpos))
                if not self.accept(","):
                    break
            self.expect("=")
        self.ws()
        op_pos = self.pos
        if not self.peek('"'):
            raise self.error('expected an operation in generic form ("dialect.op"(...))')
        op_name = self.string()
        cls = lookup_op(op_name)
        if cls is None and not self.allow_unregistered:
            raise self.error(f"unknown operation '{op_name}' (no dialect registers it)", op_pos)
        self.expect("(")
        operand_refs: list[tuple[str, int]] = []
        if not self.accept(")"):
            while True:
                self.ws()
                operand_refs.append(self._value_ref())
                if self.accept(")"):
                    break
                self.expect(",", "',' or ')'")
        if self.peek("["):
            raise self.error("successor blocks are not supported")
        props: dict[str, Attribute] = {}
        if self.accept("<{"):
            props = self._attr_entries("}>")
        region_texts_pos = None
        regions: list[Region] = []
        if self.peek("("):
            region_texts_pos = self.pos
            self.expect("(")
            while True:
                regions.append(self.parse_region())
                if self.accept(")"):
                    break
                self.expect(",", "',' or ')'")
        del region_texts_pos
        attrs: dict[str, Attribute] = {}
        if self.accept("{"):
            attrs = self._attr_entries("}")
        self.expect(":", "':' and the op's function type")
        tpos = self.pos
        ftype = self.parse_type()
        if not isinstance(ftype, FunctionType):
            raise self.error("expected a function type '(operand types) -> result types'", tpos)
        if len(ftype.inputs) != len(operand_refs):
            raise self.error(
                f"'{op_name}' has {len(operand_refs)} operands but its type lists {len(ftype.inputs)}", tpos
            )
        nres = sum(c for _, c, _ in results)
        if results and nres != len(ftype.results):
            raise self.error(
                f"'{op_name}' defines {nres} results but its type lists {len(ftype.results)}", tpos
            )
        if not results and ftype.results:
            raise self.error(f"'{op_name}' has {len(ftype.results)} results that are not named", tpos)
        provenance = self._optional_location()
        operands = [self._resolve(name, t, pos) for (name, pos), t in zip(operand_refs, ftype.inputs)]
        if cls is None:
            op = Operation(operands, ftype.results, props, attrs, regions, provenance, name=op_name)
        else:
            op = cls(operands, ftype.results, props, attrs, regions, provenance)
        line, col = self.loc(start)
        op.source_loc = (self.file, line, col)
        k = 0
        for name, count, rpos in results:
            if count == 1:
                self.define(name, op.results[k], rpos)
            else:
                for j in range(count):
                    self.define(f"{name}#{j}", op.results[k + j], rpos)
            k += count
        return op

    def _value_ref(self) -> tuple[str, int]:
        pos = self.pos
        self.expect("%", "a value (%name)")
        name = self.match(_SUFFIX_ID)
        if name is None:
            raise self.error("expected a value name")
        if self.text.startswith("#", self.pos):
            self.pos += 1
            name += "#" + (self.match(_INT) or "")
        return name, pos

    def _resolve(self, name: str, t: Type, pos: int) -> Value:
        return self.use(name, t, pos)

    def _optional_location(self) -> tuple[str, ...]:
        if not self.keyword("loc"):
            return ()
        self.expect("(")
        names: list[str] = []
        if self.keyword("fused"):
            self.expect("[")
            while not self.accept("]"):
                names.append(self.string())
                self.accept(",")
        elif self.keyword("unknown"):
            pass
        else:
            names.append(self.string())
            if self.accept(":"):  # file:line:col locations: keep the file name only
                self.match(_INT)
                self.expect(":")
                self.match(_INT)
        self.expect(")")
        return tuple(names)

    @_nested
    def parse_region(self) -> Region:
        self.expect("{", "'{' to start a region")
        region = Region()
        self.scopes.append({})
        block: Block | None = None
        while not self.accept("}"):
            if self.peek("^"):
                self.expect("^")
                if self.match(_SUFFIX_ID) is None:
                    raise self.error("expected a block name")
                block = region.add_block(Block())
                if self.accept("("):
                    while not self.accept(")"):
                        apos = self.pos
                        self.expect("%")
                        aname = self.match(_SUFFIX_ID)
                        self.expect(":")
                        arg = block.add_argument(self.parse_type())
                        self.define(aname, arg, apos)
                        self.accept(",")
                self.expect(":")
                continue
            if self.pos >= len(self.text):
                raise self.error("expected '}' to close the region")
            if block is None:
                block = region.add_block(Block())
            block.append(self.parse_op())
        self.scopes.pop()
        return region

    # -- attributes

    def _attr_entries(self, close: str) -> dict[str, Attribute]:
        out: dict[str, Attribute] = {}
        if self.accept(close):
            return out
        while True:
            self.ws()
            npos = self.pos
            name = self.string() if self.peek('"') else self.match(_IDENT)
            if name is None:
                raise self.error("expected an attribute name")
            if name in out:
                raise self.error(f"duplicate attribute '{name}'", npos)
            out[name] = self.parse_attr() if self.accept("=") else UnitAttr()
            if self.accept(close):
                return out
            self.expect(",", f"',' or '{close}'")

    @_nested
    def parse_attr(self) -> Attribute:
        self.ws()
        pos = self.pos
        t = self.text
        if t.startswith('"', pos):
            return StringAttr(self.string())
        if t.startswith("[", pos):
            self.pos += 1
            items = []
            if not self.accept("]"):
                while True:
                    items.append(self.parse_attr())
                    if self.accept("]"):
                        break
                    self.expect(",", "',' or ']'")
            return ArrayAttr(tuple(items))
        if t.startswith("{", pos):
            self.pos += 1
            return DictionaryAttr.from_dict(self._attr_entries("}"))
        if t.startswith("@", pos):
            self.pos += 1
            return SymbolRefAttr(self.string() if self.peek('"') else self.match(_IDENT))
        if t.startswith("#", pos):
            return OpaqueAttr(self._balanced_opaque())
        if self.keyword("true"):
            return IntegerAttr(1, i1)
        if self.keyword("false"):
            return IntegerAttr(0, i1)
        if self.keyword("unit"):
            return UnitAttr()
        if self.keyword("dense_resource"):
            return self._dense_resource(pos)
        if self.keyword("dense"):
            return self._dense(pos)
        if self.keyword("array"):
            return self._dense_array()
        if self.keyword("affine_map"):
            self.expect("<")
            m = self.parse_affine_map()
            self.expect(">")
            return AffineMapAttr(m)
        num = self.match(_NUMBER)
        if num is not None:
            is_float = ("." in num or "e" in num.lower()) and not num.lower().startswith(("0x", "-0x"))
            if self.accept(":"):
                ty = self.parse_type()
            else:
                ty = f64 if is_float else i64
            if isinstance(ty, FloatType):
                return FloatAttr(parse_float(num, ty), ty)
            if is_float:
                raise self.error(f"float literal {num} with integer type {ty}", pos)
            value = int(num, 0)
            self._check_int(value, ty, pos)
            return IntegerAttr(value, ty)
        try:
            return TypeAttr(self.parse_type())
        except ParseError as e:
            if e.message.startswith("nesting deeper than"):
                raise
            raise self.error("expected an attribute value", pos) from None

    def _balanced_opaque(self) -> str:
        start = self.pos
        self.pos += 1
        self.match(_SUFFIX_ID)
        if self.text.startswith("<", self.pos):
            depth = 0
            while self.pos < len(self.text):
                c = self.text[self.pos]
                depth += c == "<"
                depth -= c == ">"
                self.pos += 1
                if depth == 0:
                    break
        return self.text[start : self.pos]

    def _dense_array(self) -> DenseArrayAttr:
        self.expect("<")
        et = self.parse_type()
        vals: list = []
        if self.accept(":"):
            while True:
                if self.keyword("true"):
                    vals.append(1)
                elif self.keyword("false"):
                    vals.append(0)
                else:
                    npos = self.pos
                    num = self.match(_NUMBER)
                    if num is None:
                        raise self.error("expected a number in array<...>")
                    if isinstance(et, FloatType):
                        vals.append(parse_float(num, et))
                    elif integer_bounds(et) is None:
                        raise self.error(f"array<{et}> needs an integer or float element type", npos)
                    elif ("." in num or "e" in num.lower()) and not num.lower().lstrip("-+").startswith("0x"):
                        raise self.error(f"float literal {num} in array<{et}>", npos)
                    else:
                        vals.append(int(num, 0))
                        self._check_int(vals[-1], et, npos)
                if not self.accept(","):
                    break
        self.expect(">")
        return DenseArrayAttr(et, tuple(vals))

    def _check_int(self, value: int, ty: Type, pos: int) -> None:
        bounds = integer_bounds(ty)
        if bounds is None:
            raise self.error(f"integer literal {value} with non-integer type {ty}", pos)
        if not bounds[0] <= value <= bounds[1]:
            raise self.error(
                f"integer literal {value} is out of range for {ty} ({bounds[0]} to {bounds[1]})", pos
            )

    def _dense(self, pos: int) -> DenseElementsAttr:
        self.expect("<")
        if self.peek('"'):
            hexpos = self.pos
            blob = self.string()
            self.expect(">")
            self.expect(":")
            ty = self._shaped_type()
            try:
                raw = bytes.fromhex(blob[2:])
            except ValueError:
                raise self.error('bad hex in dense<"0x...">', hexpos) from None
            return self._from_bytes(ty, raw, hexpos)
        body = self._dense_literal() if not self.peek(">") else []
        self.expect(">")
        self.expect(":")
        tpos = self.pos
        ty = self._shaped_type()
        dtype = to_numpy_dtype(ty.element_type)
        body = _decode_hex(body, ty.element_type)
        try:
            arr = np.array(body, dtype=dtype)
        except (ValueError, OverflowError):
            raise self.error(f"dense literal does not fit {ty}", tpos) from None
        if arr.ndim == 0 or (arr.size == 1 and arr.shape != ty.shape):
            arr = np.full(ty.shape, arr.reshape(()), dtype=dtype)
        elif arr.size == 0 and ty.num_elements == 0:  # `[]` or `dense<>` for any empty shape (0x0, 2x0...)
            arr = arr.reshape(ty.shape)
        if arr.shape != ty.shape:
            raise self.error(f"dense literal of shape {arr.shape} does not match {ty}", tpos)
        return DenseElementsAttr(ty, arr)

    @_nested
    def _dense_literal(self):
        if self.accept("["):
            items = []
            if not self.accept("]"):
                while True:
                    items.append(self._dense_literal())
                    if self.accept("]"):
                        break
                    self.expect(",", "',' or ']'")
            return items
        if self.keyword("true"):
            return True
        if self.keyword("false"):
            return False
        num = self.match(_NUMBER)
        if num is None:
            raise self.error("expected a number in dense<...>")
        if num.lower().lstrip("-+").startswith("0x"):
            return _HexFloat(num)
        return float(num) if ("." in num or "e" in num.lower()) else int(num)

    def _dense_resource(self, pos: int) -> DenseElementsAttr:
        self.expect("<")
        key = self.match(_SUFFIX_ID)
        self.expect(">")
        self.expect(":")
        ty = self._shaped_type()
        if key == ELIDED:
            raise self.error(
                "this constant was elided when printed (dense_resource<__elided__>); print without "
                "--elide-constants to get a file that parses",
                pos,
            )
        raw = self.resources.get(key)
        if raw is None:
            raise self.error(f"unknown resource '{key}' (missing from the dialect_resources section)", pos)
        return self._from_bytes(ty, raw, pos, key)

    def _from_bytes(self, ty: ShapedType, raw: bytes, pos: int, key: str = "") -> DenseElementsAttr:
        dtype = to_numpy_dtype(ty.element_type)
        n = ty.num_elements
        if len(raw) != n * dtype.itemsize:
            raise self.error(f"resource '{key}' holds {len(raw)} bytes; {ty} needs {n * dtype.itemsize}", pos)
        arr = np.frombuffer(raw, dtype=dtype.newbyteorder("<")).reshape(ty.shape)
        if arr.dtype != dtype:
            arr = arr.astype(dtype)
        return DenseElementsAttr(ty, arr, key)

    def _shaped_type(self) -> ShapedType:
        pos = self.pos
        t = self.parse_type()
        if not isinstance(t, ShapedType) or not t.has_static_shape:
            raise self.error(f"expected a statically shaped type, found {t}", pos)
        return t

    # -- affine maps

    def parse_affine_map(self) -> AffineMap:
        names: dict[str, AffineExpr] = {}
        self.expect("(")
        nd = 0
        while not self.accept(")"):
            names[self.match(_IDENT)] = AffineDim(nd)
            nd += 1
            self.accept(",")
        ns = 0
        if self.accept("["):
            while not self.accept("]"):
                names[self.match(_IDENT)] = AffineSym(ns)
                ns += 1
                self.accept(",")
        self.expect("->")
        self.expect("(")
        results = []
        while not self.accept(")"):
            results.append(self._affine_expr(names))
            self.accept(",")
        return AffineMap(nd, ns, tuple(results))

    @_nested
    def _affine_expr(self, names) -> AffineExpr:
        e = self._affine_term(names)
        while True:
            if self.accept("+"):
                e = e + self._affine_term(names)
            elif self.peek("-") and not self.peek("->"):
                self.expect("-")
                e = e - self._affine_term(names)
            else:
                return e

    def _affine_term(self, names) -> AffineExpr:
        e = self._affine_factor(names)
        while True:
            if self.accept("*"):
                e = e * self._affine_factor(names)
            elif self.keyword("floordiv"):
                e = AffineBinary("floordiv", e, self._affine_factor(names))
            elif self.keyword("ceildiv"):
                e = AffineBinary("ceildiv", e, self._affine_factor(names))
            elif self.keyword("mod"):
                e = AffineBinary("mod", e, self._affine_factor(names))
            else:
                return e

    @_nested
    def _affine_factor(self, names) -> AffineExpr:
        if self.accept("("):
            e = self._affine_expr(names)
            self.expect(")")
            return e
        if self.accept("-"):
            return self._affine_factor(names) * -1
        num = self.match(_INT)
        if num is not None:
            return AffineConst(int(num))
        pos = self.pos
        ident = self.match(_IDENT)
        if ident not in names:
            raise self.error(f"unknown identifier '{ident}' in affine expression", pos)
        return names[ident]

    # -- types

    @_nested
    def parse_type(self) -> Type:
        self.ws()
        pos = self.pos
        if self.accept("("):
            ins = []
            if not self.accept(")"):
                while True:
                    ins.append(self.parse_type())
                    if self.accept(")"):
                        break
                    self.expect(",", "',' or ')'")
            self.expect("->", "'->' in a function type")
            if self.peek("("):
                self.expect("(")
                outs = []
                if not self.accept(")"):
                    while True:
                        outs.append(self.parse_type())
                        if self.accept(")"):
                            break
                        self.expect(",", "',' or ')'")
                return FunctionType(tuple(ins), tuple(outs))
            return FunctionType(tuple(ins), (self.parse_type(),))
        for kw, cls in (("tensor", TensorType), ("memref", MemRefType), ("vector", VectorType)):
            if self.keyword(kw):
                self.expect("<")
                if cls is TensorType and self.accept("*"):
                    raise self.error("unranked tensors are not supported", pos)
                shape = []
                while True:
                    self.ws()
                    m = _DIM.match(self.text, self.pos)
                    if m is None:
                        neg = _NEG_DIM.match(self.text, self.pos)
                        if neg is not None:
                            raise self.error(
                                f"negative dimension {neg.group(0)[:-1]} in {kw} type "
                                "(sizes are >= 0, or ? for dynamic)"
                            )
                        break
                    shape.append(DYNAMIC if m.group(1) == "?" else int(m.group(1)))
                    self.pos = m.end()
                et = self.parse_type()
                self.expect(">")
                t = cls(tuple(shape), et)
                problem = type_problem(t)
                if problem:
                    raise self.error(problem, pos)
                return t
        word = self.match(_SCALAR_TYPE)
        if word is None:
            found = self.text[pos : pos + 12].split("\n")[0]
            raise self.error(f"expected a type, found '{found}'", pos)
        t = _scalar_type(word)
        problem = type_problem(t)
        if problem:
            raise self.error(problem, pos)
        return t


class _HexFloat(float):
    """A float given as an IEEE bit pattern in a dense literal (inf/nan); decoded with the element type."""

    def __new__(cls, text: str):
        obj = super().__new__(cls, float.fromhex("0x0"))
        obj.text = text
        return obj


def _decode_hex(body, et: Type):
    if isinstance(body, list):
        return [_decode_hex(b, et) for b in body]
    if isinstance(body, _HexFloat):
        return parse_float(body.text, et)
    return body


def _scalar_type(word: str) -> Type:
    if word in ("f16", "bf16", "f32", "f64"):
        return FloatType(word)
    if word == "index":
        return IndexType()
    if word == "none":
        return NoneType()
    sign = word[0] if word[0] in "su" else ""
    return IntegerType(int(word[len(sign) + 1 :]), sign)


def parse_module(text: str, filename: str = "<string>", allow_unregistered: bool = False) -> Operation:
    """Parses MLIR generic text into a `builtin.module` (wrapping top-level ops if needed)."""
    return Parser(text, filename, allow_unregistered).parse_module()


def parse_file(path: str | Path, allow_unregistered: bool = False) -> Operation:
    p = Path(path)
    try:
        text = p.read_text()
    except UnicodeDecodeError:
        raise ParseError("not a text file (expected MLIR generic syntax)", str(p), 1, 1) from None
    except OSError as e:
        raise ParseError(f"cannot read file: {e.strerror}", str(p), 0, 0) from None
    if _WS.fullmatch(text):
        raise ParseError("no module: the file is empty (expected MLIR generic syntax)", str(p), 1, 1)
    return parse_module(text, str(p), allow_unregistered)


def parse_type(text: str) -> Type:
    p = Parser(text)
    t = p.parse_type()
    p.ws()
    if p.pos != len(p.text):
        raise p.error("unexpected text after type")
    return t


def parse_attribute(text: str) -> Attribute:
    p = Parser(text)
    a = p.parse_attr()
    p.ws()
    if p.pos != len(p.text):
        raise p.error("unexpected text after attribute")
    return a
