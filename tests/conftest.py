"""Shared pytest setup: hypothesis profiles.

`ci` (the default) keeps the suite fast; `long` is for fuzzing sessions. Pick one with hypothesis's own
pytest option, `pytest --hypothesis-profile long`, or with HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", max_examples=10, deadline=None)
# hypothesis's pytest plugin loads --hypothesis-profile after this file, so the option wins over this default.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
