"""Every PDF of the project (reportlab), from plain data; no HTTP, no database.

``certificate_pdf(CertificateData)``, ``certificates_batch_pdf([...])``, ``decision_pdf(DecisionData)``,
``revocation_pdf(RevocationData)``, ``minutes_pdf(MinutesData)`` and ``province_report_pdf(ProvinceReportData)``
return the bytes of a PDF; the same input gives the same bytes. The inputs are the frozen dataclasses of
``certificates.data`` and ``certificates.report_data`` (``from_dict`` builds them from plain dicts). This package
imports nothing of the project's (neither ``engine``, ``dossiers`` nor ``webforms``), nor Flask or SQLAlchemy.

Modules: ``fonts`` (the one font registration), ``text`` (measuring, fitting, escaping), ``dates``, ``page``
(geometry, colours), ``canvas`` (the deterministic canvas, a fitted line, the watermark), ``qr`` (segno),
``flowables`` (header and signature blocks), ``document`` (styles and the page builder), then one module per
document: ``certificate``, ``decision``, ``revocation``, ``minutes``, ``report`` (with ``report_charts``).
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
    RevocationData,
    from_dict,
)
from .decision import decision_pdf
from .minutes import minutes_pdf
from .report import province_report_pdf
from .report_data import (
    ProvinceReportData,
    ReportBin,
    ReportCommune,
    ReportCriterion,
    ReportGroup,
    ReportTarget,
    ReportThreshold,
)
from .revocation import revocation_pdf

__all__ = [
    "CertificateData",
    "CriterionRow",
    "DecisionData",
    "IndicatorRow",
    "Issuer",
    "MinutesData",
    "ProvinceReportData",
    "RecognisedCommune",
    "RevocationData",
    "ReportBin",
    "ReportCommune",
    "ReportCriterion",
    "ReportGroup",
    "ReportTarget",
    "ReportThreshold",
    "certificate_pdf",
    "certificates_batch_pdf",
    "decision_pdf",
    "from_dict",
    "minutes_pdf",
    "province_report_pdf",
    "revocation_pdf",
]
