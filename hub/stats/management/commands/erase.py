from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hub.stats.erase import EraseError, erase_customer, erase_staff


class Command(BaseCommand):
    help = "Erase a person's data on request (a customer's, or a staff member's); every count stays as it was."

    def add_arguments(self, parser: CommandParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--customer", metavar="USER_ID", help="the platform's user id of the customer")
        who.add_argument("--staff", metavar="NUMBER", help="the staff number (e.g. 003)")

    def handle(self, *args: Any, customer: str | None = None, staff: str | None = None, **options: Any) -> None:
        try:
            if customer is not None:
                done = erase_customer(customer)
                self.stdout.write(f"erased customer {customer}: {done.messages} message(s) kept in the counts without them")
            else:
                assert staff is not None
                done = erase_staff(staff, timezone.now())
                self.stdout.write(f"erased staff {staff}: now {done.token} in {done.rollup_rows} rollup row(s), "
                                  f"{done.acknowledgements} acknowledgement(s)")
        except EraseError as exc:
            raise CommandError(str(exc)) from None
