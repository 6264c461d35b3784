"""Reports over HTTP: JSON, CSV with a BOM, XLSX that openpyxl opens with its Chinese text,
each narrowed to what the login's role may see, with the previous period beside it."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest

import dashboard.clock
from hub.stats.fill import fill
from tests.dashboard_helpers import admin, client_for, finance_clerk, login, orders_manager
from tests.stats_helpers import handled

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
RANGE = "?from=2026-11-20&to=2026-11-25"


@pytest.fixture(autouse=True)
def shop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two orders and a withdrawal this week, one order the week before; the dashboard's clock at NOON."""
    monkeypatch.setattr(dashboard.clock, "now", lambda: NOON + timedelta(hours=1))
    handled("客户张三提交了订单10023", NOON, played_after=3, acked_after=30)
    handled("客户李四提交了订单10024", NOON - timedelta(days=1), played_after=9, staff_no="101")
    handled("用户王五申请了提现请及时审核", NOON, dept="finance", category_slug="withdrawal", staff_no="201")
    handled("客户赵六提交了订单10020", NOON - timedelta(days=8))
    fill(NOON + timedelta(hours=1))


def test_an_admin_gets_every_department_and_the_previous_period_in_json() -> None:
    found = client_for(admin()).get("/stats/api/department" + RANGE).json()
    assert {r["key"]: r["messages"] for r in found["rows"]} == {"orders": 2, "finance": 1}
    assert found["total"]["messages"] == 3
    assert found["previous"]["messages"] == 1 and found["previous_start"] == "2026-11-14"


def test_a_managers_report_never_includes_another_department() -> None:
    client = client_for(orders_manager())
    for kind in ("total", "department", "category", "staff", "day", "month", "app", "source"):
        found = client.get(f"/stats/api/{kind}" + RANGE).json()
        assert found["total"]["messages"] == 2, kind
    assert [r["key"] for r in client.get("/stats/api/category" + RANGE).json()["rows"]] == ["order"]
    assert "提现" not in client.get("/stats/category.csv" + RANGE).getvalue().decode("utf-8-sig")


def test_a_staff_member_sees_only_what_was_announced_to_them() -> None:
    found = client_for(finance_clerk()).get("/stats/api/staff" + RANGE).json()
    assert [(r["key"], r["messages"]) for r in found["rows"]] == [("201", 1)]


def test_a_login_with_no_department_gets_one_clear_line_and_no_numbers() -> None:
    reply = client_for(login("visitor")).get("/stats/api/total" + RANGE)
    assert reply.status_code == 400 and set(reply.json()) == {"error"}


def test_a_bad_day_or_report_name_is_one_line_naming_it() -> None:
    client = client_for(admin())
    assert client.get("/stats/api/total?from=2026-13-01").status_code == 400
    assert "weekly" in client.get("/stats/api/weekly").json()["error"]
    assert client.get("/stats/api/total?from=2026-11-25&to=2026-11-01").status_code == 400


def test_the_xlsx_download_opens_with_openpyxl_and_holds_the_chinese_names() -> None:
    reply = client_for(admin()).get("/stats/category.xlsx" + RANGE)
    assert reply["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(reply.content), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert rows[0][:3] == ["分组", "名称", "消息"]
    assert ["order", "订单", 2] == rows[1][:3]
    assert rows[-1][1] == "上一时期" and rows[-1][2] == 1


def test_the_csv_download_starts_with_a_bom_so_excel_and_wps_read_chinese() -> None:
    body = client_for(admin()).get("/stats/department.csv" + RANGE).getvalue()
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("分组,名称,消息")
    assert any(line.startswith("orders,") and ",2," in line for line in lines)


def test_the_statistics_page_draws_its_chart_from_the_vendored_library_in_chinese() -> None:
    page = client_for(admin()).get("/stats/day/" + RANGE).content.decode()
    assert "chart.umd.min.js" in page and "http" not in page.split("chart.umd.min.js")[0].rsplit("src=", 1)[1]
    assert "统计" in page and "按部门" in page


def test_the_trends_put_each_message_in_its_weekday_and_hour_and_compare_today_with_four_weeks() -> None:
    handled("客户钱七提交了订单10030", NOON - timedelta(weeks=1))
    handled("客户孙八提交了订单10031", NOON - timedelta(weeks=2, hours=-3))  # 15:00, after "now"
    fill(NOON + timedelta(hours=1), since=date(2026, 11, 1))  # stored after the last fill, days back: refill them
    found = client_for(admin()).get("/stats/api/trends?from=2026-11-01&to=2026-11-25&period=week").json()
    wednesday_noon = found["heat_map"][2][12]  # 25 November 2026 is a Wednesday
    assert wednesday_noon == 3 and sum(map(sum, found["heat_map"])) == 6
    assert found["today"]["days"][:3] == ["2026-11-25", "2026-11-18", "2026-11-11"]
    assert found["today"]["so_far"][:3] == [2, 1, 0] and found["today"]["whole_day"][:3] == [2, 1, 1]
    assert [s["label"] for s in found["by_category"]["series"]] == ["订单", "提现"]
    assert found["busiest_departments"][0] == {"key": "orders", "label": "订单部门", "messages": 5}


def test_a_managers_trends_hold_no_other_department() -> None:
    found = client_for(orders_manager()).get("/stats/api/trends?from=2026-11-01&to=2026-11-25").json()
    assert [d["key"] for d in found["busiest_departments"]] == ["orders"]
    assert sum(map(sum, found["heat_map"])) == 3
    assert client_for(admin()).get("/stats/api/trends?period=fortnight").status_code == 400


def test_outages_are_minutes_per_shop_day_and_speaker_uptime_follows_them() -> None:
    from hub.monitor.models import Alert
    from hub.org.models import SpeakerNode
    from tests.attention_helpers import department

    SpeakerNode.objects.create(node_id="spk-orders-1", department=department("orders"))
    SpeakerNode.objects.create(node_id="spk-finance-1", department=department("finance"))
    # down 23:00 on 23 November to 01:00 on the 24th (Shanghai): an hour on each day
    Alert.objects.create(key="node:spk-orders-1", kind=Alert.NODE, subject="spk-orders-1", text="down",
                         opened_at=datetime(2026, 11, 23, 23, tzinfo=SHANGHAI), resolved_at=datetime(2026, 11, 24, 1, tzinfo=SHANGHAI))
    Alert.objects.create(key="source:shop", kind=Alert.SOURCE, subject="shop", text="unreachable",
                         opened_at=datetime(2026, 11, 24, 10, tzinfo=SHANGHAI), resolved_at=datetime(2026, 11, 24, 10, 30, tzinfo=SHANGHAI))
    found = client_for(admin()).get("/stats/api/trends?from=2026-11-23&to=2026-11-25").json()["outages"]
    assert found["speaker_minutes"] == [60.0, 60.0, 0.0] and found["source_minutes"] == [0.0, 30.0, 0.0]
    assert found["speaker_uptime"] == [round(100 * (1 - 60 / 2880), 2)] * 2 + [100.0]
    mine = client_for(orders_manager()).get("/stats/api/trends?from=2026-11-23&to=2026-11-25").json()["outages"]
    assert mine["source_minutes"] == [0.0, 0.0, 0.0] and mine["speaker_uptime"][0] == round(100 * (1 - 60 / 1440), 2)
