"""ElectraEmbedder: pooled features as a scikit-learn transformer."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks as ec

from sklearn_electra import ElectraClassifier, ElectraEmbedder

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


def _hidden_states(emb, texts):
    """The encoder's last hidden states and mask for ``texts``, as the tokenizer pads them."""
    batch = emb.tokenizer_(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        return emb.module_(**batch).last_hidden_state, batch["attention_mask"]


def test_pooling_is_the_mean_of_the_real_tokens_or_the_cls_vector(checkpoint):
    texts = ["这个手机的电池非常耐用，屏幕也很清楚", "很好"]
    mean = ElectraEmbedder(model=str(checkpoint)).fit(["x"])
    hidden, mask = _hidden_states(mean, texts)
    assert mask.sum(1).tolist()[1] < hidden.shape[1]  # the short text is padded
    expected = [hidden[i, : int(mask[i].sum())].mean(0).numpy() for i in range(len(texts))]
    np.testing.assert_allclose(mean.transform(texts), np.stack(expected), atol=1e-5)
    cls = ElectraEmbedder(model=str(checkpoint), pooling="cls").fit(["x"])
    np.testing.assert_allclose(cls.transform(texts), hidden[:, 0].numpy(), atol=1e-5)


def test_a_preset_starts_from_the_weights_a_training_fit_starts_from():
    X = ["good phone", "bad screen", "fine battery life", "awful"] * 5
    emb = ElectraEmbedder(random_state=3, vocab_size=100).fit(X)
    clf = ElectraClassifier(random_state=3, vocab_size=100).initialize(X, ["a", "b"] * 10)
    encoder = clf.module_.electra.state_dict()
    assert all(torch.equal(encoder[k], v) for k, v in emb.module_.state_dict().items())
    again = ElectraEmbedder(random_state=3, vocab_size=100).fit(X)
    np.testing.assert_array_equal(again.transform(X[:2]), emb.transform(X[:2]))
    other = ElectraEmbedder(random_state=4, vocab_size=100).fit(X)
    assert not np.allclose(other.transform(X[:2]), emb.transform(X[:2]))


def test_partial_fit_loads_once():
    emb = ElectraEmbedder(random_state=0, vocab_size=100).partial_fit(["phone screen"] * 4)
    tokenizer, features = emb.tokenizer_, emb.transform(["phone"])
    assert "phone" in tokenizer.get_vocab()
    assert emb.partial_fit(["zebra giraffe"] * 4) is emb and emb.tokenizer_ is tokenizer
    np.testing.assert_array_equal(emb.transform(["phone"]), features)


PRESET_MESSAGE = "A preset has no tokenizer to load; use fit(X) to train one on X."


@pytest.mark.parametrize("load", [lambda: ElectraEmbedder().partial_fit(None),
                                  lambda: ElectraEmbedder.from_pretrained("tiny")])
def test_a_preset_needs_texts_for_its_tokenizer(load):
    with pytest.raises(ValueError) as info:
        load()
    assert str(info.value) == PRESET_MESSAGE


def test_pandas_output_and_feature_names(checkpoint):
    emb = ElectraEmbedder(model=str(checkpoint)).set_output(transform="pandas").fit(["a"])
    frame = emb.transform(pd.Series(["好", "不好"], index=[5, 6]))
    assert isinstance(frame, pd.DataFrame) and frame.shape == (2, emb.n_features_out_)
    assert list(frame.columns) == list(emb.get_feature_names_out())
    assert frame.columns[0] == "electra0"
    assert emb.get_feature_names_out().dtype == object  # scikit-learn's convention


def test_pickle_and_from_pretrained(checkpoint):
    emb = ElectraEmbedder(model=str(checkpoint)).fit(["a"])
    texts = ["很好", "不好用"]
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(emb)).transform(texts), emb.transform(texts))
    np.testing.assert_allclose(ElectraEmbedder.from_pretrained(checkpoint).transform(texts),
                               emb.transform(texts), atol=1e-6)
    cls = ElectraEmbedder(model=str(checkpoint), pooling="cls").fit(["a"])
    np.testing.assert_allclose(ElectraEmbedder.from_pretrained(checkpoint, pooling="cls").transform(texts),
                               cls.transform(texts), atol=1e-6)


def test_bad_pooling():
    with pytest.raises(ValueError, match="'pooling' parameter"):
        ElectraEmbedder(pooling="max").fit(["a"])


@pytest.mark.parametrize("check", APPLICABLE)
def test_sklearn_check(check):
    getattr(ec, check)("ElectraEmbedder", ElectraEmbedder(random_state=0))
