"""Database backends of Tbib."""
