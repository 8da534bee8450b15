"""Distillation: a student learns a fitted teacher's soft targets, with or without labels."""

import json
import math
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from sklearn_electra import ElectraClassifier
from sklearn_electra.targets import SingleLabel, Soft

from .conftest import FAST


@pytest.fixture(scope="module")
def student(fitted, reviews):
    train, _ = reviews
    return ElectraClassifier(**{**FAST, "max_epochs": 4}, teacher=FrozenEstimator(fitted)).fit(train["text"])


def test_learns_the_teacher_from_unlabeled_texts(student, fitted, reviews):
    _, test = reviews
    assert student.classes_.tolist() == fitted.classes_.tolist()
    agreement = np.mean(student.predict(test["text"]) == fitted.predict(test["text"]))
    assert agreement > 0.75
    assert "valid_acc" in student.history_[-1]  # agreement with the teacher on the held-out texts


def test_loss_is_hintons_soft_targets_mixed_with_cross_entropy():
    inner = SingleLabel().restore({}, ["a", "b", "c"])
    clf = Soft(inner, teacher=None, temperature=3.0, alpha=0.25)
    student = torch.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    teacher = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 3.0]])
    kl = sum(float((F.softmax(t / 3, -1) * (F.log_softmax(t / 3, -1) - F.log_softmax(s / 3, -1))).sum())
             for s, t in zip(student, teacher)) / 2 * 9
    labelled = torch.cat([teacher, torch.tensor([[0.0], [2.0]])], dim=1)
    ce = float(F.cross_entropy(student, torch.tensor([0, 2])))
    assert float(clf.loss(student, labelled)) == pytest.approx(0.25 * kl + 0.75 * ce, rel=1e-5)
    unlabelled = torch.cat([teacher, torch.tensor([[-1.0], [-1.0]])], dim=1)
    assert float(clf.loss(student, unlabelled)) == pytest.approx(kl, rel=1e-5)
    hard_only = Soft(inner, teacher=None, temperature=3.0, alpha=0.0)
    assert float(hard_only.loss(student, labelled)) == pytest.approx(ce, rel=1e-5)
    # Sample weights weigh both parts' rows (the second row counts three times).
    weighted = float(clf.loss(student, labelled, torch.tensor([1.0, 3.0])))
    repeated = float(clf.loss(student[[0, 1, 1, 1]], labelled[[0, 1, 1, 1]]))
    assert weighted == pytest.approx(repeated, rel=1e-5)


def test_student_saves_without_its_teacher(student, reviews, tmp_path):
    _, test = reviews
    student.save_pretrained(tmp_path / "student")
    saved = json.loads((tmp_path / "student" / "sklearn_electra.json").read_text())
    assert "teacher" not in saved["params"] and saved["classes"] == student.classes_.tolist()
    loaded = ElectraClassifier.from_pretrained(tmp_path / "student")
    assert loaded.teacher is None
    np.testing.assert_allclose(loaded.predict_proba(test["text"][:20]),
                               student.predict_proba(test["text"][:20]), atol=1e-5)


def test_clone_needs_a_frozen_or_saved_teacher(fitted, reviews, tmp_path):
    train, _ = reviews
    X, y = train["text"][:64], train["label"][:64]
    params = {**FAST, "max_epochs": 1}
    with pytest.raises(ValueError, match=r"teacher is not fitted.*FrozenEstimator"):
        clone(ElectraClassifier(**params, teacher=fitted)).fit(X)
    frozen = clone(ElectraClassifier(**params, teacher=FrozenEstimator(fitted))).fit(X, y)
    fitted.save_pretrained(tmp_path / "teacher")
    from_dir = ElectraClassifier(**params, teacher=str(tmp_path / "teacher")).fit(X, y)
    np.testing.assert_allclose(from_dir.predict_proba(X[:10]), frozen.predict_proba(X[:10]), atol=1e-5)


def test_labels_must_be_the_teachers(fitted, reviews):
    train, _ = reviews
    with pytest.raises(ValueError, match="labels not seen in the first fit"):
        ElectraClassifier(**FAST, teacher=FrozenEstimator(fitted)).fit(train["text"][:8], ["x"] * 8)
    with pytest.raises(ValueError, match="requires y"):
        ElectraClassifier(**FAST).fit(train["text"][:8])
    # DistilBERT's defaults (temperature 2.0, alpha_ce 0.5), as docs/little_data.md cites.
    assert math.isclose(ElectraClassifier().distill_alpha, 0.5)
    assert math.isclose(ElectraClassifier().distill_temperature, 2.0)


def test_teacher_errors_name_the_fix(fitted, reviews):
    from sklearn_electra import ElectraTagger

    X = reviews[0]["text"][:16]
    with pytest.raises(TypeError, match=r"^teacher must be a fitted ElectraClassifier or its "
                                        r"checkpoint directory; got ElectraTagger\.$"):
        ElectraClassifier(**FAST, teacher=ElectraTagger()).fit(X)
    with pytest.raises(ValueError, match=r"^teacher is not fitted\. scikit-learn's clone\(\) \(used "
                                         r"by GridSearchCV and cross_val_score\) copies estimator "
                                         r"parameters unfitted: pass teacher=FrozenEstimator\("
                                         r"fitted_teacher\) \(sklearn\.frozen\) or the teacher's "
                                         r"save_pretrained directory\.$"):
        ElectraClassifier(**FAST, teacher=ElectraClassifier()).fit(X)
    with pytest.raises(ValueError, match=r"^class_weight does not apply to distillation: the "
                                         r"student learns the teacher's distribution\. Pass "
                                         r"class_weight=None \(weigh texts with sample_weight "
                                         r"instead\)\.$"):
        ElectraClassifier(**FAST, teacher=FrozenEstimator(fitted), class_weight="balanced").fit(X)


def test_only_a_single_label_teacher_is_distilled(reviews):
    X = list(reviews[0]["text"][:32])
    tags = [["long" if len(t) > 20 else "short"] + (["even"] if i % 2 else []) for i, t in enumerate(X)]
    multilabel = ElectraClassifier(**{**FAST, "max_epochs": 1}, threshold=0.5).fit(X, tags)
    with pytest.raises(ValueError, match=r"^Only a single-label teacher can be distilled; this one "
                                         r"was fitted on 'multilabel-sequences' targets\.$"):
        ElectraClassifier(**FAST, teacher=FrozenEstimator(multilabel)).fit(X)


def test_a_student_continues_with_its_teacher_and_its_settings(fitted, reviews):
    X = list(reviews[0]["text"][:64])
    student = ElectraClassifier(**{**FAST, "max_epochs": 1}, teacher=FrozenEstimator(fitted),
                                distill_temperature=3.0, distill_alpha=0.25).fit(X)
    # The loss is the one the parameters name (Soft's temperature and mixing weight).
    assert (student.target_.temperature, student.target_.alpha) == (3.0, 0.25)
    before = student.predict_proba(X[:8])
    student.partial_fit(X[32:], [fitted.classes_[1]] * 32)  # more texts, labels mixed in
    assert student.classes_.tolist() == fitted.classes_.tolist()
    assert not np.allclose(student.predict_proba(X[:8]), before)
    other = ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(X[:16], ["x", "y"] * 8)
    with pytest.raises(ValueError, match=r"^The teacher's classes \(\['x', 'y'\]\) differ from this "
                                         r"student's \(\['neg', 'pos'\]\); call fit\(\) to start "
                                         r"over\.$"):
        student.set_params(teacher=FrozenEstimator(other)).partial_fit(X[:16])


class _Teacher:
    """A teacher whose logits are fixed rows (what Soft reads of a fitted classifier)."""

    def __init__(self, logits):
        self.logits = torch.tensor(logits, dtype=torch.float64)

    def forward(self, inputs):
        return self.logits[: len(inputs)]


def _abc():
    return SingleLabel().restore({}, ["a", "b", "c"])


def test_soft_targets_are_the_teachers_logits_then_the_label():
    teacher = _Teacher([[0.5, -1.25, 3.0], [1.0, 2.0, 0.0]])
    soft = Soft(_abc(), teacher)
    encoded = soft.encode(["c", "a"], ["x", "y"])
    assert encoded.dtype == np.float32
    assert encoded.tolist() == [[0.5, -1.25, 3.0, 2.0], [1.0, 2.0, 0.0, 0.0]]
    assert soft.encode(None, ["x", "y"])[:, -1].tolist() == [-1.0, -1.0]  # no labels
    with pytest.raises(ValueError) as info:
        Soft(_abc(), None).encode(None, ["x"])
    assert str(info.value) == "Soft targets need the teacher: set teacher= and fit again."


def test_soft_defaults_are_temperature_two_and_an_even_mix():
    student = torch.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    target = torch.tensor([[2.0, 0.0, 0.0, 1.0], [0.0, 1.0, 3.0, 2.0]])
    explicit = Soft(_abc(), None, temperature=2.0, alpha=0.5).loss(student, target)
    assert float(Soft(_abc(), None).loss(student, target)) == float(explicit)
    assert float(explicit) != float(Soft(_abc(), None, temperature=1.0).loss(student, target))


def test_soft_loss_weighs_labelled_and_unlabelled_rows_apart():
    soft = Soft(_abc(), None, temperature=1.5, alpha=0.25)
    student = torch.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [0.0, 0.0, 1.0]])
    teacher = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 3.0], [1.0, 1.0, 0.0]])
    target = torch.cat([teacher, torch.tensor([[1.0], [-1.0], [2.0]])], dim=1).half()
    weight = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64)
    kl = (F.softmax(teacher / 1.5, -1) * (F.log_softmax(teacher / 1.5, -1)
                                          - F.log_softmax(student / 1.5, -1))).sum(-1) * 1.5**2
    soft_part = float((kl * weight.float()).sum() / weight.sum())
    ce = F.cross_entropy(student[[0, 2]], torch.tensor([1, 2]), reduction="none")
    hard_part = float((ce * torch.tensor([1.0, 4.0])).sum() / 5.0)  # the labelled rows' weights
    assert float(soft.loss(student, target, weight)) == pytest.approx(
        0.25 * soft_part + 0.75 * hard_part, rel=1e-3)  # the target arrives in half precision


def test_soft_accuracy_is_agreement_with_the_label_or_else_the_teacher():
    soft = Soft(_abc(), None)
    target = np.array([[0.0, 5.0, 0.0, 2.0],    # labelled "c"; the teacher says "b"
                       [0.0, 5.0, 0.0, -1.0],   # unlabelled: the teacher's "b"
                       [3.0, 0.0, 0.0, -1.0],
                       [0.0, 0.0, 4.0, 0.0]],   # labelled "a" (index 0); the teacher says "c"
                      dtype=np.float32)
    assert soft.reference(target).tolist() == [2, 1, 0, 0]
    assert soft.strata(target).tolist() == [2, 1, 0, 0]
    student = torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert soft.correct(student, torch.as_tensor(target)) == (3, 4)


def test_soft_targets_score_and_pickle_as_their_inner_target():
    teacher = _Teacher([[0.0, 1.0, 0.0]])
    soft = Soft(_abc(), teacher, temperature=3.0, alpha=0.1)
    assert soft.fit(["a"], ["x"]) is soft  # nothing to learn: the teacher's target is fitted
    assert soft.score(["a", "b", "c"], ["a", "b", "a"], sample_weight=[1.0, 1.0, 2.0]) == 0.5
    copy = pickle.loads(pickle.dumps(soft))
    assert copy.teacher is None and soft.teacher is teacher  # the teacher is not pickled
    assert (copy.temperature, copy.alpha, copy.inner.classes_.tolist()) == (3.0, 0.1, ["a", "b", "c"])
