"""The JSON API under /api/v1: bearer tokens, the same service and the same checks as the pages."""
