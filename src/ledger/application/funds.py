"""Fund commands: open a fund and its accounts; record movements between them."""

from __future__ import annotations

from typing import Any

from ledger.application.context import NO_CONTEXT, CommandContext, Receipt
from ledger.application.core import LedgerCore
from ledger.domain import rules
from ledger.domain.accountability import Case
from ledger.domain.base import Envelope
from ledger.domain.finding import Finding
from ledger.domain.fund import Fund
from ledger.domain.money import Links
from ledger.domain.unit import Person, Unit
from ledger.domain.values import Actor

C = NO_CONTEXT


class FundCommands(LedgerCore):
    """Funds as double entry: every movement balances."""

    def open_fund(
        self, actor: Actor, *, name: str, year: Any, unit_id: Any, ctx: CommandContext = C
    ) -> Receipt:
        """Open a fund managed by a unit; returns its id (its standard accounts come with it)."""
        args = {"name": name, "year": year, "unit_id": unit_id}

        def work(envelope: Envelope) -> tuple[Any, ...]:
            unit = self._load(Unit, unit_id, "unit_id", reference=True)
            fund = Fund.open(envelope, name=name, year=year, unit_id=unit.id)
            return fund.id, [fund]

        return self._run("open_fund", actor, ctx, args, work)

    def open_account(
        self,
        actor: Actor,
        fund_id: Any,
        *,
        kind: str,
        name: str,
        unit_id: Any = None,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Open a holder, project or beneficiaries account; its id is the receipt's item_id."""

        def change(fund: Fund, e: Envelope) -> Any:
            unit = None
            if unit_id is not None:
                unit = self._load(Unit, unit_id, "unit_id", reference=True).id
            return fund.open_account(e, kind=kind, name=name, unit_id=unit)

        args = {"kind": kind, "name": name, "unit_id": unit_id}
        return self._change(Fund, "fund_id", "open_account", actor, ctx, fund_id, args, change)

    def record_movement(
        self,
        actor: Actor,
        fund_id: Any,
        *,
        kind: str,
        outflows: Any,
        inflows: Any,
        manner: Any = None,
        unit_id: Any = None,
        person_id: Any = None,
        case_id: Any = None,
        finding_id: Any = None,
        description: str = "",
        ctx: CommandContext = C,
    ) -> Receipt:
        """Record a movement; its id is the receipt's item_id."""
        refs = {"unit_id": unit_id, "person_id": person_id, "case_id": case_id}

        def change(fund: Fund, e: Envelope) -> Any:
            links = self._links(unit_id, person_id, case_id, finding_id)
            return fund.move(
                e,
                kind=kind,
                outflows=outflows,
                inflows=inflows,
                manner=manner,
                links=links,
                description=description,
            )

        args = dict(kind=kind, outflows=outflows, inflows=inflows, manner=manner, **refs)
        args.update(finding_id=finding_id, description=description)
        return self._change(Fund, "fund_id", "record_movement", actor, ctx, fund_id, args, change)

    def get_fund(self, fund_id: Any) -> Fund:
        """The current state of one fund, with its accounts and balances."""
        return self.read(Fund, fund_id, "fund_id")

    def _links(self, unit_id: Any, person_id: Any, case_id: Any, finding_id: Any) -> Links:
        def ref(cls: type[Any], field: str, value: Any) -> Any:
            if value is None:
                return None
            return self._load(cls, rules.uuid(field, value), field, reference=True).id

        return Links(
            unit_id=ref(Unit, "unit_id", unit_id),
            person_id=ref(Person, "person_id", person_id),
            case_id=ref(Case, "case_id", case_id),
            finding_id=ref(Finding, "finding_id", finding_id),
        )
