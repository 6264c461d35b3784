"""The grouped feed: one row per (category, target, 10-minute slot), with a count, the newest
text and a group status; expanding it and acknowledging it; roles; older pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

import dashboard.clock
from dashboard import feed, groups
from dashboard.roles import viewer_of
from hub.attention.models import Acknowledgement, FollowUp
from hub.intake.models import Message
from tests.attention_helpers import announced
from tests.dashboard_helpers import admin, client_for, finance_clerk, orders_clerk

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

# 10:01 UTC: well inside the slot 10:00–10:09:59, so "a minute apart" never crosses a slot
NOW = datetime(2026, 12, 1, 10, 1, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(dashboard.clock, "now", lambda: NOW + timedelta(minutes=8))
    yield


def refunds(n: int, at: datetime = NOW, dept: str = "finance") -> list[Message]:
    return [announced(f"用户{i}申请退款{i:03d}", category_slug="refund", dept=dept, at=at + timedelta(seconds=i)) for i in range(n)]


def rows_of(html: str) -> str:
    return html.split('id="rows"')[1].split('<p class="more">')[0]


def test_a_burst_of_refunds_to_finance_is_one_row_with_its_count_newest_text_and_target() -> None:
    made = refunds(30)
    order = announced("客户张三提交了订单10023", at=NOW + timedelta(seconds=40))
    page = client_for(admin()).get("/").content.decode()
    rows = rows_of(page)
    assert rows.count('class="msg group ') == 1
    group = rows.split('class="msg group ')[1].split("</li>")[0]
    assert "×30" in group and "用户29申请退款029" in group and "→ 财务部门" in group and "新" in group
    assert "用户28申请退款028" not in rows  # the older members wait behind the group's row
    assert f'id="m{order.pk}"' in rows  # a message alone in its group is an ordinary row
    key = groups.key_of(made[0].pk)
    assert key is not None and f'data-group="{key.gid}"' in group


def test_a_group_is_one_category_to_one_target_within_one_slot() -> None:
    refunds(3)
    refunds(2, dept="orders")  # same category, another department
    announced("用户王五申请提现", category_slug="withdrawal", dept="finance", at=NOW)  # same department, another category
    refunds(2, at=NOW + groups.WINDOW)  # the next slot
    viewer = viewer_of(admin())
    assert viewer is not None
    found, older = groups.page(viewer, feed.Filters(), NOW + timedelta(minutes=20))
    assert sorted(g.size for g in found) == [1, 2, 2, 3]
    assert older is None


def test_group_status_goes_new_then_partly_acknowledged_then_escalated_then_acknowledged() -> None:
    made = refunds(5)
    clerk = finance_clerk()
    viewer = viewer_of(clerk)
    assert viewer is not None
    key = groups.key_of(made[0].pk)
    assert key is not None

    def status() -> tuple[str, int, int]:
        g = groups.group(viewer, key, NOW + timedelta(minutes=8))
        return g.status, g.acknowledged, g.size

    assert status() == ("new", 0, 5)
    for m in made[:2]:
        Acknowledgement.objects.create(message=m, by="201", at=NOW)
    assert status() == ("partly", 2, 5)
    html = client_for(clerk).get("/").content.decode()
    assert "部分已确认 2/5" in html
    FollowUp.objects.create(message=made[4], rounds=1, last_announced_at=NOW)
    assert status() == ("escalated", 2, 5)
    for m in made[2:]:
        Acknowledgement.objects.create(message=m, by="201", at=NOW)
    assert status() == ("acknowledged", 5, 5)


def test_acknowledge_group_takes_every_open_member_the_person_may_see_and_keeps_earlier_acknowledgements() -> None:
    made = refunds(6)
    Acknowledgement.objects.create(message=made[0], by="999", at=NOW)
    other = refunds(2, dept="orders")  # another department's refunds: another group
    key = groups.key_of(made[0].pk)
    assert key is not None
    reply = client_for(finance_clerk()).post(f"/g/{key.gid}/ack")
    assert reply.status_code == 200 and reply.json() == {"group": key.gid, "acknowledged": 5}
    by = dict(Acknowledgement.objects.values_list("message_id", "by"))
    assert by == {made[0].pk: "999", **{m.pk: "201" for m in made[1:]}}
    assert not Acknowledgement.objects.filter(message__in=other).exists()
    assert "gstatus-acknowledged" in rows_of(client_for(admin()).get("/").content.decode()).split(f"id=\"g{key.gid}\"")[0][-200:]


def test_another_departments_clerk_may_neither_open_nor_acknowledge_a_group_and_does_not_see_it() -> None:
    made = refunds(4)
    key = groups.key_of(made[0].pk)
    assert key is not None
    clerk = client_for(orders_clerk())
    assert key.gid not in clerk.get("/").content.decode()
    assert clerk.get(f"/g/{key.gid}/").status_code == 403
    assert clerk.post(f"/g/{key.gid}/ack").status_code == 403
    assert not Acknowledgement.objects.exists()
    assert clerk.post("/g/not-a-group/ack").status_code == 404


def test_expanding_a_group_lists_its_members_newest_first() -> None:
    made = refunds(4)
    key = groups.key_of(made[0].pk)
    assert key is not None
    members = client_for(finance_clerk()).get(f"/g/{key.gid}/").content.decode()
    ids = [int(part.split('"')[0]) for part in members.split('data-id="')[1:]]
    assert ids == [m.pk for m in reversed(made)]


def test_older_groups_page_on_by_whole_slots_and_nothing_shows_twice() -> None:
    # one refund and one order in each of 30 slots: 60 groups of one, more than a page
    made = []
    for n in range(30):
        at = NOW - (29 - n) * groups.WINDOW
        made += [announced(f"退款{n:02d}", category_slug="refund", dept="finance", at=at),
                 announced(f"订单{n:02d}", at=at + timedelta(seconds=1))]
    client = client_for(admin())
    pages, url = [], "/"
    while url:
        html = client.get(url).content.decode()
        pages.append({int(part.split('"')[0]) for part in rows_of(html).split('data-id="')[1:]})
        more = html.split('id="rows"')[1].split('<p class="more">')
        url = "/?until=" + more[1].split("until=")[1].split('"')[0] if len(more) > 1 else ""
    assert len(pages[0]) == groups.PAGE and max(pages[0]) == made[-1].pk
    assert sum(len(p) for p in pages) == len(made) and set().union(*pages) == {m.pk for m in made}


def test_a_page_of_few_big_groups_stops_after_the_slot_in_which_its_row_budget_ran_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(groups, "ROW_BUDGET", 10)
    for slot in (2, 1, 0):  # three slots of six refunds each, oldest first: the budget runs out in the second
        refunds(6, at=NOW - slot * groups.WINDOW)
    viewer = viewer_of(admin())
    assert viewer is not None
    found, older = groups.page(viewer, feed.Filters(), NOW + timedelta(minutes=8))
    assert [g.size for g in found] == [6, 6] and older == groups.slot_of(NOW - groups.WINDOW)
    rest, none = groups.page(viewer, feed.Filters(), NOW + timedelta(minutes=8), older)
    assert [g.size for g in rest] == [6] and none is None


def test_one_by_one_shows_every_message_as_before() -> None:
    refunds(3)
    rows = rows_of(client_for(admin()).get("/?group=0").content.decode())
    assert rows.count('class="msg state-new') == 3 and "msg group" not in rows


def test_a_message_stored_out_of_time_order_still_joins_its_group_and_every_group_shows_once_and_whole() -> None:
    for n in range(60):  # 60 groups of one in 60 slots: more than a page
        announced(f"退款{n:02d}", category_slug="refund", dept="finance", at=NOW - (59 - n) * groups.WINDOW)
    viewer = viewer_of(admin())
    assert viewer is not None
    first, _ = groups.page(viewer, feed.Filters(), NOW + timedelta(minutes=8))
    edge = min(g.key.slot for g in first)  # the oldest slot on the first page
    announced("迟到的退款", category_slug="refund", dept="finance", at=groups.slot_start(edge) + timedelta(seconds=5))
    seen: dict[int, int] = {}
    until: int | None = None
    while True:
        found, until = groups.page(viewer, feed.Filters(), NOW + timedelta(minutes=8), until)
        for g in found:
            assert g.key.slot not in seen
            seen[g.key.slot] = g.size
        if until is None:
            break
    assert len(seen) == 60 and sum(seen.values()) == 61 and seen[edge] == 2


def test_a_bad_older_page_position_gets_one_clear_line_and_the_newest_groups_show() -> None:
    refunds(2)
    page = client_for(admin()).get("/?until=yesterday").content.decode()
    assert "yesterday" in page and "不是有效的翻页位置" in page and "×2" in page
