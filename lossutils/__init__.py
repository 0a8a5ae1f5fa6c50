"""lossutils: classification losses in NumPy, with PyTorch's exact semantics.

The helper package of the book. Every loss here takes the arguments of its
namesake in ``torch.nn.functional`` (or, for :func:`log_loss`,
``sklearn.metrics``) and returns the same numbers, computed stably in NumPy,
so that a chapter can derive a loss by hand and check it against the real
thing. Where it differs, it does so on purpose, and the API page lists every
such difference in one place.

Only NumPy is imported here. The plotting helpers live in
:mod:`lossutils.plotting` and need matplotlib::

    import lossutils as lu
    from lossutils import plotting as lp
"""

from .checks import Finding, LossInputWarning, diagnose
from .functional import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_loss,
    log_sigmoid,
    log_softmax,
    logsumexp,
    nll_loss,
    sigmoid,
    softmax,
)
from .likelihood import likelihood, log_likelihood

__all__ = [
    "Finding",
    "LossInputWarning",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "diagnose",
    "likelihood",
    "log_likelihood",
    "log_loss",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "nll_loss",
    "sigmoid",
    "softmax",
]

__version__ = "0.2.0"
