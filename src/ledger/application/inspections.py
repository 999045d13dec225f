"""Inspection commands."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.application.context import NO_CONTEXT, CommandContext, Receipt
from ledger.application.core import LedgerCore
from ledger.domain.base import Envelope
from ledger.domain.inspection import Inspection
from ledger.domain.values import Actor


class InspectionCommands(LedgerCore):
    """Open an inspection and move it through its lifecycle."""

    def open_inspection(
        self,
        actor: Actor,
        *,
        kind: str,
        title: str,
        inspecting_body: str,
        inspected_body: str,
        on_site_start: Any = None,
        on_site_end: Any = None,
        ctx: CommandContext = NO_CONTEXT,
    ) -> Receipt:
        """Open a new inspection; returns its id."""
        args = dict(
            kind=kind,
            title=title,
            inspecting_body=inspecting_body,
            inspected_body=inspected_body,
            on_site_start=on_site_start,
            on_site_end=on_site_end,
        )

        def work(envelope: Envelope) -> tuple[UUID, list[Any]]:
            inspection = Inspection.open(envelope, **args)
            return inspection.id, [inspection]

        return self._run("open_inspection", actor, ctx, args, work)

    def begin_on_site(
        self, actor: Actor, inspection_id: Any, *, started_on: Any, ctx: CommandContext = NO_CONTEXT
    ) -> Receipt:
        """Record that the inspection team went on site."""
        return self._change(
            Inspection,
            "inspection_id",
            "begin_on_site",
            actor,
            ctx,
            inspection_id,
            {"started_on": started_on},
            lambda i, e: i.begin_on_site(e, started_on),
        )

    def deliver_feedback(
        self,
        actor: Actor,
        inspection_id: Any,
        *,
        feedback_date: Any,
        document_no: str = "",
        ctx: CommandContext = NO_CONTEXT,
    ) -> Receipt:
        """Record delivery of the inspection's feedback."""
        return self._change(
            Inspection,
            "inspection_id",
            "deliver_feedback",
            actor,
            ctx,
            inspection_id,
            {"feedback_date": feedback_date, "document_no": document_no},
            lambda i, e: i.deliver_feedback(e, feedback_date, document_no),
        )

    def file_plan(
        self,
        actor: Actor,
        inspection_id: Any,
        *,
        filed_on: Any,
        document_no: str = "",
        ctx: CommandContext = NO_CONTEXT,
    ) -> Receipt:
        """Record the filing of the rectification plan."""
        return self._change(
            Inspection,
            "inspection_id",
            "file_plan",
            actor,
            ctx,
            inspection_id,
            {"filed_on": filed_on, "document_no": document_no},
            lambda i, e: i.file_plan(e, filed_on, document_no),
        )

    def publish_progress(
        self,
        actor: Actor,
        inspection_id: Any,
        *,
        published_on: Any,
        document_no: str = "",
        ctx: CommandContext = NO_CONTEXT,
    ) -> Receipt:
        """Record publication of a rectification progress report."""
        return self._change(
            Inspection,
            "inspection_id",
            "publish_progress",
            actor,
            ctx,
            inspection_id,
            {"published_on": published_on, "document_no": document_no},
            lambda i, e: i.publish_progress(e, published_on, document_no),
        )

    def close_inspection(
        self, actor: Actor, inspection_id: Any, *, ctx: CommandContext = NO_CONTEXT
    ) -> Receipt:
        """Close the inspection's rectification."""
        return self._change(
            Inspection,
            "inspection_id",
            "close_inspection",
            actor,
            ctx,
            inspection_id,
            {},
            lambda i, e: i.close(e),
        )

    def get_inspection(self, inspection_id: Any) -> Inspection:
        """The current state of one inspection."""
        return self.read(Inspection, inspection_id, "inspection_id")
