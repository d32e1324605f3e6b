"""`ziggurat fuzz`: a short campaign, its summary and exit status, saved mismatches and --replay."""

from __future__ import annotations

import pytest

from ziggurat.cli import main


def test_short_interp_campaign_agrees(tmp_path, capsys):
    rc = main(["fuzz", "--target", "interp", "--minutes", "1", "--max-cases", "8", "--seed", "3",
               "--out", str(tmp_path / "out")])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "8 cases:" in out and "0 mismatches" in out
    assert "ort:" in out
    assert not (tmp_path / "out").exists()


def test_campaign_with_a_wrong_lowering_saves_a_replayable_mismatch(tmp_path, capsys, monkeypatch):
    from passes.lowering import graph_to_tensor_elementwise as ew
    from passes.lowering.graph_to_tensor_common import LOWERINGS

    wrong = ew._unary(ew._checked("graph.abs", lambda s, x, op: s.max(x, s.like(0.5, x))))
    monkeypatch.setitem(LOWERINGS, "graph.abs", wrong)
    out_dir = tmp_path / "out"
    rc = main(["fuzz", "--target", "cpu", "--minutes", "1", "--max-cases", "40", "--seed", "0", "--max-ops", "2", "--ops", "Abs,Relu",
               "--shrink-seconds", "10", "--out", str(out_dir)])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 1, out
    assert "MISMATCH" in out and "replay: ziggurat fuzz --replay" in out
    cases = sorted(out_dir.iterdir())
    assert cases
    case = cases[0]
    assert {"model.mlir", "inputs.npz", "report.txt"} <= {p.name for p in case.iterdir()}
    assert "graph.abs" in (case / "model.mlir").read_text()
    assert main(["fuzz", "--replay", str(case)]) == 1
    monkeypatch.undo()
    assert main(["fuzz", "--replay", str(case)]) == 0  # the correct lowering agrees


def test_bad_arguments_are_user_errors(capsys):
    assert main(["fuzz", "--minutes", "0"]) == 2
    with pytest.raises(SystemExit):
        main(["fuzz", "--target", "nope"])
