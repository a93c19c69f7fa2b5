"""The application: dossiers in a database, and everything done with them.

``models`` (SQLAlchemy tables, ``Certificate`` included) and ``migrations`` (Alembic, run by ``migrate``);
``service`` (the dossier service: reads, values, transitions, evidence, settings; each change one transaction,
checked against the dated procedures and appended to the ``audit`` chain); ``units`` and ``users``;
``issuance`` (certificate serials, verification, document data); ``bulk`` (spreadsheet import and export, the
province report); ``demo``; ``config``, ``db`` and ``evidence`` (settings, connections, uploaded files).
"""
