"""`ziggurat fuzz`: a differential campaign: random graph models through the interpreter, onnxruntime and
the compiled targets, until the time runs out. Each mismatch is shrunk by hypothesis and saved to --out."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ir.errors import UserError


def register(sub) -> None:
    p = sub.add_parser(
        "fuzz", help="differential fuzzing: random models, interpreter vs onnxruntime vs compiled targets"
    )
    p.add_argument("--target", choices=["cpu", "interp"], default="cpu", help="what to compare (default cpu)")
    p.add_argument("--minutes", type=float, default=1.0, help="how long to run (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the campaign (same seed, same cases)")
    p.add_argument("--out", default="fuzz-out", metavar="DIR", help="where mismatches are saved")
    p.add_argument("--max-ops", type=int, default=4, help="ops per random model (default 4: cheap compiles)")
    p.add_argument("--ops", metavar="Conv,Relu", help="only these ONNX op types in the random models")
    p.add_argument("--max-cases", type=int, default=None, help="stop after this many cases")
    p.add_argument("--shrink-seconds", type=float, default=60.0, help="time limit for shrinking a mismatch")
    p.add_argument("--replay", metavar="CASE_DIR", help="re-check one saved case instead of fuzzing")
    p.add_argument(
        "--files",
        metavar="KIND",
        help="file fuzzing of the CLI instead: mutated onnx|mlir|engine|pipeline inputs (a comma list, or all)",
    )
    p.add_argument(
        "--corpus", metavar="DIR", help="with --files: more seed files (.onnx .mlir .engine .pipeline)"
    )
    p.add_argument("--jobs", type=int, default=1, help="with --files: cases run at once (default 1)")
    p.add_argument("--case-timeout", type=float, default=60.0, help="with --files: seconds before a hang")
    p.add_argument("--replay-file", metavar="CASE_DIR", help="re-run one case saved by --files")
    p.set_defaults(func=run)


@dataclass
class Campaign:
    """Tallies of a campaign."""

    cases: int = 0
    agreed: int = 0
    skipped: Counter = field(default_factory=Counter)
    mismatches: list[tuple[Path, str]] = field(default_factory=list)
    backend_status: Counter = field(default_factory=Counter)

    def record(self, result) -> None:
        self.cases += 1
        for b in result.backends:
            self.backend_status[(b.backend, b.status)] += 1
        if result.status == "agree":
            self.agreed += 1
        elif result.status == "skip":
            for r in dict.fromkeys(result.skip_reasons()):
                self.skipped[r] += 1

    def summary(self) -> str:
        n_skip = self.cases - self.agreed - self.mismatch_cases
        lines = [
            f"{self.cases} cases: {self.agreed} agreed, {n_skip} skipped, {len(self.mismatches)} mismatches",
        ]
        backends = sorted({b for b, _ in self.backend_status})
        for b in backends:
            parts = ", ".join(
                f"{s} {self.backend_status[(b, s)]}"
                for s in ("agree", "skip", "fail")
                if self.backend_status[(b, s)]
            )
            lines.append(f"  {b}: {parts}")
        if self.skipped:
            lines.append("skipped (a case may have several reasons):")
            lines += [f"  {n:5d}  {r}" for r, n in self.skipped.most_common(20)]
        if self.mismatch_cases > len(self.mismatches):
            lines.append(
                f"{self.mismatch_cases} mismatching cases, {len(self.mismatches)} distinct (one saved each)"
            )
        for d, why in self.mismatches:
            lines.append(f"MISMATCH {why}")
            lines.append(f"  saved in {d}; replay: ziggurat fuzz --replay {d}")
        return "\n".join(lines)

    mismatch_cases: int = 0


class _Shrunk(Exception):
    """Raised inside the hypothesis property on a mismatch, so hypothesis shrinks the case."""


def campaign(
    target: str,
    seconds: float,
    seed: int,
    out: Path,
    max_ops: int = 4,
    max_cases: int | None = None,
    shrink_seconds: float = 60.0,
    progress=None,
    round_size: int = 50,
    ops: list[str] | None = None,
) -> Campaign:
    """Runs rounds of `round_size` hypothesis examples (seeded `seed`, `seed + 1`, ...) until `seconds`
    pass; a mismatch ends its round, is shrunk (for at most `shrink_seconds`) and saved under `out`."""
    from ziggurat.differential import BACKENDS, save_case

    backends = BACKENDS[target]
    stats = Campaign()
    deadline = time.monotonic() + seconds
    seen_failures: set[str] = set()
    round_no = 0

    def out_of_time() -> bool:
        return time.monotonic() >= deadline or (max_cases is not None and stats.cases >= max_cases)

    while not out_of_time():
        state: dict = {"shrinking": False, "shrink_end": 0.0, "last": None}
        prop = _round_property(
            state,
            stats,
            backends,
            seed * 1_000_003 + round_no,
            round_size,
            max_ops,
            shrink_seconds,
            out_of_time,
            progress,
            ops,
        )
        try:
            prop()
        except _Shrunk:
            pass
        except Exception as e:  # noqa: BLE001 - hypothesis's Flaky & co: keep what was recorded
            sys.stderr.write(f"fuzz: round {round_no} ended with {type(e).__name__}: {str(e)[:200]}\n")
        if state["last"] is not None:
            module, inputs, result = state["last"]
            why = result.failures()[0]
            if why not in seen_failures:  # the same failure found again by a later round is not re-saved
                d = save_case(out, f"case-s{seed}-r{round_no}", module, inputs, result)
                stats.mismatches.append((d, why))
                seen_failures.add(why)
        round_no += 1
    return stats


def _round_property(
    state, stats, backends, seed, round_size, max_ops, shrink_seconds, out_of_time, progress, ops=None
):
    """The hypothesis property of one round: checks a case, tallies it, raises `_Shrunk` on a mismatch."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    from ir.testing.graphs import graph_cases
    from ziggurat.differential import check_case

    @settings(
        max_examples=round_size,
        deadline=None,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate, Phase.shrink),
    )
    @hseed(seed)
    @given(graph_cases(ops=ops, max_ops=max_ops))
    def prop(case):
        if state["shrinking"]:
            if time.monotonic() > state["shrink_end"]:
                return  # the shrinking budget is spent: hypothesis keeps the smallest failure so far
        elif out_of_time():
            return
        result = check_case(case.module, case.inputs, backends)
        if not state["shrinking"]:
            stats.record(result)
            if progress:
                progress(stats)
        if result.status == "mismatch":
            if not state["shrinking"]:
                state["shrinking"] = True
                state["shrink_end"] = time.monotonic() + shrink_seconds
                stats.mismatch_cases += 1
            state["last"] = (case.module, case.inputs, result)
            raise _Shrunk(result.failures()[0])

    return prop


def run(args) -> int:
    if args.replay_file:
        return replay_file(Path(args.replay_file))
    if args.replay:
        from ziggurat.file_fuzz import is_file_case

        if is_file_case(Path(args.replay)):
            return replay_file(Path(args.replay))
        return replay(Path(args.replay), args.target)
    if args.files:
        return run_files(args)
    if args.minutes <= 0:
        raise UserError("--minutes must be positive")
    if args.max_ops < 1:
        raise UserError("--max-ops must be at least 1")
    ops = _parse_ops(args.ops)
    out = Path(args.out)
    seconds = args.minutes * 60
    t0 = time.monotonic()
    sys.stderr.write(
        f"fuzzing --target {args.target} for {args.minutes:g} min (seed {args.seed}, max {args.max_ops} ops); "
        f"mismatches go to {out}\n"
    )
    stats = _with_progress(args, out, seconds, t0, ops)
    sys.stdout.write(stats.summary() + "\n")
    return 1 if stats.mismatches else 0


def _with_progress(args, out: Path, seconds: float, t0: float, ops: list[str] | None) -> Campaign:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        last = [0.0]

        def plain(stats: Campaign) -> None:
            now = time.monotonic()
            if now - last[0] >= 30:
                last[0] = now
                sys.stderr.write(_line(stats) + "\n")

        return campaign(
            args.target,
            seconds,
            args.seed,
            out,
            args.max_ops,
            args.max_cases,
            args.shrink_seconds,
            plain,
            ops=ops,
        )
    with Progress(
        TextColumn("[bold]fuzz[/bold]"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=seconds)

        def update(stats: Campaign) -> None:
            bar.update(task, completed=min(seconds, time.monotonic() - t0), description=_line(stats))

        return campaign(
            args.target,
            seconds,
            args.seed,
            out,
            args.max_ops,
            args.max_cases,
            args.shrink_seconds,
            update,
            ops=ops,
        )


def _line(stats: Campaign) -> str:
    skipped = stats.cases - stats.agreed - stats.mismatch_cases
    return f"{stats.cases} cases, {stats.agreed} agreed, {skipped} skipped, {stats.mismatch_cases} mismatches"


def replay(case_dir: Path, target: str) -> int:
    """Re-checks a saved case and prints each backend's verdict; exit 1 while it still mismatches."""
    from ziggurat.differential import BACKENDS, check_case, load_case

    if not (case_dir / "model.mlir").exists():
        raise UserError(f"{case_dir}: no model.mlir (not a case saved by ziggurat fuzz)")
    module, inputs = load_case(case_dir)
    result = check_case(module, inputs, BACKENDS[target])
    if result.reference_error:
        sys.stdout.write(f"interp: {result.reference_error}\n")
    for b in result.backends:
        sys.stdout.write(f"{b.backend}: {b.status}{': ' + b.reason if b.reason else ''}\n")
    sys.stdout.write(f"{result.status}\n")
    return 1 if result.status == "mismatch" else 0


def _parse_ops(text: str | None) -> list[str] | None:
    """`--ops Abs,Relu` -> ["Abs", "Relu"], checked against what the generator can build."""
    if not text:
        return None
    from ir.testing.graphs import available_op_types

    ops = [o.strip() for o in text.split(",") if o.strip()]
    known = set(available_op_types())
    bad = [o for o in ops if o not in known]
    if bad:
        raise UserError(
            f"--ops: the generator cannot build {', '.join(bad)} (known: {', '.join(sorted(known))})"
        )
    return ops


def run_files(args) -> int:
    """`fuzz --files KIND`: mutated real inputs through the CLI, checked against its exit/error contract."""
    from ziggurat.file_fuzz import KINDS, file_campaign

    kinds = list(KINDS) if args.files == "all" else [k.strip() for k in args.files.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise UserError(
            f"--files: unknown kind {', '.join(bad) or '(none)'} (known: {', '.join(KINDS)}, all)"
        )
    if args.minutes <= 0:
        raise UserError("--minutes must be positive")
    if args.max_cases is not None and args.max_cases < 1:
        raise UserError("--max-cases must be at least 1")
    if args.jobs < 1:
        raise UserError("--jobs must be at least 1")
    if args.case_timeout <= 0:
        raise UserError("--case-timeout must be positive")
    corpus = Path(args.corpus) if args.corpus else None
    if corpus is not None and not corpus.is_dir():
        raise UserError(f"--corpus {corpus}: not a directory")
    out = Path(args.out)
    sys.stderr.write(
        f"file fuzzing {', '.join(kinds)} for {args.minutes:g} min (seed {args.seed}"
        f"{f', max {args.max_cases} cases per kind' if args.max_cases else ''}); violations go to {out}\n"
    )
    last = [time.monotonic()]

    def progress(stats) -> None:
        now = time.monotonic()
        if now - last[0] >= 30:
            last[0] = now
            sys.stderr.write(f"{sum(stats.cases.values())} cases, {stats.n_violations} violations\n")

    stats = file_campaign(
        kinds,
        args.seed,
        args.minutes * 60,
        args.max_cases,
        out,
        corpus,
        args.jobs,
        args.case_timeout,
        progress=progress,
    )
    sys.stdout.write(stats.summary() + "\n")
    return 1 if stats.n_violations else 0


def replay_file(case_dir: Path) -> int:
    """Re-runs a case saved by `fuzz --files`; exit 1 while it still violates the contract."""
    from ziggurat.file_fuzz import is_file_case
    from ziggurat.file_fuzz import replay as replay_case

    if not is_file_case(case_dir):
        raise UserError(f"{case_dir}: no case.json (not a case saved by ziggurat fuzz --files)")
    r, meta = replay_case(case_dir)
    sys.stdout.write(f"{meta['command']}\n")
    sys.stdout.write(f"exit {r.rc if r.rc is not None else 'timeout'} in {r.seconds:.1f}s\n")
    for ln in r.stderr.strip().splitlines()[-5:]:
        sys.stdout.write(f"  stderr: {ln}\n")
    if r.stray:
        sys.stdout.write(f"  stray files: {', '.join(r.stray)}\n")
    sys.stdout.write(f"{'violation: ' + ', '.join(r.violations) if r.violations else 'ok'}\n")
    return 1 if r.violations else 0
