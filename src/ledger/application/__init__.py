"""The application layer: commands that take the actor explicitly and return receipts."""
