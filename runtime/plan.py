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
        )

    def validate(self) -> None:
        """Raises ValueError when the plan refers to unknown buffers or has bad kinds."""
        for b in self.buffers.values():
            if b.kind not in BUFFER_KINDS:
                raise ValueError(f"buffer {b.name}: unknown kind {b.kind!r}")
        for name in self.inputs + self.outputs:
            if name not in self.buffers:
                raise ValueError(f"plan names unknown buffer {name!r}")
        for b in self.buffers.values():
            if b.alias_of and b.alias_of not in self.buffers:
                raise ValueError(f"buffer {b.name} aliases unknown buffer {b.alias_of!r}")
        for launch in self.launches:
            for a in launch.args:
                if a not in self.buffers:
                    raise ValueError(f"launch {launch.kernel} uses unknown buffer {a!r}")
