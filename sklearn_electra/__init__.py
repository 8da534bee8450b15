"""scikit-learn estimators around ELECTRA (Clark et al., 2020).

>>> from sklearn_electra import ElectraClassifier
>>> ElectraClassifier(model="tiny", max_epochs=5)
ElectraClassifier(max_epochs=5)
"""

from ._base import ElectraNetBase
from ._inference import ElectraInferenceBase, TextTruncationWarning
from ._version import __version__
from .classifier import ElectraClassifier
from .display import ReplacedTokenDisplay, TokenEvidenceDisplay
from .embedder import ElectraEmbedder
from .modeling import PRESETS
from .pretrainer import ElectraRTDPretrainer
from .qa import ElectraQuestionAnswerer
from .regressor import ElectraRegressor
from .tagger import ElectraTagger, repair_bio, split_words
from .tokenization import train_wordpiece
from .training_display import TrainingHistoryDisplay
from .validation import check_texts

__all__ = [
    "ElectraClassifier",
    "ElectraEmbedder",
    "ElectraTagger",
    "ElectraInferenceBase",
    "ElectraNetBase",
    "ElectraQuestionAnswerer",
    "ElectraRTDPretrainer",
    "ElectraRegressor",
    "PRESETS",
    "ReplacedTokenDisplay",
    "TokenEvidenceDisplay",
    "TextTruncationWarning",
    "TrainingHistoryDisplay",
    "check_texts",
    "repair_bio",
    "split_words",
    "train_wordpiece",
    "__version__",
]
