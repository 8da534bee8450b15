"""The inference base (``_inference.py``) unit by unit, on untrained tiny models.

Every estimator inherits these parts; here they run through ``ElectraEmbedder``, whose
``fit`` trains nothing (a tokenizer and a randomly initialised model in milliseconds), so
each behaviour is checked in well under a second.
"""

import inspect
import pickle
import types
import warnings

import numpy as np
import pytest
import sklearn
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted
from sklearn.utils._param_validation import InvalidParameterError
from skorch.exceptions import DeviceWarning, NotInitializedError

import sklearn_electra
from sklearn_electra import ElectraClassifier, ElectraEmbedder, ElectraTagger, TextTruncationWarning
from sklearn_electra._inference import ElectraInferenceBase, refused
from sklearn_electra.data import EncodedDataset
from sklearn_electra.runtime import Runtime
from sklearn_electra.tokenization import _wrap

TEXTS = ["the quick brown fox", "a dog", "jumps over the lazy dog and runs far away", "cat"]


@pytest.fixture(scope="module")
def emb():
    return ElectraEmbedder(random_state=0, vocab_size=80, batch_size=2).fit(TEXTS)


class TokenEmbedder(ElectraEmbedder):
    """Per-token outputs (as the tagger's), to test how ``forward`` trims and orders them."""

    def _head(self, output, attention_mask):
        return output.last_hidden_state


def _alone(est, text):
    """The model's last hidden states for ``text`` run by itself (no padding anywhere)."""
    ids = torch.tensor([est.tokenizer_(text)["input_ids"]])
    with torch.no_grad():
        return est.module_(input_ids=ids).last_hidden_state[0]


# ------------------------------------------------------------ refused methods
def test_a_refused_method_is_absent_and_names_what_to_call():
    est = ElectraEmbedder()
    assert not hasattr(est, "predict") and not hasattr(ElectraEmbedder, "predict_proba")
    with pytest.raises(AttributeError, match=r"^ElectraEmbedder has no predict\(\): ElectraEmbedder "
                                             r"is a transformer: use transform\(X\) for its features\.$"):
        est.predict  # noqa: B018
    with pytest.raises(AttributeError, match=r"^ElectraEmbedder has no save_params\(\): use "
                                             r"save_pretrained\(path\), or checkpoint_dir= while training\.$"):
        ElectraEmbedder.save_params  # noqa: B018
    # without an owner (a direct descriptor call) the instance's class is named
    with pytest.raises(AttributeError, match=r"^ElectraEmbedder has no load_params\(\): use "
                                             r"from_pretrained\(path\)\.$"):
        ElectraInferenceBase.__dict__["load_params"].__get__(est)

    class Mine(ElectraEmbedder):
        fit_twice = refused("call fit once.")

    with pytest.raises(AttributeError, match=r"^Mine has no fit_twice\(\): call fit once\.$"):
        Mine().fit_twice  # noqa: B018


# ------------------------------------------------------------ parameters
INHERITED = ["tokenizer", "vocab_size", "lowercase", "max_length", "batch_size", "device",
             "precision", "quantize", "n_threads", "random_state"]


def test_the_signature_lists_inherited_parameters_with_their_defaults():
    params = inspect.signature(ElectraEmbedder).parameters
    assert list(params) == ["model", "pooling", *INHERITED, "kwargs"]
    assert params["max_length"].default == 128 and params["vocab_size"].default == 8000
    assert params["max_length"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["kwargs"].kind is inspect.Parameter.VAR_KEYWORD
    stored = ElectraEmbedder()
    assert {n: getattr(stored, n) for n in ["model", "pooling", *INHERITED]} == \
        {n: params[n].default for n in ["model", "pooling", *INHERITED]}

    class Longer(ElectraEmbedder):  # a parameter named again takes the subclass's default
        def __init__(self, model="tiny", *, max_length=256, **kwargs):
            super().__init__(model, max_length=max_length, **kwargs)

    longer = inspect.signature(Longer).parameters
    assert list(longer) == ["model", "max_length", "pooling",
                            *[n for n in INHERITED if n != "max_length"], "kwargs"]
    assert longer["max_length"].default == 256 and longer["pooling"].default == "mean"
    assert repr(Longer(max_length=256)) == "Longer()" and repr(Longer(pooling="cls")) == "Longer(pooling='cls')"

    class Fixed(ElectraEmbedder):  # no **kwargs: nothing is added
        def __init__(self, model="tiny", pooling="cls"):
            super().__init__(model, pooling=pooling)

    assert list(inspect.signature(Fixed).parameters) == ["model", "pooling"]

    class Same(ElectraEmbedder):  # no __init__ of its own
        pass

    assert inspect.signature(Same) == inspect.signature(ElectraEmbedder)


def test_params_repr_and_routed_parameters():
    est = ElectraEmbedder(max_length=64, module__hidden_dropout_prob=0.2)
    assert repr(est) == "ElectraEmbedder(max_length=64, module__hidden_dropout_prob=0.2)"
    assert repr(ElectraEmbedder()) == "ElectraEmbedder()"
    assert est.get_params()["module__hidden_dropout_prob"] == 0.2
    assert est._params_to_validate == {"module__hidden_dropout_prob"}
    est._scratch, est.fitted_thing_ = 1, 2  # private and fitted attributes are no parameters
    assert sorted(est.get_params(deep=False)) == sorted(["model", "pooling", *INHERITED,
                                               "module__hidden_dropout_prob"])
    assert clone(est).get_params(deep=False).keys() == est.get_params(deep=False).keys()


def test_set_params_stores_callbacks_without_initializing_them():
    est = ElectraEmbedder()
    marker = object()  # no callback at all: skorch would fail initializing it
    assert est.set_params(callbacks=[("mine", marker)], max_length=32) is est
    assert est.callbacks == [("mine", marker)] and est.max_length == 32
    assert est.set_params() is est
    # skorch's own set_params would build callbacks_ now: an unfitted estimator would look fitted
    assert "callbacks_" not in vars(est)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


def test_set_params_on_a_fitted_estimator_keeps_its_model_until_a_fit_builds_one():
    est = clone(ElectraEmbedder(random_state=0, vocab_size=80)).fit(TEXTS)
    module, features = est.module_, est.transform(TEXTS)
    # skorch would re-initialize the model here (random weights in place of the fitted ones)
    # and fail with its "please open an issue" for iterator_valid__*
    assert est.set_params(module__hidden_dropout_prob=0.3, iterator_valid__worker_init_fn=print) is est
    assert est.module_ is module and est.module_.config.hidden_dropout_prob == 0.1
    np.testing.assert_array_equal(est.transform(TEXTS), features)
    assert est.get_iterator(est.get_dataset(TEXTS)).worker_init_fn is print  # read when used
    est.fit(TEXTS)
    assert est.module_ is not module and est.module_.config.hidden_dropout_prob == 0.3
    with pytest.raises(ValueError, match=r"^__init__\(\) got unexpected argument\(s\) modul__x\. "
                                         r"Either you made a typo"):
        est.set_params(modul__x=1)  # a misspelt prefix is an error at once, not at the next fit


@pytest.mark.filterwarnings("ignore:The model did not learn")
def test_callback_parameters_set_after_a_fit_reach_its_callbacks_at_once():
    clf = ElectraClassifier(max_epochs=1, vocab_size=60, random_state=0).fit(TEXTS, [0, 1, 0, 1])
    clf.set_params(callbacks__early_stopping__patience=7)
    assert dict(clf.callbacks_)["early_stopping"].patience == 7


@pytest.mark.parametrize("name", [n for n in sklearn_electra.__all__ if n.startswith("Electra")
                                  and "Base" not in n])
def test_every_estimator_states_its_metadata_requests(name):
    routing = getattr(sklearn_electra, name)().get_metadata_routing()
    assert type(routing).__name__ == "MetadataRequest"  # a consumer, not skorch's router
    assert routing.partial_fit.requests.get("classes", "absent") == "absent"  # not metadata


def test_an_embedder_in_a_pipeline_that_routes_sample_weight():
    y = [0, 1, 0, 1]
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(ElectraEmbedder(random_state=0, vocab_size=80),
                             LogisticRegression().set_fit_request(sample_weight=True))
        pipe.fit(TEXTS, y, sample_weight=[1.0, 1.0, 0.0, 1.0])
    assert pipe.predict(TEXTS).shape == (4,)
    with pytest.raises(ValueError, match=r"^ElectraEmbedder has no classes: call partial_fit\(X\) "
                                         r"without classes=\.$"):
        ElectraEmbedder().partial_fit(TEXTS, classes=[0, 1])


def test_tags():
    tags = ElectraEmbedder().__sklearn_tags__()
    assert tags.input_tags.string is True and tags.input_tags.two_d_array is False


@pytest.mark.parametrize("params, message", [
    ({"vocab_size": 15}, "The 'vocab_size' parameter of ElectraEmbedder must be an int in the range [16, inf). Got 15 instead."),
    ({"max_length": 3}, "The 'max_length' parameter of ElectraEmbedder must be an int in the range [4, inf). Got 3 instead."),
    ({"batch_size": 0}, "The 'batch_size' parameter of ElectraEmbedder must be an int in the range [1, inf). Got 0 instead."),
    ({"n_threads": 0}, "The 'n_threads' parameter of ElectraEmbedder must be None or an int in the range [1, inf). Got 0 instead."),
    ({"model": 3}, "The 'model' parameter of ElectraEmbedder must be an instance of 'str' or an instance of 'os.PathLike'. Got 3 instead."),
    ({"lowercase": "yes"}, "The 'lowercase' parameter of ElectraEmbedder must be an instance of 'bool' or an instance of 'numpy.bool'. Got 'yes' instead."),
    ({"device": 0}, "The 'device' parameter of ElectraEmbedder must be an instance of 'str' or an instance of 'torch.device'. Got 0 instead."),
    ({"quantize": "int4"}, "The 'quantize' parameter of ElectraEmbedder must be None or a str among {'int8'}. Got 'int4' instead."),
    ({"random_state": "x"}, "The 'random_state' parameter of ElectraEmbedder must be an int in the range [0, 4294967295], an instance of 'numpy.random.mtrand.RandomState' or None. Got 'x' instead."),
    ({"max_length": 513}, "max_length=513 exceeds the model's position limit (512); use max_length <= 512."),
    ({"quantize": "int8", "precision": "bf16"},
     "quantize='int8' runs inference on the CPU in fp32 with int8 Linear layers; got device='cpu', "
     "precision='bf16'. Use device='cpu' and precision='fp32', or quantize=None (on a GPU, "
     "precision='bf16' or 'fp16' is the fast path)."),
])
def test_each_parameter_is_checked_at_fit(params, message):
    with pytest.raises(ValueError) as info:
        ElectraEmbedder(**params).fit(TEXTS)
    assert str(info.value) == message


@pytest.mark.parametrize("params", [{"vocab_size": 16, "max_length": 4, "batch_size": 1, "n_threads": 1},
                                    {"max_length": 512, "tokenizer": None, "quantize": "int8"}])
def test_the_smallest_and_largest_values_are_accepted(params):
    est = ElectraEmbedder(**params).fit(TEXTS)
    assert est.transform(["a dog"]).shape == (1, 64)


def test_the_position_limit_is_the_configured_one():
    with pytest.raises(ValueError, match=r"^max_length=100 exceeds the model's position limit "
                                         r"\(64\); use max_length <= 64\.$"):
        ElectraEmbedder(max_length=100, module__max_position_embeddings=64).fit(TEXTS)
    est = ElectraEmbedder(max_length=64, module__max_position_embeddings=64).fit(TEXTS)
    assert est.module_.config.max_position_embeddings == 64


def test_the_precision_option_is_checked():
    with pytest.raises(InvalidParameterError, match=r"^The 'precision' parameter of ElectraEmbedder "
                                                    r"must be a str among \{.*\}\. Got 'fp8' instead\.$"):
        ElectraEmbedder(precision="fp8").fit(TEXTS)


def test_the_runtime_is_resolved_from_the_parameters_and_never_stored():
    est = ElectraEmbedder(device="cpu", precision="bf16", n_threads=2)
    assert est._resolve_runtime() == Runtime(torch.device("cpu"), "bf16", 2)
    assert est.device == "cpu"


# ------------------------------------------------------------ pickling the device
def test_unpickling_keeps_auto_and_a_string_device(emb):
    auto = clone(emb).set_params(device="auto").fit(TEXTS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "auto" is resolved before skorch could warn about it
        assert pickle.loads(pickle.dumps(auto)).device == "auto"
    cuda = pickle.loads(pickle.dumps(emb))
    vars(cuda)["device"] = "cuda"  # as saved on a GPU machine ...
    with pytest.warns(DeviceWarning) as record:
        back = pickle.loads(pickle.dumps(cuda))  # ... read where there is none
    assert str(record[-1].message) == ("Setting self.device = cpu since the requested device "
                                       "(cuda) is not available.")
    assert back.device == "cpu" and type(back.device) is str
    given = pickle.loads(pickle.dumps(emb))
    vars(given)["device"] = torch.device("cpu")  # a torch.device is kept as given
    assert pickle.loads(pickle.dumps(given)).device == torch.device("cpu")


# ------------------------------------------------------------ all or nothing
def test_a_transaction_restores_attributes_and_undoes_in_place_changes():
    est, undone = ElectraEmbedder(), []
    est.state_ = "before"
    with pytest.raises(KeyboardInterrupt):  # any exception, Ctrl-C included
        with est._transaction(undo=lambda: undone.append(True)):
            est.state_, est.new_ = "after", 1
            raise KeyboardInterrupt
    assert est.state_ == "before" and not hasattr(est, "new_") and undone == [True]
    with pytest.raises(ValueError, match="^boom$"):
        with est._transaction():  # no undo given
            est.state_ = "after"
            raise ValueError("boom")
    assert est.state_ == "before"
    with est._transaction(undo=lambda: undone.append(True)):
        est.state_ = "kept"
    assert est.state_ == "kept" and undone == [True]


def test_a_failed_load_keeps_the_fitted_state(emb, monkeypatch):
    est = clone(emb).fit(TEXTS)
    tokenizer, module = est.tokenizer_, est.module_

    def broken(self):
        raise RuntimeError("no model today")

    monkeypatch.setattr(ElectraEmbedder, "initialize", broken)
    with pytest.raises(RuntimeError, match="^no model today$"):
        est.fit(["other words entirely"])
    assert est.tokenizer_ is tokenizer and est.module_ is module


# ------------------------------------------------------------ tokenizer
def test_a_new_tokenizer_learns_from_every_text_of_a_pair_with_the_case_setting():
    pairs = ElectraEmbedder(vocab_size=200).fit([("aaa bbb", "zzz qqq")]).tokenizer_
    assert {"a", "b", "z", "q"} <= set(pairs.get_vocab())
    cased = ElectraEmbedder(vocab_size=200, lowercase=False).fit(["Apple apple"] * 2).tokenizer_
    assert cased.tokenize("Apple apple") == ["Apple", "apple"]
    lower = ElectraEmbedder(vocab_size=200).fit(["Apple apple"]).tokenizer_
    assert lower.tokenize("Apple") == ["apple"]
    small = ElectraEmbedder(vocab_size=20).fit(TEXTS * 3).tokenizer_
    assert len(small) == 20  # the corpus has more than 20 pieces to offer


def _pad_five_tokenizer():
    """A WordPiece tokenizer (as ours are built) whose [PAD] is id 5, not 0."""
    vocab = ["[UNK]", "[CLS]", "[SEP]", "[MASK]", "x", "[PAD]", *"abcdefghijklmnopqrstuvwyz"]
    return _wrap({token: i for i, token in enumerate(vocab)}, True)


def test_a_given_tokenizer_sizes_the_model_and_pads_with_its_own_id():
    tokenizer = _pad_five_tokenizer()
    est = ElectraEmbedder(tokenizer=tokenizer, random_state=0, batch_size=2).fit(["unused"])
    assert est.tokenizer_ is tokenizer
    assert est.module_.config.vocab_size == len(tokenizer) == 31
    assert est.module_.config.pad_token_id == 5
    batch, _ = next(iter(est.get_iterator(est.get_dataset(["a b c d", "a"]))))
    assert batch["input_ids"].tolist() == [[1, 6, 2, 5, 5, 5], [1, 6, 7, 8, 9, 2]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]]


def test_a_checkpoint_grows_its_embeddings_for_a_bigger_tokenizer(emb, tmp_path):
    emb.save_pretrained(tmp_path / "small")
    bigger = ElectraEmbedder(vocab_size=200).fit(TEXTS + ["every other word here, zebra"]).tokenizer_
    assert len(bigger) > len(emb.tokenizer_)
    grown = ElectraEmbedder(model=str(tmp_path / "small"), tokenizer=bigger).fit(TEXTS)
    table = grown.module_.get_input_embeddings().weight
    assert table.shape[0] == len(bigger)
    old = emb.module_.get_input_embeddings().weight
    torch.testing.assert_close(table[: len(old)], old)  # the trained rows are kept


# ------------------------------------------------------------ truncation
def test_truncation_warns_once_per_call_with_the_hint(emb):
    long_text = "the quick brown fox " * 40
    short = clone(emb).set_params(max_length=8).fit(TEXTS)
    with pytest.warns(TextTruncationWarning) as record:
        short.transform([long_text, "cat", long_text])
    assert len(record) == 1
    assert str(record[0].message).endswith("and were truncated. Raise max_length to keep more text.")
    assert str(record[0].message).startswith("2 of 3 texts are longer than max_length=8 tokens")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emb.transform(["cat"])  # nothing cut, nothing said


# ------------------------------------------------------------ datasets and batches
def test_get_dataset_takes_raw_texts_or_a_dataset(emb):
    dataset = emb.get_dataset(["a dog", "cat"])
    assert isinstance(dataset, EncodedDataset) and dataset.labels is None
    assert [ids.tolist() for ids in dataset.input_ids] == [emb.tokenizer_(t)["input_ids"]
                                                            for t in ["a dog", "cat"]]
    assert emb.get_dataset(dataset) is dataset
    pairs = emb.get_dataset([("a dog", "cat")])
    assert pairs.token_type_ids[0].tolist() == emb.tokenizer_("a dog", "cat")["token_type_ids"]


@pytest.mark.filterwarnings("ignore:The model did not learn")
def test_get_dataset_encodes_labels_with_the_fitted_classes_and_reads_raw_sentences():
    fast = {"max_epochs": 1, "random_state": 0, "vocab_size": 60, "verbose": 0}
    clf = ElectraClassifier(**fast).fit(["great phone", "battery died"] * 4, ["pos", "neg"] * 4)
    assert clf.get_dataset(["great", "bad"], ["pos", "neg"]).labels.tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"^y contains labels not seen in the first fit \(or in "
                                         r"classes=\): \['meh'\]\. Known: \['neg', 'pos'\]\.$"):
        clf.get_dataset(["great"], ["meh"])  # the fitted classes stay: no reset
    tagger = ElectraTagger(**fast).fit([["Ann", "runs"], ["Bob", "sits"]] * 4, [["B-PER", "O"]] * 8)
    # at inference a raw string is split into words (fit takes only token lists)
    assert tagger.get_dataset(["Ann runs fast"]).word_starts[0].tolist() == [0, 1, 2]


def test_batches_hold_similar_lengths_padded_to_their_longest(emb):
    texts = ["jumps over the lazy dog and runs far away", "cat", "a dog", "the quick brown fox"]
    dataset = emb.get_dataset(texts)
    loader = emb.get_iterator(dataset)
    assert loader.pin_memory is False  # useless on the CPU
    batches = [batch for batch, _ in loader]
    order = np.argsort(dataset.lengths, kind="stable")
    assert [len(b["input_ids"]) for b in batches] == [2, 2]  # batch_size=2
    for batch, rows in zip(batches, (order[:2], order[2:])):
        assert batch["input_ids"].shape[1] == dataset.lengths[rows].max()
        assert batch["attention_mask"].sum(1).tolist() == dataset.lengths[rows].tolist()
    routed = clone(emb).set_params(iterator_valid__pin_memory=True, batch_size=3).fit(TEXTS)
    loader = routed.get_iterator(routed.get_dataset(texts))
    assert loader.pin_memory is True and loader.batch_sampler.batch_size == 3


def test_training_batches_are_shuffled_by_the_seed_and_inference_batches_sorted(emb):
    dataset = emb.get_dataset(TEXTS * 4)
    orders = {tuple(map(tuple, emb._batch_sampler(dataset, 2, shuffle=True, seed=seed)))
              for seed in range(4)}
    assert len(orders) > 1  # the seed decides the order
    again = list(emb._batch_sampler(dataset, 2, shuffle=True, seed=0))
    assert again == list(emb._batch_sampler(dataset, 2, shuffle=True, seed=0))
    rows = [i for batch in emb._batch_sampler(dataset, 2, shuffle=False) for i in batch]
    assert rows == np.argsort(dataset.lengths, kind="stable").tolist()


@pytest.mark.filterwarnings("ignore:The model did not learn")
def test_each_dataset_gets_its_own_collator():
    # a long text read as windows: the windows' collator gives one row per text
    clf = ElectraClassifier(long_texts="windows", max_length=8, stride=1, max_epochs=1,
                            random_state=0, vocab_size=60, verbose=0)
    clf.fit(["great phone", "battery died"] * 4, ["pos", "neg"] * 4)
    long_text = "great phone battery died " * 6
    assert clf.predict_proba([long_text, "great"]).shape == (2, 2)


# ------------------------------------------------------------ the model
def test_initialize_builds_the_model_and_place_moves_it(emb):
    est = clone(emb).fit(TEXTS)
    assert est.initialized_ is True and type(est.module_).__name__ == "ElectraModel"
    assert est.module_.config.vocab_size == len(est.tokenizer_)
    est._place(Runtime(torch.device("meta")))
    assert next(est.module_.parameters()).device.type == "meta"
    assert ElectraEmbedder.initialized_ is False  # the class keeps the unfitted value


@pytest.mark.filterwarnings("ignore:The model did not learn")
def test_a_move_takes_the_optimizer_and_its_state_along():
    clf = ElectraClassifier(max_epochs=1, random_state=0, vocab_size=60, verbose=0)
    clf.fit(["great phone", "battery died"] * 4, ["pos", "neg"] * 4)
    clf._place(Runtime(torch.device("meta")))  # a move that replaces every Parameter object
    weights = {id(p) for p in clf.module_.parameters()}
    stepped = [p for group in clf.optimizer_.param_groups for p in group["params"]]
    assert all(id(p) in weights for p in stepped)  # the optimizer steps the moved weights
    state = [v for s in clf.optimizer_.state.values() for v in s.values() if torch.is_tensor(v)]
    assert state and {v.device.type for v in state} == {"meta"}


def test_infer_drops_sample_weights_and_passes_the_rest_to_the_module(emb):
    batch = {"input_ids": torch.tensor([[2, 5, 3]]), "attention_mask": torch.tensor([[1, 1, 1]]),
             "token_type_ids": torch.zeros(1, 3, dtype=torch.long)}
    seen = {}

    def module(**kwargs):
        seen.update(kwargs)
        return types.SimpleNamespace(last_hidden_state=torch.ones(1, 3, 2) * 4)

    out = emb.infer({**batch, "sample_weight": torch.ones(1)}, module=module, output_attentions=True)
    assert sorted(seen) == ["attention_mask", "input_ids", "output_attentions", "token_type_ids"]
    assert out.tolist() == [[4.0, 4.0]]  # the embedder's head: the mean over the mask
    # infer keeps the module's mode, and a fit leaves it training: in train mode dropout
    # would make the two calls differ whenever no inference call ran on the fixture before.
    emb.module_.eval()
    with torch.no_grad():
        torch.testing.assert_close(emb.infer(batch), emb.module_(**batch).last_hidden_state.mean(1))


def test_evaluation_step_trains_only_when_asked(emb):
    est = clone(emb).fit(TEXTS)
    batch = next(iter(est.get_iterator(est.get_dataset(["a dog"]))))
    out = est.evaluation_step(batch, training=True)
    assert est.module_.training and out.requires_grad
    out = est.evaluation_step(batch)
    assert not est.module_.training and not out.requires_grad and out.is_inference()
    other = clone(emb).fit(TEXTS).module_.train()
    est.evaluation_step(batch, module=other)
    assert not other.training and est.module_.training is False
    with pytest.raises(NotInitializedError):
        ElectraEmbedder().evaluation_step(batch)


def test_an_inference_call_runs_in_eval_mode_on_its_threads():
    est = ElectraEmbedder(n_threads=1, quantize="int8").fit(TEXTS)
    est.module_.train()
    before = torch.get_num_threads()
    with est._inference() as (runtime, module):
        assert runtime.n_threads == 1 and torch.get_num_threads() == 1
        assert torch.is_inference_mode_enabled() and not module.training
        query = module.encoder.layer[0].attention.self.query
        assert module is not est.module_ and type(query).__module__.startswith("torch.ao")  # int8
    assert torch.get_num_threads() == before and not torch.is_inference_mode_enabled()


def test_forward_iter_yields_in_length_order_on_the_asked_device(emb):
    texts = ["jumps over the lazy dog and runs far away", "cat", "the quick brown fox"]
    est = clone(emb).set_params(batch_size=1).fit(TEXTS)
    chunks = list(est.forward_iter(texts))
    assert [tuple(c.shape) for c in chunks] == [(1, 64)] * 3
    expected = [_alone(est, texts[i]).mean(0) for i in (1, 2, 0)]  # shortest first
    torch.testing.assert_close(torch.cat(chunks), torch.stack(expected), atol=1e-5, rtol=1e-4)
    assert next(est.forward_iter(texts, device="meta")).device.type == "meta"


def test_inference_runs_the_int8_copy_with_quantize():
    est = ElectraEmbedder(random_state=0, vocab_size=80, quantize="int8").fit(TEXTS)
    int8 = est.transform(TEXTS)
    est.quantize = None
    fp32 = est.transform(TEXTS)
    assert not np.allclose(int8, fp32, atol=1e-6)  # int8 weights round the features ...
    np.testing.assert_allclose(int8, fp32, atol=0.2)  # ... but only a little


def test_training_outputs_come_from_the_fp32_model_even_with_quantize():
    no_dropout = {"module__hidden_dropout_prob": 0.0, "module__attention_probs_dropout_prob": 0.0}
    est = ElectraEmbedder(random_state=0, vocab_size=80, quantize="int8", **no_dropout).fit(TEXTS)
    trained = next(est.forward_iter(["a dog"], training=True))
    inferred = next(est.forward_iter(["a dog"]))
    torch.testing.assert_close(trained.detach()[0], _alone(est, "a dog").mean(0), atol=1e-5, rtol=1e-4)
    assert not torch.allclose(trained.detach(), inferred, atol=1e-6)  # inference: the int8 copy


def test_a_checkpoints_tokenizer_is_used_rather_than_a_new_one(emb, tmp_path):
    emb.save_pretrained(tmp_path / "emb")
    loaded = ElectraEmbedder(model=str(tmp_path / "emb")).fit(["zebra quagga okapi"] * 3)
    assert loaded.tokenizer_.get_vocab() == emb.tokenizer_.get_vocab()


def test_forward_iter_limits_threads_per_batch_and_trains_the_fp32_model(emb):
    est = clone(emb).set_params(n_threads=1, quantize="int8", batch_size=1).fit(TEXTS)
    seen = []
    est.module_.register_forward_hook(lambda *args: seen.append(torch.get_num_threads()))
    before = torch.get_num_threads()
    batches = est.forward_iter(TEXTS, training=True)
    first = next(batches)
    assert torch.get_num_threads() == before  # not held across the yield
    assert seen == [1] and first.requires_grad  # the fp32 module_ ran, with gradients
    batches.close()


def test_forward_puts_rows_back_in_input_order(emb):
    texts = ["jumps over the lazy dog and runs far away", "cat", "the quick brown fox"]
    features = emb.forward(texts)
    for i, text in enumerate(texts):
        torch.testing.assert_close(features[i], _alone(emb, text).mean(0), atol=1e-5, rtol=1e-4)
    assert not features.requires_grad
    assert emb.forward(texts, device="meta").device.type == "meta"
    est = clone(emb).fit(TEXTS)
    assert est.forward(texts, training=True).requires_grad and est.module_.training


def test_forward_trims_per_token_outputs_to_each_row(emb):
    est = TokenEmbedder(random_state=0, vocab_size=80, batch_size=2).fit(TEXTS)
    texts = ["jumps over the lazy dog and runs far away", "cat", "the quick brown fox"]
    rows = est.forward(texts)
    assert [len(r) for r in rows] == [len(est.tokenizer_(t)["input_ids"]) for t in texts]
    for row, text in zip(rows, texts):
        torch.testing.assert_close(row, _alone(est, text), atol=1e-5, rtol=1e-4)
