"""Lesson pages. For now: the catalogue of courses found in the content root."""
