"""The label targets on their own (no model trained): what a checkpoint records of them and
reads back, what a later ``partial_fit`` may pass, and their messages."""

import json

import numpy as np
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
