"""cleaner: clean and audit scraped news articles.

Library entry points (the CLI is a thin layer over these):

>>> from cleaner import clean_text
>>> result = clean_text("Headline\\n\\nThe story.\\n\\nRelated Articles\\n")
>>> result.cleaned
'Headline\\n\\nThe story.\\n'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from cleaner.model import Action, Article, ArticleResult, Byline, Edit, Finding, Readability, Severity
from cleaner.pipeline import Pipeline, clean_article, clean_text

try:
    __version__ = version("cleaner")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "Action", "Article", "ArticleResult", "Byline", "Edit", "Finding", "Pipeline", "Readability",
    "Severity", "__version__", "clean_article", "clean_text",
]
