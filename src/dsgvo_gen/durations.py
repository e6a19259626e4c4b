"""ISO 8601 durations (P30D, P2M) as the descriptor and config write them.

Its own module, so that the command line can parse `--due-within` without the model.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_DURATION = re.compile(
    r"P(?:(?P<years>[0-9]{1,6})Y)?(?:(?P<months>[0-9]{1,6})M)?(?:(?P<weeks>[0-9]{1,6})W)?"
    r"(?:(?P<days>[0-9]{1,6})D)?"
    r"(?:T(?:(?P<hours>[0-9]{1,6})H)?(?:(?P<minutes>[0-9]{1,6})M)?(?:(?P<seconds>[0-9]{1,6})S)?)?"
)


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration, kept in its parts so it can be said in words."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _DURATION.fullmatch(text)
        if match is None:
            raise ValueError(f"not an ISO 8601 duration: {text!r}")
        return cls(**{k: int(v) for k, v in match.groupdict().items() if v})

    @property
    def is_zero(self) -> bool:
        return not any((self.years, self.months, self.weeks, self.days,
                        self.hours, self.minutes, self.seconds))  # fmt: skip

    def before(self, day: date) -> date:
        """The date this long before `day` (calendar months; time parts ignored)."""
        return self._shift(day, -1)

    def after(self, day: date) -> date:
        """The date this long after `day` (calendar months; time parts ignored)."""
        return self._shift(day, 1)

    def last_day_within(self, day: date) -> date:
        """The last day on which `day` is still no older than this: a check done on `day`
        falls due then, and is stale (`day < self.before(today)`) from the next day on.
        Months differ in length, so this can be a few days off `after(day)`."""
        last = self.after(day)
        while last > day and day < self.before(last):  # stale already: step back
            last -= timedelta(days=1)
        while last < date.max and not day < self.before(last + timedelta(days=1)):
            last += timedelta(days=1)
        return last

    def _shift(self, day: date, sign: int) -> date:
        month_index = day.year * 12 + day.month - 1 + sign * (self.years * 12 + self.months)
        year, month = divmod(month_index, 12)
        year = min(max(year, 1), 9999)
        last = calendar.monthrange(year, month + 1)[1]
        shifted = date(year, month + 1, min(day.day, last))
        ordinal = shifted.toordinal() + sign * (self.weeks * 7 + self.days)
        return date.fromordinal(min(max(1, ordinal), date.max.toordinal()))
