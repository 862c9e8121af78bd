"""The package as a whole: a fast, light import and a public API that resolves."""
from __future__ import annotations

import subprocess
import sys

import pytest

import mcqual as mq
from mcqual.errors import CATALOG, McqualError, TranscriptError, catalog_markdown


def test_import_does_not_load_heavy_packages():
    code = ("import sys, mcqual; heavy = [m for m in ('torch', 'sentence_transformers', 'bertopic', "
            "'transformers', 'spacy', 'sklearn', 'matplotlib') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", sorted(mq._LAZY))
def test_every_public_name_resolves(name):
    assert getattr(mq, name) is not None


@pytest.mark.parametrize("name", sorted(mq._SUBMODULES))
def test_public_submodules_resolve(name):
    assert getattr(mq, name) is not None


def test_unknown_attribute_raises():
    with pytest.raises(AttributeError):
        mq.no_such_thing  # noqa: B018


def test_errors_are_numbered_and_name_the_file():
    err = TranscriptError("E104", "the zip archive ends early", path="int-01.docx")
    assert isinstance(err, McqualError)
    assert str(err).startswith("[E104] int-01.docx: the zip archive ends early")
    assert CATALOG["E104"][1] in str(err)


def test_catalog_codes_are_well_formed():
    for code, (title, todo) in CATALOG.items():
        assert len(code) == 4 and code[0] == "E" and code[1:].isdigit()
        assert title and todo
    assert catalog_markdown().count("\n") == len(CATALOG) + 1


def test_errors_pickle_for_process_pools():
    import pickle

    err = TranscriptError("E108", "empty", path="x.docx")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.code == "E108"
