"""Property tests: any unicode text in, one valid prediction per text out."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import reporting_cuts

texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(["", " ", "\x00", "\u200b\u200d", "مرحبا بالعالم", "e\u0301", "🙂" * 40]),
    st.text(min_size=1, max_size=20).map(lambda t: t * 2000),  # far beyond max_length
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(batch=st.lists(texts, min_size=1, max_size=12))
def test_any_texts_get_one_prediction_each(fitted, batch):
    proba = reporting_cuts(fitted, batch, lambda: fitted.predict_proba(batch))
    assert proba.shape == (len(batch), 2)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert set(reporting_cuts(fitted, batch, lambda: fitted.predict(batch))) <= set(fitted.classes_)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(st.text(max_size=300), st.text(max_size=300)), min_size=1, max_size=6))
def test_any_pairs_are_accepted(fitted, pairs):
    proba = reporting_cuts(fitted, pairs, lambda: fitted.predict_proba(pairs))
    assert proba.shape == (len(pairs), 2)
