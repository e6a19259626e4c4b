"""The only way WeasyPrint may load a resource: `data:` URLs and files in the asset folders.

WeasyPrint's default fetcher reads any local file (`<link rel="attachment"
href="file:///etc/passwd">` embeds it) and makes network requests, following
redirects. A notice must never carry a file of the build machine, nor make the
build call out to a host (GHSA-35jj-wx47-4w8r, CVE-2025-68616), so this fetcher
answers from a short allow-list and records every refusal for the report.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from dsgvo_gen.paths import UnsafePath, read_regular_file_inside

MAX_RESOURCE_BYTES = 5 * 1024 * 1024  # a stylesheet, font or logo; never more

_DATA_URL = re.compile(r"data:(?P<type>[^,;]*)(?P<params>(?:;[^,;]*)*?),(?P<body>.*)", re.DOTALL)


@dataclass(frozen=True)
class Refusal:
    """A resource the document asked for and did not get."""

    url: str
    reason: str


class ResourceRefused(ValueError):  # noqa: N818 - reads as what happened, like WeasyPrint's
    """Raised to WeasyPrint, which logs it and renders without the resource."""


class RestrictedFetcher(URLFetcher):  # type: ignore[misc] # WeasyPrint has no type hints
    """Serves `data:` URLs and regular files in the `assets/` folder of the template
    layers, reached without a link on the way (a link there could point at any file);
    refuses everything else.

    The layers are a project's own templates, then the bundled ones (absolute paths): a
    file asked for in one layer's assets that the first layer lacks comes from the next.
    """

    def __init__(self, layers: list[Path], folder: str = "assets") -> None:
        # No handlers are used: `fetch` below never reaches urllib's opener.
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.layers, self.folder = layers, folder
        self.refusals: list[Refusal] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            content_type, body = self._data(url)
        elif scheme == "file":
            content_type, body = self._file(url)
        else:
            self._refuse(url, f"the scheme '{scheme or '(none)'}' is not allowed in PDFs")
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _refuse(self, url: str, reason: str) -> NoReturn:
        self.refusals.append(Refusal(url[:200], reason))
        raise ResourceRefused(reason)

    def _data(self, url: str) -> tuple[str, bytes]:
        if len(url) > MAX_RESOURCE_BYTES * 2:
            self._refuse(url, "the data: URL is larger than 5 MiB")
        match = _DATA_URL.fullmatch(url)
        if match is None:
            self._refuse(url, "the data: URL is malformed")
        params = match["params"].lower().split(";")
        body = unquote(match["body"]).encode("latin-1", "replace")
        if "base64" in params:
            try:
                body = base64.b64decode(match["body"], validate=False)
            except ValueError:
                self._refuse(url, "the data: URL is not valid base64")
        return match["type"] or "text/plain", body

    def _file(self, url: str) -> tuple[str, bytes]:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, "file: URLs on other hosts are not allowed")
        path = Path(posixpath.normpath(unquote(parts.path)))
        inside = next((path.relative_to(layer) for layer in self.layers
                       if path.is_relative_to(layer / self.folder)), None)  # fmt: skip
        if inside is None:
            self._refuse(url, "only files in the templates' assets folder may be used")
        for layer in self.layers:
            try:
                body = read_regular_file_inside(layer, inside.as_posix(), limit=MAX_RESOURCE_BYTES)
            except FileNotFoundError:
                continue
            except UnsafePath:
                self._refuse(url, "a link, not a regular file, or larger than 5 MiB")
            except OSError as err:
                self._refuse(url, f"the file cannot be read: {err.strerror}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return content_type, body
        self._refuse(url, "the file does not exist")
