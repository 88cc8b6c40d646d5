"""Blueprints: a group of views, hooks and handlers registered on an app in one go.

A blueprint records what is registered on it and replays those records when it is
registered on an app (or on a parent blueprint), with its URL prefix, subdomain and name.
"""

from __future__ import annotations

import os
import typing as t
from collections import defaultdict
from functools import update_wrapper

from .scaffold import Scaffold, _endpoint_from_view_func, setupmethod
from .utils import cached_property

if t.TYPE_CHECKING:
    from .app import Kolba

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]
_sentinel: t.Any = object()


class BlueprintSetupState:
    """What a blueprint's deferred functions receive when it is registered: the app, the
    options, and whether this is the blueprint's first registration.
    """

    def __init__(
        self,
        blueprint: Blueprint,
        app: Kolba,
        options: t.Any,
        first_registration: bool,
    ) -> None:
        self.app = app
        self.blueprint = blueprint
        self.options = options
        self.first_registration = first_registration
        subdomain = self.options.get("subdomain")
        if subdomain is None:
            subdomain = self.blueprint.subdomain
        self.subdomain: str | None = subdomain
        url_prefix = self.options.get("url_prefix")
        if url_prefix is None:
            url_prefix = self.blueprint.url_prefix
        self.url_prefix: str | None = url_prefix
        self.name: str = self.options.get("name", blueprint.name)
        self.name_prefix: str = self.options.get("name_prefix", "")
        self.url_defaults: dict[str, t.Any] = dict(self.blueprint.url_values_defaults)
        self.url_defaults.update(self.options.get("url_defaults", ()))

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """Add a rule to the app with the blueprint's prefix, subdomain and name."""
        if self.url_prefix is not None:
            rule = "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/"))) if rule else self.url_prefix
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        defaults = self.url_defaults
        if "defaults" in options:
            defaults = dict(defaults, **options.pop("defaults"))
        self.app.add_url_rule(
            rule,
            f"{self.name_prefix}.{self.name}.{endpoint}".lstrip("."),
            view_func,
            defaults=defaults,
            **options,
        )


class Blueprint(Scaffold):
    """A set of routes and hooks to register on an app: ``app.register_blueprint(bp)``.

    Endpoints are named ``"<blueprint>.<view>"``; ``url_for(".view")`` refers to the
    current blueprint. Blueprints nest: ``parent.register_blueprint(child)``.
    """

    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if not name:
            raise ValueError("'name' may not be empty.")
        if "." in name:
            raise ValueError("'name' may not contain a dot '.' character.")
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.deferred_functions: list[DeferredSetupFunction] = []
        self.url_values_defaults = url_defaults if url_defaults is not None else {}
        self.cli_group = cli_group
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    @cached_property
    def cli(self) -> t.Any:
        """The click group for this blueprint's commands."""
        from .cli import AppGroup

        return AppGroup()

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the blueprint"
                f" '{self.name}'. It has already been registered at least once, so changes"
                " would not apply consistently.\nMake sure all imports, decorators,"
                " functions, etc. needed to set up the blueprint are done before"
                " registering it."
            )

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Call ``func(state)`` every time the blueprint is registered."""
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Call ``func(state)`` on the blueprint's first registration only."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(update_wrapper(wrapper, func))

    def make_setup_state(
        self, app: Kolba, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """The state passed to deferred functions."""
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` under this one (its prefix and name are combined)."""
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")
        self._blueprints.append((blueprint, options))

    def register(self, app: Kolba, options: dict[str, t.Any]) -> None:
        """Add the blueprint's routes, hooks and handlers to ``app`` (called by
        ``app.register_blueprint``).
        """
        name_prefix = options.get("name_prefix", "")
        self_name = options.get("name", self.name)
        name = f"{name_prefix}.{self_name}".lstrip(".")
        if name in app.blueprints:
            bp_desc = "this" if app.blueprints[name] is self else "a different"
            existing_at = f" '{name}'" if self_name != name else ""
            raise ValueError(
                f"The name '{self_name}' is already registered for {bp_desc}"
                f" blueprint{existing_at}. Use 'name=' to provide a unique name."
            )
        first_bp_registration = not any(bp is self for bp in app.blueprints.values())
        first_name_registration = name not in app.blueprints
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first_bp_registration)
        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                view_func=self.send_static_file,
                endpoint="static",
            )
        if first_bp_registration or first_name_registration:
            self._merge_blueprint_funcs(app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        self._register_cli(app, name, options)
        for blueprint, bp_options in self._blueprints:
            blueprint.register(app, self._child_options(state, blueprint, bp_options, name))

    def _register_cli(self, app: Kolba, name: str, options: dict[str, t.Any]) -> None:
        if "cli" not in self.__dict__ or not self.cli.commands:
            return
        group = options.get("cli_group", self.cli_group)
        if group is None:
            app.cli.commands.update(self.cli.commands)
        elif group is _sentinel:
            self.cli.name = name
            app.cli.add_command(self.cli)
        else:
            self.cli.name = group
            app.cli.add_command(self.cli)

    @staticmethod
    def _child_options(
        state: BlueprintSetupState,
        blueprint: Blueprint,
        bp_options: dict[str, t.Any],
        name: str,
    ) -> dict[str, t.Any]:
        bp_options = bp_options.copy()
        bp_url_prefix = bp_options.get("url_prefix")
        bp_subdomain = bp_options.get("subdomain")
        if bp_subdomain is None:
            bp_subdomain = blueprint.subdomain
        if state.subdomain is not None and bp_subdomain is not None:
            bp_options["subdomain"] = f"{bp_subdomain}.{state.subdomain}"
        elif bp_subdomain is not None:
            bp_options["subdomain"] = bp_subdomain
        elif state.subdomain is not None:
            bp_options["subdomain"] = state.subdomain
        if bp_url_prefix is None:
            bp_url_prefix = blueprint.url_prefix
        if state.url_prefix is not None and bp_url_prefix is not None:
            bp_options["url_prefix"] = state.url_prefix.rstrip("/") + "/" + bp_url_prefix.lstrip("/")
        elif bp_url_prefix is not None:
            bp_options["url_prefix"] = bp_url_prefix
        elif state.url_prefix is not None:
            bp_options["url_prefix"] = state.url_prefix
        bp_options["name_prefix"] = name
        return bp_options

    def _merge_blueprint_funcs(self, app: Kolba, name: str) -> None:
        def extend(
            bp_dict: dict[str | None, list[t.Any]], parent_dict: dict[str | None, list[t.Any]]
        ) -> None:
            for key, values in bp_dict.items():
                full = name if key is None else f"{name}.{key}"
                parent_dict.setdefault(full, []).extend(values)

        for key, spec in self.error_handler_spec.items():
            full = name if key is None else f"{name}.{key}"
            app.error_handler_spec[full] = defaultdict(
                dict, {code: dict(handlers) for code, handlers in spec.items()}
            )
        for endpoint, func in self.view_functions.items():
            app.view_functions[endpoint] = func
        extend(self.before_request_funcs, app.before_request_funcs)
        extend(self.after_request_funcs, app.after_request_funcs)
        extend(self.teardown_request_funcs, app.teardown_request_funcs)
        extend(self.url_default_functions, app.url_default_functions)
        extend(self.url_value_preprocessors, app.url_value_preprocessors)
        extend(self.template_context_processors, app.template_context_processors)  # type: ignore[arg-type]
        app._handler_cache.clear()
        app._plans.clear()

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a rule on the blueprint (added to the app when registered)."""
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")
        if view_func and hasattr(view_func, "__name__") and "." in view_func.__name__:
            raise ValueError("'view_func' name may not contain a dot '.' character.")
        self.record(
            lambda s: s.add_url_rule(
                rule,
                endpoint,
                view_func,
                provide_automatic_options=provide_automatic_options,
                **options,
            )
        )

    # -- app-wide registrations ------------------------------------------------------------

    @setupmethod
    def app_template_filter(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register a Jinja filter for the whole app."""

        def decorator(f: F) -> F:
            self.add_app_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register a Jinja filter for the whole app."""

        def register(state: BlueprintSetupState) -> None:
            state.app.jinja_env.filters[name or f.__name__] = f

        self.record_once(register)

    @setupmethod
    def app_template_test(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register a Jinja test for the whole app."""

        def decorator(f: F) -> F:
            self.add_app_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        """Register a Jinja test for the whole app."""

        def register(state: BlueprintSetupState) -> None:
            state.app.jinja_env.tests[name or f.__name__] = f

        self.record_once(register)

    @setupmethod
    def app_template_global(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register a Jinja global for the whole app."""

        def decorator(f: F) -> F:
            self.add_app_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register a Jinja global for the whole app."""

        def register(state: BlueprintSetupState) -> None:
            state.app.jinja_env.globals[name or f.__name__] = f

        self.record_once(register)

    @setupmethod
    def before_app_request(self, f: F) -> F:
        """Like ``before_request``, for every request of the app."""
        self.record_once(lambda s: s.app.before_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def after_app_request(self, f: F) -> F:
        """Like ``after_request``, for every request of the app."""
        self.record_once(lambda s: s.app.after_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def teardown_app_request(self, f: F) -> F:
        """Like ``teardown_request``, for every request of the app."""
        self.record_once(lambda s: s.app.teardown_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_context_processor(self, f: F) -> F:
        """Like ``context_processor``, for every template of the app."""
        self.record_once(lambda s: s.app.template_context_processors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_errorhandler(self, code: type[Exception] | int) -> t.Callable[[F], F]:
        """Like ``errorhandler``, for errors anywhere in the app."""

        def decorator(f: F) -> F:
            def register(state: BlueprintSetupState) -> None:
                state.app.errorhandler(code)(f)

            self.record_once(register)
            return f

        return decorator

    @setupmethod
    def app_url_value_preprocessor(self, f: F) -> F:
        """Like ``url_value_preprocessor``, for every request of the app."""
        self.record_once(lambda s: s.app.url_value_preprocessors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_url_defaults(self, f: F) -> F:
        """Like ``url_defaults``, for every URL built in the app."""
        self.record_once(lambda s: s.app.url_default_functions.setdefault(None, []).append(f))
        return f


__all__ = ["Blueprint", "BlueprintSetupState"]
