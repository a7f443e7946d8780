"""Heart rate error and AF-suspicion sensitivity/specificity on NeuroKit2-simulated ECGs.

`.venv/bin/python benchmarks/ecg_accuracy.py [--strips 100] [--seconds 15] [--seed 1]`

Regular strips: ECGSYN at a random rate from 50 to 150 bpm with the default heart-rate
standard deviation (1 bpm). Irregular strips: the same with a standard deviation drawn from
15 to 30 bpm (ECGSYN's RR variability standing in for an irregular rhythm; a simulation, not
an AF database). Last line: JSON with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tbib.devices.ecg import analyse  # noqa: E402

RATE = 250


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strips", type=int, default=50, help="of each kind")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import neurokit2 as nk

    warnings.simplefilter("ignore")
    rng = random.Random(args.seed)
    errors, true_pos, false_neg, true_neg, false_pos = [], 0, 0, 0, 0
    started = time.perf_counter()
    for number in range(2 * args.strips):
        irregular = number % 2 == 1
        rate = rng.randint(50, 150)
        spread = rng.uniform(15, 30) if irregular else 1
        seed = rng.randrange(2**31)
        signal = nk.ecg_simulate(duration=args.seconds, sampling_rate=RATE, heart_rate=rate,
                                 heart_rate_std=spread, random_state=seed)  # fmt: skip
        began = time.perf_counter()
        finding = analyse([float(v) for v in signal], RATE)
        took = time.perf_counter() - began
        print(f"{number:4} rate {rate:3} sd {spread:4.1f}: {finding.heart_rate_bpm:6.1f} bpm, "
              f"cv {finding.rr_cv:.3f}, {took:.2f} s", file=sys.stderr)  # fmt: skip
        if irregular:
            true_pos += finding.af_suspected
            false_neg += not finding.af_suspected
        else:
            errors.append(abs(finding.heart_rate_bpm - rate))
            true_neg += not finding.af_suspected
            false_pos += finding.af_suspected
    result = {
        "strips": 2 * args.strips,
        "seconds_each": args.seconds,
        "rate_error_mean_bpm": round(statistics.mean(errors), 2),
        "rate_error_max_bpm": round(max(errors), 2),
        "af_sensitivity": round(true_pos / (true_pos + false_neg), 3),
        "af_specificity": round(true_neg / (true_neg + false_pos), 3),
        "seconds_per_strip_simulated_and_analysed": round(
            (time.perf_counter() - started) / (2 * args.strips), 3
        ),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
