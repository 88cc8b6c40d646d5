"""Data structures apps use directly (the ``werkzeug.datastructures`` role)."""

from __future__ import annotations

from .sansio.datastructures import CallbackDict as CallbackDict
from .sansio.datastructures import CombinedMultiDict as CombinedMultiDict
from .sansio.datastructures import FileMultiDict as FileMultiDict
from .sansio.datastructures import FileStorage as FileStorage
from .sansio.datastructures import Headers as Headers
from .sansio.datastructures import HeaderSet as HeaderSet
from .sansio.datastructures import ImmutableDict as ImmutableDict
from .sansio.datastructures import ImmutableDictMixin as ImmutableDictMixin
from .sansio.datastructures import ImmutableList as ImmutableList
from .sansio.datastructures import ImmutableMultiDict as ImmutableMultiDict
from .sansio.datastructures import ImmutableMultiDictMixin as ImmutableMultiDictMixin
from .sansio.datastructures import ImmutableTypeConversionDict as ImmutableTypeConversionDict
from .sansio.datastructures import MultiDict as MultiDict
from .sansio.datastructures import TypeConversionDict as TypeConversionDict
from .sansio.header_types import Accept as Accept
from .sansio.header_types import Authorization as Authorization
from .sansio.header_types import CharsetAccept as CharsetAccept
from .sansio.header_types import ContentRange as ContentRange
from .sansio.header_types import ETags as ETags
from .sansio.header_types import IfRange as IfRange
from .sansio.header_types import LanguageAccept as LanguageAccept
from .sansio.header_types import MIMEAccept as MIMEAccept
from .sansio.header_types import Range as Range
from .sansio.header_types import RequestCacheControl as RequestCacheControl
from .sansio.header_types import ResponseCacheControl as ResponseCacheControl
from .sansio.header_types import WWWAuthenticate as WWWAuthenticate
from .wsgi.request import EnvironHeaders as EnvironHeaders

__all__ = [
    "Accept",
    "Authorization",
    "CallbackDict",
    "CharsetAccept",
    "CombinedMultiDict",
    "ContentRange",
    "ETags",
    "EnvironHeaders",
    "FileMultiDict",
    "FileStorage",
    "HeaderSet",
    "Headers",
    "IfRange",
    "ImmutableDict",
    "ImmutableDictMixin",
    "ImmutableList",
    "ImmutableMultiDict",
    "ImmutableMultiDictMixin",
    "ImmutableTypeConversionDict",
    "LanguageAccept",
    "MIMEAccept",
    "MultiDict",
    "Range",
    "RequestCacheControl",
    "ResponseCacheControl",
    "TypeConversionDict",
    "WWWAuthenticate",
]
