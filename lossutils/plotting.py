"""Plotting helpers for the book: one palette, one look, no global state.

This is the only module of :mod:`lossutils` that imports matplotlib. Every
helper takes an optional ``ax`` (a new figure of phone-friendly size is made
when it is ``None``), draws on it, and returns it. Helpers never touch
``matplotlib.rcParams``, never set titles (the chapter's caption does that),
and label axes in lower case.

Colours come from :data:`COLORS`, so that the same thing has the same colour
in every chapter: the true label y = 1 is always ``COLORS["y1"]``, y = 0 is
always ``COLORS["y0"]``, log-loss is always ``COLORS["log_loss"]``, and so on.
The palette is Okabe and Ito's, which stays distinguishable for the common
forms of colour blindness.

    >>> from lossutils import plotting as lp
    >>> lp.COLORS["y1"], lp.COLORS["y0"]
    ('#0072B2', '#E69F00')
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

__all__ = [
    "COLORS",
    "FIGSIZE",
    "new_ax",
    "plot_likelihood",
    "plot_log_loss_curve",
    "plot_loss_comparison",
    "plot_expected_log_loss",
    "plot_running_product",
]

#: Default figure size in inches: wide enough for a laptop, still legible on a phone.
FIGSIZE = (6.0, 3.5)

#: One colour per meaning, used by every chapter (Okabe–Ito palette).
COLORS = {
    # the two binary labels
    "y1": "#0072B2",  # blue: true label 1 / positive class
    "y0": "#E69F00",  # orange: true label 0 / negative class
    # losses
    "log_loss": "#D55E00",  # vermillion: log-loss = binary cross-entropy
    "bce": "#D55E00",  # the same loss under its PyTorch name
    "cross_entropy": "#CC79A7",  # reddish purple: multiclass cross-entropy
    "nll": "#882255",  # wine: negative log-likelihood (nll_loss)
    "squared_error": "#009E73",  # bluish green
    "zero_one": "#555555",  # dark grey: 0-1 loss
    "hinge": "#56B4E9",  # sky blue
    # quantities
    "likelihood": "#0072B2",  # blue: a likelihood curve
    "log_likelihood": "#56B4E9",  # sky blue
    "exact": "#000000",  # black: the exact (high-precision) reference
    "float32": "#D55E00",  # vermillion
    "float64": "#0072B2",  # blue
    "limit": "#999999",  # light grey: thresholds, guide lines
    "mark": "#000000",  # black: marked points, maxima and minima
}


def new_ax(ax=None, figsize=FIGSIZE):
    """Return ``ax`` if given, else the axes of a new figure of size ``figsize``.

    >>> ax = new_ax()
    >>> ax.figure.get_size_inches().tolist()
    [6.0, 3.5]
    """
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_likelihood(theta, values, *, mark=None, ax=None, ylabel="likelihood",
                    xlabel=r"parameter $\theta$", label=None, color=None):
    """Plot a likelihood (or log-likelihood) as a function of a model parameter.

    Parameters
    ----------
    theta : array_like, shape (M,)
        Parameter values, the x axis.
    values : array_like, shape (M,)
        The likelihood ``L(theta)`` at each parameter value.
    mark : float, optional
        A parameter value to mark (typically the maximiser): a dotted vertical
        line and a dot on the curve, its height interpolated from ``values``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    ylabel, xlabel : str
        Axis labels (lower case).
    label : str, optional
        Legend entry for the curve.
    color : str, optional
        Line colour; ``COLORS["likelihood"]`` by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> theta = np.linspace(0, 1, 101)
    >>> ax = plot_likelihood(theta, theta**3 * (1 - theta), mark=0.75)
    >>> float(ax.lines[0].get_ydata()[50])    # L(0.5) = 0.5**4
    0.0625
    """
    ax = new_ax(ax)
    theta = np.asarray(theta, dtype=float)
    values = np.asarray(values, dtype=float)
    color = COLORS["likelihood"] if color is None else color
    ax.plot(theta, values, color=color, label=label)
    if mark is not None:
        height = float(np.interp(mark, theta, values))
        ax.axvline(mark, color=COLORS["limit"], linestyle=":", linewidth=1)
        ax.plot([mark], [height], "o", color=COLORS["mark"], zorder=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend(frameon=False)
    return ax


def plot_log_loss_curve(marks=(0.1, 0.5, 0.9), *, ax=None, num=400, eps=1e-3,
                        annotate=True):
    """Plot log-loss against the predicted probability, for y = 1 and for y = 0.

    Draws ``-log(p)`` (the loss when the true label is 1) and ``-log(1 - p)``
    (the loss when it is 0) for ``p`` in ``[eps, 1 - eps]``, natural log, and
    marks the loss at each probability in ``marks`` on both curves.

    Parameters
    ----------
    marks : sequence of float
        Predicted probabilities P(y=1) at which to mark both curves.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    num : int
        Number of grid points per curve.
    eps : float
        The curves stop at ``eps`` and ``1 - eps``, where the loss is finite
        (at ``p = 0`` or ``1`` one of them is infinite).
    annotate : bool
        Write the loss value beside each marked point.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the y = 1 curve, ``ax.lines[1]`` the y = 0 curve,
        ``ax.lines[2]`` and ``ax.lines[3]`` their marked points.

    Examples
    --------
    >>> ax = plot_log_loss_curve(marks=[0.5])
    >>> [round(float(v), 4) for v in ax.lines[2].get_ydata()]   # -log(0.5)
    [0.6931]
    """
    ax = new_ax(ax)
    p = np.linspace(eps, 1 - eps, num)
    marks = np.asarray(marks, dtype=float)
    ax.plot(p, -np.log(p), color=COLORS["y1"], label=r"$y = 1$: $-\log p$")
    ax.plot(p, -np.log1p(-p), color=COLORS["y0"], label=r"$y = 0$: $-\log(1-p)$")
    loss1, loss0 = -np.log(marks), -np.log1p(-marks)
    ax.plot(marks, loss1, "o", color=COLORS["y1"], zorder=3)
    ax.plot(marks, loss0, "s", color=COLORS["y0"], zorder=3)
    if annotate:
        for m, a, b in zip(marks, loss1, loss0):
            ax.annotate(f"{a:.2f}", (m, a), textcoords="offset points", xytext=(6, 4),
                        color=COLORS["y1"], fontsize=8)
            ax.annotate(f"{b:.2f}", (m, b), textcoords="offset points", xytext=(-6, 4),
                        ha="right", color=COLORS["y0"], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(r"predicted probability $p = P(y=1)$")
    ax.set_ylabel("log-loss (nats)")
    ax.legend(frameon=False, loc="upper center")
    return ax


def plot_loss_comparison(y=1, *, ax=None, num=400, eps=1e-3, threshold=0.5):
    """Plot log-loss, squared error and 0–1 loss against the predicted probability.

    For a sample whose true label is ``y``, draws, for ``p = P(y=1)`` in
    ``[eps, 1 - eps]``:

    - log-loss ``-y log p - (1 - y) log(1 - p)`` (natural log),
    - squared error ``(p - y)**2``,
    - 0–1 loss: 1 if the prediction ``p >= threshold`` disagrees with ``y``, else 0.

    Parameters
    ----------
    y : {0, 1}
        The true label.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    num : int
        Number of grid points.
    eps : float
        The grid stops at ``eps`` and ``1 - eps`` (log-loss is infinite at the ends).
    threshold : float
        Decision threshold of the 0–1 loss.

    Returns
    -------
    matplotlib.axes.Axes
        Lines in order: log-loss, squared error, 0–1 loss.

    Examples
    --------
    >>> ax = plot_loss_comparison(y=0, num=3, eps=0.25)
    >>> [float(v) for v in ax.lines[1].get_ydata()]   # (p - 0)**2 at p = 0.25, 0.5, 0.75
    [0.0625, 0.25, 0.5625]
    >>> [float(v) for v in ax.lines[2].get_ydata()]   # p >= 0.5 predicts 1: wrong
    [0.0, 1.0, 1.0]
    """
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y!r}")
    ax = new_ax(ax)
    p = np.linspace(eps, 1 - eps, num)
    log_loss = -np.log(p) if y == 1 else -np.log1p(-p)
    squared = (p - y) ** 2
    zero_one = ((p >= threshold).astype(int) != y).astype(float)
    ax.plot(p, log_loss, color=COLORS["log_loss"], label="log-loss")
    ax.plot(p, squared, color=COLORS["squared_error"], label="squared error")
    ax.plot(p, zero_one, color=COLORS["zero_one"], drawstyle="steps-post",
            linestyle="--", label="0–1 loss")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, min(5.0, float(log_loss.max()) * 1.05))
    ax.set_xlabel(r"predicted probability $p = P(y=1)$")
    ax.set_ylabel(f"loss when $y = {y}$")
    ax.legend(frameon=False, loc="upper center" if y == 1 else "upper left")
    return ax


def plot_expected_log_loss(q, *, ax=None, num=400, eps=1e-3, colors=None):
    """Plot the expected log-loss against the predicted probability, one curve per ``q``.

    If a label is 1 with true frequency ``q`` and the model always predicts
    ``p``, the expected log-loss is ``-q log p - (1 - q) log(1 - p)``. Each
    curve's minimum, at ``p = q``, is marked with a dot.

    Parameters
    ----------
    q : float or sequence of float
        True frequencies of the label 1, each in (0, 1).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    num : int
        Number of grid points per curve.
    eps : float
        The grid covers ``[eps, 1 - eps]``.
    colors : sequence of str, optional
        One colour per ``q``; by default a fixed sequence from :data:`COLORS`.

    Returns
    -------
    matplotlib.axes.Axes
        For each ``q`` in order: its curve, then its marked minimum.

    Examples
    --------
    >>> ax = plot_expected_log_loss([0.3])
    >>> x, y = ax.lines[1].get_data()
    >>> float(x[0]), round(float(y[0]), 4)     # minimum at p = q, value = entropy of q
    (0.3, 0.6109)
    """
    ax = new_ax(ax)
    qs = np.atleast_1d(np.asarray(q, dtype=float))
    if np.any((qs <= 0) | (qs >= 1)):
        raise ValueError(f"every q must lie strictly between 0 and 1, got {qs.tolist()}")
    if colors is None:
        cycle = [COLORS[k] for k in ("y1", "squared_error", "cross_entropy", "y0", "hinge")]
        colors = [cycle[i % len(cycle)] for i in range(len(qs))]
    p = np.linspace(eps, 1 - eps, num)
    for qi, c in zip(qs, colors):
        ax.plot(p, -qi * np.log(p) - (1 - qi) * np.log1p(-p), color=c,
                label=f"true frequency $q = {qi:g}$")
        best = -qi * np.log(qi) - (1 - qi) * np.log1p(-qi)
        ax.plot([qi], [best], "o", color=c, markeredgecolor=COLORS["mark"], zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 3)
    ax.set_xlabel(r"predicted probability $p$")
    ax.set_ylabel("expected log-loss (nats)")
    ax.legend(frameon=False, loc="upper center")
    return ax


def plot_running_product(products, *, exact_log10=None, ax=None, limits=True):
    """Plot the base-10 logarithm of running products against the number of factors.

    Parameters
    ----------
    products : dict of str to ndarray
        Running products, each ``products[name][k]`` the product of the first
        ``k + 1`` factors, computed in the array's own dtype. Each is drawn in
        ``COLORS[name]`` when ``name`` is a palette key (e.g. ``"float32"``).
        Exact zeros (underflow) cannot be drawn on a log scale: the curve stops
        and a dotted vertical line marks the first factor count whose product is 0.0.
    exact_log10 : ndarray, optional
        The exact ``log10`` of the product (computed as a sum of logs), drawn
        dashed in ``COLORS["exact"]``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    limits : bool
        Draw, for each dtype, a horizontal line at its smallest normal number
        (solid) and its smallest subnormal number (dash-dot).

    Returns
    -------
    matplotlib.axes.Axes
        The first ``len(products)`` lines are the curves, in the order given.

    Examples
    --------
    >>> prods = {"float64": np.cumprod(np.full(3, 0.1))}
    >>> ax = plot_running_product(prods, limits=False)
    >>> np.round(ax.lines[0].get_ydata(), 6).tolist()
    [-1.0, -2.0, -3.0]
    """
    ax = new_ax(ax)
    curves = {}
    for name, prod in products.items():
        prod = np.asarray(prod)
        k = np.arange(1, prod.size + 1)
        with np.errstate(divide="ignore"):
            y = np.log10(prod.astype(np.float64))
        y[~np.isfinite(y)] = np.nan
        color = COLORS.get(name)
        (line,) = ax.plot(k, y, color=color, label=f"{name} product")
        curves[name] = (prod, line.get_color())
    if exact_log10 is not None:
        exact_log10 = np.asarray(exact_log10, dtype=float)
        ax.plot(np.arange(1, exact_log10.size + 1), exact_log10, color=COLORS["exact"],
                linestyle="--", linewidth=1, label="exact (sum of logs)")
    for name, (prod, color) in curves.items():
        zeros = np.flatnonzero(prod == 0)
        if zeros.size:
            ax.axvline(zeros[0] + 1, color=color, linestyle=":", linewidth=1.2)
        if limits and np.issubdtype(prod.dtype, np.floating):
            info = np.finfo(prod.dtype)
            ax.axhline(np.log10(float(info.smallest_normal)), color=color, linewidth=0.8,
                       alpha=0.6)
            ax.axhline(np.log10(float(info.smallest_subnormal)), color=color,
                       linewidth=0.8, linestyle="-.", alpha=0.6)
    ax.set_xlabel("number of factors multiplied")
    ax.set_ylabel(r"$\log_{10}$ of running product")
    ax.legend(frameon=False, loc="lower left")
    return ax


# ---------------------------------------------------------------------------
# Chapters 4-5: logits, numerical stability, many classes (engineer D).
# ---------------------------------------------------------------------------

__all__ += [
    "plot_naive_vs_stable",
    "plot_gradient_factors",
    "plot_class_distributions",
    "plot_cross_entropy_decomposition",
]


def plot_naive_vs_stable(z, naive, stable, exact, *, floor=2.0**-24, ax=None):
    """Plot the relative error of a naive and a stable formula against the logit, on a log scale.

    Draws ``|naive - exact| / |exact|`` and ``|stable - exact| / |exact|``
    against ``z``. A log axis cannot show an error of exactly 0, so every
    relative error below ``floor`` (exact zeros included) is drawn at
    ``floor``, and a grey dashed line marks that floor. Where the naive value
    is not finite (``inf`` or ``nan``) its curve stops, and a dotted vertical
    line marks the first such logit. Only the two curves are in the legend;
    the caption should explain the floor and the vertical line.

    Parameters
    ----------
    z : array_like, shape (M,)
        Logits, the x axis.
    naive, stable : array_like, shape (M,)
        The value of each formula at each logit (the naive one may hold ``inf``
        or ``nan``).
    exact : array_like, shape (M,)
        High-precision reference values (e.g. from mpmath), nonzero.
    floor : float
        Smallest relative error drawn; the default ``2**-24`` is the unit
        roundoff of ``float32``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the naive curve, ``ax.lines[1]`` the stable one,
        ``ax.lines[2]`` the floor, then the breakdown line (if any).

    Examples
    --------
    >>> z = np.array([0.0, 1.0, 2.0])
    >>> ax = plot_naive_vs_stable(z, [1.5, np.inf, 2.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    >>> [float(v) for v in ax.lines[0].get_ydata()]       # 0.5 error, then stopped
    [0.5, nan, nan]
    >>> float(ax.lines[-1].get_xdata()[0])                 # first non-finite naive value
    1.0
    """
    ax = new_ax(ax)
    z = np.asarray(z, dtype=float)
    naive = np.asarray(naive, dtype=float)
    stable = np.asarray(stable, dtype=float)
    exact = np.asarray(exact, dtype=float)
    if not (z.shape == naive.shape == stable.shape == exact.shape):
        raise ValueError(f"z, naive, stable and exact must have one shape, got {z.shape}, "
                         f"{naive.shape}, {stable.shape} and {exact.shape}")
    if np.any(exact == 0):
        raise ValueError("exact must be nonzero everywhere (the error is relative to it)")
    bad = ~np.isfinite(naive)
    if bad.any():                     # stop the curve at the first failure
        bad[np.argmax(bad):] = True
    with np.errstate(invalid="ignore"):
        err_naive = np.abs(naive - exact) / np.abs(exact)
    err_stable = np.abs(stable - exact) / np.abs(exact)
    ax.plot(z, np.where(bad, np.nan, np.maximum(err_naive, floor)), color=COLORS["float32"],
            label="naive: sigmoid, then log")
    ax.plot(z, np.maximum(err_stable, floor), color=COLORS["float64"],
            label="stable: softplus form")
    # the floor and the breakdown line stay out of the legend (say what they are in the caption)
    ax.axhline(floor, color=COLORS["limit"], linestyle="--", linewidth=1)
    if bad.any():
        ax.axvline(z[np.argmax(bad)], color=COLORS["limit"], linestyle=":", linewidth=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("logit $z$")
    ax.set_ylabel("relative error")
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    return ax


def plot_gradient_factors(z, *, y=1, ax=None):
    """Plot the size of the gradient with respect to the logit for log-loss and for squared error.

    For a sample with label ``y`` and logit ``z``, with ``s = sigmoid(z)``,
    draws ``|s - y|`` (log-loss on the logit), ``|2 (s - y) s (1 - s)|``
    (squared error ``(s - y)**2`` on the sigmoid output) and the slope
    ``s (1 - s)`` of the sigmoid (dashed).

    Parameters
    ----------
    z : array_like, shape (M,)
        Logits, the x axis.
    y : {0, 1}
        The true label.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        Lines in order: log-loss gradient, squared-error gradient, sigmoid slope.

    Examples
    --------
    >>> ax = plot_gradient_factors(np.array([0.0]))
    >>> [float(line.get_ydata()[0]) for line in ax.lines]   # at z = 0: 1/2, 2 (1/2)(1/4), 1/4
    [0.5, 0.25, 0.25]
    """
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y!r}")
    ax = new_ax(ax)
    z = np.asarray(z, dtype=float)
    s = 0.5 * (1.0 + np.tanh(0.5 * z))        # sigmoid without overflow
    slope = s * (1.0 - s)
    ax.plot(z, np.abs(s - y), color=COLORS["log_loss"],
            label=r"log-loss: $|\sigma(z) - y|$")
    ax.plot(z, np.abs(2.0 * (s - y) * slope), color=COLORS["squared_error"],
            label=r"squared error: $|2(\sigma(z) - y)\,\sigma'(z)|$")
    ax.plot(z, slope, color=COLORS["limit"], linestyle="--",
            label=r"slope $\sigma'(z)$")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("logit $z$")
    ax.set_ylabel(f"|gradient| when $y = {y}$")
    ax.legend(frameon=False, loc="upper right" if y == 1 else "upper left", fontsize=9)
    return ax


def plot_class_distributions(distributions, *, class_names=None, ax=None, colors=None,
                             ylabel="probability"):
    """Bar chart of several distributions over the same classes, side by side.

    Parameters
    ----------
    distributions : dict of str to array_like
        Legend entry to probability vector, each of shape (C,).
    class_names : sequence of str, optional
        Tick labels of the C classes; ``0 .. C-1`` by default.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    colors : sequence of str, optional
        One colour per distribution; by default a fixed sequence from :data:`COLORS`.
    ylabel : str
        Label of the y axis.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[i]`` holds the bars of the i-th distribution.

    Examples
    --------
    >>> ax = plot_class_distributions({"p": [0.2, 0.8], "q": [0.5, 0.5]})
    >>> [float(b.get_height()) for b in ax.containers[0]]
    [0.2, 0.8]
    """
    ax = new_ax(ax)
    dists = {k: np.asarray(v, dtype=float) for k, v in distributions.items()}
    sizes = {v.shape for v in dists.values()}
    if len(sizes) != 1 or len(next(iter(sizes))) != 1:
        raise ValueError(f"every distribution must be a vector of the same length, got shapes "
                         f"{[v.shape for v in dists.values()]}")
    n_classes = next(iter(sizes))[0]
    if colors is None:
        # data black, model fitted by cross-entropy purple, a reference grey; then others
        cycle = [COLORS[k] for k in ("exact", "cross_entropy", "limit", "hinge", "squared_error")]
        colors = [cycle[i % len(cycle)] for i in range(len(dists))]
    width = 0.8 / len(dists)
    pos = np.arange(n_classes)
    for i, ((name, probs), color) in enumerate(zip(dists.items(), colors)):
        ax.bar(pos + (i - (len(dists) - 1) / 2) * width, probs, width=width, color=color,
               label=name)
    ax.set_xticks(pos)
    ax.set_xticklabels([str(c) for c in (range(n_classes) if class_names is None
                                         else class_names)])
    ax.set_xlabel("class")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    return ax


def plot_cross_entropy_decomposition(t, cross_entropy, entropy, *, mark=None, ax=None,
                                     xlabel="model parameter $t$"):
    """Plot a cross-entropy H(p, q_t) above the entropy H(p), the gap shaded as KL(p || q_t).

    Parameters
    ----------
    t : array_like, shape (M,)
        Parameter of a family of model distributions ``q_t``, the x axis.
    cross_entropy : array_like, shape (M,)
        ``H(p, q_t)`` at each ``t`` (nats).
    entropy : float
        ``H(p)``, the floor that ``H(p, q_t)`` touches only when ``q_t = p``.
    mark : float, optional
        A value of ``t`` to mark with a dot on the curve (where ``q_t = p``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    xlabel : str
        Label of the x axis.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the cross-entropy, ``ax.lines[1]`` the entropy line.

    Examples
    --------
    >>> ax = plot_cross_entropy_decomposition([0.0, 1.0, 2.0], [2.0, 1.0, 1.5], 1.0, mark=1.0)
    >>> float(ax.lines[1].get_ydata()[0])
    1.0
    """
    ax = new_ax(ax)
    t = np.asarray(t, dtype=float)
    ce = np.asarray(cross_entropy, dtype=float)
    if t.shape != ce.shape:
        raise ValueError(f"t and cross_entropy must have one shape, got {t.shape} and {ce.shape}")
    ax.plot(t, ce, color=COLORS["cross_entropy"], label=r"cross-entropy $H(p, q_t)$")
    ax.plot(t, np.full_like(t, float(entropy)), color=COLORS["exact"], linestyle="--",
            linewidth=1, label=r"entropy $H(p)$")
    ax.fill_between(t, float(entropy), ce, color=COLORS["cross_entropy"], alpha=0.2,
                    label=r"KL divergence $D_{\mathrm{KL}}(p \,\|\, q_t)$")
    if mark is not None:
        ax.plot([mark], [float(np.interp(mark, t, ce))], "o", color=COLORS["mark"], zorder=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("nats")
    ax.legend(frameon=False, loc="upper center", fontsize=9)
    return ax


# --- chapters 8-9 (mistakes; training end to end) -------------------------------------------

__all__ += [
    "plot_softmax_floor",
    "plot_loss_curves",
]


def plot_softmax_floor(num_classes, floor, log_c, *, ax=None):
    """Plot the loss floor of a softmax applied before cross-entropy against the number of classes.

    Parameters
    ----------
    num_classes : array_like, shape (M,)
        Numbers of classes :math:`C` (the x axis, drawn on a log scale).
    floor : array_like, shape (M,)
        The smallest reachable loss at each :math:`C`, :math:`\\log(1 + (C-1)/e)`.
    log_c : array_like, shape (M,)
        :math:`\\log C`, the loss of a uniform guess, drawn dashed for comparison.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the floor, ``ax.lines[1]`` is :math:`\\log C`.

    Examples
    --------
    >>> C = np.array([2, 10, 100])
    >>> ax = plot_softmax_floor(C, np.log1p((C - 1) / np.e), np.log(C))
    >>> ax.get_xscale(), len(ax.lines)
    ('log', 2)
    """
    ax = new_ax(ax)
    c = np.asarray(num_classes, dtype=float)
    floor = np.asarray(floor, dtype=float)
    log_c = np.asarray(log_c, dtype=float)
    if not (c.shape == floor.shape == log_c.shape):
        raise ValueError(f"num_classes, floor and log_c must have one shape, got {c.shape}, "
                         f"{floor.shape} and {log_c.shape}")
    ax.plot(c, floor, color=COLORS["cross_entropy"],
            label=r"floor with a softmax first: $\log(1 + (C-1)/e)$")
    ax.plot(c, log_c, color=COLORS["limit"], linestyle="--",
            label=r"uniform guess: $\log C$")
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("number of classes $C$")
    ax.set_ylabel("loss (nats)")
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    return ax


def plot_loss_curves(curves, *, colors=None, linestyles=None, hlines=None, ax=None,
                     xlabel="epoch", ylabel="mean loss (nats)"):
    """Plot several loss curves against the epoch (or step), with optional reference lines.

    Parameters
    ----------
    curves : dict of str to array_like
        Legend label to values; ``curves[label][k]`` is drawn at ``x = k``.
    colors : dict of str to str, optional
        Label to a :data:`COLORS` key (e.g. ``"cross_entropy"``, ``"bce"``) or
        a matplotlib colour. Curves without an entry use ``COLORS["mark"]``.
    linestyles : dict of str to str, optional
        Label to a matplotlib line style (e.g. ``"--"`` for a test curve).
    hlines : dict of str to float, optional
        Label to the height of a dotted horizontal reference line, drawn in
        ``COLORS["limit"]`` (e.g. a loss floor, or another model's loss).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        The curves are ``ax.lines[:len(curves)]`` in the order given, then the
        reference lines.

    Examples
    --------
    >>> ax = plot_loss_curves({"train": [1.0, 0.5, 0.3]}, colors={"train": "bce"},
    ...                       hlines={"floor": 0.2})
    >>> ax.lines[0].get_color() == COLORS["bce"], float(ax.lines[1].get_ydata()[0])
    (True, 0.2)
    """
    ax = new_ax(ax)
    colors = {} if colors is None else colors
    linestyles = {} if linestyles is None else linestyles
    hlines = {} if hlines is None else hlines
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"curve {label!r} must be one-dimensional, got shape {values.shape}")
        color = colors.get(label, "mark")
        ax.plot(np.arange(values.size), values, color=COLORS.get(color, color),
                linestyle=linestyles.get(label, "-"), label=label)
    for label, y in hlines.items():
        ax.axhline(float(y), color=COLORS["limit"], linestyle=":", linewidth=1.5, label=label)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    return ax


# -- chapter 6: BCELoss on probabilities vs BCEWithLogitsLoss on logits -------------------

__all__ += ["plot_bce_saturation"]


def plot_bce_saturation(z, via_probs, via_logits, *, clamp=100.0, ax=None):
    """Plot a binary loss computed from probabilities and from logits against the logit.

    Meant for the float32 loss of a wrong prediction: ``via_probs`` is
    ``BCELoss`` applied to ``sigmoid(z)`` (it jumps to the clamp once the
    sigmoid rounds to 0 or 1), ``via_logits`` is ``BCEWithLogitsLoss`` on
    ``z`` (it keeps growing like ``|z|``). A grey dashed line marks the clamp
    and a dotted vertical line the first logit at which ``via_probs`` reaches
    it. Colours follow :func:`plot_naive_vs_stable`: the naive path in
    ``COLORS["float32"]``, the stable one in ``COLORS["float64"]``.

    Parameters
    ----------
    z : array_like, shape (M,)
        Logits, the x axis.
    via_probs, via_logits : array_like, shape (M,)
        The loss at each logit computed the two ways.
    clamp : float
        The value at which the probability path is clamped (PyTorch clamps
        each log at -100, so the loss at 100).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the probability path, ``ax.lines[1]`` the logit
        path, ``ax.lines[2]`` the clamp, then the saturation line (if any).

    Examples
    --------
    >>> ax = plot_bce_saturation([0.0, 10.0, 20.0], [0.7, 10.0, 100.0], [0.7, 10.0, 20.0])
    >>> float(ax.lines[2].get_ydata()[0]), float(ax.lines[3].get_xdata()[0])
    (100.0, 20.0)
    """
    ax = new_ax(ax)
    z = np.asarray(z, dtype=float)
    via_probs = np.asarray(via_probs, dtype=float)
    via_logits = np.asarray(via_logits, dtype=float)
    if not (z.ndim == 1 and z.shape == via_probs.shape == via_logits.shape):
        raise ValueError(f"z, via_probs and via_logits must be one-dimensional with one shape, got "
                         f"{z.shape}, {via_probs.shape} and {via_logits.shape}")
    ax.plot(z, via_probs, color=COLORS["float32"], label="BCELoss(sigmoid(z))")
    ax.plot(z, via_logits, color=COLORS["float64"], linestyle="--", label="BCEWithLogitsLoss(z)")
    ax.axhline(clamp, color=COLORS["limit"], linestyle="--", linewidth=1)
    hit = via_probs >= clamp
    if hit.any():
        ax.axvline(z[np.argmax(hit)], color=COLORS["limit"], linestyle=":", linewidth=1.2)
    ax.set_xlabel("logit $z$")
    ax.set_ylabel("loss")
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    return ax
