"""Rules of time that the visitor's side and the back office share.

The visitor's side applies them to each decision it accepts; the back office relies on them to know
when a day of the log is final (see consent/backoffice/rollup.py).
"""

from datetime import timedelta

# A decision re-sent after an outage keeps its own time if it is at most this old; older, it gets ours.
MAX_RESEND_AGE = timedelta(days=7)
# How far ahead of the server's clock a visitor's clock may be: a decision or cookie dated further in
# the future than this is not taken at its word.
CLOCK_SKEW = timedelta(minutes=2)
