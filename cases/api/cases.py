"""Cases API: list (filters, cursor pagination), create, read, assign, transition, notes, reply,
the answer given at the counter or on the phone; topics. Every lookup starts from the request's
administration (the token's or the session's): a case of another administration answers 404,
like a missing one. Each view declares its rule for the door (accounts/access.py); what one may
do with a case is the case policy's (cases/permissions.py), applied by the services and shown
in ``abilities``."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.access import AccessRule, administration_for
from accounts.api.common import MAX_ID, error_response
from accounts.models import Membership
from accounts.permissions import VIEW_CASES, WORK_CASES
from cases import selectors, services
from cases.counter.services import case_record_answer_given
from cases.files import ScannerUnavailable
from cases.models import Case
from cases.services.reply_attachments import uploaded_files

from . import rows
from .serializers import (
    AnswerGivenSerializer,
    AssignSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CasePageSerializer,
    EventSerializer,
    InboxQuerySerializer,
    NoteCreateSerializer,
    NoteSerializer,
    ReplySerializer,
    TopicSerializer,
    TransitionSerializer,
)


def case_for_request(request: Request, pk: int, *, lock_related: bool = True) -> Case:
    """The case ``pk`` of the request's administration, visible to its user; 404 otherwise."""
    administration = administration_for(request)
    qs = selectors.cases_of(request.user, administration)
    if lock_related:
        qs = qs.select_related("assignee", "topic")
    case = qs.get(pk=pk)  # Case.DoesNotExist answers 404 (config/api.py)
    case.administration = administration  # the row this request has already read
    return case


def _encode_cursor(cursor: tuple[dt.datetime, int]) -> str:
    raw = f"{cursor[0].isoformat()}|{cursor[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(value: str) -> tuple[dt.datetime, int]:
    def bad():
        return ValidationError({"cursor": [_("Invalid cursor.")]}, code="invalid")

    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        due_text, pk_text = raw.rsplit("|", 1)
        due = parse_datetime(due_text)
        pk = int(pk_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise bad() from exc
    if due is None or not 0 < pk <= MAX_ID:
        raise bad()
    if timezone.is_naive(due):
        due = timezone.make_aware(due, dt.UTC)
    return due, pk


class CaseListView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_CASES, per_method={"POST": WORK_CASES})

    @extend_schema(
        parameters=[InboxQuerySerializer],
        responses=CasePageSerializer,
        operation_id="cases_list",
        summary="List the administration's cases (due date order, cursor pagination)",
    )
    def get(self, request):
        administration = administration_for(request, VIEW_CASES)
        query = InboxQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = selectors.InboxFilters(
            box=params["box"],
            status=params.get("status", ""),
            channel=params.get("channel", ""),
            topic_id=params.get("topic"),
            priority=params.get("priority"),
            overdue=params["overdue"],
            q=params.get("q", ""),
        )
        after = _decode_cursor(params["cursor"]) if params.get("cursor") else None
        # Plain values of the listed columns (the usager's message, the bulk of a row, is not
        # listed), rendered as CaseListSerializer would (rows.py).
        cases = selectors.inbox(request.user, administration, filters).values(*selectors.ROW_VALUES)
        page, cursor = selectors.inbox_page(cases, after=after, size=params["size"])
        next_url = None
        if cursor is not None:
            query_dict = request.query_params.copy()
            query_dict["cursor"] = _encode_cursor(cursor)
            next_url = request.build_absolute_uri(f"{request.path}?{query_dict.urlencode()}")
        return Response({"next": next_url, "results": rows.list_rows(page)})

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer},
        summary="Open a case",
    )
    def post(self, request):
        administration = administration_for(request, WORK_CASES)
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        topic_id = data.pop("topic")
        topic = None
        if topic_id is not None:
            topic = selectors.topics_for(administration).filter(pk=topic_id).first()
            if topic is None:
                raise ValidationError({"topic": [_("Unknown topic.")]})
        case = services.case_create(
            actor=request.user, administration=administration, topic=topic, **data
        )
        case = case_for_request(request, case.pk)
        return Response(_detail(request, case), status=status.HTTP_201_CREATED)


def _detail(request: Request, case: Case) -> dict:
    return rows.case_detail(case, request.user)


# Case-scoped views: members reach them; the case policy decides the rest (404 for a case one
# may not see, 403 for an action one may not do).


class CaseDetailView(APIView):
    access_rule = access.MEMBER

    @extend_schema(responses=CaseDetailSerializer, summary="Read a case")
    def get(self, request, pk: int):
        return Response(_detail(request, case_for_request(request, pk)))


class CaseEventsView(APIView):
    access_rule = access.MEMBER

    @extend_schema(responses=EventSerializer(many=True), summary="The case's journal")
    def get(self, request, pk: int):
        case = case_for_request(request, pk)
        return Response(EventSerializer(selectors.case_timeline(case), many=True).data)


class CaseAssignView(APIView):
    access_rule = access.MEMBER

    @extend_schema(
        request=AssignSerializer,
        responses=CaseDetailSerializer,
        summary="Assign the case (managers), or take it (your own id)",
    )
    def post(self, request, pk: int):
        case = case_for_request(request, pk)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee_id = serializer.validated_data["assignee"]
        if assignee_id == request.user.pk and case.assignee_id is None:
            assignee = request.user  # taking it from the queue
        else:
            membership = (
                Membership.objects.select_related("user")
                .filter(administration=case.administration, user_id=assignee_id, is_active=True)
                .first()
            )
            if membership is None:
                raise ValidationError({"assignee": [_("Not an active member here.")]})
            assignee = membership.user
        # The same path as the case page: oneself on a queue case is taking it.
        services.case_give(
            actor=request.user,
            case=case,
            assignee=assignee,
            expected_version=serializer.validated_data.get("version"),
        )
        return Response(_detail(request, case_for_request(request, pk)))


class CaseTransitionView(APIView):
    access_rule = access.MEMBER

    @extend_schema(
        request=TransitionSerializer,
        responses=CaseDetailSerializer,
        summary="Move the case along its lifecycle (start, wait, resume, release, close, reopen)",
    )
    def post(self, request, pk: int):
        case = case_for_request(request, pk)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_transition(
            actor=request.user,
            case=case,
            action=serializer.validated_data["action"],
            reason=serializer.validated_data["reason"],
            expected_version=serializer.validated_data.get("version"),
        )
        return Response(_detail(request, case_for_request(request, pk)))


class CaseNotesView(APIView):
    access_rule = access.MEMBER

    @extend_schema(responses=NoteSerializer(many=True), summary="The case's internal notes")
    def get(self, request, pk: int):
        case = case_for_request(request, pk)
        notes = case.notes.select_related("author").order_by("created_at", "id")
        return Response(NoteSerializer(notes, many=True).data)

    @extend_schema(
        request=NoteCreateSerializer,
        responses={201: NoteSerializer},
        summary="Add an internal note",
    )
    def post(self, request, pk: int):
        case = case_for_request(request, pk)
        serializer = NoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.case_add_note(
            actor=request.user, case=case, body=serializer.validated_data["body"]
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class CaseReplyView(APIView):
    access_rule = access.MEMBER

    @extend_schema(
        request=ReplySerializer,
        responses=CaseDetailSerializer,
        summary="Send the reply to the usager (the case becomes answered)",
    )
    def post(self, request, pk: int):
        case = case_for_request(request, pk)
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.case_send_reply(
                actor=request.user,
                case=case,
                body=serializer.validated_data["body"],
                expected_version=serializer.validated_data.get("version"),
                files=uploaded_files(serializer.validated_data.get("attachments", [])),
            )
        except ScannerUnavailable:
            return _scanner_unavailable(
                _(
                    "The antivirus cannot check the attached files right now: nothing was "
                    "saved. Send the reply again in a few minutes."
                )
            )
        return Response(_detail(request, case_for_request(request, pk)))


def _scanner_unavailable(message: str) -> Response:
    """Fail closed (cases/files.py): nothing was written, the same request may be sent again
    once the antivirus answers."""
    response = error_response(message, "scanner_unavailable", status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = "60"
    return response


class CaseAnswerGivenView(APIView):
    """The page's "Record the answer given" (cases/counter/): the same service, so the same
    rules as a reply (who may, the case's state, a text that says something, the version, the
    files), and nothing is delivered."""

    access_rule = access.MEMBER

    @extend_schema(
        request=AnswerGivenSerializer,
        responses=CaseDetailSerializer,
        summary=(
            "Record the answer given to the usager at the counter or on the phone "
            "(the case becomes answered, nothing is sent)"
        ),
    )
    def post(self, request, pk: int):
        case = case_for_request(request, pk)
        serializer = AnswerGivenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            case_record_answer_given(
                actor=request.user,
                case=case,
                body=serializer.validated_data["body"],
                given=serializer.validated_data["given"],
                expected_version=serializer.validated_data.get("version"),
                files=uploaded_files(serializer.validated_data.get("attachments", [])),
            )
        except ScannerUnavailable:
            return _scanner_unavailable(
                _(
                    "The antivirus cannot check the attached files right now: nothing was "
                    "saved. Record the answer again in a few minutes."
                )
            )
        return Response(_detail(request, case_for_request(request, pk)))


class TopicListView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_CASES)

    @extend_schema(
        responses=TopicSerializer(many=True),
        summary="Topics of the administration (national ones included)",
    )
    def get(self, request):
        administration = administration_for(request, VIEW_CASES)
        return Response(TopicSerializer(selectors.topics_for(administration), many=True).data)
