"""Mutation testing, one module at a time: how many deliberate bugs do the tests catch?

mutmut (``pip install -e ".[mutation]"``) changes one operator, constant or call at a time
in a module ("mutants") and runs the tests that cover the changed function; a mutant the
tests still pass on "survived". Each module runs in its own work folder
(``.mutation/<module>/``, a copy of the package, the tests and the examples) with only its
own fast tests (:data:`TESTS`: tiny models, no ``slow`` marker, one thread per worker), so a
module takes minutes, not the whole suite per mutant. Every run starts from no verdicts:
mutmut's cache keeps the verdicts of functions whose code did not change, even when the tests
did, so a cached survivor would outlive the test written to kill it.

    python benchmarks/mutation.py windows squad    # those modules (make mutation MODULE=windows)
    python benchmarks/mutation.py --all            # every module of the package (hours)
    python benchmarks/mutation.py data --recheck   # only the last run's survivors, again
    python benchmarks/mutation.py report           # the table from the runs done
    cd .mutation/windows && mutmut browse          # read the survivors one by one

``results/mutation/<module>.json`` records each run (counts, survivors, commit, date);
``report`` writes ``results/mutation.md``, which ``update_docs.py --page docs/testing.md``
splices into the testing guide. A survivor that changes no behaviour is listed in
:data:`EQUIVALENT` with the reason and is not counted against the module; every other
survivor is a missing test.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib

import _harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results", "mutation")
WORK = os.path.join(ROOT, ".mutation")
IMPORTED_TEST = re.compile(r"^from \.(test_\w+) import", re.M)

# The target from the issue that introduced this tool: the data path and the recipe at 90%,
# the estimators and the shared base at 80%.
DATA_PATH = {"rtd", "optim", "recipe", "windows", "spans", "squad", "answers", "data",
             "tokenization", "validation", "persistence", "checkpoint", "augment"}
TARGET_DATA_PATH, TARGET_OTHER = 0.90, 0.80

# Each module's tests: the files (or test ids) that exercise it, plus the module itself for
# its doctests. mutmut runs, for each mutant, only those of these tests that reached the
# mutated function, so a wide selection costs time only on the first (statistics) run.
TESTS = {
    "answers": ["tests/test_answers.py", "tests/test_qa.py"],
    "augment": ["tests/test_augment.py"],
    "calibration": ["tests/test_calibration.py"],
    "callbacks": ["tests/test_callbacks.py", "tests/test_plateau.py", "tests/test_base.py",
                  "tests/test_contracts.py"],
    "checkpoint": ["tests/test_reliability.py", "tests/test_base.py", "tests/test_contracts.py"],
    "classifier": ["tests/test_classifier_parts.py", "tests/test_classifier.py", "tests/test_targets.py", "tests/test_multilabel.py"],
    "data": ["tests/test_data.py", "tests/test_properties.py", "tests/test_classifier.py"],
    # the readers on small files: the real corpora take minutes per mutant under mutmut
    "datasets": ["tests/test_dataset_files.py"],
    "display": ["tests/test_display.py"],
    "embedder": ["tests/test_embedder.py", "tests/test_inference.py"],
    "history": ["tests/test_history.py", "tests/test_model_card.py"],
    "model_card": ["tests/test_model_card.py", "tests/test_model_card_contents.py"],
    "modeling": ["tests/test_modeling.py", "tests/test_pretrainer.py", "tests/test_recipe.py"],
    "optim": ["tests/test_optim.py", "tests/test_recipe.py", "tests/test_contracts.py"],
    "persistence": ["tests/test_persistence.py", "tests/test_model_card.py", "tests/test_contracts.py"],
    "pretrainer": ["tests/test_pretrainer_parts.py", "tests/test_pretrainer.py", "tests/test_recipe.py"],
    "qa": ["tests/test_qa_parts.py", "tests/test_qa.py"],
    "recipe": ["tests/test_recipe.py", "tests/test_plateau.py"],
    "regressor": ["tests/test_regressor.py"],
    "rtd": ["tests/test_rtd.py", "tests/test_pretrainer.py", "tests/test_recipe.py"],
    "runtime": ["tests/test_runtime.py", "tests/test_errors.py", "tests/test_base.py"],
    "serving": ["tests/test_serving.py",
                # the served tokenizer's windows (stride), read back from an export
                "tests/test_long_texts.py::test_round_trips_pickle_save_load_and_onnx"],
    "spans": ["tests/test_spans.py", "tests/test_qa.py", "tests/test_targets.py"],
    "squad": ["tests/test_squad.py"],
    "tagger": ["tests/test_tagger_parts.py", "tests/test_tagger.py"],
    "training_display": ["tests/test_training_display.py"],
    "tokenization": ["tests/test_tokenization.py", "tests/test_contracts.py", "tests/test_data.py"],
    "validation": ["tests/test_validation.py", "tests/test_errors.py", "tests/test_fuzz.py", "tests/test_base.py",
                   # the forms of y each target reads (multilabel_format, check_indicator)
                   "tests/test_target_choice.py", "tests/test_multilabel_target.py"],
    "windows": ["tests/test_long_texts.py", "tests/test_contracts.py"],
    # the pretrainer's parts too: its hooks are the ones that read the base's fitting flag
    "_base": ["tests/test_base_parts.py", "tests/test_pretrainer_parts.py", "tests/test_base.py",
              "tests/test_sklearn_contracts.py"],
    "_callback_order": ["tests/test_callback_order.py", "tests/test_contracts.py"],
    "_steps": ["tests/test_steps.py", "tests/test_recipe.py", "tests/test_base.py",
               "tests/test_contracts.py"],
    "_distill": ["tests/test_distill.py",
                 "tests/test_targets.py::test_partial_fit_takes_sample_weight_and_rejects_balanced"],
    "_inference": ["tests/test_inference.py", "tests/test_classifier.py", "tests/test_base.py"],
    "_initialize": ["tests/test_initialize.py"],
    "_long_texts": ["tests/test_long_texts.py",
                    # a batch of windows past 8 x batch_size, trained in checkpointed chunks
                    "tests/test_contracts.py::test_windows_train_in_chunks_with_the_gradients_of_one_pass",
                    "tests/test_contracts.py::test_a_long_texts_windows_train_at_most_batch_size_at_a_time"],
    "_supervised": ["tests/test_supervised.py", "tests/test_targets.py", "tests/test_plateau.py"],
    "_weights": ["tests/test_targets.py"],
    "targets/_base": ["tests/test_targets.py", "tests/test_plateau.py"],
    "targets/__init__": ["tests/test_target_choice.py", "tests/test_targets.py",
                         "tests/test_multilabel.py"],
    "targets/labels": ["tests/test_label_targets.py", "tests/test_targets.py", "tests/test_supervised.py",
                       "tests/test_classifier.py", "tests/test_tagger.py"],
    "targets/multilabel": ["tests/test_multilabel_target.py", "tests/test_label_targets.py",
                           "tests/test_multilabel.py", "tests/test_targets.py"],
    "targets/multioutput": ["tests/test_targets.py"],
    "targets/regression": ["tests/test_regressor.py"],
    "targets/soft": ["tests/test_distill.py"],
}
# Tests left out of every run whose selection holds their file, with why.
_TRAMPOLINE = ("it checks the line a warning points at; mutmut's trampoline adds a frame outside "
               "the package, which warn_caller takes for the user's")
DESELECTED = {
    "tests/test_classifier.py::test_truncation_is_reported_at_fit_and_at_every_inference_call":
        _TRAMPOLINE,
    "tests/test_base_parts.py::test_the_interrupt_warning_points_at_the_users_fit": _TRAMPOLINE,
}
# Modules whose doctests stay out of their run: the examples read whole corpora, minutes
# per mutant under mutmut's trampoline; their tests check the same code on small files.
NO_DOCTESTS = {"datasets"}
# Modules with no behaviour of their own to mutate (re-exports, the version, warning
# classes, documentation helpers, optional back-ends tested only where installed).
NOT_MUTATED = {"__init__", "_version", "_warnings", "_docs", "_accelerate"}

# Survivors that change no behaviour: mutant name -> why. Checked by ``report``: an entry
# whose mutant no longer survives is reported as stale.
_PUNCTUATION_EDGES = ("the code points at the edges of the CJK Symbols and Punctuation block "
                      "(U+3000 a space, U+303F a symbol, U+3040 unassigned) and of the full-width "
                      "forms (U+FF00, U+FFEF, U+FFF0 unassigned) are no punctuation (category P), "
                      "so moving a bound by one changes nothing")
EQUIVALENT = {
    **{f"sklearn_electra.squad.x__is_cjk_punctuation__mutmut_{i}": _PUNCTUATION_EDGES
       for i in (5, 6, 7, 8, 9, 10, 11, 12)},
    "sklearn_electra.tokenization.x__learn_vocab__mutmut_67":
        "known.add(None): no merge found that makes a string already in the vocabulary (300,000 "
        "random corpora over one to three letters); the guard stays, as in tokenizers' own trainer",
    **{f"sklearn_electra.persistence.xǁPretrainedMixinǁ_export_metadata__mutmut_{i}":
       "get_params(deep=None or True): deep parameters all hold '__', which the next line drops"
       for i in (2, 3)},
    "sklearn_electra.persistence.x_write_dir_atomically__mutmut_17":
        'old = "" for None: an empty path is never a folder, so nothing is moved back or removed',
    **{f"sklearn_electra.persistence.x_write_dir_atomically__mutmut_{i}":
       "the replaced folder's removal without ignore_errors: it fails only on a folder that cannot "
       "be removed, which the tests (run as root) cannot make"
       for i in (52, 54, 55)},
    "sklearn_electra.persistence.x_write_metadata__mutmut_18":
        "json.dump(ensure_ascii=None): a false value, as False is",
    "sklearn_electra.persistence.x_read_metadata__mutmut_14":
        'encoding "UTF-8" for "utf-8": one codec',
    "sklearn_electra.persistence.x_write_metadata__mutmut_14":
        'encoding "UTF-8" for "utf-8": one codec',
    "sklearn_electra.persistence.xǁPretrainedMixinǁfrom_pretrained__mutmut_39":
        "seeded_torch(1) for 0 while loading: every weight comes from the checkpoint, so no draw "
        "is left for the seed to fix",
    **{f"sklearn_electra.spans.x__span_labels__mutmut_{i}":
       "np.full(n, -100) without dtype=np.int64: numpy's default integer is int64, and the labels "
       "are only compared and masked" for i in (17, 20)},
    **{f"sklearn_electra.model_card.x__auto_class__mutmut_{i}":
       'every "Electra" replaced, or two, for the first: an ELECTRA head\'s class name holds it '
       "once" for i in (17, 24)},
    **{f"sklearn_electra.model_card.x__origin__mutmut_{i}":
       "a recipe without a basis read as None or \"XXXX\" instead of \"\": no such text names a "
       "preset, so _PRESET finds none either way" for i in (6, 19, 20)},
    **{f"sklearn_electra.model_card.x_{name}__mutmut_{i}":
       "getattr(estimator, \"history_\") without its default: every estimator has history_ (a "
       "class attribute, None until a fit: _inference.py)" for name, i in (("_origin", 28),
                                                                       ("model_card", 52))},
    **{f"sklearn_electra.model_card.x_card_language__mutmut_{i}":
       'a continuation token\'s "##" kept: "#" belongs to no script, so the token counts for '
       "the scripts of its other characters all the same" for i in (3, 4)},
    "sklearn_electra.model_card.x__script__mutmut_6":
        'a character without a Unicode name named "XXXX" instead of "": neither starts with a '
        "script's prefix",
    "sklearn_electra.model_card.x_model_card__mutmut_17":
        "yaml.safe_dump(sort_keys=None) for False: PyYAML sorts only when the flag is true",
    "sklearn_electra.model_card.x_model_card__mutmut_143":
        "get_params(deep=None) for False: scikit-learn and skorch expand nested parameters "
        "only when deep is true",
    **{f"sklearn_electra.spans.x__encoded_questions__mutmut_{i}":
       "a context's offsets without dtype=np.int64: numpy's default integer is int64, and an "
       "empty context's (float) offsets are never indexed" for i in (31, 33)},
    "sklearn_electra.spans.x__encoded_questions__mutmut_35":
        "reshape(-2, 2) for reshape(-1, 2): numpy reads any negative size as the one to infer",
    "sklearn_electra.spans.x__token_span__mutmut_20":
        'searchsorted without side="left": "left" is its default',
    **{f"sklearn_electra.spans.x__window_candidates__mutmut_{i}":
       "the score grid without dtype=np.float64: np.full of -inf makes float64" for i in (10, 13)},
    "sklearn_electra.spans.x__window_candidates__mutmut_9":
        "the score grid filled with NaN for -inf: the spans out of reach stay non-finite, so "
        "k counts the same spans, and argpartition sorts NaN last as it does -inf",
    "sklearn_electra.spans.x_best_spans__mutmut_51":
        "a span's score replaced by an equal one (>= for >): the same value is kept",
    "sklearn_electra.spans.x_best_spans__mutmut_9":
        "one more question bound (arange(n + 2)): the loop reads bounds[q + 1] for q < n only",
    **{f"sklearn_electra.spans.x_encode_contexts__mutmut_{i}":
       "segment ids and token ids kept in numpy's default dtypes (float64, int64) instead of "
       "int8 and int32: the collator copies each row into int64 batches, so only memory "
       "changes" for i in (38, 40, 45, 47)},
    **{f"sklearn_electra.spans.xǁContextWindowsǁ__init____mutmut_{i}":
       "context_begin and token_start without dtype=np.int64: numpy's default integer is "
       "int64, and with no rows (no questions) neither is read" for i in (11, 13, 16, 18)},
    "sklearn_electra.tokenization.x__learn_vocab__mutmut_115":
        "where[p].discard(None): a word left in a pair's index after the pair left it is merged "
        "with no change and no count moves (only time is lost)",
    "sklearn_electra.tokenization.x_encode_texts__mutmut_26":
        "a single text cut as a pair with an empty second text: _pair_lengths(n, 0, budget) keeps "
        "min(n, budget), as the single-text rule does",
    **{f"sklearn_electra.checkpoint.x_{name}__mutmut_{i}":
       'the encoding of state.json ("UTF-8", None, the locale\'s): json.dump writes ASCII only'
       for name, i in (("write_trainer_state", 27), ("write_trainer_state", 30),
                       ("write_trainer_state", 39), ("load_trainer_state", 33),
                       ("load_trainer_state", 35), ("load_trainer_state", 42))},
    **{f"sklearn_electra.checkpoint.x_{name}__mutmut_{i}":
       "where a tensor is loaded or copied to (the module's device, the host): one device on a "
       "machine without a GPU, as every machine the tests run on (none was lent to this project)"
       for name, i in (("load_trainer_state", 5), ("load_trainer_state", 8), ("load_trainer_state", 18),
                       ("load_trainer_state", 21), ("_to_host", 1), ("_to_host", 3))},
    **{f"sklearn_electra.checkpoint.x_load_trainer_state__mutmut_{i}":
       "torch.load without weights_only=True: torch >= 2.6 (2.13 here) defaults to it; the "
       "argument keeps torch 2.2-2.5 safe, where test_optimizer_state_never_unpickles_code checks it"
       for i in (17, 20)},
    "sklearn_electra.checkpoint.x__to_host__mutmut_13":
        "copy.copy for deepcopy of an optimizer state's non-tensor values: numbers, strings, None, "
        "which both return as they are",
    "sklearn_electra.checkpoint.x_training_snapshot__mutmut_10":
        "a shallow copy of the history: a failed epoch appends rows and writes only into them, so "
        "the copied rows never change",
    "sklearn_electra.rtd.xǁElectraRTDǁ__init____mutmut_17":
        "register_buffer(persistent=None): torch keeps a buffer out of the state dict for any "
        "false value, None included",
    "sklearn_electra.rtd.xǁElectraRTDǁforward__mutmut_36":
        "gen_logits.sum() * 1.0 where nothing is masked: the sum of an empty tensor is 0 either way",
    "sklearn_electra.rtd.xǁElectraRTDǁforward__mutmut_86":
        "argmax(+1) on the generator's (masked, vocabulary) logits: dimension 1 is the last one",
    **{f"sklearn_electra.calibration.x_expected_calibration_error__mutmut_{i}":
       "asarray(y_prob) without dtype=float64: float32 probabilities widen exactly and integers "
       "compare alike; only the bins' mean is then taken in float32, whose pairwise sum stays "
       "below the 12-place rounding (20,000 random rows score the same)" for i in (6, 8)},
    "sklearn_electra.data.x__as_label_array__mutmut_6":
        "astype(float32, copy=None) for copy=False: both copy only when the dtype changes",
    **{f"sklearn_electra.data.x{name}__mutmut_{i}":
       'argsort kind "STABLE": numpy reads the kind without regard to case'
       for name, i in (("_inference_order", 7), ("ǁLengthBucketBatchSamplerǁ__iter__", 21))},
    **{f"sklearn_electra.data.xǁLengthBucketBatchSamplerǁ__iter____mutmut_{i}":
       "an unstable sort inside a shuffled bucket: it reorders texts of equal length only, so "
       "every batch pads as much, and which equal texts share a batch was random already"
       for i in (17, 19)},
    **{f"sklearn_electra.data.xǁEncodedDatasetǁ__init____mutmut_{i}":
       "groups kept in the caller's integer dtype: they only index and compare (every caller "
       "builds them as int64)" for i in (17, 19)},
    **{f"sklearn_electra.data.xǁEncodedDatasetǁ__init____mutmut_{i}":
       "weights kept in the caller's float dtype: the collator makes each batch's float32"
       for i in (25, 27)},
    "sklearn_electra.data.xǁEncodedDatasetǁ__init____mutmut_34":
        "np.fromiter without count=: the same array, grown as it is read",
    "sklearn_electra._steps.xǁTrainingStepsMixinǁ_optimizer_step__mutmut_1":
        "rescaling a complete accumulation too: by steps / pending = 1",
    "sklearn_electra._steps.xǁTrainingStepsMixinǁ_optimizer_step__mutmut_5":
        "grad_scaler_.unscale_(None): the scaler is enabled for fp16 on CUDA only; disabled, it "
        "returns before reading the optimizer (holds on a CPU machine, not on a GPU box)",
    **{f"sklearn_electra._steps.xǁTrainingStepsMixinǁ_optimizer_step__mutmut_{i}":
       "zero_grad(set_to_none=False or None): gradients zeroed in place instead of freed; every "
       "parameter that had one gets it again in the next backward (only memory differs)"
       for i in (27, 28)},
    **{f"sklearn_electra._steps.xǁTrainingStepsMixinǁ{step}__mutmut_{i}":
       "infer(runtime=None): infer resolves the runtime again, from the same parameters"
       for step, i in (("train_step", 12), ("train_step", 15), ("validation_step", 4),
                       ("validation_step", 7))},
    **{f"sklearn_electra._steps.xǁTrainingStepsMixinǁ{step}__mutmut_{i}":
       "fit_params left out: fit refuses every keyword but sample_weight (which rides in the "
       "dataset) before training, so the epochs' fit_params are always empty"
       for step, i in (("train_step", 17), ("validation_step", 9), ("run_single_epoch", 18))},
    "sklearn_electra._steps.xǁTrainingStepsMixinǁvalidation_step__mutmut_18":
        "get_loss without training=False: skorch's get_loss defaults training to False",
    "sklearn_electra.rtd.x_generator_config__mutmut_47":
        "config.__dict__.pop(key) without a default: PretrainedConfig.__init__ sets id2label and "
        "label2id on every config of the transformers tested (the default guards versions that "
        "do not)",
    **{f"sklearn_electra.windows.x_encode_windows__mutmut_{i}":
       "the groups' dtype left to numpy: a list of ints makes numpy's default int, int64"
       for i in (58, 60)},
    "sklearn_electra.windows.x_pool_windows__mutmut_2":
        "groups.to(None) for the logits' device: one device on a machine without a GPU, as every "
        "machine the tests run on",
    "sklearn_electra.windows.x_pool_windows__mutmut_25":
        "the counts left int64: dividing the float logits by them gives the logits' dtype either way",
    "sklearn_electra.augment.x__kind__mutmut_21":
        'unicodedata.name(token, "XXXX") for "": the default of an unnamed character holds no "CJK" '
        "either way",
    **{f"sklearn_electra.augment.x_{name}__mutmut_{i}":
       "allow_pairs=None for False: check_texts reads it as a truth value"
       for name, i in (("augment_labeled", 5), ("replace_tokens", 7))},
    "sklearn_electra.augment.x_replace_tokens__mutmut_68":
        "rng.choice(replace=None) for False: numpy reads it as a truth value (the same draws)",
    **{f"sklearn_electra.augment.x_replace_tokens__mutmut_{i}":
       "the proposed logits kept in their dtype until the Gumbel noise (float64) is added: float "
       "logits are divided by the temperature in their own precision, a rounding apart"
       for i in (120, 122)},
    "sklearn_electra.augment.x_replace_tokens__mutmut_129":
        "None for False written into a bool array: numpy stores it as False",
    "sklearn_electra.augment.x_replace_tokens__mutmut_141":
        "rng.uniform(1e-12) without its upper bound: numpy's default high is 1.0",
    "sklearn_electra._distill.xǁDistillationMixinǁ_validate_targets__mutmut_1":
        "incremental=True by default: every fit passes it; initialize() without data (the one "
        "caller that does not) has no y, which the classifier's target refuses first",
    "sklearn_electra._distill.xǁDistillationMixinǁ_validate_targets__mutmut_7":
        "sample_weight=None to the target's fit: the classifier's targets (one label, label "
        "sets, label columns) do not read it; the weights reach the loss through the dataset",
    "sklearn_electra._distill.xǁDistillationMixinǁ_validate_targets__mutmut_27":
        "copy.copy of the teacher's target: the student's rebinds its own attributes and never "
        "writes into the arrays it shares",
    "sklearn_electra._distill.xǁDistillationMixinǁ_fitted_teacher__mutmut_6":
        "from_pretrained without device=: the teacher loads on the CPU (the default) instead of "
        "the student's device; its logits are the same, only slower on a GPU box",
    "sklearn_electra._initialize.xǁInitializeMixinǁinitialize__mutmut_30":
        'inputs = "" for None without X: the tokenizer is only trained from texts, and without X '
        "initialize() has refused to go on unless there is a tokenizer to use",
    "sklearn_electra._initialize.xǁInitializeMixinǁinitialize__mutmut_53":
        "recipe_ = None: _initialize_parts resolves a missing recipe from the same model and "
        "parameters (_check_params returns resolve_model(self.model))",
    "sklearn_electra.embedder.xǁElectraEmbedderǁ_head__mutmut_18":
        "a floor of 2 tokens on the mean's count: every encoded text holds [CLS] and [SEP], so "
        "the count is at least 2 and neither floor binds",
    "sklearn_electra.embedder.xǁElectraEmbedderǁ_head__mutmut_7":
        "the mask kept as integers: multiplied into and divided from float32 states, it "
        "promotes to float32 as the cast does",
    **{f"sklearn_electra.embedder.xǁElectraEmbedderǁ_load__mutmut_{i}":
       "_check_inputs(fitting=False or None): the inference base's check ignores fitting (only "
       "the training estimators' overrides read it)" for i in (7, 10)},
    **{f"sklearn_electra.embedder.xǁElectraEmbedderǁpartial_fit__mutmut_{i}":
       "y not passed on to fit: fit ignores y (an embedder has no targets)" for i in (11, 13)},
    **{f"sklearn_electra.callbacks.xǁEarlyStoppingǁon_train_begin__mutmut_{i}":
       "net, X or the keywords not passed on to skorch's on_train_begin, which reads none of "
       "them (it resets its counters and the threshold)" for i in (1, 2, 4, 5)},
    **{f"sklearn_electra.targets.soft.xǁSoftǁ{name}__mutmut_{i}":
       "the device a target or weight is moved to (the logits', the host): one device on a "
       "machine without a GPU, as every machine the tests run on"
       for name, i in (("_split", 2), ("loss", 3), ("loss", 12), ("reference", 3))},
    **{f"sklearn_electra.targets.soft.xǁSoftǁ{name}__mutmut_{i}":
       "dim=+1, or no dim, for -1 on (rows, classes) tensors: the last dimension is 1, and "
       "torch's implicit softmax dimension for two dimensions is 1 too"
       for name, i in (("loss", 26), ("loss", 28), ("loss", 30), ("loss", 33), ("loss", 35),
                       ("loss", 37), ("loss", 42), ("correct", 3), ("reference", 18))},
    "sklearn_electra.targets.soft.xǁSoftǁencode__mutmut_15":
        "astype(None) for float64 on the label indices: numpy's default float is float64",
    **{f"sklearn_electra.targets.soft.xǁSoftǁpredict__mutmut_{i}":
       "threshold not passed to the inner target: a distilled student's inner target is a "
       "single-label one (multi-label teachers are refused), whose predict reads no threshold"
       for i in (2, 4)},
    "sklearn_electra.targets.soft.xǁSoftǁfit__mutmut_1":
        "incremental=True by default in a fit that reads none of its arguments (the teacher's "
        "target is fitted already)",
    "sklearn_electra.runtime.x_fit_seeds__mutmut_5":
        "randint(high, size=3) for randint(0, high, size=3): numpy reads a lone bound as the "
        "high one, from 0",
    **{f"sklearn_electra.runtime.x_move_modules__mutmut_{i}":
       "moved = True (or None) before any move: the optimizer's state is reloaded where it "
       "already is, and torch keeps every tensor that needs no cast (only time is lost)"
       for i in (3, 4)},
    "sklearn_electra.targets.regression.xǁRegressionǁfit__mutmut_1":
        "incremental=True by default: fit reads no incremental (partial_fit keeps the first "
        "fit's statistics by not fitting again)",
    **{f"sklearn_electra.targets.regression.xǁRegressionǁloss__mutmut_{i}":
       "the device the targets or weights are moved to: one device on a machine without a GPU, "
       "as every machine the tests run on" for i in (2, 17)},
    "sklearn_electra.targets.regression.xǁRegressionǁloss__mutmut_8":
        "mean(dim=+1) for dim=-1 over (rows, targets) errors: the last dimension is 1",
    **{f"sklearn_electra.targets.regression.xǁRegressionǁprior_loss__mutmut_{i}":
       "weights kept in their dtype: np.average promotes them with the float64 targets, so "
       "the mean and the result are float64 either way" for i in (11, 13)},
    **{f"sklearn_electra.targets._base.x_entropy__mutmut_{i}":
       "masses kept in their dtype: dividing by their sum makes float64 shares of integers too"
       for i in (3, 5)},
    "sklearn_electra.targets._base.x_learn_classes__mutmut_16":
        "every label list as objects: np.unique sorts numbers alike, and as_classes turns the "
        "learned numbers back into a numeric array",
    **{f"sklearn_electra.targets._base.x_resolve_class_weight__mutmut_{i}":
       "dtype=None for float64: the balanced ratio of integer counts and np.ones are float64 "
       "by default" for i in (23, 27, 29, 37, 39)},
    **{f"sklearn_electra.training_display.x__column__mutmut_{i}":
       "a missing score as None for NaN: a float64 array turns None into NaN" for i in (6, 8)},
    **{f"sklearn_electra.training_display.x__column__mutmut_{i}":
       "a column left in numpy's dtype: the display's constructor makes every curve float64 "
       "(and from_estimator the epochs int)" for i in (2, 4)},
    **{f"sklearn_electra.targets.multioutput.{name}__mutmut_{i}":
       "the estimator's name not given to the columns' SingleLabel: it names the estimator only "
       "for a y that is None or continuous, which label_columns refuses before"
       for name, i in (("xǁMultiOutputǁ__init__", 1), ("xǁMultiOutputǁ__init__", 2),
                       ("xǁMultiOutputǁ__init__", 3), ("xǁMultiOutputǁ__init__", 5),
                       ("xǁMultiOutputǁfit", 31), ("xǁMultiOutputǁfit", 33),
                       ("xǁMultiOutputǁrestore", 12), ("xǁMultiOutputǁrestore", 14))},
    "sklearn_electra.targets.multioutput.xǁMultiOutputǁrestore__mutmut_13":
        "SingleLabel(estimator) puts the name in class_weight, which only fit reads; a restored "
        "column is never fitted again (its class_weight_ comes from the metadata)",
    "sklearn_electra.targets.multioutput.x_label_columns__mutmut_8":
        "a numeric ndarray also read as objects: each column's labels are listed and typed again "
        "by as_classes",
    "sklearn_electra.targets.multioutput.xǁMultiOutputǁcorrect__mutmut_8":
        "argmax(+1) on a column's (rows, classes) logits: dimension 1 is the last one",
    "sklearn_electra.targets.multioutput.xǁMultiOutputǁloss__mutmut_2":
        "the device the targets are moved to: one device on a machine without a GPU, as every "
        "machine the tests run on",
    "sklearn_electra.targets.multioutput.xǁMultiOutputǁpredict__mutmut_15":
        "object columns cast to their result type: numpy's result type of object columns is "
        "object",
    "sklearn_electra.targets.multioutput.xǁMultiOutputǁprior_loss__mutmut_2":
        "encoded columns left as floats: each column's prior casts its labels to int64",
    "sklearn_electra._supervised.xǁSupervisedMixinǁ_restore_metadata__mutmut_2":
        "config not passed on: the bases' _restore_metadata read the metadata only (the recipe, "
        "the parameters)",
    **{f"sklearn_electra._supervised.xǁSupervisedMixinǁ_restore_target__mutmut_{i}":
       "classes from config.json's id2label instead of the metadata: the tagger is the one "
       "estimator that restores here (the classifier and regressor have their own), and its "
       "tags are strings, which id2label holds alike and in the same order" for i in (1, 2)},
    "sklearn_electra._supervised.xǁSupervisedMixinǁ_validate_targets__mutmut_1":
        "incremental=True by default: every fit passes it; initialize() without data (the one "
        "call that does not) has no y, which every target refuses before reading it",
    "sklearn_electra._supervised.xǁSupervisedMixinǁget_loss__mutmut_1":
        "training=True by default: skorch's signature; the targets' loss is the same in training "
        "and validation",
    **{f"sklearn_electra._supervised.xǁSupervisedMixinǁon_epoch_end__mutmut_{i}":
       "arguments not passed on to skorch's NeuralNet.on_epoch_end, the next in every "
       "estimator's MRO, a hook that reads none of them" for i in range(1, 8) if i != 4},
    "sklearn_electra._supervised.xǁSupervisedMixinǁpartial_fit__mutmut_5":
        "new_schedule=None for False: _fit reads it only as a truth value",
    "sklearn_electra._supervised.xǁSupervisedMixinǁvalidation_step__mutmut_6":
        "fit_params left out: fit refuses every keyword but sample_weight (which rides in the "
        "dataset) before training, so the epochs' fit_params are always empty",
    **{f"sklearn_electra.display.x__token_pieces__mutmut_{i}":
       "token ids without dtype=int64: numpy's default integer is int64, and an empty text's "
       "float row is copied into the collator's int64 tensor" for i in (43, 45)},
    "sklearn_electra.display.x__token_pieces__mutmut_3":
        "allow_pairs=None for False: check_texts reads it as a truth value",
    "sklearn_electra.display.xǁ_TokenScoresDisplayǁplot__mutmut_94":
        "axhline() for axhline(0): the line's height defaults to 0",
    "sklearn_electra.display.xǁ_TokenScoresDisplayǁ_repr_html___mutmut_30":
        "ink white at a luminance of exactly 140: the HTML shades with Reds or RdBu_r, none of "
        "whose 256 colours has that luminance (the grey colormaps do)",
    **{f"sklearn_electra.serving.x_quantize_module__mutmut_{i}":
       "a filtered message in capitals: warnings.filterwarnings matches messages without "
       "regard to case" for i in (40, 50)},
    **{f"sklearn_electra.serving.x_quantize_module__mutmut_{i}":
       "a wider warning filter (any message, or any category) around the one quantize_dynamic "
       "call: it raises no warning besides the two deprecation notices filtered"
       for i in (35, 36, 45, 46)},
    **{f"sklearn_electra.serving.x_quantize_module__mutmut_{i}":
       "quantize_dynamic's defaults spelled out (Linear layers among the default set, qint8, "
       "inplace=False): an ELECTRA holds no other layer type it would convert"
       for i in (52, 54, 56, 57, 58)},
    **{f"sklearn_electra.serving.xǁServingMixinǁ_serving_truncation__mutmut_{i}":
       "a misspelt strategy keyword: tokenizers' enable_truncation ignores unknown keywords, and "
       "its default strategy is longest_first" for i in (1, 2)},
    **{f"sklearn_electra.serving.xǁServingMixinǁ_serving_tokenizer__mutmut_{i}":
       "the served tokenizer's pad_id (or pad token) left to tokenizers' defaults, 0 and "
       "[PAD]: the pad of every tokenizer we train and of ELECTRA's vocabularies" for i in (8, 9)},
    **{f"sklearn_electra.serving.x_export_onnx__mutmut_{i}":
       "the device of the example inputs (the graph's, the host): one device on a machine "
       "without a GPU, as every machine the tests run on" for i in (16, 23, 27)},
    **{f"sklearn_electra.serving.x_export_onnx__mutmut_{i}":
       "the example inputs only trace the graph, whose axes are dynamic: any shape of at least "
       "2 by 2, any ids in the vocabulary, any mask and segment values give the same graph "
       "(int64 is torch.full's dtype for an integer fill)" for i in (22, 26, 28, 29, 30, 31, 32)},
    **{f"sklearn_electra.serving.x_export_onnx__mutmut_{i}":
       "input_names left out: the torch.export exporter names the inputs after forward's "
       "arguments, which are these names" for i in (48, 58)},
    **{f"sklearn_electra.datasets.x__fetch_vader__mutmut_{i}":
       "another name for the staging folder inside the temporary folder: it is moved to its "
       "place under the data home's name" for i in (60, 61)},
    "sklearn_electra.datasets.x__read_table__mutmut_8":
        "split(None) for split(tab): ids and ratings hold no spaces, and the text, the last field "
        "(kept whole by maxsplit), is stripped afterwards",
    "sklearn_electra.datasets.x__ner_sentence__mutmut_2":
        'previous = "" for None: it is only compared with "PER"',
    **{f"sklearn_electra.datasets.{name}": "a codec's name in capitals: the same codec"
       for name in ("x__read_text__mutmut_10", "x__read_text__mutmut_13", "x__read_table__mutmut_6")},
    **{f"sklearn_electra.datasets.x_fetch_sentiment_ratings__mutmut_{i}":
       "another name for a column of the spreads file that is never read (the mean, the ratings)"
       for i in (52, 53, 56, 57)},
    **{f"sklearn_electra.datasets.x_fetch_sentiment_ratings__mutmut_{i}":
       'merge(on=None): "id" is the only column the two tables share' for i in (60, 63)},
    **{f"sklearn_electra.datasets.x_fetch_sentiment_ratings__mutmut_{i}":
       "reset_index(drop=False) adds an index column, and only text, rating and rating_sd "
       "are returned" for i in (79, 83)},
    "sklearn_electra.datasets.x_fetch_sentiment_ratings__mutmut_89":
        "astype(None): numpy's default dtype, float64, as float is",
    "sklearn_electra.datasets.x_fetch_sentiment_ratings__mutmut_102":
        "GroupShuffleSplit.split(None, groups=...): the split is drawn from the groups alone",
    **{f"sklearn_electra.datasets.x_load_chinese_reviews__mutmut_{i}":
       "the frames concatenated without a new index: _split resets it after removing duplicates"
       for i in (34, 36, 37)},
    **{f"sklearn_electra._long_texts.xǁLongTextMixinǁinfer__mutmut_{i}":
       "infer's fit_params are always empty: fit refuses every keyword but sample_weight"
       for i in (10, 29, 36)},
    **{f"sklearn_electra._long_texts.xǁLongTextMixinǁinfer__mutmut_{i}":
       "runtime=None: the base resolves the runtime again from the same parameters, the one "
       "the call passed" for i in (5, 8, 24, 27, 31, 34)},
    **{f"sklearn_electra._long_texts.xǁLongTextMixinǁinfer__mutmut_{i}":
       "module=None on the windows path (training and validation only) falls back to module_, "
       "the object a fit runs unless Accelerate wraps it for several processes or mixed "
       "precision, which one CPU process cannot run"
       for i in (25, 28, 32, 35)},
    "sklearn_electra._long_texts.xǁLongTextMixinǁinfer__mutmut_20":
        "a batch of exactly 8 x batch_size windows in chunks: the same outputs and gradients "
        "(test_contracts checks the two ways agree), only the memory differs",
    **{f"sklearn_electra._long_texts.xǁLongTextMixinǁ_make_dataset__mutmut_{i}":
       "fitting passed on differently: the classifier's and regressor's datasets do not depend on "
       "it (only the pretrainer's, which has no long_texts)" for i in (1, 7, 10)},
    **{f"sklearn_electra._long_texts.xǁLongTextMixinǁinfer__mutmut_{i}":
       "a chunk not trimmed to its longest window: the padding kept is masked, so only time "
       "changes" for i in (51, 53)},
    "sklearn_electra._long_texts.xǁLongTextMixinǁinfer__mutmut_60":
        "checkpointing a chunk under no_grad (validation) runs it once, as the plain call does",
    "sklearn_electra._long_texts.xǁLongTextMixinǁ_collator__mutmut_2":
        "the base's collator does not read the dataset",
    **{f"sklearn_electra.targets.x__label_matrix__mutmut_{i}":
       "a sparse matrix let through its first check: its rows are sparse matrices, not lists, "
       "so the row check refuses it as well (the first check only saves listing its rows)"
       for i in (4, 7, 11, 12)},
    **{f"sklearn_electra.regressor.x__rescale_head__mutmut_{i}":
       "the head's scale and shift made on the default device: the head's weights are on the "
       "CPU on a machine without a GPU (and meta weights take CPU operands too)"
       for i in (4, 6, 9, 11)},
    "sklearn_electra.regressor.xǁElectraRegressorǁ_restore_target__mutmut_27":
        "Regression.restore reads the statistics it is given; the metadata argument is the "
        "targets' shared signature",
    **{f"sklearn_electra.targets.labels.xǁSingleLabelǁrestore__mutmut_{i}":
       "class weights read back in float64 hold the float32 values saved, and the loss weighs "
       "in its own dtype" for i in (12, 14)},
    **{f"sklearn_electra.targets.labels.xǁSingleLabelǁ{name}": "dim=+1 for dim=-1: a "
       "classifier's logits are 2-d (the tagger takes its own softmax and argmax per token)"
       for name in ("predict_proba__mutmut_5", "predict__mutmut_2")},
    **{f"sklearn_electra.targets.labels.xǁSingleLabelǁloss__mutmut_{i}":
       "the targets, row weights or class weights made on the default device: one device on "
       "a machine without a GPU" for i in (3, 39, 56, 58)},
    **{f"sklearn_electra.targets.multilabel.xǁMultiLabelǁloss__mutmut_{i}":
       "the targets, label weights or row weights made on the default device: one device on "
       "a machine without a GPU" for i in (2, 17, 19, 22, 24, 34)},
    **{f"sklearn_electra.targets.multilabel.xǁMultiLabelǁprior_loss__mutmut_{i}":
       "0/1 labels and row weights summed in their own dtype (float32): the same prior within "
       "float32 rounding, far inside the 5% the plateau check compares" for i in (3, 5, 12, 14)},
    **{f"sklearn_electra.targets.{name}": "an unfitted target's classes_ or class_weight_ as "
       "\"\" for None: fit or restore sets them before anything reads them"
       for name in ("labels.xǁSingleLabelǁ__init____mutmut_6",
                    "labels.xǁSingleLabelǁ__init____mutmut_7",
                    "multilabel.xǁMultiLabelǁ__init____mutmut_5")},
    **{f"sklearn_electra.targets.labels.xǁ{kind}ǁ_indices__mutmut_6":
       "np.fromiter without count: the count only sizes the array ahead"
       for kind in ("SingleLabel", "TagSequences")},
    "sklearn_electra.serving.x_export_onnx__mutmut_51":
        "external_data=None for False: the exporter reads it as a truth value",
    **{f"sklearn_electra.serving.x_export_onnx__mutmut_{i}":
       "the exporter's verbosity: its log goes to a silenced stdout (_quiet_exporter)"
       for i in (52, 62, 67)},
    "sklearn_electra.serving.x_export_onnx__mutmut_56":
        "dynamo=True left to the default: the default of the torch tested here (2.13); the "
        "argument keeps older torch, whose default was the TorchScript exporter, on the one "
        "whose dynamic shapes we pass",
    **{f"sklearn_electra.training_display.xǁTrainingHistoryDisplayǁplot__mutmut_{i}":
       "the legend's labels not given: matplotlib reads each handle's own label, the same one"
       for i in (122, 126)},
    **{f"sklearn_electra._inference.xǁElectraInferenceBaseǁ__init____mutmut_{i}":
       "the base's default model: every estimator's own __init__ passes its model (and shows "
       "its own default)" for i in (1, 2)},
    "sklearn_electra._inference.xǁElectraInferenceBaseǁ_build_model__mutmut_23":
        ">= for >: resizing the embeddings to the size they have returns them unchanged",
    **{f"sklearn_electra._inference.xǁElectraInferenceBaseǁ{name}__mutmut_{i}":
       "the runtime not passed on: the callee resolves it again, from the same parameters"
       for name, i in (("evaluation_step", 10), ("evaluation_step", 13), ("forward_iter", 22),
                       ("forward_iter", 26))},
    "sklearn_electra._inference.xǁElectraInferenceBaseǁforward_iter__mutmut_29":
        "every output moved to the device: every estimator's outputs are tensors (the "
        "pretrainer's are not, and it refuses forward_iter)",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁ_check_inputs__mutmut_4":
        "check_texts' allow_pairs left to its default, which is True",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁ_place__mutmut_6":
        "getattr without a default: skorch lists a module or criterion in _modules/_criteria "
        "only when it sets its attribute",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁget_dataset__mutmut_3":
        "fitting=None for False: the input checks read it as a truth value",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁget_dataset__mutmut_13":
        "reset=None for False: the targets read it as a truth value",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁ_make_dataset__mutmut_1":
        "fitting=True by default in the base's hook, which reads no fitting flag",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁset_params__mutmut_25":
        "skorch's set_params called with no parameters: it changes nothing and returns self",
    **{f"sklearn_electra._inference.xǁElectraInferenceBaseǁ__setstate____mutmut_{i}":
       "the device \"auto\" resolves to where CUDA is available: a machine without a GPU, "
       "as every machine the tests run on, never takes that branch"
       for i in (12, 14, 15)},
    "sklearn_electra._inference.xǁElectraInferenceBaseǁ_validate_targets__mutmut_1":
        "incremental=True by default in the base's hook, which reads none of its arguments",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁget_iterator__mutmut_1":
        "training=True by default: the inference base's batches read no training flag",
    "sklearn_electra._inference.xǁElectraInferenceBaseǁget_iterator__mutmut_7":
        "shuffle=None for False: the sampler reads it as a truth value",
    **{f"sklearn_electra._inference.xǁElectraInferenceBaseǁforward_iter__mutmut_{i}":
       "get_iterator's training=False given as None or left to its default (False): read as a "
       "truth value" for i in (13, 16)},
    **{f"sklearn_electra._inference.xǁElectraInferenceBaseǁforward_iter__mutmut_{i}":
       "get_iterator's runtime not passed: it resolves the runtime again, from the same "
       "parameters" for i in (14, 17)},
    **{f"sklearn_electra.qa.xǁElectraQuestionAnswererǁ_ranked_answers__mutmut_{i}":
       "the fitting flag of the questions' check, which reads none" for i in (3, 6)},
    "sklearn_electra.qa.xǁElectraQuestionAnswererǁ_make_dataset__mutmut_1":
        "fitting=True by default in a hook that reads no fitting flag",
    "sklearn_electra.qa.xǁElectraQuestionAnswererǁ_validate_targets__mutmut_1":
        "incremental=True by default in a hook that reads no incremental flag",
    **{f"sklearn_electra.qa.xǁElectraQuestionAnswererǁ{name}__mutmut_16":
       "no answer sliced anyway: context[-1:-1] is the empty string already"
       for name in ("predict", "predict_spans")},
    "sklearn_electra.qa.xǁElectraQuestionAnswererǁget_loss__mutmut_1":
        "training=True by default: the span loss reads no training flag",
    "sklearn_electra.qa.xǁElectraQuestionAnswererǁget_loss__mutmut_14":
        "the device the labels are moved to: one device on a machine without a GPU, as every "
        "machine the tests run on",
    **{f"sklearn_electra.tagger.x_repair_bio__mutmut_{i}":
       "the tag before the first: any tag that does not start with B- or I- reads the same"
       for i in (2, 3)},
    "sklearn_electra.tagger.xǁElectraTaggerǁ_validate_data__mutmut_1":
        "incremental=True by default: every caller passes incremental",
    "sklearn_electra.tagger.xǁElectraTaggerǁpredict_proba__mutmut_11":
        "softmax over dim=+1 for -1 on (words, tags) logits: the last dimension is 1",
    **{f"sklearn_electra.tagger.xǁElectraTaggerǁ_make_dataset__mutmut_{i}":
       "the labels' dtype left to numpy: an int fill makes numpy's default int, int64"
       for i in (30, 33)},
    "sklearn_electra.tagger.x__word_slots__mutmut_21":
        "sentences of one window sent through the loop for several: the same slots, slower",
    **{f"sklearn_electra.tagger.x__word_slots__mutmut_{i}":
       "the marks of positions outside a window (& for |, -2 for -1): such positions already "
       "have a negative context and every word has a window where its context is >= 0"
       for i in (44, 49)},
    "sklearn_electra.tagger.xǁElectraTaggerǁ_make_dataset__mutmut_1":
        "fitting=True by default in a hook that reads no fitting flag",
    **{f"sklearn_electra.tagger.xǁWindowedDatasetǁ__init____mutmut_{i}":
       "the offsets' dtype left to numpy: a list of ints makes numpy's default int, int64"
       for i in (11, 13)},
    "sklearn_electra.tagger.xǁElectraTaggerǁpredict__mutmut_9":
        "argmax(+1) for -1 on (words, tags) logits: the last dimension is 1",
    "sklearn_electra.tagger.x__word_slots__mutmut_47":
        "> for >= at a window's end: a word just past it has context size - 1 - pos = -1 "
        "already",
    "sklearn_electra.validation.x_describe__mutmut_22":
        '"XXaeiouXX" for "aeiou": the first letter is lowered, so never "X" (and a type\'s '
        "name is never empty)",
    **{f"sklearn_electra.validation.x_check_indicator__mutmut_{i}":
       "dtype kinds are single lower-case letters: an added \"XX\" matches none"
       for i in (17, 37)},
    **{f"sklearn_electra.validation.x_check_indicator__mutmut_{i}":
       "a numeric y sent down the cell-by-cell path (read again as objects): the same values, "
       "only slower (speed is not a unit test's to measure)"
       for i in (14, 38)},
    "sklearn_electra.validation.x_check_indicator__mutmut_40":
        "astype(None) for float64: numpy's default float is float64",
    **{f"sklearn_electra.validation.x_check_indicator__mutmut_{i}":
       "the cell-by-cell array left to numpy's inference: it holds only real numbers and NaN, "
       "so bool, int or float, which the 0/1 check and the int8 cast read alike"
       for i in (43, 45)},
    "sklearn_electra.validation.x_check_targets__mutmut_24":
        "reshape(-2, 1): numpy infers any negative size, as it does -1",
    **{f"sklearn_electra.validation.x_check_targets__mutmut_{i}":
       "np.empty's dtype left out (or None): its default is float64"
       for i in (39, 41)},
    **{f"sklearn_electra._base.xǁElectraNetBaseǁ__init____mutmut_{i}":
       "the base's default model: every estimator's own __init__ passes its model (and shows its "
       "own default)" for i in (1, 2)},
    "sklearn_electra._base.xǁElectraNetBaseǁpartial_fit__mutmut_5":
        "y not passed on: the one estimator that trains through the base's partial_fit (the "
        "pretrainer; the others have their own) has no targets",
    "sklearn_electra._base.xǁElectraNetBaseǁpartial_fit__mutmut_8": "new_schedule=None for False: both are false where it is read",
    **{f"sklearn_electra._base.xǁElectraNetBaseǁ{name}__mutmut_{i}":
       "y not passed on: it is always None here, as _fit hands skorch a dataset that holds its "
       "targets" for name, numbers in (("fit_loop", (8, 10, 13, 16)),
                                       ("get_split_datasets", (3, 5)), ("_fit", (71,)))
       for i in numbers},
    "sklearn_electra._base.xǁElectraNetBaseǁfit_loop__mutmut_3":
        "_routing_method popped without a default: skorch's partial_fit, fit_loop's one caller, "
        "always passes it",
    **{f"sklearn_electra._base.xǁElectraNetBaseǁ{name}__mutmut_{i}":
       "the runtime not passed on: the callee resolves it again, from the same parameters"
       for name, numbers in (("fit_loop", (27, 31, 40, 43)), ("_initialize_parts", (16,)),
                             ("initialize_optimizer", (2,)))
       for i in numbers},
    **{f"sklearn_electra._base.xǁElectraNetBaseǁfit_loop__mutmut_{i}":
       "training=None (or left to its default, False) for the validation pass: both are false "
       "where it is read" for i in (39, 42, 73)},
    **{f"sklearn_electra._base.xǁElectraNetBaseǁfit_loop__mutmut_{i}":
       "fit_params not passed on: they are always empty here (fit refuses every keyword but "
       "sample_weight, which the dataset holds)" for i in (68, 82)},
    "sklearn_electra._base.xǁElectraNetBaseǁfit_loop__mutmut_93": "return for break: the loop is the last thing before return self",
    "sklearn_electra._base.xǁElectraNetBaseǁ_fit_keywords__mutmut_8":
        "sample_weight popped without a default: every estimator that takes it passes it, None "
        "or not (SampleWeightMixin's fit and partial_fit)",
    "sklearn_electra._base.xǁElectraNetBaseǁ_fit__mutmut_6":
        "an undo for a fit that starts over: it takes no snapshot, so the undo does nothing",
    "sklearn_electra._base.xǁElectraNetBaseǁ_fit__mutmut_44":
        "no recipe before initialize(): _initialize_parts resolves it, from the same model",
    **{f"sklearn_electra._base.xǁElectraNetBaseǁ_initialize_parts__mutmut_{i}":
       "the criterion's init context misnamed: criterion_ is None, which skorch registers in "
       "no context" for i in (10, 11)},
    "sklearn_electra._base.xǁElectraNetBaseǁinitialize_optimizer__mutmut_33":
        "the optimizer's default lr not given: every parameter group carries its own",
    **{f"sklearn_electra._base.xǁElectraNetBaseǁinitialize_optimizer__mutmut_{i}":
       "the grad scaler's device: it is enabled only for fp16, which runs only on CUDA (the "
       "default device type; refused elsewhere), so on these machines it is off whatever its "
       "device" for i in (36, 38)},
    "sklearn_electra._base.xǁElectraNetBaseǁget_split_datasets__mutmut_17":
        "validation_fraction None read as 1, not 0: all rows held out leaves none to train, "
        "which means no split, as 0 does",
    **{f"sklearn_electra._base.xǁElectraNetBaseǁ_restore_metadata__mutmut_{i}":
       "arguments not passed on: the next _restore_metadata in every estimator's MRO "
       "(persistence's) reads neither" for i in (1, 2)},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ{name}__mutmut_{i}":
       "the runtime not passed on (or passed only when given): the callee resolves it again, "
       "from the same parameters" for name, numbers in (("infer", (2,)),
                                                      ("validation_step", (3, 6)))
       for i in numbers},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ{name}__mutmut_{i}":
       "fit_params not passed on: they are always empty here (fit refuses every keyword)"
       for name, numbers in (("infer", (6,)), ("train_step", (6,)), ("validation_step", (8,)))
       for i in numbers},
    "sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁget_loss__mutmut_1": "training=True by default: the RTD loss reads no training flag",
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁon_epoch_end__mutmut_{i}":
       "arguments not passed on to skorch's NeuralNet.on_epoch_end, the next in the MRO, a hook "
       "that reads none of them" for i in (1, 2, 3, 5, 6, 7)},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ{name}__mutmut_{i}":
       "allow_pairs=None for False: both are false where it is read"
       for name, i in (("_check_inputs", 2), ("replaced_token_scores", 3), ("fill_mask", 5))},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ_make_dataset__mutmut_{i}":
       "a longer never-reached limit than 10**9 tokens: no text is cut either way"
       for i in (10, 11)},
    "sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁinitialize_module__mutmut_22":
        "the generator's config not given: from_pretrained reads the checkpoint's own, which "
        "build_config returns unchanged (no overrides apply to the generator; presets are refused)",
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ{name}__mutmut_{i}":
       "ids left in their own integer dtype (int32 from the tokenizer, int64 from lists): the "
       "embeddings take both" for name, numbers in (("fill_mask", (21, 24)), ("augment", (36, 39)),
                                                   ("replaced_token_scores", (16, 19)))
       for i in numbers},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ{name}__mutmut_{i}":
       "the device tensors are made on: the CPU by default, the one device on a machine "
       "without a GPU, as every machine the tests run on"
       for name, numbers in (("fill_mask", (22, 25, 43, 46)), ("augment", (37, 40, 43, 45)),
                             ("replaced_token_scores", (17, 20, 28, 31)))
       for i in numbers},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ{name}__mutmut_{i}":
       "no attention mask: the rows are one text each (or variants of one text, all as long), "
       "never padded, and a mask of ones is the model's default" for name, numbers in
       (("fill_mask", (33,)), ("augment", (48,))) for i in numbers},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁ{name}__mutmut_{i}":
       "token types not given: a single text's are all 0 (pairs are refused), the model's "
       "default" for name, numbers in (("fill_mask", (34,)), ("augment", (49,)),
                                       ("replaced_token_scores", (23, 25)))
       for i in numbers},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁfill_mask__mutmut_{i}":
       "the last dimension named otherwise: topk's default, and +1 is -1 of the 2-d logits (one "
       "row per mask)" for i in (51, 56, 58)},
    **{f"sklearn_electra.pretrainer.xǁElectraRTDPretrainerǁaugment__mutmut_{i}":
       "n_variants also checked for value <= 0: its own check, value < 1, already refuses those"
       for i in (21, 22)},
    **{f"sklearn_electra.pretrainer.x_pack_sequences__mutmut_{i}": "the lengths' dtype or count left to numpy: the same integers (count only "
       "preallocates)" for i in (3, 7)},
    "sklearn_electra.pretrainer.x_pack_sequences__mutmut_11": "the stream as float64: every row is cast to int32 before it is kept",
    **{f"sklearn_electra.pretrainer.x_pack_sequences__mutmut_{i}": "the empty stream's dtype: no row comes from an empty stream"
       for i in (14, 16)},
}


def package_modules():
    """Every module of the package, as ``TESTS`` names them ("windows", "targets/labels")."""
    package = os.path.join(ROOT, "sklearn_electra")
    names = []
    for folder, _, files in os.walk(package):
        for f in files:
            if f.endswith(".py"):
                names.append(os.path.relpath(os.path.join(folder, f), package)[:-3].replace(os.sep, "/"))
    return sorted(n for n in names if "__pycache__" not in n)


def mutmut_config(module):
    """The ``[tool.mutmut]`` lines this module's run adds to the project's settings."""
    path = f"sklearn_electra/{module}.py"
    selection = [*TESTS[module], *([] if module in NO_DOCTESTS else [path])]
    selection += [f"--deselect={test}" for test in DESELECTED if test.split("::")[0] in selection]
    return (f"only_mutate = {json.dumps([path])}\n"
            f"pytest_add_cli_args_test_selection = {json.dumps(selection)}\n")


def prepare(module, keep_verdicts=False):
    """A work folder holding a fresh copy of the code and this module's settings; mutmut's
    verdicts of an earlier run are dropped unless ``keep_verdicts``."""
    home = os.path.join(WORK, module.replace("/", "."))
    os.makedirs(home, exist_ok=True)
    if not keep_verdicts:
        shutil.rmtree(os.path.join(home, "mutants"), ignore_errors=True)
    for folder in ("sklearn_electra", "tests", "examples"):
        shutil.rmtree(os.path.join(home, folder), ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, folder), os.path.join(home, folder),
                        ignore=shutil.ignore_patterns("__pycache__", "output"))
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        settings = f.read()
    if "[tool.mutmut]" not in settings:
        raise RuntimeError("pyproject.toml has no [tool.mutmut] section")
    # [tool.mutmut] is the file's last table, so its keys can be appended.
    with open(os.path.join(home, "pyproject.toml"), "w", encoding="utf-8") as f:
        f.write(settings.rstrip("\n") + "\n" + mutmut_config(module))
    return home


# The variables of a run's environment that can change a verdict (part of its fingerprint).
RUN_SETTINGS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED", "CI")


def environment(threads=1):
    # mutmut hands pytest a mutant's tests as a set, whose order follows the string hash:
    # a fixed seed gives every run the same order, so a verdict can be reproduced by hand.
    # CI=1 loads the suite's CI profile of hypothesis (fixed examples, no deadline), so
    # neither luck nor a slow example under load decides a verdict.
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONHASHSEED="0", CI="1")
    env.pop("PYTHONPATH", None)  # the copy's package, not the checkout's
    return env


def tested_revision():
    """The commit whose package and tests the run copies, with "+changes" when the working
    tree differs from it there (a score belongs to the code it was measured on)."""
    changed = subprocess.run(["git", "status", "--porcelain", "--", "sklearn_electra", "tests"],
                             cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    return _harness.revision() + ("+changes" if changed else "")


def code_files(module):
    """The files a run of ``module`` reads: the package, the examples, ``pyproject.toml``,
    the tests' shared modules and the test files it selects, with the test files these
    import (``from .test_examples import _load``). Only files git tracks are listed, so the
    outputs a test run leaves in the tree do not count; a run whose copy holds untracked
    package files says so in its revision ("+changes")."""
    listed = subprocess.run(["git", "ls-files", "--", "sklearn_electra",
                             "examples", "pyproject.toml", "tests/__init__.py", "tests/conftest.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    files = {f for f in listed if os.path.exists(os.path.join(ROOT, f))}
    todo = [t.split("::")[0] for t in TESTS[module]]
    while todo:
        test = todo.pop()
        if test in files:
            continue
        files.add(test)
        with open(os.path.join(ROOT, test), encoding="utf-8") as f:
            todo += [f"tests/{name}.py" for name in IMPORTED_TEST.findall(f.read())]
    return sorted(files)


def code_fingerprint(module):
    """A short hash of the code a run of ``module`` tests (:func:`code_files`, by git's blob
    ids), with the run's mutmut settings and :data:`RUN_SETTINGS`. A score stands for the
    code as it is now only when its run's fingerprint is today's: a changed test, example or
    package file, elsewhere than in the scored module too, can change a verdict."""
    files = code_files(module)
    blobs = subprocess.run(["git", "hash-object", "--stdin-paths"], input="\n".join(files), cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    settings = {k: v for k, v in environment().items() if k in RUN_SETTINGS}
    listing = ("".join(f"{blob} {name}\n" for name, blob in zip(files, blobs)) + mutmut_config(module)
               + json.dumps(settings, sort_keys=True))
    return hashlib.sha1(listing.encode("utf-8")).hexdigest()[:12]


def last_record(module):
    path = os.path.join(RESULTS, f"{module.replace('/', '.')}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def run(module, children, limit, recheck=False, resume=False):
    """Test every mutant of ``module``; with ``recheck`` only the survivors of its last run
    that are not listed as equivalent, with ``resume`` only the mutants a stopped run did not
    reach (the other verdicts stand; the record then says which commit tested the rest)."""
    revision, code = tested_revision(), code_fingerprint(module)
    before = last_record(module) if recheck or resume else None
    if (recheck or resume) and before is None:
        raise SystemExit(f"{module}: no earlier run to go on from; run it in full first")
    # A re-check leaves out the survivors listed as equivalent: they would survive again,
    # each after every test that covers it (minutes apiece for an estimator).
    names = ([n for n in before["survived"] if n not in EQUIVALENT] if recheck
             else before["not_checked"]) if before else []
    if before and not names:  # mutmut given no names would test every mutant
        print(f"{module}: nothing to test again", flush=True)
        return before
    home = prepare(module, keep_verdicts=recheck or resume)
    start = time.perf_counter()
    log = os.path.join(home, "mutmut.log")
    with open(log, "w") as out:
        try:
            status = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(children),
                                   *names],
                                  cwd=home, env=environment(), stdout=out, stderr=subprocess.STDOUT,
                                  timeout=limit).returncode
        except subprocess.TimeoutExpired:
            status = "timeout"
    record = collect(module, home)
    seconds = round(time.perf_counter() - start)
    retested = set(names)
    tested = {n: v for n, v in record["statuses"].items() if not before or n in retested}
    checked = order_check(home, tested, children, loaded=bool(before))
    if before:
        was = ("survived",) if recheck else ("not checked", "no tests")
        record = merge_recheck(before, record, names, was)
        record.update(seconds=before["seconds"], exit=before["exit"], revision=before["revision"],
                      date=before["date"], code=before.get("code"), recheck={
                          "revision": revision, "code": code, "date": record["date"], "seconds": seconds,
                          "survivors" if recheck else "unreached": len(names), "order_check": checked})
        if "order_check" in before:
            record["order_check"] = before["order_check"]
    else:
        record.update(seconds=seconds, exit=status, revision=revision, code=code, order_check=checked)
    record.pop("statuses")  # every mutant's verdict: mutmut's own files keep them
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"{module.replace('/', '.')}.json"), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
    print(summary_line(record), flush=True)
    return record


def check_order(module, children):
    """:func:`order_check` for the last full run of ``module``, from its work folder, where
    the run's code is today's (its fingerprint) and the folder holds its verdicts."""
    record = last_record(module)
    home = os.path.join(WORK, module.replace("/", "."))
    if record is None or "recheck" in record or not on_code_now(record):
        raise SystemExit(f"{module}: its last record is not one full run on today's code: run it again")
    statuses = collect(module, home)["statuses"]
    if sorted(n for n, v in statuses.items() if v == "survived") != record["survived"]:
        raise SystemExit(f"{module}: {home} holds another run's verdicts than its record: run it again")
    record["order_check"] = order_check(home, statuses, children)
    with open(os.path.join(RESULTS, f"{module.replace('/', '.')}.json"), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
    print(f"{module}: {order_label(record)}", flush=True)
    return record


def order_checks(record):
    """The order checks of ``record``'s verdicts (its full run's and its re-test's), or None
    where a part of them went unchecked (runs from before the check)."""
    checks = [record.get("order_check")] + ([record["recheck"].get("order_check")] if "recheck" in record else [])
    return None if None in checks else checks


def order_failures(record):
    """The functions whose tests failed in mutmut's order, with the first failing test ({}
    when every order passed), or None where the record is not all checked."""
    checks = order_checks(record)
    return None if checks is None else {name: test for c in checks for name, test in c["failed"].items()}


def _failures_text(failures):
    return "; ".join(f"{name.rsplit('.', 1)[-1]} ({test})" for name, test in failures.items())


def order_label(record):
    failures = order_failures(record)
    if failures is None:
        return "not checked"
    if failures:
        return "failed: " + _failures_text(failures)
    n = sum(c["orders"] for c in order_checks(record))
    return f"passed ({n} test order{'' if n == 1 else 's'})"


def collect(module, home):
    """Counts and survivors from mutmut's record of the run (its ``.meta`` file)."""
    from mutmut.stats import status_by_exit_code

    meta = os.path.join(home, "mutants", "sklearn_electra", f"{module}.py.meta")
    with open(meta) as f:
        codes = json.load(f)["exit_code_by_key"]
    statuses = {name: status_by_exit_code[code] for name, code in codes.items()}
    counts = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    survivors = sorted(n for n, s in statuses.items() if s == "survived")
    return {"module": module, "counts": counts, "survived": survivors, "statuses": statuses,
            "not_checked": sorted(n for n, s in statuses.items() if s in ("not checked", "no tests")),
            "date": datetime.date.today().isoformat(),
            "tests": TESTS[module]}


# mutmut's own pytest options for a mutant's run (runners/harness.py), before the project's.
MUTMUT_PYTEST_ARGS = ["--rootdir=.", "--tb=native", "-x", "-q", "-p", "no:randomly", "-p", "no:random-order"]

# Builds each function's tests as mutmut's process holds them, and prints them in the order
# it hands them to pytest: a set's, which follows the string hash (fixed by environment()),
# and where two names collide, the order they went in. A fresh run adds a test to a
# function's set as the statistics run reaches them (duration_by_test keeps that order); a
# run that goes on from saved statistics loads each function's set from its saved list.
_ORDER_SCRIPT = """
import collections, json, sys
stats = json.load(open("mutmut-stats.json"))
saved, wanted, loaded = stats["tests_by_mangled_function_name"], json.loads(sys.argv[1]), sys.argv[2] == "1"
tests = collections.defaultdict(set)
for name in wanted:
    if loaded:
        tests[name] |= set(saved.get(name, ()))
    else:
        covering = set(saved.get(name, ()))
        for test in stats["duration_by_test"]:
            if test in covering:
                tests[name].add(test)
        tests[name] |= covering  # none left out, should a name not be in duration_by_test
print(json.dumps({name: list(tests[name]) for name in wanted}))
"""


def mutmut_orders(home, functions, loaded=False):
    """Each of ``functions``' tests in the order mutmut ran them for its mutants."""
    out = subprocess.run([sys.executable, "-c", _ORDER_SCRIPT, json.dumps(sorted(functions)), "1" if loaded else "0"],
                         cwd=os.path.join(home, "mutants"), env=environment(), capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def _first_failure(output, status):
    found = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.M)
    return found.group(1) if found else f"pytest exit {status}"


def order_check(home, statuses, children=2, loaded=False):
    """Run, on the unmutated code, each function's tests in the order mutmut ran them for
    the function's killed mutants; return the functions whose tests fail so, with the first
    failing test. A test that fails without a mutant (one that leans on what an earlier test
    left in a shared fixture) marks every mutant it meets killed: such kills measure the
    test order, not the tests."""
    from concurrent.futures import ThreadPoolExecutor

    # A mutant is named after its function: "<function>__mutmut_<n>".
    functions = {n.partition("__mutmut_")[0] for n, s in statuses.items() if s == "killed"}
    orders = mutmut_orders(home, functions, loaded)
    by_order = {}
    for name, tests in orders.items():
        by_order.setdefault(tuple(tests), []).append(name)
    with open(os.path.join(home, "pyproject.toml"), "rb") as f:
        project_args = tomllib.load(f)["tool"]["mutmut"].get("pytest_add_cli_args", [])
    env = {k: v for k, v in environment().items() if k != "MUTANT_UNDER_TEST"}

    def run_order(tests):
        done = subprocess.run([sys.executable, "-m", "pytest", *MUTMUT_PYTEST_ARGS, *tests, *project_args],
                              cwd=os.path.join(home, "mutants"), env=env, capture_output=True, text=True,
                              check=False)
        return None if done.returncode == 0 else _first_failure(done.stdout, done.returncode)

    orders_to_run = [tests for tests in by_order if tests]
    with ThreadPoolExecutor(max_workers=children) as pool:
        failures = dict(zip(orders_to_run, pool.map(run_order, orders_to_run)))
    failed = {name: failure for tests, failure in failures.items() if failure for name in by_order[tests]}
    return {"orders": len(orders_to_run), "functions": len(functions), "failed": dict(sorted(failed.items()))}


def merge_recheck(before, after, names, was=("survived",)):
    """The verdicts of a full run with some of its mutants (``names``, whose verdicts were
    ``was``: its survivors, or those it did not reach) tested again. mutmut forgets the
    other verdicts when the tests that cover a function change, so they are taken from the
    full run's record, and only the re-tested mutants' from the new one."""
    counts, left = dict(before["counts"]), len(names)
    for status in was:  # the earlier verdicts these names had
        taken = min(left, counts.get(status, 0))
        counts[status] = counts.get(status, 0) - taken
        left -= taken
    rechecked = {n: s for n, s in after["statuses"].items() if n in set(names)}
    for status in rechecked.values():
        counts[status] = counts.get(status, 0) + 1
    return {**after, "counts": {k: v for k, v in counts.items() if v},
            "survived": sorted(set(before["survived"]) - set(names) | {
                n for n, s in rechecked.items() if s == "survived"}),
            "not_checked": sorted(set(before["not_checked"]) - set(names) | {
                n for n, s in rechecked.items() if s in ("not checked", "no tests")})}


def score(record):
    """Killed over every mutant that is not a listed equivalent one. A timeout (the tests
    caught the mutant looping) and a segfault (the mutant crashed the test process, which
    fails the run) count as killed."""
    counts = record["counts"]
    equivalent = sum(1 for n in record["survived"] if n in EQUIVALENT)
    caught = sum(counts.get(status, 0) for status in ("killed", "timeout", "segfault",
                                                      "caught by type check"))
    total = sum(counts.values()) - equivalent
    return caught / total if total else float("nan"), equivalent


def summary_line(record):
    value, equivalent = score(record)
    c = record["counts"]
    return (f"{record['module']}: {value:.1%} killed ({c.get('killed', 0)} killed, "
            f"{c.get('survived', 0)} survived of which {equivalent} equivalent, "
            f"{c.get('not checked', 0) + c.get('no tests', 0)} not checked, "
            f"{c.get('timeout', 0) + c.get('segfault', 0)} timeout or crash; {record['seconds']} s)")


def run_label(record):
    label = f"{record['revision']}, {record['date']}, {record['seconds'] // 60} min"
    if "recheck" in record:
        again = record["recheck"]
        if "survivors" in again:
            n, what = again["survivors"], "survivor{} re-tested"
        else:
            n, what = again["unreached"], "unreached mutant{} tested"
        label += f"; its {n} {what.format('' if n == 1 else 's')} at {again['revision']}"
    return label


def on_code_now(record):
    """Whether every verdict of ``record`` was reached on the code as it is now."""
    now = code_fingerprint(record["module"])
    return record.get("code") == now and record.get("recheck", {}).get("code", now) == now


def records():
    """Every module's last record, in file order."""
    found = []
    for name in sorted(os.listdir(RESULTS)) if os.path.isdir(RESULTS) else []:
        if name.endswith(".json"):
            with open(os.path.join(RESULTS, name)) as f:
                found.append(json.load(f))
    return found


def table(records):
    """The Markdown table ``report`` writes, with the equivalent survivors' reasons."""
    lines = ["Mutants killed per module (mutmut, each module with its own tests: "
             "`benchmarks/mutation.py`; equivalent survivors are not counted)", "",
             "| module | mutants | killed | survived (equivalent) | not checked | timeout or crash "
             "| killed share | target | met? | run | on this code? |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    current = 0
    for r in sorted(records, key=lambda r: (r["module"] not in DATA_PATH, r["module"])):
        c = r["counts"]
        value, equivalent = score(r)
        target = TARGET_DATA_PATH if r["module"] in DATA_PATH else TARGET_OTHER
        now = on_code_now(r)
        current += now
        lines.append(
            f"| {r['module']}.py | {sum(c.values())} | {c.get('killed', 0)} "
            f"| {c.get('survived', 0)} ({equivalent}) | {c.get('not checked', 0) + c.get('no tests', 0)} "
            f"| {c.get('timeout', 0) + c.get('segfault', 0)} | {value:.1%} | >= {target:.0%} | {'yes' if value >= target else 'no'} "
            f"| {run_label(r)} | {'yes' if now else 'no'} |")
    lines += ["", f"Run on the code of this commit (package, examples, `pyproject.toml` and the "
                  f"module's tests, fingerprinted by `code_fingerprint`): {current} of {len(TESTS)} modules."]
    passed = [r for r in records if order_failures(r) == {}]
    failed = [r for r in records if order_failures(r)]
    lines += ["", f"Kills checked against the test order (each killing function's tests, in the order "
                  f"mutmut ran them, pass on the unmutated code: `order_check`): {len(passed)} of "
                  f"{len(TESTS)} modules passed" + (", these failed:" if failed else ".")]
    lines += [f"- {r['module']}.py: {_failures_text(order_failures(r))}" for r in failed]
    missing = [m for m in TESTS if not any(r["module"] == m for r in records)]
    if missing:
        lines += ["", "Not run yet: " + ", ".join(f"{m}.py" for m in missing) + "."]
    listed = [(n, why) for r in records for n, why in EQUIVALENT.items() if n in r["survived"]]
    stale = [n for n in EQUIVALENT if not any(n in r["survived"] for r in records)
             and any(n.startswith(f"sklearn_electra.{r['module'].replace('/', '.')}.") for r in records)]
    if listed:
        by_reason = {}
        for name, why in listed:
            by_reason.setdefault(why, []).append(name)
        lines += ["", "Equivalent survivors (no behaviour changes):", ""]
        lines += [f"- {', '.join(f'`{n}`' for n in names)}: {why}" for why, names in by_reason.items()]
    if stale:
        lines += ["", "Listed as equivalent but no longer surviving: " + ", ".join(stale)]
    return "\n".join(lines) + "\n"


def report():
    found = records()
    text = table(found)
    with open(os.path.join(os.path.dirname(RESULTS), "mutation.md"), "w") as f:
        f.write(text)
    print(text)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help='modules ("windows", "targets/labels") or "report"')
    parser.add_argument("--all", action="store_true", help="every module in TESTS")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested side by side")
    parser.add_argument("--limit", type=int, default=3600, help="seconds one module may run")
    parser.add_argument("--recheck", action="store_true",
                        help="re-test only the survivors of each module's last run")
    parser.add_argument("--check-order", action="store_true",
                        help="run order_check on each module's last run (its work folder) only")
    parser.add_argument("--resume", action="store_true",
                        help="test only the mutants each module's last (stopped) run did not "
                             "reach")
    args = parser.parse_args(argv)
    unmapped = set(package_modules()) - set(TESTS) - NOT_MUTATED
    if unmapped:
        parser.error(f"modules with no tests in TESTS: {sorted(unmapped)}")
    if args.modules == ["report"]:
        return report()
    modules = list(TESTS) if args.all else args.modules
    unknown = [m for m in modules if m not in TESTS]
    if unknown or not modules:
        parser.error(f"name modules from {sorted(TESTS)} or pass --all (got {unknown or 'none'})")
    if args.recheck and args.resume:
        parser.error("--recheck and --resume each go on from the last run: pass one")
    if args.check_order:
        records = [check_order(m, args.max_children) for m in modules]
        report()
        return records
    records = [run(m, args.max_children, args.limit, args.recheck, args.resume) for m in modules]
    report()
    return records


if __name__ == "__main__":
    main()
