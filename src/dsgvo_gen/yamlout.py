"""Writing descriptors and catalogue entries as YAML that people read and edit.

Block style with indented lists, short lists of names in flow style
(`legal_basis: [art6-1-b]`), long texts folded (`>-`), dates unquoted, a blank line
between top-level sections. Every text is read back with dsgvo-gen's own loader
and compared with what was meant, so a file written here says exactly that.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from dsgvo_gen.loader import DESCRIPTOR, Limits, load_bytes

FOLD_FROM = 80  # texts longer than this are folded over several lines
WIDTH = 88


class WriteBackError(ValueError):
    """The YAML written does not read back as the data it was written from (a bug)."""


class _Flow(list[Any]):
    """A list written on one line: `[a, b]`."""


class _Resolver(yaml.resolver.Resolver):
    """PyYAML's resolver without timestamps: dsgvo-gen reads YAML 1.2, where 2026-11-21 is
    text, so dates need no quotes."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _Dumper(
    yaml.emitter.Emitter, yaml.serializer.Serializer, yaml.representer.SafeRepresenter, _Resolver
):
    def __init__(self, stream: Any, **kwargs: Any) -> None:
        yaml.emitter.Emitter.__init__(self, stream, width=kwargs.get("width"),
                                      allow_unicode=True, indent=2)  # fmt: skip
        yaml.serializer.Serializer.__init__(self)
        yaml.representer.SafeRepresenter.__init__(self, sort_keys=False)
        _Resolver.__init__(self)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # dsgvo-gen's loader refuses anchors and aliases

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented below their key


def _text(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > FOLD_FROM and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _flow(dumper: _Dumper, value: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Flow, _flow)
_SHORT_LIST = 8


def _shaped(value: Any) -> Any:
    """Lists of a few short names in flow style, everything else as it is."""
    if isinstance(value, dict):
        return {k: _shaped(v) for k, v in value.items()}
    if isinstance(value, list):
        if (
            value
            and len(value) <= _SHORT_LIST
            and all(
                isinstance(v, str) and len(v) <= 40 and re.fullmatch(r"[\w.-]+", v) for v in value
            )
        ):
            return _Flow(value)
        return [_shaped(v) for v in value]
    return value


def dump(data: dict[str, Any], header: str = "", limits: Limits = DESCRIPTOR) -> str:
    """The YAML text of `data`, after `header` (comment lines), checked by reading it back
    as the file will be read (`limits`)."""
    body = yaml.dump(_shaped(data), Dumper=_Dumper, width=WIDTH)
    # A blank line between the top-level sections, as in the hand-written files.
    body = re.sub(r"\n(?=[a-z_]+:(?: |\n)(?:[^\n]*)\n[ -])", "\n\n", body)
    text = header + body
    doc, findings = load_bytes(text.encode("utf-8"), Path("written.yaml"), "written.yaml", limits)
    if doc is None or findings or doc.data != data:
        why = f": {findings[0].message}" if findings else ""
        raise WriteBackError(
            f"YAML written for {data.get('id')!r} does not read back the same{why}"
        )
    return text
