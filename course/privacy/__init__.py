"""Data protection: a learner's own data as JSON, and closing an account."""
