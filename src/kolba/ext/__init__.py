"""Optional pieces that need extra packages (install them with the matching extra).

- :mod:`kolba.ext.redis_session`: server-side sessions in Redis (``pip install kolba[redis]``).
"""

from __future__ import annotations
