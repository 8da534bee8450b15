"""The multi-label target on its own (no model trained): its forms, class weights, loss,
decisions, strata, prior and scores, with values worked out by hand."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from sklearn_electra.targets import MultiLabel, best_f1_thresholds

ROWS = [None] * 4
SETS = [["b"], ["a", "b"], [], ["b"]]  # a: 1 of 4 texts, b: 3 of 4


def test_label_lists_learn_sorted_classes_and_binarize_in_their_order():
    target = MultiLabel("multilabel-sequences").fit(SETS, ROWS)
    assert target.classes_.tolist() == ["a", "b"]
    assert target.encode(SETS, ROWS).tolist() == [[0, 1], [1, 1], [0, 0], [0, 1]]
    assert target.encode(SETS, ROWS).dtype == np.float32
    assert target.binarize([["b", "zzz"], []]).tolist() == [[0, 1], [0, 0]]  # unknown left out
    with pytest.raises(ValueError) as error:
        target.encode([["c", "a"], ["d"]], [None] * 2)
    assert str(error.value) == "y contains labels not seen in the first fit (or in classes=): " \
                               "['c', 'd']. Known: ['a', 'b']."
    announced = MultiLabel("multilabel-sequences").fit([["b"], ["b"]], [None] * 2,
                                                       classes=["b", "a", "c"])
    assert announced.classes_.tolist() == ["a", "b", "c"]


def test_an_indicator_takes_its_column_names_or_numbers_and_checks_them_later():
    frame = pd.DataFrame({"x": [1, 0, 1], "y": [0, 1, 1]})
    named = MultiLabel("multilabel-indicator").fit(frame, [None] * 3)
    assert named.classes_.tolist() == ["x", "y"]
    numbered = MultiLabel("multilabel-indicator").fit(frame.to_numpy(), [None] * 3)
    assert numbered.classes_.tolist() == [0, 1]
    given = MultiLabel("multilabel-indicator").fit(frame.to_numpy(), [None] * 3, classes=["p", "q"])
    assert given.classes_.tolist() == ["p", "q"]
    assert named.encode(frame.to_numpy(), [None] * 3).tolist() == [[1, 0], [0, 1], [1, 1]]
    for y, found in ((frame[["y", "x"]], "['y', 'x']"),
                     (np.ones((3, 3), dtype=int), "3 columns")):
        with pytest.raises(ValueError) as error:
            named.encode(y, [None] * 3)
        assert str(error.value) == f"y's label columns ({found}) differ from classes_ " \
                                   "(['x', 'y']); pass y[clf.classes_], or call fit() to start over."
    with pytest.raises(ValueError) as error:
        MultiLabel("multilabel-indicator").fit(frame, [None] * 3, classes=["p", "q", "r"])
    assert str(error.value) == "classes has 3 labels but y has 2 columns."


def test_labels_that_never_vary_are_named():
    frame = pd.DataFrame({"on": [1, 1], "off": [0, 0], "mixed": [0, 1]})
    with pytest.warns(UserWarning) as caught:
        MultiLabel("multilabel-indicator").fit(frame, [None] * 2)
    assert str(caught[0].message) == (
        "2 labels never vary in y: 'on' (every text), 'off' (no text). The model learns to "
        "predict them always (or never); add examples of both kinds to learn them.")
    many = pd.DataFrame({f"l{i}": [0, 0] for i in range(7)})
    with pytest.warns(UserWarning, match=r"^7 labels never vary in y: 'l0' \(no text\), 'l1' "
                                         r"\(no text\), 'l2' \(no text\), 'l3' \(no text\), "
                                         r"'l4' \(no text\)\. The model"):
        MultiLabel("multilabel-indicator").fit(many, [None] * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # labels announced by classes= may be absent: no warning
        MultiLabel("multilabel-indicator").fit(frame, [None] * 2, classes=["p", "q", "r"])


def test_balanced_weighs_each_labels_sides_and_a_dict_its_positives():
    target = MultiLabel("multilabel-sequences", class_weight="balanced").fit(SETS, ROWS)
    # a: 1 positive, 3 negatives of 4 -> 4/(2*1), 4/(2*3); b: 3 positives, 1 negative
    assert target.positive_weight_.tolist() == pytest.approx([2.0, 2 / 3])
    assert target.negative_weight_.tolist() == pytest.approx([2 / 3, 2.0])
    assert target.positive_weight_.dtype == target.negative_weight_.dtype == np.float32
    # a label every text holds cannot be balanced: it keeps weight 1 on both sides
    constant = MultiLabel("multilabel-sequences", class_weight="balanced")
    with pytest.warns(UserWarning, match="1 labels never vary"):
        constant.fit([["a", "b"], ["a"], ["a"], ["a", "b"]], ROWS)
    assert constant.positive_weight_.tolist() == [1.0, 1.0]
    assert constant.negative_weight_.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match=r"^class_weight='balanced' needs the counts of the "
                                         r"whole training set"):
        MultiLabel("multilabel-sequences", class_weight="balanced").fit(SETS, ROWS,
                                                                        incremental=True)
    weighted = MultiLabel("multilabel-sequences", class_weight={"b": 3.0}).fit(SETS, ROWS)
    assert weighted.positive_weight_.tolist() == [1.0, 3.0]
    assert weighted.negative_weight_.tolist() == [1.0, 1.0]
    assert MultiLabel("multilabel-sequences").fit(SETS, ROWS).positive_weight_ is None


def test_the_loss_weighs_each_side_and_each_row():
    target = MultiLabel("multilabel-sequences", class_weight={"b": 3.0}).fit(SETS, ROWS)
    logits = torch.tensor([[0.0, 1.0], [2.0, -1.0]])
    truth = torch.tensor([[1.0, 1.0], [0.0, 0.0]])
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, truth, reduction="none")
    # positives of b weigh 3, everything else 1; row weights 1 and 2
    w = torch.tensor([[1.0, 3.0], [2.0, 2.0]])
    expected = float((bce * w).sum() / w.sum())
    assert float(target.loss(logits, truth, torch.tensor([1.0, 2.0]))) == pytest.approx(expected)
    plain = MultiLabel("multilabel-sequences").fit(SETS, ROWS)
    assert float(plain.loss(logits, truth)) == pytest.approx(float(bce.mean()))


def test_decisions_follow_the_threshold_and_answer_in_the_fitted_form():
    logits = torch.logit(torch.tensor([[0.9, 0.4], [0.2, 0.6]]))
    target = MultiLabel("multilabel-sequences", threshold=0.5).fit(SETS, ROWS)
    assert target.predict(logits) == [["a"], ["b"]]
    assert target.predict(logits, threshold=0.3) == [["a", "b"], ["b"]]
    assert target.predict(logits, threshold=0.95) == [[], []]
    indicator = MultiLabel("multilabel-indicator", threshold="auto").fit(
        np.array([[1, 0], [0, 1]]), [None] * 2)
    assert indicator.predict(logits).tolist() == [[1, 0], [0, 1]]  # not tuned yet: 0.5
    indicator.thresholds_ = np.array([0.95, 0.3])
    assert indicator.predict(logits).tolist() == [[0, 1], [0, 1]]
    assert indicator.predict(logits).dtype == np.int64
    assert indicator.predict(logits, threshold=0.5).tolist() == [[1, 0], [0, 1]]
    # subset accuracy while training: every label of a row right, at the current thresholds
    assert indicator.correct(logits, torch.tensor([[0, 1], [1, 1]])) == (1, 2)
    assert target.correct(logits, torch.tensor([[1, 0], [0, 1]])) == (2, 2)


def test_tune_takes_the_best_f1_cut_per_label():
    target = MultiLabel("multilabel-indicator", threshold="auto").fit(
        np.array([[1, 0], [0, 1]]), [None] * 2)
    proba = np.array([[0.9, 0.2], [0.4, 0.3], [0.1, 0.1]])
    target.tune(torch.logit(torch.tensor(proba)), np.array([[1, 0], [1, 1], [0, 0]]))
    assert target.thresholds_.round(6).tolist() == [0.25, 0.25]
    # a label that no validation text holds has no F1 to maximize: it keeps the usual 0.5
    target.tune(torch.logit(torch.tensor(proba)), np.array([[1, 0], [1, 0], [0, 0]]))
    assert target.thresholds_.round(6).tolist() == [0.25, 0.5]


def test_best_f1_thresholds_cut_between_ties_and_below_the_last_row():
    # label 0: positives score 0.8 and 0.8 (a tie with a negative at 0.8 too) -> cut below the tie
    # label 1: every row positive -> cut below the lowest score, halfway to 0
    proba = np.array([[0.8, 0.6], [0.8, 0.2], [0.8, 0.4], [0.3, 0.5]])
    truth = np.array([[1, 1], [1, 1], [0, 1], [0, 1]])
    assert best_f1_thresholds(proba, truth).tolist() == pytest.approx([0.55, 0.1])
    assert best_f1_thresholds(proba, np.zeros((4, 2)), default=0.7).tolist() == [0.7, 0.7]


def test_strata_are_each_texts_rarest_label_or_none():
    encoded = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0], [0, 1, 1], [1, 1, 0]], dtype=np.float32)
    # frequencies 2, 4, 1: rarest held label per row; a text with no label in stratum 3
    assert MultiLabel("multilabel-indicator").strata(encoded).tolist() == [0, 1, 3, 2, 0]


def test_the_prior_loss_is_the_weighted_bce_of_each_labels_rate():
    bce = lambda p: -(p * math.log(p) + (1 - p) * math.log(1 - p))  # noqa: E731
    target = MultiLabel("multilabel-sequences").fit(SETS, ROWS)
    encoded = target.encode(SETS, ROWS)
    assert target.prior_loss(encoded) == pytest.approx((bce(0.25) + bce(0.75)) / 2)
    # weights 3, 1, 1, 1: a is held with weight 1 of 6, b with 5 of 6
    assert target.prior_loss(encoded, [3, 1, 1, 1]) == pytest.approx((bce(1 / 6) + bce(5 / 6)) / 2)
    balanced = MultiLabel("multilabel-sequences", class_weight="balanced").fit(SETS, ROWS)
    assert balanced.prior_loss(encoded) == pytest.approx(math.log(2))  # both sides weigh alike
    assert target.prior_loss(np.zeros((2, 2)), [0.0, 0.0]) == 0.0


def test_a_later_indicator_is_read_in_classes_order_for_scoring():
    target = MultiLabel("multilabel-indicator").fit(pd.DataFrame({"x": [1, 0], "y": [0, 1]}),
                                                    [None] * 2)
    swapped = pd.DataFrame({"y": [0, 1], "x": [1, 1]})
    assert target.indicator(swapped).tolist() == [[1, 0], [1, 1]]
    assert target.score(swapped, np.array([[1, 0], [0, 1]])) == 0.5
    assert target.score(swapped, np.array([[1, 0], [0, 1]]), sample_weight=[3, 1]) == 0.75
    lists = MultiLabel("multilabel-sequences").fit(SETS, ROWS)
    assert lists.indicator([["b"], []]).dtype == np.int64
    assert lists.score([["b"], ["a"]], [["b"], ["a", "b"]]) == 0.5


@pytest.mark.parametrize("proba, truth, cut", [
    # a positive, a negative, then both: the cut below the third row, not below the second
    ([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0], 0.65),
    # a lone top positive beats taking every row down to the last positive
    ([0.9, 0.8, 0.7, 0.6], [1, 0, 0, 1], 0.85),
    # a tie below the top: no cut inside it
    ([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0], 0.3),
])
def test_best_f1_thresholds_take_the_cut_of_highest_f1(proba, truth, cut):
    proba, truth = np.array(proba)[:, None], np.array(truth)[:, None]
    assert best_f1_thresholds(proba, truth).tolist() == pytest.approx([cut])


def test_labels_without_positives_keep_the_default_and_do_not_stop_the_others():
    proba = np.array([[0.9, 0.9], [0.4, 0.3], [0.1, 0.1]])
    thresholds = best_f1_thresholds(proba, np.array([[0, 1], [0, 0], [0, 0]]), default=1)
    assert thresholds.tolist() == pytest.approx([1.0, 0.6]) and thresholds.dtype == np.float64


def test_multilabel_defaults_messages_and_attributes():
    assert MultiLabel("multilabel-sequences").threshold == 0.5
    target = MultiLabel("multilabel-sequences").fit(SETS, ROWS)
    with pytest.raises(ValueError) as error:
        target.encode([["c", 1]] + [[f"u{i:02d}"] for i in range(11)], [None] * 12)
    listed = ["c"] + [f"u{i:02d}" for i in range(9)]  # by repr ("'c'" < "1"), ten at most
    assert str(error.value) == f"y contains labels not seen in the first fit (or in classes=): " \
                               f"{listed}. Known: ['a', 'b']."
    with pytest.raises(ValueError) as error:
        MultiLabel("multilabel-sequences").fit([["a"], ["a"]], [None] * 2)
    assert str(error.value) == "y has a single class 'a'; a classifier needs at least 2 classes."
    with pytest.raises(ValueError) as error:
        MultiLabel("multilabel-sequences").fit([["a"], ["b"]], [None] * 2, classes=["a"])
    assert str(error.value).startswith("classes has a single class 'a';")
    with pytest.raises(ValueError) as error:
        target.continues([["a"]], classes=["a"])
    assert str(error.value).startswith("classes has a single class 'a';")
    with pytest.raises(ValueError) as error:
        MultiLabel("multilabel-indicator").fit(np.array([[1], [0]]), [None] * 2)
    assert str(error.value) == "A multi-label y needs at least 2 label columns; for one, pass it " \
                               "as a 1-d array of 0/1 (binary classification)."
    assert target.binarize([["a"]]).dtype == np.int8  # one byte per (text, label)
    attributes = target.attributes()
    assert list(attributes) == ["classes_", "n_classes_", "target_type_"]
    assert attributes["classes_"].tolist() == ["a", "b"] and attributes["n_classes_"] == 2
    assert attributes["target_type_"] == "multilabel-sequences"
    target.thresholds_ = np.array([0.2, 0.7])
    assert target.attributes()["thresholds_"].tolist() == [0.2, 0.7]


def test_weights_of_a_label_no_text_holds_and_their_dtypes():
    target = MultiLabel("multilabel-sequences", class_weight="balanced").fit(
        SETS, ROWS, classes=["a", "b", "c"])
    assert target.positive_weight_.tolist() == pytest.approx([2.0, 2 / 3, 1.0])
    assert target.negative_weight_.tolist() == pytest.approx([2 / 3, 2.0, 1.0])
    weighted = MultiLabel("multilabel-sequences", class_weight={"b": 3.0}).fit(SETS, ROWS)
    assert weighted.positive_weight_.dtype == weighted.negative_weight_.dtype == np.float32
    restored = MultiLabel("multilabel-sequences").restore(
        {"thresholds": [0.25, 0.5], "positive_weight": [2.0, 1.0], "negative_weight": [1.0, 1.0]},
        ["a", "b"])
    assert restored.thresholds_.dtype == np.float64
    assert restored.positive_weight_.dtype == restored.negative_weight_.dtype == np.float32


def test_the_balanced_loss_weighs_negatives_and_rows_without_class_weights():
    logits = torch.tensor([[0.0, 1.0], [2.0, -1.0]])
    truth = torch.tensor([[1.0, 1.0], [0.0, 0.0]])
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, truth, reduction="none")
    balanced = MultiLabel("multilabel-sequences", class_weight="balanced").fit(SETS, ROWS)
    w = torch.tensor([[2.0, 2 / 3], [2 / 3, 2.0]])  # positives of a, b; negatives of a, b
    assert float(balanced.loss(logits, truth)) == pytest.approx(float((bce * w).sum() / w.sum()))
    plain = MultiLabel("multilabel-sequences").fit(SETS, ROWS)
    rows = torch.tensor([1.0, 3.0])
    assert float(plain.loss(logits, truth, rows)) == pytest.approx(
        float((bce * rows[:, None]).sum() / 8))


def test_a_probability_at_the_threshold_is_a_yes():
    target = MultiLabel("multilabel-indicator").fit(np.array([[1, 0], [0, 1]]), [None] * 2)
    logits = torch.zeros(1, 2)  # sigmoid(0) = 0.5, the default threshold
    assert target.predict(logits).tolist() == [[1, 1]]
    assert target.correct(logits, torch.tensor([[1, 1]])) == (1, 1)


def test_the_prior_of_small_weights_is_the_prior_of_their_rates():
    bce = lambda p: -(p * math.log(p) + (1 - p) * math.log(1 - p))  # noqa: E731
    target = MultiLabel("multilabel-sequences").fit(SETS, ROWS)
    encoded = target.encode(SETS, ROWS)
    assert target.prior_loss(encoded, [0.1] * 4) == pytest.approx((bce(0.25) + bce(0.75)) / 2)


def test_an_indicator_for_scoring_may_be_an_array_a_list_or_sparse():
    import scipy.sparse as sp

    target = MultiLabel("multilabel-indicator").fit(np.array([[1, 0], [0, 1], [1, 1]]),
                                                    [None] * 3)
    for y in (np.array([[1, 0], [0, 1], [1, 1]]), [[1, 0], [0, 1], [1, 1]],
              sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]]))):
        indicator = target.indicator(y)
        assert indicator.tolist() == [[1, 0], [0, 1], [1, 1]] and indicator.dtype == np.int64
