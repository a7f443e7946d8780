"""Latency of what the GP waits on at the desk: ICD-10 search as you type, and printing.

Run: .venv/bin/python benchmarks/documents_and_codes.py
Times icd10.search for 200 prefixes a GP types (codes and words, after the index is built
once) and render_pdf for a French and an Arabic prescription (shaped text and QR code).
Pure code, no database. Last line: one JSON object.
"""

from __future__ import annotations

import json
import statistics
import time


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 2),
    }


def main() -> None:
    from tbib.clinical import icd10
    from tbib.documents.render import ClinicalDocument, Section, render_pdf

    started = time.perf_counter()
    icd10.search("warm")
    index_seconds = time.perf_counter() - started
    words = ["hyp", "hypert", "diab", "diabetes typ", "pneum", "gastro", "fever", "anaem",
             "otitis", "E11", "I1", "J18.", "A09", "pre-ecl", "asthm", "cough", "back pa",
             "urinary tr", "scab", "malnut"]  # fmt: skip
    timings = []
    for _round in range(10):
        for word in words:
            start = time.perf_counter()
            icd10.search(word, limit=12)
            timings.append(time.perf_counter() - start)

    def document(language: str) -> ClinicalDocument:
        arabic = language == "ar"
        return ClinicalDocument(
            title="وصفة طبية" if arabic else "Ordonnance",
            number="ORD-2026-MIDELT1-7K3M9Q",
            language=language,
            issued_at="2026-11-22 10:42",
            issuer_lines=("UMMC Imilchil", "Dr Youssef Amzil"),
            patient_lines=("Itto Oubaha — إيطو أوباها", "Femme, ~60 ans"),
            sections=(
                Section(
                    "Médicaments",
                    tuple(f"Amlodipine 5 mg (comprimé) × 30 — ligne {n}" for n in range(4)),
                ),
            ),
            footer="Document n° ORD-2026-MIDELT1-7K3M9Q",
            qr_payload="TBIB:ORD-2026-MIDELT1-7K3M9Q",
        )

    renders: dict[str, list[float]] = {"fr": [], "ar": []}
    for _round in range(15):
        for language in renders:
            start = time.perf_counter()
            render_pdf(document(language))
            renders[language].append(time.perf_counter() - start)
    result = {
        "icd10_index_build_s": round(index_seconds, 3),
        "icd10_search": _percentiles(timings),
        "pdf_fr": _percentiles(renders["fr"]),
        "pdf_ar": _percentiles(renders["ar"]),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
