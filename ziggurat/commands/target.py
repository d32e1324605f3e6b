"""`ziggurat target`: print the target description code generation reads (host CPU, a preset or an SM)."""

from __future__ import annotations

import json
import sys

from ir.errors import UserError


def register(sub) -> None:
    p = sub.add_parser(
        "target", help="describe the target hardware (CPU features, vectors, caches; GPU limits)"
    )
    p.add_argument("--target", choices=["cpu", "cuda"], default=None, help="cpu (default) or cuda")
    p.add_argument("--sm", metavar="90", help="the GPU architecture for --target cuda (80, 86, 89, 90)")
    p.add_argument(
        "--preset",
        metavar="NAME",
        default="host",
        help="a CPU description: host (default), zen3 or emerald-rapids",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from ir.target import cpu_preset, gpu

    kind = args.target or ("cuda" if args.sm else "cpu")
    if kind == "cpu":
        if args.sm:
            raise UserError("--sm describes a GPU; use it with --target cuda")
        t = cpu_preset(args.preset)
        header, lines = _cpu_lines(t)
    else:
        if args.preset != "host":
            raise UserError("--preset describes a CPU; use --sm with --target cuda")
        t = gpu(args.sm or 90)
        header, lines = _gpu_lines(t)
    if args.json:
        sys.stdout.write(json.dumps(t.to_json(), sort_keys=True) + "\n")
        return 0
    sys.stdout.write(header + "\n")
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        sys.stdout.write(f"  {k:<{width}}  {v}\n")
    return 0


def _size(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def _cpu_lines(t) -> tuple[str, list[tuple[str, str]]]:
    header = f"{t.name}: {t.isa} CPU {t.cpu_name} ({t.triple})"
    return header, [
        ("vector width", f"{t.vector_bits} bits ({t.vector_floats} x f32)"),
        ("vector registers", str(t.vector_registers)),
        ("FMA units", f"{t.fma_units} per core (model)" if t.has_fma else "none (model: 1 pipe)"),
        ("peak f32", f"{t.peak_flops_per_cycle} FLOP/cycle per core"),
        ("L1d", f"{_size(t.l1d)} per core"),
        ("L2", f"{_size(t.l2)} per core"),
        ("L3", f"{_size(t.l3)} shared"),
        ("cores", str(t.cores)),
        ("special units", ", ".join(t.special_units) or "none"),
        ("features", f"{len(t.features)}: {' '.join(sorted(t.features))}"),
        ("fingerprint", t.fingerprint()),
    ]


def _gpu_lines(t) -> tuple[str, list[tuple[str, str]]]:
    header = f"{t.name}: NVPTX {t.arch}, PTX ISA {t.ptx_version // 10}.{t.ptx_version % 10}"
    tc = (
        f"generation {t.tensor_core_generation}: {', '.join(t.tensor_core_types)}"
        if t.tensor_cores
        else "none"
    )
    return header, [
        ("warp size", str(t.warp_size)),
        ("threads per block", f"{t.max_threads_per_block} max"),
        ("threads per SM", f"{t.max_threads_per_sm} max ({t.max_warps_per_sm} warps)"),
        ("blocks per SM", f"{t.max_blocks_per_sm} max"),
        (
            "shared memory per block",
            f"{_size(t.shared_memory_per_block)} ({_size(t.shared_memory_per_block_optin)} opt-in)",
        ),
        ("shared memory per SM", _size(t.shared_memory_per_sm)),
        ("registers per SM", str(t.registers_per_sm)),
        ("registers per block", str(t.registers_per_block)),
        ("registers per thread", f"{t.registers_per_thread} max"),
        ("tensor cores", tc),
        ("fingerprint", t.fingerprint()),
    ]
