"""One vectorised numpy idiom shared by the span code: expand ``[lo, hi)`` ranges into pairs.

Examples
--------
>>> import numpy as np
>>> owner, value = expand_ranges(np.array([0, 5]), np.array([2, 8]))
>>> owner.tolist(), value.tolist()
([0, 0, 1, 1, 1], [0, 1, 5, 6, 7])
"""
from __future__ import annotations

import numpy as np


def expand_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``[lo[i], hi[i])``: ``(i repeated per element, the elements)``, empty ranges skipped."""
    lo = np.asarray(lo, dtype=np.int64)
    counts = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 0)
    owner = np.repeat(np.arange(len(lo)), counts)
    value = np.repeat(lo, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    return owner, value
