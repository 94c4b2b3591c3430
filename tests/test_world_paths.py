"""All-pairs shortest paths (SciPy's Floyd-Warshall) on a hand-computed graph."""

from __future__ import annotations

import numpy as np

from ripeness.world.compile import floyd

INF = np.inf


def test_floyd_known_answer() -> None:
    """A square a-b-c-d with a costly diagonal a-c and an isolated e: a to c goes round
    (1 + 2 = 3 < 5); a zero-length link is still a link; e is unreachable."""
    d = np.array([[INF, 1.0, 5.0, INF, INF],
                  [1.0, INF, 2.0, INF, INF],
                  [5.0, 2.0, INF, 0.0, INF],
                  [INF, INF, 0.0, INF, INF],
                  [INF, INF, INF, INF, INF]])
    got = floyd(d)
    assert got[0, 2] == 3.0 and got[0, 3] == 3.0 and got[3, 1] == 2.0
    assert np.isinf(got[0, 4]) and got[4, 4] == 0.0
    np.testing.assert_array_equal(np.diag(got), 0.0)
    np.testing.assert_array_equal(got, got.T)
