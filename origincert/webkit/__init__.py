"""What the desk (and, once moved, the customs portal) share: password hashing, API-key hashing,
security headers, CSRF and rate limits. Written for the desk first; see the README for what of
the portal should move here.
"""
