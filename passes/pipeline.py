"""MLIR's textual pass-pipeline grammar: parse, resolve against the registry, print (round trip).

    builtin.module(canonicalize, fold-constants, fuse{max-ops=8}, dce)
    builtin.module(func.func(cse), -O2)

An element is a pass (`name` with options `{key=value key2=value}`), an op-anchored nested pipeline
(`func.func(...)`), or a named pipeline (`-O2`, `O2`, `compile-O2{target=cpu}`) that expands in place;
a named pipeline's options (declared when it is registered) are forwarded to every pass of its
expansion that declares an option of that name. Printing never shows named pipelines, only the passes
they expanded to; `print_pipeline(p, all_options=True)` prints every option of every pass.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any

from ir.errors import UserError
from passes.pass_base import Pass, option_name
from passes.registry import lookup_pass, lookup_pipeline, lookup_pipeline_options


class PipelineError(UserError):
    """A bad pipeline: one line with the column of the problem."""

    def __init__(self, message: str, text: str, col: int):
        self.message, self.text, self.col = message, text, col
        shown = text
        if len(text) > 160:  # a long pipeline: the part around the problem
            lo, hi = max(0, col - 80), min(len(text), col + 40)
            shown = ("..." if lo else "") + text[lo:hi] + ("..." if hi < len(text) else "")
        super().__init__(f'pipeline:1:{col}: error: {message} (in "{shown}")')


@dataclass
class OpPipeline:
    """Passes run on ops named `anchor` (direct children of the enclosing anchor, or the root)."""

    anchor: str
    items: list[Pass | OpPipeline] = field(default_factory=list)

    def __str__(self) -> str:
        return print_pipeline(self)

    def passes(self) -> list[Pass]:
        """Every pass, in order, flattened across nesting."""
        out: list[Pass] = []
        for it in self.items:
            out.extend(it.passes() if isinstance(it, OpPipeline) else [it])
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, OpPipeline) and str(self) == str(other)


# ----------------------------------------------------------------------------- printing


def format_option_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return ",".join(format_option_value(x) for x in v) or "''"
    s = str(v)
    if any(c in s for c in " {}(),=") or s == "":
        return "'" + s.replace("'", "\\'") + "'"
    return s


def print_pass(p: Pass, all_options: bool = False) -> str:
    opts = p.non_default_options()
    explicit = getattr(p, "_explicit", ())
    if all_options:
        opts = {f.name: getattr(p, f.name) for f in p.options()}
    elif explicit:
        opts = {f.name: getattr(p, f.name) for f in p.options() if f.name in opts or f.name in explicit}
    if not opts:
        return p.name
    body = " ".join(f"{option_name(k)}={format_option_value(v)}" for k, v in opts.items())
    return f"{p.name}{{{body}}}"


def print_pipeline(pl: OpPipeline, all_options: bool = False) -> str:
    """The pipeline's text; with `all_options`, every option of every pass (defaults too)."""
    inner = ", ".join(
        print_pipeline(i, all_options) if isinstance(i, OpPipeline) else print_pass(i, all_options)
        for i in pl.items
    )
    return f"{pl.anchor}({inner})"


# ----------------------------------------------------------------------------- parsing


MAX_PIPELINE_NESTING = 32
"""How deeply op-anchored pipelines may nest (`builtin.module(func.func(...))` is 2 levels)."""


def _check_anchor(name: str) -> str | None:
    """Why `name` cannot anchor a nested pipeline (it must name a registered op), or None."""
    import ir.dialects  # noqa: F401 - registers the ops
    from ir.core import lookup_op

    if lookup_op(name) is not None:
        return None
    return f"unknown anchor '{name}': a nested pipeline is anchored on an op name such as builtin.module or func.func"


class _Parser:
    def __init__(self, text: str, depth: int = 0):
        self.text, self.pos, self.depth = text, 0, depth
        self.nesting = 0

    def error(self, msg: str, pos: int | None = None) -> PipelineError:
        return PipelineError(msg, self.text, (self.pos if pos is None else pos) + 1)

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, c: str, what: str) -> None:
        if self.peek() != c:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "end of pipeline"
            raise self.error(f"expected '{c}' {what}, found {found}")
        self.pos += 1

    def ident(self) -> tuple[str, int]:
        self.ws()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_-.$"):
            self.pos += 1
        if start == self.pos:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "end of pipeline"
            raise self.error(f"expected a pass or op name, found {found}")
        return self.text[start : self.pos], start

    def top(self) -> OpPipeline:
        self.ws()
        if not self.text.strip():
            return OpPipeline("builtin.module", [])
        save = self.pos
        name, start = self.ident()
        if self.peek() == "(" and lookup_pass(name) is None and lookup_pipeline(name) is None:
            self.pos += 1
            pl = OpPipeline(name, self.nested(name, start))
            self.expect(")", f"to close '{name}(' opened at column {start + 1}")
        else:  # a bare list of passes: anchored on the module
            self.pos = save
            pl = OpPipeline("builtin.module", self.items("", None))
        if self.peek():
            if self.peek() == ")":
                raise self.error("unbalanced ')': no '(' is open here")
            raise self.error(f"unexpected {self.peek()!r} after the pipeline")
        return pl

    def nested(self, anchor: str, start: int) -> list:
        """The items of `anchor(...)` (after its '('), one level of nesting deeper."""
        problem = _check_anchor(anchor)
        if problem:
            raise self.error(problem, start)
        if self.nesting >= MAX_PIPELINE_NESTING:
            raise self.error(f"pipeline nesting deeper than {MAX_PIPELINE_NESTING} levels", start)
        self.nesting += 1
        try:
            return self.items(")", start)
        finally:
            self.nesting -= 1

    def items(self, closer: str, open_pos: int | None) -> list:
        out: list = []
        if self.peek() == closer and closer:
            return out
        while True:
            out.extend(self.element(open_pos))
            c = self.peek()
            if c == ",":
                self.pos += 1
                continue
            if c == closer or (not closer and c in ("", ")")):
                return out
            if c == "":
                raise self.error(f"unbalanced '(': missing ')' for the '(' at column {open_pos + 1}")
            raise self.error(f"expected ',' or '{closer or 'end'}', found {c!r}")

    def element(self, open_pos: int | None) -> list:
        name, start = self.ident()
        c = self.peek()
        if c == "(":
            if lookup_pass(name) is not None:
                raise self.error(f"'{name}' is a pass, not an op name: options go in braces", start)
            self.pos += 1
            pl = OpPipeline(name, self.nested(name, start))
            self.expect(")", f"to close '{name}(' opened at column {start + 1}")
            return [pl]
        cls = lookup_pass(name)
        if cls is None:
            named = lookup_pipeline(name)
            if named is not None:
                forwarded: dict[str, str] = {}
                if c == "{":
                    self.pos += 1
                    forwarded = self.pipeline_options(name)
                if self.depth > 8:
                    raise self.error(f"named pipeline '{name}' expands into itself", start)
                sub = _Parser(named, self.depth + 1).top()
                return [self.forward(it, forwarded, name, start) for it in sub.items]
            raise self.error(f"unknown pass '{name}' (see 'ziggurat opt --list-passes')", start)
        opts: dict[str, Any] = {}
        if c == "{":
            self.pos += 1
            opts = self.options(cls, name)
        try:
            inst = cls(**opts)
            object.__setattr__(inst, "_explicit", tuple(opts))  # printed back even when equal to the default
            return [inst]
        except (TypeError, ValueError) as e:
            raise self.error(f"bad options for pass '{name}': {e}", start) from None

    def pipeline_options(self, name: str) -> dict[str, str]:
        """`{key=value ...}` of named pipeline `name` (after its '{'): raw values by option name."""
        known = lookup_pipeline_options(name)
        out: dict[str, str] = {}
        while True:
            c = self.peek()
            if c == "}":
                self.pos += 1
                return out
            if c in ("", ")", "(", ","):
                raise self.error(f"unbalanced '{{': missing '}}' to close the options of '{name}'")
            key, kpos = self.ident()
            if key not in known:
                names = ", ".join(known) or "none"
                raise self.error(f"named pipeline '{name}' has no option '{key}' (options: {names})", kpos)
            self.expect("=", f"after option '{key}'")
            out[key] = self.value()

    def forward(self, item, opts: dict[str, str], name: str, start: int):
        """`item` (a pass or nested pipeline) with named pipeline `name`'s options set on every pass
        that declares them (printed back as explicit options)."""
        if not opts:
            return item
        if isinstance(item, OpPipeline):
            return OpPipeline(item.anchor, [self.forward(i, opts, name, start) for i in item.items])
        fields = {option_name(f.name): f.name for f in item.options()}
        hints = typing.get_type_hints(type(item))
        change = {}
        for key, raw in opts.items():
            if key in fields:
                try:
                    change[fields[key]] = convert_option(raw, hints.get(fields[key], str))
                except ValueError as e:
                    raise self.error(
                        f"bad value '{raw}' for option '{key}' of '{name}': {e}", start
                    ) from None
        if not change:
            return item
        try:
            new = dataclasses.replace(item, **change)
        except (TypeError, ValueError) as e:
            raise self.error(f"bad options for '{name}' (pass '{item.name}'): {e}", start) from None
        explicit = tuple(getattr(item, "_explicit", ())) + tuple(
            k for k in change if k not in getattr(item, "_explicit", ())
        )
        object.__setattr__(new, "_explicit", explicit)
        return new

    def options(self, cls: type[Pass], pass_name: str) -> dict[str, Any]:
        fields = {option_name(f.name): f for f in cls.options()}
        hints = typing.get_type_hints(cls)
        out: dict[str, Any] = {}
        while True:
            c = self.peek()
            if c == "}":
                self.pos += 1
                return out
            if c in ("", ")", "(", ","):
                raise self.error(f"unbalanced '{{': missing '}}' to close the options of '{pass_name}'")
            key, kpos = self.ident()
            f = fields.get(key)
            if f is None:
                known = ", ".join(fields) or "none"
                raise self.error(f"pass '{pass_name}' has no option '{key}' (options: {known})", kpos)
            self.expect("=", f"after option '{key}'")
            self.ws()
            vpos = self.pos
            raw = self.value()
            try:
                out[f.name] = convert_option(raw, hints.get(f.name, str))
            except ValueError as e:
                raise self.error(
                    f"bad value '{raw}' for option '{key}' of '{pass_name}': {e}", vpos
                ) from None

    def value(self) -> str:
        self.ws()
        if self.pos < len(self.text) and self.text[self.pos] in "'\"":
            q = self.text[self.pos]
            start = self.pos
            self.pos += 1
            buf = []
            while self.pos < len(self.text) and self.text[self.pos] != q:
                if self.text[self.pos] == "\\" and self.pos + 1 < len(self.text):
                    self.pos += 1
                buf.append(self.text[self.pos])
                self.pos += 1
            if self.pos >= len(self.text):
                raise self.error("unterminated quoted option value", start)
            self.pos += 1
            return "".join(buf)
        start = self.pos
        depth = 0
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (ch.isspace() or ch == "}"):
                break
            self.pos += 1
        return self.text[start : self.pos]


def convert_option(raw: str, hint: Any) -> Any:
    """Pipeline option text -> the Python value the field's type hint asks for."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        non_none = [a for a in args if a is not type(None)]
        if raw in ("none", "None", ""):
            return None
        return convert_option(raw, non_none[0])
    if origin in (tuple, list):
        elem = args[0] if args else str
        parts = [p for p in raw.strip("[]").split(",") if p.strip()]
        return tuple(convert_option(p.strip(), elem) for p in parts)
    if hint is bool:
        if raw.lower() in ("true", "1", "on", "yes"):
            return True
        if raw.lower() in ("false", "0", "off", "no"):
            return False
        raise ValueError("expected true or false")
    if hint is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError("expected an integer") from None
    if hint is float:
        try:
            return float(raw)
        except ValueError:
            raise ValueError("expected a number") from None
    return raw


def parse_pipeline(text: str) -> OpPipeline:
    """Parses (and resolves) a pipeline; raises PipelineError with the column of the first problem."""
    return _Parser(text.strip()).top()


def pipeline_of(passes: list[Pass], anchor: str = "builtin.module") -> OpPipeline:
    return OpPipeline(anchor, list(passes))


__all__ = ["OpPipeline", "PipelineError", "parse_pipeline", "print_pipeline", "print_pass", "pipeline_of"]
