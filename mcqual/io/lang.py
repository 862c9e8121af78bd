"""A small, dependency-free language guess for transcripts (EU languages).

Counts frequent function words (and the script, for Greek, Cyrillic and
others) in the first few thousand words; returns an ISO 639-1 code, or None
when the evidence is thin. It is a guess to fill ``Transcript.language`` when the
caller did not pass ``language=``; pass it explicitly when you know it.

Examples
--------
>>> guess_language("I think that the employers do not trust the badge, and it is a problem for us.")
'en'
>>> guess_language("Ich glaube, dass die Arbeitgeber das Zertifikat nicht kennen, und das ist ein Problem.")
'de'
>>> guess_language("Αυτή είναι μια δοκιμή.")
'el'
>>> guess_language("ok") is None
True
"""
from __future__ import annotations

import re
from collections import Counter

_WORDS = {
    "en": "the and of to is that it in was for you with this are have not but they be we what on",
    "de": "der die das und ist nicht ich ein eine zu den mit sie es auf wir auch dass sich für von",
    "fr": "le la les et est une des pas que je il en du pour qui dans nous sur vous ce",
    "es": "el la los las y es que de en un una no por para con se lo como pero muy",
    "it": "il la che di e è non un una per sono con mi ma gli anche del della questo",
    "nl": "de het een en is van dat niet ik je op te zijn met voor maar ook wat er",
    "pt": "o a os as e é que de não um uma em para com se do da por mas muito",
    "pl": "i w nie na to jest się z że do jak ale co tak od po przez tylko",
    "sv": "och att det är som en på för inte med jag har av till om den",
    "da": "og at det er som en på for ikke med jeg har af til om den de",
    "fi": "ja on ei se että oli kun niin mutta myös ovat tämä hän olen ole",
    "cs": "a je se na že to v s z do jako ale nebo jsem by co tak",
    "ro": "și este în de la că nu o un cu pentru sunt mai care ce",
    "hu": "a az és is hogy nem egy van de meg ez csak már volt mint",
}
_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _WORDS.items():
    for _w in _words.split():
        _LANGS_OF[_w] = _LANGS_OF.get(_w, ()) + (_lang,)
_TOKEN = re.compile(r"[^\W\d_]+")
_SCRIPTS = (("el", re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")), ("bg", re.compile(r"[\u0400-\u04ff]")),
            ("ar", re.compile(r"[\u0600-\u06ff]")), ("zh", re.compile(r"[\u4e00-\u9fff]")))


def guess_language(text: str, *, max_words: int = 200) -> str | None:
    """The most likely ISO 639-1 language code of ``text`` (its first ``max_words`` words), or None if unsure."""
    tokens = _TOKEN.findall(text[: max_words * 7].casefold())[:max_words]
    if len(tokens) < 4:
        return None
    letters = "".join(tokens)
    for lang, script in _SCRIPTS:
        n = len(script.findall(letters))
        if n > 0.3 * len(letters):
            return lang
    counts: Counter[str] = Counter()
    get = _LANGS_OF.get
    for tok, k in Counter(tokens).items():
        for lang in get(tok, ()):
            counts[lang] += k
    if not counts:
        return None
    (best, n1), *rest = counts.most_common(2) + [("", 0)]
    n2 = rest[0][1]
    if n1 < 2 or n1 < 0.08 * len(tokens) or n1 < 1.3 * n2:
        return None
    return best
