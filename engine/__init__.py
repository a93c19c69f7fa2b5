"""Scoring engine for child-friendly communes (QĐ 06/QĐ-TTg, 2019).

Data flows one way: YAML criteria (``criteria/``) → strict models (``engine.models``) → scoring
(``engine.scoring``) → the web pages and PDFs. Nothing in this package imports Flask.
"""

__version__ = "0.1.0"
