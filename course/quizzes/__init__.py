"""Quizzes: drawing questions, grading answers, attempts, results and statistics."""
