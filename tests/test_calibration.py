"""Calibrating a fitted classifier with scikit-learn, measured with the expected calibration error."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

from sklearn_electra import ElectraClassifier
from sklearn_electra.calibration import expected_calibration_error

from .conftest import FAST


def test_ece_bins_by_confidence_and_weights_bins_by_size():
    y = np.array([0, 0, 0, 0, 0])
    proba = np.array([[0.95, 0.05]] * 4 + [[0.35, 0.65]])  # right at 0.95 (bin 10), wrong at 0.65
    assert expected_calibration_error(y, proba, labels=[0, 1]) == pytest.approx((4 * 0.05 + 0.65) / 5)
    # Confidence exactly at an edge belongs to the bin below it: 0.5 (right) and 0.6 (wrong)
    # fall in (0.4, 0.5] and (0.5, 0.6]; in one bin they would average out to |0.5 - 0.55|.
    edge = np.array([[0.5, 0.5], [0.6, 0.4]])
    assert expected_calibration_error([0, 1], edge) == pytest.approx((0.5 + 0.6) / 2)
    assert expected_calibration_error([0, 1], edge, n_bins=1) == pytest.approx(abs(0.5 - 0.55))
    # Columns follow labels: the same probabilities with the columns named the other way round.
    assert expected_calibration_error(["x", "y"], [[0.8, 0.2], [0.3, 0.7]], labels=["y", "x"]) == \
        pytest.approx((0.8 + 0.7) / 2)


def spread(confidences, n_classes):
    """Probability rows whose top label (column 0) has each confidence, the rest shared."""
    return [[c] + [(1 - c) / (n_classes - 1)] * (n_classes - 1) for c in confidences]


def test_ece_bins_are_tenths_by_default():
    # 0.61 (right) and 0.69 (wrong) share (0.6, 0.7]: they average out. With 11 bins, or 9
    # edges, 0.625 or 0.636 would split them and each would count alone.
    assert expected_calibration_error([0, 1], spread([0.61, 0.69], 2)) == pytest.approx(0.15)
    # The first and the last bins are tenths too: (0, 0.1] apart from (0.1, 0.2] (20 classes
    # give a top label below 0.1) and (0.8, 0.9] apart from (0.9, 1].
    assert expected_calibration_error([0, 1], spread([0.08, 0.15], 20), labels=range(20)) == \
        pytest.approx((0.92 + 0.15) / 2)
    assert expected_calibration_error([0, 1], spread([0.85, 0.95], 2)) == \
        pytest.approx((0.15 + 0.95) / 2)


def test_ece_is_rounded_to_twelve_places():
    # Two of three right at full confidence: 1/3, printed without floating-point noise.
    assert expected_calibration_error([0, 0, 1], [[1.0, 0.0]] * 3) == 0.333333333333


def test_ece_names_bad_shapes_and_bins():
    with pytest.raises(ValueError, match=r"^y_prob has shape \(2, 3\); expected \(2, 2\): one row "
                                         r"per label in y_true and one column per label\.$"):
        expected_calibration_error([0, 1], np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="n_bins must be a positive integer; got 0"):
        expected_calibration_error([0, 1], [[0.5, 0.5]] * 2, n_bins=0)


def test_temperature_and_sigmoid_scaling_calibrate_an_overconfident_classifier(reviews):
    train, test = reviews
    # Ten epochs without early stopping: the model learns the training reviews by heart and
    # is surer of itself than its accuracy warrants.
    clf = ElectraClassifier(**{**FAST, "max_epochs": 10}, early_stopping=False).fit(
        train["text"], train["label"])
    held_out, evaluated = test.iloc[:100], test.iloc[100:]
    before = expected_calibration_error(evaluated["label"], clf.predict_proba(evaluated["text"]),
                                        labels=clf.classes_)
    assert before > 0.15
    for method in ("temperature", "sigmoid"):
        # scikit-learn 1.9's temperature method reads y[0]: a numpy array, not a Series whose
        # index does not start at 0.
        calibrated = CalibratedClassifierCV(FrozenEstimator(clf), method=method).fit(
            held_out["text"], held_out["label"].to_numpy())
        after = expected_calibration_error(evaluated["label"], calibrated.predict_proba(evaluated["text"]),
                                           labels=calibrated.classes_)
        assert after < before / 2, (method, before, after)
        if method == "temperature":  # one temperature for every logit: the argmax stays
            np.testing.assert_array_equal(calibrated.predict(evaluated["text"]),
                                          clf.predict(evaluated["text"]))
