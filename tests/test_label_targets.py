"""The label targets on their own (no model trained): what a checkpoint records of them and
reads back, what a later ``partial_fit`` may pass, and their messages."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from sklearn_electra.targets import MultiLabel, SingleLabel, TagSequences


def _round_trip(target, kind):
    # sklearn_electra.json holds the metadata as JSON; restore reads it with the classes.
    metadata = json.loads(json.dumps(target.metadata()))
    return kind().restore(metadata, metadata["classes"])


def test_single_label_metadata_names_the_kind_classes_type_and_class_weights():
    binary = SingleLabel(class_weight="balanced").fit(["pos", "neg", "pos"], [None] * 3)
    assert binary.metadata() == {"target": "single_label", "classes": ["neg", "pos"],
                                 "target_type": "binary", "class_weight": [1.5, 0.75]}
    multiclass = SingleLabel().fit(["b", "c", "a", "c"], [None] * 4)
    assert multiclass.metadata() == {"target": "single_label", "classes": ["a", "b", "c"],
                                     "target_type": "multiclass"}
    two_of_three = SingleLabel().fit(["b", "a"], [None] * 2, classes=["a", "b", "c"])
    assert two_of_three.metadata()["target_type"] == "multiclass"  # the classes, not those seen


def test_a_restored_label_target_predicts_and_weighs_its_loss_as_the_fitted_one():
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.25], [-3.0, 1.0]])
    target = torch.tensor([1, 0, 1])
    for fitted in (SingleLabel(class_weight="balanced").fit(["pos", "neg", "pos"], [None] * 3),
                   SingleLabel().fit(["neg", "pos"], [None] * 2)):
        restored = _round_trip(fitted, SingleLabel)
        assert restored.classes_.tolist() == fitted.classes_.tolist()
        assert restored.attributes()["target_type_"] == "binary"
        assert restored.predict(logits).tolist() == ["neg", "neg", "pos"]
        loss, again = fitted.loss(logits, target), restored.loss(logits, target)
        assert again.dtype == loss.dtype == torch.float32 and again.item() == loss.item()
    assert restored.class_weight_ is None
    assert _round_trip(SingleLabel().fit(list("abc"), [None] * 3), SingleLabel).attributes()[
        "target_type_"] == "multiclass"


def test_tag_metadata_has_no_target_type_and_restores_the_tags():
    fitted = TagSequences(class_weight="balanced").fit([["O", "B-PER"], ["O"]], [["a", "b"], ["c"]])
    assert fitted.metadata() == {"target": "tags", "classes": ["B-PER", "O"], "class_weight": [1.5, 0.75]}
    restored = _round_trip(fitted, TagSequences)
    assert restored.attributes().keys() == {"classes_", "n_classes_"}
    assert restored.attributes()["n_classes_"] == 2 and restored.classes_.tolist() == ["B-PER", "O"]
    encoded = restored.encode([["B-PER", "O", "O"], []], [["x", "y", "z"], []])
    assert [e.tolist() for e in encoded] == [[0, 1, 1], []] and encoded[0].dtype == np.int64


def test_a_later_call_keeps_one_label_per_text_and_the_same_classes():
    target = SingleLabel().fit(["pos", "neg"], [None] * 2)
    target.continues(["pos", "neg"])
    target.continues(["pos"], classes=["pos", "neg"])  # the same classes, in any order
    with pytest.raises(ValueError) as error:
        target.continues([["pos"], ["neg", "pos"]])
    assert str(error.value) == ("y holds several labels per text, but this classifier was fitted on "
                                "one label per text; pass y in that form, or call fit() to start over.")
    with pytest.raises(ValueError) as error:
        target.continues(["pos"], classes=["pos"])
    assert str(error.value) == "classes has a single class 'pos'; a classifier needs at least 2 classes."
    with pytest.raises(TypeError, match="^Labels must be mutually sortable; classes mixes int, str"):
        target.continues(["pos"], classes=["pos", 1])
    with pytest.raises(ValueError, match=r"^classes=\['a', 'pos'\] differs from the classes learned"):
        target.continues(["pos"], classes=["pos", "a"])


def test_a_later_tagger_call_names_tags():
    target = TagSequences().fit([["O", "B"]], [["a", "b"]])
    target.continues([["O"]], classes=["B", "O"])
    with pytest.raises(ValueError) as error:
        target.continues([["O"]], classes=["O"])
    assert str(error.value) == "classes has a single tag 'O'; a tagger needs at least 2 tags."
    with pytest.raises(ValueError) as error:
        target.continues([["O"]], classes=[])
    assert str(error.value) == "classes has no tags; a tagger needs at least 2 tags."


def test_multilabel_metadata_round_trips_tuned_thresholds_and_per_label_weights():
    y = [["a"], ["a", "b"], [], ["c"]]
    fitted = MultiLabel("multilabel-sequences", threshold="auto", class_weight="balanced").fit(y, [None] * 4)
    logits = torch.tensor([[2.0, -1.0, 0.1], [-0.2, 0.3, 1.0], [0.0, 0.0, -2.0], [1.0, 1.0, 1.0]])
    fitted.tune(logits, fitted.encode(y, [None] * 4))
    meta = fitted.metadata()
    assert meta.keys() == {"target", "classes", "target_type", "thresholds", "positive_weight",
                           "negative_weight"}
    assert (meta["target"], meta["classes"], meta["target_type"]) == (
        "multi_label", ["a", "b", "c"], "multilabel-sequences")
    # "balanced" for each label as its own yes/no problem: n / (2 * count)
    assert meta["positive_weight"] == [1.0, 2.0, 2.0]
    assert meta["negative_weight"] == pytest.approx([1.0, 2 / 3, 2 / 3])
    restored = _round_trip(fitted, lambda: MultiLabel("multilabel-sequences", threshold="auto"))
    assert restored.metadata() == meta and restored.thresholds_.dtype == np.float64
    assert restored.attributes()["thresholds_"].tolist() == fitted.thresholds_.tolist()
    assert restored.predict(logits) == fitted.predict(logits)
    target = torch.tensor(fitted.encode(y, [None] * 4))
    loss, again = fitted.loss(logits, target), restored.loss(logits, target)
    assert again.dtype == loss.dtype == torch.float32 and again.item() == loss.item()
    plain = MultiLabel("multilabel-indicator").fit(np.array([[1, 0], [0, 1], [1, 1]]), [None] * 3)
    assert plain.metadata() == {"target": "multi_label", "classes": [0, 1],
                                "target_type": "multilabel-indicator"}


def test_a_later_multilabel_call_keeps_its_form_and_classes():
    target = MultiLabel("multilabel-sequences").fit([["a"], ["a", "b"], ["b"]], [None] * 3)
    target.continues([["b"]], classes=["b", "a"])
    with pytest.raises(ValueError) as error:
        target.continues(["a", "b"])
    assert str(error.value) == ("y holds one label per text, but this classifier was fitted on one "
                                "list of labels per text; pass y in that form, or call fit() to start over.")
    with pytest.raises(ValueError) as error:
        target.continues([["a"]], classes=["a", "c"])
    assert str(error.value) == ("classes=['a', 'c'] differs from the classes learned on the first call "
                                "(['a', 'b']).")
    indicator = MultiLabel("multilabel-indicator").fit(np.array([[1, 0], [0, 1]]), [None] * 2)
    with pytest.raises(ValueError, match="^y holds one label per text, but this classifier was fitted "
                                         "on a 0/1 label matrix;"):
        indicator.continues([0, 1])


def test_correct_counts_the_right_rows_and_skips_ignored_positions():
    target = SingleLabel().fit(["a", "b"], [None] * 2)
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]])
    assert target.correct(logits, torch.tensor([0, 0, -100, 1])) == (2, 3)
    # a batch of tag rows: positions marked -100 (padding, later subwords) are not counted
    tags = TagSequences().fit([["O", "B"]], [["x", "y"]])
    assert tags.correct(logits.reshape(2, 2, 2), torch.tensor([[0, -100], [1, 0]])) == (1, 3)


def test_label_messages_name_the_estimator():
    with pytest.raises(ValueError) as error:
        SingleLabel(estimator="ElectraRanker").fit(None, [None] * 2)
    assert str(error.value) == "ElectraRanker requires y (one label per text); got None."
    for y, message in (
            ([0.5, 1.0], "y holds continuous values (0.5): ElectraRanker learns labels. For numeric "
                         "targets use ElectraRegressor; to keep them as labels, convert them first "
                         "(e.g. y.astype(str))."),
            ([1.0, float("inf")], "y[1] is inf: a label must be finite. For numeric targets use "
                                  "ElectraRegressor."),
            ([1, object()], "y[1] is an object: a label is a string, a number or a bool.")):
        with pytest.raises(ValueError) as error:
            SingleLabel(estimator="ElectraRanker").fit(y, [None] * 2)
        assert str(error.value) == message


def test_label_type_names_the_first_value_that_is_not_finite_and_the_first_fraction():
    from sklearn_electra.targets.labels import label_type

    row = "y[{}]".format
    for values, message in ((np.array([1.0, np.nan, 2.0]), "y[1] is nan"),
                            (np.array([1.0, 2.0, -np.inf], dtype=np.float32), "y[2] is -inf")):
        with pytest.raises(ValueError) as error:
            label_type(values, row)
        assert str(error.value) == f"{message}: a label must be finite. For numeric targets use " \
                                   "ElectraRegressor."
    # the value shown is the first that is not a whole number, not the first value
    assert label_type(np.array([3.0, 2.0, 2.5, 0.5]), row) == ("continuous", 2.5)
    assert label_type(np.array([3, 1, 2]), row) == ("multiclass", None)
    assert label_type(np.array(["b", "a"]), row) == ("binary", None)


NOT_A_LABEL = (ValueError, "y[2] is an object: a label is a string, a number or a bool.")


@pytest.mark.parametrize("y, expected", [
    ([True, False, object()], NOT_A_LABEL), ([1.5, 2.5, object()], NOT_A_LABEL),
    ([np.int8(1), np.int8(2), object()], NOT_A_LABEL),
    # a string first: scikit-learn sorts them and fails, so the mix is named
    (["a", 1, object()], (TypeError, "Labels must be mutually sortable; y mixes int, object, "
                                     "str. Convert them to one type, e.g. y.astype(str)."))])
def test_the_first_value_that_is_not_a_label_is_named(y, expected):
    values = np.empty(len(y), dtype=object)
    values[:] = y
    with pytest.raises(expected[0]) as error:
        SingleLabel().fit(values, [None] * len(y))
    assert str(error.value) == expected[1]


def test_the_prior_loss_weighs_rows_tokens_and_classes():
    entropy = lambda *p: float(-sum(q * np.log(q) for q in p))  # noqa: E731
    single = SingleLabel().fit(["a", "b"], [None] * 2)
    encoded = np.array([0, 0, 0, 1])
    assert single.prior_loss(encoded) == pytest.approx(entropy(0.75, 0.25))
    # sample weights 1, 1, 1, 3 balance the classes: as many a as b
    assert single.prior_loss(encoded, [1, 1, 1, 3]) == pytest.approx(np.log(2))
    assert single.prior_loss(encoded, np.array([0.0, 0.0, 1.0, 1.0])) == pytest.approx(np.log(2))
    # a class weight multiplies each row's sample weight
    weighted = SingleLabel(class_weight={"a": 1.0, "b": 2.0}).fit(["a", "b"], [None] * 2)
    assert weighted.prior_loss(encoded) == pytest.approx(entropy(0.6, 0.4))
    assert weighted.prior_loss(encoded, [2, 2, 2, 1]) == pytest.approx(entropy(0.75, 0.25))
    # tag rows: each row's weight goes to each of its counted tokens; -100 is not counted
    tags = TagSequences(class_weight={"O": 1.0, "B": 3.0}).fit([["O", "B"]], [["x", "y"]])
    rows = np.empty(2, dtype=object)
    rows[0], rows[1] = np.array([-100, 1, 1, -100]), np.array([0, -100, 1])  # B=0, O=1
    # B: weight 2 (row 1) * 3; O: 1 * 2 (row 0) + 2 * 1 (row 1)
    assert tags.prior_loss(rows, np.array([1.0, 2.0])) == pytest.approx(entropy(0.6, 0.4))
    # unweighted, the same tokens in one row: the same prior
    same = np.empty(1, dtype=object)
    same[0] = np.array([0, 1, 1, -100])
    assert tags.prior_loss(same) == pytest.approx(entropy(0.6, 0.4))


def test_labels_unseen_at_fit_are_listed_by_their_repr_ten_at_most():
    target = SingleLabel().fit(["a", "b"], [None] * 2)
    with pytest.raises(ValueError) as error:
        target.encode(["a", 5, "zz"], [None] * 3)  # mixed types: sorted by repr
    assert str(error.value) == "y contains labels not seen in the first fit (or in classes=): " \
                               "['zz', 5]. Known: ['a', 'b']."
    with pytest.raises(ValueError) as error:
        target.encode([f"u{i:02d}" for i in range(12)], [None] * 12)
    assert f"{[f'u{i:02d}' for i in range(10)]}. Known:" in str(error.value)
    tags = TagSequences().fit([["O", "B"]], [["x", "y"]])
    with pytest.raises(ValueError, match=r"^y contains tags not seen in the first fit \(or in "
                                         r"classes=\): \['I'\]\. Known: \['B', 'O'\]\.$"):
        tags.encode([["O", "I"]], [["x", "y"]])


def test_the_label_loss_weighs_rows_and_classes_and_skips_ignored_rows():
    logits = torch.tensor([[2.0, 0.0], [0.5, 1.5], [1.0, -1.0], [0.0, 0.3]])
    target = torch.tensor([0, 1, 1, -100])
    each = torch.nn.functional.cross_entropy(logits[:3], target[:3], reduction="none")
    plain = SingleLabel().fit(["a", "b"], [None] * 2)
    assert float(plain.loss(logits, target)) == pytest.approx(float(each.mean()))
    rows = torch.tensor([1.0, 2.0, 3.0, 100.0])  # the ignored row's weight counts for nothing
    assert float(plain.loss(logits, target, rows)) == pytest.approx(
        float((each * rows[:3]).sum() / 6))
    weighted = SingleLabel(class_weight={"b": 4.0}).fit(["a", "b"], [None] * 2)
    w = rows[:3] * torch.tensor([1.0, 4.0, 4.0])
    assert float(weighted.loss(logits, target, rows)) == pytest.approx(
        float((each * w).sum() / w.sum()))


def test_the_tag_loss_gives_a_rows_weight_to_each_of_its_tokens():
    logits = torch.tensor([[[2.0, 0.0, 0.1], [0.5, 1.5, 0.0], [0.0, 0.0, 0.0]],
                           [[1.0, -1.0, 2.0], [0.0, 0.3, 0.2], [0.7, 0.1, 0.0]]])
    target = torch.tensor([[0, 1, -100], [2, -100, 0]])
    tags = TagSequences(class_weight={"c": 2.0}).fit([["a", "b", "c"]], [["x", "y", "z"]])
    flat, labels = logits.reshape(-1, 3)[[0, 1, 3, 5]], torch.tensor([0, 1, 2, 0])
    each = torch.nn.functional.cross_entropy(flat, labels, reduction="none")
    w = torch.tensor([1.0, 1.0, 3.0, 3.0]) * torch.tensor([1.0, 1.0, 2.0, 1.0])
    assert float(tags.loss(logits, target, torch.tensor([1.0, 3.0]))) == pytest.approx(
        float((each * w).sum() / w.sum()))
    # argmax over each token's tags: 0, 1 right; 2 right; 0 right -> 4 of 4 counted tokens
    assert tags.correct(logits, target) == (4, 4)
    assert tags.correct(logits, torch.tensor([[1, 1, -100], [2, -100, 1]])) == (2, 4)


def test_label_outputs_are_softmax_argmax_and_weighted_accuracy():
    target = SingleLabel().fit(["neg", "pos", "mid"], [None] * 3)  # classes: mid, neg, pos
    logits = torch.tensor([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]])
    proba = target.predict_proba(logits)
    assert proba.dtype == np.float32 and proba.sum(axis=1) == pytest.approx([1.0, 1.0])
    e = np.e
    assert proba[0].tolist() == pytest.approx([1 / (2 + e), e / (2 + e), 1 / (2 + e)])
    assert target.predict(logits).tolist() == ["neg", "mid"]
    assert target.score(["neg", "pos"], np.array(["neg", "mid"])) == 0.5
    assert target.score(["neg", "pos"], np.array(["neg", "mid"]), sample_weight=[3, 1]) == 0.75
    assert type(target.score(["neg"], np.array(["neg"]))) is float


def test_numbers_held_as_objects_are_refused_with_the_conversion_to_make():
    # scikit-learn calls them "unknown" and its metrics refuse them: a search would fail later
    for y, kind in ((np.array([2, 1, 2], dtype=object), "int"),
                    (pd.Series([True, False], dtype=object), "bool"),
                    (pd.Series([1.5, 2], dtype=object), "float"),
                    (np.array([np.int16(1), np.int16(2)], dtype=object), "int16")):
        with pytest.raises(ValueError) as caught:
            SingleLabel().fit(y, [None] * len(y))
        assert str(caught.value) == "y holds numbers as Python objects (dtype object), which " \
            f"scikit-learn reads as an unknown kind of target; convert them first, e.g. " \
            f"y.astype('{kind}')."
    for y, error, message in (
            (np.array([1, 2 + 1j]), ValueError,
             "y[0] is (1+0j): a label is a string, a number or a bool."),
            # a number first, then a string: scikit-learn says "unknown"; the mix is named
            (np.array([1.5, "a"], dtype=object), TypeError,
             "Labels must be mutually sortable; y mixes float, str.")):
        with pytest.raises(error) as caught:
            SingleLabel().fit(y, [None] * len(y))
        assert str(caught.value).startswith(message), str(caught.value)


def test_label_type_reads_infinite_labels_without_numpys_cast_warning():
    import warnings

    from sklearn_electra.targets.labels import label_type

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^y\[1\] is inf: a label must be finite"):
            label_type(np.array([1.0, np.inf]), "y[{}]".format)
    # a reason of scikit-learn's that is not one value's: its own message
    with pytest.raises(ValueError, match="legacy multi-label data representation"):
        label_type(np.array([(1, 2), (3,)], dtype=object), "y[{}]".format)


def test_fit_names_its_source_nouns_and_the_default_estimator():
    with pytest.raises(ValueError) as error:
        SingleLabel().fit(None, [None] * 2)
    assert str(error.value) == "ElectraClassifier requires y (one label per text); got None."
    assert SingleLabel().class_weight is None
    with pytest.raises(ValueError) as error:
        SingleLabel().fit(["a", "a"], [None] * 2)
    assert str(error.value) == "y has a single class 'a'; a classifier needs at least 2 classes."
    with pytest.raises(ValueError) as error:
        SingleLabel().fit(["a", "a"], [None] * 2, classes=["a"])
    assert str(error.value) == "classes has a single class 'a'; a classifier needs at least 2 " \
                               "classes."
    with pytest.raises(TypeError, match=r"^Labels must be mutually sortable; classes mixes int, "
                                        r"str\."):
        SingleLabel().fit(["a", "b"], [None] * 2, classes=["a", 1])
    with pytest.raises(ValueError) as error:
        TagSequences().fit([["O", "O"]], [["x", "y"]])
    assert str(error.value) == "y has a single tag 'O'; a tagger needs at least 2 tags."
    for fit, message in ((lambda: SingleLabel().fit([], []), "y has no labels; a classifier"),
                         (lambda: TagSequences().fit([[]], [[]]), "y has no tags; a tagger")):
        with pytest.raises(ValueError) as error:
            fit()
        assert str(error.value).startswith(message)


def test_class_weights_are_float32_in_classes_order_and_balanced_needs_every_class():
    target = SingleLabel(class_weight="balanced").fit(["b", "a", "b", "b"], [None] * 4)
    assert target.class_weight_.dtype == np.float32
    assert target.class_weight_.tolist() == pytest.approx([2.0, 2 / 3])
    with pytest.raises(ValueError, match=r"^class_weight='balanced' cannot weigh classes that y "
                                         r"does not hold: \['c'\]\."):
        SingleLabel(class_weight="balanced").fit(["a", "b"], [None] * 2, classes=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"^class_weight='balanced' needs the counts of the whole "
                                         r"training set"):
        SingleLabel(class_weight="balanced").fit(["a", "b"], [None] * 2, incremental=True)
    tags = TagSequences(class_weight="balanced").fit([["O", "O", "B"], ["O"]], [["x"] * 3, ["y"]])
    assert tags.class_weight_.tolist() == pytest.approx([2.0, 2 / 3])  # B once, O 3 times


def test_attributes_name_the_classes_their_count_and_type():
    binary = SingleLabel().fit(["b", "a"], [None] * 2).attributes()
    assert list(binary) == ["classes_", "n_classes_", "target_type_"]
    assert binary["classes_"].tolist() == ["a", "b"] and binary["n_classes_"] == 2
    assert binary["target_type_"] == "binary"
    assert SingleLabel().fit(["c", "b", "a"], [None] * 3).attributes()["target_type_"] == \
        "multiclass"
    tags = TagSequences().fit([["O", "B", "I"]], [["x", "y", "z"]]).attributes()
    assert list(tags) == ["classes_", "n_classes_"] and tags["n_classes_"] == 3
