"""ElectraEmbedder: pooled features as a scikit-learn transformer."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks as ec

from sklearn_electra import ElectraEmbedder

from .test_sklearn_checks import APPLICABLE


@pytest.fixture(scope="module")
def checkpoint(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("embedder") / "clf"
    fitted.save_pretrained(path)
    return path


def test_features_from_a_checkpoint_feed_a_linear_model(checkpoint, reviews, fitted):
    train, test = reviews
    pipe = make_pipeline(ElectraEmbedder(model=str(checkpoint)), LogisticRegression(max_iter=1000))
    pipe.fit(train["text"], train["label"])
    majority = test["label"].value_counts(normalize=True).max()
    assert pipe.score(test["text"], test["label"]) > majority + 0.05
    emb = pipe[0]
    assert emb.n_features_out_ == fitted.module_.config.hidden_size
    assert emb.tokenizer_.get_vocab() == fitted.tokenizer_.get_vocab()


def test_mean_pooling_ignores_padding_and_order_is_kept(checkpoint):
    emb = ElectraEmbedder(model=str(checkpoint)).fit(["x"])
    short, long_text = "很好", "这个手机的电池非常耐用，屏幕也很清楚，我很满意" * 3
    alone = emb.transform([short])
    batched = emb.transform([long_text, short])
    np.testing.assert_allclose(batched[1], alone[0], atol=1e-5)
    np.testing.assert_allclose(emb.transform([short, long_text])[::-1], batched, atol=1e-5)
    cls = ElectraEmbedder(model=str(checkpoint), pooling="cls").fit(["x"]).transform([short])
    assert not np.allclose(cls, alone)


def test_pandas_output_and_feature_names(checkpoint):
    emb = ElectraEmbedder(model=str(checkpoint)).set_output(transform="pandas").fit(["a"])
    frame = emb.transform(pd.Series(["好", "不好"], index=[5, 6]))
    assert isinstance(frame, pd.DataFrame) and frame.shape == (2, emb.n_features_out_)
    assert list(frame.columns) == list(emb.get_feature_names_out())
    assert frame.columns[0] == "electra0"


def test_pickle_and_from_pretrained(checkpoint):
    emb = ElectraEmbedder(model=str(checkpoint)).fit(["a"])
    texts = ["很好", "不好用"]
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(emb)).transform(texts), emb.transform(texts))
    np.testing.assert_allclose(ElectraEmbedder.from_pretrained(checkpoint).transform(texts),
                               emb.transform(texts), atol=1e-6)


def test_bad_pooling():
    with pytest.raises(ValueError, match="'pooling' parameter"):
        ElectraEmbedder(pooling="max").fit(["a"])


@pytest.mark.parametrize("check", APPLICABLE)
def test_sklearn_check(check):
    getattr(ec, check)("ElectraEmbedder", ElectraEmbedder(random_state=0))
