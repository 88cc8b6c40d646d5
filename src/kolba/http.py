"""HTTP header parsing and formatting (the ``werkzeug.http`` role)."""

from __future__ import annotations

from .sansio.http import MAX_RANGES as MAX_RANGES
from .sansio.http import dump_age as dump_age
from .sansio.http import dump_cookie as dump_cookie
from .sansio.http import dump_header as dump_header
from .sansio.http import dump_options_header as dump_options_header
from .sansio.http import generate_etag as generate_etag
from .sansio.http import http_date as http_date
from .sansio.http import is_byte_range_valid as is_byte_range_valid
from .sansio.http import is_entity_header as is_entity_header
from .sansio.http import is_hop_by_hop_header as is_hop_by_hop_header
from .sansio.http import is_resource_modified as is_resource_modified
from .sansio.http import parse_accept_header as parse_accept_header
from .sansio.http import parse_age as parse_age
from .sansio.http import parse_cache_control_header as parse_cache_control_header
from .sansio.http import parse_content_range_header as parse_content_range_header
from .sansio.http import parse_cookie as parse_cookie
from .sansio.http import parse_date as parse_date
from .sansio.http import parse_dict_header as parse_dict_header
from .sansio.http import parse_etags as parse_etags
from .sansio.http import parse_if_range_header as parse_if_range_header
from .sansio.http import parse_list_header as parse_list_header
from .sansio.http import parse_options_header as parse_options_header
from .sansio.http import parse_range_header as parse_range_header
from .sansio.http import parse_set_header as parse_set_header
from .sansio.http import quote_etag as quote_etag
from .sansio.http import quote_header_value as quote_header_value
from .sansio.http import remove_entity_headers as remove_entity_headers
from .sansio.http import remove_hop_by_hop_headers as remove_hop_by_hop_headers
from .sansio.http import unquote_etag as unquote_etag
from .sansio.http import unquote_header_value as unquote_header_value
from .sansio.status import HTTP_STATUS_CODES as HTTP_STATUS_CODES

__all__ = [
    "HTTP_STATUS_CODES",
    "MAX_RANGES",
    "dump_age",
    "dump_cookie",
    "dump_header",
    "dump_options_header",
    "generate_etag",
    "http_date",
    "is_byte_range_valid",
    "is_entity_header",
    "is_hop_by_hop_header",
    "is_resource_modified",
    "parse_accept_header",
    "parse_age",
    "parse_cache_control_header",
    "parse_content_range_header",
    "parse_cookie",
    "parse_date",
    "parse_dict_header",
    "parse_etags",
    "parse_if_range_header",
    "parse_list_header",
    "parse_options_header",
    "parse_range_header",
    "parse_set_header",
    "quote_etag",
    "quote_header_value",
    "remove_entity_headers",
    "remove_hop_by_hop_headers",
    "unquote_etag",
    "unquote_header_value",
]
