"""Realistic synthetic history at national scale, written by PostgreSQL itself.

``generate(cases=1_000_000, administrations=20)`` creates (or reuses) benchmark administrations
``BULK01``… of very different sizes (a Zipf-like spread: the largest holds about a fifth of the
cases), each with its agents (half of them approved volunteers), a manager and an administrator,
two experiment periods (one ended, one running), then, administration by administration, in
batches of ``batch_size`` cases, one transaction each (a rerun resumes after the last finished
batch: the administration's count of cases says where):

- cases over the last year (more of them recently), or over ``years`` years at a constant rate
  (five years of France Services: 17,500,000 cases), channels, topics, priorities and deadlines
  as in production; old cases answered or closed, recent ones new or being worked, a small
  backlog (cases under ``BACKLOG_DAYS`` old) left overdue;
- the experiment (two periods) covers the last year: the arm of every case of that year
  (``CaseArm``: assisted or control, drawn with the period's share; older cases have none), a
  suggestion for every assisted case (ready or failed, latency, tokens, backend; shown
  to volunteers, accepted, edited or discarded with a reason when the case was answered);
- the reply of every answered case, written by its agent, handled faster on assisted cases
  worked by a volunteer;
- the usager's satisfaction answer for part of the answered cases that left an e-mail.

Rows are produced by ``INSERT … SELECT … FROM generate_series`` over temporary tables of random
draws: no row passes through Python. Past a few million cases, ``bulk_load`` drops the tables'
secondary indexes and pauses autovacuum while loading, then rebuilds them (``bulkload.py``).
The synthetic cases have no journal (``CaseEvent``), which keeps them deletable (``reset``): the
journal is append-only.

Application code never imports this module; the ``generate_bulk_data`` command does.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Administration, ConsentText, Enrolment, Role, User
from cases.counters import tally_add
from cases.models import (
    DEFAULT_RESPONSE_DAYS,
    Case,
    Channel,
    Reply,
    SatisfactionResponse,
    Topic,
)
from devtools.bench import bulkload
from devtools.bench.common import bench_administration, bench_member
from drafting.models import CaseArm, ExperimentPeriod, ImpactCase, ImpactDraft, Suggestion
from drafting.suggestions.prompts import PROMPT_VERSION

CODE_PREFIX = "BULK"
NAME_PREFIX = "Banc d'essai national"
CASES_PER_AGENT = 5_000
# The experiment (two periods) covers the last year; a longer history (``years``) has cases
# before it, without arm or draft.
EXPERIMENT_DAYS = 365
# Cases older than this are all answered: the backlog left open does not grow with the history.
BACKLOG_DAYS = 90
ASSISTED_SHARE = 0.5
# Volunteers working an assisted case spend this share of the usual handling time.
ASSISTED_SPEED = 0.75

SUBJECTS = [
    "Renouvellement de carte d'identité",
    "Demande de passeport pour un enfant",
    "Changement d'adresse sur la carte grise",
    "Aide personnalisée au logement en baisse",
    "Attestation de droits à l'assurance maladie",
    "Carte Vitale perdue",
    "Prime d'activité : montant incompréhensible",
    "Déclaration de revenus rectificative",
    "Inscription à France Travail",
    "Relevé de carrière incomplet",
    "Allocation aux adultes handicapés : délai",
    "Titre de séjour : rendez-vous introuvable",
    "Acte de naissance pour un mariage",
    "MaPrimeRénov' : dossier bloqué",
    "Bourse sur critères sociaux",
    "Paiement des allocations familiales suspendu",
]
BODIES = [
    "Bonjour, j'ai fait ma demande il y a plusieurs semaines et je n'ai aucune nouvelle. "
    "Pouvez-vous me dire où en est mon dossier ? Merci d'avance.",
    "Madame, Monsieur, je ne comprends pas le courrier que j'ai reçu. Quelles pièces dois-je "
    "fournir et dans quel délai ? Cordialement.",
    "Bonjour, ma situation a changé depuis le mois dernier (déménagement). Que dois-je faire "
    "pour mettre à jour mes droits ? Bien à vous.",
    "Bonjour, j'ai essayé de faire la démarche en ligne mais le site m'indique une erreur. "
    "Comment puis-je faire autrement ? Merci.",
    "Je vous écris pour ma mère qui ne sait pas se servir d'internet. Elle a reçu une demande "
    "de remboursement qu'elle ne comprend pas. Pouvez-vous nous aider ?",
]
REPLY = (
    "Madame, Monsieur,\n\nNous avons bien reçu votre demande. Votre dossier a été examiné et "
    "les informations utiles figurent ci-dessous. Vous pouvez compléter votre démarche en ligne "
    "ou au guichet le plus proche.\n\nNous restons à votre disposition.\n\nLe service relations "
    "usagers"
)
DRAFT = REPLY.replace("Nous restons à votre disposition.", "Cordialement.")
DISCARD_REASONS = [
    Suggestion.DiscardReason.WRONG,
    Suggestion.DiscardReason.INCOMPLETE,
    Suggestion.DiscardReason.OUTDATED,
    Suggestion.DiscardReason.TONE,
    Suggestion.DiscardReason.NOT_APPLICABLE,
    Suggestion.DiscardReason.OTHER,
]
CHANNEL_MIX = [
    (Channel.SERVICES_PUBLICS_PLUS, 0.10),
    (Channel.SERVICE_PUBLIC_QUESTION, 0.20),
    (Channel.FRANCE_SERVICES, 0.10),
    (Channel.EMAIL, 0.30),
    (Channel.PHONE, 0.10),
    (Channel.WEB_FORM, 0.20),
]


@dataclass
class BulkAdministration:
    administration: Administration
    cases: int
    agents: list[int]
    volunteers: int  # the first ``volunteers`` of ``agents`` volunteered
    manager: User
    periods: tuple[ExperimentPeriod, ExperimentPeriod]


def sizes(total: int, administrations: int) -> list[int]:
    """``total`` split over ``administrations`` with weights 1/k^0.8, largest first."""
    weights = [1 / (k**0.8) for k in range(1, administrations + 1)]
    scale = total / sum(weights)
    out = [int(w * scale) for w in weights]
    out[0] += total - sum(out)
    return out


def administration_code(index: int) -> str:
    return f"{CODE_PREFIX}{index:02d}"


def bulk_administrations(count: int) -> list[Administration]:
    codes = [administration_code(k) for k in range(1, count + 1)]
    return list(Administration.objects.filter(code__in=codes).order_by("code"))


def largest_administration() -> Administration | None:
    return Administration.objects.filter(code=administration_code(1)).first()


def _staff(index: int, cases: int, now: dt.datetime) -> BulkAdministration:
    code = administration_code(index)
    administration = bench_administration(code, f"{NAME_PREFIX} {index:02d}")
    agent_count = max(4, round(cases / CASES_PER_AGENT))
    agents = [
        bench_member(administration, f"agent{n}", "Agent", f"Banc {n}", Role.AGENT)
        for n in range(1, agent_count + 1)
    ]
    manager = bench_member(administration, "manager", "Manager", "Banc", Role.MANAGER)
    bench_member(administration, "admin", "Administrateur", "Banc", Role.ADMINISTRATOR)
    volunteers = agent_count // 2
    consent = ConsentText.objects.filter(administration=administration).order_by("-version").first()
    for user in agents[:volunteers]:
        if Enrolment.objects.filter(
            user=user, administration=administration, status=Enrolment.Status.APPROVED
        ).exists():
            continue
        if consent is None:
            consent = account_services.consent_publish(
                administration=administration, text="Je participe à l'expérimentation."
            )
        enrolment = account_services.enrolment_request(
            actor=user, administration=administration, consent=consent
        )
        account_services.enrolment_decide(actor=None, enrolment=enrolment, approve=True)
    periods = list(
        ExperimentPeriod.objects.filter(
            administration=administration, seed__startswith="bulk-"
        ).order_by("started_at")
    )
    if len(periods) != 2:
        middle = now - dt.timedelta(days=EXPERIMENT_DAYS // 2)
        periods = [
            ExperimentPeriod.objects.create(
                administration=administration,
                assisted_share=ASSISTED_SHARE,
                seed="bulk-1",
                backend="offline",
                started_at=now - dt.timedelta(days=EXPERIMENT_DAYS + 1),
                ended_at=middle,
            ),
            ExperimentPeriod.objects.create(
                administration=administration,
                assisted_share=ASSISTED_SHARE,
                seed="bulk-2",
                backend="offline",
                started_at=middle,
            ),
        ]
    return BulkAdministration(
        administration=administration,
        cases=cases,
        agents=[user.pk for user in agents],
        volunteers=volunteers,
        manager=manager,
        periods=(periods[0], periods[1]),
    )


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sequence(model: type[models.Model]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cursor.fetchone()[0]


def _other_columns(model: type[models.Model], given: set[str]) -> tuple[list[str], list[str], list]:
    """Columns this module does not know (added by a later migration): their default, so that
    the raw INSERTs keep working when the model grows."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key:
            continue
        if field.has_default():
            default = field.get_default()
            columns.append(connection.ops.quote_name(field.column))
            expressions.append("%s")
            params.append(field.get_db_prep_save(default, connection))
        elif field.null:
            continue
        elif isinstance(field, models.DateTimeField):
            columns.append(connection.ops.quote_name(field.column))
            expressions.append("now()")
        else:
            raise RuntimeError(
                f"{model.__name__}.{field.name} has no default: teach devtools/bench/bulkdata.py "
                "to fill it."
            )
    return columns, expressions, params


def _insert(cursor, model, columns: list[str], select: str, params: list, source: str) -> int:
    extra_columns, extra_expressions, extra_params = _other_columns(model, set(columns))
    names = [connection.ops.quote_name(c) for c in columns] + extra_columns
    expressions = [select, *extra_expressions]
    sql = (
        f"INSERT INTO {_table(model)} ({', '.join(names)}) "
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    cursor.execute(sql, params + extra_params)
    return cursor.rowcount


def _sql_array(values: list[str]) -> tuple[str, list[str]]:
    return "ARRAY[" + ", ".join(["%s"] * len(values)) + "]::text[]", list(values)


def _fill(
    cursor,
    bulk: BulkAdministration,
    topics: list[int],
    now: dt.datetime,
    seed: float,
    *,
    count: int,
    offset: int = 0,
    years: int = 1,
):
    """``count`` cases of one administration (numbered from ``offset`` + 1) and their rows, in
    the caller's transaction."""
    administration = bulk.administration
    case_seq, reply_seq = _sequence(Case), _sequence(Reply)
    # The draws: one row of uniform random numbers per case, materialised once so that each
    # derived column reads the same draw.
    cursor.execute("SELECT setseed(%s)", [seed])
    cursor.execute("DROP TABLE IF EXISTS bulk_draw")
    cursor.execute(
        """
        CREATE TEMP TABLE bulk_draw ON COMMIT DROP AS
        SELECT nextval(%s) AS id, g + %s AS n,
               random() AS r_age, random() AS r_ch, random() AS r_topic, random() AS r_done,
               random() AS r_st, random() AS r_agent, random() AS r_arm, random() AS r_assign,
               random() AS r_open, random() AS r_handle, random() AS r_prio, random() AS r_mail,
               random() AS r_sugg, random() AS r_dec, random() AS r_sat, random() AS r_sat2,
               random() AS r_text
        FROM generate_series(1, %s) AS g
        """,
        [case_seq, offset, count],
    )
    deadline_case = " ".join(
        f"WHEN '{channel}' THEN {days}" for channel, days in DEFAULT_RESPONSE_DAYS.items()
    )
    channel_case, bound = [], 0.0
    for channel, share in CHANNEL_MIX[:-1]:
        bound += share
        channel_case.append(f"WHEN r_ch < {bound:.4f} THEN '{channel}'")
    channel_sql = f"CASE {' '.join(channel_case)} ELSE '{CHANNEL_MIX[-1][0]}' END"
    period_1, period_2 = bulk.periods
    agents_sql = "ARRAY[" + ",".join(str(pk) for pk in bulk.agents) + "]::bigint[]"
    topics_sql = "ARRAY[" + ",".join(str(pk) for pk in topics) + "]::bigint[]"
    subjects_sql, subjects = _sql_array(SUBJECTS)
    bodies_sql, bodies = _sql_array(BODIES)
    cursor.execute("DROP TABLE IF EXISTS bulk_case")
    cursor.execute(
        f"""
        CREATE TEMP TABLE bulk_case ON COMMIT DROP AS
        WITH a AS (
            SELECT d.*,
                   power(r_age, {1.3 if years == 1 else 1.0}) * {365 * years} AS age_days,
                   {channel_sql} AS channel,
                   1 + floor(r_agent * {len(bulk.agents)})::int AS agent_index
            FROM bulk_draw d
        ), b AS (
            SELECT a.*,
                   %(now)s::timestamptz - make_interval(secs => age_days * 86400) AS created_at,
                   age_days > {BACKLOG_DAYS} OR r_done < least(0.99, age_days / 25.0) AS done,
                   agent_index <= {bulk.volunteers} AS volunteer
            FROM a
        ), c AS (
            SELECT b.*,
                   CASE WHEN created_at >= %(middle)s THEN {period_2.pk}
                        WHEN created_at >= %(started)s THEN {period_1.pk} END AS period_id,
                   CASE WHEN created_at < %(started)s THEN NULL
                        WHEN r_arm < {ASSISTED_SHARE} THEN 'assisted' ELSE 'control' END AS arm,
                   CASE
                       WHEN done AND ((age_days > 30 AND r_st < 0.8) OR r_st < 0.3) THEN 'closed'
                       WHEN done THEN 'answered'
                       WHEN r_st < 0.3 THEN 'new'
                       WHEN r_st < 0.5 THEN 'assigned'
                       WHEN r_st < 0.85 THEN 'in_progress'
                       ELSE 'awaiting_usager'
                   END AS status
            FROM b
        ), d AS (
            SELECT c.*,
                   CASE WHEN status <> 'new' THEN created_at
                        + make_interval(secs => r_assign * least(age_days, 2) * 86400) END
                       AS assigned_at,
                   -- Handling: 15 minutes to a few hours, exponential tail; faster with a draft.
                   make_interval(secs => (900 + 4 * 3600 * -ln(1 - r_handle * 0.98))
                       * CASE WHEN arm = 'assisted' AND volunteer THEN {ASSISTED_SPEED}
                              ELSE 1 END) AS handling
            FROM c
        ), e AS (
            SELECT d.*,
                   CASE WHEN status = 'new' OR (status = 'assigned' AND r_open < 0.5) THEN NULL
                        ELSE assigned_at + (least(%(now)s::timestamptz - assigned_at,
                                                  interval '6 hours') * r_open) END
                       AS first_opened_at
            FROM d
        ), f AS (
            SELECT e.*,
                   CASE WHEN done THEN greatest(first_opened_at,
                        least(%(now)s::timestamptz - interval '1 minute',
                              first_opened_at + handling)) END AS answered_at
            FROM e
        )
        SELECT f.*,
               CASE WHEN status = 'closed' THEN least(%(now)s::timestamptz,
                    answered_at + make_interval(days => 1 + floor(r_st * 5)::int)) END
                   AS closed_at,
               created_at + make_interval(days => CASE channel {deadline_case} END) AS due_at,
               CASE WHEN status = 'new' THEN NULL ELSE ({agents_sql})[agent_index] END
                   AS assignee_id,
               CASE WHEN r_topic < 0.85
                    THEN ({topics_sql})[1 + floor(r_topic / 0.85 * {len(topics)})::int] END
                   AS topic_id,
               CASE WHEN done THEN nextval(%(reply_seq)s) END AS reply_id,
               CASE WHEN arm = 'assisted' AND r_sugg >= 0.03 AND volunteer
                         AND first_opened_at IS NOT NULL THEN true ELSE false END AS shown
        FROM f
        """,
        {
            "now": now,
            "middle": period_2.started_at,
            "started": period_1.started_at,
            "reply_seq": reply_seq,
        },
    )
    code = administration.code
    written = {}
    written["cases"] = _insert(
        cursor,
        Case,
        [
            "id",
            "administration_id",
            "reference",
            "channel",
            "subject",
            "body",
            "usager_name",
            "usager_email",
            "usager_phone",
            "topic_id",
            "status",
            "priority",
            "assignee_id",
            "due_at",
            "version",
            "created_at",
            "assigned_at",
            "first_opened_at",
            "answered_at",
            "closed_at",
            "updated_at",
        ],
        f"""id, %s, %s::text || '-' || to_char(created_at, 'YYYY') || '-S' || lpad(n::text, 7, '0'),
            channel, ({subjects_sql})[1 + floor(r_text * {len(SUBJECTS)})::int],
            ({bodies_sql})[1 + floor(r_ch * {len(BODIES)})::int],
            'Usager ' || n, CASE WHEN r_mail < 0.7 THEN 'usager.' || id || '@example.invalid'
            ELSE '' END, '', topic_id, status,
            CASE WHEN r_prio < 0.10 THEN 1 WHEN r_prio < 0.80 THEN 2 WHEN r_prio < 0.95 THEN 3
                 ELSE 4 END,
            assignee_id, due_at, 1, created_at, assigned_at, first_opened_at, answered_at,
            closed_at, coalesce(closed_at, answered_at, first_opened_at, assigned_at, created_at)
        """,
        [administration.pk, code, *subjects, *bodies],
        "bulk_case",
    )
    written["arms"] = _insert(
        cursor,
        CaseArm,
        ["case_id", "period_id", "arm", "draw"],
        "id, period_id, arm, r_arm",
        [],
        "bulk_case WHERE arm IS NOT NULL",
    )
    written["replies"] = _insert(
        cursor,
        Reply,
        ["id", "case_id", "author_id", "body", "created_at"],
        "reply_id, id, assignee_id, %s::text, answered_at",
        [REPLY],
        "bulk_case WHERE done",
    )
    reasons_sql, reasons = _sql_array([str(r) for r in DISCARD_REASONS])
    decision = (
        "CASE WHEN NOT shown OR NOT done THEN '' WHEN r_dec < 0.35 THEN 'accepted' "
        "WHEN r_dec < 0.80 THEN 'edited' ELSE 'discarded' END"
    )
    written["suggestions"] = _insert(
        cursor,
        Suggestion,
        [
            "case_id",
            "administration_id",
            "sequence",
            "status",
            "text",
            "sources",
            "backend",
            "model_name",
            "prompt_version",
            "fell_back",
            "error",
            "attempts",
            "retrieval_ms",
            "latency_ms",
            "prompt_tokens",
            "completion_tokens",
            "created_at",
            "started_at",
            "finished_at",
            "shown_at",
            "shown_to_id",
            "decision",
            "decided_at",
            "decided_by_id",
            "discard_reason",
            "discard_comment",
            "similarity",
            "seconds_to_decision",
            "reply_id",
        ],
        f"""id, %s, 1,
            CASE WHEN r_sugg < 0.03 THEN 'failed' ELSE 'ready' END,
            CASE WHEN r_sugg < 0.03 THEN '' ELSE %s::text END, '[]'::jsonb, 'offline', '', %s::text,
            false,
            CASE WHEN r_sugg < 0.03 THEN 'Le modèle n''a pas répondu à temps.' ELSE '' END,
            1, 20 + floor(r_sugg * 80)::int, 400 + floor(r_sugg * 4000)::int,
            900 + floor(r_text * 1500)::int, 150 + floor(r_dec * 350)::int,
            created_at + interval '1 second', created_at + interval '2 seconds',
            created_at + interval '2 seconds' + make_interval(secs => 0.4 + r_sugg * 4),
            CASE WHEN shown THEN first_opened_at END,
            CASE WHEN shown THEN assignee_id END,
            {decision},
            CASE WHEN shown AND done THEN answered_at END,
            CASE WHEN shown AND done THEN assignee_id END,
            CASE WHEN shown AND done AND r_dec >= 0.80
                 THEN ({reasons_sql})[1 + floor((r_dec - 0.80) / 0.20 * {len(reasons)})::int]
                 ELSE '' END,
            '',
            CASE WHEN shown AND done AND r_dec < 0.35 THEN 1.0
                 WHEN shown AND done AND r_dec < 0.80 THEN 0.55 + r_handle * 0.4 END,
            CASE WHEN shown AND done
                 THEN greatest(0, extract(epoch FROM answered_at - first_opened_at))::int END,
            CASE WHEN shown AND done AND r_dec < 0.80 THEN reply_id END
        """,
        [administration.pk, DRAFT, PROMPT_VERSION, *reasons],
        "bulk_case WHERE arm = 'assisted'",
    )
    written["survey"] = _insert(
        cursor,
        SatisfactionResponse,
        ["case_id", "administration_id", "rating", "answered", "comment", "created_at"],
        """id, %s, rating,
           CASE WHEN rating >= 4 THEN 'yes' WHEN rating = 3 THEN 'partly' ELSE 'no' END,
           CASE WHEN r_sat < 0.03 THEN 'Merci pour la réponse.' ELSE '' END,
           least(%s::timestamptz, answered_at + make_interval(secs => r_sat * 3 * 86400))""",
        [administration.pk, now],
        """(SELECT *, CASE WHEN r_sat2 < 0.07 THEN 1 WHEN r_sat2 < 0.15 THEN 2
                           WHEN r_sat2 < 0.32 THEN 3 WHEN r_sat2 < 0.65 THEN 4 ELSE 5 END AS rating
             FROM bulk_case WHERE done AND r_mail < 0.7 AND r_sat < 0.18) AS answered""",
    )
    return written


BULK_TABLES: list[type[models.Model]] = [
    Case,
    Reply,
    CaseArm,
    Suggestion,
    SatisfactionResponse,
    ImpactCase,
    ImpactDraft,
]


def _skip_foreign_key_checks(cursor) -> bool:
    """For this transaction only, skip the foreign-key triggers when the database role may.

    Django's foreign keys are deferred constraints checked row by row at commit: for a million
    cases, their replies, arms and suggestions that is some ten million trigger calls, most of
    the generation time. Every id written here comes from rows this module created or read in
    the same transaction, so the checks cannot fail. Without superuser rights, they run.
    """
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def reset(count: int) -> int:
    """Delete the generated rows of the bulk administrations (they keep their staff)."""
    ids = [a.pk for a in bulk_administrations(count)]
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cases = f"(SELECT id FROM {_table(Case)} WHERE administration_id = ANY(%s))"
        for model in (ImpactCase, ImpactDraft):
            cursor.execute(f"DELETE FROM {_table(model)} WHERE administration_id = ANY(%s)", [ids])
        cursor.execute(
            f"DELETE FROM {_table(SatisfactionResponse)} WHERE administration_id = ANY(%s)", [ids]
        )
        cursor.execute(f"DELETE FROM {_table(Suggestion)} WHERE administration_id = ANY(%s)", [ids])
        cursor.execute(f"DELETE FROM {_table(CaseArm)} WHERE case_id IN {cases}", [ids])
        cursor.execute(f"DELETE FROM {_table(Reply)} WHERE case_id IN {cases}", [ids])
        cursor.execute(f"DELETE FROM {_table(Case)} WHERE administration_id = ANY(%s)", [ids])
        return cursor.rowcount


def generate(
    *,
    cases: int,
    administrations: int,
    seed: float = 0.42,
    batch_size: int = 250_000,
    bulk_load: bool = False,
    years: int = 1,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Generate ``cases`` cases over ``administrations`` bulk administrations (PostgreSQL).

    With ``bulk_load``, the tables' secondary indexes are dropped and autovacuum is off while
    loading, then the indexes are rebuilt (``devtools/bench/bulkload.py``); indexes left dropped
    by an interrupted bulk load are rebuilt at the end of any run."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The bulk generator writes with PostgreSQL's SQL (generate_series).")
    if administrations < 1 or administrations > 99 or cases < administrations:
        raise ValueError("Between 1 and 99 administrations, and at least one case each.")
    now = timezone.now()
    topics = list(
        Topic.objects.filter(administration__isnull=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not topics:
        raise RuntimeError("No national topics: run migrate first.")
    if batch_size < 1:
        raise ValueError("The batch size is at least one case.")
    if not 1 <= years <= 10:
        raise ValueError("Between 1 and 10 years of history.")
    totals: dict[str, int] = {"cases": 0}
    started = time.perf_counter()
    tables = [model._meta.db_table for model in BULK_TABLES]
    if bulk_load:
        bulkload.session_settings()
        bulkload.suspend(tables, log=log)
    _load(
        cases=cases,
        administrations=administrations,
        seed=seed,
        batch_size=batch_size,
        years=years,
        now=now,
        topics=topics,
        totals=totals,
        started=started,
        log=log,
    )
    rebuilt_started = time.perf_counter()
    if bulkload.restore(tables if bulk_load else (), log=log):
        log(f"  Indexes rebuilt in {time.perf_counter() - rebuilt_started:.1f} s.")
    analyze_started = time.perf_counter()
    # VACUUM sets the visibility map (index-only scans); it cannot run inside a transaction.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in BULK_TABLES:
            cursor.execute(f"{command} {_table(model)}")
    log(f"  {command}: {time.perf_counter() - analyze_started:.1f} s")
    totals["seconds"] = round(time.perf_counter() - started, 1)
    return totals


def _load(
    *,
    cases: int,
    administrations: int,
    seed: float,
    batch_size: int,
    years: int,
    now: dt.datetime,
    topics: list[int],
    totals: dict[str, int],
    started: float,
    log: Callable[[str], None],
) -> None:
    for index, size in enumerate(sizes(cases, administrations), start=1):
        with transaction.atomic():
            bulk = _staff(index, size, now)
        existing = Case.objects.filter(administration=bulk.administration).count()
        if existing >= size:
            log(f"  {bulk.administration.code}: {existing:,} cases already, complete.")
            continue
        if existing:
            log(f"  {bulk.administration.code}: {existing:,} cases already, resuming.")
        while existing < size:
            count = min(batch_size, size - existing)
            batch_started = time.perf_counter()
            # One transaction per batch: an interrupted run keeps its finished batches, and the
            # next run resumes after them (the count of the administration's cases).
            with transaction.atomic(), connection.cursor() as cursor:
                skipped = _skip_foreign_key_checks(cursor)
                written = _fill(
                    cursor,
                    bulk,
                    topics,
                    now,
                    seed=(seed + index / 1000 + existing / 1e9) % 1,
                    count=count,
                    offset=existing,
                    years=years,
                )
                # The triggers that keep the impact report's facts and the administration's
                # tally are off with the foreign keys' (replication role): done here. The facts'
                # own triggers (their rollups) run: the role is back to normal for the refresh.
                if skipped:
                    cursor.execute("SET LOCAL session_replication_role = origin")
                cursor.execute("SELECT drafting_impact_refresh(ARRAY(SELECT id FROM bulk_case))")
                if skipped:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                if skipped:
                    tally_add(bulk.administration.pk, written["cases"], cursor=cursor)
            existing += written["cases"]
            for key, value in written.items():
                totals[key] = totals.get(key, 0) + value
            elapsed = time.perf_counter() - started
            log(
                f"  {bulk.administration.code}: {existing:,}/{size:,} cases "
                f"(+{written['cases']:,} in {time.perf_counter() - batch_started:.1f} s; "
                f"{totals.get('cases', 0) / elapsed:,.0f} cases/s overall, {elapsed:.0f} s)"
            )
