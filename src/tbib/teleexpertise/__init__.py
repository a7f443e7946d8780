"""Tele-expertise: cases from the units to the central platform's specialists and back."""
