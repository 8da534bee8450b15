"""``ElectraRTDPretrainer``: ELECTRA pretraining (replaced token detection) on your own text."""

from __future__ import annotations

import numbers
import os

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from transformers import ElectraForMaskedLM, ElectraForPreTraining

from ._base import ElectraNetBase
from ._docs import document_parameters
from ._inference import refused
from .augment import replace_tokens
from .data import EncodedDataset
from .modeling import build_config, load_pretrained, resolve_model
from .recipe import pretraining_recipe
from .rtd import ElectraRTD, binary_entropy, generator_config
from .tokenization import encode_texts
from .validation import check_texts

__all__ = ["ElectraRTDPretrainer"]

_COUNTS = ("n_masked", "gen_correct", "n_tokens", "disc_correct", "n_replaced", "n_flagged",
           "n_true_flagged")


def pack_sequences(input_ids, max_length, cls_id, sep_id):
    """Pack texts into rows ``[CLS] A [SEP] B [SEP]`` of ``max_length`` tokens, as ELECTRA
    pretrains (``build_pretraining_dataset.py``, ``ExampleBuilder._create_example``).

    The texts' tokens (no special tokens) are concatenated in order and cut into
    rows; each row holds two segments, A (token type 0) and B (token type 1), split
    at the text boundary nearest the middle (or the middle when a text spans the
    row), so that segment embeddings and ``[SEP]`` are trained for text pairs.
    Every tenth row is a single segment, as the reference makes 10% of its examples
    (which classification inputs resemble). No compute is spent on padding: only
    the last row may be shorter.

    Parameters
    ----------
    input_ids : list of 1-d int arrays
        Each text's token ids without special tokens.
    max_length : int
    cls_id, sep_id : int

    Returns
    -------
    rows, token_types : lists of 1-d int arrays

    Examples
    --------
    >>> rows, types = pack_sequences([np.array([5, 6, 7]), np.array([8, 9])], 8, cls_id=2, sep_id=3)
    >>> rows[0].tolist(), types[0].tolist()
    ([2, 5, 6, 7, 3, 8, 9, 3], [0, 0, 0, 0, 0, 1, 1, 1])
    """
    lengths = np.fromiter((len(x) for x in input_ids), dtype=np.int64, count=len(input_ids))
    stream = np.concatenate(input_ids).astype(np.int32) if len(input_ids) else np.zeros(0, np.int32)
    boundaries = np.cumsum(lengths)[:-1]  # where a new text starts in the stream
    rows, types = [], []
    start = 0
    while start < len(stream):
        single = len(rows) % 10 == 9
        body = max_length - (2 if single else 3)
        piece = stream[start:start + body]
        if single or len(piece) < 2:
            row = np.concatenate([[cls_id], piece, [sep_id]])
            types.append(np.zeros(len(row), dtype=np.int8))
        else:
            inside = boundaries[(boundaries > start) & (boundaries < start + len(piece))] - start
            middle = len(piece) // 2
            split = int(inside[np.argmin(np.abs(inside - middle))]) if len(inside) else middle
            row = np.concatenate([[cls_id], piece[:split], [sep_id], piece[split:], [sep_id]])
            types.append(np.concatenate([np.zeros(split + 2, np.int8), np.ones(len(piece) - split + 1, np.int8)]))
        rows.append(row.astype(np.int32))
        start += len(piece)
    return rows, types


@document_parameters(notes={
    "lr": """Peak learning rate; ``None``: the paper's pretraining rate for the model's
        size, 5e-4 for Small (and ``"tiny"``), 2e-4 for Base and Large. The value used
        is ``recipe_.lr``.""",
    "layerwise_lr_decay": """``None`` means 1.0: pretraining trains every layer at the same rate.""",
    "warmup_ratio": """``None``: the reference's 10,000 warmup steps, at most 10% of the run
        (a short run would otherwise never leave warmup); a float: that fraction.""",
    "validation_fraction": """Share of the packed rows held out to report ``valid_`` RTD metrics
        (fresh masking on every pass); ``None`` or 0 pretrains on everything.""",
})
class ElectraRTDPretrainer(ElectraNetBase):
    """ELECTRA pretraining by replaced token detection, on unlabeled texts.

    A small masked-language-model generator fills masked positions with
    plausible tokens and the discriminator learns, for every token, whether it
    is original or replaced (see :mod:`sklearn_electra.rtd`). The
    discriminator is the encoder to fine-tune: export it with
    :meth:`save_pretrained` and pass the directory as ``model=`` to
    :class:`ElectraClassifier` or :class:`ElectraTagger`.

    Texts are tokenized once and packed into rows of ``max_length`` tokens,
    ``[CLS] A [SEP] B [SEP]`` with two segments as the paper pretrains (see
    :func:`pack_sequences`), so no compute goes to padding.

    Parameters
    ----------
    mask_prob : float or None, default=None
        Share of the maskable tokens (all but ``[CLS]``, ``[SEP]``, ``[MASK]`` and
        padding) masked per batch, fresh on every batch; ``None`` means the paper's
        0.15, or 0.25 for Large.
    generator_size : float or None, default=None
        Generator width as a fraction of the discriminator's, in (0, 1];
        ``None`` means the paper's 1/4 for Small and Large, 1/3 for Base.
    disc_weight : float, default=50.0
        Weight of the discriminator loss against the generator's (the paper's 50).
    temperature : float, default=1.0
        Sampling temperature of the generator's replacements.
    generator : str, os.PathLike or None, default=None
        A generator checkpoint directory (``ElectraForMaskedLM``) to continue
        from; ``None`` creates one at ``generator_size``.{parameters}

    Attributes
    ----------
    recipe_ : sklearn_electra.recipe.Recipe
        The settings used (``lr``, ``generator_size``, ``mask_prob``, warmup).
    module_ : sklearn_electra.rtd.ElectraRTD
        ``module_.discriminator`` (``ElectraForPreTraining``) and
        ``module_.generator`` (``ElectraForMaskedLM``).
    history_ : skorch.History
        Per epoch: ``train_loss``, ``gen_loss``, ``gen_acc`` (on masked
        positions), ``disc_loss``, ``disc_acc``, ``disc_precision`` and
        ``disc_recall`` (on replaced tokens), ``replaced_fraction``,
        ``disc_base_entropy`` (the loss of a discriminator that only knows
        the replaced fraction: ``disc_loss`` must fall below it), ``steps`` and
        ``tokens_seen`` (cumulative), ``dur``.

    Examples
    --------
    >>> from sklearn_electra import ElectraRTDPretrainer
    >>> texts = ["the cat sat on the mat", "a dog ran in the park"] * 20
    >>> pre = ElectraRTDPretrainer(model="tiny", max_length=16, max_epochs=1, random_state=0)
    >>> pre = pre.fit(texts)
    >>> sorted(k for k in pre.history_[-1] if k.startswith("disc_"))
    ['disc_acc', 'disc_base_entropy', 'disc_loss', 'disc_precision', 'disc_recall']
    >>> len(pre.fill_mask("the [MASK] sat on the mat", top_k=3)[0])
    3
    """

    _hf_model_class = ElectraForPreTraining
    _parameter_constraints = {
        **ElectraNetBase._parameter_constraints,
        "mask_prob": [None, Interval(numbers.Real, 0, 1, closed="neither")],
        "generator_size": [None, Interval(numbers.Real, 0, 1, closed="right")],
        "disc_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "generator": [None, str, os.PathLike],
    }

    def __init__(self, model="tiny", *, mask_prob=None, generator_size=None, disc_weight=50.0,
                 temperature=1.0, generator=None, max_epochs=10, validation_fraction=None, **kwargs):
        super().__init__(model, max_epochs=max_epochs, validation_fraction=validation_fraction,
                         **kwargs)
        self.mask_prob = mask_prob
        self.generator_size = generator_size
        self.disc_weight = disc_weight
        self.temperature = temperature
        self.generator = generator

    # skorch's inference methods would run a random RTD step; these are the outputs.
    _INSTEAD = ("use fill_mask(texts) for the generator's guesses or replaced_token_scores(texts) "
                "for the discriminator's; save_pretrained(path) exports the encoder to fine-tune.")
    predict = refused(_INSTEAD)
    predict_proba = refused(_INSTEAD)
    forward = refused(_INSTEAD)
    forward_iter = refused(_INSTEAD)

    # ------------------------------------------------------------ settings
    def _resolve_recipe(self, source):
        config = build_config(source, self.get_params_for("module"))
        return pretraining_recipe(config, None if source.pretrained else source.name, lr=self.lr,
                                  layerwise_lr_decay=self.layerwise_lr_decay,
                                  warmup_ratio=self.warmup_ratio, generator_size=self.generator_size,
                                  mask_prob=self.mask_prob, max_epochs=self.max_epochs)

    # ------------------------------------------------------------ data
    def _check_inputs(self, X, *, fitting):
        return check_texts(X, allow_pairs=False)

    def _make_dataset(self, inputs, targets=None, fitting=False):
        # Each text without its [CLS] and [SEP]: rows get their own.
        ids, _, _ = encode_texts(self.tokenizer_, inputs, max_length=10**9)
        rows, types = pack_sequences([x[1:-1] for x in ids], self.max_length,
                                     self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        if fitting and (not rows or len(rows[0]) < self.max_length):
            n_tokens = sum(len(x) - 2 for x in ids)
            raise ValueError(
                f"The corpus holds {n_tokens} tokens, too few to fill one sequence of max_length="
                f"{self.max_length}. Add text or lower max_length."
            )
        return EncodedDataset(rows, types)

    # ------------------------------------------------------------ model
    def initialize_module(self):
        """Discriminator (preset or checkpoint) and a generator sharing its embeddings."""
        if self.tokenizer_.mask_token_id is None:
            raise ValueError("The tokenizer has no mask token; RTD pretraining needs [MASK].")
        discriminator = self._build_model()  # an ElectraForPreTraining
        if self.generator is not None:
            generator_source = resolve_model(self.generator)
            if not generator_source.pretrained:
                # A preset's config has BERT's 30,522 ids, not this tokenizer's: torch would
                # fail on the shared embeddings' shapes.
                raise ValueError(
                    f"generator={self.generator!r} names a preset, not a checkpoint: generator= "
                    "continues from a directory written by save_pretrained(path, "
                    "generator_path=...). Leave it None for a new generator (sized by "
                    "generator_size=)."
                )
            generator = load_pretrained(ElectraForMaskedLM, generator_source,
                                        build_config(generator_source))
        else:
            generator = ElectraForMaskedLM(generator_config(discriminator.config,
                                                            self.recipe_.generator_size))
        tok = self.tokenizer_
        # Never masked, as the reference's _get_candidates_mask: [UNK] can be.
        never_masked = [tok.cls_token_id, tok.sep_token_id, tok.mask_token_id, tok.pad_token_id]
        self.module_ = ElectraRTD(discriminator, generator, never_masked, tok.mask_token_id,
                                  self.recipe_.mask_prob, self.temperature, self.disc_weight)
        return self

    def infer(self, x, runtime=None, module=None, **fit_params):
        """One RTD step (masking, generator, sampling, discriminator): an :class:`RTDOutput`."""
        runtime = runtime or self._resolve_runtime()
        x = runtime.to(x)
        with runtime.autocast():
            return (module or self.module_)(**x, **fit_params)

    def get_loss(self, y_pred, y_true=None, X=None, training=False):
        """``gen_loss + disc_weight * disc_loss``, computed inside the RTD module."""
        return y_pred.loss

    def _record(self, out, prefix=""):
        for name in ("gen_loss", "disc_loss"):
            self.history.record_batch(prefix + name, getattr(out, name).item())
        for name in _COUNTS:
            self.history.record_batch(prefix + name, int(getattr(out, name)))

    def train_step(self, batch, run=None, **fit_params):
        step = super().train_step(batch, run=run, **fit_params)
        self._record(step["y_pred"])
        return step

    def validation_step(self, batch, run=None, **fit_params):
        """RTD losses on a held-out batch (fresh masking, no gradient)."""
        run.module.eval()
        with torch.no_grad():
            out = self.infer(batch[0], runtime=run.runtime, module=run.module, **fit_params)
        self._record(out, "valid_")
        return {"loss": out.loss, "y_pred": out}

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Epoch metrics from the per-batch counts (see ``history_`` above)."""
        super().on_epoch_end(net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs)
        batches = self.history[-1]["batches"]
        for prefix in ("", "valid_"):
            rows = [b for b in batches if prefix + "n_tokens" in b]
            if not rows:
                continue
            total = {k: sum(b[prefix + k] for b in rows) for k in _COUNTS}
            # Batch losses are means over masked (generator) or real (discriminator) tokens.
            for name, count in (("gen_loss", "n_masked"), ("disc_loss", "n_tokens")):
                weights = [max(1, b[prefix + count]) for b in rows]
                self.history.record(prefix + name, float(np.average([b[prefix + name] for b in rows],
                                                                    weights=weights)))
            replaced = total["n_replaced"] / max(1, total["n_tokens"])
            self.history.record(prefix + "gen_acc", total["gen_correct"] / max(1, total["n_masked"]))
            self.history.record(prefix + "disc_acc", total["disc_correct"] / max(1, total["n_tokens"]))
            self.history.record(prefix + "disc_precision",
                                total["n_true_flagged"] / max(1, total["n_flagged"]))
            self.history.record(prefix + "disc_recall",
                                total["n_true_flagged"] / max(1, total["n_replaced"]))
            self.history.record(prefix + "replaced_fraction", replaced)
            self.history.record(prefix + "disc_base_entropy", binary_entropy(replaced))
            if prefix == "":
                previous = self.history[-2] if len(self.history) > 1 else {}
                steps = -(-len(rows) // self.gradient_accumulation_steps)  # optimizer steps
                self.history.record("steps", previous.get("steps", 0) + steps)
                self.history.record("tokens_seen", previous.get("tokens_seen", 0) + total["n_tokens"])

    # ------------------------------------------------------------ inference
    def fill_mask(self, texts, top_k=5):
        """The generator's top-``top_k`` guesses for every ``[MASK]`` in each text.

        This is the honest form of "generation" in ELECTRA: the generator only
        fills masked positions, to give the discriminator replacements to detect.

        Parameters
        ----------
        texts : str or list of str
            Texts holding the tokenizer's mask token (``[MASK]``).
        top_k : int, default=5

        Returns
        -------
        list
            Per mask, the ``top_k`` (token, probability) pairs, most likely
            first; for a list of texts, one such list per text.
        """
        self.check_is_fitted()
        single = isinstance(texts, str)
        texts = check_texts([texts] if single else texts, allow_pairs=False)
        mask_id = self.tokenizer_.mask_token_id
        ids, types = self._encode_texts(texts)
        results = []
        with self._inference() as (runtime, module):
            for seq, seg in zip(ids, types):
                input_ids = torch.as_tensor(seq, dtype=torch.long, device=runtime.device)[None]
                is_masked = input_ids == mask_id
                if not is_masked.any():
                    results.append([])
                    continue
                logits = module.generator_logits(
                    input_ids, torch.ones_like(input_ids),
                    torch.as_tensor(seg, dtype=torch.long, device=runtime.device)[None], is_masked)
                proba, index = torch.softmax(logits.float(), -1).topk(top_k, dim=-1)
                results.append([
                    list(zip(self.tokenizer_.convert_ids_to_tokens(i.tolist()), p.tolist()))
                    for p, i in zip(proba.cpu(), index.cpu())
                ])
        return results[0] if single else results

    def augment(self, texts, n_variants=1, replace_prob=0.15, temperature=1.0, random_state=None):
        """New versions of each text, about ``replace_prob`` of its tokens replaced by the generator.

        The generator sees each text with the chosen tokens masked and proposes
        replacements, drawn at ``temperature`` among tokens of the same kind (a
        CJK character for a CJK character, a whole word for a whole word,
        punctuation for punctuation; never a special token, never the original).
        The rest of the text is kept character for character (see
        :mod:`sklearn_electra.augment`). For a labelled set use
        :func:`sklearn_electra.augment.augment_labeled`.

        Parameters
        ----------
        texts : list of str
        n_variants : int, default=1
        replace_prob : float, default=0.15
            Expected share of each text's tokens replaced.
        temperature : float, default=1.0
            Higher: less likely replacements.
        random_state : int, RandomState or None
            The same seed gives the same texts.

        Returns
        -------
        list of list of str
            ``n_variants`` new texts per text.
        """
        self.check_is_fitted()
        for name, value, low in (("n_variants", n_variants, 1), ("replace_prob", replace_prob, 0),
                                 ("temperature", temperature, 0)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < low or \
                    (name != "n_variants" and value <= 0) or (name == "replace_prob" and value > 1):
                raise ValueError(f"{name}={value!r} is out of range: n_variants is an integer >= 1, "
                                 "replace_prob in (0, 1], temperature > 0.")
        with self._inference() as (runtime, module):
            def propose(rows, is_masked):
                ids = torch.as_tensor(rows, dtype=torch.long, device=runtime.device)
                masked = torch.as_tensor(is_masked, device=runtime.device)
                logits = module.generator_logits(ids, torch.ones_like(ids), torch.zeros_like(ids),
                                                 masked)
                return logits.float().cpu().numpy()

            return replace_tokens(self.tokenizer_, texts, n_variants=int(n_variants),
                                  replace_prob=replace_prob, temperature=temperature,
                                  random_state=random_state, propose=propose,
                                  window=self.max_length - 2)

    def replaced_token_scores(self, texts):
        """The discriminator's probability that each token was replaced.

        Parameters
        ----------
        texts : list of str

        Returns
        -------
        list of list of (str, float)
            Per text, its tokens (special tokens included) with ``P(replaced)``.
        """
        self.check_is_fitted()
        texts = check_texts(texts, allow_pairs=False)
        ids, types = self._encode_texts(texts)
        out = []
        with self._inference() as (runtime, module):
            for seq, seg in zip(ids, types):
                input_ids = torch.as_tensor(seq, dtype=torch.long, device=runtime.device)[None]
                logits = module.discriminator(
                    input_ids=input_ids,
                    token_type_ids=torch.as_tensor(seg, dtype=torch.long, device=runtime.device)[None],
                ).logits[0]
                scores = torch.sigmoid(logits.float()).cpu().tolist()
                out.append(list(zip(self.tokenizer_.convert_ids_to_tokens(seq.tolist()), scores)))
        return out

    # ------------------------------------------------------------ export
    def _export_module(self):
        return self.module_.discriminator

    def save_pretrained(self, path, generator_path=None):
        """Write the discriminator (with its RTD head) and the tokenizer as an HF directory.

        ``transformers.ElectraForPreTraining.from_pretrained(path)`` loads it
        with every weight; ``ElectraClassifier(model=path)`` and
        ``ElectraTagger(model=path)`` fine-tune it. ``generator_path``
        additionally writes the generator (``ElectraForMaskedLM``) and the
        tokenizer there, to continue pretraining later (``generator=``).
        """
        super().save_pretrained(path)
        if generator_path is not None:
            self._write_checkpoint(generator_path, self.module_.generator)
        return self

