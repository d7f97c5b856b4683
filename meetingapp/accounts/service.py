"""Accounts: sign-up, passwords, preferences, the account page, organisers, and the links mailed
to reset a password or confirm an address. Each change one unit of work.

E-mail verification is required only when the app can send mail (``MAIL_SERVER``): without a mail
server nobody could ever confirm, so addresses are then accepted as given. Someone who signs up
while mail is configured starts unverified and cannot register until they open the link mailed to
them; accounts that organisers create are trusted. A new address from the account page replaces
the old one only once the link sent to it is opened (at once when no mail can be sent).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from meetingapp import clock
from meetingapp.accounts import links
from meetingapp.domain.errors import DomainError, DuplicateEmail, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.entities.service import propose_entity
from meetingapp.extensions import db
from meetingapp.mail import service as mail
from meetingapp.mail.delivery import mail_configured
from meetingapp.models import Organisation, Role, User
from meetingapp.models.user import normalise_email, user_by_email
from meetingapp.passwords import check_password_rules, hash_password, password_matches
from meetingapp.uow import unit_of_work


class EmailNotVerified(DomainError):
    """The account's address is not confirmed yet, and the app can check it."""

    status_code = 403


class InvalidLink(DomainError):
    """A mailed link that is altered, expired, already used or no longer fits the account."""

    status_code = 400


def verification_required() -> bool:
    """Addresses must be confirmed only where a link can be mailed to them."""
    return mail_configured()


def require_verified_email(user: User) -> None:
    """Refuse (EmailNotVerified) what needs a confirmed address, such as registering."""
    if verification_required() and not user.email_verified:
        raise EmailNotVerified(
            _(
                "Confirm your e-mail address first: we sent a link to %(email)s. Your account "
                "page can send it again.",
                email=user.email,
            )
        )


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _send_address_link(user: User, address: str, now: datetime) -> None:
    token = links.verify_token(_secret(), user.id, address, now)
    mail.verify_email_message(
        user=user,
        address=address,
        link=mail.public_url(f"/auth/verify/{token}"),
        days=links.VERIFY_LIFETIME.days,
        changing=address != user.email,
        now=now,
    )


def _taken(email: str, user: User | None = None) -> None:
    other = user_by_email(email)
    if other is not None and (user is None or other.id != user.id):
        raise DuplicateEmail(
            _("An account with this e-mail address already exists."), field="email"
        )


def _organisation_for(
    organisation_id: int | None,
    proposed_entity: tuple[str, str] | None,
    *,
    email: str,
    now: datetime,
    current: int | None = None,
) -> int | None:
    """The entity picked from the list (confirmed, or the one the person already has), or the
    one they propose ("another entity")."""
    if proposed_entity is not None:
        return propose_entity(*proposed_entity, proposed_by=email, now=now).id
    if organisation_id is None:
        return None
    org = db.session.get(Organisation, organisation_id)
    if org is None or not (org.confirmed or org.id == current):
        raise ValidationFailed(_("Pick your organisation from the list."), field="organisation")
    return org.id


def create_account(
    *,
    email: str,
    name: str,
    password: str,
    organisation_id: int | None,
    role: Role = Role.PARTICIPANT,
    locale: str | None = None,
    proposed_entity: tuple[str, str] | None = None,
    verified: bool | None = None,
    now: datetime | None = None,
) -> User:
    """Create an account; DuplicateEmail when the address (in any case) is taken.

    ``proposed_entity`` (abbreviation, full name) is an entity not in the list: it is created
    unconfirmed for an organiser to confirm. ``verified`` None means "as the person typed it":
    unverified, with a link mailed to it, when the app can send mail.
    """
    now = now or clock.now()
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Enter your name."), field="name")
    check_password_rules(password)
    if verified is None:
        verified = not verification_required()
    with unit_of_work():
        _taken(email)
        user = User(
            email=email,
            name=name,
            organisation_id=_organisation_for(
                organisation_id, proposed_entity, email=email, now=now
            ),
            role=role,
            password_hash=hash_password(password),
            locale=locale,
            email_verified=verified,
        )
        db.session.add(user)
        db.session.flush()
        if not verified:
            _send_address_link(user, email, now)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not password_matches(user, current):
        raise ValidationFailed(_("The current password is not right."), field="current_password")
    check_password_rules(new)
    with unit_of_work():
        user.password_hash = hash_password(new)


def create_or_promote_organiser(email: str, name: str, password: str) -> tuple[User, bool]:
    """Create an organiser account, or make an existing account an organiser.

    Returns (user, created). The operator vouches for the address: it counts as verified.
    """
    check_password_rules(password)
    with unit_of_work():
        existing = user_by_email(email)
        if existing is not None:
            existing.role = Role.ORGANISER
            existing.name = name.strip() or existing.name
            existing.password_hash = hash_password(password)
            existing.email_verified = True
            return existing, False
        return create_account(
            email=email,
            name=name,
            password=password,
            organisation_id=None,
            role=Role.ORGANISER,
            verified=True,
        ), True


def set_optional_mail(user: User, wanted: bool) -> None:
    """Reminders are optional; confirmations and changes always go out."""
    with unit_of_work():
        user.mail_optional = wanted


def set_locale(user: User, locale: str) -> None:
    """Remember the interface language the user chose (mail and feeds follow it too)."""
    with unit_of_work():
        user.locale = locale


# --- the account page -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileChange:
    pending_email: str | None  # the new address waiting for its link to be opened, if one was sent
    email_changed: bool  # the address changed at once (no mail can be sent to confirm it)


def update_profile(
    user: User,
    *,
    name: str,
    email: str,
    organisation_id: int | None,
    locale: str,
    now: datetime,
    proposed_entity: tuple[str, str] | None = None,
) -> ProfileChange:
    """Save the account page: name, entity (picked, or proposed), language and address.

    A new address waits in ``pending_email`` for the link mailed to it; the old one stays until
    then. Without a mail server it replaces the old one at once. DuplicateEmail when another
    account has it.
    """
    from meetingapp.i18n import LANGUAGES

    name, email = name.strip(), normalise_email(email)
    if not name:
        raise ValidationFailed(_("Enter your name."), field="name")
    if not email:
        raise ValidationFailed(_("Enter a valid e-mail address."), field="email")
    if locale not in LANGUAGES:
        raise ValidationFailed(_("Choose one of the offered languages."), field="locale")
    pending, changed = None, False
    with unit_of_work():
        user.organisation_id = _organisation_for(
            organisation_id,
            proposed_entity,
            email=user.email,
            now=now,
            current=user.organisation_id,
        )
        user.name = name
        user.locale = locale
        if email != user.email:
            _taken(email, user)
            if verification_required():
                user.pending_email = pending = email
                _send_address_link(user, email, now)
            else:
                user.email, user.pending_email, changed = email, None, True
    return ProfileChange(pending, changed)


# --- links by e-mail ------------------------------------------------------------------------


def address_waiting(user: User) -> str | None:
    """The address waiting to be confirmed: the new one asked for, else the account's own while
    unconfirmed (None when nothing waits, or when no mail can be sent to confirm it)."""
    if not verification_required():
        return None
    return user.pending_email or (None if user.email_verified else user.email)


def send_verification(user: User, now: datetime) -> str | None:
    """Mail the link again to the address waiting to be confirmed; returns it (or None)."""
    address = address_waiting(user)
    if address is None:
        return None
    with unit_of_work():
        _send_address_link(user, address, now)
    return address


def address_link(token: str, now: datetime) -> links.AddressClaim | None:
    """What a confirmation link claims, if it is intact and not expired (nothing is changed)."""
    return links.read_verify_token(_secret(), token, now)


@dataclass(frozen=True)
class ConfirmedAddress:
    user: User
    address: str
    changed: bool  # the account's address is now this one (it was a change asked for)


def confirm_email(*, token: str, now: datetime) -> ConfirmedAddress:
    """Open a confirmation link: the address becomes verified, or replaces the old one."""
    claim = address_link(token, now)
    if claim is None:
        raise InvalidLink(_("This link has expired or is not valid: ask for a new one."))
    address = normalise_email(claim.address)
    with unit_of_work():
        user = db.session.get(User, claim.user_id)
        if user is not None and user.pending_email == address:
            _taken(address, user)
            user.email, user.pending_email, user.email_verified = address, None, True
            return ConfirmedAddress(user, address, True)
        if user is not None and user.email == address:
            user.email_verified = True
            return ConfirmedAddress(user, address, False)
        raise InvalidLink(
            _("This link is for an address the account no longer uses: ask for a new one.")
        )


def request_password_reset(*, email: str, now: datetime) -> None:
    """Mail a link to choose a new password, if an account has this address.

    The caller answers the same whether or not one does. Nothing is queued when no mail can be
    sent: the link would only wait in the outbox.
    """
    user = user_by_email(email)
    # An anonymised (deleted or purged) account has no mailbox and is never given back.
    if user is None or user.anonymised_at is not None or not mail_configured():
        return
    with unit_of_work():
        token = links.reset_token(_secret(), user.id, user.password_hash, user.email, now)
        mail.password_reset_message(
            user=user,
            link=mail.public_url(f"/auth/reset/{token}"),
            hours=int(links.RESET_LIFETIME.total_seconds() // 3600),
            now=now,
        )


def reset_link_user(token: str, now: datetime) -> User | None:
    """The account a password link is for, while the link is valid (nothing is changed)."""
    claim = links.read_reset_token(_secret(), token, now)
    if claim is None:
        return None
    user = db.session.get(User, claim.user_id)
    if user is None or user.email != claim.address or user.anonymised_at is not None:
        return None
    if not hmac.compare_digest(links.password_fingerprint(user.password_hash), claim.fingerprint):
        return None
    return user


def reset_password(*, token: str, password: str, now: datetime) -> User:
    """Set a new password through a mailed link (once: the link dies with the old password).

    The link reached the account's mailbox, so the address counts as confirmed too.
    """
    check_password_rules(password)
    with unit_of_work():
        user = reset_link_user(token, now)
        if user is None:
            raise InvalidLink(_("This link has expired or was already used: ask for a new one."))
        user.password_hash = hash_password(password)
        user.email_verified = True
    return user
