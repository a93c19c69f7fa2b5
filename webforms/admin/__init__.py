"""The rules administrator's pages: criteria versions, unverified values, side-by-side diff, publish."""
