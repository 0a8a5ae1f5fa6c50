"""lossutils.diagnose: each mistake it detects fires, and correct input stays silent.

Each "fires" test builds the mistake the way a user would (usually with PyTorch),
checks the warning with pytest.warns(match=...) and the finding's code. The
"silent" tests feed correct inputs of every kind and require no warning at all.
"""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossutils import diagnose
from lossutils.checks import Finding, LossInputWarning


def codes(findings):
    return [f.code for f in findings]


def silent(input, target, loss="cross_entropy", **kw):
    """Run diagnose with warnings turned into errors; return its findings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossInputWarning)
        return diagnose(input, target, loss, **kw)


@pytest.fixture
def logits():
    torch.manual_seed(0)
    return torch.randn(16, 5)


@pytest.fixture
def target():
    return torch.tensor([0, 1, 2, 3, 4] * 3 + [1])


# ---------------------------------------------------------------- cross_entropy


def test_softmax_before_cross_entropy_warns(logits, target):
    with pytest.warns(LossInputWarning, match=r"softmax was already applied.*raw logits"):
        found = diagnose(torch.softmax(logits, dim=1), target)
    assert codes(found) == ["softmax_applied"]


def test_softmax_warning_states_the_closed_form_bound(logits, target):
    found = diagnose(torch.softmax(logits, dim=1), target, warn=False)
    bound = math.log(1 + (5 - 1) / math.e)
    assert f"{bound:.4g}" in found[0].message


def test_softmax_before_cross_entropy_warns_for_numpy_float32(logits, target):
    probs = torch.softmax(logits, dim=1).numpy().astype(np.float32)
    with pytest.warns(LossInputWarning, match="softmax"):
        diagnose(probs, target.numpy())


def test_softmax_over_wrong_dim_warns_for_cross_entropy(logits, target):
    with pytest.warns(LossInputWarning, match=r"sums to 1 along dim 0, not along the class dim 1"):
        found = diagnose(torch.softmax(logits, dim=0), target)
    assert codes(found) == ["softmax_wrong_dim"]


def test_log_softmax_over_wrong_dim_warns_for_cross_entropy(logits, target):
    with pytest.warns(LossInputWarning, match=r"log_softmax over dim 0"):
        found = diagnose(torch.log_softmax(logits, dim=0), target)
    assert codes(found) == ["log_softmax_wrong_dim"]


def test_log_softmax_before_cross_entropy_is_a_note_not_a_warning(logits, target):
    found = silent(torch.log_softmax(logits, dim=1), target)
    assert codes(found) == ["log_softmax_applied"]
    assert found[0].severity == "note"


def test_uniform_predictions_warn_with_log_c(target):
    with pytest.warns(LossInputWarning, match=rf"uniform.*log C = {math.log(5):.4g}"):
        found = diagnose(torch.zeros(16, 5), target)
    assert codes(found) == ["uniform_predictions"]


def test_same_scores_for_every_sample_warn(target):
    row = torch.tensor([[2.0, -1.0, 0.5, 0.0, 1.0]])
    with pytest.warns(LossInputWarning, match="does not depend on its input"):
        found = diagnose(row.repeat(16, 1), target)
    assert codes(found) == ["constant_output"]


def test_single_class_column_warns():
    with pytest.warns(LossInputWarning, match="always 0"):
        found = diagnose(torch.randn(6, 1), torch.zeros(6, dtype=torch.long))
    assert "single_class_column" in codes(found)


# ---------------------------------------------------------------- class axis


def test_channels_last_segmentation_map_warns_with_permute():
    torch.manual_seed(0)
    x = torch.randn(2, 8, 8, 3)
    t = torch.randint(0, 3, (2, 8, 8))
    with pytest.warns(LossInputWarning, match=r"expects them at dim 1.*permute\(0, 3, 1, 2\)"):
        found = diagnose(x, t)
    assert codes(found) == ["class_axis"]


def test_channels_last_permute_in_message_fixes_it():
    torch.manual_seed(0)
    x = torch.randn(2, 8, 8, 3)
    t = torch.randint(0, 3, (2, 8, 8))
    assert silent(x.permute(0, 3, 1, 2), t) == []


def test_transposed_input_warns():
    torch.manual_seed(0)
    with pytest.warns(LossInputWarning, match=r"transposed.*input\.T"):
        found = diagnose(torch.randn(3, 10), torch.randint(0, 3, (10,)))
    assert codes(found) == ["class_axis"]


def test_target_with_extra_axis_warns(logits, target):
    with pytest.warns(LossInputWarning, match=r"squeeze"):
        found = diagnose(logits, target[:, None])
    assert codes(found) == ["target_shape"]


# ---------------------------------------------------------------- targets


def test_float_class_indices_warn_with_long(logits, target):
    with pytest.warns(LossInputWarning, match=r"float dtype.*target\.long\(\)"):
        found = diagnose(logits, target.float())
    assert codes(found) == ["float_target"]


def test_float_class_indices_really_raise_in_torch(logits, target):
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
        F.cross_entropy(logits, target.float())


def test_fractional_float_targets_point_to_binary_losses(logits):
    t = torch.rand(16)
    with pytest.warns(LossInputWarning, match="binary_cross_entropy_with_logits"):
        diagnose(logits, t)


def test_int32_tensor_target_warns(logits, target):
    with pytest.warns(LossInputWarning, match=r"torch\.int32.*target\.long\(\)"):
        found = diagnose(logits, target.int())
    assert codes(found) == ["target_dtype"]


def test_bool_target_warns():
    x = torch.randn(4, 2)
    with pytest.warns(LossInputWarning, match="boolean"):
        diagnose(x, torch.tensor([True, False, True, False]))


def test_out_of_range_target_warns_with_position_and_bound(logits, target):
    t = target.clone()
    t[7] = 9
    with pytest.warns(LossInputWarning, match=r"class index 9 at position \(7,\).*only 5 classes"):
        found = diagnose(logits, t)
    assert codes(found) == ["target_out_of_range"]


def test_one_based_labels_are_recognised(logits, target):
    with pytest.warns(LossInputWarning, match="1-based; subtract 1"):
        diagnose(logits, target + 1)


def test_minus_one_padding_suggests_ignore_index(logits, target):
    t = target.clone()
    t[[3, 9]] = -1
    with pytest.warns(LossInputWarning, match=r"ignore_index=-1"):
        diagnose(logits, t)


def test_minus_one_padding_with_ignore_index_is_silent(logits, target):
    t = target.clone()
    t[[3, 9]] = -1
    assert silent(logits, t, ignore_index=-1) == []


def test_every_target_ignored_warns_of_nan(logits):
    t = torch.full((16,), -100)
    with pytest.warns(LossInputWarning, match="nan"):
        found = diagnose(logits, t)
    assert codes(found) == ["all_ignored"]
    assert torch.isnan(F.cross_entropy(logits, t))


def test_single_class_in_target_is_a_note_not_a_warning(logits):
    found = silent(logits, torch.full((16,), 2))
    assert codes(found) == ["single_class"]
    assert found[0].severity == "note"
    assert "all 16 targets are class 2" in found[0].message


def test_integer_one_hot_target_warns(logits, target):
    with pytest.warns(LossInputWarning, match=r"one-hot.*argmax"):
        found = diagnose(logits, F.one_hot(target, 5))
    assert codes(found) == ["integer_one_hot_target"]


def test_float_one_hot_target_is_a_note_for_cross_entropy(logits, target):
    found = silent(logits, F.one_hot(target, 5).float())
    assert codes(found) == ["one_hot_target"]
    assert "as class probabilities" in found[0].message


def test_float_one_hot_target_really_equals_index_target_in_torch(logits, target):
    soft = F.cross_entropy(logits.double(), F.one_hot(target, 5).double())
    hard = F.cross_entropy(logits.double(), target)
    assert torch.allclose(soft, hard)


def test_float_one_hot_target_warns_for_nll_loss(logits, target):
    with pytest.warns(LossInputWarning, match=r"nll_loss takes class indices"):
        found = diagnose(torch.log_softmax(logits, 1), F.one_hot(target, 5).float(), "nll_loss")
    assert codes(found) == ["prob_target_to_nll"]


def test_probability_target_not_summing_to_one_warns(logits):
    with pytest.warns(LossInputWarning, match="do not sum to 1"):
        found = diagnose(logits, torch.rand(16, 5))
    assert codes(found) == ["target_not_probabilities"]


def test_target_on_minus_inf_warns_of_infinite_loss():
    x = torch.tensor([[0.0, -math.inf], [-1.0, -0.5]])
    with pytest.warns(LossInputWarning, match="loss is inf"):
        found = diagnose(x, torch.tensor([1, 0]))
    assert codes(found) == ["target_on_neg_inf"]


def test_minus_inf_mask_not_on_target_is_silent():
    x = torch.tensor([[0.0, -math.inf, 1.0], [-1.0, -0.5, 2.0]])
    assert silent(x, torch.tensor([0, 1])) == []


# ---------------------------------------------------------------- nll_loss


def test_probabilities_into_nll_loss_warn(logits, target):
    with pytest.warns(LossInputWarning, match=r"nll_loss takes no log.*negative"):
        found = diagnose(torch.softmax(logits, 1), target, "nll_loss")
    assert codes(found) == ["probabilities_to_nll"]


def test_logits_into_nll_loss_warn(logits, target):
    with pytest.warns(LossInputWarning, match=r"positive values.*these are logits"):
        found = diagnose(logits, target, "nll_loss")
    assert codes(found) == ["positive_to_nll"]


def test_negative_unnormalised_scores_into_nll_loss_warn(logits, target):
    with pytest.warns(LossInputWarning, match="do not sum to 1"):
        found = diagnose(logits - 10.0, target, "nll_loss")
    assert codes(found) == ["nll_not_normalised"]


def test_log_softmax_over_wrong_dim_into_nll_loss_warns(logits, target):
    with pytest.warns(LossInputWarning, match=r"log_softmax over dim 0.*dim=1"):
        found = diagnose(torch.log_softmax(logits, dim=0), target, "nll_loss")
    assert codes(found) == ["log_softmax_wrong_dim"]


# ---------------------------------------------------------------- binary losses


@pytest.fixture
def bin_logits():
    torch.manual_seed(1)
    return torch.randn(20) * 3


@pytest.fixture
def bin_target():
    return torch.tensor([0.0, 1.0] * 10)


def test_logits_into_bce_warn(bin_logits, bin_target):
    with pytest.warns(
        LossInputWarning, match=r"look\s+like logits.*binary_cross_entropy_with_logits"
    ):
        found = diagnose(bin_logits, bin_target, "binary_cross_entropy")
    assert codes(found) == ["logits_to_bce"]


def test_probabilities_into_bce_with_logits_warn(bin_logits, bin_target):
    with pytest.warns(LossInputWarning, match=r"look like probabilities.*raw logits"):
        found = diagnose(torch.sigmoid(bin_logits), bin_target, "binary_cross_entropy_with_logits")
    assert codes(found) == ["probabilities_to_bce_with_logits"]


def test_bce_with_logits_bound_in_message_holds(bin_target):
    # the message says the loss cannot go below -log(sigmoid(1)) for y = 1 and log 2 for y = 0
    p = torch.linspace(0, 1, 101, dtype=torch.float64)
    y1 = F.binary_cross_entropy_with_logits(p, torch.ones_like(p), reduction="none")
    y0 = F.binary_cross_entropy_with_logits(p, torch.zeros_like(p), reduction="none")
    assert math.isclose(y1.min().item(), -math.log(1 / (1 + math.exp(-1))), rel_tol=1e-12)
    assert math.isclose(y0.min().item(), math.log(2), rel_tol=1e-12)
    found = diagnose(
        torch.sigmoid(torch.randn(20)), bin_target, "binary_cross_entropy_with_logits", warn=False
    )
    assert "0.3133" in found[0].message and "0.6931" in found[0].message


def test_hard_zero_one_predictions_into_bce_warn(bin_target):
    with pytest.warns(LossInputWarning, match="exactly 0 or 1"):
        found = diagnose(torch.tensor([0.0, 1.0, 1.0, 0.0] * 5), bin_target, "binary_cross_entropy")
    assert codes(found) == ["hard_predictions"]


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_integer_targets_into_binary_losses_warn(loss, bin_logits, bin_target):
    x = torch.sigmoid(bin_logits) if loss == "binary_cross_entropy" else bin_logits
    with pytest.warns(LossInputWarning, match=r"needs float targets.*target\.float\(\)"):
        found = diagnose(x, bin_target.long(), loss)
    assert codes(found) == ["integer_target"]


def test_minus_one_plus_one_labels_into_bce_with_logits_warn(bin_logits, bin_target):
    with pytest.warns(LossInputWarning, match=r"-1/\+1.*\(target \+ 1\) / 2"):
        found = diagnose(bin_logits, 2 * bin_target - 1, "binary_cross_entropy_with_logits")
    assert codes(found) == ["target_out_of_range"]


def test_column_input_against_flat_target_warns(bin_logits, bin_target):
    with pytest.warns(LossInputWarning, match=r"squeeze\(-1\)"):
        found = diagnose(bin_logits[:, None], bin_target, "binary_cross_entropy_with_logits")
    assert codes(found) == ["target_shape"]


def test_two_columns_with_bce_point_to_cross_entropy(bin_target):
    torch.manual_seed(0)
    with pytest.warns(LossInputWarning, match="two-class cross_entropy"):
        found = diagnose(torch.randn(20, 2), bin_target, "binary_cross_entropy_with_logits")
    assert codes(found) == ["two_columns"]


def test_single_class_binary_target_is_a_note_not_a_warning(bin_logits):
    found = silent(bin_logits, torch.zeros(20), "binary_cross_entropy_with_logits")
    assert codes(found) == ["single_class"]
    assert found[0].severity == "note"
    assert "all 20 targets are 0" in found[0].message


def test_constant_binary_output_warns(bin_target):
    with pytest.warns(LossInputWarning, match="does not depend on its input"):
        diagnose(torch.full((20,), -2.0), bin_target, "binary_cross_entropy_with_logits")


# ---------------------------------------------------------------- any loss


def test_nan_in_input_warns(logits, target):
    x = logits.clone()
    x[2, 3] = float("nan")
    with pytest.warns(LossInputWarning, match="1 NaN value"):
        found = diagnose(x, target)
    assert "nan_input" in codes(found)


def test_plus_inf_in_input_warns(logits, target):
    x = logits.clone()
    x[2, 3] = math.inf
    with pytest.warns(LossInputWarning, match=r"\+inf"):
        diagnose(x, target)


def test_integer_input_warns(target):
    with pytest.warns(LossInputWarning, match=r"input\.float\(\)"):
        found = diagnose(torch.randint(-3, 3, (16, 5)), target)
    assert codes(found)[0] == "integer_input"


def test_unknown_loss_name_raises(logits, target):
    with pytest.raises(ValueError, match="loss must be one of"):
        diagnose(logits, target, loss="mse")


def test_findings_are_returned_even_when_warnings_are_off(logits, target):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = diagnose(torch.softmax(logits, 1), target, warn=False)
    assert isinstance(found[0], Finding)
    assert str(found[0]).startswith("warning: every row")


def test_tensor_that_requires_grad_is_accepted(target):
    x = torch.randn(16, 5, requires_grad=True)
    assert silent(x, target) == []


def test_bfloat16_tensor_is_accepted(logits, target):
    with pytest.warns(LossInputWarning, match="softmax"):
        diagnose(torch.softmax(logits, 1).bfloat16(), target)


# ---------------------------------------------------------------- silent on correct input


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("shape", [(2, 2), (8, 3), (64, 10), (5, 100)])
def test_random_logits_are_silent_for_cross_entropy(seed, shape):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=rng.uniform(0.1, 5), size=shape)
    t = np.arange(shape[0]) % shape[1]
    assert silent(x, t) == []
    assert silent(torch.from_numpy(x).float(), torch.from_numpy(t)) == []


@pytest.mark.parametrize("seed", range(10))
def test_all_negative_logits_are_silent_for_cross_entropy(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(12, 4)) - 20.0
    assert silent(x, np.arange(12) % 4) == []


@pytest.mark.parametrize("seed", range(10))
def test_small_logits_in_unit_interval_are_silent_for_cross_entropy(seed):
    # logits that happen to lie in [0, 1] rarely sum to 1 on every row
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(12, 4))
    assert silent(x, np.arange(12) % 4) == []


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("seed", range(10))
def test_log_softmax_output_is_silent_for_nll_loss(seed, dtype):
    torch.manual_seed(seed)
    x = torch.randn(32, 7, dtype=dtype) * 4
    t = torch.arange(32) % 7
    assert silent(torch.log_softmax(x, dim=1), t, "nll_loss") == []
    assert silent(torch.log_softmax(x, dim=1).numpy(), t.numpy(), "nll_loss") == []


def test_log_softmax_with_minus_inf_off_target_is_silent_for_nll_loss():
    x = torch.tensor([[0.0, -math.inf, -1.0], [2.0, 0.0, -math.inf]])
    assert silent(torch.log_softmax(x, 1), torch.tensor([0, 1]), "nll_loss") == []


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_k_dimensional_input_with_classes_at_dim_1_is_silent(loss):
    torch.manual_seed(0)
    x = torch.randn(2, 4, 6, 6)
    if loss == "nll_loss":
        x = torch.log_softmax(x, dim=1)
    t = torch.randint(0, 4, (2, 6, 6))
    assert silent(x, t, loss) == []


def test_unbatched_input_is_silent():
    assert silent(torch.tensor([0.3, -1.2, 2.0]), torch.tensor(2)) == []


def test_soft_probability_targets_are_silent_for_cross_entropy(logits):
    t = torch.softmax(torch.randn(16, 5), dim=1)
    assert silent(logits, t) == []


def test_ignore_index_padding_is_silent(logits, target):
    t = target.clone()
    t[::4] = -100
    assert silent(logits, t) == []


def test_uint8_target_tensor_is_silent(logits, target):
    assert silent(logits, target.to(torch.uint8)) == []


@pytest.mark.parametrize("seed", range(10))
def test_sigmoid_probabilities_are_silent_for_bce(seed):
    torch.manual_seed(seed)
    p = torch.sigmoid(torch.randn(30) * 2)
    t = (torch.arange(30) % 2).float()
    assert silent(p, t, "binary_cross_entropy") == []
    assert silent(p.numpy(), t.numpy(), "binary_cross_entropy") == []


@pytest.mark.parametrize("seed", range(10))
def test_logits_are_silent_for_bce_with_logits(seed):
    torch.manual_seed(seed)
    z = torch.randn(30) * 2
    t = (torch.arange(30) % 2).float()
    assert silent(z, t, "binary_cross_entropy_with_logits") == []
    assert silent(z.double().numpy(), t.double().numpy(), "binary_cross_entropy_with_logits") == []


def test_soft_binary_targets_are_silent(bin_logits):
    t = torch.rand(20)
    assert silent(bin_logits, t, "binary_cross_entropy_with_logits") == []
    assert silent(torch.sigmoid(bin_logits), t, "binary_cross_entropy") == []


def test_multilabel_bce_with_logits_is_silent():
    torch.manual_seed(0)
    z = torch.randn(10, 4) * 2
    t = (torch.rand(10, 4) > 0.5).float()
    assert silent(z, t, "binary_cross_entropy_with_logits") == []


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_empty_batch_is_silent_for_multiclass_losses(loss):
    assert silent(np.zeros((0, 3)), np.zeros(0, dtype=np.int64), loss) == []


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_empty_batch_is_silent_for_binary_losses(loss):
    assert silent(np.zeros(0), np.zeros(0), loss) == []


def test_input_without_classes_reports_out_of_range_targets():
    with pytest.warns(LossInputWarning, match="only 0 classes"):
        diagnose(np.zeros((2, 0)), np.zeros(2, dtype=np.int64))


def test_plain_python_lists_are_accepted():
    assert silent([[2.0, -1.0], [0.5, 1.5]], [0, 1]) == []


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_low_precision_softmax_over_many_classes_is_recognised(dtype):
    torch.manual_seed(0)
    x = torch.randn(64, 1000) * 3
    probs = torch.softmax(x, dim=1).to(dtype)
    with pytest.warns(LossInputWarning, match="softmax was already applied"):
        diagnose(probs, torch.arange(64))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_low_precision_log_softmax_over_many_classes_is_silent_for_nll_loss(dtype):
    torch.manual_seed(0)
    x = torch.randn(64, 1000) * 3
    assert silent(torch.log_softmax(x, dim=1).to(dtype), torch.arange(64), "nll_loss") == []


@pytest.mark.parametrize("as_float", [False, True])
def test_one_logit_per_sample_into_cross_entropy_points_to_bce_with_logits(
    bin_logits, bin_target, as_float
):
    t = bin_target if as_float else bin_target.long()
    with pytest.warns(
        LossInputWarning, match=r"one logit per sample.*binary_cross_entropy_with_logits"
    ):
        found = diagnose(bin_logits, t, "cross_entropy")
    assert codes(found) == ["one_logit_per_sample"]


def test_unbatched_one_hot_soft_target_is_not_taken_for_binary_labels():
    found = silent(torch.tensor([0.3, -1.2, 2.0]), torch.tensor([0.0, 0.0, 1.0]))
    assert codes(found) == ["one_hot_target"]


# ---------------------------------------------------------------- properties (Hypothesis)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

finite_logits = st.tuples(st.integers(1, 8), st.integers(2, 6)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.floats(-1e3, 1e3, allow_nan=False))
)


def index_target(x):
    return np.arange(x.shape[0]) % x.shape[1]


@settings(max_examples=200, deadline=None)
@given(finite_logits)
def test_any_softmax_output_is_recognised_for_cross_entropy(x):
    probs = torch.softmax(torch.from_numpy(x), dim=1)
    assert "softmax_applied" in codes(diagnose(probs, index_target(x), warn=False))


@settings(max_examples=200, deadline=None)
@given(finite_logits)
def test_any_softmax_output_is_recognised_for_nll_loss(x):
    probs = torch.softmax(torch.from_numpy(x), dim=1)
    assert "probabilities_to_nll" in codes(diagnose(probs, index_target(x), "nll_loss", warn=False))


@settings(max_examples=200, deadline=None)
@given(finite_logits)
def test_any_log_softmax_output_is_accepted_by_nll_loss(x):
    logp = torch.log_softmax(torch.from_numpy(x), dim=1)
    found = codes(diagnose(logp, index_target(x), "nll_loss", warn=False))
    # only the symptoms of a model that predicts nothing may appear, never a wrong-input warning
    assert set(found) <= {"uniform_predictions", "constant_output"}


# ---------------------------------------------------------------- the table of codes (CODES)

import ast  # noqa: E402
import inspect  # noqa: E402
import typing  # noqa: E402

import lossutils.checks as checks_module  # noqa: E402
from lossutils.checks import CODES  # noqa: E402


def _logits():
    torch.manual_seed(0)
    return torch.randn(16, 5)


def _target():
    return torch.tensor([0, 1, 2, 3, 4] * 3 + [1])


def _with(x, index, value):
    x = x.clone()
    x[index] = value
    return x


def _bin_logits():
    torch.manual_seed(1)
    return torch.randn(20) * 3


def _bin_target():
    return torch.tensor([0.0, 1.0] * 10)


# One input per code (two for the codes that are an error on some inputs and a
# warning on others), with the severity the finding must have. Written out here
# rather than read from CODES, so that a change of severity in the table has to
# be made here too.
EXAMPLES = [
    ("integer_input", "error", "cross_entropy", lambda: (torch.randint(-3, 3, (16, 5)), _target())),
    (
        "nan_input",
        "warning",
        "cross_entropy",
        lambda: (_with(_logits(), (2, 3), math.nan), _target()),
    ),
    (
        "inf_input",
        "warning",
        "cross_entropy",
        lambda: (_with(_logits(), (2, 3), math.inf), _target()),
    ),
    ("scalar_input", "error", "cross_entropy", lambda: (torch.tensor(1.0), torch.tensor(0))),
    (
        "one_logit_per_sample",
        "error",
        "cross_entropy",
        lambda: (_bin_logits(), _bin_target().long()),
    ),
    ("one_logit_per_sample", "warning", "cross_entropy", lambda: (_bin_logits(), _bin_target())),
    (
        "class_axis",
        "error",
        "cross_entropy",
        lambda: (torch.randn(2, 8, 8, 3), torch.randint(0, 3, (2, 8, 8))),
    ),
    ("target_shape", "error", "cross_entropy", lambda: (_logits(), _target()[:, None])),
    (
        "prob_target_to_nll",
        "error",
        "nll_loss",
        lambda: (torch.log_softmax(_logits(), 1), F.one_hot(_target(), 5).float()),
    ),
    (
        "one_hot_target",
        "note",
        "cross_entropy",
        lambda: (_logits(), F.one_hot(_target(), 5).float()),
    ),
    (
        "target_not_probabilities",
        "warning",
        "cross_entropy",
        lambda: (_logits(), torch.rand(16, 5)),
    ),
    (
        "soft_target_classes_last",
        "warning",
        "cross_entropy",
        lambda: (torch.randn(4, 7, 3), torch.softmax(torch.randn(4, 7, 3), dim=-1)),
    ),
    (
        "integer_one_hot_target",
        "error",
        "cross_entropy",
        lambda: (_logits(), F.one_hot(_target(), 5)),
    ),
    ("float_target", "error", "cross_entropy", lambda: (_logits(), _target().float())),
    (
        "bool_target",
        "error",
        "cross_entropy",
        lambda: (torch.randn(4, 2), torch.tensor([True, False, True, False])),
    ),
    ("target_dtype", "error", "cross_entropy", lambda: (_logits(), _target().int())),
    ("all_ignored", "warning", "cross_entropy", lambda: (_logits(), torch.full((16,), -100))),
    ("target_out_of_range", "error", "cross_entropy", lambda: (_logits(), _with(_target(), 7, 9))),
    (
        "target_out_of_range",
        "error",
        "binary_cross_entropy",
        lambda: (torch.sigmoid(_bin_logits()), 2 * _bin_target() - 1),
    ),
    (
        "target_out_of_range",
        "warning",
        "binary_cross_entropy_with_logits",
        lambda: (_bin_logits(), 2 * _bin_target() - 1),
    ),
    ("single_class", "note", "cross_entropy", lambda: (_logits(), torch.full((16,), 2))),
    (
        "single_class",
        "note",
        "binary_cross_entropy_with_logits",
        lambda: (_bin_logits(), torch.zeros(20)),
    ),
    (
        "target_on_neg_inf",
        "warning",
        "cross_entropy",
        lambda: (torch.tensor([[0.0, -math.inf], [-1.0, -0.5]]), torch.tensor([1, 0])),
    ),
    (
        "single_class_column",
        "warning",
        "cross_entropy",
        lambda: (torch.randn(6, 1), torch.tensor([0, 0, 0, 0, 0, 0])),
    ),
    (
        "softmax_applied",
        "warning",
        "cross_entropy",
        lambda: (torch.softmax(_logits(), 1), _target()),
    ),
    (
        "log_softmax_applied",
        "note",
        "cross_entropy",
        lambda: (torch.log_softmax(_logits(), 1), _target()),
    ),
    (
        "softmax_wrong_dim",
        "warning",
        "cross_entropy",
        lambda: (torch.softmax(_logits(), 0), _target()),
    ),
    (
        "log_softmax_wrong_dim",
        "warning",
        "cross_entropy",
        lambda: (torch.log_softmax(_logits(), 0), _target()),
    ),
    (
        "log_softmax_wrong_dim",
        "warning",
        "nll_loss",
        lambda: (torch.log_softmax(_logits(), 0), _target()),
    ),
    (
        "probabilities_to_nll",
        "warning",
        "nll_loss",
        lambda: (torch.softmax(_logits(), 1), _target()),
    ),
    ("positive_to_nll", "warning", "nll_loss", lambda: (_logits(), _target())),
    ("nll_not_normalised", "warning", "nll_loss", lambda: (_logits() - 10.0, _target())),
    ("uniform_predictions", "warning", "cross_entropy", lambda: (torch.zeros(16, 5), _target())),
    (
        "constant_output",
        "warning",
        "cross_entropy",
        lambda: (torch.tensor([[2.0, -1.0, 0.5, 0.0, 1.0]]).repeat(16, 1), _target()),
    ),
    (
        "constant_output",
        "warning",
        "binary_cross_entropy_with_logits",
        lambda: (torch.full((20,), -2.0), _bin_target()),
    ),
    (
        "two_columns",
        "error",
        "binary_cross_entropy_with_logits",
        lambda: (torch.randn(20, 2), _bin_target()),
    ),
    (
        "integer_target",
        "error",
        "binary_cross_entropy_with_logits",
        lambda: (_bin_logits(), _bin_target().long()),
    ),
    ("logits_to_bce", "error", "binary_cross_entropy", lambda: (_bin_logits(), _bin_target())),
    (
        "hard_predictions",
        "warning",
        "binary_cross_entropy",
        lambda: (torch.tensor([0.0, 1.0, 1.0, 0.0] * 5), _bin_target()),
    ),
    (
        "probabilities_to_bce_with_logits",
        "warning",
        "binary_cross_entropy_with_logits",
        lambda: (torch.sigmoid(_bin_logits()), _bin_target()),
    ),
]
EXAMPLE_IDS = [f"{code}-{severity}-{loss}" for code, severity, loss, _ in EXAMPLES]


def test_every_code_in_the_table_has_an_example_input():
    assert {code for code, *_ in EXAMPLES} == set(CODES)


@pytest.mark.parametrize("code, severity, loss, make", EXAMPLES, ids=EXAMPLE_IDS)
def test_each_code_is_produced_by_its_example_with_its_severity(code, severity, loss, make):
    found = diagnose(*make(), loss, warn=False)
    assert (code, severity) in [(f.code, f.severity) for f in found]


@pytest.mark.parametrize("code, severity, loss, make", EXAMPLES, ids=EXAMPLE_IDS)
def test_each_example_severity_agrees_with_the_table(code, severity, loss, make):
    entry = CODES[code]
    assert severity == entry.severity or (severity == "warning" and entry.warning_where_torch_runs)


@pytest.mark.parametrize("code, severity, loss, make", EXAMPLES, ids=EXAMPLE_IDS)
def test_error_means_pytorch_raises_on_the_example(code, severity, loss, make):
    input, target = make()
    if severity == "error":
        with pytest.raises((RuntimeError, ValueError, IndexError, NotImplementedError)):
            getattr(F, loss)(input, target)
    else:
        getattr(F, loss)(input, target)  # runs, whatever the value


def test_every_severity_in_the_table_is_a_known_one():
    assert {entry.severity for entry in CODES.values()} == set(
        typing.get_args(checks_module.Severity)
    )
    assert all(entry.meaning for entry in CODES.values())


def _adder_calls():
    """Every call in checks.py that records a finding (a function or method named add)."""
    tree = ast.parse(inspect.getsource(checks_module))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "add"
    ]


def test_every_finding_in_the_source_names_a_code_of_the_table():
    calls = _adder_calls()
    assert len(calls) >= len(CODES)
    for call in calls:
        code = call.args[0]
        assert isinstance(code, ast.Constant) and code.value in CODES, ast.unparse(call)[:80]


def test_only_codes_marked_so_in_the_table_are_downgraded_where_torch_runs():
    downgraded = {
        call.args[0].value
        for call in _adder_calls()
        if any(k.arg == "torch_raises" for k in call.keywords)
    }
    assert downgraded == {code for code, entry in CODES.items() if entry.warning_where_torch_runs}


def test_a_code_missing_from_the_table_is_refused():
    with pytest.raises(KeyError):
        checks_module._finding("softmax_aplied", "a typo")


def test_finding_and_the_warning_class_are_exported_at_the_top_level():
    import lossutils

    assert lossutils.Finding is Finding and lossutils.LossInputWarning is LossInputWarning
    assert {"Finding", "LossInputWarning", "diagnose"} <= set(lossutils.__all__)


@pytest.mark.parametrize("steps", [1, 2, 3, 7])
def test_soft_targets_with_classes_last_are_flagged_with_the_fix_for_both(steps):
    # PyTorch reads any target of input's shape as probabilities over dim 1, so (N, L, C) soft
    # targets run silently for every L; the finding names the permutation of both arrays
    scores = torch.randn(4, steps, 3)
    target = torch.softmax(torch.randn(4, steps, 3), dim=-1)
    F.cross_entropy(scores, target)  # runs: no error to catch it
    found = {f.code: f for f in diagnose(scores, target, "cross_entropy", warn=False)}
    # with one step, dim 1 also has a single column (always a loss of 0), flagged on its own
    assert set(found) == {"soft_target_classes_last"} | (
        {"single_class_column"} if steps == 1 else set()
    )
    assert "input.permute(0, 2, 1)" in found["soft_target_classes_last"].message
    assert "target.permute(0, 2, 1)" in found["soft_target_classes_last"].message


def test_soft_targets_with_classes_at_dim_1_are_not_flagged_as_classes_last():
    target = torch.softmax(torch.randn(4, 3, 7), dim=1)
    found = diagnose(torch.randn(4, 3, 7), target, "cross_entropy", warn=False)
    assert "soft_target_classes_last" not in codes(found)
