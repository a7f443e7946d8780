"""The formulary of essential medicines a unit carries, and each unit's stock."""
