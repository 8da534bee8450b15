"""The hooks every estimator with targets shares: the validation split's strata, valid_acc,
the plateau a fit must leave, the stuck-fit warning and a target restored from a checkpoint."""

import os
import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer, ElectraTagger
from sklearn_electra.data import EncodedDataset

TINY = dict(max_length=16, vocab_size=100, batch_size=8, lr=1e-3, random_state=0)
X = ["good phone", "bad phone", "fine screen", "awful battery", "great", "poor"] * 4
Y = ["pos", "neg", "pos", "neg", "pos", "neg"] * 4


@pytest.fixture(scope="module")
def clf():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ElectraClassifier(**TINY, max_epochs=1).fit(X, Y)


def _dataset(labels, groups=None, weights=None):
    n = len(labels)
    ids = np.empty(n, dtype=object)
    for i in range(n):
        ids[i] = np.array([2, 5, 3], dtype=np.int32)
    return EncodedDataset(ids, None, labels=np.asarray(labels), groups=groups, weights=weights)


def test_the_split_is_stratified_only_where_every_class_fits_both_sides(clf):
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert clf._stratification(_dataset(labels), 2, 6).tolist() == labels.tolist()
    assert clf._stratification(_dataset(labels), 4, 6).tolist() == labels.tolist()  # 2 left
    assert clf._stratification(_dataset(labels), 1, 6) is None  # one row cannot hold 2 classes
    assert clf._stratification(_dataset(labels), 5, 6) is None  # nor can the one left to train
    assert clf._stratification(_dataset([0, 0, 0, 0, 0, 1]), 2, 6) is None  # a class of one
    assert clf._stratification(clf.get_dataset(X), 2, len(X)) is None  # no labels: no strata
    # A text's windows are one unit: its label counts once.
    grouped = _dataset([0, 0, 0, 1, 1, 0, 1], groups=[0, 0, 0, 1, 2, 3, 4])
    assert clf._stratification(grouped, 2, 5).tolist() == [0, 1, 1, 0, 1]
    windows = _dataset([0, 0, 0, 1, 1], groups=[0, 0, 0, 1, 2])
    assert clf._stratification(windows, 2, 6) is None  # class 0 is one text, not three rows


def test_the_stratified_split_follows_the_seed(clf):
    # A refit with the same random_state validates on the same texts.
    labels = np.array([0, 1] * 10)
    units = np.arange(20)
    split = [sorted(clf._split_units(units, 6, seed, _dataset(labels))[1]) for seed in (3, 3, 4, 5)]
    assert split[0] == split[1] and split[0] != split[2] != split[3]
    assert sum(labels[split[0]]) == 3  # stratified: half of each class


def test_the_plateau_is_the_prior_of_the_training_rows_counted_once_per_text(clf):
    assert clf._plateau_loss(None) is None
    assert clf._plateau_loss(clf.get_dataset(X)) is None  # no labels
    assert clf._plateau_loss(_dataset(np.array([], dtype=np.int64))) is None
    even = clf._plateau_loss(_dataset([0, 1, 0, 1]))
    assert even == pytest.approx(np.log(2))
    # Windows: text 0 has three windows labelled 0; counted once, the prior is 1:1 again.
    assert clf._plateau_loss(_dataset([0, 0, 0, 1], groups=[0, 0, 0, 1])) == pytest.approx(np.log(2))
    weighted = clf._plateau_loss(_dataset([0, 0, 0, 1], groups=[0, 0, 0, 1],
                                          weights=[3.0, 1.0, 1.0, 1.0]))
    assert weighted == pytest.approx(-(0.75 * np.log(0.75) + 0.25 * np.log(0.25)))
    assert clf._plateau_loss(_dataset([0, 0, 1], weights=[1.0, 1.0, 2.0])) == pytest.approx(np.log(2))


def test_valid_acc_is_the_share_of_correct_validation_rows():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ElectraClassifier(**TINY, max_epochs=2, validation_fraction=0.25).fit(X, Y)
    for row in clf.history_:
        batches = [b for b in row["batches"] if "valid_count" in b]
        assert sum(b["valid_count"] for b in batches) == 6  # a quarter of the 24 texts
        correct = sum(b["valid_correct"] for b in batches)
        assert 0 <= correct <= 6 and row["valid_acc"] == correct / 6
    copy = pickle.loads(pickle.dumps(clf))
    copy.history.new_epoch()
    copy.history.new_batch()
    copy.history.record_batch("train_loss", 1.0)
    copy.on_epoch_end(copy)
    assert "valid_acc" not in copy.history[-1]  # nothing validated: no accuracy


def test_a_stuck_fit_without_validation_is_judged_on_its_training_loss():
    with pytest.warns(ConvergenceWarning) as record:
        ElectraClassifier(**TINY, max_epochs=2, validation_fraction=None).fit(X, ["a", "b"] * 12)
    message = str(record[0].message)
    assert message.startswith("The model did not learn: its best training loss (")
    assert "predicting the label frequencies (0.6931)" in message
    assert message.endswith("(max_epochs; 2 epochs ran), try another learning rate (lr; this fit "
                            "used 0.001), give early stopping more patience (n_iter_no_change), "
                            "or add training data.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a stream is not judged per call
        ElectraClassifier(**TINY).partial_fit(X, ["a", "b"] * 12)


def test_a_checkpoint_without_our_metadata_takes_its_classes_from_the_config(clf, tmp_path):
    clf.save_pretrained(tmp_path / "clf")
    os.remove(tmp_path / "clf" / "sklearn_electra.json")
    loaded = ElectraClassifier.from_pretrained(tmp_path / "clf")
    assert loaded.classes_.tolist() == ["neg", "pos"]
    np.testing.assert_allclose(loaded.predict_proba(X[:4]), clf.predict_proba(X[:4]), atol=1e-5)


def test_a_checkpoint_without_the_head_names_the_way_to_fine_tune(tmp_path):
    pretrainer = ElectraRTDPretrainer(**{**TINY, "max_epochs": 1}).fit(X)
    pretrainer.save_pretrained(tmp_path / "rtd")
    os.remove(tmp_path / "rtd" / "sklearn_electra.json")
    for estimator, head in ((ElectraClassifier, "SequenceClassification"),
                            (ElectraTagger, "TokenClassification")):
        with pytest.raises(ValueError) as info:
            estimator.from_pretrained(tmp_path / "rtd")
        assert str(info.value) == (
            f"This checkpoint has no {head} head to predict with. To fine-tune it, use "
            f"{estimator.__name__}(model=path).fit(X, y).")


def test_partial_fit_takes_every_class_first_and_the_same_classes_after():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ElectraClassifier(**TINY).partial_fit(X[:2], Y[:2], classes=["neg", "neu", "pos"])
        assert clf.classes_.tolist() == ["neg", "neu", "pos"]
        clf.partial_fit(X[2:4], Y[2:4], classes=["neg", "neu", "pos"])
        with pytest.raises(ValueError) as info:
            clf.partial_fit(X[2:4], Y[2:4], classes=["neg", "pos"])
    assert str(info.value) == ("classes=['neg', 'pos'] differs from the classes learned on the "
                               "first call (['neg', 'neu', 'pos']); pass the same classes, or "
                               "call fit() to start over.")
    assert clf.n_iter_ == 2  # the refused call trained nothing


def test_a_target_is_fitted_with_the_sample_weights():
    from sklearn_electra import ElectraRegressor

    y = np.array([0.0, 1.0, 4.0, 2.0, 3.0, 5.0] * 4)
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0] * 4)
    reg = ElectraRegressor(**TINY, max_epochs=1).fit(X, y, sample_weight=w)
    mean = np.average(y, weights=w)
    np.testing.assert_allclose(reg.target_.mean_, [mean])
    np.testing.assert_allclose(reg.target_.scale_, [np.sqrt(np.average((y - mean) ** 2, weights=w))])


def test_the_loss_can_be_taken_without_the_batch(clf):
    # skorch's get_loss(y_pred, y_true) with X left out: no weights, the plain mean.
    import torch

    logits = torch.tensor([[2.0, -1.0], [0.5, 0.5], [-1.0, 3.0]])
    y = torch.tensor([0, 1, 1])
    expected = torch.nn.functional.cross_entropy(logits, y)
    assert clf.get_loss(logits, y).item() == pytest.approx(expected.item())
    weighted = clf.get_loss(logits, y, X={"sample_weight": torch.tensor([1.0, 0.0, 0.0])})
    assert weighted.item() == pytest.approx(torch.nn.functional.cross_entropy(logits[:1], y[:1]).item())


def test_thresholds_are_tuned_on_the_validation_texts_one_row_per_text():
    from types import SimpleNamespace

    from sklearn_electra.targets.multilabel import best_f1_thresholds

    words = "the a of and to in is it film phone very".split()
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, size=int(rng.integers(5, 40)))) + f" {k}"
             for k in ("red", "blue", "red green", "green", "blue red") * 6]
    labels = [[k for k in ("red", "blue", "green") if k in t.split()] for t in texts]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ElectraClassifier(**TINY, max_epochs=2, long_texts="windows", stride=2,
                                validation_fraction=None).fit(texts, labels)
    train, valid = clf.get_dataset(texts[:10], labels[:10]), clf.get_dataset(texts[10:], labels[10:])
    assert len(valid) > 20  # several windows per text
    indicator = clf.target_.indicator(labels[10:])
    expected = best_f1_thresholds(clf.predict_proba(texts[10:]), indicator)
    for run in (SimpleNamespace(incremental=True, dataset_train=train, dataset_valid=valid),
                SimpleNamespace(incremental=True, dataset_train=valid, dataset_valid=None)):
        clf.thresholds_ = None
        clf._end_fit(run)
        np.testing.assert_allclose(clf.thresholds_, expected)
        np.testing.assert_allclose(clf.target_.thresholds_, expected)
    assert not np.allclose(best_f1_thresholds(clf.predict_proba(texts[:10]),
                                              clf.target_.indicator(labels[:10])), expected)
