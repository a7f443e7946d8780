"""The assistant: explainable clinical decision rules, each a pure function citing its source."""
