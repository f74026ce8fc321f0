"""Which case an e-mail belongs to (cases/intake/mail.py reads it, this finds its case).

- By ``In-Reply-To`` / ``References``: the ids of the mails Guichet sent about a case (replies,
  acknowledgements: random, they cannot be guessed), or of the usager's earlier messages (only
  for that usager: a copy may have made them known to others). Then by the case's reference in
  the subject (sequential, so only the case's usager writes into it that way: mail.py's rule).
- Within the receiving administration, with one exception: a case transferred away lives on
  in the case its transfer opened (``case_transferred_to``). A message about any case of a
  chain of transfers (A to B, B to C) reaches the live one, whichever mailbox of the
  administrations of that chain it was sent to (the usager told "the CPAM now answers you"
  writes to the CPAM, quoting the CAF's mail; or answers the mail of an administration without
  a mailbox, whose Reply-To is the mailbox of one the request went through before). Nothing
  else ever crosses administrations.
"""

from __future__ import annotations

import re

from accounts.models import Administration

from ..models import Acknowledgement, Case, Delivery, InboundEmail, Status

# Any administration's reference ("CAF69-2026-000241"), as typed (a phone may lower it).
_ANY_REFERENCE = re.compile(r"\b([A-Z0-9][A-Z0-9_]*)-(\d{4})-(\d{6})\b", re.IGNORECASE)


def _reference_in(subject: str, administration: Administration) -> str | None:
    # Typed by hand on a phone, the reference may come in lower case ("caf69-2026-000241").
    match = re.search(
        rf"\b{re.escape(administration.code)}-\d{{4}}-\d{{6}}\b", subject, re.IGNORECASE
    )
    # Rebuilt on the code as written (references are made from it): an exact, indexed lookup.
    return administration.code + match.group(0)[len(administration.code) :] if match else None


def case_for_thread(
    administration: Administration, references: list[str], sender: str
) -> Case | None:
    """The case of this administration that one of ``references`` belongs to (the most recent
    reference first): a mail Guichet sent (reply or acknowledgement, ids that cannot be
    guessed), or an earlier message of the same usager."""
    if not references:
        return None
    sent: dict[str, int] = {}
    for message_id, case_id in Delivery.objects.filter(
        message_id__in=references, reply__case__administration=administration
    ).values_list("message_id", "reply__case_id"):
        sent[message_id] = case_id
    for message_id, case_id in Acknowledgement.objects.filter(
        message_id__in=references, case__administration=administration
    ).values_list("message_id", "case_id"):
        sent[message_id] = case_id
    received: dict[str, int] = {}
    for message_id, case_id in InboundEmail.objects.filter(
        administration=administration, message_id__in=references, case__isnull=False
    ).values_list("message_id", "case_id"):
        if case_id is not None:
            received[message_id] = case_id
    for reference in references:
        if reference in sent:
            return Case.objects.get(pk=sent[reference])
        if reference in received:
            case = Case.objects.get(pk=received[reference])
            # Message-IDs of the usager's own messages may be known to others (copies):
            # only the usager threads on them.
            if not case.usager_email or case.usager_email == sender:
                return case
    return None


def case_transferred_to(case: Case) -> Case:
    """Where the question of ``case`` lives now: ``case`` itself, or, when it was transferred,
    the last case of its chain of transfers (each transfer opens one linked case)."""
    seen = {case.pk}
    while case.status == Status.TRANSFERRED:
        following = Case.objects.filter(transferred_from=case).select_related("administration")
        nxt = following.first()
        if nxt is None or nxt.pk in seen:
            break
        seen.add(nxt.pk)
        case = nxt
    return case


def _chain(case: Case) -> list[Case]:
    """The cases of the request of ``case``, from the one it first arrived as to the live one
    (each transfer opens one linked case)."""
    seen = {case.pk}
    while case.transferred_from_id is not None and case.transferred_from_id not in seen:
        seen.add(case.transferred_from_id)
        case = Case.objects.select_related("administration").get(pk=case.transferred_from_id)
    chain, ahead = [case], {case.pk}
    while case.status == Status.TRANSFERRED:
        nxt = Case.objects.filter(transferred_from=case).select_related("administration").first()
        if nxt is None or nxt.pk in ahead:
            break
        ahead.add(nxt.pk)
        chain.append(nxt)
        case = nxt
    return chain


def _transferred_here(
    administration: Administration, parsed: dict, *, by_id_only: bool = False
) -> Case | None:
    """The case of this administration on the way of a request transferred between
    administrations that the message is about: it answers a mail Guichet sent about a case of
    that request in another administration (ids nobody can guess; a mailbox is the Reply-To of
    the mails about a request it went through: cases/delivery/answers.py), or it names such a
    case's reference (from that case's usager only). The last such case of this administration
    (the live one, or one transferred away, which ``_email_apply`` follows to the live one).
    ``by_id_only``: by the mails' ids alone (a thread, whoever writes from it)."""
    references = parsed["references"]
    origins: list[int] = []
    if references:
        origins += Delivery.objects.filter(message_id__in=references).values_list(
            "reply__case_id", flat=True
        )
        origins += Acknowledgement.objects.filter(message_id__in=references).values_list(
            "case_id", flat=True
        )
    named = sorted({m.group(0).upper() for m in _ANY_REFERENCE.finditer(parsed["subject"] or "")})
    for reference in [] if by_id_only else named[:5]:
        code, _sep, rest = reference.partition("-")
        other = (
            Administration.objects.filter(code__iexact=code)
            .exclude(pk=administration.pk)
            .values_list("pk", "code")
            .first()
        )
        if other is not None:
            # By its administration and reference (as made from the code): the unique index,
            # not a scan of every case.
            origins += Case.objects.filter(
                administration_id=other[0],
                reference=f"{other[1]}-{rest}",
                usager_email=parsed["sender"],
            ).values_list("pk", flat=True)
    for origin in Case.objects.filter(pk__in=origins).exclude(administration=administration):
        if origin.transferred_from_id is None and origin.status != Status.TRANSFERRED:
            continue  # a request that never moved: nothing crosses administrations
        here = [c for c in _chain(origin) if c.administration_id == administration.pk]
        if here:
            return here[-1]
    return None


def case_of_message(administration: Administration, parsed: dict) -> Case | None:
    """The case ``parsed`` (cases/intake/reading.py) is about, as the module says; None for a
    new question."""
    case = case_for_thread(administration, parsed["references"], parsed["sender"])
    if case is not None:
        return case
    reference = _reference_in(parsed["subject"], administration)
    found = (
        Case.objects.filter(administration=administration, reference=reference).first()
        if reference
        else None
    )
    return found or _transferred_here(administration, parsed)


def case_vouched_for(administration: Administration, parsed: dict) -> Case | None:
    """The case of ``parsed`` when the message proves it belongs there, for what is recorded on
    a case without an agent reading it first (an out-of-office notice): it answers a mail
    Guichet sent or the usager's own, or it comes from the case's usager and names its
    reference. A reference alone, which anyone can guess, vouches for nothing."""
    case = case_for_thread(administration, parsed["references"], parsed["sender"])
    if case is not None:
        return case
    case = case_of_message(administration, parsed)
    if case is not None and case.usager_email and case.usager_email == parsed["sender"]:
        return case
    return None


def answers_transferred_mail(administration: Administration, parsed: dict) -> bool:
    """Whether ``parsed`` answers a mail Guichet sent about a request that went through this
    administration (its ids nobody can guess): a thread, like ``case_for_thread``'s, from
    whichever address the usager writes."""
    return bool(parsed["references"]) and (
        _transferred_here(administration, parsed, by_id_only=True) is not None
    )
