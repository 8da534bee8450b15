"""Targets as parts: sample and class weights, fitted thresholds, several label columns.

Models are tiny and trained for real on slices of the Chinese reviews; the loss
identities are exact on fixed batches.
"""

import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from sklearn.base import clone
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_electra import ElectraClassifier, ElectraRegressor, ElectraTagger
from sklearn_electra.data import PadCollator
from sklearn_electra.targets import (MultiLabel, MultiOutput, Regression, SingleLabel, TagSequences,
                                     best_f1_thresholds, classification_target, weighted_mean)

FAST = dict(max_length=48, vocab_size=800, max_epochs=6, batch_size=16, lr=2e-3, random_state=0)


def collate(dataset, rows):
    """The padded batch (inputs, labels) of ``dataset``'s rows, as training sees it."""
    return PadCollator(0)([dataset[i] for i in rows])


# ---------------------------------------------------------------- the loss, exactly
def _loss(est, dataset, rows):
    est.module_.eval()  # no dropout: the same rows give the same logits
    with torch.no_grad():
        x, y = collate(dataset, rows)
        return est.get_loss(est.infer(x), y, X=x).item()


def _repeat_identity(est, X, y):
    """Loss with integer weights [2, 1, 3] equals the loss of the rows repeated, unweighted,
    and the weighted mean of the rows' own losses."""
    weights = np.array([2.0, 1.0, 3.0])
    weighted = est.get_dataset(X[:3], y[:3]).with_input_weights(weights)
    repeated = est.get_dataset([X[0]] * 2 + [X[1]] + [X[2]] * 3,
                               [y[0]] * 2 + [y[1]] + [y[2]] * 3)
    assert "sample_weight" in collate(weighted, [0])[0]
    own = [_loss(est, est.get_dataset(X[i:i + 1], y[i:i + 1]), [0]) for i in range(3)]
    assert _loss(est, weighted, range(3)) == pytest.approx(_loss(est, repeated, range(6)), rel=1e-5)
    if not isinstance(est, ElectraTagger):  # tokens, not sentences, are its rows' units
        assert _loss(est, weighted, range(3)) == pytest.approx(np.dot(weights, own) / 6, rel=1e-5)


def test_integer_weights_are_repeated_rows_for_every_target(reviews):
    train, _ = reviews
    X = list(train["text"][:40])
    labels = list(train["label"][:40])
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(X, labels)
    _repeat_identity(clf, X, labels)
    multi = [["a"], ["b"], ["a", "b"]] * 13 + [["a"]]
    _repeat_identity(ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(X, multi), X, multi)
    columns = np.array([[lab, "short" if len(t) < 30 else "long"] for t, lab in zip(X, labels)],
                       dtype=object)
    _repeat_identity(ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(X, columns), X, columns)
    ratings = [float(len(t) % 7) for t in X]
    _repeat_identity(ElectraRegressor(**{**FAST, "max_epochs": 1}).fit(X, ratings), X, ratings)
    tokens = [list(t[:12]) for t in X]
    tags = [["B-X" if ch in "好不" else "O" for ch in s] for s in tokens]
    _repeat_identity(ElectraTagger(**{**FAST, "max_epochs": 1}).fit(tokens, tags), tokens, tags)


def test_class_weights_multiply_sample_weights_in_the_mean():
    target = SingleLabel(class_weight={"a": 3.0}).fit(["a", "b", "b"], [None] * 3)
    logits = torch.tensor([[0.3, -0.2], [1.0, 0.5], [-0.4, 0.9]])
    labels = torch.tensor([0, 1, 1])
    per_row = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    w = torch.tensor([2.0, 1.0, 0.5]) * torch.tensor([3.0, 1.0, 1.0])
    expected = (per_row * w).sum() / w.sum()
    assert target.loss(logits, labels, torch.tensor([2.0, 1.0, 0.5])).item() == \
        pytest.approx(expected.item())
    assert target.class_weight_.tolist() == [3.0, 1.0]
    balanced = SingleLabel(class_weight="balanced").fit(["a", "b", "b", "b"], [None] * 4)
    assert balanced.class_weight_.tolist() == pytest.approx([2.0, 2 / 3])


def test_weighted_mean_of_zero_weights_is_zero_with_a_graph():
    losses = torch.tensor([1.0, 2.0], requires_grad=True)
    out = weighted_mean(losses, torch.zeros(2))
    out.backward()
    assert out.item() == 0.0 and losses.grad.tolist() == [0.0, 0.0]


def test_multilabel_balanced_weights_each_label_as_a_binary_problem():
    y = [["a"], [], [], [], ["a", "b"], ["b"], ["b"], ["b"]]
    target = MultiLabel("multilabel-sequences", class_weight="balanced").fit(y, [None] * 8)
    # a: 2 positive of 8 -> 8 / (2 * 2) = 2, negatives 8 / (2 * 6); b: 4 of 8 -> 1 and 1
    assert target.positive_weight_.tolist() == pytest.approx([2.0, 1.0])
    assert target.negative_weight_.tolist() == pytest.approx([8 / 12, 1.0])


def test_regression_loss_is_the_weighted_mean_over_rows():
    target = Regression().fit([[1.0, 0.0], [3.0, 2.0]], [None] * 2)
    logits = torch.tensor([[0.0, 1.0], [2.0, 0.0]])
    encoded = torch.tensor([[1.0, 1.0], [0.0, 0.0]])
    rows = torch.tensor([(1 + 0) / 2, (4 + 0) / 2])
    w = torch.tensor([1.0, 3.0])
    assert target.loss(logits, encoded, w).item() == pytest.approx(((rows * w).sum() / 4).item())


# ---------------------------------------------------------------- sample_weight end to end
def test_zero_weights_on_one_class_change_what_is_learned(reviews):
    train, _ = reviews
    X, y = list(train["text"][:160]), np.asarray(train["label"][:160])
    weights = np.where(y == "pos", 0.0, 1.0)
    params = {**FAST, "validation_fraction": None}
    plain = ElectraClassifier(**params).fit(X, y)
    weighted = ElectraClassifier(**params).fit(X, y, sample_weight=weights)
    pos = list(plain.classes_).index("pos")
    # Trained only on negative texts, the model calls (nearly) everything negative.
    assert weighted.predict_proba(X)[:, pos].mean() < 0.2
    assert plain.predict_proba(X)[:, pos].mean() > 0.3
    assert (weighted.predict(X) == "neg").mean() > 0.95


@pytest.mark.parametrize("weights, error, match", [
    ([1.0, -1.0] * 10, ValueError, r"sample_weight\[1\] is -1\.0: weights must be finite"),
    ([1.0, np.nan] * 10, ValueError, r"sample_weight\[1\] is nan"),
    ([1.0] * 19, ValueError, "X has 20 rows but sample_weight has 19 weights"),
    ([0.0] * 20, ValueError, "sample_weight is 0 for every row"),
    (3.0, ValueError, "not a single number"),
    ([[1.0]] * 20, ValueError, "must be 1-dimensional"),
    (["a"] * 20, TypeError, "sample_weight must hold numbers"),
])
def test_bad_sample_weights_are_named(weights, error, match):
    clf = ElectraClassifier(**FAST)
    with pytest.raises(error, match=match):
        clf.fit(["good", "bad"] * 10, ["pos", "neg"] * 10, sample_weight=weights)
    assert not clf.initialized_


def test_unknown_fit_keyword_is_a_type_error_naming_the_accepted_ones():
    with pytest.raises(TypeError, match=r"got unexpected keyword argument\(s\) \['sample_wieght'\]; "
                                        r"it accepts sample_weight"):
        ElectraClassifier(**FAST).fit(["good", "bad"] * 10, [1, 0] * 10, sample_wieght=[1] * 20)
    from sklearn_electra import ElectraRTDPretrainer
    with pytest.raises(TypeError, match="it accepts no keyword besides X and y"):
        ElectraRTDPretrainer(max_length=16).fit(["a b c"] * 8, sample_weight=[1] * 8)


def test_sample_weight_through_a_pipeline_and_metadata_routing(reviews):
    train, _ = reviews
    X, y = list(train["text"][:120]), np.asarray(train["label"][:120])
    weights = np.where(y == "pos", 0.0, 1.0)
    params = {**FAST, "max_epochs": 3, "validation_fraction": None}
    pipe = Pipeline([("id", FunctionTransformer()), ("clf", ElectraClassifier(**params))])
    pipe.fit(X, y, clf__sample_weight=weights)
    assert (pipe.predict(X) == "neg").mean() > 0.9
    with sklearn.config_context(enable_metadata_routing=True):
        est = ElectraClassifier(**params).set_fit_request(sample_weight=True) \
            .set_score_request(sample_weight=True)
        search = GridSearchCV(est, {"module__dropout": [0.1]}, cv=KFold(2), refit=True)
        search.fit(X, y, sample_weight=weights)
        assert (search.predict(X) == "neg").mean() > 0.9
        scores = cross_validate(est, X, y, cv=KFold(2), params={"sample_weight": weights})
        assert np.all(np.isfinite(scores["test_score"]))


def test_partial_fit_takes_sample_weight_and_rejects_balanced(reviews):
    train, _ = reviews
    X, y = list(train["text"][:64]), list(train["label"][:64])
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1})
    only_neg = [t for t, label in zip(X, y) if label == "neg"]
    # classes= reaches the labels: a class absent from the first batch is still known.
    clf.partial_fit(only_neg, ["neg"] * len(only_neg), classes=["pos", "neg"],
                    sample_weight=np.ones(len(only_neg)))
    assert list(clf.classes_) == ["neg", "pos"]
    # The weights reach the checks (a dropped weight would train without a word) ...
    with pytest.raises(ValueError, match=r"sample_weight\[1\] is -1\.0"):
        clf.partial_fit(X, y, sample_weight=[1.0, -1.0] * 32)
    # ... and so does every other keyword, which partial_fit refuses as fit does.
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['epochs'\]; "
                                        "it accepts sample_weight"):
        clf.partial_fit(X, y, epochs=2)
    with pytest.raises(ValueError, match="partial_fit never sees"):
        ElectraClassifier(class_weight="balanced", **FAST).partial_fit(X, y)


# ---------------------------------------------------------------- class_weight
LEARN = dict(max_length=32, vocab_size=800, batch_size=32, lr=1e-3, max_epochs=12)


def planted(texts, labels, rng, rate_of):
    """Real review fragments, the marker word planted with a per-label probability: a noisy
    signal whose best decision depends on the classes' weights."""
    marked = rng.random(len(labels)) < np.vectorize(rate_of)(labels)
    return [t[:8] + ("退货" if m else "") + t[8:16] for t, m in zip(texts, marked)]


def test_balanced_class_weight_lifts_minority_recall():
    from sklearn_electra.datasets import load_chinese_reviews

    train, test = load_chinese_reviews()
    rng = np.random.default_rng(0)
    rate = {"rare": 0.7, "common": 0.1}.get  # P(rare | marker) = 0.44 at 1:9, 0.88 balanced
    y = np.array(["rare"] * 80 + ["common"] * 720, dtype=object)  # 1:9
    X = planted(train["text"].sample(800, random_state=0).tolist(), y, rng, rate)
    y_test = np.array(["rare", "common"] * 200, dtype=object)
    X_test = planted(test["text"].sample(400, random_state=0).tolist(), y_test, rng, rate)
    lifts = []
    for seed in (0, 1):
        params = {**LEARN, "validation_fraction": None, "random_state": seed}
        plain = ElectraClassifier(**params).fit(X, y)
        balanced = ElectraClassifier(class_weight="balanced", **params).fit(X, y)
        recall = [recall_score(y_test, m.predict(X_test), pos_label="rare") for m in (plain, balanced)]
        lifts.append(recall[1] - recall[0])
    # Same seeds: a class_weight that changed nothing would give the same model, a lift of 0.
    assert min(lifts) > 0.05 and np.mean(lifts) > 0.1, lifts


def test_class_weight_errors_name_the_fix():
    X, y = ["good", "bad", "fine"] * 8, ["pos", "neg", "pos"] * 8
    with pytest.raises(ValueError, match=r"class_weight names \['meh'\]"):
        ElectraClassifier(class_weight={"meh": 2.0}, **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"class_weight\['pos'\] is -1"):
        ElectraClassifier(class_weight={"pos": -1}, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="class_weight.*must be"):
        ElectraClassifier(class_weight="even", **FAST).fit(X, y)


def test_tagger_class_weight_counts_tokens():
    target = TagSequences(class_weight="balanced").fit([["O", "O", "O", "B-X"]], [["a"] * 4])
    assert target.class_weight_.tolist() == pytest.approx([4 / (2 * 1), 4 / (2 * 3)])


# ---------------------------------------------------------------- thresholds
def test_best_f1_thresholds_separate_where_f1_is_highest():
    proba = np.array([[0.9, 0.2], [0.6, 0.1], [0.3, 0.15], [0.2, 0.05]])
    truth = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    cut = best_f1_thresholds(proba, truth)
    assert cut[0] == pytest.approx((0.6 + 0.3) / 2)  # rows 0, 1: F1 = 1
    assert cut[1] == pytest.approx((0.1 + 0.05) / 2)  # rows 1, 2 need three positives: F1 0.8
    assert best_f1_thresholds(proba, np.zeros((4, 2)), default=0.5).tolist() == [0.5, 0.5]


def test_auto_thresholds_lift_micro_f1_on_rare_labels():
    from sklearn.preprocessing import MultiLabelBinarizer

    from sklearn_electra.datasets import load_chinese_reviews

    train, test = load_chinese_reviews()
    rng = np.random.default_rng(0)
    markers = {"sports": "足球", "tech": "软件", "food": "米饭"}

    def mark(texts):
        out, labels = [], []
        for text in texts:
            chosen = [t for t in markers if rng.random() < 0.08]  # rare labels
            out.append(text[:8] + "".join(markers[t] for t in chosen) + text[8:16])
            labels.append(chosen)
        return out, labels

    X, y = mark(train["text"].sample(800, random_state=0))
    X_test, y_test = mark(test["text"].sample(400, random_state=0))
    clf = ElectraClassifier(threshold=0.5, early_stopping=False, random_state=0, **LEARN).fit(X, y)
    mlb = MultiLabelBinarizer(classes=clf.classes_).fit(y)
    truth = mlb.transform(y_test)
    fixed = f1_score(truth, mlb.transform(clf.predict(X_test)), average="micro")
    auto = f1_score(truth, mlb.transform(clf.set_params(threshold="auto").predict(X_test)),
                    average="micro")
    assert clf.thresholds_.shape == (3,) and (clf.thresholds_ < 0.5).all()
    assert auto > fixed + 0.3, (fixed, auto)
    # The thresholds travel with the model.
    proba = clf.predict_proba(X_test)
    assert clf.predict(X_test) == [[label for label, p, t in zip(clf.classes_, row, clf.thresholds_)
                                    if p >= t] for row in proba]


# ---------------------------------------------------------------- several label columns
def test_type_of_target_picks_the_target():
    assert isinstance(classification_target([[1], [0]]), SingleLabel)
    assert isinstance(classification_target(pd.DataFrame({"a": [0, 1], "b": [1, 1]})), MultiLabel)
    assert isinstance(classification_target(pd.DataFrame({"a": ["x", "y"], "b": ["u", "u"]})),
                      MultiOutput)
    assert isinstance(classification_target(np.array([[0, 2], [1, 0]])), MultiOutput)


def test_several_label_columns_learn_each_column(tmp_path):
    from sklearn_electra.datasets import load_chinese_reviews

    train, test = load_chinese_reviews()
    rng = np.random.default_rng(0)
    topics = {"sports": "足球", "tech": "软件", "food": "米饭"}

    def columns(texts):
        out, topic, urgency = [], [], []
        for text in texts:
            t, urgent = list(topics)[rng.integers(3)], rng.random() < 0.3
            out.append(text[:8] + topics[t] + ("紧急" if urgent else "") + text[8:16])
            topic.append(t)
            urgency.append("urgent" if urgent else "normal")
        return out, pd.DataFrame({"topic": topic, "urgency": urgency})

    X, y = columns(train["text"].sample(800, random_state=1))
    X_test, y_test = columns(test["text"].sample(400, random_state=1))
    clf = ElectraClassifier(random_state=0, **LEARN).fit(X, y)
    assert [c.tolist() for c in clf.classes_] == [["food", "sports", "tech"], ["normal", "urgent"]]
    assert clf.target_type_ == "multiclass-multioutput" and clf.n_outputs_ == 2
    pred = clf.predict(X_test)
    proba = clf.predict_proba(X_test)
    assert pred.shape == (400, 2) and [p.shape for p in proba] == [(400, 3), (400, 2)]
    accuracies = [(pred[:, j] == y_test.iloc[:, j].to_numpy()).mean() for j in range(2)]
    majority = [y_test.iloc[:, j].value_counts(normalize=True).max() for j in range(2)]
    assert all(a > m + 0.2 for a, m in zip(accuracies, majority)), (accuracies, majority)
    assert clf.score(X_test, y_test) == pytest.approx(np.mean(accuracies))
    np.testing.assert_allclose(proba[0].sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(pred[:, 0], clf.classes_[0][proba[0].argmax(axis=1)])
    # The export: one head of sum(n_classes) units, loadable as it is.
    clf.save_pretrained(tmp_path)
    loaded = ElectraClassifier.from_pretrained(tmp_path)
    np.testing.assert_array_equal(loaded.predict(X_test[:20]), pred[:20])
    from transformers import AutoModelForSequenceClassification
    hf = AutoModelForSequenceClassification.from_pretrained(tmp_path)
    assert hf.config.num_labels == 5 and hf.config.id2label[4] == "urgency=urgent"


def test_several_label_columns_check_their_columns():
    X = ["a b", "c d", "e f", "g h"] * 6
    y = np.array([["x", "u"], ["y", "u"], ["x", "v"], ["y", "v"]] * 6, dtype=object)
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(X, y)
    with pytest.raises(ValueError, match="y has columns 3, but the model was fitted on 2"):
        clf.partial_fit(X, np.column_stack([y, y[:, :1]]))
    with pytest.raises(ValueError, match=r"y contains labels not seen in the first fit"):
        clf.partial_fit(X, np.where(y == "u", "w", y))


def test_span_loss_weights_questions_like_repeated_rows():
    from sklearn_electra.spans import IGNORED, SpanLoss

    logits = torch.randn(3, 6, 2, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([[IGNORED, 1, 0, 2, 0, IGNORED], [IGNORED, 0, 3, 0, 0, IGNORED],
                           [IGNORED, 1, 0, 0, 2, IGNORED]])
    loss = SpanLoss()
    weighted = loss(logits, labels, torch.tensor([2.0, 0.0, 1.0]))
    assert weighted.item() == pytest.approx(loss(logits[[0, 0, 2]], labels[[0, 0, 2]]).item(),
                                            rel=1e-6)


def test_fitted_thresholds_and_class_weights_survive_save_and_pickle(tmp_path):
    import pickle

    X = ["足球 好", "软件 快", "米饭 香", "足球 软件", "天气 好"] * 8
    y = [["sports"], ["tech"], ["food"], ["sports", "tech"], []] * 8
    clf = ElectraClassifier(class_weight="balanced", **{**FAST, "max_epochs": 2}).fit(X, y)
    assert clf.thresholds_.shape == (3,)
    clf.save_pretrained(tmp_path)
    loaded = ElectraClassifier.from_pretrained(tmp_path)
    np.testing.assert_allclose(loaded.thresholds_, clf.thresholds_)
    np.testing.assert_allclose(loaded.target_.positive_weight_, clf.target_.positive_weight_)
    assert loaded.predict(X) == clf.predict(X)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.thresholds_, clf.thresholds_)


def test_scikit_learn_threshold_tuning_and_temperature_calibration_wrap_ours():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from scipy.stats import spearmanr
    from sklearn.model_selection import TunedThresholdClassifierCV

    from sklearn_electra.datasets import load_chinese_reviews

    train, test = load_chinese_reviews()
    rng = np.random.default_rng(1)
    rate = {"yes": 0.8, "no": 0.2}.get
    y = np.array(["yes", "no"] * 400, dtype=object)
    X = planted(train["text"].sample(800, random_state=0).tolist(), y, rng, rate)
    y_test = np.array(["yes", "no"] * 200, dtype=object)
    X_test = planted(test["text"].sample(400, random_state=0).tolist(), y_test, rng, rate)
    clf = ElectraClassifier(random_state=0, **LEARN).fit(X, y)
    X_cal, y_cal, X_new = X_test[:200], y_test[:200], X_test[200:]
    tuned = TunedThresholdClassifierCV(FrozenEstimator(clf), cv=2,
                                       scoring="balanced_accuracy").fit(X_cal, y_cal)
    assert 0.0 < tuned.best_threshold_ < 1.0
    assert set(tuned.predict(X_new)) <= set(clf.classes_)
    ours = clf.predict_proba(X_new)[:, 1]
    assert ours.std() > 0.05  # the model learned something to calibrate
    for method in ("temperature", "sigmoid"):
        calibrated = CalibratedClassifierCV(FrozenEstimator(clf), method=method).fit(X_cal, y_cal)
        proba = calibrated.predict_proba(X_new)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
        # Calibration maps our probabilities through a monotone function: ranks survive.
        assert abs(spearmanr(ours, proba[:, 1]).statistic) > 0.99


def test_soft_targets_pickle_without_the_teacher(reviews):
    import pickle

    from sklearn.frozen import FrozenEstimator

    train, _ = reviews
    teacher = ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(train["text"][:64], train["label"][:64])
    student = ElectraClassifier(teacher=FrozenEstimator(teacher), **{**FAST, "max_epochs": 1})
    student.fit(train["text"][:64], sample_weight=np.ones(64))
    assert student.target_.teacher is teacher
    assert pickle.loads(pickle.dumps(student.target_)).teacher is None
    with pytest.raises(ValueError, match="class_weight does not apply to distillation"):
        clone(student).set_params(class_weight="balanced").fit(train["text"][:64])


# ------------------------------------------------------------------ shared parts of targets
def _raised(call, error=ValueError):
    with pytest.raises(error) as info:
        call()
    return info.value


def test_learned_classes_are_sorted_and_keep_their_type():
    from sklearn_electra.targets._base import as_classes, learn_classes

    words = learn_classes(["b", "a", "b", "c"], "y")
    assert words.tolist() == ["a", "b", "c"] and words.dtype == object
    assert all(type(c) is str for c in words)  # not numpy's str_
    numbers = learn_classes([3, 1, 3], "y")
    assert numbers.tolist() == [1, 3] and numbers.dtype == np.int64
    assert as_classes(np.array([2, 0])).dtype == np.int64 and as_classes(["x"]).dtype == object
    # Bools stay bools, as scikit-learn's classifiers keep them (not objects holding np.bool_).
    flags = learn_classes([True, False, True], "y")
    assert flags.dtype == bool and flags.tolist() == [False, True]
    assert as_classes(np.array([False, True])).dtype == bool
    mixed = _raised(lambda: learn_classes(["a", 1, 2.5], "column 'c' of y"), TypeError)
    assert str(mixed) == ("Labels must be mutually sortable; column 'c' of y mixes float, int, "
                          "str. Convert them to one type, e.g. y.astype(str).")
    assert isinstance(mixed.__cause__, TypeError)
    assert str(_raised(lambda: learn_classes(["pos"] * 3, "y"))) == \
        "y has a single class 'pos'; a classifier needs at least 2 classes."
    assert str(_raised(lambda: learn_classes([], "classes"))) == \
        "classes has no labels; a classifier needs at least 2 classes."
    assert str(_raised(lambda: learn_classes(["O"], "y", noun="tag", class_noun="tag",
                                             kind="tagger"))) == \
        "y has a single tag 'O'; a tagger needs at least 2 tags."
    assert str(_raised(lambda: learn_classes([], "y", noun="tag", class_noun="tag",
                                             kind="tagger"))) == \
        "y has no tags; a tagger needs at least 2 tags."


def test_class_weights_as_scikit_learn_reads_them():
    from sklearn.utils.class_weight import compute_class_weight

    from sklearn_electra.targets._base import resolve_class_weight

    classes = np.array(["a", "b", "c"], dtype=object)
    y = np.array(["a", "b", "b", "c", "c", "c"])
    balanced = resolve_class_weight("balanced", classes, np.array([1, 2, 3]), 6)
    assert balanced.dtype == np.float64
    np.testing.assert_allclose(balanced, compute_class_weight("balanced", classes=classes, y=y))
    assert resolve_class_weight(None, classes, np.array([1, 2, 3]), 6) is None
    given = resolve_class_weight({"b": 2, "c": 0.5}, classes, np.array([1, 2, 3]), 6)
    assert given.tolist() == [1.0, 2.0, 0.5] and given.dtype == np.float64
    assert resolve_class_weight({"b": 0}, classes, None, 6).tolist() == [1.0, 0.0, 1.0]
    assert str(_raised(lambda: resolve_class_weight("balanced", classes, np.array([1, 2, 3]), 6,
                                                    incremental=True))) == (
        "class_weight='balanced' needs the counts of the whole training set, which partial_fit "
        "never sees (as in scikit-learn's SGDClassifier). Compute them once, "
        "sklearn.utils.class_weight.compute_class_weight('balanced', classes=..., y=...), and "
        "pass class_weight as a dict.")
    many = np.arange(12)  # messages name the first ten
    assert str(_raised(lambda: resolve_class_weight("balanced", many, np.r_[np.zeros(11), 5], 5))) \
        == f"class_weight='balanced' cannot weigh classes that y does not hold: {list(range(10))}. " \
           "Pass class_weight as a dict."
    assert str(_raised(lambda: resolve_class_weight({k: 1.0 for k in range(100, 112)}, many, None, 5))) \
        == f"class_weight names {list(range(100, 110))}, which are not among the classes {list(range(12))}."
    assert str(_raised(lambda: resolve_class_weight("balanced", classes, np.array([1, 0, 3]), 4))) \
        == "class_weight='balanced' cannot weigh classes that y does not hold: ['b']. Pass " \
           "class_weight as a dict."
    assert str(_raised(lambda: resolve_class_weight({"a": 1, "z": 2}, classes, None, 6))) == \
        "class_weight names ['z'], which are not among the classes ['a', 'b', 'c']."
    for bad in (True, "2", float("nan"), float("inf"), -1, None):
        assert str(_raised(lambda: resolve_class_weight({"c": bad}, classes, None, 6))) == \
            f"class_weight['c'] is {bad!r}; class weights are finite numbers >= 0."


def test_head_config_names_each_output():
    from sklearn_electra.targets._base import head_config

    assert head_config([0, "b"], "multi_label_classification") == {
        "num_labels": 2, "id2label": {0: "0", 1: "b"}, "label2id": {"0": 0, "b": 1},
        "problem_type": "multi_label_classification"}
    assert "problem_type" not in head_config(["a", "b"])
    target = SingleLabel().restore({}, ["x", "y", "z"])
    assert target.n_outputs == 3
    assert target.config() == {"num_labels": 3, "id2label": {0: "x", 1: "y", 2: "z"},
                               "label2id": {"x": 0, "y": 1, "z": 2},
                               "problem_type": "single_label_classification"}
    assert repr(target) == "SingleLabel()"


def test_entropy_and_weighted_means_of_edge_cases():
    import math

    from sklearn_electra.targets._base import entropy, weighted_mean

    assert entropy([1, 1, 2]) == pytest.approx(-(0.5 * math.log(0.25) + 0.5 * math.log(0.5)))
    assert math.copysign(1.0, entropy([3, 0])) == 1.0  # 0.0, never -0.0
    assert float(weighted_mean(torch.tensor([1.0, 2.0, 6.0]))) == 3.0
    empty = weighted_mean(torch.zeros(0, requires_grad=True))  # an all-padding batch
    assert float(empty) == 0.0 and empty.requires_grad
    losses = torch.tensor([1.0, 4.0], requires_grad=True)
    zero = weighted_mean(losses, torch.tensor([0.0, 0.0]))
    zero.backward()
    assert float(zero) == 0.0 and losses.grad.tolist() == [0.0, 0.0]
    assert float(weighted_mean(torch.tensor([1.0, 4.0]), torch.tensor([1, 3]))) == 3.25
    # The loss keeps its own dtype whatever the weights' (float64 weights, float32 loss).
    assert weighted_mean(torch.tensor([1.0, 4.0]), torch.tensor([1.0, 3.0], dtype=torch.float64)).dtype \
        == torch.float32


# ------------------------------------------------------------------ several label columns
def _columns_target(class_weight=None, classes=None):
    y = pd.DataFrame({"mood": ["+", "-", "+", "-"], "topic": ["a", "b", "c", "a"]})
    return MultiOutput(class_weight).fit(y, [None] * 4, classes=classes)


def test_label_columns_are_read_from_frames_arrays_and_lists():
    from sklearn_electra.targets.multioutput import label_columns

    columns, names = label_columns(np.array([[1, 0], [2, 1]]), 2)
    assert [c.tolist() for c in columns] == [[1, 2], [0, 1]] and names is None
    columns, _ = label_columns([["x", 1], ["y", 2]], 2)
    assert [c.tolist() for c in columns] == [["x", "y"], [1, 2]]
    assert columns[0].dtype == object and columns[1].dtype == np.int64  # each column its own type
    assert label_columns(pd.DataFrame({0: ["a", "b"], "c": [1, 2]}), 2)[1] == ["0", "c"]
    assert label_columns([["x", "u"], ["x", "u"]], 2)[0][0].tolist() == ["x", "x"]  # one class: later
    cases = [
        (lambda: label_columns(np.array([[[1]]]), 1),
         "Several label columns need a 2-d y (one column per target); got shape (1, 1, 1)."),
        (lambda: label_columns([["a", "b"]], 2), "X has 2 texts but y has 1 rows; they must match."),
        (lambda: label_columns([["a", "b"], ["a", None]], 2),
         "y[1, 1] is missing (None); drop or fill missing labels first."),
        (lambda: label_columns([["a", "b"], [["a"], "c"]], 2),
         "y[1, 0] is a list of 1 items; each column holds one label per text."),
        (lambda: label_columns(pd.DataFrame({"m": ["a", "b"], "score": [0.5, 1.5]}), 2),
         "column 'score' of y holds continuous values (0.5): a 2-d y is read as several label "
         "columns, or as a 0/1 indicator of several labels per text. For numeric targets use "
         "ElectraRegressor."),
        (lambda: label_columns([["a", 0.5], ["b", 1.5]], 2),
         "y[:, 1] holds continuous values (0.5): a 2-d y is read as several label columns, or as "
         "a 0/1 indicator of several labels per text. For numeric targets use ElectraRegressor."),
    ]
    for call, message in cases:
        assert str(_raised(call)) == message
    assert str(_raised(lambda: label_columns([["a", 1.0], ["b", float("inf")]], 2))) == \
        "y[1, 1] is inf: a label must be finite. For numeric targets use ElectraRegressor."
    assert str(_raised(lambda: label_columns(pd.DataFrame({"m": ["a", 1], "n": ["x", "y"]}), 2),
                       TypeError)).startswith("Labels must be mutually sortable; column 'm' of y mixes")
    assert str(_raised(lambda: label_columns([["x", "a"], ["y", 1]], 2), TypeError)).startswith(
        "Labels must be mutually sortable; y[:, 1] mixes")


def test_several_columns_are_fitted_each_with_its_classes_and_weights():
    target = _columns_target(classes=[["+", "-"], ["a", "b", "c", "d"]])
    assert [t.classes_.tolist() for t in target.columns_] == [["+", "-"], ["a", "b", "c", "d"]]
    assert target.names_ == ["mood", "topic"] and target.n_outputs == 6
    assert target.bounds.tolist() == [0, 2, 6]
    weighted = _columns_target(class_weight=[{"+": 2.0}, {"c": 3.0}])
    assert [t.class_weight_.tolist() for t in weighted.columns_] == [[2.0, 1.0], [1.0, 1.0, 3.0]]
    balanced = _columns_target(class_weight="balanced")
    np.testing.assert_allclose(balanced.columns_[1].class_weight_, [4 / 6, 4 / 3, 4 / 3])
    assert str(_raised(lambda: _columns_target(class_weight={"+": 2.0}))) == \
        "With several label columns, class_weight is 'balanced' or a list of one dict per column."
    assert str(_raised(lambda: _columns_target(class_weight=[{"+": 2.0}]))) == \
        "class_weight has 1 dicts but y has 2 columns."
    assert str(_raised(lambda: _columns_target(classes=[["+", "-"]]))) == \
        "classes has 1 entries but y has 2 columns; pass one list of classes per column."
    assert str(_raised(lambda: MultiOutput().fit([["a"], ["b"]], [None] * 2))) == \
        "Several label columns need at least 2 columns; for one, pass a 1-d y."
    assert "partial_fit never sees" in str(_raised(lambda: MultiOutput("balanced").fit(
        [["a", "x"], ["b", "y"]], [None] * 2, incremental=True)))  # each column is told
    assert MultiOutput().columns_ is None and MultiOutput().names_ is None  # unfitted
    target.continues(None, [["+", "-"], ["a", "b", "c", "d"]])
    assert "differs from the classes learned" in str(
        _raised(lambda: target.continues(None, [["+", "-"], ["a", "b"]])))


def test_several_columns_encode_and_name_their_heads():
    target = _columns_target()
    encoded = target.encode(pd.DataFrame({"mood": ["-", "+"], "topic": ["c", "a"]}), [None] * 2)
    assert encoded.dtype == np.float32 and encoded.tolist() == [[1.0, 2.0], [0.0, 0.0]]
    assert str(_raised(lambda: target.encode(pd.DataFrame({"mood": ["+"], "other": ["a"]}), [None]))) \
        == ("y has columns ['mood', 'other'], but the model was fitted on ['mood', 'topic']; pass "
            "the same columns, or call fit() to start over.")
    assert "y has columns 3, but the model was fitted on ['mood', 'topic']" in str(
        _raised(lambda: target.encode([["+", "a", "x"]], [None])))
    target.encode([["+", "a"]], [None])  # an unnamed y of the right width is fine
    assert target.config() == {
        "num_labels": 5, "problem_type": "single_label_classification",
        "id2label": {0: "mood=+", 1: "mood=-", 2: "topic=a", 3: "topic=b", 4: "topic=c"},
        "label2id": {"mood=+": 0, "mood=-": 1, "topic=a": 2, "topic=b": 3, "topic=c": 4}}
    unnamed = MultiOutput().fit([["x", 1], ["y", 2]], [None] * 2)
    assert list(unnamed.config()["id2label"].values()) == ["0=x", "0=y", "1=1", "1=2"]


def test_several_columns_loss_accuracy_and_strata():
    import torch.nn.functional as F

    target = _columns_target()
    logits = torch.tensor([[2.0, 0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 3.0, 0.0, 0.0],
                           [1.0, 0.0, 0.0, 0.0, 2.0]])
    encoded = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    mood = F.cross_entropy(logits[:, :2], torch.tensor([0, 1, 0]), reduction="none")
    topic = F.cross_entropy(logits[:, 2:], torch.tensor([0, 0, 2]), reduction="none")
    assert float(target.loss(logits, encoded)) == pytest.approx(float((mood.mean() + topic.mean()) / 2))
    w = torch.tensor([1.0, 0.0, 3.0])
    assert float(target.loss(logits, encoded, w)) == pytest.approx(
        float(((mood * w).sum() / 4 + (topic * w).sum() / 4) / 2))
    assert target.correct(logits, encoded) == (2, 3)  # row 0's topic is wrong
    combos = np.array([[0, 1], [0, 1], [1, 0], [1, 0]], dtype=np.float32)
    assert target.strata(combos).tolist() == [0, 0, 1, 1]
    assert target.strata(np.array([[0, 1], [0, 1], [0, 2], [0, 2]], dtype=np.float32)).tolist() \
        == [0, 0, 1, 1]  # the combinations, where the first column alone is one class
    rare = np.array([[0, 1], [0, 2], [1, 0], [1, 0]], dtype=np.float32)
    assert target.strata(rare).tolist() == [0, 0, 1, 1]  # a combination of one: the first column
    assert target.strata(np.array([[1, 0], [1, 2], [0, 0], [0, 1]], dtype=np.float32)).tolist() \
        == [1, 1, 0, 0]
    rows = np.array([[0, 0], [1, 0], [0, 1], [1, 2]], dtype=np.float32)
    entropy = lambda *p: -sum(q * np.log(q) for q in p)  # noqa: E731
    assert target.prior_loss(rows) == pytest.approx((np.log(2) + entropy(0.5, 0.25, 0.25)) / 2)
    weighted = target.prior_loss(rows, np.array([1.0, 1.0, 2.0, 0.0]))  # mood 3:1, topic 2:2:0
    assert weighted == pytest.approx((entropy(0.75, 0.25) + np.log(2)) / 2)


def test_several_columns_predict_score_and_restore():
    target = _columns_target()
    logits = torch.tensor([[2.0, 0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 3.0, 0.0, 0.0]])
    proba = target.predict_proba(logits)
    assert [p.shape for p in proba] == [(2, 2), (2, 3)]
    np.testing.assert_allclose(proba[1][0], torch.softmax(logits[0, 2:], -1).numpy(), rtol=1e-6)
    predicted = target.predict(logits)
    assert predicted.dtype == object and predicted.tolist() == [["+", "b"], ["-", "a"]]
    numbers = MultiOutput().fit([[1, 10], [2, 20]], [None] * 2)
    as_ints = numbers.predict(torch.tensor([[0.0, 1.0, 1.0, 0.0]]))
    assert as_ints.dtype == np.int64 and as_ints.tolist() == [[2, 10]]
    y = pd.DataFrame({"mood": ["+", "+"], "topic": ["b", "c"]})
    assert target.score(y, predicted) == 0.5  # mood 1/2, topic 1/2
    assert target.score(y, predicted, sample_weight=[1.0, 0.0]) == 1.0
    weighted = _columns_target(class_weight=[{"+": 2.0}, None])
    meta = weighted.metadata()
    assert meta == {"target": "multi_output", "classes": [["+", "-"], ["a", "b", "c"]],
                    "columns": ["mood", "topic"], "target_type": "multiclass-multioutput",
                    "class_weight": [[2.0, 1.0], None]}
    restored = MultiOutput().restore(meta, meta["classes"])
    assert restored.metadata() == meta
    assert restored.attributes()["n_classes_"] == [2, 3]
    assert restored.attributes()["n_outputs_"] == 2
    assert restored.attributes()["target_type_"] == "multiclass-multioutput"
    plain = MultiOutput().restore({"columns": None}, [["x", "y"], [0, 1]])
    assert plain.names_ is None and [t.class_weight_ for t in plain.columns_] == [None, None]


# ---------------------------------------------------------------- plain Hugging Face checkpoints
@pytest.mark.parametrize("y, target_type", [
    (np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]] * 6), "multilabel-indicator"),
    (["a", "b", "c", "a"] * 6, "multiclass"),
])
def test_a_checkpoint_without_our_metadata_is_read_from_its_config(tmp_path, y, target_type):
    import os
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X = ["good phone", "bad screen", "fine battery", "awful case"] * 6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ElectraClassifier(max_length=16, vocab_size=80, max_epochs=1, random_state=0).fit(X, y)
    clf.save_pretrained(tmp_path)
    os.remove(tmp_path / "sklearn_electra.json")  # what the Hub or transformers alone gives
    loaded = ElectraClassifier.from_pretrained(tmp_path)
    assert loaded.target_type_ == target_type
    assert loaded.classes_.tolist() == [str(c) for c in clf.classes_]  # config names are strings
    np.testing.assert_allclose(loaded.predict_proba(X[:4]), clf.predict_proba(X[:4]), atol=1e-5)
    if target_type == "multiclass":  # the restored target names its estimator
        with pytest.raises(ValueError, match=r"y holds continuous values \(0\.5\): "
                                             r"ElectraClassifier learns labels"):
            loaded.partial_fit(X[:4], [0.5, 1.5, 2.5, 0.25])
