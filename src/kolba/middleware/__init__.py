"""WSGI middleware that wraps ``app.wsgi_app`` (the ``werkzeug.middleware`` role).

Each module holds one middleware; import it from its module, for example
``from kolba.middleware.proxy_fix import ProxyFix``.
"""

from __future__ import annotations
