"""The pass registry: pass classes by name, and named pipelines (-O0, -O1, -O2, ...)."""

from __future__ import annotations

from collections.abc import Callable

from passes.pass_base import Pass

_PASSES: dict[str, type[Pass]] = {}
_NAMED_PIPELINES: dict[str, tuple[str, str]] = {}  # name -> (pipeline text, summary)
_PIPELINE_OPTIONS: dict[str, tuple[str, ...]] = {}  # name -> options it forwards to its passes


def register_pass(cls: type[Pass]) -> type[Pass]:
    """Class decorator: makes the pass available to pipelines by its `name`."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    _PASSES[cls.name] = cls
    return cls


def register_pipeline(name: str, text: str, summary: str = "", options: tuple[str, ...] = ()) -> None:
    """Names a pipeline; the name may appear as an element of other pipelines and expands in place.

    `options` (pipeline spelling, e.g. ("target",)) may be given where it is used, as
    `name{target=cpu}`: each is forwarded to every pass of the expansion that declares that option."""
    _NAMED_PIPELINES[name] = (text, summary)
    _PIPELINE_OPTIONS[name] = tuple(options)


def lookup_pass(name: str) -> type[Pass] | None:
    _load_builtin_passes()
    return _PASSES.get(name)


def lookup_pipeline(name: str) -> str | None:
    _load_builtin_passes()
    entry = _NAMED_PIPELINES.get(name) or _NAMED_PIPELINES.get(name.lstrip("-"))
    return entry[0] if entry else None


def lookup_pipeline_options(name: str) -> tuple[str, ...]:
    """The options a named pipeline forwards to its passes (empty when none or unknown)."""
    _load_builtin_passes()
    key = name if name in _NAMED_PIPELINES else name.lstrip("-")
    return _PIPELINE_OPTIONS.get(key, ())


def all_passes() -> dict[str, type[Pass]]:
    _load_builtin_passes()
    return dict(sorted(_PASSES.items()))


def all_pipelines() -> dict[str, tuple[str, str]]:
    _load_builtin_passes()
    return dict(sorted(_NAMED_PIPELINES.items()))


_loaded = False
_LOADERS: list[Callable[[], None]] = []


def _load_builtin_passes() -> None:
    """Imports the pass modules of this package once (they register themselves)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    import passes

    for sub in ("generic", "graph", "tensor", "loop", "lowering", "bufferize"):
        try:
            pkg = importlib.import_module(f"passes.{sub}")
        except ImportError:
            continue
        for m in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"passes.{sub}.{m.name}")
    importlib.import_module("passes.named_pipelines")
    for loader in _LOADERS:
        loader()
    del passes


_PATTERN_SETS: dict[str, list] = {}


def register_patterns(owner: str, patterns: list) -> list:
    """Records the patterns a pass uses (for `--list-patterns` and enable/disable by name)."""
    _PATTERN_SETS.setdefault(owner, [])
    known = {p.name for p in _PATTERN_SETS[owner]}
    _PATTERN_SETS[owner].extend(p for p in patterns if p.name not in known)
    return patterns


def all_pattern_sets() -> dict[str, list]:
    _load_builtin_passes()
    return dict(sorted(_PATTERN_SETS.items()))
