"""URL routing: rules, converters, the map that matches requests and builds URLs.

This is the ``werkzeug.routing`` role: apps import :class:`BaseConverter` and
:class:`ValidationError` from here to write custom converters.
"""

from __future__ import annotations

from .converters import AnyConverter as AnyConverter
from .converters import BaseConverter as BaseConverter
from .converters import FloatConverter as FloatConverter
from .converters import IntegerConverter as IntegerConverter
from .converters import NumberConverter as NumberConverter
from .converters import PathConverter as PathConverter
from .converters import UnicodeConverter as UnicodeConverter
from .converters import UUIDConverter as UUIDConverter
from .exceptions import BuildError as BuildError
from .exceptions import RequestRedirect as RequestRedirect
from .exceptions import RoutingException as RoutingException
from .exceptions import ValidationError as ValidationError
from .map import Map as Map
from .map import MapAdapter as MapAdapter
from .rules import EndpointPrefix as EndpointPrefix
from .rules import Rule as Rule
from .rules import RuleFactory as RuleFactory
from .rules import Subdomain as Subdomain
from .rules import Submount as Submount
