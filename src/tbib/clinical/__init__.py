"""The encounter: vital signs, diagnoses, prescriptions, referrals, signing."""
