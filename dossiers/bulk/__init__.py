"""Bulk data in and out: spreadsheet templates and imports of indicator values, exports, province reports.

``template`` writes the import file of a criteria version (XLSX or CSV); ``read`` reads a CSV or XLSX file
(``xlsx``) into a ``table`` of cells that remember their row and column; ``importer`` imports a file, all of it
in one transaction or nothing: ``checking`` checks every cell (``cells``), ``storing`` stores the changes,
``outcome`` is the report, ``progress`` the progress bars; ``scorer`` scores many assessments, in worker
processes for large files; ``export`` writes a round's results, values and audit trail; ``report`` draws the
province report (PDF); ``write`` writes sheets as XLSX or CSV (UTF-8 with BOM).
"""
