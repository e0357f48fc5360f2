"""Settings for the test suite: fixed synthetic keys and the test environment.

pytest-django imports this module before any conftest runs, so the test
environment is set here rather than in a fixture.
"""

import os

os.environ.setdefault("DOUDI_ENV", "test")
os.environ.setdefault("DOUDI_SECRET_KEY", "doudi-test-secret-key-not-for-production")
os.environ.setdefault(
    "DOUDI_FIELD_KEYS",
    "test1:dGVzdC1maWVsZC1rZXktMDAwMDAwMDAwMDAwMDAwMDA=",
)
os.environ.setdefault("DOUDI_FIELD_KEY_CURRENT", "test1")
# Tests that exercise the second factor turn it on with override_settings.
os.environ.setdefault("DOUDI_OTP_REQUIRED", "false")
os.environ.setdefault(
    "DOUDI_BLIND_INDEX_KEY", "dGVzdC1ibGluZC1pbmRleC1rZXktMDAwMDAwMDAwMDA="
)

from doudi.settings import *  # noqa: F403
