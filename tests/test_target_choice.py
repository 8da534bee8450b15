"""Which target a classifier's ``y`` gets (``type_of_target``'s reading), and which target a
checkpoint's metadata or a plain Hugging Face config restores. No model is trained."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.utils.multiclass import type_of_target
from transformers import ElectraConfig

from sklearn_electra.targets import (MultiLabel, MultiOutput, SingleLabel,
                                     classification_target, restore_classification_target)


def _object_matrix(value):
    out = np.empty((2, 2), dtype=object)
    for i in range(2):
        for j in range(2):
            out[i, j] = value
    return out


CASES = {  # y -> (target, multi-label form)
    "labels": (["a", "b"], SingleLabel, None),
    "numbers": ([0, 1, 1], SingleLabel, None),
    "number lists and a number": ([[0, 1], 2], MultiLabel, "multilabel-sequences"),
    "a one-column DataFrame": (pd.DataFrame({"a": ["x", "y"]}), SingleLabel, None),
    "one number per list": ([[1], [0]], SingleLabel, None),
    "no rows": ([], SingleLabel, None),
    "a 3-d array": (np.zeros((2, 2, 2)), SingleLabel, None),
    "None": (None, SingleLabel, None),
    "a string": ("ab", SingleLabel, None),
    "a 0/1 DataFrame": (pd.DataFrame({"a": [0, 1], "b": [1, 1]}), MultiLabel, "multilabel-indicator"),
    "a 0/1 array": (np.array([[0, 1], [1, 0]]), MultiLabel, "multilabel-indicator"),
    "bools": ([[True, False], [False, True]], MultiLabel, "multilabel-indicator"),
    "float 0/1": ([[0.0, 1.0], [1.0, 0.0]], MultiLabel, "multilabel-indicator"),
    "a sparse 0/1 matrix": (sp.csr_matrix(np.array([[1, 0], [0, 1]])), MultiLabel,
                            "multilabel-indicator"),
    "0/1 array rows": ([np.array([0, 1]), np.array([1, 0])], MultiLabel, "multilabel-indicator"),
    "string lists of one length": ([["a", "b"], ["a", "c"]], MultiLabel, "multilabel-sequences"),
    "a Series of lists": (pd.Series([["a"], ["b", "c"]]), MultiLabel, "multilabel-sequences"),
    "ragged number lists": ([[0, 1], [2]], MultiLabel, "multilabel-sequences"),
    "sets": ([{0, 2}, {1}], MultiLabel, "multilabel-sequences"),
    "a list and a label": ([[0, 1], "a"], MultiLabel, "multilabel-sequences"),
    "numbers and strings in lists": ([[0, "a"], [1, "b"]], MultiLabel, "multilabel-sequences"),
    "lists in a 2-d object array": (_object_matrix(["a"]), MultiLabel, "multilabel-sequences"),
    "a string DataFrame": (pd.DataFrame({"a": ["x", "y"], "b": ["u", "u"]}), MultiOutput, None),
    "digit strings": (pd.DataFrame({"a": ["0", "1"], "b": ["1", "0"]}), MultiOutput, None),
    "a 2-d object array": (np.array([["+", "a"], ["-", "b"]], dtype=object), MultiOutput, None),
    "numbers besides 0/1": (np.array([[0, 2], [1, 0]]), MultiOutput, None),
    "a fraction": ([[0, 1], [1, 0.5]], MultiOutput, None),
    "number tuples": ([(0, 2), (1, 0)], MultiOutput, None),
    "numpy number rows": ([[np.int64(0), np.int64(2)], [np.int64(1), np.int64(0)]], MultiOutput,
                          None),
    # list(df.to_numpy()) gives array rows: type_of_target reads them as a matrix too
    "array rows": ([np.array([0, 2]), np.array([1, 0])], MultiOutput, None),
}


@pytest.mark.parametrize("name", CASES)
def test_y_picks_its_target(name):
    y, kind, form = CASES[name]
    target = classification_target(y, threshold=0.3, class_weight="balanced", estimator="Mine")
    assert type(target) is kind
    if kind is MultiLabel:
        assert (target.form, target.threshold, target.class_weight) == (form, 0.3, "balanced")
    else:
        assert (target.estimator, target.class_weight) == ("Mine", "balanced")


def test_number_rows_read_as_type_of_target_reads_them():
    for name in ("numbers besides 0/1", "number tuples", "numpy number rows", "array rows"):
        assert type_of_target(CASES[name][0]) == "multiclass-multioutput", name
    y = CASES["array rows"][0]
    fitted = classification_target(y).fit(y, [None] * 2)
    assert [c.tolist() for c in fitted.attributes()["classes_"]] == [[0, 1], [0, 2]]


def test_metadata_restores_its_target():
    config = ElectraConfig()
    single = restore_classification_target({"classes": ["a", "b"], "class_weight": [1.0, 2.0]},
                                           config, "Mine")
    assert type(single) is SingleLabel and single.estimator == "Mine"
    assert single.classes_.tolist() == ["a", "b"] and single.class_weight_.tolist() == [1.0, 2.0]
    columns = restore_classification_target(
        {"classes": [["a", "b"], [0, 1, 2]], "columns": ["x", "y"],
         "target_type": "multiclass-multioutput"}, config, "Mine")
    assert type(columns) is MultiOutput and columns.names_ == ["x", "y"]
    assert [c.estimator for c in columns.columns_] == ["Mine", "Mine"]
    assert [c.classes_.tolist() for c in columns.columns_] == [["a", "b"], [0, 1, 2]]
    for form in ("multilabel-indicator", "multilabel-sequences"):
        multi = restore_classification_target(
            {"classes": ["a", "b"], "target_type": form, "params": {"threshold": 0.7}}, config,
            "Mine")
        assert type(multi) is MultiLabel and (multi.form, multi.threshold) == (form, 0.7)
    assert restore_classification_target({"classes": ["a", "b"], "target_type":
                                          "multilabel-indicator"}, config, "Mine").threshold == 0.5


def test_a_plain_config_restores_its_labels_in_id_order():
    config = ElectraConfig(id2label={1: "pos", 0: "neg", 2: "mixed"})
    single = restore_classification_target({}, config, "Mine")
    assert type(single) is SingleLabel and single.classes_.tolist() == ["neg", "pos", "mixed"]
    config.problem_type = "multi_label_classification"
    multi = restore_classification_target({}, config, "Mine")
    assert type(multi) is MultiLabel and multi.form == "multilabel-indicator"
    assert multi.classes_.tolist() == ["neg", "pos", "mixed"] and multi.threshold == 0.5
    # a checkpoint's own classes win over the config's labels
    assert restore_classification_target({"classes": ["x", "y", "z"]}, config, "Mine") \
        .classes_.tolist() == ["x", "y", "z"]


def test_the_defaults_of_a_classifiers_target():
    single = classification_target(["a", "b"])
    assert (single.estimator, single.class_weight) == ("ElectraClassifier", None)
    multi = classification_target([[1, 0], [0, 1]])
    assert (multi.threshold, multi.class_weight) == (0.5, None)
    assert classification_target(np.array([[0, 2], [1, 0]])).estimator == "ElectraClassifier"
