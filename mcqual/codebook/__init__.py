"""Codebook: the model (codes, hierarchy), file formats (YAML, Excel, REFI-QDA .qdc) and validation."""
from .load import load_codebook, save_codebook
from .model import Code, Codebook

__all__ = ["Code", "Codebook", "load_codebook", "save_codebook"]
