"""kolba.wsgi."""
