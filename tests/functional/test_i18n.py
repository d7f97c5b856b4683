"""The interface in English and Simplified Chinese: choosing the language, and the demo in 中文.

Content (titles, topics, names) stays as organisers typed it; only interface text changes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meetingapp.domain.capacity import AlreadyRegistered
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, OutboxMessage, SessionKind, User
from meetingapp.registration import service as registrations
from tests import factories
from tests.text import page_text

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
# Interface words that must not be left in English on a Chinese page (content is allowed).
ENGLISH_INTERFACE = [
    "Skip to content",
    "Log out",
    "My programme",
    "Programme",
    "Add to calendar",
    "Registration closed",
    "Round 1",
    "Topic tables",
    "Pick your tables",
    "Save my picks",
    "For the official report",
    "No-shows",
    "Attended",
    "Waitlisted",
    "Download XLSX",
    "Notifications",
    "Table rotation",
    "Subscribe",
    "You are registered",
    "seats left",
    "host ",
    "Organised by",
    "times are shown",
    "choice",
    "Check-in",
    "Confirmed",
]


def _text(response) -> str:
    return page_text(response)


def _interface_english(text: str) -> list[str]:
    return [w for w in ENGLISH_INTERFACE if w in text]


def _login(client, email: str, password: str = factories.PASSWORD):
    client.post("/auth/logout")
    return client.post("/auth/login", data={"email": email, "password": password})


def _future_session(capacity: int | None = 10) -> EventSession:
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    event = factories.event(starts_on=starts.date())
    return factories.session(event, capacity=capacity, title="Space law clinic", starts_at=starts)


# --- choosing the language ----------------------------------------------------------------------


def test_visitor_with_chinese_accept_language_gets_chinese(client):
    page = client.get("/", headers=CHINESE)
    text = _text(page)
    assert "活动" in text and "登录" in text and "Log in" not in text
    assert '<html lang="zh-Hans" dir="ltr">' in page.get_data(as_text=True)


def test_visitor_with_english_or_other_browser_gets_english(client):
    assert "Log in" in _text(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert "Log in" in _text(client.get("/", headers={"Accept-Language": "de-DE,pt;q=0.5"}))
    page = client.get("/")
    assert "Log in" in _text(page) and '<html lang="en" dir="ltr">' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "log_in"),
    [
        ("ar-EG,ar;q=0.9", "ar", "rtl", "تسجيل الدخول"),
        ("zh-CN", "zh-Hans", "ltr", "登录"),
        ("fr-FR,fr;q=0.9", "fr", "ltr", "Se connecter"),
        ("ru-RU", "ru", "ltr", "Войти"),
        ("es-419,es;q=0.9", "es", "ltr", "Iniciar sesión"),
    ],
)
def test_each_un_language_is_offered_and_chosen_from_the_browser(
    client, accept, lang, direction, log_in
):
    page = client.get("/", headers={"Accept-Language": accept})
    body = page.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in body
    assert log_in in _text(page) and "Log in" not in _text(page)
    # The switcher lists all six, each under its own name.
    for name in ("العربية", "中文", "English", "Français", "Русский", "Español"):
        assert f">{name}</option>" in body


def test_arabic_programme_isolates_its_time_ranges(app, client):
    session = factories.session(title="Briefing")
    db.session.commit()
    page = client.get(f"/events/{session.event_id}", headers={"Accept-Language": "ar"})
    body = page.get_data(as_text=True)
    assert 'dir="rtl"' in body
    assert re.search(r"<bdi><time [^>]*>\d\d:\d\d</time>–<time [^>]*>\d\d:\d\d</time></bdi>", body)


def test_visitor_choice_in_the_header_is_kept_for_the_browser(client):
    r = client.post("/auth/language", data={"locale": "zh_Hans", "next": "/auth/login"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/auth/login")
    assert "还没有账户" in _text(client.get("/auth/login"))
    client.post("/auth/language", data={"locale": "en", "next": "/"})
    assert "No account yet?" in _text(client.get("/auth/login", headers=CHINESE))


def test_language_choice_is_stored_on_the_account_and_beats_the_browser(app, client):
    user = factories.user("lin@example.org")
    db.session.commit()
    _login(client, "lin@example.org")
    client.post("/auth/language", data={"locale": "zh_Hans", "next": "/me/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "zh_Hans"
    other_browser = app.test_client()
    _login(other_browser, "lin@example.org")
    assert "我的日程" in _text(other_browser.get("/me/", headers={"Accept-Language": "en"}))


def test_unknown_language_is_refused_and_next_must_be_local(client):
    assert client.post("/auth/language", data={"locale": "xx"}).status_code == 400
    r = client.post("/auth/language", data={"locale": "en", "next": "//evil.example/"})
    assert r.headers["Location"].endswith("/") and "evil" not in r.headers["Location"]


def test_sign_up_remembers_the_language_the_page_was_in(client):
    org = factories.organisation("DESA")
    db.session.commit()
    client.post(
        "/auth/signup",
        headers=CHINESE,
        data={
            "name": "Wang Fang",
            "email": "wang@example.org",
            "organisation": org.id,
            "password": "long-enough-pw",
            "confirm": "long-enough-pw",
        },
    )
    user = db.session.scalar(select(User).where(User.email == "wang@example.org"))
    assert user.locale == "zh_Hans"


# --- what changes with the language -------------------------------------------------------------


def test_domain_errors_stay_english_in_code_and_read_chinese_on_the_page(app, client):
    session = _future_session()
    user = factories.user("li@example.org")
    db.session.commit()
    registrations.register_participant(user=user, session_id=session.id, now=datetime.now(UTC))
    with pytest.raises(AlreadyRegistered) as refused:
        registrations.register_participant(user=user, session_id=session.id, now=datetime.now(UTC))
    assert str(refused.value) == "You are already registered for this session."
    _login(client, "li@example.org")
    page = client.post(
        f"/registration/sessions/{session.id}", headers=CHINESE, follow_redirects=True
    )
    assert "您已报名参加这场会议。" in _text(page)


def test_form_errors_are_translated(client):
    text = _text(client.post("/auth/login", data={"email": "", "password": ""}, headers=CHINESE))
    assert "该字段是必填字段。" in text


def test_mail_is_written_in_the_recipients_language_not_the_requests(app, client):
    session = _future_session()
    chinese = factories.user("zhao@example.org")
    chinese.locale = "zh_Hans"
    english = factories.user("smith@example.org")
    db.session.commit()
    for user in (chinese, english):
        _login(client, user.email)
        client.post(f"/registration/sessions/{session.id}", headers=CHINESE)
    mails = {m.to_address: m for m in db.session.scalars(select(OutboxMessage))}
    zh, en = mails["zhao@example.org"], mails["smith@example.org"]
    assert zh.subject == "已确认参加：Space law clinic"
    assert zh.body_text.startswith("尊敬的 User") and "您已确认参加：" in zh.body_text
    assert "年" in zh.body_text and "星期" in zh.body_text  # the date, spelled the Chinese way
    assert en.subject == "You are confirmed: Space law clinic"
    assert en.body_text.startswith("Dear User") and "you are confirmed for:" in en.body_text


def test_english_dates_are_unchanged_and_chinese_dates_follow_the_locale(client):
    event = factories.event(title="Dates", starts_on=datetime(2024, 11, 20).date())
    factories.session(event, title="Opening")
    db.session.commit()
    assert "Wednesday 20 November 2024" in _text(client.get(f"/events/{event.id}"))
    chinese = _text(client.get(f"/events/{event.id}", headers=CHINESE))
    assert "2024年11月20日星期三" in chinese and "CET (UTC+1)" in chinese


# --- the demo in Chinese ------------------------------------------------------------------------


def _demo(title_part: str) -> Event:
    return db.session.scalar(select(Event).where(Event.title.like(f"%{title_part}%")))


def _chinese_login(app, client, email):
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]})
    client.post("/auth/language", data={"locale": "zh_Hans", "next": "/"})
    client.get("/")  # the welcome flash was written in English, before the switch


@pytest.mark.demo
def test_demo_participant_pages_read_in_chinese(app, client):
    speed = _demo("20th open")
    upcoming = _demo("21st open")
    networking = next(s for s in upcoming.sessions if s.kind == SessionKind.SPEED_NETWORKING)
    _chinese_login(app, client, "participant01@example.org")
    pages = {
        "event": _text(client.get(f"/events/{speed.id}")),
        "programme": _text(client.get("/me/")),
        "itinerary": _text(client.get("/me/itinerary")),
    }
    _chinese_login(app, client, "participant15@example.org")  # registered for the coming one
    pages["picks"] = _text(client.get(f"/rotation/sessions/{networking.id}/picks"))
    for name, text in pages.items():
        assert _interface_english(text) == [], name
    assert "2024年11月20日星期三" in pages["event"] and "专题小组" in pages["event"]
    assert "Getting to know the UN: speed dating" in pages["event"]  # content stays as typed
    assert "我的日程" in pages["programme"] and "分组轮换" in pages["programme"]
    assert "第 1 志愿" in pages["picks"] and "小组" in pages["picks"]
    assert "第 1 轮" in pages["itinerary"] and "牵头：" in pages["itinerary"]


@pytest.mark.demo
def test_demo_report_reads_in_chinese_with_the_paragraph_for_the_chinese_report(app, client):
    ny = _demo("43rd session")
    day = next(s for s in ny.sessions if s.kind == SessionKind.TRAINING)
    _chinese_login(app, client, "organiser@example.org")
    event_report = _text(client.get(f"/reports/events/{ny.id}"))
    session_report = _text(client.get(f"/reports/sessions/{day.id}"))
    for text in (event_report, session_report):
        assert _interface_english(text) == []
        assert "供正式报告使用" in text
        # The seed's paragraph 43 (tests/functional/test_official_names.py checks all of it).
        assert (
            "共有 21 名学员获益于此次培训，他们来自以下联合国办事处和实体：经济和社会事务部；"
            in text
        )
    assert "2024年10月28日星期一" in session_report and "EDT (UTC−4)" in session_report


@pytest.mark.demo
def test_demo_report_keeps_its_english_paragraph_in_english(app, client):
    ny = _demo("43rd session")
    client.post(
        "/auth/login",
        data={"email": "organiser@example.org", "password": app.config["DEMO_PASSWORD"]},
    )
    text = _text(client.get(f"/reports/events/{ny.id}"))
    assert (
        "A total of 21 participants benefited from the training; they came from the following "
        "United Nations offices and entities: Department of Economic and Social Affairs;" in text
    )


@pytest.mark.demo
def test_calendar_feed_is_written_in_its_owners_language(app, client):
    from meetingapp.calendar.service import feed_token

    user = db.session.scalar(select(User).where(User.email == "participant01@example.org"))
    user.locale = "zh_Hans"
    db.session.commit()
    token = feed_token(user, app.config["SECRET_KEY"])
    body = client.get(f"/calendar/feed/{token}.ics").get_data(as_text=True).replace("\r\n ", "")
    assert "SUMMARY:第 1 轮：" in body and "CATEGORIES:速配" in body


@pytest.mark.demo
def test_api_token_and_docs_pages_read_in_chinese(app, client):
    _chinese_login(app, client, "participant01@example.org")
    empty = _text(client.get("/account/tokens/"))
    assert "API 令牌" in empty and "尚无令牌。" in empty and "与会者" in empty
    created = client.post("/account/tokens/", data={"name": "报名脚本"})
    assert created.status_code == 201
    assert "<strong>您的新令牌</strong>" in created.get_data(as_text=True)  # markup, not escaped
    page = _text(created)
    assert "Authorization: Bearer" in page
    assert "报名脚本" in page and "有效" in page and "从未使用" in page
    too_long = client.post("/account/tokens/", data={"name": "x" * 101})
    assert too_long.status_code == 422
    assert "字段长度不能超过 100 个字符" in _text(too_long), _text(too_long)
    for text in (empty, page):
        assert _interface_english(text) == []
    docs = _text(client.get("/api/v1/docs"))
    assert "接口操作" in docs and "数据结构" in docs and "以下参考说明以英文撰写" in docs
