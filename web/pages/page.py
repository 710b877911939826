"""What every page shares: the request's language and words, the token of its session, links
that keep the language (so every view has one stable, shareable URL) and the rendering of a
template, or of a refusal as a message a person can act on."""

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.pages.api import PageError
from web.pages.i18n import HTML_LANG, Translator, enum_label, language_of, translator

__all__ = ["STATIC_URL", "TOKEN_KEY", "Page", "templates"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC_URL = "/static"
"""Under the pages' mount: `/app/static/...`."""
TOKEN_KEY = "token"
"""The session's key holding the API token entered (the session is a signed cookie)."""

_STATUS = {
    "UNAUTHENTICATED": (401, "expired"),
    "TOO_MANY_FAILED_AUTHENTICATIONS": (429, "rate_limited"),
    "NOT_FOUND": (404, "not_found"),
    "INVALID_ID": (404, "not_found"),
    "FORBIDDEN": (403, "forbidden"),
    "RATE_LIMITED": (429, "rate_limited"),
    "DATABASE_UNAVAILABLE": (503, "unavailable"),
    "RATE_LIMIT_UNAVAILABLE": (503, "unavailable"),
}


@functools.cache
def templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.globals["active"] = None
    return environment


@dataclass(frozen=True, slots=True)
class Page:
    request: Request
    lang: str
    t: Translator

    @staticmethod
    def of(request: Request) -> "Page":
        lang = language_of(request.query_params.get("lang"), request.headers.get("accept-language"))
        return Page(request=request, lang=lang, t=translator(lang))

    @property
    def token(self) -> str | None:
        found = self.request.session.get(TOKEN_KEY)
        return found if isinstance(found, str) and found else None

    @property
    def base(self) -> str:
        return str(self.request.scope.get("root_path", ""))

    def url(self, path: str, lang: str | None = None, **params: Any) -> str:
        """`path` under the pages' mount, with `params` (empty ones left out) and the language."""
        kept = [(k, v) for k, v in params.items() if v not in (None, "", [], False)]
        query: list[tuple[str, Any]] = []
        for key, value in kept:
            if isinstance(value, list | tuple):
                query.extend((key, item) for item in value)
            else:
                query.append((key, value))
        query.append(("lang", lang or self.lang))
        return f"{self.base}{path}?{urlencode(query)}"

    def same_url(self, lang: str) -> str:
        """This page's URL in `lang`."""
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        params.append(("lang", lang))
        return f"{self.base}{self.request.scope['path'][len(self.base) :]}?{urlencode(params)}"

    def csv_url(self, name: str, params: list[tuple[str, str]], **extra: str) -> str:
        """The CSV download `name` (`web.reports_csv`) with this page's filter `params`."""
        return f"{self.base}/reports/{name}.csv?{urlencode([*params, *extra.items()])}"

    def static(self, path: str) -> str:
        return f"{self.base}{STATIC_URL}/{path}"

    def render(self, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        html = (
            templates()
            .get_template(template)
            .render(
                page=self,
                t=self.t,
                lang=self.lang,
                html_lang=HTML_LANG[self.lang],
                label=lambda value: enum_label(value, self.lang),
                signed_in=self.token is not None,
                role=self.request.scope.get("partnergraph.pages.role"),
                **values,
            )
        )
        return HTMLResponse(html, status_code=status, headers=_HEADERS)

    def refusal(self, error: PageError) -> HTMLResponse:
        status, key = _STATUS.get(error.code, (400, "bad_input"))
        if error.code == "UNAUTHENTICATED":
            self.request.session.clear()
        return self.render(
            "app/refusal.html",
            status=status,
            title=self.t(key),
            message=self.t(key),
            code=error.code,
            detail=error.message if key == "bad_input" else None,
            show_sign_in=status == 401,
        )


_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
