"""Codebook: the model (codes, hierarchy), file formats (YAML, Excel, REFI-QDA .qdc) and validation."""
from .model import Code, Codebook

__all__ = ["Code", "Codebook"]
