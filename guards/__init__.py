"""What the site lets a browser run and send: inline scripts allowed by hash, same-origin checks.

Shared by every app; imports none of them.
"""
