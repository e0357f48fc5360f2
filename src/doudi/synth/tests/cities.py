"""Cached synthetic cities shared by the test modules."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Final

from doudi.synth import SynthCity, generate_city

AS_OF: Final = date(2025, 9, 1)
DEMO_HOUSEHOLDS: Final = 20_000
DEMO_SEED: Final = 20250901


@lru_cache(maxsize=4)
def city(households: int = DEMO_HOUSEHOLDS, seed: int = DEMO_SEED) -> SynthCity:
    """Return a generated city, built once per size and seed per test run."""
    return generate_city(households, seed, AS_OF)
