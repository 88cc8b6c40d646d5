"""Jinja2 templates: one environment per app, loading from the app's and blueprints' folders."""

from __future__ import annotations

import typing as t

from jinja2 import BaseLoader, Template, TemplateNotFound
from jinja2 import Environment as BaseEnvironment

from .globals import _cv_app, _cv_request, current_app, g, request, session
from .helpers import get_flashed_messages, stream_with_context
from .signals import before_render_template, template_rendered
from .utils import cached_property

if t.TYPE_CHECKING:
    from .app import Kolba
    from .scaffold import Scaffold


class Environment(BaseEnvironment):
    """The app's Jinja environment (``app.jinja_env``); it knows the app and loads
    templates through the app's and blueprints' loaders.
    """

    def __init__(self, app: Kolba, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app


class DispatchingJinjaLoader(BaseLoader):
    """Looks a template up in the app's folder first, then in each blueprint's folder,
    in registration order.
    """

    def __init__(self, app: Kolba) -> None:
        self.app = app

    def get_source(
        self, environment: BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        for _srcobj, loader in self._iter_loaders(template):
            try:
                return loader.get_source(environment, template)  # type: ignore[no-any-return]
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template)

    def _get_source_explained(
        self, environment: BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        attempts: list[str] = []
        found = None
        for srcobj, loader in self._iter_loaders(template):
            try:
                rv = loader.get_source(environment, template)
                if found is None:
                    found = rv
                attempts.append(f"{srcobj!r}: found ({rv[1]!r})")
            except TemplateNotFound:
                attempts.append(f"{srcobj!r}: no match")
        status = "found" if found is not None else "NOT FOUND"
        self.app.logger.info(
            "Locating template %r (%s):\n%s", template, status, "\n".join(f"  {a}" for a in attempts)
        )
        if found is not None:
            return found  # type: ignore[no-any-return]
        raise TemplateNotFound(template)

    def _iter_loaders(self, template: str) -> t.Iterator[tuple[Scaffold, BaseLoader]]:
        loader = self.app.jinja_loader
        if loader is not None:
            yield self.app, loader
        for blueprint in self.app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def list_templates(self) -> list[str]:
        result: set[str] = set()
        loader = self.app.jinja_loader
        if loader is not None:
            result.update(loader.list_templates())
        for blueprint in self.app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                result.update(loader.list_templates())
        return list(result)


class TemplatingMixin:
    """The app's side of templating: ``jinja_env`` and how templates get their context."""

    #: The Environment class ``jinja_env`` is made from.
    jinja_environment: type[Environment] = Environment
    jinja_options: dict[str, t.Any]

    @cached_property
    def jinja_env(self) -> Environment:
        """The app's Jinja environment, created on first use."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> Environment:
        """Create ``jinja_env``: autoescaping by file extension, reloading in debug mode,
        and the globals ``url_for``, ``get_flashed_messages``, ``config``, ``request``,
        ``session`` and ``g``.
        """
        app = t.cast("Kolba", self)
        options = dict(app.jinja_options)
        if "autoescape" not in options:
            options["autoescape"] = app.select_jinja_autoescape
        if "auto_reload" not in options:
            auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]
            if auto_reload is None:
                auto_reload = app.debug
            options["auto_reload"] = auto_reload
        env = self.jinja_environment(app, **options)
        env.globals.update(
            url_for=app.url_for,
            get_flashed_messages=get_flashed_messages,
            config=app.config,
            request=request,
            session=session,
            g=g,
        )
        # The tojson filter serializes with the app's JSON provider.
        env.policies["json.dumps_function"] = app.json.dumps
        return env

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The loader that searches the app's and the blueprints' template folders."""
        return DispatchingJinjaLoader(t.cast("Kolba", self))

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape strings and .html, .htm, .xml, .xhtml and .svg templates."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add what the context processors return (app first, then the request's
        blueprints from outer to inner); names passed to render_template win.
        """
        app = t.cast("Kolba", self)
        names: t.Iterable[str | None] = (None,)
        ctx = _cv_request.get(None)
        if ctx is not None:
            names = (None, *reversed(ctx.request.blueprints))
        orig_ctx = context.copy()
        processors = app.template_context_processors
        for name in names:
            for func in processors.get(name, ()):
                context.update(app.ensure_sync(func)())
        context.update(orig_ctx)


def _render(app: Kolba, template: Template, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    rv = template.render(context)
    if template_rendered.receivers:
        template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    return rv


def _current_app() -> Kolba:
    ctx = _cv_app.get(None)
    if ctx is None:
        # Raises the usual "working outside of application context" error.
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
    return ctx.app


def render_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> str:
    """Render a template from the templates folder with ``context``.

    A list means the first template that exists. The context also holds ``config``,
    ``request``, ``session``, ``g``, ``url_for``, ``get_flashed_messages`` and what the
    context processors return; explicit arguments win over all of them.
    """
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template given as a string (autoescaped, like an HTML file)."""
    app = _current_app()
    template = app.jinja_env.from_string(source)
    return _render(app, template, context)


def _stream(app: Kolba, template: Template, context: dict[str, t.Any]) -> t.Iterator[str]:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        if template_rendered.receivers:
            template_rendered.send(
                app, _async_wrapper=app.ensure_sync, template=template, context=context
            )

    rv = generate()
    if _cv_request.get(None) is not None:
        rv = stream_with_context(rv)
    return rv


def stream_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> t.Iterator[str]:
    """Render a template piece by piece, for a streamed response (``Response(...)``)."""
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template string piece by piece, for a streamed response."""
    app = _current_app()
    template = app.jinja_env.from_string(source)
    return _stream(app, template, context)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """An attribute of a template, such as a macro: ``get_template_attribute("m.html", "hello")``."""
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
