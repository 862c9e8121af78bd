"""The package version, in one place (read by the package face and by every writer that stamps files)."""
__version__ = "0.1.0"
