"""scikit-learn's estimator checks that apply to a text estimator, run one by one.

``parametrize_with_checks`` skips every check for estimators tagged as string
input, so the applicable ones are listed here. The others generate numeric
feature matrices (``check_fit2d_*``, ``check_estimators_dtypes``, sparse, NaN/inf,
sample-weight and array-API checks, ...) and do not describe a model whose
input is text; their contract (clear errors, pickling, order invariance,
idempotent fits) is tested on texts in test_classifier.py and test_errors.py.
"""

import pytest
from sklearn.utils import estimator_checks as ec

from sklearn_electra import ElectraClassifier, ElectraQuestionAnswerer, ElectraRegressor

APPLICABLE = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_mixin_order",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_param_validation",
    "check_estimators_unfitted",
]


@pytest.mark.parametrize("check", APPLICABLE)
@pytest.mark.parametrize("estimator", [ElectraClassifier, ElectraRegressor, ElectraQuestionAnswerer])
def test_sklearn_check(check, estimator):
    getattr(ec, check)(estimator.__name__, estimator(max_epochs=1, random_state=0))


def test_tags_say_text_input():
    tags = ElectraClassifier().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.estimator_type == "classifier"
