"""scripts/specialization_dose.py's judgement of issue 11 item 1's smoothness rule on every set of seeds."""

import numpy as np
import pytest

from script_modules import load_script


def test_subset_smoothness_by_hand():
    """Eleven values, three seeds. Seeds 0 and 1 rise by 1 a step; seed 2 is flat but for a jump of 30
    at 0.4 -> 0.5. The pair of seeds 0 and 1: every step 1, ratio 1, smooth. A pair with seed 2: steps
    of 0.5, but (1 + 30) / 2 = 15.5 at 0.4 -> 0.5; mean step (9 x 0.5 + 15.5) / 10 = 2, ratio 7.75."""
    dose = load_script("specialization_dose")
    line = np.arange(11.0)
    jump = np.where(np.arange(11) >= 5, 30.0, 0.0)
    result = dose.subset_smoothness(np.stack([line, line, jump], axis=1), 2)
    assert result["sets"] == 3 and result["passing"] == 1
    assert result["ratio_median"] == pytest.approx(7.75)
    assert result["ratio_10"] == pytest.approx(1 + 0.2 * 6.75)          # numpy's linear quantile of [1, 7.75, 7.75]
    assert result["largest_at"][0] == ((0.4, 0.5), 2)
