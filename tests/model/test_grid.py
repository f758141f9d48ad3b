from datetime import date

import numpy as np
import pytest

from riskline.model.grid import TimeGrid


def test_quarter_grid_starts_at_quarter_and_covers_end():
    grid = TimeGrid.covering(date(2024, 1, 19), date(2036, 1, 1), "quarter")
    assert grid.edges[0] == date(2024, 1, 1)
    assert grid.edges[-1] == date(2036, 1, 1)
    assert grid.n_bins == 48


def test_month_grid_ends_on_first_edge_past_end():
    grid = TimeGrid.covering(date(2025, 5, 17), date(2025, 8, 2), "month")
    assert grid.edges == (date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1), date(2025, 9, 1))


def test_exposure_is_years_before_date_per_bin():
    grid = TimeGrid.covering(date(2025, 1, 1), date(2026, 1, 1), "quarter")
    mid_may = grid.exposure([date(2025, 5, 16)])[0]
    assert mid_may[0] == pytest.approx(90 / 365.25)  # all of Q1
    assert mid_may[1] == pytest.approx(45 / 365.25)  # 1 April to 16 May
    assert mid_may[2:].sum() == 0
    # a constant hazard's cumulative hazard is rate x elapsed time, wherever the date falls
    assert grid.exposure([date(2025, 11, 3)]).sum() == pytest.approx(
        (date(2025, 11, 3) - date(2025, 1, 1)).days / 365.25
    )
    np.testing.assert_allclose(grid.exposure([grid.edges[-1]])[0], grid.widths)
