"""Contracts users rely on without reading the code: atomic saves, callback order, one-pass
partial_fit, pairs cut as served, truncation that says so."""

import os

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
                            callbacks__early_stopping__monitor="my_score")
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
