"""Duplicate-aware patient matching across spellings and scripts (pure, no Django).

Moroccan names reach a register in many spellings (Mohamed / Mohammed / Mhamed / محمد;
Ait / Aït / Ayt; Fatima / Fatna / Fadma), given and family names swap places, and the same
person is typed in Latin script at one unit and in Arabic at another. Names are reduced to a
consonant skeleton that both scripts share (vowels are what transliteration changes most),
known variants are mapped to one spelling first, and skeletons are compared with
Jaro-Winkler (rapidfuzz). Sex, birth date, commune and identifiers then confirm or refute.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

from tbib.patients.names_data import SPELLING_VARIANTS

DEFAULT_THRESHOLD = 0.88


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_CANONICAL = {
    _fold(variant): _fold(canonical)
    for canonical, variants in SPELLING_VARIANTS.items()
    for variant in variants
}
# Latin digraphs first, then single letters; vowels and semi-vowels vanish in the skeleton.
_LATIN_DIGRAPHS = (("ou", ""), ("kh", "k"), ("ch", "s"), ("sh", "s"), ("gh", "g"), ("dj", "j"),
                   ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"))  # fmt: skip
_LATIN_LETTERS = str.maketrans({"q": "k", "c": "k", "x": "k", "z": "z", "w": "", "y": ""})
_VOWELS = re.compile(r"[aeiou]")
_ARABIC = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r",
    "ز": "z", "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "d", "غ": "g", "ف": "f",
    "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ڭ": "g", "ڤ": "f", "پ": "b",
}  # fmt: skip
_IS_ARABIC = re.compile(r"[\u0600-\u06FF]")
_ARTICLES = frozenset({"el", "al", "l"})


def canonical_spelling(word: str) -> str:
    """The register's usual spelling of a word (Ayt → ait, Mohammed → mohamed), lower case."""
    folded = _fold(word)
    return _CANONICAL.get(folded, folded)


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def _latin_skeleton(token: str) -> str:
    token = _CANONICAL.get(token, token)
    token = re.sub(r"c(?=[eiy])", "s", token)
    for digraph, replacement in _LATIN_DIGRAPHS:
        token = token.replace(digraph, replacement)
    token = token.translate(_LATIN_LETTERS)
    return _collapse(_VOWELS.sub("", token))


def _arabic_skeleton(token: str) -> str:
    # The article is written or dropped at will (العمراني / Amrani): it carries no identity.
    if token.startswith("ال") and len(token) > 3:
        token = token[2:]
    return _collapse("".join(_ARABIC.get(char, "") for char in token))


def name_key(name: str) -> str:
    """The consonant skeleton of a name, the same for its Latin and Arabic spellings."""
    folded = _fold(name)
    if _IS_ARABIC.search(folded):
        return "".join(_arabic_skeleton(token) for token in folded.split())
    tokens = [token for token in re.findall(r"[a-z]+", folded) if token not in _ARTICLES]
    return "".join(_latin_skeleton(token) for token in tokens)


# Particles of family names (Ait Brahim, Ben Moussa, Id Ahmed, آيت علي): a search for
# "Brahim" must find "Ait Brahim", so the search key leaves them out.
_PARTICLES = frozenset({"ait", "ayt", "id", "ben", "bin", "bent", "ould", "آيت", "ايت", "أيت",
                        "بن", "بنت", "إد", "اد"})  # fmt: skip


def search_key(name: str) -> str:
    """The skeleton of a name without its particles, for prefix search in the register."""
    tokens = [token for token in _fold(name).split() if token not in _PARTICLES]
    return name_key(" ".join(tokens))


@dataclass(frozen=True)
class PatientFacts:
    """What is known of a person when matching: any field may be missing."""

    id: str
    given_name: str = ""
    family_name: str = ""
    given_name_ar: str = ""
    family_name_ar: str = ""
    sex: str = ""
    birth_date: datetime.date | None = None
    commune: str = ""
    cin: str = ""
    phone: str = ""
    _keys: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        keys = []
        if self.given_name or self.family_name:
            keys.append((name_key(self.given_name), name_key(self.family_name)))
        if self.given_name_ar or self.family_name_ar:
            keys.append((name_key(self.given_name_ar), name_key(self.family_name_ar)))
        # Computed once: matching compares each person with many others.
        object.__setattr__(self, "_keys", tuple(keys))

    def name_keys(self) -> tuple[tuple[str, str], ...]:
        """(given, family) skeletons for each script the name was written in."""
        return self._keys

    @property
    def approximate_birth_date(self) -> bool:
        """Registers record an age given as "about 60" as 1 July of the estimated year."""
        return self.birth_date is not None and (self.birth_date.month, self.birth_date.day) == (
            7,
            1,
        )


@dataclass(frozen=True)
class Match:
    """A candidate with its score (0–1) and the reasons a person can read."""

    candidate_id: str
    score: float
    reasons: tuple[str, ...]


def _name_score(a: PatientFacts, b: PatientFacts) -> tuple[float, bool]:
    best, swapped = 0.0, False
    for given_a, family_a in a.name_keys():
        for given_b, family_b in b.name_keys():
            straight = (JaroWinkler.similarity(given_a, given_b)
                        + JaroWinkler.similarity(family_a, family_b)) / 2  # fmt: skip
            crossed = (JaroWinkler.similarity(given_a, family_b)
                       + JaroWinkler.similarity(family_a, given_b)) / 2  # fmt: skip
            if straight >= best:
                best, swapped = straight, False
            if crossed > best:
                best, swapped = crossed, True
    return best, swapped


# Evidence weights: names alone never reach the threshold, because in a rural register
# many people share a name (Mohamed Ait Ali); a birth date, the commune or a phone must agree.
_W_NAME = 0.55
_W_SAME_DATE = 0.35
_W_SAME_YEAR = 0.12
_W_APPROXIMATE_YEAR = 0.25
_W_APPROXIMATE_YEAR_OFF_BY_ONE = 0.25
_W_YEAR_OFF_BY_ONE = 0.05
_W_SAME_COMMUNE = 0.10
_W_SAME_PHONE = 0.10


def _date_evidence(a: PatientFacts, b: PatientFacts) -> tuple[float, str] | None:
    """Weight and reason from the birth dates, or None when they rule the match out."""
    if a.birth_date is None or b.birth_date is None:
        return _W_SAME_YEAR, "birth date unknown"
    approximate = a.approximate_birth_date or b.approximate_birth_date
    if a.birth_date == b.birth_date and not approximate:
        return _W_SAME_DATE, "same birth date"
    years = abs(a.birth_date.year - b.birth_date.year)
    if years == 0:
        return (_W_APPROXIMATE_YEAR if approximate else _W_SAME_YEAR), "same birth year"
    if years == 1:
        weight = _W_APPROXIMATE_YEAR_OFF_BY_ONE if approximate else _W_YEAR_OFF_BY_ONE
        return weight, "birth year one apart"
    return None


def score_pair(a: PatientFacts, b: PatientFacts) -> Match:
    """How likely `b` is the same person as `a` (0–1), with the reasons."""
    if a.cin and b.cin:
        if a.cin.upper() == b.cin.upper():
            return Match(b.id, 1.0, ("same CIN",))
        return Match(b.id, 0.0, ("different CIN",))
    if a.sex and b.sex and "unknown" not in (a.sex, b.sex) and a.sex != b.sex:
        return Match(b.id, 0.0, ("different sex",))
    dates = _date_evidence(a, b)
    if dates is None:
        return Match(b.id, 0.0, ("birth years too far apart",))
    names, swapped = _name_score(a, b)
    reasons = [f"names {names:.0%} alike" + (" (given and family swapped)" if swapped else "")]
    score = _W_NAME * names + dates[0]
    reasons.append(dates[1])
    if a.commune and a.commune == b.commune:
        score += _W_SAME_COMMUNE
        reasons.append("same commune")
    if a.phone and a.phone == b.phone:
        score += _W_SAME_PHONE
        reasons.append("same phone")
    return Match(b.id, round(min(score, 0.99), 4), tuple(reasons))


def _block_keys(person: PatientFacts) -> set[tuple[str, ...]]:
    """Keys under which candidates are looked for: a pair must share one to be scored."""
    keys: set[tuple[str, ...]] = set()
    for given, family in person.name_keys():
        keys.add(("names", *sorted((given[:2], family[:2]))))
    if person.birth_date and person.commune:
        # Typos in the first letters escape the name block; the commune and year catch them.
        for year in (
            person.birth_date.year - 1,
            person.birth_date.year,
            person.birth_date.year + 1,
        ):
            keys.add(("place", person.commune, str(year)))
    if person.cin:
        keys.add(("cin", person.cin.upper()))
    if person.phone:
        keys.add(("phone", person.phone))
    return keys


class MatchIndex:
    """Candidates for a person among many, found through blocking keys, then scored."""

    def __init__(self, people: Iterable[PatientFacts]) -> None:
        self._people: dict[str, PatientFacts] = {}
        self._blocks: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for person in people:
            self.add(person)

    def add(self, person: PatientFacts) -> None:
        self._people[person.id] = person
        for key in _block_keys(person):
            self._blocks[key].append(person.id)

    def candidates(
        self, person: PatientFacts, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 10
    ) -> list[Match]:
        """The people scoring at or above `threshold`, best first."""
        seen: set[str] = set()
        for key in _block_keys(person):
            seen.update(self._blocks.get(key, ()))
        seen.discard(person.id)
        matches = [score_pair(person, self._people[other]) for other in seen]
        kept = [match for match in matches if match.score >= threshold]
        return sorted(kept, key=lambda m: (-m.score, m.candidate_id))[:limit]
