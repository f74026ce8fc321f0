"""Grounding: is each sentence of a draft supported by the source it cites? (issue 12, item 4)

Pure functions, no database, the same for every backend: the offline drafter and any remote
model are checked alike after they write. ``verify_citations`` checks sentences against the
texts of the numbered sources; ``strip_markers`` removes the internal ``[n]`` markers before
a text reaches the usager; ``references_block`` builds the plain "Pour en savoir plus" list
of the fiches' public links that replaces them; ``has_internal_markup`` tells whether a text
still holds anything internal; ``injection_signals`` tells whether a draft says what it was not
given (a link, an address, another case, the prompt's rules).
"""

from .courtesy import is_courtesy
from .injection import injection_signals
from .markup import has_internal_markup, public_url, references_block, strip_markers
from .verify import SentenceCheck, Verification, split_sentences, verify_citations

__all__ = [
    "SentenceCheck",
    "Verification",
    "has_internal_markup",
    "injection_signals",
    "is_courtesy",
    "public_url",
    "references_block",
    "split_sentences",
    "strip_markers",
    "verify_citations",
]
