"""The Pass base class and the context a pipeline run shares between its passes."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ir.core import Operation
from ir.errors import UserError
from ir.rewriter import RewriteListener


class RewriteBudget:
    """A shared count of rewrites for `--rewrite-limit N`: only the first N rewrites are applied.

    Every applied rewrite is logged (index, pattern or pass, op name, provenance) so a bisection can
    name the single rewrite that made results drift."""

    def __init__(self, limit: int | None = None):
        self.limit = limit
        self.used = 0
        self.log: list[tuple[int, str, str, tuple[str, ...]]] = []
        self.refused = 0

    @property
    def exhausted(self) -> bool:
        """True when no more rewrites may be applied (counts the refusal)."""
        if self.limit is not None and self.used >= self.limit:
            self.refused += 1
            return True
        return False

    def record(self, what: str, op: Operation | None = None) -> None:
        """Counts one applied rewrite (after `exhausted` said it may go ahead)."""
        self.used += 1
        self.log.append((self.used, what, op.name if op is not None else "", op.provenance if op else ()))

    def allow(self, what: str, op: Operation | None = None) -> bool:
        """True (and counts it) when one more rewrite may be applied."""
        if self.limit is not None and self.used >= self.limit:
            self.refused += 1
            return False
        self.used += 1
        self.log.append((self.used, what, op.name if op is not None else "", op.provenance if op else ()))
        return True

    @property
    def last(self) -> str:
        if not self.log:
            return "no rewrite applied"
        n, what, name, prov = self.log[-1]
        where = f" (onnx node {', '.join(repr(p) for p in prov)})" if prov else ""
        return f"rewrite #{n}: {what} on {name}{where}"


@dataclass
class PassContext:
    """State shared by the passes of one run: rewrite budget, statistics, listeners, a trace."""

    budget: RewriteBudget = field(default_factory=RewriteBudget)
    listeners: list[RewriteListener] = field(default_factory=list)
    pattern_stats: Counter = field(default_factory=Counter)  # "pass/pattern" -> applications
    pass_stats: dict[str, Counter] = field(default_factory=dict)  # pass -> counter name -> count
    trace: Any = None  # callable(str) or None
    current_pass: str = ""

    def stat(self, key: str, n: int = 1) -> None:
        """Adds `n` to statistic `key` of the running pass."""
        self.pass_stats.setdefault(self.current_pass or "?", Counter())[key] += n

    def log(self, msg: str) -> None:
        if self.trace is not None:
            self.trace(msg)


class PassError(UserError):
    """A pass could not do its job on valid input (reported as one line)."""


class OptionError(UserError, ValueError):
    """A pass option outside its declared range (a ValueError, so pipelines report it with a column)."""


def ranged(
    default: Any = dataclasses.MISSING,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    default_factory: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field for a numeric pass option (or a list of numbers) with a declared range,
    checked when the pass is constructed: `factor: int = ranged(4, minimum=1)`."""
    meta = {"range": (minimum, maximum)}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


OPTION_RANGES: dict[str, dict[str, tuple[float | None, float | None]]] = {
    # Ranges of passes whose modules do not declare them with `ranged` (pass -> field -> (min, max)).
    "apply-patterns": {"max_iterations": (1, None)},
    "canonicalize": {"max_iterations": (1, None)},
    "fold-constants": {"max_elements": (0, None)},
    "fuse": {"max_ops": (1, None)},
    "plan-memory": {"alignment": (1, 1 << 20)},
}


def option_range(cls: type, f: dataclasses.Field) -> tuple[float | None, float | None] | None:
    """The declared (minimum, maximum) of option `f` of pass class `cls`, or None."""
    r = f.metadata.get("range") if f.metadata else None
    if r is None:
        r = OPTION_RANGES.get(getattr(cls, "name", ""), {}).get(f.name)
    return r


def check_option_ranges(p: Any) -> None:
    """Raises OptionError naming the first option of pass `p` outside its declared range."""
    for f in dataclasses.fields(p):
        r = option_range(type(p), f)
        if r is None:
            continue
        lo, hi = r
        v = getattr(p, f.name)
        values = v if isinstance(v, (tuple, list)) else (v,)
        for x in values:
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                continue
            if (lo is not None and x < lo) or (hi is not None and x > hi):
                if lo is not None and hi is not None:
                    want = f"between {lo} and {hi}"
                elif lo is not None:
                    want = f">= {lo}"
                else:
                    want = f"<= {hi}"
                each = "each value of " if isinstance(v, (tuple, list)) else ""
                raise OptionError(f"{each}option '{option_name(f.name)}' must be {want}, got {x}")


@dataclass(frozen=True)
class Pass:
    """A pass: stateless; its dataclass fields are its options (spelled kebab-case in pipelines).

    Subclasses set `name` and `summary` and implement `run(op, ctx) -> bool` (whether IR changed).
    `anchor` names the op kind the pass expects to run on (None: any op; it walks what is inside)."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    anchor: ClassVar[str | None] = None

    def __post_init__(self) -> None:
        check_option_ranges(self)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own `__post_init__` still gets its option ranges checked (first)."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__post_init__")
        if own is not None and not getattr(own, "_checks_ranges", False):

            def __post_init__(self, _own=own) -> None:  # noqa: N807
                check_option_ranges(self)
                _own(self)

            __post_init__._checks_ranges = True  # type: ignore[attr-defined]
            __post_init__.__doc__ = own.__doc__
            cls.__post_init__ = __post_init__  # type: ignore[method-assign]

    def run(self, op: Operation, ctx: PassContext) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def options(cls) -> list[dataclasses.Field]:
        return [f for f in dataclasses.fields(cls) if not f.name.startswith("_")]

    def non_default_options(self) -> dict[str, Any]:
        out = {}
        for f in self.options():
            v = getattr(self, f.name)
            default = f.default if f.default is not dataclasses.MISSING else None
            if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                default = f.default_factory()  # type: ignore[misc]
            if v != default:
                out[f.name] = v
        return out


def option_name(field_name: str) -> str:
    """Python field name -> pipeline option name (`max_ops` -> `max-ops`)."""
    return field_name.replace("_", "-")


def func_ops(op: Operation) -> list[Operation]:
    """The func.func ops a pass should transform: `op` itself if it is one, else those nested in it."""
    if op.name == "func.func":
        return [op]
    return [o for o in op.walk() if o.name == "func.func"]


COMPILE_TARGETS = ("cpu",)
"""Targets the loop-level passes that take a `target` option know (named pipelines forward it)."""


def check_target(pass_name: str, target: str, supported: tuple[str, ...] = COMPILE_TARGETS) -> None:
    """Raises ValueError (a bad-option error in a pipeline) unless `target` is one `pass_name` handles:
    one of `supported`, or (for the CPU) a CPU preset of ir/target.py such as zen3 or emerald-rapids."""
    from ir.target import cpu_preset

    if target not in supported and "cpu" in supported:
        try:
            cpu_preset(target)
            return
        except ValueError:
            pass
    if target not in supported:
        raise ValueError(
            f"{pass_name} does not support target '{target}' (available: {', '.join(supported)})"
        )
