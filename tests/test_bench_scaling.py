"""bench ingest-scaling: a table, not a timed test; here only its shape is checked, on tiny inputs."""

from __future__ import annotations

from agent.bench.scaling import SHAPES, run


def test_every_shape_is_measured_at_both_sizes():
    rows = run(base=2_000, factor=3, repeats=1)
    assert [r.shape for r in rows] == [s for s in SHAPES for _ in range(2)]
    assert all(r.seconds >= 0 for r in rows) and [r.chars for r in rows[:2]][1] >= 3 * rows[0].chars - 16
