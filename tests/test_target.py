"""Target descriptions: the host read through llvmlite and the OS, presets, JSON, the CLI verb, the
object-cache key and the engine's refusal to run on a CPU that lacks its features."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from ir import target as T
from ziggurat.cli import main


def _cpuinfo_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


# --------------------------------------------------------------------------------------------------
# host and presets


def test_host_matches_proc_cpuinfo():
    h = T.host()
    assert h is T.host()  # cached
    assert h.cpu_name and h.cpu_name != "generic"
    assert h.l1d > 0 and h.l2 > 0 and h.l3 > 0 and h.cores >= 1
    flags = _cpuinfo_flags()
    if h.isa != "x86_64" or not flags:
        pytest.skip("needs an x86-64 host with /proc/cpuinfo")
    assert h.has("avx2") == ("avx2" in flags)
    assert h.has("avx512f") == ("avx512f" in flags)
    assert h.has("fma") == ("fma" in flags)
    if "avx512f" in flags:
        assert (h.vector_bits, h.vector_floats, h.vector_registers) == (512, 16, 32)
        assert "avx512" in h.special_units
    elif "avx2" in flags:
        assert (h.vector_bits, h.vector_floats, h.vector_registers) == (256, 8, 16)
    assert h.avx512_bf16 == ("avx512_bf16" in flags)
    assert h.vnni == ("avx512_vnni" in flags or "avx_vnni" in flags)
    assert h.amx_tile == ("amx_tile" in flags)
    # LLVM's own names, with what LLVM reported off kept as "-feature"
    assert "+avx2" in h.llvm_features.split(",") or "avx2" not in flags
    assert not (h.features & h.disabled_features)


def test_host_caches_from_sysfs(tmp_path):
    for i, (level, kind, size) in enumerate(
        [(1, "Data", "48K"), (1, "Instruction", "32K"), (2, "Unified", "2048K"), (3, "Unified", "96M")]
    ):
        d = tmp_path / f"index{i}"
        d.mkdir()
        (d / "level").write_text(f"{level}\n")
        (d / "type").write_text(f"{kind}\n")
        (d / "size").write_text(f"{size}\n")
    assert T._read_sys_caches(tmp_path) == {1: 48 * 1024, 2: 2 << 20, 3: 96 << 20}
    assert T._read_sys_caches(tmp_path / "missing") == {}


def test_zen3_preset():
    z = T.zen3()
    assert (z.isa, z.cpu_name) == ("x86_64", "znver3")
    assert z.has("avx2", "fma") and not z.has("avx512f")
    assert (z.vector_bits, z.vector_floats, z.vector_registers, z.fma_units) == (256, 8, 16, 2)
    assert z.special_units == ()
    assert z.peak_flops_per_cycle == 32


def test_emerald_rapids_preset():
    e = T.emerald_rapids()
    assert e.cpu_name == "emeraldrapids"
    assert (e.vector_bits, e.vector_floats, e.vector_registers) == (512, 16, 32)
    assert e.vector_lanes(16) == 32
    assert e.avx512 and e.avx512_bf16 and e.avx512_fp16 and e.vnni
    assert e.amx_tile and e.amx_bf16 and e.amx_int8
    assert e.special_units == (
        "avx512",
        "avx512_bf16",
        "avx512_fp16",
        "vnni",
        "amx_tile",
        "amx_bf16",
        "amx_int8",
    )


def test_presets_build_llvm_target_machines():
    for t in (T.zen3(), T.emerald_rapids(), T.host()):
        tm = t.create_target_machine()
        assert tm.triple.startswith(t.isa)


def test_generic_cpu_has_128_bit_vectors():
    sse = T.CpuTarget("old", "x86_64", "x86-64", frozenset({"sse", "sse2"}))
    assert (sse.vector_bits, sse.vector_floats, sse.vector_registers, sse.fma_units) == (128, 4, 16, 1)
    arm = T.CpuTarget("arm", "aarch64", "neoverse-n1", frozenset({"neon"}))
    assert (arm.vector_floats, arm.vector_registers, arm.triple) == (4, 32, "aarch64-unknown-linux-gnu")
    with pytest.raises(T.UnknownTargetError):
        T.CpuTarget("x", "mips", "generic", frozenset())


def test_gpu_presets():
    a, h = T.sm_80(), T.sm_90()
    assert (a.arch, a.cpu_name, a.llvm_features) == ("sm_80", "sm_80", "+ptx80")
    assert a.shared_memory_per_sm == 164 * 1024 and a.shared_memory_per_block_optin == 163 * 1024
    assert h.shared_memory_per_sm == 228 * 1024 and h.shared_memory_per_block_optin == 227 * 1024
    for g in (a, T.sm_86(), T.sm_89(), h):
        assert g.warp_size == 32 and g.max_threads_per_block == 1024
        assert g.registers_per_sm == 65536 and g.registers_per_thread == 255
        assert g.shared_memory_per_block == 48 * 1024 and g.tensor_cores
    assert T.sm_86().max_threads_per_sm == 1536 and T.sm_89().tensor_core_generation == 4
    assert T.gpu("sm_90") == T.gpu("9.0") == T.gpu(90) == h
    with pytest.raises(T.UnknownTargetError, match="unknown SM version '75'"):
        T.gpu(75)


# --------------------------------------------------------------------------------------------------
# identity


@pytest.mark.parametrize("make", [T.host, T.zen3, T.emerald_rapids, T.sm_80, T.sm_90])
def test_json_round_trip(make):
    t = make()
    d = json.loads(json.dumps(t.to_json()))
    back = T.target_from_json(d)
    assert back == t and back.fingerprint() == t.fingerprint() == d["fingerprint"]
    assert len(t.fingerprint()) == 16 and t.fingerprint() in t.key()


def test_fingerprints_are_stable_and_distinct():
    prints = {t.fingerprint() for t in (T.host(), T.zen3(), T.emerald_rapids(), T.sm_80(), T.sm_90())}
    assert len(prints) == 5
    z = T.zen3()
    assert dataclasses.replace(z).fingerprint() == z.fingerprint()
    assert dataclasses.replace(z, features=z.features | {"avx512f"}).fingerprint() != z.fingerprint()
    assert dataclasses.replace(z, l3=64 << 20).fingerprint() != z.fingerprint()


# --------------------------------------------------------------------------------------------------
# the CLI verb


def test_cli_target_table(capsys):
    assert main(["target"]) == 0
    out = capsys.readouterr().out
    h = T.host()
    assert out.startswith(f"host: {h.isa} CPU {h.cpu_name}")
    assert f"vector width      {h.vector_bits} bits ({h.vector_floats} x f32)" in out
    assert f"vector registers  {h.vector_registers}" in out and h.fingerprint() in out


def test_cli_target_json(capsys):
    assert main(["target", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert T.target_from_json(d) == T.host() and d["key"] == T.host().key()
    assert main(["target", "--preset", "zen3", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["derived"]["vector_registers"] == 16 and d["cpu_name"] == "znver3"


def test_cli_target_cuda(capsys):
    assert main(["target", "--target", "cuda", "--sm", "90"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sm_90: NVPTX sm_90")
    assert "shared memory per SM     228 KiB" in out and "warp size                32" in out
    assert main(["target", "--target", "cuda", "--sm", "80", "--json"]) == 0
    assert T.target_from_json(json.loads(capsys.readouterr().out)) == T.sm_80()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--target", "cuda", "--sm", "75"], "unknown SM version '75'"),
        (["--sm", "banana"], "unknown SM version 'banana'"),
        (["--target", "cpu", "--sm", "90"], "--sm describes a GPU"),
        (["--preset", "pentium"], "unknown CPU preset 'pentium'"),
    ],
)
def test_cli_target_errors_exit_2(capsys, argv, message):
    assert main(["target", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


# --------------------------------------------------------------------------------------------------
# object-code cache and engine files


def test_cache_key_includes_target_fingerprint():
    from codegen.host_target import HostTarget, ObjectCache, host_target

    h = host_target()
    assert h.description == T.host()
    assert (h.cpu_name, h.triple) == (T.host().cpu_name, T.host().triple)
    assert T.host().fingerprint() in h.fingerprint()
    zen = HostTarget.for_cpu(T.zen3())
    emr = HostTarget.for_cpu(T.emerald_rapids())
    assert zen.cpu_name == "znver3" and "+avx2" in zen.features.split(",")
    keys = {ObjectCache.key("ir", t) for t in (h, zen, emr)}
    assert len(keys) == 3
    # the same LLVM CPU/features but another description (caches) is another key
    bigger = HostTarget.for_cpu(dataclasses.replace(T.zen3(), l3=256 << 20))
    assert ObjectCache.key("ir", bigger) != ObjectCache.key("ir", zen)


def test_cross_compile_for_a_preset():
    from codegen.host_target import HostTarget, emit_assembly

    ir_text = """
define void @axpy(float* noalias %x, float* noalias %y, float %a) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %n, %loop ]
  %xp = getelementptr float, float* %x, i64 %i
  %yp = getelementptr float, float* %y, i64 %i
  %xv = load float, float* %xp
  %yv = load float, float* %yp
  %m = fmul fast float %xv, %a
  %s = fadd fast float %m, %yv
  store float %s, float* %yp
  %n = add i64 %i, 1
  %c = icmp ult i64 %n, 1024
  br i1 %c, label %loop, label %done
done:
  ret void
}
"""
    asm_zen = emit_assembly(ir_text, HostTarget.for_cpu(T.zen3()))
    asm_emr = emit_assembly(ir_text, HostTarget.for_cpu(T.emerald_rapids()))
    assert "ymm" in asm_zen and "zmm" not in asm_zen
    assert "zmm" in asm_emr or "ymm" in asm_emr  # LLVM may prefer 256-bit vectors on Intel


def _small_model(path: Path) -> Path:
    w = numpy_helper.from_array(np.linspace(-1, 1, 12).astype(np.float32).reshape(3, 4), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Relu", ["h"], ["y"])]
    g = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])],
        [w],
    )
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def test_engine_records_target_and_refuses_missing_features(tmp_path, capsys):
    from runtime.engine import Engine, EngineTargetError
    from runtime.engine_file import EngineFile, EngineFileError

    model = _small_model(tmp_path / "m.onnx")
    out = tmp_path / "m.engine"
    assert main(["compile", str(model), "-o", str(out), "-O0"]) == 0
    capsys.readouterr()
    ef = EngineFile.load(out)
    target = ef.meta["plan"]["target"]
    h = T.host()
    assert target["kind"] == "cpu" and target["fingerprint"] == h.fingerprint()
    assert target["features"] == sorted(h.features) and ef.meta["target_fingerprint"] == h.fingerprint()
    assert T.target_from_json(target) == h
    Engine.from_file(ef)  # this host has every recorded feature

    target["features"] = [*target["features"], "fakefeature", "amx-fake"]
    ef.save(out)
    with pytest.raises(EngineTargetError, match="needs CPU features this host lacks: amx-fake, fakefeature$"):
        Engine.load(out)
    assert issubclass(EngineTargetError, EngineFileError)

    assert main(["run", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fakefeature" in err and f"compiled for {h.cpu_name}" in err


def test_runtime_feature_check_uses_llvm_names():
    from runtime.cpu_device import host_cpu_features, missing_cpu_features

    have = host_cpu_features()
    assert have == T.host().features
    assert missing_cpu_features(sorted(have)) == []
    assert missing_cpu_features(["+fakefeature", *have]) == ["fakefeature"]
