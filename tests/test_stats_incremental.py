"""The incremental fill: rounds that apply only what changed give exactly the rows a fill from
scratch gives, over a randomized history whose late outcomes cross the shop's midnight."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from hub.attention.models import Acknowledgement, EscalationPolicy, FollowUp
from hub.intake.models import Message
from hub.outbox.models import Delivery, Expectation, Receipt
from hub.rules.models import Category
from hub.stats import triggers
from hub.stats.days import day_of, days
from hub.stats.fill import by_hour, fill, rollup
from hub.stats.incremental import advance
from hub.stats.models import Changed, CategoryTarget, DailyCount, HourlyCount, MessageFact
from hub.stats.outcome import fates
from hub.stats.purge import purge
from hub.stats.worker import StatsWorker
from tests.attention_helpers import announced, category, department
from tests.stats_helpers import handled, totals

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 28, 20, 0, tzinfo=SHANGHAI)
FLOATS = ("played_seconds", "ack_seconds")

Event = tuple[datetime, int, Callable[[], None]]


def daily_rows() -> dict[tuple[object, ...], dict[str, object]]:
    keys = ("day", "department", "staff", "dimension", "value")
    found: dict[tuple[object, ...], dict[str, object]] = {}
    for row in DailyCount.objects.values():
        values: dict[str, object] = dict(row)
        found[tuple(values.pop(k) for k in keys)] = {k: v for k, v in values.items() if k != "id"}
    return found


def hourly_rows() -> dict[tuple[object, ...], int]:
    return {(r.day, r.hour, r.category, r.department, r.staff): r.messages for r in HourlyCount.objects.all()}


def from_scratch(first: date, now: datetime) -> tuple[dict[tuple[object, ...], dict[str, object]], dict[tuple[object, ...], int]]:
    """What a fill from scratch at ``now`` writes, computed in memory (the database is left alone)."""
    daily: dict[tuple[object, ...], dict[str, object]] = {}
    hourly: dict[tuple[object, ...], int] = {}
    for day in days(first, day_of(now)):
        found = fates(day, now)
        for row in rollup(day, found):
            values = {k: v for k, v in vars(row).items() if not k.startswith("_") and k != "id"}
            daily[tuple(values.pop(k) for k in ("day", "department", "staff", "dimension", "value"))] = values
        for hour in by_hour(day, found):
            hourly[(hour.day, hour.hour, hour.category, hour.department, hour.staff)] = hour.messages
    return daily, hourly


def assert_same(found: dict[tuple[object, ...], dict[str, object]], expected: dict[tuple[object, ...], dict[str, object]]) -> None:
    assert sorted(found, key=str) == sorted(expected, key=str)
    for key, row in expected.items():
        for name, value in row.items():
            if name in FLOATS:
                assert found[key][name] == pytest.approx(value, abs=1e-6), (key, name)
            else:
                assert found[key][name] == value, (key, name)


def history(rng: random.Random, n: int) -> list[Event]:
    """``n`` messages over two and a half shop days, a third of them in the half hour before a
    midnight, each with later outcomes (played, expired, acknowledged, chased, no speaker,
    lapsed, re-classified) that often land on the next shop day."""
    department("finance")
    categories = {slug: category(slug) for slug in ("order", "refund", "withdrawal")}
    EscalationPolicy.objects.create(category=categories["order"], repeat=1, created_at=START - timedelta(days=1))
    CategoryTarget.objects.create(category=categories["refund"], ack_seconds=120)
    events: list[Event] = []
    seq = iter(range(10**6))
    for i in range(n):
        if i % 3 == 0:
            midnight = datetime.combine(START.date() + timedelta(days=rng.randrange(1, 3)), datetime.min.time(), SHANGHAI)
            at = midnight - timedelta(seconds=rng.uniform(1, 1800))
        else:
            at = START + timedelta(seconds=rng.uniform(0, 2.5 * 86400))
        made: dict[str, Message] = {}

        def store(at: datetime = at, made: dict[str, Message] = made) -> None:
            made["m"] = announced(f"消息{uuid.uuid4().hex[:6]}", at=at, dept=rng.choice(("orders", "finance")),
                                  staff_no=rng.choice((None, None, "101", "201")), category_slug=rng.choice(list(categories)))

        events.append((at, next(seq), store))
        for outcome in rng.sample(("played", "expired", "ack", "round", "no_speaker", "lapsed", "moved", "again"), rng.randrange(0, 5)):
            later = at + timedelta(seconds=rng.choice((rng.uniform(0, 60), rng.uniform(60, 3600), rng.uniform(3600, 20000))))
            events.append((later, next(seq), _outcome(outcome, later, made, rng, categories)))
            if outcome == "round":  # the chase goes on in a later round: reminded again, then escalated
                again = later + timedelta(seconds=rng.uniform(60, 7200))
                events.append((again, next(seq), _outcome("round", again, made, rng, categories)))
    return sorted(events, key=lambda e: (e[0], e[1]))


def _outcome(kind: str, at: datetime, made: dict[str, Message], rng: random.Random, categories: dict[str, Category]) -> Callable[[], None]:
    def announcement() -> Delivery:
        found = Delivery.objects.filter(message=made["m"]).exclude(announcement_id="").order_by("id").first()
        assert found is not None
        return found

    def act() -> None:
        message = made["m"]
        if kind in ("played", "expired", "again"):
            Receipt.objects.get_or_create(announcement_id=announcement().announcement_id, node_id=f"spk-{rng.randrange(3)}",
                                          status="expired" if kind == "expired" else "played",
                                          defaults={"message": message, "at": at})
        elif kind == "ack":
            Acknowledgement.objects.get_or_create(message=message, defaults={"by": "101", "at": at})
        elif kind == "round":
            follow, created = FollowUp.objects.get_or_create(message=message, defaults={"last_announced_at": at})
            if not created:
                FollowUp.objects.filter(pk=follow.pk).update(rounds=follow.rounds + rng.choice((1, 2)), last_announced_at=at)
        elif kind == "no_speaker":
            Delivery.objects.filter(pk=announcement().pk).update(status=rng.choice((Delivery.NO_SPEAKER, Delivery.EXPIRED)))
        elif kind == "lapsed":
            expectation = Expectation.objects.create(announcement_id=announcement().announcement_id, node_id="spk-9",
                                                     delivery=announcement(), next_at=at)
            Expectation.objects.filter(pk=expectation.pk).update(status=Expectation.LAPSED)
        elif kind == "moved":  # re-classified by a person: its counts move to the other category
            Message.objects.filter(pk=message.pk).update(category=rng.choice(list(categories.values())), priority="high")

    return act


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rounds_of_changes_give_what_a_fill_from_scratch_gives_across_midnights(seed: int) -> None:
    rng = random.Random(seed)
    events = history(rng, 120)
    now = START - timedelta(minutes=1)
    fill(now)  # the first fill: from scratch, nothing yet
    pending = list(events)
    while pending:
        now += timedelta(minutes=rng.choice((1, 5, 5, 17)))
        while pending and pending[0][0] <= now:
            pending.pop(0)[2]()
        assert fill(now) == 0  # a round: changes only, no day recomputed
    now += timedelta(hours=1)
    fill(now)
    daily, hourly = from_scratch(START.date(), now)
    assert_same(daily_rows(), daily)
    assert hourly_rows() == hourly
    assert sum(int(str(r["messages"])) for k, r in daily.items() if k[3] == "") == 120


def test_a_rerun_changes_nothing_and_a_late_acknowledgement_moves_only_its_rows() -> None:
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
    message = handled("客户张三提交了订单10023", noon, played_after=3)
    handled("用户王五申请了提现请及时审核", noon, dept="finance", category_slug="withdrawal", acked_after=30)
    fill(noon + timedelta(minutes=1))
    first = daily_rows()
    assert advance(noon + timedelta(minutes=1), "daily") == 0
    assert daily_rows() == first
    Acknowledgement.objects.create(message=message, by="101", at=noon + timedelta(minutes=2))
    assert Changed.objects.filter(message_id=message.pk).exists()  # noted in the acknowledgement's own transaction
    assert advance(noon + timedelta(minutes=3), "daily") == 1
    assert not Changed.objects.exists()
    after = daily_rows()
    moved = {k for k in after if after[k] != first[k]}
    assert moved == {k for k in after if k[1] == "orders"}  # the finance rows were not touched
    assert totals()["acknowledged"] == 2


def test_time_alone_turns_an_unacknowledged_message_into_a_breach_at_its_target() -> None:
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
    handled("客户张三提交了订单10023", noon)
    fill(noon + timedelta(minutes=9))
    assert totals()["sla_breaches"] == 0
    assert MessageFact.objects.get().due_at == noon + timedelta(seconds=600)
    fill(noon + timedelta(minutes=10, seconds=1))
    assert totals()["sla_breaches"] == 1
    assert MessageFact.objects.get().due_at is None


def test_a_purge_keeps_the_counts_the_facts_added() -> None:
    old = datetime(2026, 8, 1, 12, 0, tzinfo=SHANGHAI)
    handled("客户张三提交了订单10023", old, played_after=3, acked_after=20)
    handled("客户李四提交了订单10024", old + timedelta(days=100), played_after=3)
    now = old + timedelta(days=100, hours=1)
    fill(now)
    before = daily_rows()
    purge(now)
    assert Message.objects.count() == 1 and MessageFact.objects.count() == 1
    fill(now + timedelta(minutes=5))
    assert daily_rows() == before


def test_every_trigger_is_in_place_after_migrate_and_install_is_idempotent() -> None:
    assert triggers.missing() == []
    triggers.install()
    assert triggers.missing() == []


def test_the_worker_puts_back_a_trigger_a_table_rebuild_dropped() -> None:
    with connection.cursor() as cursor:
        # as a SQLite table rebuild does; PostgreSQL names a trigger with its table
        cursor.execute("DROP TRIGGER stats_receipt_stored" + (" ON outbox_receipt" if connection.vendor == "postgresql" else ""))
    assert triggers.missing() == ["stats_receipt_stored"]
    stop = threading.Event()
    stop.set()
    StatsWorker(clock=lambda: START, purge=None).run(stop)
    assert triggers.missing() == []


def test_what_became_of_a_message_expired_no_speaker_escalated_counts_as_the_docs_say() -> None:
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
    EscalationPolicy.objects.create(category=category("order"), repeat=1, created_at=noon - timedelta(days=1))
    nobody = announced("客户甲提交了订单1", at=noon)
    Delivery.objects.filter(message=nobody).exclude(announcement_id="").update(status=Delivery.NO_SPEAKER)
    heard_later = announced("客户乙提交了订单2", at=noon)  # no speaker at first, then one that played it
    Delivery.objects.filter(message=heard_later).exclude(announcement_id="").update(status=Delivery.NO_SPEAKER)
    first = Delivery.objects.filter(message=heard_later).exclude(announcement_id="").first()
    assert first is not None
    Receipt.objects.create(announcement_id=first.announcement_id, node_id="spk-1", status="played", message=heard_later,
                           at=noon + timedelta(seconds=30))
    too_late = announced("客户丙提交了订单3", at=noon)
    late = Delivery.objects.filter(message=too_late).exclude(announcement_id="").first()
    assert late is not None
    Receipt.objects.create(announcement_id=late.announcement_id, node_id="spk-1", status="expired", message=too_late, at=noon)
    lapsed = announced("客户丁提交了订单4", at=noon)
    owed = Delivery.objects.filter(message=lapsed).exclude(announcement_id="").first()
    assert owed is not None
    Expectation.objects.create(announcement_id=owed.announcement_id, node_id="spk-2", delivery=owed, next_at=noon,
                               status=Expectation.LAPSED)
    chased = announced("客户戊提交了订单5", at=noon)
    FollowUp.objects.create(message=chased, rounds=1, last_announced_at=noon)
    fill(noon + timedelta(minutes=1))
    assert (totals()["no_speaker"], totals()["expired"], totals()["escalated"], totals()["played"]) == (1, 2, 0, 1)
    FollowUp.objects.filter(message=chased).update(rounds=2)  # past the policy's one reminder: escalated
    fill(noon + timedelta(minutes=2))
    assert totals()["escalated"] == 1 and totals()["messages"] == 5


def test_after_a_migration_back_before_the_notes_table_no_trigger_is_left_to_break_writes() -> None:
    triggers.uninstall()
    assert sorted(triggers.missing()) == sorted(triggers.TRIGGERS)
    announced("客户甲提交了订单1", at=START)  # stores fine without them
    triggers.install()
    assert triggers.missing() == []


def test_a_message_stored_played_and_acknowledged_before_a_round_leaves_one_note() -> None:
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
    message = handled("客户张三提交了订单10023", noon, played_after=3, acked_after=30)
    assert Delivery.objects.filter(message=message).count() >= 1
    assert list(Changed.objects.values_list("message_id", flat=True)) == [message.pk]  # stored, announced, played, acknowledged
    fill(noon + timedelta(minutes=1))
    assert not Changed.objects.exists()
    assert (totals()["messages"], totals()["played"], totals()["acknowledged"]) == (1, 1, 1)
    Acknowledgement.objects.filter(message=message).update(at=noon + timedelta(seconds=40))  # noted again once taken
    assert list(Changed.objects.values_list("message_id", flat=True)) == [message.pk]
