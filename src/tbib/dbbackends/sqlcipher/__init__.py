"""SQLCipher: the edge's encrypted SQLite (a laptop in a van gets stolen)."""
