"""The statements' likelihood (riskline.model.likelihood) against independent computations.

The compiled kernel computes the log likelihood with hand-written gradients; here its
value is checked against a NumPy/SciPy computation written the direct way (the chain from
riskline.model.chains, the logistic CDF difference, the normal density), and its gradient
against central finite differences, on scenarios that use every kind of window. The
sampler calls the kernels through C symbols (riskline.model.likelihood.ccall); that path is
checked against the direct one on the whole model. The kernels, the operations and the C
functions all take their arguments as riskline.model.likelihood.layout declares them.
"""

import inspect
from pathlib import Path

import numba
import numpy as np
import pytensor
import pytest
from pytensor.compile.mode import Mode
from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS
from scipy.special import expit, logsumexp
from scipy.stats import norm

from riskline import load_scenario
from riskline.config.windows import Window
from riskline.model import chains
from riskline.model.encoding import encode, scenario_grid
from riskline.model.likelihood import StatementsLogp, ccall, chain_kernels, jit, kernels, layout
from riskline.model.likelihood.kernels import interval_logp, survey_logp
from riskline.model.store import model_code
from riskline.model.timeline import build_model

ROOT = Path(__file__).resolve().parents[2]
ROW_DATA = ("estimate_source", "confidence_factor", "logit_low", "logit_high", "survey_mu", "survey_sigma", "is_survey")
SCENARIOS = {
    "seed: chain, relative and fuzzy windows": ROOT / "scenarios" / "russia-nato-attack.yaml",
    "root and chain windows": ROOT / "tests" / "configs" / "good" / "chain-oracle.yaml",
    "survey phrases": ROOT / "tests" / "configs" / "good" / "constant-oracle-survey.yaml",
}


def test_interval_matches_logistic_cdf_difference():
    for lo, hi, m, s in [(-2.0, 0.5, 0.0, 0.5), (-0.5, 2.0, 1.0, 1.0), (1.0, 1.4, -1.0, 2.0)]:
        expected = np.log(expit((hi - m) / s) - expit((lo - m) / s))
        assert interval_logp(lo, hi, m, s)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_far_tail_keeps_its_value(sign):
    """An interval 40-41 scale units from the centre: the naive difference rounds to 0.

    Closed form there: F(41) - F(40) = e^-40 (1 - e^-1) to 1e-17 relative.
    """
    lo, hi = (40.0, 41.0) if sign > 0 else (-41.0, -40.0)
    assert interval_logp(lo, hi, 0.0, 1.0)[0] == pytest.approx(-40 + np.log1p(-np.exp(-1)), rel=1e-12)


@pytest.mark.parametrize("logp", [interval_logp, survey_logp], ids=["interval", "survey"])
@pytest.mark.parametrize("point", [(-1.0, 0.5, 0.2, 0.8), (-6.0, -3.0, 4.0, 1.5), (2.0, 2.2, 1.9, 0.3)])
def test_scalar_derivatives_match_finite_differences(logp, point):
    a, b, centre, scale = point
    _, d_centre, d_scale = logp(a, b, centre, scale)
    h = 1e-6
    assert d_centre == pytest.approx(
        (logp(a, b, centre + h, scale)[0] - logp(a, b, centre - h, scale)[0]) / (2 * h), rel=1e-6
    )
    assert d_scale == pytest.approx(
        (logp(a, b, centre, scale + h)[0] - logp(a, b, centre, scale - h)[0]) / (2 * h), rel=1e-6
    )


def _arguments(structure, data, hazard, bias, noise):
    return [hazard, bias, noise, *(data[array.name] for array in layout.named("data"))]


@pytest.mark.parametrize("kernel", [kernels.statements_logp, kernels.window_probability])
def test_the_kernels_take_the_arguments_the_layout_declares(kernel):
    """The operations and the C functions pass the layout's arrays in its order: the kernels must read them so."""
    parameters = list(inspect.signature(kernel.py_func).parameters)
    assert parameters == [array.name for array in layout.INPUTS] + ["points"]


def test_the_layout_lists_parameters_then_data_then_structure():
    """An operation's inputs (parameters, data) are followed by its structure's arrays: the layout's order."""
    roles = [array.role for array in layout.INPUTS]
    assert roles == sorted(roles, key=["parameter", "data", "structure"].index)
    assert {size for array in layout.INPUTS for size in array.shape} == set(layout.SIZES) - {"points"}


@pytest.mark.parametrize("path", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_the_encoding_gives_every_data_array_in_the_layouts_shape(path):
    structure, data = encode(load_scenario(path))
    sizes = {}
    for array in layout.named("data"):
        value = data[array.name]
        assert value.dtype == np.dtype(array.dtype), array.name
        assert value.ndim == len(array.shape), array.name
        for size, length in zip(array.shape, value.shape, strict=True):
            assert sizes.setdefault(size, length) == length, (array.name, size)
    assert (sizes["events"], sizes["bins"]) == (structure.n_events, structure.n_bins)
    assert (sizes["estimates"], sizes["sources"]) == (structure.estimate_capacity, structure.source_capacity)


def reference_q(scenario, hazard):
    """Each estimate's window probability at each fuzzy end, (estimates, points), the direct way.

    From the scenario's dates, not the model's encoding: a root event's windows from its
    cumulative hazard (exact); a triggered event's from its chain's CDF given the root had
    not happened by the issue date (riskline.model.chains, in NumPy), interpolated between
    the grid's edges; a window after an ancestor from the delay's CDF at whole mean bin widths.
    """
    grid, ids = scenario_grid(scenario), [e.id for e in scenario.events]
    parents = [scenario.parent(e) for e in scenario.events]
    edge_years, width = grid.years(grid.edges), grid.widths.mean()
    fuzzy = any(e.window.fuzzy for e in scenario.estimates)
    points = scenario.priors.model.fuzzy_window_points if fuzzy else 1
    q = np.zeros((len(scenario.estimates), points))
    for n, est in enumerate(scenario.estimates):
        window, event = est.window, ids.index(est.spec.event)
        parts = (np.arange(points) + 0.5) / points  # middles of equal parts of the fuzzy range
        if isinstance(window, Window):
            ends = [window.end_earliest + (window.end_latest - window.end_earliest) * p for p in parts]
            start = max(window.start, est.spec.issued)
            if parents[event] < 0:  # cumulative hazards at the issue date, the start and the ends
                issue, begin, *end = grid.exposure([est.spec.issued, start, *ends]) @ hazard[event]
                q[n] = np.exp(-(begin - issue)) * -np.expm1(-(np.array(end) - begin))
            else:
                given = grid.exposure([est.spec.issued])
                cdf = chains.event_cdfs_at_edges(hazard, parents, grid.widths, width, given)[event, 0]
                at = np.interp(grid.years([start, *ends]), edge_years, cdf)
                q[n] = at[1:] - at[0]
        else:
            ends = window.end_earliest + (window.end_latest - window.end_earliest) * parts
            delay = chains.relative_cdfs_at_edges(hazard, parents, [(event, ids.index(window.after))], width)[0]
            at = np.interp(np.array([window.start, *ends]) / width, np.arange(grid.n_bins + 1), delay)
            q[n] = at[1:] - at[0]
    return q


def _reference_logp(scenario, data, hazard, bias, noise):
    """The same likelihood the direct way, in NumPy and SciPy."""
    q = reference_q(scenario, hazard)
    points = q.shape[1]
    used = data["estimate_mask"] > 0  # padded rows are masked out
    data = {name: value[used] for name, value in data.items() if name in ROW_DATA}
    q = np.clip(q, 1e-12, 1 - 1e-12)
    centre = np.log(q / (1 - q)) + (data["estimate_source"] @ bias)[:, None]
    scale = ((data["estimate_source"] @ noise) * data["confidence_factor"])[:, None]
    low, high = data["logit_low"][:, None], data["logit_high"][:, None]
    interval = np.log(expit((high - centre) / scale) - expit((low - centre) / scale))
    spread = np.sqrt(data["survey_sigma"][:, None] ** 2 + np.pi**2 / 3 * scale**2)
    survey = norm.logpdf(data["survey_mu"][:, None], centre, spread)
    logp = np.where(data["is_survey"][:, None] > 0, survey, interval)
    return float(np.sum(logsumexp(logp, axis=1) - np.log(points)))


@pytest.mark.parametrize("path", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_value_and_gradient(path):
    scenario = load_scenario(path)
    structure, data = encode(scenario)
    kernel = StatementsLogp(structure)
    rng = np.random.default_rng(3)
    hazard = rng.lognormal(np.log(0.2), 0.6, size=(structure.n_events, structure.n_bins))
    bias, noise = rng.normal(0, 0.3, structure.source_capacity), rng.lognormal(0, 0.3, structure.source_capacity)

    def run(hazard, bias, noise):
        storage = [[None] for _ in range(4)]
        kernel.perform(None, _arguments(structure, data, hazard, bias, noise), storage)
        return [x[0] for x in storage]

    value, d_hazard, d_bias, d_noise = run(hazard, bias, noise)
    assert value == pytest.approx(_reference_logp(scenario, data, hazard, bias, noise), rel=1e-10)
    step = 1e-6
    for name, array, gradient in [("hazard", hazard, d_hazard), ("bias", bias, d_bias), ("noise", noise, d_noise)]:
        for index in [tuple(rng.integers(0, s) for s in array.shape) for _ in range(6)] + [
            np.unravel_index(np.argmax(np.abs(gradient)), array.shape)
        ]:
            up, down = array.copy(), array.copy()
            up[index] += step
            down[index] -= step
            args = {"hazard": hazard, "bias": bias, "noise": noise}
            numeric = (run(**{**args, name: up})[0] - run(**{**args, name: down})[0]) / (2 * step)
            assert gradient[index] == pytest.approx(numeric, rel=1e-5, abs=1e-7), (name, index)


@pytest.mark.parametrize("path", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_the_samplers_compiled_path_matches_the_direct_one(path):
    """The model as nutpie compiles it against the same model run op by op in Python.

    Compiled: numba, the kernels called by their C symbols, the data packed. Direct: each
    operation's Python `perform`, which calls the same jitted kernels from Python; so this
    checks the packing and the calls by symbol, and the kernels' value and gradient are
    checked against NumPy above. Compared: the log density, its gradient, and the window
    probabilities.
    """
    model = build_model(*encode(load_scenario(path)))
    rng = np.random.default_rng(5)
    point = {name: rng.normal(0, 0.7, np.shape(value)) for name, value in model.initial_point().items()}
    (window_probability,) = model.replace_rvs_by_values([model["window_probability"]])
    outputs = [model.logp(), *pytensor.grad(model.logp(), model.value_vars), window_probability]
    compiled, direct = [
        pytensor.function(model.value_vars, outputs, mode=mode, on_unused_input="ignore")(**point)
        for mode in ("NUMBA", Mode(linker="py", optimizer="fast_run"))
    ]
    for sampler_value, direct_value in zip(compiled, direct, strict=True):
        np.testing.assert_allclose(sampler_value, direct_value, rtol=1e-10, atol=1e-12)


def test_every_kernel_is_cached_under_the_digest_of_all_their_sources():
    """Numba's own cache checks only a function's file, so a kernel calling into another module could run stale code.

    Every compiled kernel is keyed by the digest of all the modules kernel code comes from instead (jit.SOURCES).
    """
    compiled = [value for module in (kernels, chain_kernels, ccall) for value in vars(module).values()
                if isinstance(value, numba.core.dispatcher.Dispatcher)]  # fmt: skip
    assert len(compiled) > 20
    for dispatcher in compiled:
        assert CACHED_SRC_FUNCTIONS[dispatcher.py_func].startswith(jit.SOURCE_DIGEST), dispatcher
        assert Path(inspect.getfile(dispatcher.py_func)) in jit.SOURCES, dispatcher


def test_the_compiled_model_store_is_keyed_by_every_likelihood_module():
    """An edit of any of them must give the stored compiled functions a new key, so that old ones are recompiled."""
    package = Path(kernels.__file__).parent
    assert set(package.glob("*.py")) <= set(model_code())
