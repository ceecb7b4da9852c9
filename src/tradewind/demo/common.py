"""What the demo loaders share: the people and clock of the demo workspace, and small helpers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import phonenumbers

from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership, Team, User, Workspace


@dataclass
class Demo:
    workspace: Workspace
    users: dict[str, User]  # by e-mail
    members: dict[str, Membership]  # by e-mail
    teams: dict[str, Team]  # by key of data.TEAMS
    rng: random.Random
    now: dt.datetime
    tz: ZoneInfo  # the workspace's zone: "today" and "tomorrow" are its calendar days
    stage_ids: dict[str, int]  # stages of the default pipeline by key

    def actor(self, email: str) -> Actor:
        return Actor.for_member(self.members[email])

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.tz).date()

    def at(self, days_from_today: int, hour: int, minute: int = 0) -> dt.datetime:
        """A wall-clock time in the workspace's zone, `days_from_today` days away (negative: ago)."""
        day = self.today + dt.timedelta(days=days_from_today)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def ago(self, days: int, hours: int = 0) -> dt.datetime:
        return self.now - dt.timedelta(days=days, hours=hours)


def local_part(contact: str) -> str:
    last = contact.split()[-1].lower()
    return last if last.isascii() and last.isalpha() else "info"


def phone(country: str, rng: random.Random) -> str:
    """A dialable-looking number of the country: its example mobile with other last digits."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    digits = str(example.national_number)
    varied = digits[:-4] + f"{rng.randint(0, 9999):04d}"
    return f"+{example.country_code} {varied}"
