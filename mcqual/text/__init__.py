"""Text models below segments, alignment and suggesters: sentence splitting and spaCy
pipelines (:mod:`mcqual.text.nlp`), sentence embedders (:mod:`mcqual.text.embedders`) and
the on-disk embedding cache (:mod:`mcqual.text.cache`).

Nothing heavy is imported here: spaCy and torch load on first use.
"""
