"""Independent, reproducible random streams for each part of the generator.

Each component draws from its own stream, keyed by the city seed and the
component's name, so that a change in how one component draws numbers does
not shift the numbers any other component receives.
"""

from __future__ import annotations

import random
import zlib

import numpy as np


def _key(seed: int, name: str) -> list[int]:
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed}.")
    return [seed, zlib.crc32(name.encode("utf-8"))]


def numpy_stream(seed: int, name: str) -> np.random.Generator:
    """Return the numpy generator for component ``name`` of city ``seed``."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(_key(seed, name)))
    )


def python_stream(seed: int, name: str) -> random.Random:
    """Return a ``random.Random`` for component ``name`` of city ``seed``."""
    state = np.random.SeedSequence(_key(seed, name)).generate_state(4)
    return random.Random(int.from_bytes(state.tobytes(), "little"))
