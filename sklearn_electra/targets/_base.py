"""What every kind of target shares: the weighted mean, learned classes, class weights."""

from __future__ import annotations

import numbers

import numpy as np
import torch

from ..validation import is_object_like

__all__ = ["Target", "ClassesTarget", "head_config", "weighted_mean", "entropy", "learn_classes", "as_classes",
           "resolve_class_weight"]


def weighted_mean(losses, weight=None):
    """``sum(weight * losses) / sum(weight)``: scikit-learn's normalization of a weighted loss.

    Integer weights give the loss of the repeated rows; a batch whose weights are all
    zero gives 0 (with a graph, so ``backward`` still runs). No host sync on a GPU.

    Examples
    --------
    >>> weighted_mean(torch.tensor([1.0, 4.0]), torch.tensor([3.0, 1.0])).item()
    1.75
    >>> weighted_mean(torch.tensor([1.0, 4.0]), torch.tensor([0.0, 0.0])).item()
    0.0
    """
    if weight is None:
        return losses.mean() if losses.numel() else losses.sum()
    weight = weight.to(losses.dtype)
    return (losses * weight).sum() / weight.sum().clamp_min(torch.finfo(losses.dtype).tiny)


def entropy(mass):
    """Entropy (nats) of the distribution proportional to ``mass`` (zeros allowed).

    >>> round(entropy([1, 1]), 4), entropy([3, 0])
    (0.6931, 0.0)
    """
    p = np.asarray(mass, dtype=np.float64)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log(p)).sum()) + 0.0  # no -0.0


def as_classes(values):
    """Labels as an array, objects kept as objects (strings stay str, not numpy's ``<U``)."""
    values = list(values)
    return np.asarray(values, dtype=object if is_object_like(values) else None)


def learn_classes(values, source, noun="label", class_noun="class", kind="classifier"):
    """The sorted set of ``values``; at least two, mutually sortable.

    ``source`` names them in errors (``"y"``, ``"classes"``).

    Examples
    --------
    >>> learn_classes(["b", "a", "b"], "y").tolist()
    ['a', 'b']
    """
    values = list(values)
    try:
        learned = np.unique(np.asarray(values, dtype=object if is_object_like(values) else None))
    except TypeError as exc:
        kinds = sorted({type(v).__name__ for v in values})
        raise TypeError(
            f"Labels must be mutually sortable; {source} mixes {', '.join(kinds)}. Convert them "
            "to one type, e.g. y.astype(str)."
        ) from exc
    if len(learned) < 2:
        what = f"a single {class_noun} {learned[0]!r}" if len(learned) else f"no {noun}s"
        plural = class_noun + ("es" if class_noun == "class" else "s")
        raise ValueError(f"{source} has {what}; a {kind} needs at least 2 {plural}.")
    return as_classes(learned)


def resolve_class_weight(class_weight, classes, counts, n_rows, *, incremental=False):
    """One weight per class, in ``classes`` order, as scikit-learn reads ``class_weight``.

    ``"balanced"``: ``n_rows / (n_classes * count)``, :func:`sklearn.utils.compute_class_weight`'s
    meaning; a dict: its weights, 1 for a class it does not name; ``None``: ``None``.
    ``counts`` holds each class's count in the training ``y``.

    Examples
    --------
    >>> resolve_class_weight("balanced", np.array(["a", "b"]), np.array([1, 3]), 4).tolist()
    [2.0, 0.6666666666666666]
    >>> resolve_class_weight({"a": 5}, np.array(["a", "b"]), np.array([1, 3]), 4).tolist()
    [5.0, 1.0]
    """
    if class_weight is None:
        return None
    labels = classes.tolist()
    if isinstance(class_weight, str):  # "balanced" (the parameter's constraint)
        if incremental:
            raise ValueError(
                "class_weight='balanced' needs the counts of the whole training set, which "
                "partial_fit never sees (as in scikit-learn's SGDClassifier). Compute them once, "
                "sklearn.utils.class_weight.compute_class_weight('balanced', classes=..., y=...), "
                "and pass class_weight as a dict."
            )
        absent = [c for c, n in zip(labels, counts) if n == 0]
        if absent:
            raise ValueError(f"class_weight='balanced' cannot weigh classes that y does not hold: "
                             f"{absent[:10]}. Pass class_weight as a dict.")
        return (n_rows / (len(labels) * np.asarray(counts, dtype=np.float64))).astype(np.float64)
    unknown = [k for k in class_weight if k not in set(labels)]
    if unknown:
        raise ValueError(f"class_weight names {unknown[:10]}, which are not among the classes "
                         f"{labels}.")
    weights = np.ones(len(labels), dtype=np.float64)
    for i, label in enumerate(labels):
        if label in class_weight:
            value = class_weight[label]
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                    not np.isfinite(value) or value < 0:
                raise ValueError(f"class_weight[{label!r}] is {value!r}; class weights are "
                                 "finite numbers >= 0.")
            weights[i] = float(value)
    return weights


class Target:
    """One kind of ``y``: how it is checked and encoded, the head it needs, its loss, and how
    logits become predictions.

    Chosen at ``fit`` from ``y`` (:func:`sklearn_electra.targets.classification_target`),
    fitted once (``fit``), then used by every hook of the estimator that holds it as
    ``target_``. A subclass defines:

    ``fit(y, inputs, classes=None)``
        Learn what ``y`` fixes (classes, statistics, class weights); returns ``self``.
    ``encode(y, inputs)``
        ``y`` checked against the fitted state, one encoded row per input.
    ``n_outputs`` and ``config()``
        The head's width and the Hugging Face config fields (labels, ``problem_type``).
    ``loss(logits, target, weight)``
        The training loss in float32; ``weight`` holds one sample weight per row or is None.
    ``correct(logits, target)``
        ``(correct, counted)`` for ``valid_acc``.
    ``strata(encoded)``
        Labels to stratify the validation split on (or None).
    ``predict(logits)``, ``predict_proba(logits)``
        Outputs in the form of the fitted ``y``.
    ``metadata()``, ``from_metadata(metadata, config)``
        What ``sklearn_electra.json`` holds of it.
    ``attributes()``
        The estimator's public fitted attributes it fixes (``classes_``, ...).
    """

    kind = None
    problem_type = None
    tunes = False  # whether tune() chooses anything (it costs an inference pass)

    @property
    def plain(self):
        """The target a checkpoint and ``predict`` use (a wrapper's inner one)."""
        return self

    def prior_loss(self, encoded, weight=None):
        """The loss of the best constant prediction (the training labels' prior): where a
        model that ignores its input sits. None where there is no such plateau."""
        return None

    def tune(self, logits, encoded):
        """Choose decision settings from validation outputs (nothing to choose by default)."""
        return self

    def strata(self, encoded):
        return None

    def continues(self, y, classes=None):
        """Check that a later ``partial_fit``'s ``y`` has this target's form (default: yes)."""

    def attributes(self):
        return {}

    def __repr__(self):
        return f"{type(self).__name__}()"


def head_config(names, problem_type=None):
    """Hugging Face config fields for a head with one output per name.

    Examples
    --------
    >>> head_config(["neg", "pos"], "single_label_classification")["id2label"]
    {0: 'neg', 1: 'pos'}
    """
    names = [str(n) for n in names]
    config = {"num_labels": len(names), "id2label": dict(enumerate(names)),
              "label2id": {name: i for i, name in enumerate(names)}}
    if problem_type is not None:
        config["problem_type"] = problem_type
    return config


class ClassesTarget(Target):
    """A target with one output per class (``classes_``)."""

    classes_ = None

    @property
    def n_outputs(self):
        return len(self.classes_)

    def config(self):
        return head_config(self.classes_.tolist(), self.problem_type)
