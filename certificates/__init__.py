"""Certificates and recognition decisions as PDF bytes (reportlab), from plain data; no HTTP, no database.

``decision_pdf(DecisionData)``, ``certificate_pdf(CertificateData)``, ``certificates_batch_pdf([...])`` and
``minutes_pdf(MinutesData)`` return the bytes of a PDF; the same input gives the same bytes. The inputs are the
frozen dataclasses of ``certificates.data`` (``from_dict`` builds them from plain dicts). This package imports
neither ``engine`` nor ``webforms``, Flask or SQLAlchemy.
"""

from .certificate import certificate_pdf, certificates_batch_pdf
from .data import (
    CertificateData,
    CriterionRow,
    DecisionData,
    IndicatorRow,
    Issuer,
    MinutesData,
    RecognisedCommune,
    from_dict,
)
from .decision import decision_pdf
from .minutes import minutes_pdf

__all__ = [
    "CertificateData",
    "CriterionRow",
    "DecisionData",
    "IndicatorRow",
    "Issuer",
    "MinutesData",
    "RecognisedCommune",
    "certificate_pdf",
    "certificates_batch_pdf",
    "decision_pdf",
    "from_dict",
    "minutes_pdf",
]
