"""Blueprints: routes, hooks and handlers written apart from the app and added to it later.

A blueprint only collects. ``app.register_blueprint(bp, ...)`` mounts it: a :class:`_Mount`
says where this registration lives (its dotted name, URL prefix, subdomain and URL
defaults), the blueprint's hooks and handlers are copied into the app under the dotted
name, and the setup functions it recorded (its routes among them) are replayed with a
:class:`BlueprintSetupState`. Blueprints nested in it are mounted inside its mount, so
names, prefixes and subdomains combine.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t
from collections import defaultdict
from functools import update_wrapper
from types import MappingProxyType

from .scaffold import Scaffold, _endpoint_from_view_func, setupmethod
from .utils import cached_property

if t.TYPE_CHECKING:
    from .app import Kolba
    from .cli import AppGroup

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
DeferredSetupFunction = t.Callable[["BlueprintSetupState"], t.Any]

#: ``cli_group``'s default: the commands go in a group named after the blueprint.
_GROUP_PER_BLUEPRINT: t.Any = object()

#: The option under which a parent hands its mount to a nested blueprint's ``register``.
#: It travels in the options (rather than as an argument) so that a subclass overriding
#: ``register(app, options)`` and passing the options on keeps nesting working.
_PARENT_OPTION = "_kolba_parent_mount"

#: The per-scope registries a blueprint copies into the app, keyed by its dotted name.
_SCOPED_REGISTRIES = (
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "url_value_preprocessors",
    "url_default_functions",
    "template_context_processors",
)


def _check_name(name: str, where: str) -> None:
    if not name:
        raise ValueError(
            f"{where}: a blueprint needs a non-empty name, because its endpoints are"
            " named after it ('name.view'). Pass a name such as 'admin'."
        )
    if "." in name:
        raise ValueError(
            f"{where}: the blueprint name {name!r} contains '.', but dots separate a"
            " nested blueprint's name from its parent's ('parent.child.view'). Use a"
            f" name without dots, such as {name.replace('.', '_')!r}."
        )


def _join_rule(prefix: str, rule: str) -> str:
    """``prefix`` + ``rule`` with exactly one slash between them; an empty rule is the
    prefix itself (so ``/foo`` + ``""`` matches ``/foo``, not ``/foo/``).
    """
    if not rule:
        return prefix
    return f"{prefix.rstrip('/')}/{rule.lstrip('/')}"


def _join_prefixes(outer: str | None, inner: str | None) -> str | None:
    if outer is None:
        return inner
    if inner is None:
        return outer
    return f"{outer.rstrip('/')}/{inner.lstrip('/')}"


def _join_subdomains(outer: str | None, inner: str | None) -> str | None:
    if outer is None:
        return inner
    if inner is None:
        return outer
    return f"{inner}.{outer}"


@dataclasses.dataclass(frozen=True)
class _Mount:
    """Where one registration of a blueprint lives, worked out once at registration.

    ``url_prefix`` and ``subdomain`` already include the parents'. ``url_defaults`` are
    this registration's own: like Flask, a nested blueprint does not inherit its
    parent's.
    """

    blueprint: Blueprint
    #: The name of this registration: ``name=`` or the blueprint's own.
    name: str
    #: The name with the parents' in front (``"parent.child"``): the key in
    #: ``app.blueprints`` and the prefix of the endpoints.
    dotted_name: str
    url_prefix: str | None
    subdomain: str | None
    url_defaults: t.Mapping[str, t.Any]
    parent: _Mount | None = None

    @classmethod
    def of(cls, blueprint: Blueprint, options: t.Mapping[str, t.Any]) -> _Mount:
        """The mount described by ``register_blueprint`` options (which win over the
        blueprint's constructor arguments), inside the parent's mount if nested.
        """
        name = options.get("name", blueprint.name)
        _check_name(name, f"register_blueprint(name={name!r})")
        url_prefix = options.get("url_prefix")
        subdomain = options.get("subdomain")
        own = cls(
            blueprint=blueprint,
            name=name,
            dotted_name=name,
            url_prefix=blueprint.url_prefix if url_prefix is None else url_prefix,
            subdomain=blueprint.subdomain if subdomain is None else subdomain,
            url_defaults=MappingProxyType(
                {**blueprint.url_values_defaults, **(options.get("url_defaults") or {})}
            ),
        )
        parent: _Mount | None = options.get(_PARENT_OPTION)
        return own if parent is None else parent.enclose(own)

    def enclose(self, inner: _Mount) -> _Mount:
        """``inner`` nested in this mount: names, prefixes and subdomains combine."""
        return dataclasses.replace(
            inner,
            dotted_name=f"{self.dotted_name}.{inner.name}",
            url_prefix=_join_prefixes(self.url_prefix, inner.url_prefix),
            subdomain=_join_subdomains(self.subdomain, inner.subdomain),
            parent=self,
        )


class BlueprintSetupState:
    """What a blueprint's recorded setup functions receive, once per registration.

    ``url_prefix``, ``subdomain`` and ``name_prefix`` include the parent blueprints'
    when nested; ``name`` is this registration's own name; ``options`` are the keyword
    arguments given to ``register_blueprint``. :meth:`add_url_rule` applies all of them
    and reads them from this object, so a setup function may adjust them first.
    """

    def __init__(
        self,
        blueprint: Blueprint,
        app: Kolba,
        options: t.Any,
        first_registration: bool,
    ) -> None:
        mount = _Mount.of(blueprint, options)
        #: The app the blueprint is being registered on.
        self.app = app
        self.blueprint = blueprint
        self.options: dict[str, t.Any] = options
        #: False when this blueprint is already registered on this app (under another
        #: name): ``record_once`` functions run only when it is True.
        self.first_registration = first_registration
        self.name: str = mount.name
        #: The dotted name of the parent blueprints ("" at the top level).
        self.name_prefix: str = mount.parent.dotted_name if mount.parent else ""
        self.url_prefix: str | None = mount.url_prefix
        self.subdomain: str | None = mount.subdomain
        self.url_defaults: dict[str, t.Any] = dict(mount.url_defaults)

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """Add a rule to the app under this registration: the URL prefix goes in front
        of ``rule``, the blueprint's dotted name in front of ``endpoint``, the subdomain
        and URL defaults apply unless the rule sets its own.
        """
        if self.url_prefix is not None:
            rule = _join_rule(self.url_prefix, rule)
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        scope = f"{self.name_prefix}.{self.name}" if self.name_prefix else self.name
        options.setdefault("subdomain", self.subdomain)
        defaults = {**self.url_defaults, **(options.pop("defaults", None) or {})}
        self.app.add_url_rule(rule, f"{scope}.{endpoint}", view_func, defaults=defaults, **options)


class Blueprint(Scaffold):
    """Routes, hooks, error handlers and template helpers to add to an app as a group.

    Define them with the same decorators as on the app, then
    ``app.register_blueprint(bp)``. Endpoints are named ``"<blueprint>.<view>"`` and
    ``url_for(".view")`` means a view of the current request's blueprint. Hooks and
    handlers apply to the blueprint's own requests; the ``app_*`` variants apply to the
    whole app. ``url_prefix``, ``subdomain`` and ``url_defaults`` may be given here or,
    winning over these, to ``register_blueprint``. Blueprints nest:
    ``parent.register_blueprint(child)``.
    """

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
        cli_group: str | None = _GROUP_PER_BLUEPRINT,
    ) -> None:
        _check_name(name, f"Blueprint({name!r}, ...)")
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        #: URL defaults for every rule of the blueprint (``url_defaults=``).
        self.url_values_defaults: dict[str, t.Any] = {} if url_defaults is None else url_defaults
        #: Where the blueprint's CLI commands go: a group of this name, the blueprint's
        #: name by default, or None for the app's own group.
        self.cli_group = cli_group
        #: The setup functions replayed on every registration (see :meth:`record`).
        self.deferred_functions: list[DeferredSetupFunction] = []
        self._nested: list[tuple[Blueprint, dict[str, t.Any]]] = []
        self._registered = False

    @cached_property
    def cli(self) -> AppGroup:
        """The click group for the blueprint's commands (``@bp.cli.command()``); see
        ``cli_group`` for where they end up.
        """
        from .cli import AppGroup

        return AppGroup()

    def _check_setup_finished(self, f_name: str) -> None:
        if self._registered:
            raise AssertionError(
                f"{f_name}() was called on the blueprint {self.name!r} after it was"
                " registered. Registration has already copied what the blueprint"
                " defines, so this change would reach no app. Call it before"
                " register_blueprint()."
            )

    # -- recorded setup ------------------------------------------------------------------

    @setupmethod
    def record(self, func: F) -> F:
        """Call ``func(state)`` with a :class:`BlueprintSetupState` each time the
        blueprint is registered (extensions use it to learn the app and the options).
        """
        self.deferred_functions.append(func)
        return func

    @setupmethod
    def record_once(self, func: F) -> F:
        """Like :meth:`record`, but only on the blueprint's first registration."""

        def on_first(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(update_wrapper(on_first, func))
        return func

    def make_setup_state(
        self, app: Kolba, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """The state object the recorded functions receive (override to extend it)."""
        return BlueprintSetupState(self, app, options, first_registration)

    # -- nesting and registration ------------------------------------------------------------

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` in this one; it is registered when this one is, with the
        names, URL prefixes and subdomains combined. Options as for the app's.
        """
        if blueprint is self:
            raise ValueError(
                f"The blueprint {self.name!r} cannot be registered on itself. Nest a"
                " different blueprint, or register this one on the app."
            )
        cycle = blueprint._path_to(self)
        if cycle is not None:
            names = " -> ".join(bp.name for bp in (self, *cycle))
            raise ValueError(
                f"Nesting the blueprint {blueprint.name!r} in {self.name!r} would make a"
                f" cycle ({names}), which could never finish registering. Nest each"
                " blueprint in one parent only, with no loop."
            )
        self._nested.append((blueprint, options))

    def _path_to(self, target: Blueprint) -> list[Blueprint] | None:
        """The chain of nested blueprints leading from this one to ``target``."""
        if self is target:
            return [self]
        for child, _ in self._nested:
            path = child._path_to(target)
            if path is not None:
                return [self, *path]
        return None

    def register(self, app: Kolba, options: dict[str, t.Any]) -> None:
        """Mount the blueprint on ``app`` (``app.register_blueprint`` calls this): add
        its routes, hooks, handlers and commands, then its nested blueprints.
        """
        mount = _Mount.of(self, options)
        name = mount.dotted_name
        holder = app.blueprints.get(name)
        if holder is not None:
            raise ValueError(_name_taken(self, holder, name))
        first_registration = all(bp is not self for bp in app.blueprints.values())
        app.blueprints[name] = self
        self._registered = True
        state = self.make_setup_state(app, options, first_registration)
        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                view_func=self.send_static_file,
            )
        self._copy_scoped(app, name)
        for func in self.deferred_functions:
            func(state)
        self._add_commands(app, name, options.get("cli_group", self.cli_group))
        for child, child_options in self._nested:
            child.register(app, {**child_options, _PARENT_OPTION: mount})
        # The app caches hook chains and handler lookups; what applies has changed.
        app._clear_caches()

    def _copy_scoped(self, app: Kolba, name: str) -> None:
        """Copy hooks and handlers into the app's registries under ``name``."""

        def scope(key: str | None) -> str:
            return name if key is None else f"{name}.{key}"

        for attr in _SCOPED_REGISTRIES:
            target = getattr(app, attr)
            for key, funcs in getattr(self, attr).items():
                if funcs:
                    target.setdefault(scope(key), []).extend(funcs)
        for key, by_code in self.error_handler_spec.items():
            app.error_handler_spec[scope(key)] = defaultdict(
                dict, {code: dict(handlers) for code, handlers in by_code.items()}
            )
        # Views from bp.endpoint(): keyed by the endpoint as given, as in Flask.
        app.view_functions.update(self.view_functions)

    def _add_commands(self, app: Kolba, name: str, group_name: str | None) -> None:
        # PERF: `cli` is made on first use, so a blueprint without commands never
        # creates (or imports) the click group.
        group: AppGroup | None = self.__dict__.get("cli")
        if group is None or not group.commands:
            return
        if group_name is None:
            app.cli.commands.update(group.commands)
            return
        group.name = name if group_name is _GROUP_PER_BLUEPRINT else group_name
        app.cli.add_command(group)

    # -- routes ----------------------------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a rule for the blueprint (see ``route``); it is added to the app,
        prefixed, on registration. The endpoint becomes ``"<blueprint>.<endpoint>"``.
        """
        if endpoint and "." in endpoint:
            raise ValueError(
                f"The endpoint {endpoint!r} of the blueprint {self.name!r} contains '.'."
                f" The blueprint puts its own name in front ({self.name}.{endpoint}), and"
                " further dots would read as nested blueprints. Use a name without dots."
            )
        view_name = getattr(view_func, "__name__", None)
        if view_name is not None and "." in view_name:
            raise ValueError(
                f"The view function {view_name!r} of the blueprint {self.name!r} has '.'"
                " in its name, but view names become endpoint names, where dots"
                " separate blueprints. Rename the function (for a class-based view, pass"
                " a name without dots to as_view)."
            )
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)

        def add(state: BlueprintSetupState) -> None:
            state.add_url_rule(
                rule,
                endpoint,
                view_func,
                provide_automatic_options=provide_automatic_options,
                **options,
            )

        self.record(add)

    # -- app-wide registrations ------------------------------------------------------------
    # Each is recorded to run once, on the first registration, against the app itself.

    def _for_app(self, register: t.Callable[[Kolba], object]) -> None:
        self.record_once(lambda state: register(state.app))

    @setupmethod
    def before_app_request(self, f: F) -> F:
        """Like ``before_request``, but for every request of the app."""
        self._for_app(lambda app: app.before_request(f))
        return f

    @setupmethod
    def after_app_request(self, f: F) -> F:
        """Like ``after_request``, but for every request of the app."""
        self._for_app(lambda app: app.after_request(f))
        return f

    @setupmethod
    def teardown_app_request(self, f: F) -> F:
        """Like ``teardown_request``, but for every request of the app."""
        self._for_app(lambda app: app.teardown_request(f))
        return f

    @setupmethod
    def app_errorhandler(self, code_or_exception: type[Exception] | int) -> t.Callable[[F], F]:
        """Like ``errorhandler``, but for errors anywhere in the app."""

        def decorator(f: F) -> F:
            self._for_app(lambda app: app.register_error_handler(code_or_exception, f))
            return f

        return decorator

    @setupmethod
    def app_context_processor(self, f: F) -> F:
        """Like ``context_processor``, but for every template the app renders."""
        self._for_app(lambda app: app.context_processor(f))
        return f

    @setupmethod
    def app_url_value_preprocessor(self, f: F) -> F:
        """Like ``url_value_preprocessor``, but for every request of the app."""
        self._for_app(lambda app: app.url_value_preprocessor(f))
        return f

    @setupmethod
    def app_url_defaults(self, f: F) -> F:
        """Like ``url_defaults``, but for every URL the app builds."""
        self._for_app(lambda app: app.url_defaults(f))
        return f

    @setupmethod
    def app_template_filter(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja filter of the app."""

        def decorator(f: F) -> F:
            self.add_app_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register ``f`` as a Jinja filter of the app (named ``name`` or after ``f``)."""
        self._for_app(lambda app: app.add_template_filter(f, name=name))

    @setupmethod
    def app_template_test(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja test of the app."""

        def decorator(f: F) -> F:
            self.add_app_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        """Register ``f`` as a Jinja test of the app (named ``name`` or after ``f``)."""
        self._for_app(lambda app: app.add_template_test(f, name=name))

    @setupmethod
    def app_template_global(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja global of the app."""

        def decorator(f: F) -> F:
            self.add_app_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register ``f`` as a Jinja global of the app (named ``name`` or after ``f``)."""
        self._for_app(lambda app: app.add_template_global(f, name=name))


def _name_taken(blueprint: Blueprint, holder: Blueprint, name: str) -> str:
    if holder is blueprint:
        return (
            f"The blueprint {blueprint.name!r} is already registered as {name!r}. To"
            " register it a second time (under another URL prefix, say), give that"
            " registration its own name: register_blueprint(bp, name='...')."
        )
    return (
        f"Cannot register the blueprint {blueprint.name!r} as {name!r}: a different"
        f" blueprint ({holder!r}) is already registered under that name. Rename one of"
        " them, or pass name='...' to register_blueprint."
    )


__all__ = ["Blueprint", "BlueprintSetupState"]
