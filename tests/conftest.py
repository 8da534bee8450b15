"""Shared fixtures: small slices of real offline corpora and one fitted tiny model."""

import contextlib
import os

# Before transformers is first imported: tests never touch a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import settings  # noqa: E402

from sklearn_electra import ElectraClassifier  # noqa: E402
from sklearn_electra.datasets import load_chinese_reviews  # noqa: E402

# The CI machine has 2 cores.
torch.set_num_threads(min(2, torch.get_num_threads()))

# CI replays a fixed set of examples, so that a submission's result does not depend on luck;
# locally every run draws new ones (`pytest --hypothesis-seed=N` replays a run). No per-example
# deadline in CI: the machine is shared, and a slow example there is contention, not a bug.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# A tiny, quick configuration shared by tests that only need *a* fitted model.
FAST = dict(max_length=64, vocab_size=2000, max_epochs=2, batch_size=16, lr=1e-3, random_state=0)


def onnx_feeds(export_dir, texts):
    """The inputs of an exported ``model.onnx`` for ``texts``, from its own ``tokenizer.json``."""
    import numpy as np
    from tokenizers import Tokenizer

    encodings = Tokenizer.from_file(str(export_dir / "tokenizer.json")).encode_batch(texts)
    return {name: np.array([getattr(e, attr) for e in encodings], dtype=np.int64)
            for name, attr in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                               ("token_type_ids", "type_ids"))}


# Reviews cut to this many characters fit max_length=48 whole: a token covers at least one
# character, plus [CLS] and [SEP]. Tests that cut texts say so (pyproject's filterwarnings
# makes an unexpected TextTruncationWarning an error).
REVIEW_CHARS = 46


@pytest.fixture(scope="session")
def reviews():
    """Chinese product reviews (real data): 400 train and 200 test rows, each the first
    ``REVIEW_CHARS`` characters of a review."""
    train, test = load_chinese_reviews()
    train, test = train.sample(400, random_state=0), test.sample(200, random_state=0)
    return (train.assign(text=train["text"].str[:REVIEW_CHARS]),
            test.assign(text=test["text"].str[:REVIEW_CHARS]))


@pytest.fixture(scope="session")
def fitted(reviews):
    """A tiny ElectraClassifier trained on the review slice (do not mutate)."""
    train, _ = reviews
    return ElectraClassifier(**FAST).fit(train["text"], train["label"])


def reporting_cuts(est, texts, call):
    """``call()``, asserting it warns once exactly when some of ``texts`` (or pairs) is longer
    than ``est.max_length`` tokens, counted by the tokenizer itself, with that count."""
    import warnings

    from sklearn_electra import TextTruncationWarning

    def n_tokens(text):
        return len(est.tokenizer_(*text)["input_ids"] if isinstance(text, tuple)
                   else est.tokenizer_(text)["input_ids"])

    expected = sum(n_tokens(t) > est.max_length for t in texts)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call()
    cut = [w for w in caught if issubclass(w.category, TextTruncationWarning)]
    assert len(cut) == (expected > 0), [str(w.message) for w in cut]
    if expected:
        assert str(cut[0].message).startswith(f"{expected} of {len(texts)} texts"), cut[0].message
    return out


def fold_scores(est, X, y, cv, scoring=None):
    """What cross-validation must reproduce: ``est`` cloned, fitted and scored on each fold by
    hand (rows taken with ``_safe_indexing``, as scikit-learn takes them)."""
    import numpy as np
    from sklearn.base import clone
    from sklearn.metrics import check_scoring
    from sklearn.utils import _safe_indexing

    scores = []
    for train, test in cv.split(X, y):
        model = clone(est).fit(_safe_indexing(X, train), _safe_indexing(y, train))
        scores.append(check_scoring(model, scoring=scoring)(
            model, _safe_indexing(X, test), _safe_indexing(y, test)))
    return np.array(scores)


class Counted(torch.nn.Module):
    """A prepared model that is not ``module_``, as DistributedDataParallel's is."""

    def __init__(self, module):
        super().__init__()
        self.module, self.calls = module, 0

    def forward(self, **inputs):
        self.calls += 1
        return self.module(**inputs)


def wrapping_accelerator():
    """One process whose prepared model is a wrapper; records where syncing is skipped."""
    accelerate = pytest.importorskip("accelerate")  # only the tests that use it need it

    class Wrapping(accelerate.Accelerator):
        def prepare(self, *objects):
            prepared = super().prepare(*objects)
            if len(objects) == 1:
                return prepared
            self.wrapped_ = Counted(prepared[0])
            self.unsynced_ = []
            return (self.wrapped_, *prepared[1:])

        @contextlib.contextmanager
        def no_sync(self, model):
            self.unsynced_.append(model)
            yield

    return Wrapping(cpu=True)
