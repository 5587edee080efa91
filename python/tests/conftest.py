"""Skips become failures where every optional package is installed (CI sets
CATCHUP_NO_SKIP=1): a test that skips there would hide a missing or broken
dependency instead of testing the package."""

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CATCHUP_NO_SKIP") and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped under CATCHUP_NO_SKIP: {report.longrepr}"
