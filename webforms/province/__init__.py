"""The province's pages: sign-off queue, batch decisions, revocation, dashboard."""
