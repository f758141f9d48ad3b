"""Sensitivity sweeps: hundreds of variants of a scenario fitted on Dask, and which assumption moves the forecast.

    from riskline.sweeps import sweep
    dataset = sweep("sweeps/russia-nato-attack.yaml", workers=2, out="out/sweep")

See docs/sweeps.md for the sweep file, running on a cluster and the cost model.
"""

from riskline.sweeps.run import sweep
from riskline.sweeps.spec import load_sweep
from riskline.sweeps.variants import plan_sweep

__all__ = ["load_sweep", "plan_sweep", "sweep"]
