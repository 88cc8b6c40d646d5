"""Jinja2 templates: one environment per app, loading from the app's and blueprints' folders.

``render_template`` and friends look templates up through :class:`DispatchingJinjaLoader`
(the app's ``templates/`` first, then each blueprint's folder in registration order), add
the default context (``config``, ``request``, ``session``, ``g``, ``url_for``,
``get_flashed_messages``) and what the context processors return, then render.
"""

from __future__ import annotations

import typing as t

from jinja2 import BaseLoader, Template, TemplateNotFound
from jinja2 import Environment as BaseEnvironment
from jinja2.utils import LRUCache

from .globals import _app_ctx_or_none, _cv_request, current_app, g, request, session
from .helpers import get_flashed_messages, stream_with_context
from .signals import before_render_template, template_rendered
from .utils import cached_property

if t.TYPE_CHECKING:
    from .app import Kolba
    from .scaffold import Scaffold

_SourceResult = tuple[str, str | None, t.Callable[[], bool] | None]

#: Extensions whose templates are autoescaped (HTML and XML dialects).
AUTOESCAPE_EXTENSIONS = (".html", ".htm", ".xml", ".xhtml", ".svg")

#: How many compiled ``render_template_string`` sources each app keeps.
STRING_TEMPLATE_CACHE_SIZE = 64


class Environment(BaseEnvironment):
    """The app's Jinja environment (``app.jinja_env``): it knows its app and, unless given
    another loader, loads through the app's :class:`DispatchingJinjaLoader`.
    """

    def __init__(self, app: Kolba, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app
        # Compiling a template source costs twenty times rendering it, and views that call
        # render_template_string pass the same literal every time.
        # PERF: compile each distinct source once (a bounded, thread-safe LRU).
        self._string_templates: LRUCache = LRUCache(STRING_TEMPLATE_CACHE_SIZE)

    def template_from_string(self, source: str) -> Template:
        """``from_string(source)``, compiled once per distinct source."""
        template: Template | None = self._string_templates.get(source)
        if template is None:
            template = self.from_string(source)
            self._string_templates[source] = template
        return template


class DispatchingJinjaLoader(BaseLoader):
    """Finds a template in the app's template folder, then in each blueprint's, in the
    order the blueprints were registered; the first that has it wins.
    """

    def __init__(self, app: Kolba) -> None:
        self.app = app

    def _loaders(self) -> t.Iterator[tuple[Scaffold, BaseLoader]]:
        app = self.app
        loader = app.jinja_loader
        if loader is not None:
            yield app, loader
        for blueprint in app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def get_source(self, environment: BaseEnvironment, template: str) -> _SourceResult:
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        for _owner, loader in self._loaders():
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                pass
        raise TemplateNotFound(template)

    def _get_source_explained(self, environment: BaseEnvironment, template: str) -> _SourceResult:
        """Like get_source, but asks every loader and logs what each answered, so a
        template that resolves to the wrong folder (or to none) can be understood.
        """
        lines: list[str] = []
        found: _SourceResult | None = None
        for owner, loader in self._loaders():
            try:
                result = loader.get_source(environment, template)
            except TemplateNotFound:
                lines.append(f"  {owner!r} ({loader!r}): not found")
                continue
            lines.append(f"  {owner!r} ({loader!r}): found at {result[1]!r}")
            if found is None:
                found = result
        if not lines:
            lines.append("  no template folders are configured (template_folder=None)")
        outcome = "using the first match" if found is not None else "NOT FOUND"
        self.app.logger.info("Looking up template %r, %s:\n%s", template, outcome, "\n".join(lines))
        if found is None:
            raise TemplateNotFound(template)
        return found

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for _owner, loader in self._loaders():
            names.update(loader.list_templates())
        return sorted(names)


class TemplatingMixin:
    """The app's side of templating: ``jinja_env`` and the context templates get."""

    #: The Environment class ``jinja_env`` is made from.
    jinja_environment: type[Environment] = Environment
    jinja_options: dict[str, t.Any]

    @cached_property
    def jinja_env(self) -> Environment:
        """The app's Jinja environment, created on first use (so jinja_options and
        TEMPLATES_AUTO_RELOAD can be set after the app is made).
        """
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> Environment:
        """Create ``jinja_env``: autoescape by file extension, reload when
        TEMPLATES_AUTO_RELOAD (or, when it is None, debug mode) says so, the default
        globals, and a ``tojson`` filter that uses the app's JSON provider.
        """
        app = t.cast("Kolba", self)
        options = dict(app.jinja_options)
        options.setdefault("autoescape", app.select_jinja_autoescape)
        if "auto_reload" not in options:
            auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]
            options["auto_reload"] = app.debug if auto_reload is None else auto_reload
        env = self.jinja_environment(app, **options)
        env.globals.update(
            url_for=app.url_for,
            get_flashed_messages=get_flashed_messages,
            config=app.config,
            request=request,
            session=session,
            g=g,
        )

        def json_dumps(obj: t.Any, **kwargs: t.Any) -> str:
            # Looked up at each call, so replacing app.json later is honoured. Jinja's
            # tojson then escapes <, >, & and ' so the output is safe inside HTML.
            return app.json.dumps(obj, **kwargs)

        env.policies["json.dumps_function"] = json_dumps
        return env

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The loader of ``jinja_env``: the app's then the blueprints' template folders."""
        return DispatchingJinjaLoader(t.cast("Kolba", self))

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape strings and ``.html``, ``.htm``, ``.xml``, ``.xhtml``, ``.svg`` files."""
        return filename is None or filename.endswith(AUTOESCAPE_EXTENSIONS)

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add what the context processors return to ``context``: the app's first, then
        those of the request's blueprints from outer to inner (a later one wins). Names
        already in ``context`` (the arguments of render_template) win over all of them.
        """
        app = t.cast("Kolba", self)
        processors = app.template_context_processors
        names: tuple[str | None, ...] = (None,)
        req_ctx = _cv_request.get(None)
        if req_ctx is not None and req_ctx.request.blueprint is not None:
            names = (None, *reversed(req_ctx.request.blueprints))
        ensure_sync = app.ensure_sync
        added: dict[str, t.Any] = {}
        for name in names:
            # .get: the mapping is a defaultdict, and a lookup must not grow it.
            for func in processors.get(name, ()):
                added.update(ensure_sync(func)())
        # PERF: setdefault keeps the caller's values without copying the whole context
        # twice (once to save it, once to restore it).
        setdefault = context.setdefault
        for key, value in added.items():
            setdefault(key, value)


def _current_app() -> Kolba:
    ctx = _app_ctx_or_none()
    if ctx is None:
        # Raises the usual "working outside of application context" error.
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
    return ctx.app


def _prepare(app: Kolba, template: Template, context: dict[str, t.Any]) -> None:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )


def _rendered(app: Kolba, template: Template, context: dict[str, t.Any]) -> None:
    if template_rendered.receivers:
        template_rendered.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )


def _render(app: Kolba, template: Template, context: dict[str, t.Any]) -> str:
    _prepare(app, template, context)
    rv = template.render(context)
    _rendered(app, template, context)
    return rv


def _stream(app: Kolba, template: Template, context: dict[str, t.Any]) -> t.Iterator[str]:
    _prepare(app, template, context)

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        _rendered(app, template, context)

    if _cv_request.get(None) is not None:
        # The template may use request, session or url_for while the server iterates.
        return stream_with_context(generate())
    return generate()


def render_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> str:
    """Render a template from the template folders with ``context``.

    A list means the first template that exists (``TemplateNotFound`` names them all when
    none does). The template also sees ``config``, ``request``, ``session``, ``g``,
    ``url_for``, ``get_flashed_messages`` and what the context processors return; the
    keyword arguments win over all of those.
    """
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template given as a string, autoescaped like an HTML file."""
    app = _current_app()
    return _render(app, app.jinja_env.template_from_string(source), context)


def stream_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> t.Iterator[str]:
    """Render a template piece by piece; return it from a view to stream the page.

    During a request the context stays available until the stream ends.
    """
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template string piece by piece, for a streamed response."""
    app = _current_app()
    return _stream(app, app.jinja_env.template_from_string(source), context)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """An attribute of a template, typically a macro, to call from Python:
    ``get_template_attribute("_macros.html", "hello")("World")``.
    """
    return getattr(_current_app().jinja_env.get_template(template_name).module, attribute)


__all__ = [
    "DispatchingJinjaLoader",
    "Environment",
    "TemplatingMixin",
    "get_template_attribute",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]
