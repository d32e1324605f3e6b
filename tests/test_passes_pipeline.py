"""Pipeline grammar: round trip, nesting, options, named pipelines, and one-line errors with columns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passes import PipelineError, parse_pipeline, print_pipeline
from passes.generic.fold_constants import FoldConstants


@pytest.mark.parametrize(
    "text",
    [
        "builtin.module(canonicalize, fold-constants, fuse{max-ops=8}, dce)",
        "builtin.module(func.func(cse), dce)",
        "builtin.module(fuse{max-ops=3 elementwise=false})",
        "builtin.module()",
        "builtin.module(apply-patterns{pattern='Relu(x) -> x'})",
    ],
)
def test_round_trip(text):
    p = parse_pipeline(text)
    assert print_pipeline(p) == text
    assert parse_pipeline(print_pipeline(p)) == p


def test_options_are_typed_and_bare_list_is_module_anchored():
    p = parse_pipeline("fold-constants{max-elements=12}, dce")
    assert p.anchor == "builtin.module"
    assert p.items[0] == FoldConstants(max_elements=12)
    assert str(p) == "builtin.module(fold-constants{max-elements=12}, dce)"


def test_named_pipelines_expand_in_place():
    p = parse_pipeline("builtin.module(dce, -O1, cse)")
    assert [x.name for x in p.passes()] == ["dce", "canonicalize", "cse", "dce", "cse"]
    assert [x.name for x in parse_pipeline("builtin.module(O2)").passes()][-1] == "dce"


@pytest.mark.parametrize(
    "text, col, words",
    [
        ("builtin.module(canonicalize, frobnicate)", 30, "unknown pass 'frobnicate'"),
        ("builtin.module(fuse{max-opz=3})", 21, "has no option 'max-opz'"),
        ("builtin.module(fuse{max-ops=many})", 29, "bad value 'many'"),
        ("builtin.module(fuse{elementwise=maybe})", 33, "expected true or false"),
        ("builtin.module(cse, dce", 24, "unbalanced '('"),
        ("builtin.module(cse))", 20, "unbalanced ')'"),
        ("builtin.module(fuse{max-ops=3)", 30, "unbalanced '{'"),
        ("builtin.module(cse,, dce)", 20, "expected a pass"),
    ],
)
def test_errors_are_one_line_with_column(text, col, words):
    with pytest.raises(PipelineError) as e:
        parse_pipeline(text)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(f"pipeline:1:{col}: error:"), msg
    assert words in msg


PASS_ELEMS = st.sampled_from(
    [
        "canonicalize",
        "cse",
        "dce",
        "fold-constants",
        "fold-constants{max-elements=5}",
        "fuse{max-ops=3}",
        "fuse{elementwise=false}",
        "func.func(cse)",
        "func.func(dce, cse)",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(PASS_ELEMS, max_size=6))
def test_random_pipelines_round_trip(elems):
    text = "builtin.module(" + ", ".join(elems) + ")"
    p = parse_pipeline(text)
    assert print_pipeline(p) == text
    assert parse_pipeline(print_pipeline(p)) == p
