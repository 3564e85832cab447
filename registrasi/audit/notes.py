"""Sentences the system says about an audit event, rendered in the reader's language.

A service stores what happened: the event's action and its parameters in `AuditEvent.data`,
and no sentence (`note` stays empty). A timeline, a history or an email renders the sentence
when it is shown, in the language active then (the reader's). Each app registers one renderer
per action in its `notes` module, found at start-up (registrasi.audit.apps):

    @note_renderer("supersede")
    def _superseded(data):
        return _("Replaced by certificate %(number)s ...") % data

Free text typed by people (a reason, corrective actions, a resubmission note) is stored in
`note` and shown as it is, never translated. An event written before this registry existed
has its sentence in `note` (in the writer's language): it is shown as stored.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

Renderer = Callable[[dict], str]

_RENDERERS: dict[str, Renderer] = {}


def note_renderer(action: str) -> Callable[[Renderer], Renderer]:
    """Register the function that renders the system's sentence for events of `action`
    from their data. One renderer per action across the project."""

    def register(render: Renderer) -> Renderer:
        known = _RENDERERS.get(action)
        # The same function imported twice is fine; a second function for the action is not.
        if known is not None and _name(known) != _name(render):
            raise ImproperlyConfigured(f"Two note renderers for the audit action {action!r}.")
        _RENDERERS[action] = render
        return render

    return register


def _name(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def render_note(event) -> str:
    """The note to show for `event`, in the active language: the text a person typed (or a
    sentence stored before this registry), else the system's sentence rendered from the
    event's data, else nothing."""
    if event.note:
        return event.note
    render = _RENDERERS.get(event.action)
    if render is None:
        return ""
    return str(render(event.data or {}))
