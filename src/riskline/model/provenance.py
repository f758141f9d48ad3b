"""Where a forecast's draws came from, kept in its DataTree so that it saves and reloads whole.

A forecast is either sampled by NUTS (`fit`) or reweighted from a fit's draws (`update`).
`update` needs, of the fit whose draws it reweights: the draws of the free parameters, the
data they were sampled for (the model's two packed arrays), the structure of the model,
the fit's diagnostics and its log density at each draw. All of it is in the tree: the
attributes name the method and the seed, and the group `fit` holds the rest (for a sampled
forecast its draws are its own posterior, so the group holds the data and log density
only). Nothing about a forecast lives outside its tree, so `Forecast.load` gives back a
forecast `update` can work on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from riskline.errors import ForecastFileError
from riskline.forecast import DIAGNOSTICS_ATTR, Diagnostics, read_forecast_tree
from riskline.model.compiled import FREE_SUFFIX
from riskline.model.encoding import ModelStructure, data_fingerprint
from riskline.model.timeline import DATA_NAMES, pack_data

__all__ = ["FIT_GROUP", "FitBehind", "structure_key"]

FIT_GROUP = "fit"
"""The tree's group describing the fit whose draws a forecast holds or reweighted."""
LOG_DENSITY = "log_density"


def structure_key(structure: ModelStructure) -> str:
    """A digest of the model's structure: draws reweight only within one structure."""
    return hashlib.sha256(repr(structure).encode()).hexdigest()


@dataclass(frozen=True)
class FitBehind:
    """The NUTS fit whose draws a forecast holds or reweighted: what `update` reweights."""

    draws: xr.Dataset
    """The free parameters' draws (chain, draw, ...), cut to the fitted scenario's rows."""
    data: dict[str, np.ndarray]
    """The model's packed data (`pack_data`) the draws were sampled for."""
    structure: str
    fingerprint: str
    diagnostics: Diagnostics
    log_density: np.ndarray
    """The sum of the model's Potentials at each draw (chain, draw)."""
    tune: int
    """Tuning steps per chain (the diagnostics hold the chains and draws)."""

    @classmethod
    def sampled(
        cls,
        structure: ModelStructure,
        data: dict[str, np.ndarray],
        draws: xr.Dataset,
        log_density: np.ndarray,
        diagnostics: Diagnostics,
        tune: int,
    ) -> FitBehind:
        """The fit that sampled `draws` for `data` (encode's arrays)."""
        key, fingerprint = structure_key(structure), data_fingerprint(data)
        return cls(draws, pack_data(data), key, fingerprint, diagnostics, log_density, tune)

    @classmethod
    def of(cls, tree: xr.DataTree) -> FitBehind | None:
        """The fit behind the forecast in `tree`; None when there is none (the priors alone, an older file)."""
        if FIT_GROUP not in tree.children:
            return None
        group = tree[FIT_GROUP].to_dataset()
        own = [name for name in group.data_vars if str(name).endswith(FREE_SUFFIX)]
        draws = group[own] if own else tree.posterior.to_dataset()
        return cls(
            draws=draws[[name for name in draws.data_vars if str(name).endswith(FREE_SUFFIX)]],
            data={name: group[name].values for name in DATA_NAMES},
            structure=group.attrs["structure"],
            fingerprint=group.attrs["data_fingerprint"],
            diagnostics=Diagnostics(**json.loads(group.attrs[DIAGNOSTICS_ATTR])),
            log_density=group[LOG_DENSITY].values,
            tune=int(group.attrs["tune"]),
        )

    @classmethod
    def read(cls, path: Path) -> FitBehind:
        """The fit behind the forecast saved in `path` (forecast.nc); its scenario need not be readable any more."""
        behind = cls.of(read_forecast_tree(path))
        if behind is None:
            raise ForecastFileError(f"{path}: holds no fit (a forecast of the priors alone)")
        return behind

    def sampled_as(self, chains: int, draws: int, tune: int) -> bool:
        """Whether the fit ran with these sampler settings."""
        return (self.diagnostics.chains, self.diagnostics.draws, self.tune) == (chains, draws, tune)

    def group(self, with_draws: bool) -> xr.DataTree:
        """The tree's `fit` group; `with_draws` when they are not the forecast's posterior (a reweighting)."""
        group = xr.Dataset(
            {name: (f"fit_{name}", self.data[name]) for name in DATA_NAMES}
            | {LOG_DENSITY: (("chain", "draw"), self.log_density)}
        )
        if with_draws:
            group = group.merge(self.draws)
        group.attrs = {
            "structure": self.structure,
            "data_fingerprint": self.fingerprint,
            DIAGNOSTICS_ATTR: json.dumps(dataclasses.asdict(self.diagnostics)),
            "tune": self.tune,
        }
        return xr.DataTree(group)
