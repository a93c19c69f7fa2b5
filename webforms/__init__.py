"""Flask + WTForms pages for every role (commune, district panel, province, rules admin).

Thin over ``engine``: load, check role and jurisdiction, call one engine function, render.
"""
