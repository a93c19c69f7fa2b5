"""SQLAlchemy models: administrative units, users, dossiers with their values and evidence, the audit chain,
issued certificates and the signed documents issued.

The schema is created and changed only by Alembic migrations (``cfc db upgrade``); these classes mirror them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """An administrative unit as the national list gives it, valid over a period; merged units name a successor."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("level", "code", "valid_from", name="uq_unit_level_code_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(16))  # province | district | commune
    code: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # units.within
    successor_code: Mapped[str | None] = mapped_column(String(16))  # resolved to successor_id once loaded

    # districts and provinces come with the unit in one query (jurisdiction checks walk up the tree)
    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id], lazy="joined",
                                               join_depth=2)
    # the unit that took over after a merger (loaded when a jurisdiction check needs it)
    successor: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[successor_id], viewonly=True)

    def ancestors(self) -> list[Unit]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


class CommuneCategory(Base):
    """A commune's category in a given year (lists of mountain, island and difficult communes change)."""

    __tablename__ = "commune_categories"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_category_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship(lazy="joined")


class ApiToken(Base):
    """An API token of a user: only its SHA-256 is stored. It works until ``expires_at`` (UTC) unless revoked
    (``revoked_at``): by ``cfc users revoke-token``, a password change or the user's deactivation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80), default="", server_default="")
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A signed-in browser session, kept on the server: the cookie carries a random token whose SHA-256 is
    ``token_hash``. Signing out deletes the row; so do a password change and deactivation (every row of the
    user). Times are UTC."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed sign-ins of one user name (known or not, so that a lock tells nothing about which names
    exist) within a window; ``locked_until`` (UTC): no password is checked for the name before then."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Setting(Base):
    """Deployment settings stored with its data (e.g. ``allow_sample_documents``)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class Dossier(Base):
    """A commune's dossier for one assessment round."""

    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("commune_id", "year", name="uq_dossier_commune_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    criteria_version: Mapped[str] = mapped_column(String(40))
    procedure: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    self_score: Mapped[dict | None] = mapped_column(JSON)
    verified_score: Mapped[dict | None] = mapped_column(JSON)
    rescored_score: Mapped[dict | None] = mapped_column(JSON)  # a decided dossier's re-score (its decision stands)
    engine_version: Mapped[str | None] = mapped_column(String(60))
    panel_members: Mapped[list | None] = mapped_column(JSON)
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    decision_signer: Mapped[str | None] = mapped_column(String(200))
    decision_signer_title: Mapped[str | None] = mapped_column(String(200))
    revocation_number: Mapped[str | None] = mapped_column(String(60))
    revocation_date: Mapped[dt.date | None] = mapped_column(Date)
    revocation_signer: Mapped[str | None] = mapped_column(String(200))
    revocation_signer_title: Mapped[str | None] = mapped_column(String(200))
    revocation_public_reason: Mapped[str | None] = mapped_column(Text)  # shown by the verification page
    submission: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # submits so far
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))

    commune: Mapped[Unit] = relationship(lazy="joined")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="IndicatorValue.code"
    )
    evidence: Mapped[list[Evidence]] = relationship(back_populates="dossier", order_by="Evidence.id")

    __mapper_args__ = {"version_id_col": lock_version}


class IndicatorValue(Base):
    """One indicator of a dossier: the commune's value, the appraised value and the appraiser's comment.

    Values are stored as canonical text ("true", "49", "86.5") so decimals round-trip exactly.
    """

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("dossier_id", "code", name="uq_value_dossier_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    self_value: Mapped[str | None] = mapped_column(String(40))
    appraised_value: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    appraised_in: Mapped[int | None] = mapped_column(Integer)  # the dossier's submission it was appraised for

    dossier: Mapped[Dossier] = relationship(back_populates="values")


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    criterion: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_path: Mapped[str] = mapped_column(String(500))
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[str] = mapped_column(String(40))

    dossier: Mapped[Dossier] = relationship(back_populates="evidence")


class AuditEntry(Base):
    """One appended change. ``hash`` = sha256(previous hash + the entry's canonical JSON): editing or deleting
    any row breaks the chain from that row on, which ``cfc audit verify`` reports."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    dossier_id: Mapped[int | None] = mapped_column(Integer, index=True)
    dossier_version: Mapped[int | None] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str] = mapped_column(Text, default="null")
    after: Mapped[str] = mapped_column(Text, default="null")
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last sequence number and hash, in one row locked by every append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class Certificate(Base):
    """One issued certificate; its status is computed from its dossier and ``superseded_by``
    (``dossiers.issuance``)."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("province_code", "year", "seq", name="uq_certificate_province_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    province_code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[str] = mapped_column(String(40))
    issued_by: Mapped[str] = mapped_column(String(80))
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    dossier: Mapped[Dossier] = relationship()
    successor: Mapped[Certificate | None] = relationship(remote_side=[id], foreign_keys=[superseded_by])


class SignedDocument(Base):
    """One signed document as issued (``dossiers.issuance.signing_store``): the file
    ``signed/<unsigned_sha256>.pdf`` of the instance folder, whose own SHA-256 is ``signed_sha256``. ``document_key``
    names the document by its data (kind and fields, the verification address left out), so that a change of base
    URL, template or font does not lose it; ``dossier_id`` is the dossier whose event issued it, ``event`` that
    event (``recognize``, ``amend_decision``, ``revoke``, ``verify``) or the command that recorded it."""

    __tablename__ = "signed_documents"
    __table_args__ = (UniqueConstraint("kind", "document_key", name="uq_signed_document_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # certificate | decision | revocation | minutes
    serial: Mapped[str | None] = mapped_column(String(40))  # a certificate's serial number
    document_key: Mapped[str] = mapped_column(String(64))
    unsigned_sha256: Mapped[str] = mapped_column(String(64))
    signed_sha256: Mapped[str] = mapped_column(String(64), index=True)
    event: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[str] = mapped_column(String(40))
