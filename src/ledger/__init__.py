"""ledger: an event-sourced supervision and accountability ledger (巡视整改台账)."""
