"""Certificates and recognition decisions as PDF bytes (reportlab), from plain data; no HTTP, no database."""
