"""The signed-in user's own account: changing their password (current password required, CSRF-protected)."""
