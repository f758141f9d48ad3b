"""The statements' likelihood as one compiled operation, with its gradient written out (docs/model.md).

One concept per module:

- `layout`: the kernels' arguments and results, declared once (name, dtype, shape in named sizes);
- `chain_kernels` and `kernels`: the mathematics, plain loops compiled by numba, each
  forward pass with its pullback (event chains at the grid's edges; window probabilities
  and the statements' log density);
- `jit`: how the kernels are compiled and kept on disk;
- `ccall`: the kernels as C functions, called by symbol from the sampler's compiled code;
- `ops`: the PyTensor operations the PyMC model uses (`statements_logp`, `window_probability`).
"""

from riskline.model.likelihood.kernels import interval_logp
from riskline.model.likelihood.ops import StatementsLogp, WindowProbability, statements_logp, window_probability

__all__ = ["StatementsLogp", "WindowProbability", "interval_logp", "statements_logp", "window_probability"]
