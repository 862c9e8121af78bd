"""Tests that need a tool the machine may lack (Chromium, LibreOffice, PostgreSQL) skip with the
reason, except where CI requires the tool (``MCQUAL_REQUIRE_BROWSER`` / ``_SOFFICE`` / ``_POSTGRES=1``,
set by ``.ci/run``): there a missing tool is a failure, so a green CI run really ran them."""
from __future__ import annotations

import os

import pytest


def skip_or_fail(env_var: str, reason: str) -> None:
    """``pytest.fail`` when ``env_var`` is ``"1"``, else print the reason and ``pytest.skip``."""
    if os.environ.get(env_var) == "1":
        pytest.fail(f"{env_var}=1 but {reason}")
    print(f"skipped: {reason}")
    pytest.skip(reason)
