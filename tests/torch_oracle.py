"""PyTorch as the reference: one converter and one caller for every test that compares with torch.

``torch_ref("cross_entropy", x, y, weight=w, reduction="sum")`` calls
``torch.nn.functional.cross_entropy`` on the same arrays (shared memory, no
copy) and returns a NumPy array, so that a test reads as the sentence it
checks: lossutils equals torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F


def to_torch(a: Any) -> torch.Tensor:
    """A NumPy array (or anything array-like) as a torch tensor, without a copy where possible."""
    return torch.as_tensor(np.asarray(a))


def torch_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with every array converted to a tensor and every ``None`` left out."""
    return {
        k: to_torch(v) if isinstance(v, np.ndarray) else v
        for k, v in kwargs.items()
        if v is not None
    }


def torch_ref(name: str, *args: Any, **kwargs: Any) -> np.ndarray:
    """``torch.nn.functional.<name>`` (or ``torch.<name>``) on NumPy inputs, as a NumPy array."""
    fn = getattr(F, name, None) or getattr(torch, name)
    out = fn(
        *(to_torch(a) if isinstance(a, (np.ndarray, np.generic)) else a for a in args),
        **torch_kwargs(kwargs),
    )
    return out.detach().numpy()
