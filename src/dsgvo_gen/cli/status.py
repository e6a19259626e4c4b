"""`status`: every provider, its review and DPF dates, when each falls due."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from dsgvo_gen.cli.base import main, options, project_option, text_or_json, today_option
from dsgvo_gen.durations import Duration


class DurationParam(click.ParamType[Duration]):
    """An ISO 8601 duration such as P30D or P2M."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Duration:
        if isinstance(value, Duration):
            return value
        try:
            return Duration.parse(str(value).upper())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 duration such as P30D or P2M", param, ctx)


@main.command()
@click.option(
    "--due-within",
    type=DurationParam(),
    default=None,
    help="List only what falls due within this time (ISO 8601, e.g. P30D), overdue "
    "included; exit code 1 if anything does.",
)
@text_or_json("text for people, json for scripts.")
@today_option
@project_option
@click.pass_context
def status(
    ctx: click.Context, due_within: Duration | None, output_format: str, today: date | None
) -> None:
    """Every provider: published or draft, when it was reviewed and its DPF entries
    checked, when each falls due again (review_max_age), and its open findings.

    Overdue rows are marked with '!'. With --due-within, only what needs attention
    within that time is listed, and the exit code is 1 when anything is.
    """
    from dsgvo_gen.status import format_status_json, format_status_text, project_status

    result = project_status(options(ctx).project, today=today, due_within=due_within)
    formatter = format_status_json if output_format == "json" else format_status_text
    click.echo(formatter(result))
    ctx.exit(1 if due_within is not None and result.listed else 0)
