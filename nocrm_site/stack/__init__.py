"""The production shape on 127.0.0.1 (``make stack``, the stack's tests and ``bench/stack.py``):
Varnish in front, HAProxy balancing two gunicorn servers, Redis as the shared cache.

Each engine runs as a foreground child process with its working files in a temporary folder that
the stack creates and deletes; nothing is written elsewhere and no system service is touched. The
configurations are the ones a hosting team copies: deploy/varnish.vcl and deploy/haproxy.cfg.
"""
