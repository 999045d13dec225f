"""Read models: answers to the questions users ask, built only from events."""
