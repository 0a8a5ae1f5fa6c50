"""scikit-learn's own ``log_loss`` tests, run against ``lossutils.log_loss``.

Every test function of the installed scikit-learn's
``sklearn/metrics/tests/test_classification.py`` whose name contains
``log_loss`` is collected here, one pytest test per function and per
parameter set, and run with the name ``log_loss`` in that test module's
namespace pointing at :func:`lossutils.log_loss`. A test whose body never
calls ``log_loss`` (it checks ``d2_log_loss_score`` only, which calls
scikit-learn's private ``_log_loss``) exercises nothing of ours: it is listed
as skipped, with that reason, rather than silently dropped. A genuinely
intended difference would be an ``xfail`` with its reason in ``KNOWN_DIFFERENCES``
(there is none today).
"""

from __future__ import annotations

import itertools

import pytest

import lossutils as lu

sk_tests = pytest.importorskip("sklearn.metrics.tests.test_classification")

# name of a scikit-learn test -> why lossutils intentionally behaves differently
KNOWN_DIFFERENCES: dict[str, str] = {}


def _parameter_sets(func):
    """The keyword arguments of each case of ``func``'s ``pytest.mark.parametrize`` marks."""
    marks = [m for m in getattr(func, "pytestmark", []) if m.name == "parametrize"]
    axes = []
    for mark in marks:
        names = mark.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        values = []
        for v in mark.args[1]:
            v = v.values if hasattr(v, "values") and hasattr(v, "marks") else v  # a pytest.param
            values.append(dict(zip(names, v if len(names) > 1 else (v,))))
        axes.append(values)
    for combo in itertools.product(*axes):
        yield {k: v for part in combo for k, v in part.items()}


def _cases():
    names = sorted(n for n in dir(sk_tests) if n.startswith("test") and "log_loss" in n)
    for name in names:
        func = getattr(sk_tests, name)
        for i, kwargs in enumerate(_parameter_sets(func)):
            marks = []
            if "log_loss" not in func.__code__.co_names:
                marks.append(
                    pytest.mark.skip(reason=f"{name} never calls log_loss (only d2_log_loss_score)")
                )
            elif name in KNOWN_DIFFERENCES:
                marks.append(pytest.mark.xfail(reason=KNOWN_DIFFERENCES[name], strict=True))
            yield pytest.param(func, kwargs, id=f"{name}[{i}]" if kwargs else name, marks=marks)


CASES = list(_cases())


def test_the_suite_is_not_empty():
    assert sum(1 for c in CASES if not c.marks) >= 10


@pytest.mark.parametrize("func, kwargs", CASES)
def test_sklearn_log_loss_test_passes_with_lossutils(func, kwargs, monkeypatch):
    monkeypatch.setattr(sk_tests, "log_loss", lu.log_loss)
    func(**kwargs)
