"""A to-do list REST API: the classic Flask tutorial API, written for kolba.

    GET    /todo/api/v1.0/tasks            list the tasks
    GET    /todo/api/v1.0/tasks/<task_id>  one task
    POST   /todo/api/v1.0/tasks            create a task  (JSON: title, description?, done?)
    PUT    /todo/api/v1.0/tasks/<task_id>  change a task  (JSON: any of title, description, done)
    DELETE /todo/api/v1.0/tasks/<task_id>  delete a task

Tasks live in memory, so a restart brings back the two starting tasks. Every answer is
JSON, errors included (``{"error": "Not found"}``).

Run it with ``python examples/tasks/app.py``; it listens on 127.0.0.1:5000, or on the
TASKS_HOST and TASKS_PORT environment variables. Then, for example::

    curl -i http://127.0.0.1:5000/todo/api/v1.0/tasks
    curl -i -X POST -H "Content-Type: application/json" \\
         -d '{"title": "Read a book"}' http://127.0.0.1:5000/todo/api/v1.0/tasks
"""

from __future__ import annotations

import os
import threading
import typing as t

from kolba import Kolba, abort, jsonify, request, url_for
from kolba.exceptions import HTTPException

if t.TYPE_CHECKING:
    from kolba import Response

API = "/todo/api/v1.0"


class Task(t.TypedDict):
    """A to-do item, as stored and as sent (plus a ``uri`` when sent)."""

    id: int
    title: str
    description: str
    done: bool


class TaskStore:
    """The tasks, in memory. A lock keeps ids unique under the threaded dev server."""

    def __init__(self, tasks: t.Iterable[Task] = ()) -> None:
        self._tasks: dict[int, Task] = {task["id"]: task for task in tasks}
        self._lock = threading.Lock()

    def all(self) -> list[Task]:
        with self._lock:
            return list(self._tasks.values())

    def get(self, task_id: int) -> Task | None:
        with self._lock:
            return self._tasks.get(task_id)

    def add(self, title: str, description: str, done: bool) -> Task:
        with self._lock:
            task_id = max(self._tasks, default=0) + 1
            task: Task = {"id": task_id, "title": title, "description": description, "done": done}
            self._tasks[task_id] = task
            return task

    def update(self, task_id: int, changes: dict[str, t.Any]) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
            if task is not None:
                task.update(changes)  # type: ignore[typeddict-item]
            return task

    def delete(self, task_id: int) -> bool:
        with self._lock:
            return self._tasks.pop(task_id, None) is not None


def starting_tasks() -> list[Task]:
    """The two tasks a fresh store holds."""
    return [
        {
            "id": 1,
            "title": "Buy groceries",
            "description": "Oat milk, bread, apples, coffee",
            "done": False,
        },
        {
            "id": 2,
            "title": "Learn kolba",
            "description": "Port a small Flask app by renaming its imports",
            "done": False,
        },
    ]


# The fields a client may send: their type, and how an error message names it. "id" and
# "uri" are the server's to set.
FIELDS: dict[str, tuple[type, str]] = {
    "title": (str, "a string"),
    "description": (str, "a string"),
    "done": (bool, "true or false"),
}


def read_task_json(*, creating: bool) -> dict[str, t.Any]:
    """The known fields of the JSON object in the request body, checked.

    Answers 400 when the body is not a JSON object, a field has the wrong type, or (when
    creating) the title is missing. Other keys, such as the ``id`` and ``uri`` of a task
    sent back after a GET, are ignored.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, 'The body must be a JSON object, such as {"title": "..."}.')
    fields = {name: data[name] for name in FIELDS if name in data}
    for name, value in fields.items():
        expected, described = FIELDS[name]
        # Exact type: JSON numbers must not pass for true/false (bool is an int in Python).
        if type(value) is not expected:
            abort(400, f"'{name}' must be {described}, not {value!r}.")
    if "title" in fields and not fields["title"].strip():
        abort(400, "'title' must not be empty.")
    if creating and "title" not in fields:
        abort(400, "A new task needs a 'title'.")
    return fields


def public(task: Task) -> dict[str, t.Any]:
    """A task as the API sends it: its fields plus the URL to reach it."""
    return {**task, "uri": url_for("get_task", task_id=task["id"], _external=True)}


def create_app(tasks: t.Iterable[Task] | None = None) -> Kolba:
    """Make the API app with its own store (the starting tasks unless ``tasks`` is given)."""
    app = Kolba(__name__)
    store = TaskStore(starting_tasks() if tasks is None else tasks)

    @app.get(f"{API}/tasks")
    def get_tasks() -> Response:
        return jsonify(tasks=[public(task) for task in store.all()])

    @app.get(f"{API}/tasks/<int:task_id>")
    def get_task(task_id: int) -> Response:
        task = store.get(task_id)
        if task is None:
            abort(404)
        return jsonify(task=public(task))

    @app.post(f"{API}/tasks")
    def create_task() -> tuple[Response, int, dict[str, str]]:
        fields = read_task_json(creating=True)
        task = store.add(
            title=fields["title"],
            description=fields.get("description", ""),
            done=fields.get("done", False),
        )
        location = url_for("get_task", task_id=task["id"], _external=True)
        return jsonify(task=public(task)), 201, {"Location": location}

    @app.put(f"{API}/tasks/<int:task_id>")
    def update_task(task_id: int) -> Response:
        if store.get(task_id) is None:
            abort(404)
        task = store.update(task_id, read_task_json(creating=False))
        if task is None:  # deleted meanwhile by another request
            abort(404)
        return jsonify(task=public(task))

    @app.delete(f"{API}/tasks/<int:task_id>")
    def delete_task(task_id: int) -> Response:
        if not store.delete(task_id):
            abort(404)
        return jsonify(result=True)

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error="Not found"), 404

    @app.errorhandler(400)
    def bad_request(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error="Bad request", message=error.description), 400

    @app.errorhandler(HTTPException)
    def other_http_error(error: HTTPException) -> Response:
        # Anything else (405, 500...) is JSON too, keeping its status and headers (Allow).
        response = jsonify(error=error.name, message=error.description)
        response.status_code = error.code or 500
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    return app


app = create_app()


if __name__ == "__main__":
    app.run(
        host=os.environ.get("TASKS_HOST", "127.0.0.1"),
        port=int(os.environ.get("TASKS_PORT", "5000")),
    )
