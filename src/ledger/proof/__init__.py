"""Provable history: RFC 9162 proofs, signed checkpoints, full verification, dispute bundles.

The functions here are what the CLI (:mod:`ledger.proof.cli`) and, later, the
HTTP API call: :mod:`ledger.proof.service` serves proofs and checkpoints from
a ledger's database, :mod:`ledger.proof.audit` verifies the whole log, and
:mod:`ledger.proof.bundle` makes and checks dispute bundles offline.
"""
