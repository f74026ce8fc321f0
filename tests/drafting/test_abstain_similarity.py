"""The semantic abstention threshold belongs to the embedding model it was measured for."""

from __future__ import annotations

from drafting.suggestions.compose import ComposeSource, compose

SOURCE = ComposeSource(
    n=1,
    kind="fiche",
    title="Carte Vitale perdue › Délai",
    url="",
    text="La nouvelle carte Vitale arrive sous deux à trois semaines.",
)
# The question does not name the title's "carte Vitale" (a question that does is never abstained
# on: tests/drafting/test_compounds.py).
QUESTION = "ma carte perdue arrive quand ?"


def test_a_distant_best_unit_abstains_only_under_a_threshold():
    far = {(1, 0): 0.5}
    assert compose(QUESTION, [SOURCE], far, min_similarity=0.872).abstained
    # Another embedding model, not measured yet: no threshold, the words decide.
    assert not compose(QUESTION, [SOURCE], far).abstained
    assert not compose(QUESTION, [SOURCE], {(1, 0): 0.9}, min_similarity=0.872).abstained
