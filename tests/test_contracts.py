"""Contracts users rely on without reading the code: atomic saves, callback order, one-pass
partial_fit, pairs cut as served, truncation that says so."""

import os

import numpy as np

import pytest

from sklearn_electra import persistence


def _write_files(content):
    def write(folder):
        for name in ("config.json", "model.safetensors"):
            with open(os.path.join(folder, name), "w") as f:
                f.write(content)
    return write


def _contents(path):
    return {name: open(os.path.join(path, name)).read() for name in sorted(os.listdir(path))}


@pytest.mark.parametrize("fail_at", ["write", "move old aside", "move new in"])
def test_a_failed_save_leaves_a_complete_checkpoint(tmp_path, monkeypatch, fail_at):
    target = tmp_path / "best"
    persistence.write_dir_atomically(target, _write_files("old"))
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append((src, dst))
        step = "move old aside" if len(calls) == 1 else "move new in"
        if step == fail_at and len(calls) <= 2:
            raise OSError(f"injected failure: {step}")
        return real_replace(src, dst)

    def write(folder):
        if fail_at == "write":
            raise OSError("injected failure: write")
        _write_files("new")(folder)

    monkeypatch.setattr(persistence.os, "replace", replace)
    with pytest.raises(OSError, match="injected failure"):
        persistence.write_dir_atomically(target, write)
    assert _contents(target) == {"config.json": "old", "model.safetensors": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["best"]  # no temporary left behind
    monkeypatch.setattr(persistence.os, "replace", real_replace)
    persistence.write_dir_atomically(target, _write_files("new"))
    assert _contents(target) == {"config.json": "new", "model.safetensors": "new"}


class RecordedScore:
    """A user callback that records a score of its own at each epoch's end (scripted here)."""

    def __new__(cls, scores):
        from skorch.callbacks import Callback

        class _Recorded(Callback):
            def on_epoch_end(self, net, **kwargs):
                net.history.record("my_score", scores[len(net.history) - 1])

        return _Recorded()


def test_early_stopping_monitors_a_score_a_user_callback_records():
    from sklearn_electra import ElectraClassifier

    X, y = ["good phone", "bad phone", "fine screen", "broken screen"] * 10, [1, 0, 1, 0] * 10
    scores = [0.9, 0.5, 0.7, 0.8, 0.95, 0.1, 0.1, 0.1]  # epoch 2 is best; patience 2 ends at 4
    clf = ElectraClassifier(max_length=16, vocab_size=100, max_epochs=8, n_iter_no_change=2,
                            warmup_ratio=0.0, random_state=0,
                            callbacks=[("mine", RecordedScore(scores))],
                            callbacks__early_stopping__monitor="my_score",
                            callbacks__early_stopping__min_patience_steps=0)
    clf.fit(X, y)
    names = [name for name, _ in clf.callbacks_]
    assert names.index("mine") < names.index("early_stopping") < names.index("print_log")
    assert len(clf.history_) == 4 and clf.callbacks_[names.index("early_stopping")][1].best_epoch_ == 2


# ---------------------------------------------------------------- pairs cut as served
WORDS = [f"w{i}" for i in range(40)]


@pytest.fixture(scope="module")
def exported_tokenizer(tmp_path_factory):
    from sklearn_electra.tokenization import train_wordpiece

    folder = tmp_path_factory.mktemp("tok")
    tokenizer = train_wordpiece([" ".join(WORDS)] * 20, 200)
    tokenizer.save_pretrained(folder)
    return tokenizer, folder


def _pair_strategy():
    from hypothesis import strategies as st

    text = st.lists(st.sampled_from(WORDS), min_size=0, max_size=80).map(" ".join)
    return st.tuples(text, text, st.integers(4, 60))


def test_pairs_are_cut_exactly_as_the_exported_tokenizer_cuts_them(exported_tokenizer):
    from hypothesis import given, settings
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    from sklearn_electra.tokenization import encode_texts

    tokenizer, folder = exported_tokenizer
    auto = AutoTokenizer.from_pretrained(folder)
    served = Tokenizer.from_file(str(folder / "tokenizer.json"))

    @settings(max_examples=200, deadline=None)
    @given(_pair_strategy())
    def check(case):
        a, b, max_length = case
        ids, types, cut = encode_texts(tokenizer, [(a, b)], max_length)
        if b:  # transformers reads an empty second text as no pair at all
            expected = auto(a, b, truncation="longest_first", max_length=max_length)
            assert ids[0].tolist() == expected["input_ids"]
            assert types[0].tolist() == expected["token_type_ids"]
        served.no_truncation()
        full = len(served.encode(a, b).ids)
        served.enable_truncation(max_length, strategy="longest_first")
        encoding = served.encode(a, b)
        assert ids[0].tolist() == encoding.ids and types[0].tolist() == encoding.type_ids
        assert bool(cut) == (full > max_length) and cut.longest == (full if cut else 0)

    check()


# ---------------------------------------------------------------- truncation says so
def test_every_call_that_cuts_a_text_says_so_once(tmp_path):
    from sklearn_electra import (ElectraEmbedder, ElectraRegressor, ElectraRTDPretrainer,
                                 TextTruncationWarning)

    short = ["good phone", "bad phone", "fine screen", "broken screen"] * 6
    long_text = "phone " * 30  # 32 tokens with [CLS] and [SEP]
    pre = ElectraRTDPretrainer(max_length=16, vocab_size=100, max_epochs=1, random_state=0)
    pre.fit(short)
    reg = ElectraRegressor(max_length=16, vocab_size=100, max_epochs=1, random_state=0)
    reg.fit(short, [1.0, 0.0, 0.5, 0.2] * 6)
    pre.save_pretrained(tmp_path)
    emb = ElectraEmbedder(model=str(tmp_path), max_length=16).fit(short)
    calls = {"fill_mask": lambda: pre.fill_mask([long_text + "[MASK]", "[MASK] phone"]),
             "replaced_token_scores": lambda: pre.replaced_token_scores([long_text, "phone"]),
             "regressor predict": lambda: reg.predict([long_text, "phone"]),
             "embedder transform": lambda: emb.transform([long_text, "phone"])}
    for name, call in calls.items():
        with pytest.warns(TextTruncationWarning, match=r"1 of 2 texts are longer than "
                                                       r"max_length=16 tokens \(the longest has 3\d\)"
                          ) as caught:
            call()
        assert len(caught) == 1 and caught[0].filename == __file__, name


# ---------------------------------------------------------------- partial_fit is one pass
def _texts(n):
    return [f"text {i} {'good' if i % 2 else 'bad'} phone" for i in range(n)], [i % 2 for i in range(n)]


def test_partial_fit_is_one_pass_over_everything_given():
    from sklearn_electra import ElectraClassifier

    X, y = _texts(64)
    clf = ElectraClassifier(max_length=16, vocab_size=100, batch_size=16, random_state=0)
    clf.partial_fit(X, y)  # a preset with max_epochs=None: fit would plan tens of epochs
    assert clf.n_iter_ == 1 and len(clf.history_) == 1
    row = clf.history_[-1]
    assert "valid_loss" not in row  # nothing held out
    assert sum(b["train_batch_size"] for b in row["batches"]) == 64  # every text trained once
    clf.set_params(max_epochs=5).partial_fit(X, y)  # max_epochs does not apply
    assert clf.n_iter_ == 2
    assert ElectraClassifier(max_length=16, vocab_size=100, max_epochs=3).fit(X, y).n_iter_ <= 3


@pytest.mark.parametrize("decay", ["constant", "inverse_sqrt"])
def test_partial_fit_learning_rate_follows_the_stream_schedule(decay):
    from sklearn_electra import ElectraClassifier
    from sklearn_electra.optim import StreamSchedule

    X, y = _texts(32)
    clf = ElectraClassifier(max_length=16, vocab_size=100, batch_size=8, lr=1e-3,
                            warmup_ratio=0.004, partial_fit_lr=decay, random_state=0)
    factors = []
    for _ in range(5):  # 4 optimizer steps a call; the warmup (4 steps) ends in the first
        clf.partial_fit(X, y)
        group = clf.optimizer_.param_groups[-1]
        factors.append(group["lr"] / group["initial_lr"])
    assert isinstance(clf.lr_schedule_, StreamSchedule) and clf.lr_schedule_.step == 20
    expected = [StreamSchedule(4, decay).factor_at(step) for step in (4, 8, 12, 16, 20)]
    np.testing.assert_allclose(factors, expected, rtol=1e-6)
    assert factors[-1] == (1.0 if decay == "constant" else pytest.approx((4 / 21) ** 0.5))


def test_partial_fit_snapshot_is_taken_after_validation_and_lives_on_the_host(monkeypatch):
    from sklearn_electra import ElectraClassifier, checkpoint

    X, y = _texts(32)
    clf = ElectraClassifier(max_length=16, vocab_size=100, batch_size=8, random_state=0)
    clf.partial_fit(X, y)
    taken = []
    real = checkpoint.training_snapshot

    def spy(net):
        snapshot = real(net)
        taken.append(snapshot)
        return snapshot

    monkeypatch.setattr("sklearn_electra._base.training_snapshot", spy)
    with pytest.raises(ValueError, match="X has 32 texts but y has 3"):
        clf.partial_fit(X, [0, 1, 0])
    assert taken == []  # bad input costs no copy of the weights
    clf.partial_fit(X, y)
    tensors = list(taken[0]["module"].values())
    assert len(taken) == 1 and all(t.device.type == "cpu" for t in tensors)
    assert all(t.data_ptr() != p.data_ptr() for t, p in zip(tensors, clf.module_.state_dict().values()))


# ---------------------------------------------------------------- bounded memory for long texts
def test_windows_train_in_chunks_with_the_gradients_of_one_pass():
    import torch

    from sklearn_electra import ElectraClassifier
    from sklearn_electra.windows import WindowCollator

    words = [f"w{i}" for i in range(30)]
    X = [" ".join(words[i % 7:] * 4) for i in range(4)] + ["w1 w2"]
    y = [0, 1, 0, 1, 1]
    clf = ElectraClassifier(max_length=16, vocab_size=100, long_texts="windows", stride=4,
                            max_epochs=1, batch_size=2, random_state=0,
                            class_weight={1: 2.0}).fit(X, y)
    dataset = clf.get_dataset(X, y)
    assert len(dataset) > 8 * 2  # more windows than run in one pass at batch_size=2
    x, target = WindowCollator(clf.tokenizer_.pad_token_id)([dataset[i] for i in range(len(dataset))])

    def gradients(chunk):
        clf.set_params(batch_size=chunk)
        clf.module_.eval()  # no dropout: both passes see the same function
        clf.module_.zero_grad()
        loss = clf.get_loss(clf.infer(x), target, X=x)
        loss.backward()
        return loss.item(), {n: p.grad.clone() for n, p in clf.module_.named_parameters()
                             if p.grad is not None}

    loss_one, one_pass = gradients(1000)  # every window in one forward
    loss_chunked, chunked = gradients(2)  # two windows at a time, checkpointed
    assert loss_chunked == pytest.approx(loss_one, abs=1e-6)
    with torch.no_grad():  # validation: chunks without checkpointing, the same logits
        clf.set_params(batch_size=2)
        chunked_logits = clf.infer(x)
        clf.set_params(batch_size=1000)
        torch.testing.assert_close(chunked_logits, clf.infer(x), atol=1e-5, rtol=1e-4)
    assert one_pass.keys() == chunked.keys() and len(one_pass) > 10
    for name, grad in one_pass.items():
        torch.testing.assert_close(chunked[name], grad, atol=1e-5, rtol=1e-4, msg=name)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # one epoch: batches only
def test_a_long_texts_windows_train_at_most_batch_size_at_a_time(monkeypatch):
    from sklearn_electra import ElectraClassifier

    seen = []
    X = [" ".join(["word"] * 300), " ".join(["word"] * 60), "short"] * 2
    clf = ElectraClassifier(max_length=16, vocab_size=100, long_texts="windows", stride=2,
                            max_epochs=1, batch_size=2, validation_fraction=None, random_state=0)
    clf.fit(X, [0, 1, 1] * 2)
    real = type(clf.module_).forward

    def spy(module, *args, **kwargs):
        seen.append(kwargs["input_ids"].shape[0])
        return real(module, *args, **kwargs)

    monkeypatch.setattr(type(clf.module_), "forward", spy)
    windows = len(clf.get_dataset(X))
    clf.partial_fit(X, [0, 1, 1] * 2, sample_weight=[1.0, 2.0, 3.0] * 2)  # weights per text
    # ~25 windows a long text: past 8 x batch_size, trained 2 at a time (each chunk run again
    # in the backward pass, checkpointed); the two texts of ~5 windows in one pass.
    long, medium = len(clf.get_dataset(X[:1])), len(clf.get_dataset(X[1:2]))
    assert long > 8 * 2 and sum(seen) == windows + 2 * long
    assert max(seen) == 2 * medium and sorted(seen).count(2 * medium) == 1


def test_the_evidence_display_says_when_it_shows_part_of_a_text(tmp_path):
    from sklearn_electra import ElectraClassifier, TextTruncationWarning, TokenEvidenceDisplay

    clf = ElectraClassifier(max_length=16, vocab_size=100, max_epochs=1, random_state=0)
    clf.fit(["good phone", "bad phone"] * 8, [1, 0] * 8)
    with pytest.warns(TextTruncationWarning, match=r"1 of 1 texts .*max_length=16 .*has 42"):
        display = TokenEvidenceDisplay.from_estimator(clf, "good " * 40)
    assert len(display.tokens) == 14  # what the model reads: max_length - [CLS] - [SEP]


# ---------------------------------------------------------------- y as type_of_target reads it
def test_nested_lists_of_one_number_are_single_labels_as_type_of_target_says():
    from sklearn.utils.multiclass import type_of_target

    from sklearn_electra import ElectraClassifier

    X = ["good phone", "bad phone"] * 8
    nested = [[1], [0]] * 8
    assert type_of_target(nested) == type_of_target(np.array(nested)) == "binary"
    a = ElectraClassifier(max_length=16, vocab_size=100, max_epochs=1, random_state=0).fit(X, nested)
    b = ElectraClassifier(max_length=16, vocab_size=100, max_epochs=1, random_state=0)
    b.fit(X, np.array(nested))
    assert a.target_type_ == b.target_type_ == "binary" and a.classes_.tolist() == [0, 1]
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.predict(X).shape == (16,)
    log = a.predict_log_proba(X)
    np.testing.assert_allclose(np.exp(log), a.predict_proba(X), rtol=1e-6)


def test_a_warning_inside_a_pipeline_points_at_the_users_line():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from sklearn_electra import ElectraClassifier, TextTruncationWarning

    pipe = make_pipeline(FunctionTransformer(), ElectraClassifier(max_length=16, vocab_size=100,
                                                                  max_epochs=1, random_state=0))
    pipe.fit(["good phone", "bad phone"] * 8, [1, 0] * 8)
    with pytest.warns(TextTruncationWarning, match=r"^1 of 1 texts are longer than max_length=16 "
                      r"tokens \(the longest has 42\)") as caught:
        pipe.predict(["good " * 40])
    assert caught[0].filename == __file__


def test_a_warning_inside_a_search_points_at_the_users_line():
    from sklearn.model_selection import GridSearchCV, KFold

    from sklearn_electra import ElectraClassifier, TextTruncationWarning

    X = ["good phone " * 20, "bad phone " * 20] * 4  # 42 tokens: cut at max_length=16
    search = GridSearchCV(ElectraClassifier(max_length=16, vocab_size=100, max_epochs=1,
                                            random_state=0), {"lr": [1e-3]}, cv=KFold(2))
    with pytest.warns(TextTruncationWarning, match=r"^[48] of [48] texts are longer than max_length=16 "
                      r"tokens \(the longest has 42\)") as caught:
        search.fit(X, [1, 0] * 4)
    assert caught[0].filename == __file__
