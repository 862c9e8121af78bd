"""Speaker labels, timestamps and roles: the conventions shared by the Word and text readers.

A transcript line can open a turn in one of these ways (``NAME`` is one to five
capitalised words, a role word such as ``Interviewer``, initials, or an id):

========================  ==========================================  ==========
form                      example                                     strength
========================  ==========================================  ==========
label, separator, text    ``Interviewer: Do you…`` ``R1: Yes`` ``I – So``  see below
bracketed id              ``[id1] hello`` ``[P2]: yes``                medium
label alone + time        ``Jordan Lee   0:01`` (Teams), ``Ana  01:43``   strong
time + label alone        ``00:00:03 Speaker 1`` (Word Transcribe)     strong
label alone               ``Interviewer:`` (text in the next paragraph)  see below
========================  ==========================================  ==========

A leading timestamp (``[00:05:12] Moderator: …``) is allowed before any form.
A candidate becomes a label when it is *strong* (a role word such as
``Interviewer``/``Q``/``R1``/``P3``, a bold label in Word, a label-alone line
with a time, or a match of the caller's ``speaker_pattern``), *medium* (initials
``AB:``, ``[id1]``) and there are two different medium/strong speakers, or
*weak* (any other name) and the same name opens at least two lines while at
least two speakers are in play. Words that precede a colon in ordinary prose
(``Note:``, ``Yes:``, ``Date:``…) are never labels, and ``at 10:30`` is not a
label because a colon followed by a digit is a time, not a separator.

Examples
--------
>>> parse_time("1:02:03"), parse_time("01:43"), parse_time("00:00:03,500")
(3723.0, 103.0, 3.5)
>>> c = parse_label("Interviewer: Do employers trust badges?")
>>> c.speaker, c.strength, "Interviewer: Do employers trust badges?"[c.content:]
('Interviewer', 'strong', 'Do employers trust badges?')
>>> parse_label("We met at 10:30 in Brussels.") is None
True
>>> role_of_label("R2"), role_of_label("Moderator"), role_of_label("Jordan Lee")
('respondent', 'interviewer', None)
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

from ..errors import TranscriptError

# --------------------------------------------------------------------------- times
_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIME3 = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"
_TIME_RE = re.compile(rf"^\s*(?:(\d{{1,2}}):)?(\d{{1,2}}):(\d{{2}})(?:[.,](\d{{1,3}}))?\s*$")
#: a timestamp opening a turn's text: bracketed (any form) or bare H:MM:SS
LEADING_TIME = re.compile(rf"[\[(]\s*(?P<time>{_TIME})\s*[\])]\s*[:\-–—]?\s*|(?P<bare>{_TIME3})(?=\s|$)\s*[:\-–—]?\s*")


def parse_time(value: str) -> float | None:
    """``'1:02:03' -> 3723.0``; two parts are minutes:seconds; ``None`` when not a time.

    Examples
    --------
    >>> parse_time("0:01"), parse_time("[00:12]".strip("[]")), parse_time("soon")
    (1.0, 12.0, None)
    """
    m = _TIME_RE.match(value)
    if not m:
        return None
    h, mi, s, frac = m.groups()
    if int(s) >= 60 or (h is not None and int(mi) >= 60):
        return None
    total = int(h or 0) * 3600 + int(mi) * 60 + int(s)
    if frac:
        total += int(frac) / 10 ** len(frac)
    return float(total)


def strip_leading_time(text: str, pos: int = 0) -> tuple[float | None, int]:
    """A timestamp at ``text[pos:]`` (``[00:12:31]``, ``(00:12)``, ``00:12:31``): its seconds and where text resumes.

    Examples
    --------
    >>> strip_leading_time("[00:12:31] So, yes.")
    (751.0, 11)
    >>> strip_leading_time("10:30 is when we met")
    (None, 0)
    """
    m = LEADING_TIME.match(text, pos)
    if not m:
        return None, pos
    value = parse_time(m.group("time") or m.group("bare"))
    if value is None:
        return None, pos
    return value, m.end()


# --------------------------------------------------------------------------- lexicons
_NUM_TAIL = re.compile(r"[\s._\-]*\d+$")
_PAREN_TAIL = re.compile(r"\s*\([^)]*\)\s*$")
_PUNCT_TAIL = re.compile(r"[.:\s]+$")


def _norm(label: str) -> str:
    """Lower-case a label, drop punctuation and a trailing number: ``'R2' -> 'r'``, ``'Int.' -> 'int'``."""
    s = _NUM_TAIL.sub("", label.strip().casefold())
    s = _PAREN_TAIL.sub("", s)
    return _PUNCT_TAIL.sub("", s).strip()


INTERVIEWER_WORDS = frozenset("""
interviewer int i q iv question moderator mod facilitator researcher host interviewerin moderatorin
befrager befragerin intervistatore intervistatrice moderatore entrevistador entrevistadora moderador
moderadora enquêteur enquêtrice enqueteur animateur animatrice interviewer(in) onderzoeker
""".split())
RESPONDENT_WORDS = frozenset("""
respondent resp r a answer interviewee participant p ie b befragte befragter befragt teilnehmer
teilnehmerin intervistato intervistata entrevistado entrevistada répondant repondant participante
partecipante deelnemer learner employer provider stakeholder student expert trainee candidate
""".split())
OTHER_WORDS = frozenset("""
observer notetaker note-taker translator interpreter assistant transcriber unknown all several group
everyone multiple others crosstalk
""".split()) | {"note taker", "unknown speaker", "several speakers", "multiple speakers"}
ROLE_WORDS = INTERVIEWER_WORDS | RESPONDENT_WORDS | OTHER_WORDS | {"speaker", "person", "unidentified speaker"}

#: words that precede a colon in ordinary prose or in a metadata block: never speaker labels
NOT_LABELS = frozenset("""
note notes nb ps fyi yes no ok okay well so and but then also first second third finally example examples
e.g eg i.e ie. summary title subject re edit update important warning tip source sources conclusion result
results reason reasons problem problems solution goal goals aim aims why what how when where who because
however therefore date time location place country duration length language project study interview case
transcript transcription transcriber recorded recording file keywords speakers attendees present agenda
topic topics section part chapter question(s) step remark remarks comment comments definition
""".split())

#: keys that mark a key/value metadata block at the top of a transcript
METADATA_KEYS = frozenset("""
date time location place country city region duration length language project study interview interview_id
interview_no interview_number case case_id id group respondent_group sector organisation organization
company role position job age gender sex mode format medium transcriber transcribed recorded recording
file title code pseudonym profile participant_profile respondent_id participant_id session venue
institution provider type setting consent version
""".split())

_ANNOTATIONS = frozenset("""
laughs laughter laughing inaudible unclear crosstalk pause silence sic coughs cough sighs sigh
music noise applause overlapping overlap interruption interrupted break end start
""".split())


def role_of_label(label: str | None) -> str | None:
    """The role a label names by itself (``'interviewer'``, ``'respondent'``, ``'other'``) or None.

    Examples
    --------
    >>> role_of_label("Q"), role_of_label("A"), role_of_label("Observer"), role_of_label("Speaker 1")
    ('interviewer', 'respondent', 'other', None)
    """
    if not label:
        return None
    key = _norm(label)
    if key in INTERVIEWER_WORDS:
        return "interviewer"
    if key in RESPONDENT_WORDS:
        return "respondent"
    if key in OTHER_WORDS or label.strip().casefold() in OTHER_WORDS:
        return "other"
    return None


# --------------------------------------------------------------------------- label candidates
@dataclass(slots=True)
class Candidate:
    """A possible speaker label at the start of a line.

    ``content`` is where the spoken text starts in the line; ``alone`` means the
    line holds only the label (the text follows in the next lines);
    ``label_end`` is where the label ends (for the bold check).
    """

    speaker: str
    time: float | None
    content: int
    alone: bool
    form: str
    strength: str  # strong | medium | weak
    label_start: int = 0
    label_end: int = 0


_NAME_TOKEN = r"[^\W_][\w'’.&-]*"
_LOWER_OK = frozenset("interviewer interviewee respondent moderator participant facilitator researcher".split())
_PARTICLES = frozenset("de van von der den da di la le du del dos das el al bin ten ter y e".split())
_ALONE_AFTER = re.compile(rf"(?P<name>{_NAME_TOKEN}(?:[ \t]{_NAME_TOKEN}){{0,5}})"
                          rf"(?:[ \t]*\((?P<paren>[^()\n]{{1,40}})\))?"
                          rf"(?P<gap>[ \t\u00a0]+)[\[(]?(?P<time>{_TIME})[\])]?[ \t]*:?[ \t]*$")
_ALONE_BEFORE = re.compile(rf"(?P<name>{_NAME_TOKEN}(?:[ \t]{_NAME_TOKEN}){{0,5}})[ \t]*:?[ \t]*$")
_BRACKET = re.compile(r"\[(?P<name>[^\[\]\n:]{1,30})\][ \t]*:?[ \t]*")
_INLINE = re.compile(r"(?P<name>[^\s:\[\]()\-–—][^:\n\[\]()–—]{0,44}?)"
                     r"(?:[ \t]*\((?P<paren>[^()\n]{1,40})\))?"
                     r"[ \t\u00a0]*(?P<sep>:(?![/\\]|\d)|(?<=[ \t\u00a0])-(?=[ \t\u00a0])|[–—](?=[ \t\u00a0]))[ \t\u00a0]*")
_INITIALS = re.compile(r"[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]{1,3}\d?$")
_ID_LIKE = re.compile(r"(?i)^(?:[a-z]{1,4}[ _-]?\d{1,4}|speaker[ _-]?\d+|\d{1,3})$")


def _name_ok(name: str, *, max_tokens: int = 4) -> bool:
    """True when ``name`` looks like a speaker name or role, not a phrase."""
    name = name.strip()
    if not name or len(name) > 40 or any(ch in name for ch in '?!,;"“”«»/\\|=+*#@<>'):
        return False
    if name.endswith((".", "-", "'", "’")) and not re.search(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof)\.$", name):
        if not re.fullmatch(r"(?:[A-Z]\.){1,3}", name):  # "A.B." initials are fine
            return False
    if name.casefold() in ROLE_WORDS or _norm(name) in ROLE_WORDS:
        # "interviewer:" may be typed in lower case; "a:" or "i –" in lower case is prose
        return name[0].isupper() or name[0].isdigit() or _norm(name) in _LOWER_OK
    tokens = name.split()
    if len(tokens) > max_tokens + sum(t.casefold() in _PARTICLES for t in tokens):
        return False
    for i, tok in enumerate(tokens):
        first = tok[0]
        if first.isupper() or first.isdigit():
            continue
        if i > 0 and tok.casefold() in _PARTICLES:
            continue
        return False
    return True


def _strength(name: str) -> str:
    if role_of_label(name) is not None or re.fullmatch(r"(?i)speaker[ _-]?\d+|unknown speaker", name.strip()):
        return "strong"
    if _INITIALS.fullmatch(name.strip()) or _ID_LIKE.match(name.strip()):
        return "medium"
    return "weak"


def parse_label(line: str, pattern: re.Pattern[str] | None = None, *, bare: bool = False) -> Candidate | None:
    """The speaker-label candidate at the start of ``line`` (or None).

    With ``pattern`` (a compiled regex with a ``speaker`` group and an optional
    ``time`` group) only that pattern is tried, and its matches are strong.
    ``bare=True`` also offers a name alone on its line, without separator or time
    (``Researcher``, as Otter exports without timestamps write it): a weak
    ``alone-bare`` candidate that :func:`accept` judges by recurrence.

    Examples
    --------
    >>> parse_label("Jordan Lee   0:01").alone
    True
    >>> c = parse_label("[00:05:12] Moderator: Welcome.")
    >>> c.speaker, c.time
    ('Moderator', 312.0)
    >>> parse_label("I – Shall we begin?").speaker
    'I'
    >>> parse_label("Unknown Speaker", bare=True).form, parse_label("Unknown Speaker") is None
    ('alone-bare', True)
    """
    if pattern is not None:
        return _parse_with_pattern(line, pattern)
    if not line:
        return None
    c = _parse_auto(line)
    return c if c is not None or not bare else _bare_alone(line)


_BARE_STOP = re.compile(r"[:;,.?!…\"“”()\[\]{}/\\=+*#@<>|]")


def _bare_alone(line: str) -> Candidate | None:
    """``Researcher`` or ``Unknown Speaker`` alone on a line, no separator, no time (Otter without times).

    :func:`accept` takes it only when it names a speaker already labelled in another form
    (``DC10  10:22``), or when it recurs beside another recurring one and names a role, an id or a
    full name (``Researcher``, ``Speaker 2``, ``DC10``, ``Anna Kowalska``; not ``Right``).
    """
    s = line.strip()
    if not s or len(s) > 40 or _BARE_STOP.search(s) or parse_time(s) is not None:
        return None
    if _classify(s, 4) is None:
        return None
    lead = len(line) - len(line.lstrip())
    return Candidate(s, None, len(line), True, "alone-bare", _strength(s), lead, lead + len(s))


def _parse_auto(line: str) -> Candidate | None:
    # cheap rejections first: a label needs a separator near the start, or a time at one end
    if line[0] not in "[(0123456789 \t\u00a0":
        head = line[:96]
        if ":" not in head and "–" not in head and "—" not in head and " - " not in head \
                and not (len(line) <= 90 and line.rstrip()[-1:] in "0123456789)]"):
            return None
    # fast path: "Label: text" whose label was seen before (most label lines of a transcript)
    c = line.find(":", 0, 64)
    if c > 0 and line[0] not in "[(0123456789 \t" and (c + 1 == len(line) or line[c + 1] in " \t\u00a0"):
        key = line[:c + 1]
        if key in _PREFIX:
            tpl = _PREFIX[key]
            if tpl is None:
                return None
            if tpl.form != "inline-colon" or tpl.label_end != c + 1:
                return _parse_full(line)  # e.g. "R – text:" where the colon belongs to the text
            content = c + 1
            while content < len(line) and line[content] in " \t\u00a0":
                content += 1
            time, content = strip_leading_time(line, content) if content < len(line) \
                and line[content] in "[(0123456789" else (None, content)
            alone = content >= len(line.rstrip())
            if time is None:  # the same label again: share one (never mutated) candidate, no object per line
                ck = (key, content, alone)
                cand = _CANDS.get(ck)
                if cand is None:
                    if len(_CANDS) > 20000:
                        _CANDS.clear()
                    cand = _CANDS[ck] = Candidate(tpl.speaker, None, content, alone, tpl.form, tpl.strength,
                                                  tpl.label_start, tpl.label_end)
                return cand
            return Candidate(tpl.speaker, time, content, alone, tpl.form, tpl.strength,
                             tpl.label_start, tpl.label_end)
        if len(_PREFIX) > 20000:
            _PREFIX.clear()
        _PREFIX[key] = _parse_full(key)
        return _parse_full(line) if _PREFIX[key] is not None else None
    return _parse_full(line)


def _parse_full(line: str) -> Candidate | None:
    if len(line) > 72:  # only "label: text" forms fit a long line; they need a separator near the start
        head = line[:72]
        if ":" not in head and "–" not in head and "—" not in head and " - " not in head \
                and not head.lstrip()[:1] in ("[", "("):
            return None
    pos = len(line) - len(line.lstrip())
    if pos >= len(line):
        return None
    t1, after = strip_leading_time(line, pos) if line[pos] in "[(0123456789" else (None, pos)
    if t1 is None:
        if len(line) <= 90:
            m = _ALONE_AFTER.fullmatch(line, pos) if line[-1].isdigit() or line[-1] in ")]: \t" else None
            time = parse_time(m.group("time")) if m else None
            if time is not None:
                name = m.group("name").strip()
                if _classify(name, 5) is not None:
                    # "Ana  01:43" (Otter, two or more spaces) is specific; one space needs recurrence
                    strength = "strong" if len(m.group("gap").replace("\t", "  ")) >= 2 else "weak"
                    return Candidate(name, time, len(line), True, "alone-time", strength, pos, m.end("name"))
    else:
        m = _ALONE_BEFORE.fullmatch(line, after)
        if m and _classify(m.group("name").strip(), 5) is not None:
            return Candidate(m.group("name").strip(), t1, len(line), True, "time-alone", "strong",
                             after, m.end("name"))
        pos = after
    if line.startswith("[", pos):
        m = _BRACKET.match(line, pos)
        if m:
            name = m.group("name").strip()
            if parse_time(name) is None and name.casefold() not in _ANNOTATIONS and _name_ok_bracket(name):
                content = m.end()
                t2, content = _time_after(line, content, t1)
                strength = "strong" if _strength(name) == "strong" else "medium"
                return Candidate(name, t1 if t1 is not None else t2, content, content >= len(line.rstrip()),
                                 "bracket", strength, pos, m.end("name") + 1)
            return None
    m = _INLINE.match(line, pos)
    if not m:
        return None
    name = m.group("name").strip()
    strength = _classify(name, 4)
    if strength is None:
        return None
    sep = m.group("sep")
    if sep != ":" and strength == "weak":
        return None  # "Well – I think" is prose; dashes only separate role words, ids, initials
    content = m.end()
    t2, content = _time_after(line, content, t1)
    alone = content >= len(line.rstrip())
    form = "inline-colon" if sep == ":" else "inline-dash"
    return Candidate(name, t1 if t1 is not None else t2, content, alone, form, strength, pos, m.end("sep"))


_PREFIX: dict[str, Candidate | None] = {}
_CANDS: dict[tuple[str, int, bool], Candidate] = {}


@lru_cache(maxsize=8192)
def _classify(name: str, max_tokens: int) -> str | None:
    """The strength of ``name`` as a label (``strong``/``medium``/``weak``), None when it cannot be one."""
    if not _name_ok(name, max_tokens=max_tokens):
        return None
    low = name.casefold()
    if low in NOT_LABELS or (_norm(name) in NOT_LABELS and _norm(name) not in ROLE_WORDS):
        return None
    return _strength(name)


def _full_name(name: str) -> bool:
    """Two to four capitalised words: ``Ben Roth``, ``Siobhán Murphy``."""
    tokens = name.split()
    return 2 <= len(tokens) <= 4 and all(t[0].isupper() and t.replace("-", "").replace("'", "").isalpha()
                                         for t in tokens)


def _name_ok_bracket(name: str) -> bool:
    return bool(_ID_LIKE.match(name)) or _name_ok(name)


def _time_after(line: str, pos: int, t1: float | None) -> tuple[float | None, int]:
    if t1 is not None:
        return None, pos
    return strip_leading_time(line, pos)


def _parse_with_pattern(line: str, pattern: re.Pattern[str]) -> Candidate | None:
    m = pattern.match(line)
    if not m or not m.group("speaker") or not m.group("speaker").strip():
        return None
    time = None
    if "time" in pattern.groupindex and m.group("time"):
        time = parse_time(m.group("time"))
    content = m.end()
    while content < len(line) and line[content].isspace():
        content += 1
    return Candidate(m.group("speaker").strip(), time, content, content >= len(line.rstrip()), "pattern",
                     "strong", m.start("speaker"), m.end())


def compile_pattern(speaker_pattern: str | re.Pattern[str] | None, path: object = None) -> re.Pattern[str] | None:
    """Compile a user ``speaker_pattern``; E112 when it is invalid or has no ``speaker`` group.

    Examples
    --------
    >>> compile_pattern(r"(?P<speaker>[A-Z]+)>").pattern
    '(?P<speaker>[A-Z]+)>'
    """
    if speaker_pattern is None:
        return None
    try:
        pat = speaker_pattern if isinstance(speaker_pattern, re.Pattern) else re.compile(speaker_pattern)
    except (re.error, TypeError) as exc:
        raise TranscriptError("E112", f"speaker_pattern {speaker_pattern!r} is not a valid regular expression ({exc})",
                              path=path) from None
    if "speaker" not in pat.groupindex:
        raise TranscriptError("E112", f"speaker_pattern {pat.pattern!r} has no named group (?P<speaker>...)",
                              path=path)
    return pat


def accept(candidates: Sequence[Candidate | None], bold: Sequence[bool] | None = None) -> list[bool]:
    """Decide which candidates are real labels (see the module docstring for the rule).

    ``bold[i]`` says the label of line ``i`` is bold while the rest of the line is
    not (Word); such labels are strong.

    Examples
    --------
    >>> lines = ["Note: the audio was poor.", "Anna: Hello?", "Ben: Hi.", "Anna: How are you?", "Ben: Fine."]
    >>> accept([parse_label(x) for x in lines])
    [False, True, True, True, True]
    >>> accept([parse_label("Yes: I think so.")])
    [False]
    """
    n = len(candidates)
    strength = []
    for i, c in enumerate(candidates):
        if c is None:
            strength.append(None)
        elif bold is not None and bold[i] and c.strength != "strong":
            strength.append("strong")
        else:
            strength.append(c.strength)
    bare = [c is not None and c.form == "alone-bare" for c in candidates]
    if any(bare):  # bare labels are judged after the others: they may name a speaker seen with a time
        others = accept([None if b else c for c, b in zip(candidates, bare)], bold)
        known = {c.speaker.casefold() for c, ok in zip(candidates, others) if ok and c is not None}
        bare_names = Counter(c.speaker.casefold() for c, b in zip(candidates, bare) if b and c is not None)
        # a bare line that recurs must name a role (Researcher, Speaker 2), an id (DC10) or a full name:
        # one ordinary word ("Right", "Exactly") alone on a line is a reply
        recurring = {c.speaker.casefold() for c, b in zip(candidates, bare) if b and c is not None
                     and bare_names[c.speaker.casefold()] >= 2
                     and (c.strength in ("strong", "medium") or _full_name(c.speaker))}
        # label lines are a good share of an Otter export (every turn opens with one); a word that
        # recurs alone now and then ("Right", "Exactly") in an unlabelled transcript is speech
        if sum(bare_names[k] for k in recurring) < 0.2 * n:
            recurring = set()
        out = list(others)
        for i, (c, b) in enumerate(zip(candidates, bare)):
            if b and c is not None:
                key = c.speaker.casefold()
                out[i] = key in known or (key in recurring and len(recurring | known) >= 2)
        return out
    names = Counter(c.speaker.casefold() for c in candidates if c is not None)
    strong = {c.speaker.casefold() for c, s in zip(candidates, strength) if c is not None and s == "strong"}
    medium = {c.speaker.casefold() for c, s in zip(candidates, strength) if c is not None and s == "medium"}
    weak_rec = {c.speaker.casefold() for c, s in zip(candidates, strength)
                if c is not None and s == "weak" and names[c.speaker.casefold()] >= 2}
    singles = {c.speaker.casefold() for c, s in zip(candidates, strength)
               if c is not None and s == "weak" and names[c.speaker.casefold()] == 1 and c.form == "inline-colon"
               and _full_name(c.speaker)}
    # a weak "Name  0:01"-alone form is convincing when the form itself recurs
    alone_time = sum(1 for c in candidates if c is not None and c.form == "alone-time")
    out = []
    for c, s in zip(candidates, strength):
        key = c.speaker.casefold() if c is not None else ""
        if c is None:
            ok = False
        elif s == "strong":
            ok = not (c.form == "alone-time" and alone_time < 2)
        elif s == "medium":
            ok = len(strong | medium) >= 2 or names[key] >= 2
        else:
            ok = key in weak_rec and len(strong | medium | weak_rec) >= 2
            if not ok and (key in singles or key in weak_rec) and len(strong | medium | weak_rec | singles) >= 2:
                # "Ben Roth: …" once, beside a recurring label, is a speaker too
                ok = any(names[k] >= 2 for k in weak_rec | strong | medium)
            if c.form == "alone-time":
                ok = ok or (alone_time >= 3 and names[key] >= 2)
        out.append(ok)
    # a single label in a whole document is more likely prose than a transcript
    if sum(out) == 1:
        i = out.index(True)
        c = candidates[i]
        if c is not None and c.form != "pattern" and not (bold is not None and bold[i]) and (n > 1 or c.alone):
            out[i] = False
    return out


# --------------------------------------------------------------------------- roles
def assign_roles(speakers_by_turn: Sequence[str | None], texts: Sequence[str],
                 metadata: Mapping[str, object] | None = None) -> dict[str, str | None]:
    """Role of each speaker: from labels and metadata names, then from who asks questions.

    1. A label that names a role (``Interviewer``, ``I``, ``Q``, ``Moderator``,
       ``Facilitator``, ``Int`` … / ``Respondent``, ``R1``, ``A``, ``P3`` … /
       ``Observer``, ``Translator`` …) gives that role; so does a speaker whose
       name matches the metadata's ``interviewer`` (or ``respondent``) entry.
    2. When an interviewer is known, every other unresolved speaker is a respondent.
    3. Otherwise, with exactly two speakers, the one whose turns end in ``?``
       clearly more often (at least 25 % of their turns and twice the other's
       share) is the interviewer, the other the respondent; when one is already
       a respondent, the other is the interviewer.
    4. Anything else stays None: mcqual does not guess.

    Examples
    --------
    >>> assign_roles(["Ana", "Ben", "Ana", "Ben"], ["Why?", "Because.", "And then?", "Then it worked."])
    {'Ana': 'interviewer', 'Ben': 'respondent'}
    >>> assign_roles(["Ana", "Ben"], ["Hello.", "Hi."])
    {'Ana': None, 'Ben': None}
    """
    order = list(dict.fromkeys(s for s in speakers_by_turn if s is not None))
    roles: dict[str, str | None] = {s: role_of_label(s) for s in order}
    meta = metadata or {}
    for key, role in (("interviewer", "interviewer"), ("moderator", "interviewer"), ("respondent", "respondent"),
                      ("interviewee", "respondent")):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            for s in order:
                if roles[s] is None and _same_person(s, value):
                    roles[s] = role
    if any(r == "interviewer" for r in roles.values()):
        return {s: (r if r is not None else "respondent") for s, r in roles.items()}
    unresolved = [s for s in order if roles[s] is None]
    if len(order) == 2 and unresolved:
        if len(unresolved) == 1 and roles[order[0] if unresolved[0] == order[1] else order[1]] == "respondent":
            roles[unresolved[0]] = "interviewer"
            return roles
        share = {}
        for s in order:
            mine = [t for sp, t in zip(speakers_by_turn, texts) if sp == s]
            asks = sum(1 for t in mine if t.rstrip().rstrip("\"'”’)]»").endswith(("?", "？")))
            share[s] = asks / len(mine) if mine else 0.0
        a, b = sorted(order, key=lambda s: -share[s])
        if share[a] >= 0.25 and share[a] >= 2 * share[b] and roles[a] in (None, "interviewer") \
                and roles[b] in (None, "respondent"):
            roles[a], roles[b] = "interviewer", "respondent"
    return roles


def _same_person(speaker: str, name: str) -> bool:
    s = speaker.strip().casefold()
    n = re.sub(r"\s*\(.*?\)\s*", " ", name).strip().casefold()
    if not s or not n:
        return False
    if s == n:
        return True
    parts = n.split()
    if len(parts) > 1 and s in (parts[0], parts[-1]):
        return True
    initials = "".join(p[0] for p in parts if p)
    return len(initials) >= 2 and s.replace(".", "").replace(" ", "") == initials
