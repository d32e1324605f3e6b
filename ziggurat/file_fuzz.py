"""File fuzzing of the CLI: mutated real inputs (ONNX models, printed IR, engines, pipeline texts) through
`ziggurat run/compile/opt` in subprocesses, checked against the CLI contract of DESIGN.md.

The contract checked for every case: the exit code is 0, 1 or 2; on exit 2 stderr holds exactly one line
starting "ziggurat:" (the last one) and no "Traceback" anywhere; no death by a signal; no hang (timeout);
no stray files left beside the inputs and the declared outputs. A violation is saved as a replayable case
directory: the input files, `case.json` (the command, the timeout, the observed result)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("onnx", "mlir", "engine", "pipeline")
CLASSES = ("timeout", "signal", "exit-code", "traceback", "error-format", "stray-files")
REPO_ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------- seeds


@dataclass
class SeedFile:
    kind: str
    name: str  # file name of the input, e.g. "conv.onnx" (pipeline seeds: "conv.pipeline")
    data: bytes
    extra: dict[str, bytes] = field(default_factory=dict)  # side files: an engine's npz, a pipeline's module


def _conv_relu():
    import numpy as np
    from onnx import TensorProto as T
    from onnx import helper, numpy_helper

    w = numpy_helper.from_array(
        np.random.default_rng(0).standard_normal((4, 3, 3, 3)).astype(np.float32), "W"
    )
    b = numpy_helper.from_array(np.zeros(4, np.float32), "B")
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["c"], name="conv", pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["c"], ["y"], name="relu"),
    ]
    g = helper.make_graph(
        nodes,
        "conv_relu",
        [helper.make_tensor_value_info("x", T.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", T.FLOAT, [1, 4, 8, 8])],
        [w, b],
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def _gemm():
    import numpy as np
    from onnx import TensorProto as T
    from onnx import helper, numpy_helper

    rng = np.random.default_rng(1)
    w = numpy_helper.from_array(rng.standard_normal((16, 8)).astype(np.float32), "W")
    b = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "B")
    nodes = [
        helper.make_node("Gemm", ["x", "W", "B"], ["g"], name="gemm", alpha=1.0, beta=1.0),
        helper.make_node("Relu", ["g"], ["r"], name="relu"),
        helper.make_node("Add", ["r", "B"], ["y"], name="add"),
    ]
    g = helper.make_graph(
        nodes,
        "gemm_relu",
        [helper.make_tensor_value_info("x", T.FLOAT, [2, 16])],
        [helper.make_tensor_value_info("y", T.FLOAT, [2, 8])],
        [w, b],
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def _transformer():
    """tests/onnx_builders.py's transformer block, small, when the tests are beside the package."""
    import importlib.util

    p = REPO_ROOT / "tests" / "onnx_builders.py"
    if not p.exists():
        return None
    try:
        spec = importlib.util.spec_from_file_location("_zfuzz_onnx_builders", p)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.transformer_block(batch=1, seq=4, vocab=16, d=16, heads=2, ffn=32)
    except Exception:  # noqa: BLE001 - an optional seed
        return None


def _cli_capture(argv: list[str]) -> tuple[int, str]:
    """Runs the real CLI in-process (seeds only), returns (exit code, stdout)."""
    from ziggurat.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse
            rc = int(e.code or 0)
    return rc, out.getvalue()


def build_seeds(workdir: Path, corpus: Path | None = None, kinds=KINDS) -> dict[str, list[SeedFile]]:
    """The seed inputs of each kind, built (once) under `workdir`; files of `corpus` join by extension."""
    import numpy as np
    import onnx

    workdir.mkdir(parents=True, exist_ok=True)
    models = {"conv": _conv_relu(), "gemm": _gemm()}
    t = _transformer()
    if t is not None:
        models["block"] = t
    seeds: dict[str, list[SeedFile]] = {k: [] for k in KINDS}
    paths = {}
    for name, m in models.items():
        p = workdir / f"{name}.onnx"
        onnx.save(m, str(p))
        paths[name] = p
        seeds["onnx"].append(SeedFile("onnx", p.name, p.read_bytes()))
    graph_mlir = None
    if "mlir" in kinds or "pipeline" in kinds:
        for name in ("conv", "gemm"):
            for level in ("graph", "tensor", "loop"):
                rc, text = _cli_capture(["show", str(paths[name]), "--level", level, "--no-locations"])
                if rc == 0 and text.strip():
                    seeds["mlir"].append(SeedFile("mlir", f"{name}-{level}.mlir", text.encode()))
                    if name == "conv" and level == "graph":
                        graph_mlir = text.encode()
    if "engine" in kinds:
        for name in ("conv", "gemm"):
            eng = workdir / f"{name}.engine"
            rc, _ = _cli_capture(["compile", str(paths[name]), "-o", str(eng)])
            if rc == 0 and eng.exists():
                inp = models[name].graph.input[0]
                shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
                buf = io.BytesIO()
                np.savez(
                    buf, **{inp.name: np.random.default_rng(0).standard_normal(shape).astype(np.float32)}
                )
                seeds["engine"].append(
                    SeedFile("engine", eng.name, eng.read_bytes(), {"inputs.npz": buf.getvalue()})
                )
    if "pipeline" in kinds and graph_mlir is not None:
        texts = ["builtin.module(canonicalize, cse, dce)", "builtin.module(fuse{max-ops=8}, dce)"]
        for o in ("-O0", "-O2"):
            rc, text = _cli_capture(
                ["compile", str(paths["conv"]), "-o", str(workdir / "x.engine"), o, "--print-pipeline"]
            )
            if rc == 0 and text.strip():
                texts.append(text.strip().splitlines()[-1])
        for i, t in enumerate(texts):
            seeds["pipeline"].append(
                SeedFile("pipeline", f"p{i}.pipeline", t.encode(), {"seed.mlir": graph_mlir})
            )
    if corpus is not None:
        for f in sorted(Path(corpus).rglob("*")):
            if not f.is_file():
                continue
            kind = {".onnx": "onnx", ".mlir": "mlir", ".engine": "engine", ".pipeline": "pipeline"}.get(
                f.suffix
            )
            if kind is None:
                continue
            extra = {}
            if kind == "engine":
                npz = f.with_suffix(".npz")
                extra = {"inputs.npz": npz.read_bytes()} if npz.exists() else {}
            if kind == "pipeline":
                if graph_mlir is None:
                    continue
                extra = {"seed.mlir": graph_mlir}
            seeds[kind].append(SeedFile(kind, f.name, f.read_bytes(), extra))
    return seeds


# ---------------------------------------------------------------------------------------------- mutators

HUGE = [0, -1, 2**31, 2**63 - 1, 10**12, -(2**31)]


def bytes_mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    b = bytearray(data)
    if not b:
        return bytes(rng.randbytes(rng.randint(1, 16))), "fill"
    op = rng.choice(["flip", "truncate", "insert", "delete", "duplicate", "setbyte"])
    n = len(b)
    if op == "flip":
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(n)
            b[i] ^= 1 << rng.randrange(8)
    elif op == "truncate":
        b = b[: rng.randrange(n)]
    elif op == "insert":
        i = rng.randrange(n + 1)
        b[i:i] = rng.randbytes(rng.randint(1, 32))
    elif op == "delete":
        i = rng.randrange(n)
        del b[i : i + rng.randint(1, 64)]
    elif op == "duplicate":
        i = rng.randrange(n)
        run = b[i : i + rng.randint(1, 64)]
        j = rng.randrange(len(b) + 1)
        b[j:j] = run * rng.randint(1, 4)
    else:
        b[rng.randrange(n)] = rng.choice([0, 0xFF, 0x7F, 0x80])
    return bytes(b), f"bytes-{op}"


def onnx_mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """A structural edit of an ONNX model; byte mutation when `data` does not parse."""
    import onnx
    from onnx import AttributeProto, helper

    try:
        m = onnx.load_from_string(data)
    except Exception:  # noqa: BLE001
        return bytes_mutate(data, rng)
    g = m.graph
    ops = [
        "attr-value",
        "attr-type",
        "drop-input",
        "dup-input",
        "drop-init",
        "dup-init",
        "drop-node",
        "dup-node",
        "rename-output",
        "dim",
        "opset",
        "ir-version",
        "drop-output",
        "op-type",
    ]
    op = rng.choice(ops)
    nodes = list(g.node)
    node = rng.choice(nodes) if nodes else None
    if op == "attr-value" and node is not None and node.attribute:
        a = rng.choice(node.attribute)
        if a.type == AttributeProto.INT:
            a.i = rng.choice(HUGE)
        elif a.type == AttributeProto.FLOAT:
            a.f = rng.choice([0.0, -1.0, 1e30, float("nan"), float("inf")])
        elif a.type == AttributeProto.INTS:
            vals = list(a.ints) or [1]
            vals[rng.randrange(len(vals))] = rng.choice(HUGE)
            del a.ints[:]
            a.ints.extend(vals if rng.random() < 0.7 else vals[:-1])
        elif a.type == AttributeProto.STRING:
            a.s = rng.choice([b"", b"BOGUS", b"\xff\xfe"])
    elif op == "attr-type" and node is not None:
        if node.attribute:
            a = rng.choice(node.attribute)
            name = a.name
            node.attribute.remove(a)
        else:
            name = rng.choice(["axis", "alpha", "pads", "kernel_shape", "perm"])
        node.attribute.append(
            rng.choice(
                [
                    helper.make_attribute(name, "str"),
                    helper.make_attribute(name, 1.5),
                    helper.make_attribute(name, [7, -1]),
                    helper.make_attribute(name, 3),
                ]
            )
        )
    elif op == "drop-input" and node is not None and node.input:
        del node.input[rng.randrange(len(node.input))]
    elif op == "dup-input" and node is not None and node.input:
        node.input.append(rng.choice(node.input))
    elif op == "drop-init" and g.initializer:
        del g.initializer[rng.randrange(len(g.initializer))]
    elif op == "dup-init" and g.initializer:
        g.initializer.append(rng.choice(g.initializer))
    elif op == "drop-node" and nodes:
        del g.node[rng.randrange(len(nodes))]
    elif op == "dup-node" and node is not None:
        g.node.append(node)
    elif op == "rename-output" and node is not None and node.output:
        names = (
            [i.name for i in g.input] + [o for n in nodes for o in n.output] + [i.name for i in g.initializer]
        )
        node.output[rng.randrange(len(node.output))] = rng.choice(names)
    elif op == "dim":
        vis = list(g.input) + list(g.output)
        vi = rng.choice(vis)
        dims = vi.type.tensor_type.shape.dim
        if dims:
            d = dims[rng.randrange(len(dims))]
            choice = rng.choice(["neg", "huge", "zero", "param"])
            if choice == "param":
                d.dim_param = "N"
            else:
                d.dim_value = {"neg": -3, "huge": 2**40, "zero": 0}[choice]
    elif op == "opset" and m.opset_import:
        m.opset_import[0].version = rng.choice([1, 6, 9, 11, 13, 21, 99, 10**6])
    elif op == "ir-version":
        m.ir_version = rng.choice([0, 1, 3, 99, 2**40])
    elif op == "drop-output" and g.output:
        del g.output[rng.randrange(len(g.output))]
    elif op == "op-type" and node is not None:
        node.op_type = rng.choice(["NoSuchOp", "Relu", "Conv", "MatMul", "Softmax", "Reshape"])
    else:
        return bytes_mutate(data, rng)
    try:
        return m.SerializeToString(), f"onnx-{op}"
    except Exception:  # noqa: BLE001 - e.g. a value protobuf refuses
        return bytes_mutate(data, rng)


_NUM = re.compile(r"(?<![%#\w])-?\d+(\.\d+)?(e[-+]?\d+)?")
_TOKEN = re.compile(r"[%@^#]?[\w.$-]+|[(){}\[\]<>,:=]")


def ir_mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """A text edit of printed IR: lines, tokens, numbers, nesting."""
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    op = rng.choice(
        ["del-line", "dup-line", "swap-tokens", "number", "number", "nest", "swap-lines", "del-token"]
    )
    if op in ("del-line", "dup-line", "swap-lines", "nest") and len(lines) > 1:
        i = rng.randrange(len(lines))
        if op == "del-line":
            del lines[i]
        elif op == "dup-line":
            lines.insert(i, lines[i])
        elif op == "swap-lines":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            depth = rng.choice([1, 3, 50, 500])
            lines[i] = "(" * depth + "{" * depth + lines[i] + "}" * depth + ")" * depth
        return "\n".join(lines).encode(), f"ir-{op}"
    toks = list(_TOKEN.finditer(text))
    if op == "number":
        nums = list(_NUM.finditer(text))
        if nums:
            mt = rng.choice(nums)
            rep = rng.choice(["0", "-1", "1.5", "99999999999999999999", "4294967296", "-2147483649", "1e309"])
            return (text[: mt.start()] + rep + text[mt.end() :]).encode(), "ir-number"
    if op == "swap-tokens" and len(toks) > 1:
        a, b = sorted(rng.sample(range(len(toks)), 2))
        ta, tb = toks[a], toks[b]
        out = text[: ta.start()] + tb.group() + text[ta.end() : tb.start()] + ta.group() + text[tb.end() :]
        return out.encode(), "ir-swap-tokens"
    if op == "del-token" and toks:
        t = rng.choice(toks)
        return (text[: t.start()] + text[t.end() :]).encode(), "ir-del-token"
    return bytes_mutate(data, rng)


_PIPE_NAMES = [
    "canonicalize",
    "cse",
    "dce",
    "fuse",
    "fold-constants",
    "lower-graph-to-tensor",
    "bufferize",
    "lower-tensor-to-loops",
    "vectorize",
    "parallelize",
    "plan-memory",
    "prepack-weights",
]


def pipeline_mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    text = data.decode("utf-8", "replace")
    op = rng.choice(
        [
            "option",
            "option",
            "unknown-pass",
            "deep-nest",
            "unbalanced",
            "dup-pass",
            "drop-pass",
            "unknown-option",
            "reorder",
            "bytes",
        ]
    )
    opts = list(re.finditer(r"([\w-]+)=('[^']*'|[^\s,}]*)", text))
    passes = list(re.finditer(r"[a-z][\w-]*(\{[^}]*\})?(?=\s*[,)])", text))
    if op == "option" and opts:
        mt = rng.choice(opts)
        v = rng.choice(
            [
                "-1",
                "0",
                "99999999999999999999",
                "1.5",
                "abc",
                "",
                "''",
                "true",
                "nan",
                "-0",
                "{",
                "'unterminated",
            ]
        )
        return (text[: mt.start(2)] + v + text[mt.end(2) :]).encode(), "pipe-option"
    if op == "unknown-option" and passes:
        mt = rng.choice(passes)
        name = mt.group().split("{")[0]
        return (
            text[: mt.start()] + name + "{bogus-opt=3}" + text[mt.end() :]
        ).encode(), "pipe-unknown-option"
    if op == "unknown-pass":
        pos = text.rfind(")")
        pos = pos if pos >= 0 else len(text)
        return (text[:pos] + ", no-such-pass" + text[pos:]).encode(), "pipe-unknown-pass"
    if op == "deep-nest":
        depth = rng.choice([2, 10, 100, 2000])
        wrap = rng.choice(["builtin.module(", "func.func(", "("])
        return (wrap * depth + text + ")" * depth).encode(), "pipe-deep-nest"
    if op == "unbalanced":
        brackets = [i for i, c in enumerate(text) if c in "(){}"]
        if brackets and rng.random() < 0.5:
            i = rng.choice(brackets)
            return (text[:i] + text[i + 1 :]).encode(), "pipe-unbalanced"
        i = rng.randrange(len(text) + 1)
        return (text[:i] + rng.choice("(){}'") + text[i:]).encode(), "pipe-unbalanced"
    if op == "dup-pass" and passes:
        mt = rng.choice(passes)
        return (text[: mt.end()] + ", " + mt.group() + text[mt.end() :]).encode(), "pipe-dup-pass"
    if op == "drop-pass" and passes:
        mt = rng.choice(passes)
        return (text[: mt.start()] + text[mt.end() :]).encode(), "pipe-drop-pass"
    if op == "reorder" and passes:
        mt = rng.choice(passes)
        return (text[: mt.start()] + rng.choice(_PIPE_NAMES) + text[mt.end() :]).encode(), "pipe-reorder"
    out, how = bytes_mutate(data, rng)
    return out, how


STRUCTURAL = {"onnx": onnx_mutate, "mlir": ir_mutate, "engine": bytes_mutate, "pipeline": pipeline_mutate}


def mutate(kind: str, data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """1-3 mutations (mostly the kind's structural ones, sometimes raw bytes), deterministic in `rng`."""
    applied = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        fn = STRUCTURAL[kind] if rng.random() < 0.8 else bytes_mutate
        data, how = fn(data, rng)
        applied.append(how)
    if kind == "pipeline":  # an argv string: no NUL, valid text
        data = data.replace(b"\x00", b"").decode("utf-8", "replace").encode()
    return data, applied


# ---------------------------------------------------------------------------------------------- cases


@dataclass
class Case:
    kind: str
    index: int
    seed_name: str
    mutations: list[str]
    files: dict[str, bytes]  # written into the case's fresh directory
    args: list[str]  # CLI arguments after the program, relative to that directory
    outputs: list[str]  # files the command may create
    timeout: float


def make_case(kind: str, index: int, seeds: list[SeedFile], campaign_seed: int, timeout: float) -> Case:
    rng = random.Random(f"ziggurat-file-fuzz:{campaign_seed}:{kind}:{index}")
    s = seeds[rng.randrange(len(seeds))]
    data, muts = mutate(kind, s.data, rng)
    files = dict(s.extra)
    outputs: list[str] = []
    if kind == "onnx":
        files["model.onnx"] = data
        if rng.random() < 0.5:
            args = ["run", "model.onnx", "--target", "cpu"]
        else:
            args, outputs = ["compile", "model.onnx", "-o", "out.engine"], ["out.engine"]
    elif kind == "mlir":
        files["input.mlir"] = data
        args = ["opt", "input.mlir"] if rng.random() < 0.5 else ["run", "input.mlir"]
    elif kind == "engine":
        files["model.engine"] = data
        args = ["run", "model.engine"] + (["--inputs", "inputs.npz"] if "inputs.npz" in files else [])
    else:
        args = ["opt", "seed.mlir", "--pipeline", data.decode("utf-8", "replace")]
    return Case(kind, index, s.name, muts, files, args, outputs, timeout)


def default_cli() -> list[str]:
    return [sys.executable, "-m", "ziggurat"]


@dataclass
class Result:
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    violations: list[str]
    stray: list[str] = field(default_factory=list)

    def signature(self) -> str:
        """One line naming the failure: the class and the last stderr line, with numbers, byte values and
        quoted text blanked (so one bug found by many inputs is counted once)."""
        last = next((ln for ln in reversed(self.stderr.strip().split("\n")) if ln.strip()), "")
        last = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", last)
        last = re.sub(r"0x[0-9a-fA-F]+|\d+", "N", last)[:120]
        return f"{','.join(self.violations)}: {last}"


def classify(rc: int | None, stderr: str, stray: list[str]) -> list[str]:
    """The contract's violations of one observed run (rc None: it timed out)."""
    v = []
    if rc is None:
        return ["timeout"]
    if rc < 0:
        v.append("signal")
    elif rc not in (0, 1, 2):
        v.append("exit-code")
    if "Traceback" in stderr:
        v.append("traceback")
    if rc == 2:
        lines = [ln for ln in stderr.split("\n") if ln.strip()]  # "\n" only: not \x0b, \x0c, \x85...
        zl = [ln for ln in lines if ln.startswith("ziggurat:")]
        if len(zl) != 1 or not lines or not lines[-1].startswith("ziggurat:"):
            v.append("error-format")
    if stray:
        v.append("stray-files")
    return v


def execute(
    files: dict[str, bytes], args: list[str], outputs: list[str], timeout: float, cli: list[str] | None = None
) -> Result:
    """Runs one case in a fresh temporary directory and checks the contract."""
    cli = cli or default_cli()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory(prefix="zfuzz-") as d:
        dp = Path(d)
        for name, data in files.items():
            (dp / name).write_bytes(data)
        before = {p.name for p in dp.iterdir()}
        t0 = time.monotonic()
        try:
            p = subprocess.run(
                cli + args, cwd=d, env=env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
            rc, out, err = (
                p.returncode,
                p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"),
            )
        except subprocess.TimeoutExpired as e:
            rc = None
            out = (e.stdout or b"").decode("utf-8", "replace")
            err = (e.stderr or b"").decode("utf-8", "replace")
        secs = time.monotonic() - t0
        after = {p.name for p in dp.iterdir()}
        stray = sorted(after - before - set(outputs))
    return Result(rc, out[-4000:], err[-4000:], secs, classify(rc, err, stray), stray)


def save_case(out: Path, case: Case, result: Result) -> Path:
    d = out / f"{case.kind}-{case.index:05d}-{result.violations[0]}"
    d.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        (d / name).write_bytes(data)
    meta = {
        "kind": case.kind,
        "index": case.index,
        "seed_file": case.seed_name,
        "mutations": case.mutations,
        "args": case.args,
        "outputs": case.outputs,
        "timeout": case.timeout,
        "command": "ziggurat " + " ".join(_shquote(a) for a in case.args),
        "observed": {
            "rc": result.rc,
            "violations": result.violations,
            "stray_files": result.stray,
            "seconds": round(result.seconds, 2),
            "stderr": result.stderr,
            "stdout": result.stdout[-1000:],
        },
    }
    (d / "case.json").write_text(json.dumps(meta, indent=1) + "\n")
    return d


def _shquote(a: str) -> str:
    import shlex

    return shlex.quote(a)


def is_file_case(d: Path) -> bool:
    return (d / "case.json").exists()


def replay(d: Path, cli: list[str] | None = None) -> tuple[Result, dict]:
    meta = json.loads((d / "case.json").read_text())
    files = {p.name: p.read_bytes() for p in d.iterdir() if p.is_file() and p.name != "case.json"}
    r = execute(files, meta["args"], meta.get("outputs", []), float(meta.get("timeout", 60)), cli)
    return r, meta


# ---------------------------------------------------------------------------------------------- campaign


@dataclass
class FileCampaign:
    cases: Counter = field(default_factory=Counter)  # per kind
    violations: Counter = field(default_factory=Counter)  # (kind, class)
    saved: list[tuple[Path, str]] = field(default_factory=list)
    signatures: dict = field(default_factory=dict)  # signature -> (count, first case dir, command)
    seconds: float = 0.0

    @property
    def n_violations(self) -> int:
        return len(self.saved)

    def summary(self) -> str:
        kinds = [k for k in KINDS if self.cases[k]]
        head = f"{'kind':10s}{'cases':>7s}" + "".join(f"{c:>14s}" for c in CLASSES)
        lines = [
            f"file fuzzing: {sum(self.cases.values())} cases in {self.seconds:.0f}s, "
            f"{self.n_violations} violating cases",
            head,
        ]
        for k in kinds:
            lines.append(
                f"{k:10s}{self.cases[k]:7d}" + "".join(f"{self.violations[(k, c)]:14d}" for c in CLASSES)
            )
        if self.signatures:
            lines.append(f"{len(self.signatures)} distinct violations:")
            for sig, (n, d, cmd) in sorted(self.signatures.items(), key=lambda kv: -kv[1][0]):
                lines.append(f"  {n:4d}x {sig}")
                lines.append(f"        e.g. {d}: {cmd[:200]}")
                lines.append(f"        replay: ziggurat fuzz --replay {d}")
        return "\n".join(lines)


def file_campaign(
    kinds: list[str],
    seed: int,
    seconds: float,
    max_cases: int | None,
    out: Path,
    corpus: Path | None = None,
    jobs: int = 1,
    timeout: float = 60.0,
    cli: list[str] | None = None,
    progress=None,
) -> FileCampaign:
    """Round-robins the kinds, case i of a kind being a pure function of (seed, kind, i), until `seconds`
    pass or each kind has run `max_cases` cases."""
    stats = FileCampaign()
    t0 = time.monotonic()
    deadline = t0 + seconds
    seed_dir = Path(tempfile.mkdtemp(prefix="zfuzz-seeds-"))
    try:
        seeds = build_seeds(seed_dir, corpus, kinds)
    finally:
        shutil.rmtree(seed_dir, ignore_errors=True)
    kinds = [k for k in kinds if seeds.get(k)]

    def gen():
        i = 0
        while max_cases is None or i < max_cases:
            for k in kinds:
                yield make_case(k, i, seeds[k], seed, timeout)
            i += 1

    def one(case: Case):
        if time.monotonic() >= deadline:
            return case, None
        return case, execute(case.files, case.args, case.outputs, case.timeout, cli)

    it = gen()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        pending = []
        while True:
            while len(pending) < 2 * max(1, jobs) and time.monotonic() < deadline:
                c = next(it, None)
                if c is None:
                    break
                pending.append(pool.submit(one, c))
            if not pending:
                break
            case, r = pending.pop(0).result()
            if r is None:
                continue
            stats.cases[case.kind] += 1
            if r.violations:
                for v in r.violations:
                    stats.violations[(case.kind, v)] += 1
                d = save_case(out, case, r)
                stats.saved.append((d, r.signature()))
                sig = f"[{case.kind} {case.args[0]}] {r.signature()}"
                n, d0, cmd = stats.signatures.get(sig, (0, d, "ziggurat " + " ".join(case.args)))
                stats.signatures[sig] = (n + 1, d0, cmd)
            if progress:
                progress(stats)
    stats.seconds = time.monotonic() - t0
    return stats
