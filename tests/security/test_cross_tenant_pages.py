"""The pages and htmx fragments, walked from the URL conf: every route that names an object, with
an object of another administration, as an agent, a manager and an administrator.

The API has its matrix (tests/api/test_permission_matrix.py) and the services theirs
(tests/isolation/); this is the same promise through the pages: another administration's case,
file, delivery, draft, topic, member, volunteer, token, notification, fiche, model answer or
invitation answers 403 or 404 (never 200 nor a redirect to it), and nothing changes in the
database. A route added with an object in its path fails ``test_every_object_route_is_walked``
until it is listed in ``OBJECTS`` below.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from accounts.services import member_invite
from cases import services as case_services
from cases.delivery.services import delivery_create
from cases.models import Attachment, Delivery, Notification, Reply
from tests.api.conftest import no_throttle  # noqa: F401 (fixture)
from tests.api.test_permission_matrix import _side, snapshot
from tests.case_states import REPLY_TEXT
from tests.test_access_rules import routed_views

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")

# route -> (a name for each path parameter -> the attribute of B's world holding the object,
#           the form a POST sends: a valid one, had the object been the requester's).
OBJECTS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "compte/membres/<int:pk>/": ({"pk": "membership"}, {"role": "administrator", "team": "X"}),
    "compte/membres/<int:pk>/activation/": ({"pk": "membership"}, {"active": "0"}),
    "compte/invitations/<int:pk>/reponse/": ({"pk": "invitation"}, {"answer": "accept"}),
    "compte/volontaires/<int:pk>/decision/": ({"pk": "enrolment"}, {"approve": "1"}),
    "compte/jetons/<int:pk>/revocation/": ({"pk": "token"}, {}),
    "dossiers/<int:pk>/": ({"pk": "queued"}, {}),
    "dossiers/<int:pk>/presence/": ({"pk": "queued"}, {}),
    "dossiers/<int:pk>/prendre/": ({"pk": "queued"}, {}),
    "dossiers/<int:pk>/action/": ({"pk": "drafted"}, {"action": "close", "reason": "x"}),
    "dossiers/<int:pk>/assigner/": ({"pk": "queued"}, {"assignee": "requester"}),
    "dossiers/<int:pk>/note/": ({"pk": "queued"}, {"body": "Vu."}),
    "dossiers/<int:pk>/reponse/": ({"pk": "drafted"}, {"body": REPLY_TEXT, "confirmed": "1"}),
    "dossiers/<int:pk>/reponse-donnee/": (
        {"pk": "drafted"},
        {"body": REPLY_TEXT, "given": "phone", "version": "1"},
    ),
    "dossiers/<int:pk>/transfert/": ({"pk": "drafted"}, {"target": "requester", "reason": "x"}),
    "dossiers/<int:pk>/envois/<int:delivery_pk>/relancer/": (
        {"pk": "answered", "delivery_pk": "delivery"},
        {},
    ),
    "dossiers/<int:pk>/pieces-jointes/<int:attachment_pk>/": (
        {"pk": "queued", "attachment_pk": "attachment"},
        {},
    ),
    "dossiers/parametres/themes/<int:pk>/": ({"pk": "topic"}, {"name": "Pris", "active": "0"}),
    "dossiers/notifications/<int:pk>/ouvrir/": ({"pk": "notification"}, {}),
    "brouillons/dossier/<int:case_pk>/": ({"case_pk": "drafted"}, {}),
    "brouillons/dossier/<int:case_pk>/nouveau/": ({"case_pk": "drafted"}, {}),
    "brouillons/<int:pk>/ecarter/": ({"pk": "suggestion"}, {"reason": "wrong", "comment": "x"}),
    "brouillons/connaissances/<int:pk>/": ({"pk": "article"}, {"title": "Pris", "body": "x"}),
    "brouillons/connaissances/<int:pk>/activite/": ({"pk": "article"}, {"active": "0"}),
    "brouillons/reponses-types/choix/<int:pk>/utilisee/": ({"pk": "bank_answer"}, {}),
    "brouillons/reponses-types/<int:pk>/": (
        {"pk": "bank_answer"},
        {"question": "Pris ?", "answer": "Réponse prise par une autre administration."},
    ),
    "brouillons/reponses-types/<int:pk>/retrait/": ({"pk": "bank_answer"}, {"active": "0"}),
    "brouillons/reponses-types/reponse/<int:reply_pk>/": ({"reply_pk": "reply"}, {}),
}
# Objects named in a query string rather than the path (htmx fragments, reports, filters).
QUERIES = [
    ("brouillons/reponses-types/choix/?case={}", "queued"),
    ("dossiers/tableau-de-bord/?administration={}", "administration"),
    ("brouillons/impact/?administration={}", "administration"),
    ("compte/journal/?administration={}", "administration"),
    ("compte/journal/export.csv?administration={}", "administration"),
]
# Signed links: their token is the credential, checked by tests of their own.
SIGNED = {
    "compte/invitation/<uidb64>/<token>/",
    "compte/mot-de-passe/nouveau/<uidb64>/<token>/",
    "enquete/<str:token>/",
}


def _object_routes() -> set[str]:
    return {
        route
        for route, _pattern in routed_views()
        if PARAMETER.search(route) and not route.startswith("api/")
    }


def test_every_object_route_is_walked():
    missing = _object_routes() - set(OBJECTS) - SIGNED
    assert not missing, "Routes naming an object, not walked here: " + ", ".join(sorted(missing))


def _world(tenant, code: str, invited, capture) -> dict:
    """One administration's objects, one of each kind a page names."""
    side = _side(tenant, code, capture)
    world = dict(vars(side))
    case_services.case_send_reply(actor=tenant.agent, case=side.drafted, body=REPLY_TEXT)
    reply = Reply.objects.filter(case=side.drafted).latest("pk")
    world["answered"] = side.drafted
    world["reply"] = reply
    world["delivery"] = Delivery.objects.filter(reply=reply).first() or delivery_create(
        reply_id=reply.pk
    )
    attachment = Attachment(
        case=side.queued,
        original_name="justificatif.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
    )
    attachment.file.save("attachment.pdf", ContentFile(b"%PDF-1.4"))
    world["attachment"] = attachment
    world["notification"] = Notification.objects.create(
        user=tenant.agent,
        administration=side.administration,
        case=side.queued,
        kind=Notification.Kind.ASSIGNED,
    )
    # Someone of another administration invited here: a pending membership.
    world["invitation"] = member_invite(
        actor=tenant.administrator,
        administration=side.administration,
        email=invited.email,
        role="agent",
        notify=False,
    )
    return world


@pytest.fixture
def worlds(
    tenants,
    vitale_article,
    no_throttle,  # noqa: F811
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    a, b, c = tenants
    capture = django_capture_on_commit_callbacks
    return {"A": _world(a, "A", c.agent, capture), "B": _world(b, "B", c.agent, capture)}


@pytest.fixture
def other(worlds):
    return worlds["B"]


def _close_file(response) -> None:
    # A download holds its file open until it is read through (closing the response would also
    # close the test's database connection: request_finished).
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


def _url(route: str, names: dict[str, str], world: dict) -> str:
    def fill(match: re.Match) -> str:
        return str(world[names[match.group(2)]].pk)

    return "/" + PARAMETER.sub(fill, route)


def _form(data: dict[str, str], requester) -> dict[str, str]:
    # "requester": a value naming the requester's own side (themselves, their administration),
    # so that the form would be valid for their own object.
    return {
        key: (str(requester.pk) if value == "requester" else value) for key, value in data.items()
    }


@pytest.mark.parametrize("role", ["agent", "manager", "administrator"])
def test_another_administrations_objects_answer_403_or_404_and_change_nothing(
    role, tenant_a, other
):
    requester = getattr(tenant_a, role)
    client = Client()
    client.force_login(requester)
    before = snapshot()
    opened = []
    for route, (names, data) in sorted(OBJECTS.items()):
        url = _url(route, names, other)
        for method in ("get", "post"):
            response = getattr(client, method)(
                url, _form(data, requester) if method == "post" else None
            )
            if response.status_code not in (403, 404, 405):
                opened.append(f"{method.upper()} {url} ({route}): {response.status_code}")
    for template, attribute in QUERIES:
        url = "/" + template.format(other[attribute].pk)
        response = client.get(url)
        if response.status_code not in (403, 404):
            opened.append(f"GET {url}: {response.status_code}")
    assert not opened, "\n".join(opened)
    assert snapshot() == before


def test_filters_naming_another_administrations_topic_list_nothing_of_it(tenant_a, other):
    client = Client()
    client.force_login(tenant_a.manager)
    page = client.get(f"/dossiers/?topic={other['topic'].pk}&box=all")
    assert page.status_code == 200
    assert other["queued"].reference not in page.content.decode()
    assert other["drafted"].reference not in page.content.decode()


def test_the_walk_reaches_the_requesters_own_objects(tenant_a, worlds):
    """The control: the same URLs with the administrator's own objects open (the refusals above
    are about whose objects they are, not about URLs the walk built wrong)."""
    client = Client()
    client.force_login(tenant_a.administrator)
    reached = []
    for route, (names, _data) in sorted(OBJECTS.items()):
        response = client.get(_url(route, names, worlds["A"]))
        _close_file(response)
        if response.status_code in (200, 302):
            reached.append(route)
    for route in (
        "dossiers/<int:pk>/",
        "dossiers/<int:pk>/pieces-jointes/<int:attachment_pk>/",
        "compte/membres/<int:pk>/",
        "brouillons/connaissances/<int:pk>/",
        "brouillons/reponses-types/<int:pk>/",
        "brouillons/dossier/<int:case_pk>/",
        "dossiers/<int:pk>/presence/",
    ):
        assert route in reached
