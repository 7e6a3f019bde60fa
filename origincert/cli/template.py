"""``origincert template FORM``: a complete document a clerk edits, valid as printed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from origincert.cli.common import handle_errors


@click.command("template")
@click.argument("form", required=False)
@click.option("--list", "list_forms", is_flag=True, help="List the forms that have a template.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output (never over an existing file).",
)
@handle_errors
def template_cmd(form: str | None, list_forms: bool, output: Path | None) -> None:
    """Print a document template for a form (ICC, EUR1, FORM_A, D, E, RCEP, ...), dated today."""
    from origincert.document import FORMS
    from origincert.templates import FORMS_WITH_TEMPLATES, canonical_form, template

    if list_forms or form is None:
        for name in FORMS_WITH_TEMPLATES:
            rule = FORMS[name]
            agreement = f", {rule.agreement}" if rule.agreement else ""
            click.echo(f"{name:<10} {rule.kind.replace('_', '-')}{agreement}")
        if form is None and not list_forms:
            raise click.UsageError("name a FORM (listed above)")
        return
    chosen = canonical_form(form)
    if chosen is None:
        raise click.BadParameter(
            f"no template for {form!r}; one of: {', '.join(FORMS_WITH_TEMPLATES)}",
            param_hint="FORM",
        )
    doc = template(chosen, today=datetime.now(UTC).date())
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with output.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise click.UsageError(f"{output} exists; choose another name") from None
    click.echo(
        f"wrote {output} ({chosen}); edit it, then run `origincert validate {output}`", err=True
    )


def register(group: click.Group) -> None:
    group.add_command(template_cmd)
