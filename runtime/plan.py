"""The execution plan an engine carries: buffers, kernels and the launch list, as plain JSON-able data.

Every kernel has one C ABI, so the runtime calls them all the same way:
    void kernel(void **args, int64_t start, int64_t end)
`args` points at the launch's buffers in order; [start, end) is the slice of the kernel's outermost
parallel range this call computes (the whole range when run on one thread).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

BUFFER_KINDS = ("input", "output", "weight", "activation")


@dataclass
class BufferSpec:
    """A tensor the plan touches. Activations live at `offset` in a per-context arena; weights come from
    the engine section `section`; inputs and outputs are owned by each context. A buffer with `alias_of`
    is a view (same bytes, another shape) of that buffer and owns no memory."""

    name: str
    dtype: str
    shape: list[int]
    kind: str
    offset: int = 0
    section: str = ""
    alias_of: str = ""

    @property
    def nbytes(self) -> int:
        import numpy as np

        n = int(np.dtype(self.dtype).itemsize)
        for d in self.shape:
            n *= int(d)
        return n


@dataclass
class Launch:
    """One kernel call: symbol name, buffer arguments, and its parallel range (1 = serial)."""

    kernel: str
    args: list[str]
    range: int = 1
    name: str = ""
    provenance: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Everything needed to run a compiled model, besides the object code and the weights' bytes."""

    inputs: list[str]
    outputs: list[str]
    buffers: dict[str, BufferSpec]
    launches: list[Launch]
    arena_bytes: int = 0
    libraries: list[str] = field(default_factory=list)
    target: dict = field(default_factory=dict)
    threads: int = 1
    kernels: dict[str, dict] = field(default_factory=dict)
    """Per kernel symbol, its signature: ``{"arity": n, "arg_bytes": [...], "range": r}`` (what the kernel
    was compiled for: argument count, bytes each argument points at, its parallel range). Codegen also
    stores it in the object code (``<kernel>.zg_signature``), so the loader checks the two agree."""

    def to_json(self) -> dict:
        d = asdict(self)
        d["buffers"] = [asdict(b) for b in self.buffers.values()]
        return d

    @staticmethod
    def from_json(d: dict) -> Plan:
        buffers = {b["name"]: BufferSpec(**b) for b in d["buffers"]}
        launches = [Launch(**launch) for launch in d["launches"]]
        return Plan(
            d["inputs"],
            d["outputs"],
            buffers,
            launches,
            d.get("arena_bytes", 0),
            d.get("libraries", []),
            d.get("target", {}),
            d.get("threads", 1),
            d.get("kernels", {}),
        )

    def validate(self) -> None:
        """Raises ValueError (one line) when the plan is not self-consistent: unknown buffers or kinds,
        shapes and dtypes that do not fit, activations outside the arena, launches with the wrong number
        of arguments, buffers smaller than the kernel reads, or a bad parallel range."""
        import numpy as np

        if not isinstance(self.arena_bytes, int) or self.arena_bytes < 0:
            raise ValueError(f"arena size {self.arena_bytes!r} is not a byte count")
        for b in self.buffers.values():
            if b.kind not in BUFFER_KINDS:
                raise ValueError(f"buffer {b.name}: unknown kind {b.kind!r}")
            try:
                np.dtype(b.dtype)
            except TypeError:
                raise ValueError(f"buffer {b.name}: unknown dtype {b.dtype!r}") from None
            if not isinstance(b.shape, list) or not all(isinstance(d, int) and d >= 0 for d in b.shape):
                raise ValueError(f"buffer {b.name}: bad shape {b.shape!r}")
            if not isinstance(b.offset, int) or b.offset < 0:
                raise ValueError(f"buffer {b.name}: bad offset {b.offset!r}")
        for name in self.inputs:
            if name not in self.buffers or self.buffers[name].kind != "input":
                raise ValueError(f"plan input {name!r} is not an input buffer")
        for name in self.outputs:
            if name not in self.buffers or self.buffers[name].kind not in ("output", "input"):
                raise ValueError(f"plan output {name!r} is not an output buffer")
        for b in self.buffers.values():
            if b.alias_of:
                root = self.buffers.get(b.alias_of)
                if root is None:
                    raise ValueError(f"buffer {b.name} aliases unknown buffer {b.alias_of!r}")
                if b.nbytes > root.nbytes:
                    raise ValueError(
                        f"buffer {b.name} ({b.nbytes} bytes) is a view of {root.name} ({root.nbytes} bytes)"
                    )
            elif b.kind == "activation" and b.offset + b.nbytes > self.arena_bytes:
                raise ValueError(
                    f"activation {b.name} [{b.offset}, {b.offset + b.nbytes}) lies outside the "
                    f"{self.arena_bytes}-byte arena"
                )
        for launch in self.launches:
            if not isinstance(launch.range, int) or launch.range < 1:
                raise ValueError(f"launch {launch.kernel} has parallel range {launch.range!r} (must be >= 1)")
            for a in launch.args:
                if a not in self.buffers:
                    raise ValueError(f"launch {launch.kernel} uses unknown buffer {a!r}")
            sig = self.kernels.get(launch.kernel)
            if sig is None:
                if self.kernels:
                    raise ValueError(f"launch {launch.kernel} names a kernel the plan does not list")
                continue  # a hand-made plan without a kernel table: nothing more to check
            if len(launch.args) != sig.get("arity"):
                raise ValueError(
                    f"launch {launch.kernel} passes {len(launch.args)} arguments, "
                    f"the kernel takes {sig.get('arity')}"
                )
            for i, (a, need) in enumerate(zip(launch.args, sig.get("arg_bytes", []), strict=False)):
                if self.buffers[a].nbytes != need:
                    raise ValueError(
                        f"launch {launch.kernel} argument {i} ({a}) has {self.buffers[a].nbytes} bytes, "
                        f"the kernel was compiled for {need}"
                    )
            if launch.range != sig.get("range", 1):
                raise ValueError(
                    f"launch {launch.kernel} has parallel range {launch.range}, "
                    f"the kernel was compiled for {sig.get('range', 1)}"
                )
