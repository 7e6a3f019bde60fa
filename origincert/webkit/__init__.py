"""What the customs portal and the chamber's desk share, written once: password hashing and
API-key hashes (``passwords``), body bounds, CSRF, rate limits and security headers
(``security``, each app stating its ``Policy``), sign-in throttling counted in the app's own
database (``throttle``) and translations with each user's language (``i18n``).
"""
