"""mcqual: code qualitative interviews offline.

The public API is flat: ``import mcqual as mq; mq.read_docx(...)``. Every name
is loaded on first use (PEP 562 ``__getattr__``), so ``import mcqual`` imports
neither pandas nor spaCy nor torch.

Examples
--------
>>> import mcqual as mq
>>> t = mq.Transcript.from_turns("int-01", [("Interviewer", "Do employers trust badges?"),
...                                         ("R1", "Some do, if the issuer is known.")])
>>> t.turns[1].speaker
'R1'
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

#: public name -> module (relative to the package) that defines it
_LAZY: dict[str, str] = {
    # errors and model
    "McqualError": "errors", "TranscriptError": "errors", "CodebookError": "errors",
    "ProjectError": "errors", "SuggestError": "errors", "AnalysisError": "errors",
    "ExchangeError": "errors", "GuideError": "errors", "PrivacyError": "errors",
    "MissingDependencyError": "errors",
    "Transcript": "model", "Turn": "model", "Paragraph": "model", "Comment": "model",
    "Segment": "model", "Suggestion": "model", "Coding": "model", "Evidence": "model",
    "Corpus": "corpus", "ReadFailure": "corpus",
    # readers
    "read_docx": "io.docx", "read_text": "io.text", "read_transcripts": "io.transcripts",
    "read_attributes": "io.attributes",
    # codebook and guide
    "Code": "codebook.model", "Codebook": "codebook.model", "load_codebook": "codebook.load",
    "Guide": "guide", "load_guide": "guide",
    "align_guide": "align", "Alignment": "align", "guide_codebook": "align",
    "read_survey": "io.survey", "survey_codings": "io.survey",
    # segments and suggestions
    "segments": "segment", "Segments": "segment",
    "Suggestions": "suggest.base", "RuleSuggester": "suggest.rules",
    "EmbeddingSuggester": "suggest.embedding", "LearnedSuggester": "suggest.learned",
    "Ensemble": "suggest.ensemble", "EmergentThemes": "suggest.emergent", "Windowed": "suggest.windowed",
    "ThemeFinder": "suggest.themes", "Quality": "project.quality",
    "evaluate": "evaluation",
    # project
    "Project": "project.project",
    "copy_project": "project.copy", "backup_project": "project.copy", "CopyReport": "project.copy",
    # analysis
    "code_case_matrix": "analysis.matrices", "code_group_matrix": "analysis.matrices",
    "cooccurrence": "analysis.matrices", "framework_matrix": "analysis.matrices", "select_quotes": "analysis.quotes",
    "question_grid": "analysis.grid", "guide_crosstab": "analysis.grid", "question_spans": "analysis.grid",
    "code_summary": "analysis.matrices", "agreement": "analysis.agreement",
    "agreement_report": "analysis.agreement_report", "merge_projects": "exchange.merge",
    # exchange and privacy
    "to_qdpx": "exchange.qdpx", "read_qdpx": "exchange.qdpx", "import_qdpx": "exchange.qdpx_import",
    "read_comment_codings": "exchange.comments",
    "pseudonymise": "privacy",
}

#: public submodules reachable as attributes: mq.reliability, mq.plot, mq.export
_SUBMODULES = {"reliability": "analysis.reliability", "plot": "export.plots", "export": "export",
               "exchange": "exchange", "privacy": "privacy", "errors": "errors"}

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f".{_SUBMODULES[name]}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'mcqual' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .corpus import Corpus, ReadFailure
    from .errors import (AnalysisError, CodebookError, ExchangeError, GuideError, McqualError,
                         MissingDependencyError, PrivacyError, ProjectError, SuggestError, TranscriptError)
    from .model import Coding, Comment, Evidence, Paragraph, Segment, Suggestion, Transcript, Turn
