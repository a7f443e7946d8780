"""Printed clinical documents: a pure PDF renderer (French, English, Arabic)."""
