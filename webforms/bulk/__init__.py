"""Spreadsheets on the web: import indicator values (report first, then confirm), exports, province report."""
