"""Admins' checks that store nothing: one page fetched from a source now, mapped and classified."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import requests

from hub.intake.adapters import adapter_for
from hub.intake.adapters.base import FetchError
from hub.intake.models import Source
from hub.pipeline import Pipeline
from hub.rules.facts import Facts

PREVIEW_ITEMS = 20


@dataclass(frozen=True)
class Mapped:
    external_id: str
    user: str
    platform_type: str
    content: str
    category: str
    rule: str


@dataclass(frozen=True)
class Preview:
    source: str
    items: list[Mapped]
    rejects: list[str]
    error: str = ""


def fetch_one_page(source: Source) -> Preview:
    """The source's next page as the poller would map it, with what recognition makes of each item.

    The cursor, ETag and health fields are not touched (a copy is fetched with no ETag).
    """
    probe = copy.copy(source)
    probe.etag = ""
    session = requests.Session()  # the adapters' transport sets its own timeout
    try:
        page = adapter_for(source.adapter).fetch(probe, session)
    except FetchError as exc:
        return Preview(source.name, [], [], error=str(exc))
    except requests.RequestException as exc:
        return Preview(source.name, [], [], error=f"{type(exc).__name__}: {exc}")
    finally:
        session.close()
    pipeline = Pipeline.from_db()
    mapped = []
    for item in page.items[:PREVIEW_ITEMS]:
        facts = Facts(content=item.content, type=item.platform_type, app=item.app, source=source.name,
                      user=item.user_name, lang="zh" if any("\u4e00" <= c <= "\u9fff" for c in item.content) else "en", raw=item.raw)
        found = pipeline.recognition(facts)
        mapped.append(Mapped(item.external_id, item.user_name, item.platform_type, item.content,
                             found.category.slug if found.category else "", found.rule))
    return Preview(source.name, mapped, [r.reason for r in page.rejects[:PREVIEW_ITEMS]])

