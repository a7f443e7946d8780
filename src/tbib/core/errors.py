"""Domain errors that every API answers the same way."""


class Conflict(Exception):
    """The request is well formed but contradicts the record's state (HTTP 409).

    Examples: changing a signed encounter, prescribing more than the unit's stock, merging a
    record that has already been merged. The message is shown to the user as is.
    """
