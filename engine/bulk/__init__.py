"""Bulk data in and out: spreadsheet templates and imports of indicator values, exports, province reports.

``template`` writes the import file of a criteria version (XLSX or CSV); ``read`` reads a CSV or XLSX file into
rows of cells that remember their row and column; ``importer`` checks every cell of a file and stores all of it
in one transaction, or nothing; ``scorer`` scores many assessments, in worker processes for large files;
``export`` writes a round's results, values and audit trail; ``report`` draws the province report (PDF);
``write`` writes sheets as XLSX or CSV (UTF-8 with BOM).
"""
