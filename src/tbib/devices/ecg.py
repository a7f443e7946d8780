"""ECG strips: stored as FHIR SampledData, analysed with NeuroKit2. Pure (no Django).

The analysis is an assistant finding, never a diagnosis: R peaks and heart rate
(`ecg_process`, NeuroKit2's default pipeline), RR variability (SDNN, RMSSD), the QRS duration
where the delineation finds onsets and offsets, and a suspicion of atrial fibrillation
when RR intervals are irregular (coefficient of variation above 0.10 over at least 10 beats:
a screening heuristic for the GP to confirm on the trace, not a validated AF detector).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

MIN_SECONDS = 6
AF_RR_CV = 0.10
AF_MIN_BEATS = 10
METHOD = (
    "NeuroKit2 0.2.13: ecg_process (method 'neurokit') for R peaks and rate; ecg_delineate "
    f"(method 'prominence') for QRS onsets and offsets; AF suspected when the RR coefficient of "
    f"variation exceeds {AF_RR_CV} over at least {AF_MIN_BEATS} beats (screening heuristic)."
)


class EcgError(ValueError):
    """A strip that cannot be analysed (too short, flat, no beat found)."""


@dataclass(frozen=True)
class EcgFinding:
    beats: int
    heart_rate_bpm: float
    rr_sdnn_ms: float
    rr_rmssd_ms: float
    rr_cv: float
    qrs_ms: float | None
    af_suspected: bool
    method: str = METHOD

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sampled_data(samples: list[float], sampling_rate: int, lead: str) -> dict[str, Any]:
    """The strip as FHIR R4 SampledData (hl7.org/fhir/R4/datatypes.html#SampledData), in mV."""
    return {
        "lead": lead,
        "origin": {"value": 0, "unit": "mV", "system": "http://unitsofmeasure.org", "code": "mV"},
        "period": round(1000 / sampling_rate, 6),  # milliseconds between samples
        "dimensions": 1,
        "data": " ".join(f"{value:.4f}" for value in samples),
    }


def analyse(samples: list[float], sampling_rate: int) -> EcgFinding:
    """R peaks, heart rate, RR variability, QRS duration and AF suspicion of one lead."""
    import neurokit2 as nk
    import numpy as np

    if sampling_rate < 100:
        raise EcgError("An ECG needs at least 100 samples per second.")
    if len(samples) < MIN_SECONDS * sampling_rate:
        raise EcgError(f"An ECG strip needs at least {MIN_SECONDS} seconds to be analysed.")
    signal = np.asarray(samples, dtype=float)
    if not np.all(np.isfinite(signal)) or float(np.ptp(signal)) < 0.05:
        raise EcgError("The strip is flat or holds invalid samples: check the electrodes.")
    with warnings.catch_warnings():
        # NeuroKit2 warns about short or noisy signals; the checks below decide instead.
        warnings.simplefilter("ignore")
        try:
            processed, info = nk.ecg_process(signal, sampling_rate=sampling_rate)
        except (ValueError, IndexError) as error:
            raise EcgError(f"No heartbeat could be found in the strip ({error}).") from error
        peaks = np.asarray(info["ECG_R_Peaks"])
        if len(peaks) < 3:
            raise EcgError("Fewer than three heartbeats were found in the strip.")
        rr = np.diff(peaks) / sampling_rate
        qrs: float | None = None
        try:
            _, waves = nk.ecg_delineate(
                # 'prominence' measured 68-97 ms on simulated normal beats where the wavelet
                # methods gave 150-190 ms (docs/benchmarks.md).
                processed["ECG_Clean"],
                peaks,
                sampling_rate=sampling_rate,
                method="prominence",
            )
            widths = [
                (offset - onset) / sampling_rate * 1000
                for onset, offset in zip(
                    waves["ECG_R_Onsets"], waves["ECG_R_Offsets"], strict=False
                )
                if not (math.isnan(onset) or math.isnan(offset)) and offset > onset
            ]
            qrs = round(float(np.median(widths)), 0) if widths else None
        except (ValueError, IndexError, KeyError):
            qrs = None  # not measurable on this strip
    mean_rr = float(np.mean(rr))
    cv = float(np.std(rr) / mean_rr)
    return EcgFinding(
        beats=int(len(peaks)),
        heart_rate_bpm=round(60 / mean_rr, 1),
        rr_sdnn_ms=round(float(np.std(rr)) * 1000, 1),
        rr_rmssd_ms=round(float(np.sqrt(np.mean(np.diff(rr) ** 2))) * 1000, 1),
        rr_cv=round(cv, 3),
        qrs_ms=qrs,
        af_suspected=len(peaks) >= AF_MIN_BEATS and cv > AF_RR_CV,
    )
