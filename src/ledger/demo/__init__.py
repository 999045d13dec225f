"""Demo data for the ledger (transcribed from the public seed reports)."""
