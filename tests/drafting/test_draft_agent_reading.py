"""What reading 45 new usager questions as the agent who sends the drafts showed
(devtools/eval/heldout_agent.jsonl): a list asked for in everyday words ("c'est quoi les
documents", "il faut quoi comme papiers") was not recognised as a list, and a question about a
neighbouring procedure ("se faire recenser") got a confident draft from a fiche that mentions it
in passing, a draft opened on "Il est nominatif" (whose "il" is the cheque of the sentence
before), a heading that gives a right or a delay ("Vous avez droit", "Vous avez 2 mois") was said
as a condition, and a situation told of a son or a mother was taken as the usager's own."""

from __future__ import annotations

from drafting.suggestions.asking import INTENTS, question_intents
from drafting.suggestions.compose import ComposeSource, compose
from drafting.suggestions.judgement import LOW_CONFIDENCE
from drafting.suggestions.wording import leans_back, situation, states


def _source(n, title, text):
    return ComposeSource(n=n, kind="fiche", title=title, url="", text=text)


def test_a_list_asked_for_in_everyday_words_is_recognised():
    for question in (
        "je m'inscris comment et c'est quoi les documents à avoir sous la main",
        "il faut quoi comme papiers pour la carte grise ?",
        "qu'est-ce qu'il doit me donner comme papiers le vendeur ?",
        "il faut quoi pour faire la demande ?",
        "Pouvez-vous me donner la liste de ce qu'il faut préparer ?",
        "que faut-il prévoir pour le rendez-vous ?",
        "les documents nécessaires pour la CSS",
    ):
        assert "list" in question_intents(question), question
    for question in (
        "combien de temps pour recevoir la carte ?",
        "mes papiers ont été volés hier",
        "je suis inscrit sur la liste électorale ?",
        "je dois préparer ma retraite, quand faire la demande ?",
    ):
        assert "list" not in question_intents(question), question


INSCRIPTION = "S'inscrire à France Travail comme demandeur d'emploi"


def test_the_list_of_documents_asked_for_in_everyday_words_is_in_the_draft():
    sources = [
        _source(
            1,
            f"{INSCRIPTION} › Comment s'inscrire ?",
            "L'inscription se fait en ligne sur francetravail.fr ou par téléphone au 3949. "
            "Préparez :\n"
            "- votre numéro de sécurité sociale ;\n"
            "- un RIB ;\n"
            "- votre CV.",
        ),
        _source(
            2,
            f"{INSCRIPTION} › Après l'inscription",
            "Un premier entretien est fixé dans les 15 jours. Vous signez un contrat "
            "d'engagement avec votre conseiller.",
        ),
    ]
    result = compose(
        "je viens de finir mon contrat, c'est quoi les documents à avoir sous la main pour "
        "l'inscription à france travail",
        sources,
    )
    assert not result.abstained
    assert "- un RIB ;" in result.body[0]


def test_a_question_asking_when_is_recognised_and_not_a_when_of_circumstance():
    for question in (
        "elle tombe quand l'allocation de rentrée scolaire cette année ??",
        "Jusqu'à quand je dois déclarer ma grossesse ?",
        "On est en octobre, c'est trop tard ?",
        "à partir de quand je touche l'apl",
        "c'est quoi la date limite pour l'actu ?",
        "je la reçois quand ?",
        "je dois déclarer ma grossesse à qui, avant quand, et à quel organisme ?",
    ):
        assert "date" in question_intents(question), question
    for question in (
        "quand on déménage, faut-il prévenir la caf ?",
        "que faire quand on a perdu sa carte vitale",
        "combien coûte le passeport ?",
        # "quand même", and the "quand" of a circumstance after a verb
        "le notaire dit que c'est quand même à moi de payer la taxe foncière",
        "ma pension sera quand même versée ?",
        "mon allocation est versée quand je suis hospitalisé ?",
        "que se passe-t-il quand arrive la fin de mon CDD ?",
        "c'est quand je suis malade que je dois le déclarer ?",
        "je dois partir avant quand même ?",
    ):
        assert "date" not in question_intents(question), question
    gives = INTENTS["date"][1]
    for text in ("versée mi-août", "le 6e vendredi précédant le scrutin", "le mois suivant"):
        assert gives.search(text), text
    # An ordinal is a date only of a day, a week, a month: not a category, a round, a child.
    for text in ("la 3e catégorie de pension", "le 2e tour", "le 3e enfant", "10 euros"):
        assert not gives.search(text), text


ALLOWANCE = "Allocation de rentrée scolaire (ARS)"


def test_a_question_asking_when_leads_with_the_date_not_the_sentence_sharing_its_words():
    sources = [
        _source(
            1,
            ALLOWANCE,
            "L'allocation de rentrée scolaire aide les familles modestes à financer les dépenses "
            "de la rentrée. Elle est versée une fois par an par la CAF.",
        ),
        _source(
            2,
            f"{ALLOWANCE} › Versement",
            "L'allocation est versée automatiquement mi-août aux familles qui y ont droit. Si "
            "vous ne l'avez pas reçue, vérifiez que vos revenus sont connus de la CAF.",
        ),
    ]
    result = compose("elle tombe quand l'allocation de rentrée scolaire cette année ?", sources)
    assert not result.abstained
    assert "mi-août" in result.body[0]


def test_the_dates_of_a_list_of_conditions_do_not_answer_when():
    sources = [
        _source(
            1,
            f"{ALLOWANCE} › Conditions",
            "Conditions :\n"
            "- Avoir un enfant scolarisé.\n"
            "- L'enfant doit être né avant le 31 décembre de l'année de la rentrée.\n"
            "- Les ressources du foyer doivent être inférieures à un plafond.",
        ),
        _source(
            2,
            f"{ALLOWANCE} › Versement",
            "L'allocation est versée à la mi-août pour les enfants déjà connus.",
        ),
    ]
    result = compose("elle tombe quand l'allocation de rentrée scolaire cette année ??", sources)
    assert "mi-août" in result.body[0]
    # A calendar's dates answer it.
    sources[0] = _source(
        1,
        f"{ALLOWANCE} › Calendrier de l'allocation de rentrée scolaire",
        "Calendrier :\n- Versement de l'allocation : mi-août.\n- Demande : jusqu'au 15 décembre.",
    )
    result = compose("elle tombe quand l'allocation de rentrée scolaire ?", sources)
    assert result.body[0].startswith("Calendrier")


ELECTIONS = "S'inscrire sur les listes électorales"
CENSUS = (
    "Si vous avez fait votre recensement citoyen à 16 ans en France, vous êtes inscrit "
    "automatiquement sur les listes électorales de la commune où vous vous êtes fait recenser. "
    "Vous recevez un courrier de la mairie."
)


def test_a_question_that_never_names_the_fiches_subject_gets_a_low_confidence_draft():
    sources = [_source(1, f"{ELECTIONS} › Vous allez avoir 18 ans", CENSUS)]
    neighbour = compose(
        "mon fils a 16 ans, il doit se faire recenser à la mairie : le recensement c'est où ?",
        sources,
    )
    assert not neighbour.abstained
    assert neighbour.confidence < LOW_CONFIDENCE
    # The same passage, for a question about the electoral rolls, is a confident draft.
    named = compose(
        "j'ai fait mon recensement à 16 ans, suis-je inscrit sur les listes électorales ?",
        sources,
    )
    assert not named.abstained
    assert named.confidence >= LOW_CONFIDENCE


def test_a_sentence_whose_subject_is_a_pronoun_leans_on_the_one_before():
    for text in (
        "Il est nominatif et valable jusqu'au 31 mars de l'année suivante.",
        "Elle est versée chaque mois, avec la retraite.",
        "Ils doivent être signés par les deux parties.",
        "Il peut être demandé en ligne.",
        # what "en" stands for is said before
        "Vous recevez un courrier vous en informant.",
        "La CAF vous en informe par courrier.",
    ):
        assert leans_back(text), text
    # "il" with no referent: the sentence reads alone.
    for text in (
        "Il faut un justificatif de domicile.",
        "Il existe trois taux.",
        "Il est possible de contester la décision.",
        "Il n'est pas nécessaire d'aller au commissariat.",
        "Il y a deux cas.",
        "Inscrivez-vous en ligne sur francetravail.fr.",
        "Vous recevez un rappel par courriel.",
    ):
        assert not leans_back(text), text


CHEQUE = "Chèque énergie"


def test_a_list_whose_lead_in_leans_back_comes_with_the_sentence_before():
    sources = [
        _source(
            1,
            f"{CHEQUE} › Réception et utilisation",
            "Le chèque est envoyé par courrier au printemps. "
            "Il est nominatif et valable un an. Vous pouvez l'utiliser :\n"
            "- auprès de votre fournisseur d'électricité ou de gaz ;\n"
            "- pour payer une livraison de fioul ou de bois.",
        )
    ]
    result = compose("est-ce que je peux payer le fioul avec le chèque énergie ?", sources)
    assert not result.abstained
    quoted = next(p for p in result.body if "- pour payer une livraison de fioul" in p)
    assert quoted.startswith("Le chèque est envoyé par courrier au printemps. Il est nominatif")


def test_a_heading_that_gives_a_right_or_a_delay_is_no_condition():
    for heading in (
        "Vous avez droit à un rappel",
        "Vous n'avez pas droit à l'aide",
        "Vous avez 2 mois pour contester",
        "Vous avez deux mois pour répondre",
        "Vous avez jusqu'au 31 mai",
    ):
        assert situation(f"Fiche › {heading}") == "", heading
    # A situation it stays: what the usager has, or their age.
    assert situation("Fiche › Vous avez un enfant") == "Si vous avez un enfant"
    assert situation("Fiche › Vous avez 16 ans ou plus") == "Si vous avez 16 ans ou plus"


def test_a_situation_told_of_someone_else_is_not_the_usagers_own():
    clause = "Si vous avez oublié de vous actualiser"
    assert states("j'ai oublié de m'actualiser ce mois ci", clause)
    assert states("mon fils et moi avons oublié de nous actualiser", clause)
    for question in (
        "mon fils a oublié de s'actualiser ce mois ci, il est désinscrit ?",
        "Bonjour, ma mère est inscrite. Elle a oublié de s'actualiser",
    ):
        assert not states(question, clause), question


def test_a_box_keeps_its_label_first_when_its_section_is_for_one_situation():
    sources = [
        _source(
            1,
            "France Travail : l'actualisation › Vous avez oublié de vous actualiser",
            "À savoir : Une erreur dans l'actualisation peut être corrigée après coup depuis "
            "votre espace.",
        )
    ]
    result = compose("une erreur dans mon actualisation peut être corrigée après coup ?", sources)
    assert result.body[0].startswith(
        "À savoir : si vous avez oublié de vous actualiser, une erreur dans l'actualisation"
    )
    # A box with a condition of its own says it with the section's, its label first.
    sources = [
        _source(
            1,
            "Carte d'identité › Vous êtes majeur",
            "À savoir : Si vous demandez en même temps un passeport, un seul rendez-vous suffit.",
        )
    ]
    result = compose("je demande en même temps un passeport, un seul rendez-vous suffit ?", sources)
    assert result.body[0].startswith(
        "À savoir : si vous êtes majeur et que vous demandez en même temps un passeport, un seul"
    )
