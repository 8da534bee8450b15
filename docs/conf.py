"""Sphinx configuration: Markdown guides (MyST) + API reference from numpydoc docstrings.

Build with ``make docs`` (strict: every warning is an error).
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import sklearn_electra  # noqa: E402

project = "sklearn_electra"
author = "sklearn_electra developers"
release = version = sklearn_electra.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "numpydoc",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"sklearn_electra {release}"
html_static_path = []
