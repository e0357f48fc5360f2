"""Build polars string columns from small integer codes.

Mapping codes through a short list of names with ``gather`` avoids numpy
fixed-width string arrays, which take 4 bytes per character per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl


def labels(names: Sequence[str], index: npt.NDArray[np.integer]) -> pl.Series:
    """Return ``names[i]`` for each ``i`` in ``index`` as a string series."""
    return pl.Series(list(names), dtype=pl.Utf8).gather(index)


def choose(condition: npt.NDArray[np.bool_], if_true: str, if_false: str) -> pl.Series:
    """Return ``if_true`` where ``condition`` holds, else ``if_false``."""
    return labels((if_false, if_true), condition.astype(np.int64))
