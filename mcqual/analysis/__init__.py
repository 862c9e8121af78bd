"""Analysis: theme matrices (code x case, code x group, co-occurrence, framework, summary) and reliability.

The public names are reached through the flat API (``mq.code_case_matrix``,
``mq.agreement``, ``mq.reliability.krippendorff_alpha``...); this package
imports nothing heavy on its own.
"""
