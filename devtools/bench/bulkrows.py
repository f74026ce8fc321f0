"""One batch of synthetic cases and their rows, written by PostgreSQL in the caller's
transaction.

``fill_batch`` draws one row of random numbers per case into a temporary table, derives every
column of the cases from it in a second one (age, channel, status, assignee, deadlines, the
experiment arm, the handling clock), then writes with ``INSERT … SELECT`` from it: the cases,
their experiment arms, the replies of the answered ones, the suggestions of the assisted ones
(with their decisions) and part of the usagers' satisfaction answers. No row passes through
Python. Columns this module does not know (added by a later migration) get their default.

Every batch draws from the texts and the channel mix below. ``bulkdata.py`` drives the batches
and ``bulkstaff.py`` provides the administrations. Application code never imports this module.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, models

from cases.models import (
    DEFAULT_RESPONSE_DAYS,
    Case,
    Reply,
    SatisfactionResponse,
)
from devtools.bench.bulkstaff import ASSISTED_SHARE, BulkAdministration
from devtools.bench.common import CHANNEL_MIX
from drafting.models import CaseArm, Suggestion
from drafting.suggestions.prompts import PROMPT_VERSION

# Cases older than this are all answered: the backlog left open does not grow with the history.
BACKLOG_DAYS = 90
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


def quoted_table(model: type[models.Model]) -> str:
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
        column = field.column
        # A concrete field always has a column; the stubs type it `str | None` for all fields.
        if column is None or column in given or field.primary_key:
            continue
        if field.has_default():
            default = field.get_default()
            columns.append(connection.ops.quote_name(column))
            expressions.append("%s")
            params.append(field.get_db_prep_save(default, connection))
        elif field.null:
            continue
        elif isinstance(field, models.DateTimeField):
            columns.append(connection.ops.quote_name(column))
            expressions.append("now()")
        else:
            raise RuntimeError(
                f"{model.__name__}.{field.name} has no default: teach devtools/bench/bulkrows.py "
                "to fill it."
            )
    return columns, expressions, params


def _insert(cursor, model, columns: list[str], select: str, params: list, source: str) -> int:
    extra_columns, extra_expressions, extra_params = _other_columns(model, set(columns))
    names = [connection.ops.quote_name(c) for c in columns] + extra_columns
    expressions = [select, *extra_expressions]
    sql = (
        f"INSERT INTO {quoted_table(model)} ({', '.join(names)}) "
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    cursor.execute(sql, params + extra_params)
    return cursor.rowcount


def _sql_array(values: list[str]) -> tuple[str, list[str]]:
    return "ARRAY[" + ", ".join(["%s"] * len(values)) + "]::text[]", list(values)


def fill_batch(
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
