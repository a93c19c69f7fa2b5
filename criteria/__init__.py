"""The QĐ 06 criteria as versioned YAML data: one file per version (schema in README.md beside this file).

``criteria/tests/`` holds the acceptance cases run by pytest. This package holds data only.
"""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
