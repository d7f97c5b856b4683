"""Accounts (accounts/service.py) on the database: verification only where mail can be sent,
signed single-use reset links, the account page's changes, and "another entity" at sign-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meetingapp.accounts import links
from meetingapp.accounts import service as accounts
from meetingapp.domain.errors import DuplicateEmail, ValidationFailed
from meetingapp.extensions import db
from meetingapp.models import OutboxMessage, Registration, Role
from meetingapp.models.user import user_by_email
from meetingapp.registration.service import register_participant
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def mail_server(app):
    """The app can send mail (no server needs to listen: nothing is delivered here)."""
    app.config["MAIL_SERVER"] = "127.0.0.1"
    yield
    app.config["MAIL_SERVER"] = ""


def _sign_up(email="ada@example.org", **extra):
    org = extra.pop("org", None) or factories.organisation()
    return accounts.create_account(
        email=email,
        name="Ada Lovelace",
        password="long-enough",
        organisation_id=org.id,
        now=NOW,
        **extra,
    )


def _mail(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def _link(message: OutboxMessage, prefix: str) -> str:
    line = next(w for w in message.body_text.split() if prefix in w)
    return line.rsplit("/", 1)[1]


def test_without_a_mail_server_an_address_is_accepted_as_given(app):
    user = _sign_up()
    assert user.email_verified is True
    assert _mail("verify_email") == []
    session = factories.session(capacity=5)
    assert register_participant(user=user, session_id=session.id, now=NOW).status == "confirmed"


def test_with_a_mail_server_a_sign_up_gets_a_link_and_cannot_register_until_it_is_opened(
    app, mail_server
):
    user = _sign_up()
    assert user.email_verified is False
    [message] = _mail("verify_email")
    assert message.to_address == "ada@example.org"
    session = factories.session(capacity=5)
    with pytest.raises(accounts.EmailNotVerified) as refused:
        register_participant(user=user, session_id=session.id, now=NOW)
    assert refused.value.code == "email_not_verified" and refused.value.status_code == 403
    assert "we sent a link to ada@example.org" in str(refused.value)
    assert db.session.scalar(select(Registration)) is None

    done = accounts.confirm_email(token=_link(message, "/auth/verify/"), now=NOW)

    assert done.user is user and not done.changed and user.email_verified
    assert register_participant(user=user, session_id=session.id, now=NOW).status == "confirmed"


def test_an_organiser_may_register_someone_whose_address_is_unconfirmed(app, mail_server):
    user = _sign_up()
    session = factories.session(capacity=5)
    outcome = register_participant(
        user=user, session_id=session.id, now=NOW, actor=factories.organiser()
    )
    assert outcome.status == "confirmed"


def test_organisers_made_by_the_command_are_verified(app, mail_server):
    organiser, created = accounts.create_or_promote_organiser("org@example.org", "O", "long-pass")
    assert created and organiser.email_verified and organiser.role == Role.ORGANISER
    participant = _sign_up("p@example.org")
    promoted, created = accounts.create_or_promote_organiser("p@example.org", "P", "long-pass")
    assert promoted is participant and not created and promoted.email_verified


def test_a_confirmation_link_expires_after_seven_days(app, mail_server):
    _sign_up()
    token = _link(_mail("verify_email")[0], "/auth/verify/")
    assert accounts.address_link(token, NOW + timedelta(days=7)) is not None
    with pytest.raises(accounts.InvalidLink):
        accounts.confirm_email(token=token, now=NOW + timedelta(days=7, seconds=1))


def test_sending_the_link_again_mails_the_waiting_address_only(app, mail_server):
    user = _sign_up()
    assert accounts.send_verification(user, NOW) == "ada@example.org"
    assert len(_mail("verify_email")) == 2
    accounts.confirm_email(token=_link(_mail("verify_email")[1], "/auth/verify/"), now=NOW)
    assert accounts.send_verification(user, NOW) is None
    assert len(_mail("verify_email")) == 2


def test_a_password_reset_link_works_once(app, mail_server):
    user = factories.user("p@example.org")
    accounts.request_password_reset(email="P@Example.org", now=NOW)
    [message] = _mail("password_reset")
    assert message.to_address == "p@example.org"
    token = _link(message, "/auth/reset/")
    assert accounts.reset_link_user(token, NOW) is user

    accounts.reset_password(token=token, password="a-new-password", now=NOW + timedelta(hours=1))

    assert accounts.reset_link_user(token, NOW) is None  # the old password's link is spent
    with pytest.raises(accounts.InvalidLink):
        accounts.reset_password(token=token, password="another-password", now=NOW)
    from meetingapp.passwords import authenticate

    assert authenticate("p@example.org", "a-new-password") is user


def test_a_password_reset_link_expires_after_two_hours(app, mail_server):
    factories.user("p@example.org")
    accounts.request_password_reset(email="p@example.org", now=NOW)
    token = _link(_mail("password_reset")[0], "/auth/reset/")
    assert accounts.reset_link_user(token, NOW + timedelta(hours=2)) is not None
    with pytest.raises(accounts.InvalidLink):
        accounts.reset_password(
            token=token, password="a-new-password", now=NOW + timedelta(hours=2, seconds=1)
        )


def test_a_reset_link_is_no_confirmation_link_and_an_altered_one_is_refused(app, mail_server):
    user = factories.user("p@example.org")
    accounts.request_password_reset(email="p@example.org", now=NOW)
    token = _link(_mail("password_reset")[0], "/auth/reset/")
    assert accounts.address_link(token, NOW) is None
    secret = app.config["SECRET_KEY"]
    forged = links.reset_token("not-the-secret", user.id, user.password_hash, user.email, NOW)
    assert accounts.reset_link_user(forged, NOW) is None
    assert links.read_reset_token(secret, token[:-2] + "xx", NOW) is None


def test_a_reset_for_an_unknown_address_queues_nothing(app, mail_server):
    accounts.request_password_reset(email="nobody@example.org", now=NOW)
    assert _mail("password_reset") == []


def test_no_reset_link_waits_in_the_outbox_when_no_mail_can_be_sent(app):
    factories.user("p@example.org")
    accounts.request_password_reset(email="p@example.org", now=NOW)
    assert _mail("password_reset") == []


def test_a_reset_mail_is_written_in_the_recipients_language(app, mail_server):
    user = factories.user("p@example.org")
    user.locale = "zh_Hans"
    accounts.request_password_reset(email="p@example.org", now=NOW)
    from tests.translate import t

    [message] = _mail("password_reset")
    assert message.subject == t("zh_Hans", "Choose a new password for meetingapp")


def test_a_new_address_takes_effect_once_its_link_is_opened(app, mail_server):
    user = factories.user("old@example.org")
    change = accounts.update_profile(
        user,
        name="Ada King",
        email="New@Example.org",
        organisation_id=user.organisation_id,
        locale="zh_Hans",
        now=NOW,
    )
    assert change.pending_email == "new@example.org"
    assert (user.email, user.pending_email, user.name, user.locale) == (
        "old@example.org",
        "new@example.org",
        "Ada King",
        "zh_Hans",
    )
    [message] = _mail("verify_email")
    assert message.to_address == "new@example.org"

    done = accounts.confirm_email(token=_link(message, "/auth/verify/"), now=NOW)

    assert done.changed and (user.email, user.pending_email) == ("new@example.org", None)
    assert user_by_email("old@example.org") is None


def test_a_new_address_is_taken_at_once_without_a_mail_server(app):
    user = factories.user("old@example.org")
    change = accounts.update_profile(
        user, name=user.name, email="new@example.org", organisation_id=None, locale="en", now=NOW
    )
    assert change.email_changed and user.email == "new@example.org" and _mail("verify_email") == []


def test_an_address_of_another_account_is_refused(app, mail_server):
    factories.user("taken@example.org")
    user = factories.user("me@example.org")
    with pytest.raises(DuplicateEmail):
        accounts.update_profile(
            user, name="Me", email="TAKEN@example.org", organisation_id=None, locale="en", now=NOW
        )
    assert user.pending_email is None


def test_the_old_address_link_stops_working_once_the_address_changed(app, mail_server):
    user = _sign_up("old@example.org")
    first = _link(_mail("verify_email")[0], "/auth/verify/")
    accounts.update_profile(
        user,
        name=user.name,
        email="new@example.org",
        organisation_id=user.organisation_id,
        locale="en",
        now=NOW,
    )
    accounts.confirm_email(token=_link(_mail("verify_email")[1], "/auth/verify/"), now=NOW)
    with pytest.raises(accounts.InvalidLink):
        accounts.confirm_email(token=first, now=NOW)


def test_the_account_page_offers_only_confirmed_entities_and_ones_own(app):
    user = factories.user(org=factories.organisation())
    hidden = accounts.create_account(
        email="x@example.org",
        name="X",
        password="long-enough",
        organisation_id=None,
        proposed_entity=("NEWORG", "A new organisation"),
        now=NOW,
    ).organisation
    with pytest.raises(ValidationFailed):
        accounts.update_profile(
            user, name="U", email=user.email, organisation_id=hidden.id, locale="en", now=NOW
        )
    owner = user_by_email("x@example.org")
    accounts.update_profile(
        owner, name="X", email=owner.email, organisation_id=hidden.id, locale="en", now=NOW
    )
    assert owner.organisation is hidden


def test_signing_up_with_another_entity_proposes_it(app):
    user = accounts.create_account(
        email="w@example.org",
        name="W",
        password="long-enough",
        organisation_id=None,
        proposed_entity=(" WFP ", "World Food Programme"),
        now=NOW,
    )
    assert user.organisation.short_name == "WFP" and user.organisation.confirmed is False


def test_another_entity_needs_its_names(app):
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_account(
            email="w@example.org",
            name="W",
            password="long-enough",
            organisation_id=None,
            proposed_entity=("WFP", ""),
            now=NOW,
        )
    assert refused.value.field == "new_entity_full_name"
    assert user_by_email("w@example.org") is None
