"""The coding project: one SQLite file (or one PostgreSQL schema) with transcripts, codebook versions,
suggestions, the decision log and memos.

``mq.Project`` is defined in :mod:`mcqual.project.project`; the storage interface
in :mod:`mcqual.project.storage`, its SQLite implementation in
:mod:`mcqual.project.store`, its PostgreSQL one in :mod:`mcqual.project.pgstore`;
copies and backups in :mod:`mcqual.project.copy`. Nothing heavy is imported here.
"""
from __future__ import annotations

__all__ = ["Project"]


def __getattr__(name: str):
    if name == "Project":
        from .project import Project

        return Project
    raise AttributeError(f"module 'mcqual.project' has no attribute {name!r}")
