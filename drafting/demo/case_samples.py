# ruff: noqa: E501, RUF100
"""Demo case samples for Guichet.

Realistic messages from usagers (or notes written by counter agents) with a model reply from
an agent, used to populate demo data. People, phone numbers, e-mails, addresses and file
numbers are fictional. Rules and amounts are plausible for France in 2026 but illustrative,
not authoritative.

``{name}`` may appear in ``body`` and ``reply``; fill it with ``str.format(name=...)``. No
other braces are used. Replies stop before the signature: the app appends the closing
formula and the agent's signature.

Values:
- topic: identite, vehicules, famille, logement, sante, impots, emploi, retraite, solidarite,
  handicap, etrangers, citoyennete, energie, etudes
- kinds: caf, cpam, ants, dgfip, france_travail, france_services, mairie
- channel: sp_plus, sp_question, france_services, email, phone, web_form
"""

from typing import TypedDict


class CaseSample(TypedDict):
    topic: str  # one of the topics listed above
    kinds: tuple[str, ...]  # administration kinds this sample fits
    channel: str  # one of the channels listed above
    subject: str  # short subject line, as the usager (or counter agent) would write it
    body: str  # the message, 2-8 sentences, informal French; may contain "{name}"
    reply: str  # the agent's reply, 4-10 sentences, without the final signature


SAMPLES: list[CaseSample] = [
    {
        "topic": "identite",
        "kinds": ("ants", "mairie", "france_services"),
        "channel": "email",
        "subject": "Carte d'identité perdue, je pars au Portugal dans 3 semaines",
        "body": (
            "Bonjour,\n\n"
            "J'ai perdu ma carte d'identité ce week-end (dans le tram ou au marché, impossible de "
            "la retrouver). Je dois partir au Portugal le 14 pour le mariage de ma cousine et je "
            "n'ai pas de passeport. Est-ce que je peux encore avoir une carte à temps ? Qu'est-ce "
            "que je dois faire en premier, aller à la police ?\n\n"
            "Merci d'avance,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Pour une perte, vous n'avez pas besoin de passer par la police : la déclaration de "
            "perte se fait au moment de votre demande de nouvelle carte (lors de la pré-demande en "
            "ligne ou au guichet de la mairie). Seul un vol nécessite un dépôt de plainte.\n\n"
            "Voici les étapes : faites votre pré-demande sur le site de l'ANTS (ants.gouv.fr) et "
            "notez le numéro obtenu ; achetez un timbre fiscal de 25 €, obligatoire en cas de "
            "perte (sur timbres.impots.gouv.fr ou chez un buraliste) ; puis prenez rendez-vous "
            "dans n'importe quelle mairie équipée, pas forcément celle de votre commune. Le moteur "
            "de recherche de rendez-vous de l'ANTS affiche les créneaux libres dans les communes "
            "proches.\n\n"
            "Le jour du rendez-vous, apportez une photo d'identité de moins de 6 mois, un "
            "justificatif de domicile et, si possible, un autre document avec photo (permis de "
            "conduire, par exemple). Présentez aussi votre billet : certaines mairies tiennent "
            "compte d'un départ imminent, sans que cela puisse être garanti. Les délais de "
            "fabrication variant selon les périodes, nous vous conseillons d'engager ces démarches "
            "dès aujourd'hui."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie"),
        "channel": "sp_plus",
        "subject": "Quatre mois pour un rendez-vous passeport",
        "body": (
            "J'ai voulu refaire mon passeport en janvier pour un voyage en juin. Sur le site de ma "
            "mairie, premier rendez-vous disponible : fin mai ! Personne ne répond au téléphone, "
            "et à l'accueil on m'a juste dit de « regarder tous les jours ». Je trouve "
            "inadmissible qu'on ne puisse pas obtenir un passeport sans stresser pendant des mois. "
            "Au final j'ai trouvé un créneau à 40 km de chez moi, en posant une demi-journée de "
            "congé."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Merci d'avoir partagé votre expérience ; nous regrettons les difficultés rencontrées "
            "pour obtenir ce rendez-vous. La demande de passeports est particulièrement forte au "
            "printemps, avant les vacances d'été, et les créneaux des mairies équipées sont alors "
            "très vite réservés.\n\n"
            "Pour vos prochaines démarches : vous pouvez déposer votre demande dans n'importe "
            "quelle mairie équipée en France ; le moteur de recherche de rendez-vous de l'ANTS "
            "recense les créneaux disponibles dans le rayon de votre choix ; enfin, des créneaux "
            "se libèrent régulièrement à la suite d'annulations. En cas de départ imminent pour un "
            "motif impérieux (professionnel, médical ou familial), la mairie peut être sollicitée "
            "pour un rendez-vous prioritaire sur justificatifs.\n\n"
            "Votre remarque sur l'accueil téléphonique est transmise au service concerné afin "
            "d'améliorer l'information donnée sur les délais."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : renouvellement de carte d'identité, usagère sans internet",
        "body": (
            "Mme {name}, 81 ans, est venue à l'accueil car sa carte d'identité a expiré en 2018. "
            "Elle n'a pas d'ordinateur et son fils habite loin. Elle voudrait la refaire pour "
            "retirer ses recommandés à La Poste et aller à la banque. Elle a apporté son ancienne "
            "carte et une facture EDF. Elle demande si c'est payant et combien de fois elle devra "
            "se déplacer."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le renouvellement de votre carte d'identité est gratuit, puisque vous présentez votre "
            "ancienne carte. La pré-demande peut être faite avec le conseiller France Services sur "
            "le site de l'ANTS ; à défaut, la mairie peut vous remettre un formulaire papier à "
            "remplir sur place.\n\n"
            "Vous vous rendrez ensuite, sur rendez-vous, dans une mairie équipée avec : votre "
            "ancienne carte, une photo d'identité de moins de 6 mois (photographe ou cabine "
            "agréée) et votre facture EDF de moins d'un an comme justificatif de domicile. Votre "
            "carte ayant expiré depuis plus de 5 ans, un acte de naissance pourra vous être "
            "demandé, sauf si votre commune de naissance permet la vérification dématérialisée, ce "
            "que la mairie contrôlera.\n\n"
            "Deux déplacements sont nécessaires : l'un pour déposer la demande (prise "
            "d'empreintes), l'autre pour retirer la carte, lorsque vous recevrez l'avis de mise à "
            "disposition. Le conseiller peut vous aider à réserver le rendez-vous et à suivre "
            "l'avancement du dossier."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie"),
        "channel": "sp_question",
        "subject": "Passeport pour notre bébé de 3 mois",
        "body": (
            "Bonjour, notre fille est née en novembre et nous voulons aller voir la famille au "
            "Maroc à Pâques. Est-ce qu'un bébé doit avoir son propre passeport ? Mon mari et moi "
            "devons venir tous les deux au rendez-vous ? Et le bébé aussi doit venir ? Merci pour "
            "votre réponse."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Oui, chaque enfant, même nourrisson, doit disposer de son propre passeport. La "
            "démarche est la même que pour un adulte : pré-demande sur le site de l'ANTS, puis "
            "rendez-vous dans une mairie équipée.\n\n"
            "La présence de l'enfant est obligatoire lors du dépôt, mais un seul parent suffit. Il "
            "présente sa propre pièce d'identité et justifie de l'autorité parentale (la mairie "
            "vous indiquera si l'acte de naissance ou le livret de famille est nécessaire). "
            "Prévoyez aussi une photo d'identité conforme du bébé (yeux ouverts, bouche fermée, "
            "sans tétine), un justificatif de domicile et un timbre fiscal de 17 € pour un enfant "
            "de moins de 15 ans. Aucune empreinte n'est relevée avant 12 ans.\n\n"
            "Les délais de rendez-vous et de fabrication pouvant s'allonger avant les vacances, "
            "nous vous conseillons d'engager la démarche rapidement. Vérifiez aussi les conditions "
            "d'entrée au Maroc sur la page « Conseils aux voyageurs » du site France Diplomatie."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie", "france_services"),
        "channel": "phone",
        "subject": "Appel : sac volé avec carte d'identité et permis",
        "body": (
            "M. {name} appelle, très stressé : on lui a volé son sac hier soir à la gare avec sa "
            "carte d'identité, son permis de conduire et sa carte bancaire. Il a déjà fait "
            "opposition pour la carte bancaire. Il ne sait pas s'il doit porter plainte ni par "
            "quoi commencer. Il a besoin de son permis pour travailler (livreur). Rappeler au 06 "
            "39 98 41 27 après 17 h."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "En cas de vol, la première étape est de déposer plainte au commissariat ou à la "
            "gendarmerie ; vous pouvez gagner du temps avec une pré-plainte en ligne sur "
            "pre-plainte-en-ligne.gouv.fr. Le récépissé de plainte vous sera demandé pour refaire "
            "vos titres.\n\n"
            "Pour le permis de conduire, la demande de remplacement se fait uniquement en ligne, "
            "sur le site de l'ANTS. Vous aurez besoin du récépissé de plainte, d'une "
            "photo-signature numérique (code fourni par une cabine ou un photographe agréé), d'un "
            "justificatif de domicile et d'un timbre fiscal de 25 €. Le récépissé de déclaration "
            "vous permet en principe de conduire pendant un mois maximum, en attendant le nouveau "
            "permis.\n\n"
            "Pour la carte d'identité, faites une pré-demande sur le site de l'ANTS, puis prenez "
            "rendez-vous en mairie avec le récépissé de plainte, une photo, un justificatif de "
            "domicile et un timbre fiscal de 25 €. Une France Services peut vous accompagner dans "
            "ces démarches en ligne si besoin."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie"),
        "channel": "web_form",
        "subject": "Changement de nom sur ma carte après le mariage",
        "body": (
            "Bonjour, je me suis mariée en septembre et je voudrais que ma carte d'identité porte "
            "le nom de mon mari. Ma carte actuelle est valable jusqu'en 2029. Est-ce obligatoire "
            "de la changer ? Est-ce que c'est payant ? Je m'appelle {name}."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le mariage ne modifie pas votre nom de famille : vous pouvez utiliser le nom de votre "
            "époux comme nom d'usage, mais ce n'est jamais obligatoire. Votre carte actuelle reste "
            "donc valable jusqu'à sa date d'expiration.\n\n"
            "Si vous souhaitez faire figurer ce nom d'usage sur une nouvelle carte, la démarche "
            "est celle d'un renouvellement : pré-demande sur le site de l'ANTS en indiquant le nom "
            "d'usage, puis rendez-vous dans une mairie équipée. Apportez votre carte actuelle, une "
            "photo de moins de 6 mois, un justificatif de domicile et votre acte de mariage (ou "
            "livret de famille). La nouvelle carte est gratuite dès lors que vous restituez "
            "l'ancienne."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie"),
        "channel": "email",
        "subject": "Carte disponible en mairie mais je suis en mission à Lyon",
        "body": (
            "Bonjour, j'ai reçu un SMS m'indiquant que ma nouvelle carte d'identité est disponible "
            "à la mairie de Rennes. Problème : je suis en mission à Lyon pour mon travail jusqu'à "
            "fin avril, soit encore deux mois et demi. Est-ce que ma sœur peut aller la chercher "
            "avec une procuration ? Sinon, combien de temps la mairie la garde-t-elle ?\n"
            "Cordialement,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La carte d'identité doit être retirée en personne par son titulaire : une "
            "vérification d'identité, avec contrôle des empreintes, est effectuée au guichet lors "
            "de la remise. Elle ne peut donc pas être confiée à un tiers, même muni d'une "
            "procuration.\n\n"
            "La mairie conserve votre titre pendant 3 mois à compter de sa mise à disposition ; "
            "au-delà, il est détruit et il faudrait refaire une demande. Au vu de votre "
            "calendrier, nous vous conseillons de prévoir un passage à Rennes avant l'expiration "
            "de ce délai, par exemple lors d'un retour en fin de semaine. Vérifiez les horaires du "
            "service : certaines mairies ouvrent le samedi matin, souvent sur rendez-vous."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("mairie",),
        "channel": "sp_plus",
        "subject": "Merci au service état civil",
        "body": (
            "Je voulais simplement remercier l'agent du service état civil de la mairie de "
            "Villeurbanne. Mon fils devait partir en voyage scolaire et sa carte était périmée, je "
            "m'y suis pris trop tard. La dame a pris le temps de regarder les annulations et m'a "
            "rappelé le lendemain pour un créneau. La carte était prête avant le départ. Accueil "
            "souriant et efficace, ça fait plaisir."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Merci beaucoup pour votre message, que nous avons transmis à l'équipe du service état "
            "civil. Nous sommes heureux que votre fils ait pu partir en voyage scolaire avec sa "
            "carte.\n\n"
            "Pour les prochaines fois, pensez à vérifier la validité des titres de toute la "
            "famille plusieurs mois avant un départ ; le moteur de recherche de rendez-vous de "
            "l'ANTS permet aussi de repérer les créneaux disponibles dans les mairies équipées "
            "alentour. Au plaisir de vous accueillir à nouveau."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : carte d'identité, usager hébergé chez sa sœur",
        "body": (
            "M. {name} est venu à l'accueil pour refaire sa carte d'identité. Il est hébergé chez "
            "sa sœur depuis sa séparation et n'a aucune facture à son nom ; la mairie lui a dit "
            "qu'il fallait un justificatif de domicile. Il a un acte de naissance et un ancien "
            "passeport, expiré depuis 2022. Son ancienne carte d'identité a été perdue il y a "
            "longtemps."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Lorsque vous êtes hébergé, vous pouvez faire votre demande en présentant trois "
            "documents : une attestation d'hébergement datée et signée par votre sœur, une copie "
            "de sa pièce d'identité et un justificatif de domicile à son nom de moins d'un an "
            "(facture d'énergie, avis de taxe foncière, quittance de loyer...).\n\n"
            "Votre passeport, expiré depuis moins de 5 ans, pourra servir de justificatif "
            "d'identité, ce qui simplifie le dossier. Votre ancienne carte ayant été perdue, la "
            "déclaration de perte se fera au moment de la demande et un timbre fiscal de 25 € sera "
            "nécessaire. Apportez aussi une photo d'identité récente et le numéro de pré-demande, "
            "que le conseiller France Services peut vous aider à obtenir sur le site de l'ANTS."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie"),
        "channel": "sp_question",
        "subject": "Carte d'identité expirée en 2022 mais « prolongée » ?",
        "body": (
            "Bonjour, ma carte d'identité a été faite en 2012 quand j'avais 30 ans et elle est "
            "marquée valable jusqu'en 2022. On m'a dit qu'elle était prolongée automatiquement. "
            "Est-ce que je peux partir en Espagne et en Croatie avec cet été ? Et est-ce que je "
            "peux quand même la refaire si je veux ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Les cartes d'identité délivrées à des personnes majeures entre le 2 janvier 2004 et "
            "le 31 décembre 2013 sont valables 15 ans au lieu de 10, sans démarche particulière. "
            "Votre carte établie en 2012 reste donc valable en France jusqu'en 2027, même si la "
            "date imprimée est dépassée.\n\n"
            "En revanche, tous les pays n'acceptent pas cette prolongation, et les compagnies de "
            "transport peuvent avoir leurs propres exigences. Consultez avant votre départ la "
            "fiche de chaque pays sur le site France Diplomatie (« Conseils aux voyageurs »).\n\n"
            "Si vous prévoyez de voyager dans un pays qui ne reconnaît pas la prolongation et que "
            "vous n'avez pas de passeport valide, vous pouvez demander le renouvellement anticipé "
            "de votre carte en présentant un justificatif de voyage (billet, réservation). Ce "
            "renouvellement est gratuit sur remise de l'ancienne carte."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "france_services"),
        "channel": "phone",
        "subject": "Appel : impossible d'activer l'application France Identité",
        "body": (
            "Mme {name} appelle car elle n'arrive pas à activer l'application France Identité sur "
            "son téléphone : « le téléphone ne lit pas la carte ». Elle a une carte d'identité de "
            "2016 (ancien format cartonné). Elle voudrait utiliser l'application pour ses "
            "procurations et pour se connecter aux sites administratifs."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'application France Identité fonctionne uniquement avec la carte d'identité au "
            "format carte bancaire, munie d'une puce, délivrée depuis 2021, et avec un smartphone "
            "compatible avec la lecture sans contact (NFC). Votre carte de 2016 ne comporte pas de "
            "puce : c'est pourquoi votre téléphone ne peut pas la lire.\n\n"
            "Vous obtiendrez une carte au nouveau format lors de son renouvellement, à l'approche "
            "de sa date d'expiration. En attendant, vous pouvez vous connecter aux sites "
            "administratifs via FranceConnect, avec vos identifiants impots.gouv.fr, ameli ou "
            "L'Identité Numérique La Poste. Pour une procuration, la demande se fait sur "
            "maprocuration.gouv.fr, puis se valide en vous présentant au commissariat ou à la "
            "gendarmerie."
        ),
    },
    {
        "topic": "identite",
        "kinds": ("ants", "mairie", "france_services"),
        "channel": "web_form",
        "subject": "Voyage scolaire en Allemagne : c'est quoi l'AST ?",
        "body": (
            "Bonjour, mon fils de 14 ans part en voyage scolaire à Berlin en mai. Le collège "
            "demande une « AST ». C'est quoi exactement et où la demander ? Il a une carte "
            "d'identité valable. Son père et moi sommes séparés, faut-il nos deux signatures ?\n"
            "{name}\n"
            "3 allée des Capucines, 44300 Nantes"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'autorisation de sortie du territoire (AST) est obligatoire pour tout mineur qui "
            "voyage à l'étranger sans un titulaire de l'autorité parentale, y compris lors d'un "
            "voyage scolaire. Il s'agit d'un simple formulaire (cerfa n° 15646) à télécharger sur "
            "service-public.fr : aucune démarche en mairie ou en préfecture n'est nécessaire.\n\n"
            "Le formulaire est rempli et signé par un seul des parents titulaires de l'autorité "
            "parentale ; la signature des deux n'est pas exigée. Votre fils devra voyager avec "
            "l'original du formulaire, sa carte d'identité valide et une copie de la pièce "
            "d'identité du parent signataire. Vérifiez enfin que sa carte reste valable pendant "
            "toute la durée du séjour."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "email",
        "subject": "Voiture d'occasion achetée, le vendeur ne m'a pas donné de code de cession",
        "body": (
            "Bonjour,\n"
            "J'ai acheté une Clio d'occasion à un particulier samedi dernier. Il m'a donné la "
            "carte grise barrée avec « vendu le 7/02 » et signée, mais pas de code de cession. Le "
            "site de l'ANTS me le demande pour faire la carte grise à mon nom et il ne répond plus "
            "à mes messages. Je fais comment ? Je risque une amende si je roule ?\n"
            "Merci,\n"
            "{name} – 06 39 98 12 54"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le code de cession est obtenu par le vendeur lorsqu'il déclare la vente sur le site "
            "de l'ANTS ; il permet d'immatriculer le véhicule à votre nom en quelques minutes. "
            "Relancez le vendeur par écrit en lui rappelant que, tant qu'il n'a pas déclaré la "
            "vente, les amendes éventuelles continueront de lui être adressées.\n\n"
            "S'il ne fait pas la démarche, vous pouvez déposer votre demande sur le site de l'ANTS "
            "via la rubrique « Je souhaite faire une autre demande », en joignant le certificat de "
            "cession (cerfa n° 15776) signé par vous deux, la carte grise barrée, un justificatif "
            "de domicile, votre permis de conduire, une attestation d'assurance et le "
            "procès-verbal de contrôle technique de moins de 6 mois si le véhicule a plus de 4 "
            "ans.\n\n"
            "Vous disposez d'un mois à compter de la vente pour immatriculer le véhicule à votre "
            "nom. Pendant ce délai, l'ancienne carte grise barrée, avec son coupon détachable "
            "rempli par le vendeur, vous permet de circuler ; au-delà, vous vous exposez à une "
            "amende."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "sp_plus",
        "subject": "J'ai payé 69 € sur un faux site pour ma carte grise",
        "body": (
            "En cherchant « carte grise » sur internet, je suis tombé sur un site qui ressemblait "
            "à un site officiel, avec un drapeau bleu blanc rouge. J'ai payé 69 € de « frais de "
            "dossier » en plus de la taxe. J'ai appris après que la démarche était gratuite sur le "
            "site de l'ANTS. Je trouve scandaleux que ces sites apparaissent en premier. Je "
            "voudrais être remboursé."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre mécontentement. Le seul site officiel pour les démarches "
            "d'immatriculation est celui de l'ANTS (ants.gouv.fr), où aucun frais de service n'est "
            "facturé : seules les taxes prévues sont dues. Des professionnels de l'automobile "
            "habilités peuvent aussi réaliser la démarche contre rémunération, ce qui est légal "
            "s'ils l'annoncent clairement.\n\n"
            "L'administration ne peut malheureusement pas vous rembourser des sommes versées à une "
            "société privée. Si vous estimez avoir été trompé (site se présentant comme officiel, "
            "frais non annoncés), réclamez d'abord le remboursement à cette société par écrit, "
            "puis signalez les faits sur signal.conso.gouv.fr. Vérifiez également que votre "
            "demande a bien été enregistrée et que vous avez reçu un certificat provisoire "
            "d'immatriculation."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : vente d'une voiture entre voisins, usager sans internet",
        "body": (
            "M. {name}, 77 ans, vient d'accepter de vendre sa Peugeot 206 à son voisin pour 1 500 "
            "€. Il n'a pas d'ordinateur, ne sait pas quels papiers donner et a peur « d'avoir "
            "encore des PV après ». Le voisin voudrait récupérer la voiture samedi."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Voici les documents à remettre à votre voisin : la carte grise barrée avec la mention "
            "« Vendu le (date et heure) » et votre signature ; le certificat de cession (cerfa n° "
            "15776) rempli et signé par vous deux, en deux exemplaires ; un certificat de "
            "situation administrative de moins de 15 jours, document gratuit qui atteste l'absence "
            "de gage ; et le procès-verbal de contrôle technique de moins de 6 mois.\n\n"
            "Vous devez ensuite déclarer la vente sur le site de l'ANTS dans les 15 jours. Cette "
            "déclaration vous protège : à partir de la date de vente déclarée, les amendes ne vous "
            "seront plus adressées. Elle génère aussi un code de cession que vous transmettrez à "
            "votre voisin pour sa propre carte grise.\n\n"
            "Le conseiller France Services peut faire ces démarches en ligne avec vous. Passez de "
            "préférence avant samedi avec votre carte grise et votre pièce d'identité, pour "
            "préparer le certificat de situation administrative, puis revenez après la vente pour "
            "la déclaration. Pensez aussi à prévenir votre assureur."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "sp_question",
        "subject": "Déménagement : faut-il changer l'adresse de la carte grise ?",
        "body": (
            "Bonjour, j'ai déménagé de Toulouse à Montauban le mois dernier. Est-ce que je suis "
            "obligé de changer l'adresse sur ma carte grise ? Est-ce que c'est payant, et est-ce "
            "que je dois changer les plaques ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Oui, le changement d'adresse sur le certificat d'immatriculation est obligatoire dans "
            "le mois qui suit le déménagement, sous peine d'amende. La démarche est gratuite et se "
            "fait en ligne sur le site de l'ANTS, avec votre numéro d'immatriculation.\n\n"
            "Si votre véhicule porte une plaque au format actuel (AA-123-AA), vous n'avez pas à "
            "changer de plaques. Pour les trois premiers changements d'adresse, vous recevez par "
            "courrier une étiquette à coller sur votre carte grise ; à partir du quatrième, une "
            "nouvelle carte grise est éditée.\n\n"
            "Vous pouvez signaler en une fois votre nouvelle adresse à plusieurs organismes (CAF, "
            "Assurance Maladie, impôts, fournisseurs d'énergie...) grâce au service de déclaration "
            "de changement de coordonnées sur service-public.fr."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "phone",
        "subject": "Appel : combien de points il me reste sur mon permis ?",
        "body": (
            "M. {name} appelle : il a reçu deux avis de contravention pour excès de vitesse en "
            "trois mois et voudrait savoir combien de points il lui reste. Il ne trouve plus les "
            "courriers de l'ANTAI. Il a peur de perdre son permis, dont il a besoin pour aller "
            "travailler de nuit."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Vous pouvez consulter gratuitement votre solde de points et l'historique des retraits "
            "via le service « Mes points permis », accessible depuis le site de l'ANTS en vous "
            "identifiant avec FranceConnect. Méfiez-vous des sites privés qui proposent ce service "
            "contre paiement.\n\n"
            "Si votre solde est bas, un stage de sensibilisation à la sécurité routière permet de "
            "récupérer jusqu'à 4 points, dans la limite d'un stage par an ; la liste des stages "
            "agréés est disponible sur le site de la Sécurité routière. Par ailleurs, un point "
            "retiré pour une infraction sanctionnée d'un seul point est restitué automatiquement "
            "après 6 mois sans nouvelle infraction."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "web_form",
        "subject": "Carte grise bloquée, mon certificat provisoire a expiré",
        "body": (
            "Bonjour, j'ai fait ma demande de carte grise sur le site de l'ANTS le 3 janvier "
            "(numéro de dossier 52 418 677). Depuis, le statut reste « en cours d'instruction ». "
            "Mon certificat provisoire d'immatriculation n'est valable qu'un mois et il a expiré. "
            "Est-ce que je peux encore rouler ? Je n'ai pas d'autre voiture pour aller "
            "travailler.\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le certificat provisoire d'immatriculation (CPI) est valable un mois. Une fois "
            "expiré, le véhicule ne doit plus circuler tant que la carte grise définitive n'a pas "
            "été délivrée : en cas de contrôle, vous pourriez être verbalisé.\n\n"
            "Pour débloquer votre dossier, connectez-vous à votre espace ANTS : un message vous "
            "demande peut-être une pièce complémentaire ou une correction, et le dossier reste en "
            "attente tant que vous n'y avez pas répondu. Si aucune action n'est demandée, utilisez "
            "le formulaire « Aide et contact » du site de l'ANTS en indiquant votre numéro de "
            "dossier et la date d'expiration de votre CPI. Un conseiller France Services ou le "
            "point d'accueil numérique de votre préfecture peut vous aider dans ces échanges."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "sp_plus",
        "subject": "Des amendes pour une voiture vendue il y a deux ans",
        "body": (
            "J'ai vendu ma voiture en 2024 et je reçois encore des amendes de stationnement à "
            "Marseille alors que je n'y ai jamais mis les pieds. L'acheteur n'a jamais fait sa "
            "carte grise. J'ai passé des heures à essayer de joindre quelqu'un, chaque service me "
            "renvoie vers un autre. Je ne vais quand même pas payer pour quelqu'un d'autre !"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre exaspération. Si vous avez déclaré la cession sur le site de "
            "l'ANTS au moment de la vente, vous n'êtes plus responsable du véhicule depuis la date "
            "déclarée : contestez chaque avis sur antai.gouv.fr en désignant l'acheteur, et "
            "joignez le certificat de cession et l'accusé d'enregistrement de votre "
            "déclaration.\n\n"
            "Si la déclaration de cession n'a jamais été faite, effectuez-la dès maintenant sur le "
            "site de l'ANTS à l'aide de votre exemplaire du certificat de cession (cerfa n° 15776) "
            ": c'est la date de vente qui y figure qui compte. Respectez le délai de contestation "
            "indiqué sur chaque avis (45 jours en général) et ne payez pas l'amende, car le "
            "paiement vaut reconnaissance de l'infraction."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "sp_question",
        "subject": "Échanger mon permis algérien contre un permis français",
        "body": (
            "Bonjour, je suis algérien et je vis en France depuis 8 mois avec une carte de séjour. "
            "J'ai mon permis algérien depuis 2015. Est-ce que je peux l'échanger ? Il y a un délai "
            "?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Votre permis algérien peut être échangé contre un permis français, l'Algérie faisant "
            "partie des pays avec lesquels existe un accord de réciprocité. La demande doit être "
            "déposée dans l'année qui suit le début de validité de votre premier titre de séjour : "
            "il vous reste donc environ 4 mois. Pendant cette année, vous pouvez conduire en "
            "France avec votre permis algérien, accompagné si besoin d'une traduction "
            "officielle.\n\n"
            "La demande se fait uniquement en ligne sur le site de l'ANTS, rubrique « Échanger un "
            "permis étranger ». Préparez votre permis et sa traduction par un traducteur agréé, "
            "votre titre de séjour, un justificatif de domicile et une photo-signature numérique ; "
            "la liste complète des pièces s'affiche au cours de la démarche. Passé le délai d'un "
            "an, votre permis ne sera plus reconnu en France et l'échange ne sera plus possible : "
            "il faudrait repasser l'examen."
        ),
    },
    {
        "topic": "vehicules",
        "kinds": ("ants", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : inscription au permis B, jeune de 17 ans",
        "body": (
            "Lucas, 17 ans, est venu avec sa mère, Mme {name}. Il veut passer le permis B en "
            "candidat libre (sans auto-école) pour économiser, et ne sait pas comment s'inscrire à "
            "l'examen du code. Il a eu son ASSR 2 au collège mais a perdu l'attestation. Il n'a "
            "pas encore fait sa JDC."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Il est tout à fait possible de passer le permis en candidat libre. Lucas doit d'abord "
            "obtenir un numéro d'inscription (NEPH) en déposant une demande de permis sur le site "
            "de l'ANTS ; étant mineur, il le fait avec votre accord. Il fournira sa pièce "
            "d'identité, un justificatif de domicile, une photo-signature numérique, son ASSR 2 et "
            "son attestation de recensement, la JDC n'étant pas encore effectuée.\n\n"
            "Pour l'ASSR 2 perdue, demandez une attestation ou un duplicata au collège où il l'a "
            "obtenue. Une fois le NEPH obtenu, il pourra réserver l'examen du code auprès d'un "
            "opérateur agréé (environ 30 €). Pour la conduite, il devra s'entraîner avec un "
            "accompagnateur et présenter à l'examen un véhicule équipé de doubles commandes, le "
            "créneau se réservant sur la plateforme RdvPermis."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("mairie", "caf", "france_services"),
        "channel": "sp_question",
        "subject": "Comment déclarer la naissance de notre bébé ?",
        "body": (
            "Bonjour, ma compagne doit accoucher fin mars à la maternité de Besançon. Nous ne "
            "sommes pas mariés. Comment se passe la déclaration de naissance ? Est-ce qu'on doit "
            "faire quelque chose avant ? Et pour le nom de famille, on voudrait donner nos deux "
            "noms."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "La déclaration de naissance est obligatoire dans les 5 jours qui suivent "
            "l'accouchement, auprès de la mairie du lieu de naissance, ici Besançon. De nombreuses "
            "maternités transmettent les déclarations ou accueillent une permanence d'état civil : "
            "renseignez-vous à l'accueil. Le déclarant présente le certificat d'accouchement et "
            "les pièces d'identité des parents.\n\n"
            "N'étant pas mariés, vous pouvez faire dès maintenant une reconnaissance anticipée "
            "dans n'importe quelle mairie : la filiation est établie automatiquement à l'égard de "
            "la mère, mais pas à l'égard du père. À défaut, la reconnaissance peut être faite au "
            "moment de la déclaration de naissance.\n\n"
            "Pour transmettre vos deux noms, remplissez ensemble une déclaration conjointe de "
            "choix de nom, à remettre lors de la déclaration ; ce choix s'appliquera à vos futurs "
            "enfants communs. Pensez enfin à déclarer la naissance à votre CAF et à l'Assurance "
            "Maladie."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf",),
        "channel": "email",
        "subject": "Prime de naissance : rien reçu",
        "body": (
            "Bonjour,\n\n"
            "Ma fille est née le 12 décembre. J'avais bien déclaré ma grossesse à la CAF et à la "
            "CPAM au 3e mois. Je n'ai rien reçu pour la prime à la naissance et sur mon compte "
            "caf.fr je ne vois rien. Avec les frais du bébé on est vraiment justes. Est-ce normal "
            "? Mon numéro allocataire est 4471253.\n\n"
            "Merci,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La prime à la naissance est versée sous conditions de ressources, à condition que la "
            "grossesse ait été déclarée dans les 14 premières semaines, ce qui semble être votre "
            "cas. Si vous remplissez ces conditions, elle aurait normalement déjà dû être versée. "
            "Son absence peut s'expliquer par des ressources supérieures au plafond, une pièce "
            "manquante ou un dossier en attente de traitement.\n\n"
            "Connectez-vous à votre espace sur caf.fr : la rubrique « Mes démarches » indique si "
            "un document est attendu, et la rubrique « Mes courriers » contient l'éventuelle "
            "décision. Vérifiez également que la naissance de votre fille a bien été déclarée, car "
            "elle conditionne l'allocation de base.\n\n"
            "Si rien n'apparaît, envoyez un message à votre CAF depuis votre espace en rappelant "
            "la date de déclaration de grossesse. En cas de refus que vous estimez injustifié, "
            "vous pourrez former un recours amiable dans les 2 mois suivant la notification de la "
            "décision."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : séparation, CAF et pension alimentaire impayée",
        "body": (
            "Mme {name} est venue avec ses deux enfants. Elle s'est séparée de son conjoint en "
            "janvier ; il a quitté le logement. Il devait verser 200 € par mois pour les enfants « "
            "à l'amiable », mais ne paie plus rien depuis février. Elle ne sait pas si elle doit "
            "prévenir la CAF ni comment récupérer cet argent. Il n'y a pas de jugement."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Déclarez rapidement votre séparation à la CAF, sur caf.fr ou l'application, rubrique "
            "« Déclarer un changement de situation ». Vos droits seront recalculés et, selon vos "
            "ressources, vous pourriez bénéficier d'aides nouvelles ou plus élevées, notamment "
            "pour le logement ou la prime d'activité.\n\n"
            "Comme la pension n'est plus versée, vous pouvez demander l'allocation de soutien "
            "familial (ASF), d'un montant proche de 200 € par mois et par enfant. Pour continuer à "
            "la percevoir au-delà de quelques mois, il faudra faire fixer la pension : soit par le "
            "juge aux affaires familiales, soit en faisant homologuer par la CAF un accord conclu "
            "avec votre ex-conjoint, qui devient alors exécutoire.\n\n"
            "Une fois la pension fixée, le service d'intermédiation financière des pensions "
            "alimentaires (pension-alimentaire.caf.fr) pourra la percevoir auprès de votre "
            "ex-conjoint et vous la reverser chaque mois, et engager le recouvrement en cas "
            "d'impayé. Le conseiller peut vous aider à faire ces demandes en ligne."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("cpam", "france_services"),
        "channel": "phone",
        "subject": "Appel : congé paternité pas payé",
        "body": (
            "M. {name} appelle : son fils est né il y a 5 semaines ; il a pris ses 25 jours de "
            "congé paternité juste après les 3 jours de congé de naissance. Son employeur lui a "
            "dit que « c'est la Sécu qui paie », mais il n'a rien reçu. Il ne sait pas s'il devait "
            "envoyer quelque chose."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Pendant le congé de paternité et d'accueil de l'enfant, votre salaire est remplacé "
            "par des indemnités journalières de l'Assurance Maladie ; les 3 jours du congé de "
            "naissance sont, eux, payés par l'employeur. Le paiement nécessite l'attestation de "
            "salaire transmise par votre employeur et un justificatif de la naissance.\n\n"
            "Vérifiez sur votre compte ameli que la naissance a bien été enregistrée et que votre "
            "fils vous est rattaché ; sinon, transmettez une copie de l'acte de naissance ou du "
            "livret de famille via la messagerie de votre compte. Demandez aussi à votre employeur "
            "la date d'envoi de l'attestation de salaire. Une fois le dossier complet, le paiement "
            "intervient généralement sous quelques semaines et apparaît dans la rubrique « Mes "
            "paiements »."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf",),
        "channel": "sp_plus",
        "subject": "Trois mois sans nouvelles après l'arrivée de notre 2e enfant",
        "body": (
            "Notre deuxième enfant est né en octobre. J'ai tout déclaré sur le site de la CAF la "
            "semaine suivante. On est en février et toujours pas d'allocations familiales. À "
            "chaque appel, on me répond que « le dossier est en cours de traitement ». On a "
            "l'impression de parler à un mur. Heureusement qu'on n'est pas dans le besoin absolu."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Merci pour votre retour, et veuillez nous excuser pour ce délai qui n'est pas "
            "satisfaisant. Les allocations familiales sont dues à partir du mois qui suit la "
            "naissance du deuxième enfant : si votre droit est confirmé, les mois en attente vous "
            "seront versés en rappel.\n\n"
            "Pour accélérer le traitement, vérifiez dans la rubrique « Mes démarches » de votre "
            "espace caf.fr qu'aucune pièce n'est attendue. Vous pouvez aussi adresser un message "
            "depuis votre espace en rappelant la date de votre déclaration, ou demander un "
            "rendez-vous avec un conseiller. Votre retour a été transmis à l'équipe concernée."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf",),
        "channel": "web_form",
        "subject": "Aide pour payer l'assistante maternelle",
        "body": (
            "Bonjour, je reprends le travail en avril après mon congé maternité et ma fille sera "
            "gardée par une assistante maternelle agréée. On m'a parlé du « CMG » et de Pajemploi "
            "mais je ne comprends pas qui fait quoi. Est-ce que c'est moi qui paie l'assistante "
            "maternelle et la CAF me rembourse ? Merci, {name}, tél. 06 39 98 77 03."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le complément de libre choix du mode de garde (CMG) est versé par la CAF lorsque vous "
            "employez une assistante maternelle agréée pour un jeune enfant. Depuis septembre "
            "2025, son montant dépend de vos ressources et du nombre d'heures de garde.\n\n"
            "En pratique : faites d'abord la demande de CMG sur caf.fr, avant ou dès le début de "
            "la garde ; une fois le droit ouvert, vous êtes inscrite automatiquement auprès de "
            "Pajemploi ; chaque mois, vous déclarez ensuite sur pajemploi.urssaf.fr les heures et "
            "le salaire de l'assistante maternelle.\n\n"
            "Avec le service Pajemploi+, vous n'avancez pas l'intégralité du salaire : Pajemploi "
            "paie l'assistante maternelle, déduit directement le CMG et ne prélève sur votre "
            "compte que le reste à charge. Les frais restant à votre charge ouvrent en outre droit "
            "à un crédit d'impôt pour frais de garde."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("mairie", "france_services"),
        "channel": "sp_question",
        "subject": "Livret de famille perdu pendant le déménagement",
        "body": (
            "Bonjour, nous avons perdu notre livret de famille pendant notre déménagement. Nous "
            "sommes mariés depuis 2010 (mariage à Metz) et nous avons deux enfants nés à Nancy. "
            "Nous habitons maintenant Strasbourg. Où faut-il demander un nouveau livret ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Vous pouvez demander un second livret de famille auprès de la mairie de votre "
            "domicile, Strasbourg. La démarche est gratuite : indiquez l'identité des époux, la "
            "date et le lieu du mariage et des naissances, et le motif de la demande (perte).\n\n"
            "La mairie de Strasbourg transmet ensuite le livret aux mairies de Metz et de Nancy, "
            "qui le complètent avec les extraits d'actes correspondants ; cette circulation peut "
            "prendre plusieurs semaines. En attendant, si vous devez justifier de votre situation "
            "familiale, vous pouvez demander gratuitement des copies d'actes de mariage ou de "
            "naissance auprès des mairies concernées, en ligne ou par courrier."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf", "france_services"),
        "channel": "email",
        "subject": "La CAF me réclame 1 840 € d'ASF",
        "body": (
            "Bonjour,\n"
            "J'ai reçu un courrier de la CAF qui me dit que je dois rembourser 1 840 € "
            "d'allocation de soutien familial. Si je comprends bien, c'est parce que le juge a "
            "fixé une pension alimentaire en juin et que je ne l'ai pas déclaré. Mais mon ex ne la "
            "paie qu'une fois sur deux ! Je suis seule avec deux enfants, je ne peux pas sortir "
            "cette somme. Qu'est-ce que je peux faire ?\n"
            "{name}\n"
            "n° allocataire 2203418"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Lorsqu'une pension alimentaire est fixée par le juge, l'ASF est supprimée ou réduite "
            "selon son montant, ce qui explique ce trop-perçu (indu). Mais comme votre ex-conjoint "
            "ne paie pas régulièrement, vous pouvez déclarer les mois impayés à la CAF : l'ASF "
            "peut alors vous être versée pour ces mois, la CAF se chargeant de récupérer les "
            "sommes auprès de lui. Demandez également l'intermédiation financière sur "
            "pension-alimentaire.caf.fr pour sécuriser les prochains versements.\n\n"
            "Si vous contestez le montant réclamé, formez un recours amiable auprès de la "
            "commission de recours amiable de votre CAF dans les 2 mois suivant la notification, "
            "en joignant vos relevés bancaires montrant les pensions non versées. Vous pouvez "
            "aussi demander une remise de dette, totale ou partielle, ou un échéancier adapté à "
            "votre budget. À défaut, la dette sera récupérée par retenues sur vos prestations, "
            "dans une limite fixée selon vos ressources et votre situation familiale."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("mairie", "france_services"),
        "channel": "phone",
        "subject": "Appel : reconnaissance d'un enfant avant la naissance",
        "body": (
            "Mme {name} appelle pour sa fille de 19 ans, enceinte de 4 mois. Le futur papa, 21 "
            "ans, veut reconnaître l'enfant ; ils ne sont pas mariés et n'habitent pas ensemble. "
            "Elle demande où il doit aller, si c'est payant et si sa fille doit être présente."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La reconnaissance anticipée peut être faite à tout moment avant la naissance, dans "
            "n'importe quelle mairie, pas nécessairement celle du domicile ou du futur lieu de "
            "naissance. Elle est gratuite. Le futur papa peut s'y rendre seul avec une pièce "
            "d'identité et un justificatif de domicile de moins de 3 mois ; la présence de votre "
            "fille n'est pas obligatoire, mais les deux parents peuvent aussi s'y présenter "
            "ensemble.\n\n"
            "La mairie établit un acte de reconnaissance, dont une copie sera à présenter lors de "
            "la déclaration de naissance. Certaines mairies reçoivent uniquement sur rendez-vous : "
            "il est préférable d'appeler avant de se déplacer."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf",),
        "channel": "sp_plus",
        "subject": "Merci à la conseillère de la CAF de Lille",
        "body": (
            "J'étais complètement perdu après le décès de ma femme, avec trois enfants et des "
            "papiers partout. La conseillère de la CAF m'a reçu très vite, a tout repris depuis le "
            "début, m'a parlé de l'allocation de soutien familial que je ne connaissais pas et m'a "
            "aidé à remplir la demande. Je suis reparti avec un peu moins de poids sur les "
            "épaules. Merci à elle."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous vous présentons nos sincères condoléances et vous remercions pour ce message, "
            "que nous avons transmis à la conseillère qui vous a reçu ; elle y sera très "
            "sensible.\n\n"
            "N'hésitez pas à nous recontacter si votre situation évolue ou si vous avez des "
            "questions sur vos droits : vous pouvez prendre rendez-vous depuis votre espace sur "
            "caf.fr ou au 3230. Le travailleur social de votre secteur (maison départementale des "
            "solidarités) et le CCAS de votre commune peuvent aussi vous accompagner dans cette "
            "période difficile. Pensez enfin à signaler tout changement à venir (reprise d'emploi, "
            "déménagement) pour que vos droits soient recalculés au plus juste."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("mairie", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : couple souhaitant se pacser",
        "body": (
            "M. {name} et sa compagne sont venus se renseigner sur le PACS. Ils veulent savoir "
            "s'il vaut mieux aller à la mairie ou chez un notaire, quels papiers préparer et "
            "combien de temps cela prend. Elle est de nationalité brésilienne, née à Recife."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le PACS peut être enregistré gratuitement à la mairie de votre résidence commune, "
            "généralement sur rendez-vous, ou chez un notaire, moyennant des frais mais avec un "
            "conseil juridique. Dans les deux cas, il faut fournir : une convention de PACS (le "
            "modèle cerfa n° 15726 suffit), la déclaration conjointe de PACS avec les attestations "
            "sur l'honneur (cerfa n° 15725), vos pièces d'identité et, pour vous, un acte de "
            "naissance de moins de 3 mois.\n\n"
            "Votre compagne, née à l'étranger, devra fournir en plus une copie de son acte de "
            "naissance avec sa traduction par un traducteur agréé, un certificat de coutume "
            "délivré par son consulat et une attestation de non-PACS délivrée par le Service "
            "central d'état civil de Nantes. Renseignez-vous auprès de la mairie sur le délai de "
            "rendez-vous : une fois le dossier complet, l'enregistrement est fait le jour même."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf",),
        "channel": "web_form",
        "subject": "Pas d'allocation de rentrée scolaire pour mon fils de 17 ans",
        "body": (
            "Bonjour, j'ai bien reçu l'allocation de rentrée scolaire pour ma fille de 12 ans mais "
            "rien pour mon fils de 17 ans, qui est en première au lycée. Je ne comprends pas, mes "
            "revenus n'ont pas changé. C'est un oubli ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Pour les enfants de 6 à 15 ans, l'allocation de rentrée scolaire est versée "
            "automatiquement. Pour les jeunes de 16 à 18 ans, en revanche, la CAF ne connaît pas "
            "leur situation : vous devez déclarer que votre fils poursuit sa scolarité.\n\n"
            "Cette déclaration se fait en quelques minutes dans votre espace sur caf.fr ou sur "
            "l'application, et peut encore être effectuée après la rentrée. Une fois la "
            "déclaration enregistrée, l'allocation vous est versée si les conditions sont "
            "remplies. Si votre fils était en apprentissage avec une rémunération supérieure à un "
            "certain plafond, l'allocation ne serait pas due : vérifiez ce point lors de la "
            "déclaration."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf",),
        "channel": "email",
        "subject": "Garde alternée : qui touche les allocations ?",
        "body": (
            "Bonjour,\n"
            "Mon ex-compagnon et moi venons de mettre en place une garde alternée pour nos deux "
            "enfants (une semaine sur deux). Aujourd'hui c'est moi qui touche les allocations "
            "familiales. Il me dit qu'il a droit à la moitié. C'est vrai ? Et pour l'aide au "
            "logement, on peut tous les deux compter les enfants ?\n"
            "Bonne journée,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "En cas de résidence alternée, vous pouvez choisir ensemble de désigner un seul "
            "allocataire pour les allocations familiales ou de les partager. Le partage fait "
            "l'objet d'une demande commune auprès de la CAF ; en cas de désaccord entre les "
            "parents, ce sont les règles du partage qui s'appliquent.\n\n"
            "Pour les aides au logement, chacun des parents peut désormais, sous conditions, "
            "prendre en compte les enfants en résidence alternée dans le calcul de sa propre aide. "
            "Les autres prestations, comme l'allocation de rentrée scolaire, restent versées à un "
            "seul allocataire.\n\n"
            "Déclarez la résidence alternée dans votre espace caf.fr, en joignant le jugement ou "
            "une attestation signée par vous deux. Les simulateurs disponibles sur caf.fr vous "
            "permettront de comparer les options avant de décider."
        ),
    },
    {
        "topic": "famille",
        "kinds": ("caf", "france_services"),
        "channel": "sp_question",
        "subject": "Congé parental à 80 % : que verse la CAF ?",
        "body": (
            "Bonjour, j'envisage de prendre un congé parental à temps partiel (80 %) après la "
            "naissance de mon deuxième enfant, prévue en mai. Est-ce que la CAF verse quelque "
            "chose ? Quelles sont les conditions ? Je suis salariée en CDI depuis 4 ans."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Le congé parental d'éducation se demande à votre employeur, au moins un mois avant la "
            "fin de votre congé de maternité. Pendant ce congé, à temps plein ou à temps partiel, "
            "la CAF peut vous verser la prestation partagée d'éducation de l'enfant (PreParE) ; à "
            "80 %, c'est le montant prévu pour une activité comprise entre 50 et 80 % qui "
            "s'applique.\n\n"
            "Pour un deuxième enfant, il faut justifier d'au moins 8 trimestres de cotisations "
            "vieillesse dans les 4 années précédant la naissance, ce qui devrait être votre cas. "
            "Chaque parent peut en bénéficier jusqu'à 24 mois, dans la limite des 3 ans de "
            "l'enfant. La demande se fait sur caf.fr, avec une attestation de votre employeur.\n\n"
            "Une réforme du congé parental, avec la création d'un nouveau congé de naissance, est "
            "en cours de mise en œuvre : vérifiez sur caf.fr ou service-public.fr les règles "
            "applicables à la date de naissance de votre enfant."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("caf", "france_services"),
        "channel": "email",
        "subject": "APL arrêtée depuis mon déménagement",
        "body": (
            "Bonjour,\n\n"
            "J'ai déménagé le 15 janvier de Villeurbanne à Vénissieux (toujours en location, loyer "
            "620 € au lieu de 540 €). J'ai changé mon adresse sur le site de la CAF mais depuis je "
            "ne touche plus rien, ni en février ni en mars. Personne ne m'a prévenue. Je suis en "
            "intérim, je ne peux pas payer le loyer sans l'APL.\n\n"
            "{name}\n"
            "18 rue Marcel-Cachin, 69200 Vénissieux\n"
            "06 39 98 30 61"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Lors d'un déménagement, la seule modification de l'adresse ne suffit pas : l'aide au "
            "logement est liée au logement occupé, et la CAF doit connaître les caractéristiques "
            "du nouveau bail pour calculer vos droits. Connectez-vous à caf.fr, rubrique « "
            "Déclarer un changement de situation », et complétez toutes les étapes liées au "
            "déménagement (date d'entrée, loyer, coordonnées du bailleur) ; si le service vous le "
            "propose, faites une nouvelle demande d'aide au logement pour ce logement.\n\n"
            "Consultez aussi la rubrique « Mes démarches » : une attestation de loyer à faire "
            "remplir par votre propriétaire ou une autre pièce est peut-être attendue. Le droit "
            "dans le nouveau logement s'ouvre en principe le mois suivant votre entrée : les mois "
            "de février et mars vous seront versés en rappel si vos droits sont confirmés.\n\n"
            "En attendant, prévenez votre propriétaire de la situation. Si vous avez des "
            "difficultés pour payer le loyer, le CCAS de votre commune peut étudier une aide "
            "ponctuelle."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("caf",),
        "channel": "sp_plus",
        "subject": "La CAF me demande trois fois les mêmes papiers",
        "body": (
            "J'ai envoyé mon bail et l'attestation de loyer en décembre pour mon APL. En janvier, "
            "on me les redemande. Je les renvoie. En février, rebelote, « pièce manquante ». J'ai "
            "fini par aller à l'accueil où on m'a dit que tout était bien là. Deux mois sans aide "
            "pour rien, avec un loyer de 700 €. C'est épuisant."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous vous présentons nos excuses pour ces demandes répétées et pour le retard de "
            "paiement qui en a découlé. Ce type de situation peut se produire lorsqu'un document "
            "reçu n'est pas correctement rattaché à la demande en cours ; nous comprenons qu'elle "
            "soit particulièrement pénible.\n\n"
            "Votre dossier étant désormais complet, les mensualités dues vous seront versées en "
            "rappel si votre droit est confirmé ; vous pouvez suivre l'avancement dans la rubrique "
            "« Mes démarches » de votre espace caf.fr. Si le paiement n'intervient pas dans les "
            "prochaines semaines ou si une nouvelle pièce vous est réclamée, répondez via la "
            "messagerie de votre espace en mentionnant cet échange, afin que l'historique puisse "
            "être retracé. Votre retour a été transmis à l'équipe concernée."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("mairie", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : demande de logement social radiée",
        "body": (
            "Mme {name}, 54 ans, vit seule dans un T3 du parc privé devenu trop cher depuis le "
            "départ de ses enfants (loyer 780 €, elle gagne 1 450 €). Elle avait déposé une "
            "demande de logement social en 2022, mais a reçu un courrier indiquant que sa demande "
            "était radiée faute de renouvellement. Elle pensait que c'était automatique. Elle est "
            "découragée et demande si elle perd son ancienneté."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La demande de logement social doit être renouvelée chaque année, avant sa date "
            "anniversaire ; un rappel est envoyé environ un mois avant. Sans renouvellement, la "
            "demande est radiée.\n\n"
            "Contactez sans tarder le service qui a enregistré votre demande (mairie ou bailleur "
            "social) : si la radiation est récente, il pourra vous indiquer si votre dossier peut "
            "encore être réactivé. À défaut, il faudra déposer une nouvelle demande, en ligne sur "
            "demande-logement-social.gouv.fr ou au guichet d'un service enregistreur, et "
            "l'ancienneté partira alors de cette nouvelle date. Le conseiller France Services peut "
            "vous aider à la saisir et à activer les rappels par e-mail.\n\n"
            "Signalez bien dans votre demande que votre loyer représente plus de la moitié de vos "
            "revenus : ce critère est pris en compte. Si votre attente dépasse le délai jugé "
            "anormalement long dans votre département, un recours au titre du droit au logement "
            "opposable (DALO) sera possible."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("mairie", "france_services"),
        "channel": "phone",
        "subject": "Appel : dépôt de garantie non restitué",
        "body": (
            "M. {name} appelle : il a quitté son appartement le 30 novembre, l'état des lieux de "
            "sortie était « impeccable » d'après l'agence, mais il n'a toujours pas récupéré son "
            "dépôt de garantie de 850 €. L'agence ne répond plus. Il demande s'il peut « porter "
            "plainte »."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Lorsque l'état des lieux de sortie est conforme à celui d'entrée, le bailleur doit "
            "restituer le dépôt de garantie dans un délai d'un mois à compter de la remise des "
            "clés (deux mois en cas de différences). Passé ce délai, la somme due est majorée de "
            "10 % du loyer mensuel hors charges pour chaque mois de retard commencé.\n\n"
            "Il ne s'agit pas d'une infraction pénale : une plainte n'est donc pas la bonne voie. "
            "Adressez d'abord une mise en demeure par lettre recommandée avec accusé de réception "
            "à l'agence, en rappelant ces règles (un modèle est disponible sur service-public.fr). "
            "Sans réponse, vous pouvez saisir gratuitement la commission départementale de "
            "conciliation, puis, si nécessaire, le tribunal judiciaire, sans avocat pour ce "
            "montant. L'ADIL de votre département peut vous conseiller gratuitement."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("caf",),
        "channel": "sp_question",
        "subject": "APL en colocation étudiante ?",
        "body": (
            "Bonjour, je vais emménager en colocation avec deux amis à Grenoble en septembre, "
            "loyer total 1 200 € charges comprises. Est-ce qu'on peut chacun toucher l'APL ? On a "
            "un seul bail pour nous trois."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Oui : en colocation, chaque colocataire peut demander sa propre aide au logement, à "
            "condition de figurer sur le bail (bail commun à vos trois noms ou bail individuel). "
            "L'aide est calculée pour chacun à partir de sa part de loyer et de ses propres "
            "ressources, avec des plafonds de loyer spécifiques à la colocation.\n\n"
            "Chacun de vous fera sa demande sur caf.fr dès l'entrée dans le logement, avec le "
            "bail, un RIB et les coordonnées du bailleur ; le droit s'ouvre à partir du mois "
            "suivant l'emménagement. Vous pouvez estimer vos montants avec le simulateur "
            "disponible sur caf.fr. Si vos parents perçoivent des prestations familiales, vérifiez "
            "aussi avec eux l'effet éventuel de votre demande sur leurs droits."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("caf", "mairie", "france_services"),
        "channel": "web_form",
        "subject": "Moisissures dans mon logement, le propriétaire ne fait rien",
        "body": (
            "Bonjour, je loue un T2 à Roubaix depuis 2 ans. Depuis l'automne il y a de la "
            "moisissure partout dans la chambre, la fenêtre ferme mal et le chauffage électrique "
            "ne suffit pas. Mon fils de 3 ans tousse tout le temps. J'ai écrit deux fois au "
            "propriétaire, aucune réponse. Je touche l'APL. Qu'est-ce que je peux faire sans "
            "risquer d'être mise dehors ?\n"
            "{name}, 12 rue de Lannoy, 59100 Roubaix"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Votre propriétaire est tenu de vous louer un logement décent et d'effectuer les "
            "réparations qui ne relèvent pas de l'entretien courant ; réclamer ces travaux ne peut "
            "pas justifier la fin de votre bail. En revanche, ne cessez pas de payer votre loyer "
            "de votre propre initiative, ce qui pourrait se retourner contre vous.\n\n"
            "Voici les démarches possibles. Envoyez une lettre recommandée avec accusé de "
            "réception demandant les travaux, avec des photos. Signalez la situation à votre CAF : "
            "si la non-décence est constatée, l'aide au logement peut être conservée par la CAF, "
            "au lieu d'être versée au propriétaire, jusqu'à la réalisation des travaux, et vous ne "
            "payez alors que le loyer diminué de l'aide. Contactez aussi le service d'hygiène de "
            "la mairie, qui peut visiter le logement.\n\n"
            "L'ADIL du Nord peut vous conseiller gratuitement sur la suite (commission "
            "départementale de conciliation, juge). Enfin, consultez un médecin pour votre fils et "
            "conservez les certificats : ils pourront appuyer votre dossier."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("caf", "mairie", "france_services"),
        "channel": "email",
        "subject": "Loyers en retard, j'ai peur d'être expulsé",
        "body": (
            "Bonjour,\n"
            "J'ai perdu mon emploi en octobre et je n'ai pas pu payer mes loyers de novembre, "
            "décembre et janvier (3 x 560 €). Le propriétaire m'a envoyé un commissaire de justice "
            "avec un « commandement de payer ». Je ne dors plus. Je suis inscrit à France Travail "
            "mais l'ARE vient juste de commencer. Est-ce que je vais me retrouver à la rue ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Votre situation est sérieuse, mais des solutions existent si vous agissez rapidement. "
            "Le commandement de payer vous laisse un délai, en général de 6 semaines, pour régler "
            "la dette ou trouver un accord avant que le propriétaire ne saisisse le juge. Une "
            "expulsion ne peut intervenir qu'après une décision de justice, et jamais pendant la "
            "trêve hivernale (du 1er novembre au 31 mars).\n\n"
            "Proposez dès maintenant par écrit au propriétaire ou au commissaire de justice un "
            "échéancier réaliste. Demandez une aide du fonds de solidarité pour le logement (FSL), "
            "par l'intermédiaire du CCAS de votre commune ou d'un travailleur social du "
            "département. Déclarez aussi la baisse de vos ressources à la CAF : votre aide au "
            "logement peut être recalculée en conséquence.\n\n"
            "L'ADIL de votre département vous conseillera gratuitement sur la procédure ; si "
            "l'affaire va devant le juge, vous pourrez y demander des délais de paiement. "
            "Présentez-vous à l'audience : c'est souvent décisif."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("caf",),
        "channel": "sp_plus",
        "subject": "Plus d'accueil sans rendez-vous à la CAF",
        "body": (
            "Je suis allée à la CAF de mon quartier pour une question sur mon aide au logement, "
            "comme je le faisais avant. On m'a dit à l'entrée qu'il fallait prendre rendez-vous "
            "sur internet. Je n'ai pas d'ordinateur et mon téléphone est vieux. L'agent d'accueil "
            "a quand même été gentil et m'a pris le rendez-vous lui-même, mais c'est dans 10 "
            "jours. Pour les personnes âgées, ce n'est pas simple."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Merci pour ce retour et pour vos mots à l'égard de notre agent d'accueil. Pour "
            "garantir un temps d'échange suffisant, nos conseillers reçoivent principalement sur "
            "rendez-vous, mais nous comprenons que ce fonctionnement soit moins simple pour les "
            "personnes peu à l'aise avec internet.\n\n"
            "D'autres solutions existent : vous pouvez prendre rendez-vous par téléphone au 3230 "
            "(service gratuit + prix d'un appel) ou vous faire accompagner gratuitement dans une "
            "France Services proche de chez vous, où un conseiller vous aidera pour toutes vos "
            "démarches CAF. Votre remarque a été transmise à la direction de votre CAF."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("france_services",),
        "channel": "france_services",
        "subject": "Accompagnement : garantie Visale pour louer un studio",
        "body": (
            "M. {name}, 27 ans, en CDD de 9 mois dans la logistique, a trouvé un studio à 480 € "
            "mais l'agence exige un garant, et il n'a personne. L'agence a parlé de « Visale ». Il "
            "souhaite savoir s'il y a droit et combien cela coûte."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La garantie Visale est une caution gratuite proposée par Action Logement : elle "
            "remplace le garant personnel et couvre le propriétaire en cas d'impayés. Les jeunes "
            "de 18 à 30 ans y ont droit quelle que soit leur situation professionnelle, sous "
            "réserve que le loyer respecte les plafonds prévus : vous devriez donc être "
            "éligible.\n\n"
            "La demande se fait sur visale.fr avant la signature du bail : vous créez votre "
            "compte, déposez votre pièce d'identité et vos justificatifs de situation, et obtenez "
            "en général une réponse sous quelques jours. Vous transmettez ensuite votre visa à "
            "l'agence, qui doit l'accepter et valider le contrat de cautionnement en ligne. "
            "Attention : en cas d'impayé, Action Logement paie le propriétaire, mais vous devrez "
            "ensuite rembourser ces sommes."
        ),
    },
    {
        "topic": "logement",
        "kinds": ("caf",),
        "channel": "phone",
        "subject": "Appel : mon APL a baissé sans raison",
        "body": (
            "Mme {name} appelle : son APL est passée de 285 € à 231 € en janvier alors que son "
            "loyer et sa situation n'ont pas changé. Elle pense à une erreur. Elle a eu une petite "
            "augmentation de salaire en 2025 et a fait des heures supplémentaires l'été dernier."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'aide au logement est calculée à partir de vos ressources des 12 derniers mois et "
            "réévaluée tous les trois mois. Votre augmentation de salaire et vos heures "
            "supplémentaires de l'été peuvent donc être prises en compte progressivement, ce qui "
            "peut expliquer la baisse de janvier, même si votre loyer n'a pas changé.\n\n"
            "Le détail du calcul figure dans votre espace caf.fr, rubrique « Mes paiements ». Si "
            "les ressources retenues vous semblent erronées, ou si vos revenus ont baissé "
            "récemment (fin de contrat, arrêt maladie...), signalez-le depuis votre espace. Si "
            "vous contestez la décision, vous pouvez former un recours amiable dans les 2 mois "
            "suivant sa notification."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam", "france_services"),
        "channel": "email",
        "subject": "Carte Vitale perdue avant un rendez-vous chez le dentiste",
        "body": (
            "Bonjour, j'ai perdu ma carte Vitale, je pense dans un taxi. J'ai un rendez-vous chez "
            "le dentiste jeudi. Comment je fais pour être remboursé sans la carte ? Et comment en "
            "avoir une nouvelle ? Merci. {name}, né le 04/09/1968."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Déclarez la perte depuis votre compte ameli ou par téléphone au 3646 : votre carte "
            "sera désactivée. Vous pourrez ensuite commander une nouvelle carte en ligne, avec une "
            "photo d'identité et une copie de votre pièce d'identité ; comptez en général quelques "
            "semaines pour la recevoir.\n\n"
            "Pour jeudi, pas d'inquiétude : présentez l'attestation de droits, téléchargeable "
            "immédiatement depuis votre compte ameli. Le dentiste pourra vérifier vos droits en "
            "ligne ou établir une feuille de soins papier, que vous enverrez à votre caisse ; vous "
            "serez remboursé normalement, simplement un peu plus tard. Si vous avez activé "
            "l'application carte Vitale sur votre smartphone, vous pouvez aussi l'utiliser chez "
            "les professionnels équipés."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "sp_plus",
        "subject": "Six semaines d'arrêt maladie, zéro euro",
        "body": (
            "Je suis en arrêt maladie depuis le 6 janvier (opération du genou). Mon employeur dit "
            "avoir envoyé l'attestation de salaire, la CPAM dit ne rien avoir reçu. Je fais "
            "l'intermédiaire entre les deux depuis un mois. Pendant ce temps, aucun revenu, et le "
            "crédit de la maison tombe quand même. On se sent vraiment seul."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous sommes désolés pour cette situation, dont nous mesurons les conséquences. Le "
            "paiement des indemnités journalières nécessite que l'attestation de salaire de votre "
            "employeur, transmise via la déclaration sociale nominative, soit rattachée à votre "
            "arrêt ; si les informations ne concordent pas, le dossier reste bloqué.\n\n"
            "Demandez à votre employeur la date d'envoi de l'attestation et, si possible, une "
            "copie, puis transmettez ces éléments via la messagerie de votre compte ameli en "
            "précisant « indemnités journalières non perçues ». Si vous êtes en difficulté "
            "financière, indiquez-le : le service social de l'Assurance Maladie peut vous "
            "accompagner et une aide exceptionnelle peut être étudiée. Si le blocage persiste, "
            "vous pouvez saisir le conciliateur de votre caisse depuis votre compte ameli."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : complémentaire santé pour une retraitée",
        "body": (
            "Mme {name}, 72 ans, veuve, vit avec une pension de 1 050 € par mois. Elle paie une "
            "mutuelle 94 € par mois et n'arrive plus à suivre. Elle a entendu parler d'une « "
            "mutuelle gratuite de la Sécu ». Elle a apporté son dernier avis d'imposition et ses "
            "relevés de pension."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La complémentaire santé solidaire (C2S) prend en charge la part de vos dépenses de "
            "santé non remboursée par l'Assurance Maladie : consultations, médicaments, "
            "hospitalisation, et la plupart des lunettes, prothèses dentaires et aides auditives, "
            "sans dépassement d'honoraires. Selon les ressources, elle est gratuite ou soumise à "
            "une participation mensuelle qui dépend de l'âge.\n\n"
            "Avec vos revenus, vous pourriez y avoir droit avec une participation d'une trentaine "
            "d'euros par mois à votre âge, nettement moins que votre mutuelle actuelle ; seule "
            "l'étude de votre dossier permettra de le confirmer. La demande peut être faite avec "
            "le conseiller France Services, en ligne sur ameli ou avec le formulaire papier, en "
            "joignant vos justificatifs de ressources des 12 derniers mois.\n\n"
            "Attendez la décision avant de résilier votre mutuelle ; vous pourrez ensuite la "
            "résilier à tout moment, si votre contrat a plus d'un an."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam", "france_services"),
        "channel": "phone",
        "subject": "Appel : plus de médecin traitant depuis mon déménagement",
        "body": (
            "M. {name}, 63 ans, diabétique, a déménagé dans l'Indre il y a 6 mois. Il a appelé 11 "
            "cabinets, aucun ne prend de nouveaux patients. Il est moins bien remboursé et doit "
            "renouveler son traitement. Il demande si la CPAM peut lui « attribuer » un médecin. "
            "Joignable au 02 61 91 22 48."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'Assurance Maladie ne peut pas désigner d'office un médecin traitant, mais comme "
            "vous êtes atteint d'une affection de longue durée, vous faites partie des patients "
            "prioritaires que votre caisse peut aider à en trouver un. Contactez votre CPAM via la "
            "messagerie de votre compte ameli ou au 3646 en précisant « recherche de médecin "
            "traitant, patient en ALD ».\n\n"
            "En parallèle, renseignez-vous auprès de la maison de santé ou du centre de santé le "
            "plus proche, et de la communauté professionnelle territoriale de santé (CPTS) de "
            "votre secteur, qui oriente les patients sans médecin. Pour éviter une interruption de "
            "traitement, une téléconsultation est possible, et votre pharmacien peut, sous "
            "conditions, dépanner ponctuellement sur la base de votre dernière ordonnance.\n\n"
            "Signalez également à votre caisse que vous recherchez activement un médecin : dans "
            "certaines situations, la minoration de remboursement liée à l'absence de médecin "
            "traitant ne s'applique pas."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "sp_question",
        "subject": "Lunettes remboursées à 100 % ?",
        "body": (
            "Bonjour, mon opticien m'a parlé d'une offre « 100 % Santé » pour les lunettes. Est-ce "
            "que c'est vraiment gratuit ? Il y a des conditions ? J'ai une mutuelle d'entreprise."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Le dispositif 100 % Santé permet d'obtenir des lunettes sans reste à charge à "
            "condition de choisir un équipement du panier « 100 % Santé » : une sélection de "
            "montures à prix plafonné et de verres traités, que tout opticien doit proposer. La "
            "prise en charge est partagée entre l'Assurance Maladie et votre complémentaire, à "
            "condition que celle-ci soit un contrat « responsable », ce qui est le cas de la "
            "quasi-totalité des mutuelles d'entreprise.\n\n"
            "Il faut une ordonnance en cours de validité et respecter le rythme de renouvellement, "
            "en principe un équipement tous les 2 ans pour un adulte, sauf évolution de la vue. "
            "Vous pouvez aussi associer une monture hors panier à des verres 100 % Santé, avec "
            "alors un reste à charge. Demandez à l'opticien un devis comparant les deux offres."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "web_form",
        "subject": "Arrêt de travail envoyé en retard, indemnités réduites ?",
        "body": (
            "Bonjour, j'ai reçu un courrier de la CPAM qui dit que mon arrêt de travail a été "
            "envoyé hors délai et que mes indemnités pourraient être réduites. J'avais 39 de "
            "fièvre, j'ai envoyé le papier 5 jours après. Je ne savais pas qu'il y avait un délai. "
            "C'est juste ?\n"
            "{name} (numéro de sécu 1 79 03 59 350 123 45)"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'avis d'arrêt de travail doit être transmis à l'Assurance Maladie dans les 48 "
            "heures. Lors d'un premier envoi tardif, la caisse adresse un avertissement, sans "
            "réduction des indemnités : le courrier que vous avez reçu correspond en principe à "
            "cette étape. En cas de nouvel envoi tardif dans les 24 mois suivants, les indemnités "
            "de la période de retard peuvent être réduites de moitié.\n\n"
            "Aucune démarche n'est nécessaire s'il s'agit d'un avertissement. Si votre état de "
            "santé vous empêchait réellement d'envoyer l'arrêt à temps (hospitalisation, par "
            "exemple), vous pouvez le signaler à votre caisse avec un justificatif. À l'avenir, le "
            "plus simple est que votre médecin transmette l'arrêt en ligne, ce qui est désormais "
            "le cas le plus courant.\n\n"
            "Par sécurité, évitez de communiquer votre numéro de sécurité sociale par ce "
            "formulaire : utilisez plutôt la messagerie de votre compte ameli."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "email",
        "subject": "Étudiante étrangère : inscription à la Sécurité sociale",
        "body": (
            "Bonjour,\n"
            "Je suis étudiante colombienne, j'arrive à Toulouse pour un master. Mon université m'a "
            "dit de m'inscrire à la sécurité sociale mais je ne sais pas où. Est-ce que c'est "
            "payant ? Je dois attendre quoi pour aller chez le médecin ?\n"
            "Merci beaucoup,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'inscription à l'Assurance Maladie est gratuite pour les étudiants. Elle se fait en "
            "ligne sur le site dédié etudiant-etranger.ameli.fr, dès que votre inscription dans "
            "l'établissement est validée. Vous aurez besoin de votre passeport, de votre visa ou "
            "titre de séjour, de votre certificat de scolarité, d'un acte de naissance (avec sa "
            "traduction si nécessaire) et d'un RIB.\n\n"
            "Vous recevrez d'abord un numéro provisoire, puis un numéro définitif, qui vous "
            "permettra de créer votre compte ameli, de déclarer un médecin traitant et de "
            "commander votre carte Vitale. En attendant, vous pouvez consulter un médecin : réglez "
            "la consultation et conservez la feuille de soins, elle vous sera remboursée une fois "
            "votre dossier ouvert.\n\n"
            "Pensez aussi à une complémentaire santé : selon vos ressources, vous pourriez "
            "bénéficier de la complémentaire santé solidaire."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "sp_plus",
        "subject": "Excellent accueil à la CPAM de Quimper",
        "body": (
            "J'avais un dossier compliqué (changement de régime après mon passage d'indépendant à "
            "salarié, remboursements bloqués depuis des mois). Le conseiller m'a reçu 30 minutes, "
            "a appelé directement un collègue, et tout a été débloqué en une semaine. Je tenais à "
            "le dire, parce qu'on ne laisse souvent des avis que quand ça va mal."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Un grand merci pour ce retour positif, transmis au conseiller et à son équipe. Nous "
            "sommes ravis que votre dossier ait pu être régularisé rapidement.\n\n"
            "Nous vous invitons à vérifier dans les prochaines semaines, sur votre compte ameli, "
            "que vos remboursements s'affichent correctement, et à utiliser la messagerie de votre "
            "compte pour toute nouvelle question. Bonne continuation."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : renouvellement de l'AME",
        "body": (
            "M. {name}, originaire de Guinée, est venu car son aide médicale de l'État (AME) se "
            "termine dans 6 semaines. Il est suivi à l'hôpital pour une hépatite. Il n'a pas de "
            "justificatif de domicile à son nom : il est domicilié dans une association. Il a peur "
            "de ne plus pouvoir être soigné."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'AME est accordée pour un an et doit être renouvelée chaque année ; il est conseillé "
            "de déposer la demande de renouvellement environ deux mois avant la fin des droits, "
            "c'est donc le bon moment. Le conseiller France Services peut vous aider à remplir le "
            "formulaire de demande.\n\n"
            "Joignez-y une pièce d'identité, votre attestation d'élection de domicile délivrée par "
            "l'association, qui vaut justificatif d'adresse, les justificatifs de votre présence "
            "en France et vos ressources des 12 derniers mois. Pour un renouvellement, le dossier "
            "peut être envoyé par courrier à votre CPAM ; conservez une copie de tout ce que vous "
            "envoyez.\n\n"
            "Votre suivi médical doit se poursuivre : en cas de difficulté pendant l'instruction, "
            "la permanence d'accès aux soins de santé (PASS) de l'hôpital peut vous recevoir."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam", "france_services"),
        "channel": "phone",
        "subject": "Appel : soins en Espagne pendant les vacances",
        "body": (
            "Mme {name} appelle : son mari s'est fracturé le poignet pendant leurs vacances à "
            "Valence. Ils ont payé 340 € à la clinique car ils n'avaient pas la carte européenne "
            "d'assurance maladie. Elle veut savoir s'ils peuvent être remboursés et comment. Elle "
            "a gardé les factures en espagnol."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Oui, vous pouvez demander le remboursement des soins reçus dans un pays de l'Union "
            "européenne. Remplissez le formulaire « Soins reçus à l'étranger » (cerfa n° 12267) et "
            "envoyez-le à votre CPAM avec les factures acquittées et les justificatifs de paiement "
            "; la traduction n'est en général pas nécessaire.\n\n"
            "Le remboursement dépend toutefois du type d'établissement : si la clinique n'était "
            "pas rattachée au système de santé public espagnol, il peut être limité et une partie "
            "des frais restera à votre charge. Vérifiez aussi les garanties de votre "
            "complémentaire santé et de votre carte bancaire, qui couvrent parfois ces frais.\n\n"
            "Pour vos prochains voyages, commandez gratuitement la carte européenne d'assurance "
            "maladie depuis votre compte ameli, au moins deux semaines avant le départ ; elle est "
            "valable deux ans."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "sp_question",
        "subject": "C'est quoi « Mon espace santé » ? Arnaque ?",
        "body": (
            "Bonjour, j'ai reçu un e-mail de l'Assurance Maladie pour « activer mon espace santé "
            "». Ma fille me dit que c'est peut-être une arnaque. Est-ce obligatoire ? Est-ce que "
            "les médecins pourront voir tout mon dossier ? Je ne veux pas que mon employeur ait "
            "accès à mes données."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Mon espace santé est un service public gratuit proposé par l'Assurance Maladie à tous "
            "les assurés. Il comprend un dossier médical (ordonnances, comptes rendus, résultats "
            "d'analyses, vaccinations), une messagerie sécurisée avec vos professionnels de santé "
            "et un agenda. Il n'est pas obligatoire : vous pouvez vous opposer à sa création ou le "
            "fermer à tout moment.\n\n"
            "Seuls les professionnels de santé qui vous soignent peuvent consulter votre dossier, "
            "et vous pouvez masquer certains documents ou bloquer l'accès d'un professionnel. "
            "Votre employeur, votre mutuelle, votre banque ou votre assureur n'y ont jamais "
            "accès.\n\n"
            "Par prudence, ne cliquez pas sur un lien dont vous doutez : connectez-vous "
            "directement en tapant monespacesante.fr dans votre navigateur. L'Assurance Maladie ne "
            "vous demandera jamais vos coordonnées bancaires par ce biais."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "web_form",
        "subject": "Maladie de Parkinson : prise en charge à 100 % ?",
        "body": (
            "Bonjour, on vient de diagnostiquer une maladie de Parkinson à mon mari. Le neurologue "
            "a dit que les soins seraient « pris en charge à 100 % » mais on n'a rien reçu. "
            "Faut-il faire une demande ? Tous les soins seront gratuits ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La maladie de Parkinson fait partie des affections de longue durée (ALD) qui ouvrent "
            "droit à une prise en charge à 100 %, sur la base des tarifs de la Sécurité sociale, "
            "des soins liés à cette maladie. Vous n'avez pas de demande à faire vous-même : c'est "
            "le médecin traitant de votre mari qui établit en ligne un protocole de soins et "
            "l'adresse au médecin-conseil. Prenez rendez-vous avec lui en apportant les comptes "
            "rendus du neurologue.\n\n"
            "Une fois l'ALD accordée, vous recevrez un courrier ; la prise en charge à 100 % "
            "s'appliquera aux soins en rapport avec la maladie, prescrits sur une ordonnance "
            "spécifique. Attention, 100 % ne signifie pas gratuité totale : les dépassements "
            "d'honoraires, les franchises médicales et la participation forfaitaire restent en "
            "principe à votre charge.\n\n"
            "Si la maladie entraîne une perte d'autonomie, l'allocation personnalisée d'autonomie "
            "(APA) peut aussi être demandée auprès du département."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "email",
        "subject": "Remboursement kiné jamais arrivé",
        "body": (
            "Bonjour, j'ai fait 12 séances de kiné en novembre. Le kiné n'avait pas de lecteur de "
            "carte et m'a donné une feuille de soins papier, que j'ai envoyée début décembre à la "
            "CPAM de Créteil. En février, toujours rien sur mon compte ameli. J'ai avancé 12 "
            "séances... J'aimerais savoir si elle est perdue.\n"
            "Cordialement\n"
            "{name}\n"
            "mail : pitchoune.94@orange.fr"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le traitement d'une feuille de soins papier prend en général quelques semaines après "
            "réception ; au-delà de deux mois, elle est peut-être incomplète ou en attente d'un "
            "élément, souvent l'ordonnance du médecin qui doit accompagner les séances de "
            "kinésithérapie. Vérifiez d'abord, dans la rubrique « Mes paiements » de votre compte "
            "ameli, qu'aucun remboursement n'a été effectué à une date inattendue.\n\n"
            "Si rien n'apparaît, signalez-le via la messagerie de votre compte ameli, en indiquant "
            "les dates des séances et la date d'envoi. Si la feuille de soins est perdue, votre "
            "kinésithérapeute pourra vous en établir un duplicata. À l'avenir, prenez une photo de "
            "vos feuilles de soins et de l'ordonnance avant de les envoyer."
        ),
    },
    {
        "topic": "sante",
        "kinds": ("cpam",),
        "channel": "sp_plus",
        "subject": "45 minutes d'attente au 3646 puis raccroché",
        "body": (
            "J'ai appelé trois fois cette semaine pour un problème de remboursement. La première "
            "fois, 45 minutes d'attente puis la ligne a coupé. La deuxième, on m'a dit de "
            "rappeler. La troisième, « toutes nos lignes sont occupées ». Je paie des cotisations "
            "comme tout le monde, je voudrais juste parler à un humain."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous sommes sincèrement désolés pour ces appels infructueux. Les périodes de forte "
            "affluence, notamment le lundi et en début de mois, allongent fortement les délais "
            "d'attente ; nous comprenons que ce soit frustrant.\n\n"
            "Pour obtenir une réponse plus rapidement, vous pouvez écrire via la messagerie de "
            "votre compte ameli, qui permet de joindre des documents et reçoit une réponse écrite "
            "en général sous quelques jours, ou prendre rendez-vous en agence depuis votre compte. "
            "Un conseiller France Services peut aussi vous aider. Si votre problème de "
            "remboursement persiste malgré ces démarches, vous pouvez saisir le conciliateur de "
            "votre caisse."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip", "france_services"),
        "channel": "email",
        "subject": "Première déclaration d'impôts, je suis perdu",
        "body": (
            "Bonjour,\n"
            "J'ai 22 ans, j'ai fini mes études en juin et je travaille en CDI depuis septembre. "
            "Jusqu'ici mes parents me déclaraient avec eux. Je n'ai jamais fait de déclaration et "
            "je n'ai pas de numéro fiscal. Est-ce que je dois déclarer cette année ? Mon employeur "
            "prélève déjà des impôts sur mon salaire, ce n'est pas suffisant ?\n"
            "Merci,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le prélèvement effectué par votre employeur n'est qu'un acompte, calculé avec un taux "
            "par défaut faute de déclaration antérieure. Une déclaration de revenus reste "
            "nécessaire au printemps : elle permet de calculer votre impôt définitif et, le cas "
            "échéant, de vous rembourser le trop-prélevé.\n\n"
            "Pour l'année où vous avez terminé vos études, vous pouvez, sous conditions d'âge, "
            "choisir entre deux options : demander votre rattachement au foyer fiscal de vos "
            "parents (vos salaires sont alors déclarés avec les leurs), ou déposer votre propre "
            "déclaration. Le simulateur d'impôt d'impots.gouv.fr permet de comparer.\n\n"
            "Si vous déclarez seul, aucun numéro fiscal n'est nécessaire : utilisez le service « "
            "Votre première déclaration en ligne » sur impots.gouv.fr, vous obtiendrez ensuite vos "
            "identifiants. Reportez le cumul net imposable figurant sur votre bulletin de décembre "
            "et respectez la date limite de votre département, fixée entre mi-mai et début juin."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip",),
        "channel": "sp_question",
        "subject": "Divorcée, mon taux de prélèvement est toujours celui du couple",
        "body": (
            "Bonjour, mon divorce a été prononcé en décembre. Sur ma fiche de paie de février, le "
            "taux de prélèvement à la source est toujours de 11,2 %, celui du couple, alors que je "
            "gagne beaucoup moins que mon ex-mari. Comment le faire baisser ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Vous devez déclarer votre changement de situation de famille dans votre espace "
            "particulier sur impots.gouv.fr, rubrique « Gérer mon prélèvement à la source ». Cette "
            "déclaration est à faire dans les 60 jours suivant l'événement : faites-la sans "
            "attendre. Un nouveau taux, calculé sur vos seuls revenus, sera alors transmis à votre "
            "employeur, qui l'appliquera dans un délai de deux à trois mois.\n\n"
            "Pour l'année du divorce, chacun des ex-époux dépose sa propre déclaration pour "
            "l'ensemble de ses revenus de l'année. Si vous avez des enfants à charge ou percevez "
            "une pension alimentaire, indiquez-le : cela modifie votre nombre de parts et votre "
            "revenu imposable. Le simulateur du site vous permet d'estimer votre nouveau taux."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : taxe foncière impossible à payer en une fois",
        "body": (
            "Mme {name}, 79 ans, veuve depuis l'an dernier, est propriétaire de sa maison à "
            "Guéret. Sa taxe foncière est de 1 230 € et elle ne touche que sa pension et la "
            "réversion (environ 1 400 € par mois). Elle demande si elle peut être exonérée ou "
            "payer en plusieurs fois. Elle a apporté son avis de taxe foncière et son avis d'impôt."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Deux pistes peuvent être étudiées. D'abord, les personnes de plus de 75 ans dont le "
            "revenu fiscal de référence ne dépasse pas un certain plafond sont exonérées de taxe "
            "foncière pour leur résidence principale, et celles de 65 à 75 ans bénéficient sous le "
            "même plafond d'un dégrèvement partiel. Le conseiller France Services peut comparer "
            "avec vous le revenu fiscal de référence de votre avis d'impôt au plafond applicable ; "
            "si vous remplissez les conditions et que l'exonération n'a pas été appliquée, une "
            "réclamation est possible.\n\n"
            "Ensuite, si vous ne pouvez pas payer en une fois, demandez avant la date limite un "
            "délai de paiement au service des impôts des particuliers, via la messagerie "
            "sécurisée, par téléphone au 0 809 401 401 ou au guichet. Pour les années suivantes, "
            "la mensualisation permet d'étaler le paiement sur l'année."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip", "france_services"),
        "channel": "phone",
        "subject": "Appel : taxe d'habitation pour un appartement loué puis vendu",
        "body": (
            "M. {name} appelle, furieux : il a reçu un avis de taxe d'habitation de 640 € pour un "
            "appartement à Angers, loué à un étudiant jusqu'en mars 2025 puis vendu. Il pensait "
            "que la taxe d'habitation était supprimée. Il n'a pas internet chez lui, mais son fils "
            "peut l'aider."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La taxe d'habitation n'est supprimée que pour les résidences principales ; elle "
            "subsiste notamment pour les résidences secondaires. Elle est établie selon la "
            "situation au 1er janvier de l'année. Si, au 1er janvier 2025, votre appartement était "
            "loué à un étudiant qui y avait sa résidence principale, cette taxe ne vous est pas "
            "due : l'avis résulte probablement d'une occupation non déclarée dans le service « "
            "Gérer mes biens immobiliers ».\n\n"
            "Déposez une réclamation en joignant une copie du bail et de l'acte de vente : par la "
            "messagerie sécurisée d'impots.gouv.fr avec l'aide de votre fils, au guichet ou par "
            "courrier auprès de votre service des impôts, ou en appelant le 0 809 401 401. Une "
            "réclamation ne suspend pas automatiquement le paiement : précisez que vous demandez à "
            "bénéficier du sursis de paiement en attendant la décision."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip",),
        "channel": "sp_plus",
        "subject": "Réponse rapide via la messagerie d'impots.gouv",
        "body": (
            "Petite expérience positive : j'avais fait une erreur dans ma déclaration (frais de "
            "garde de mon fils oubliés). J'ai posé la question via la messagerie sécurisée un "
            "dimanche soir, réponse claire le mardi avec la marche à suivre. Correction faite en "
            "10 minutes. Comme quoi, ça marche parfois très bien !"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Merci pour votre retour, qui fait plaisir à nos équipes. Nous sommes heureux que la "
            "correction ait pu être effectuée rapidement.\n\n"
            "Pour rappel, le service de correction en ligne est ouvert chaque année de l'été "
            "jusqu'à début décembre et permet de modifier la plupart des éléments de votre "
            "déclaration. La messagerie sécurisée de votre espace particulier reste le moyen le "
            "plus simple de nous poser vos questions. Bonne continuation."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip",),
        "channel": "web_form",
        "subject": "J'ai oublié de déclarer des revenus de micro-entrepreneur",
        "body": (
            "Bonjour, en rangeant mes papiers je me suis rendu compte que j'ai oublié de déclarer "
            "environ 2 300 € de chiffre d'affaires en auto-entrepreneur (petits travaux de "
            "jardinage) sur ma déclaration de l'an dernier. J'ai déjà reçu mon avis d'impôt. Je ne "
            "veux pas avoir de problèmes, comment je corrige ? Je vais avoir une amende ?\n"
            "{name}\n"
            "numéro fiscal 3012345678901"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Vous avez raison de régulariser vous-même. Si le service de correction en ligne est "
            "encore ouvert (en général d'août à début décembre), connectez-vous à votre espace "
            "particulier et ajoutez ce chiffre d'affaires dans la déclaration complémentaire des "
            "revenus des professions non salariées, dans la catégorie correspondant à votre "
            "activité.\n\n"
            "Si le service est fermé, déposez une réclamation via la messagerie sécurisée, en "
            "indiquant le montant, l'année et la nature de l'activité. Un avis rectificatif vous "
            "sera adressé. Des intérêts de retard, de 0,20 % par mois, peuvent s'appliquer, mais "
            "une régularisation spontanée et de bonne foi n'entraîne en principe pas de "
            "majoration.\n\n"
            "Par précaution, évitez de communiquer votre numéro fiscal par ce formulaire : la "
            "messagerie sécurisée de votre espace est prévue pour cela."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip",),
        "channel": "email",
        "subject": "SMS des impôts pour un remboursement : arnaque ?",
        "body": (
            "Bonjour,\n"
            "J'ai reçu ce matin un SMS : « DGFiP : vous avez droit à un remboursement de 289,40 €, "
            "veuillez confirmer vos coordonnées bancaires sous 48 h » avec un lien. J'ai cliqué et "
            "rempli le formulaire avec ma carte bancaire avant de me rendre compte que c'était "
            "bizarre. Qu'est-ce que je dois faire ?\n"
            "{name}, 06 39 98 05 92"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Il s'agit très probablement d'une tentative d'escroquerie par hameçonnage. "
            "L'administration fiscale ne demande jamais vos coordonnées bancaires ni votre numéro "
            "de carte par SMS ou par e-mail : les remboursements sont versés automatiquement sur "
            "le compte bancaire enregistré dans votre espace particulier.\n\n"
            "Puisque vous avez saisi vos données, contactez immédiatement votre banque pour faire "
            "opposition à votre carte et surveillez vos relevés. Si des opérations frauduleuses "
            "apparaissent, signalez-les sur le service Perceval (accessible depuis "
            "service-public.fr) et déposez plainte. Transférez le SMS au 33700 et signalez le site "
            "sur internet-signalement.gouv.fr. Si vous avez aussi saisi vos identifiants "
            "impots.gouv.fr, changez votre mot de passe sans attendre."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip", "france_services"),
        "channel": "sp_question",
        "subject": "Crédit d'impôt pour une aide ménagère",
        "body": (
            "Bonjour, je vais employer une aide ménagère 4 heures par semaine avec le CESU. J'ai "
            "entendu dire qu'on peut récupérer 50 %. Est-ce que c'est seulement l'année suivante ? "
            "Je suis retraitée et non imposable, est-ce que j'y ai droit quand même ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "L'emploi d'un salarié à domicile (ménage, jardinage, aide à la personne...) ouvre "
            "droit à un crédit d'impôt égal à 50 % des sommes versées, dans la limite d'un plafond "
            "annuel (12 000 € en règle générale, majoré selon la composition du foyer). S'agissant "
            "d'un crédit d'impôt, vous en bénéficiez même si vous n'êtes pas imposable : "
            "l'excédent vous est remboursé.\n\n"
            "Vous n'êtes pas obligée d'attendre l'année suivante : avec l'avance immédiate du "
            "crédit d'impôt, proposée par le Cesu de l'Urssaf, la moitié de la dépense est déduite "
            "au moment du paiement. Activez cette option dans votre espace Cesu. Sinon, vous "
            "déclarez les dépenses au printemps suivant, et une avance de 60 % est versée en "
            "janvier les années suivantes."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip", "france_services"),
        "channel": "phone",
        "subject": "Appel : « je n'ai pas internet, comment je déclare ? »",
        "body": (
            "M. {name}, 84 ans, appelle car il a entendu à la radio que « tout le monde doit "
            "déclarer sur internet ». Il n'a ni ordinateur ni smartphone et a toujours rempli sa "
            "déclaration papier. Il s'inquiète d'avoir une amende. Il vit seul et ses revenus "
            "n'ont pas changé (retraite du bâtiment)."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Soyez rassuré : la déclaration en ligne est la règle, mais les personnes qui n'ont "
            "pas accès à internet ou ne sont pas en mesure de l'utiliser peuvent continuer à "
            "déclarer sur papier, sans pénalité. Si vous avez déposé une déclaration papier l'an "
            "dernier, vous devriez recevoir automatiquement un formulaire prérempli au printemps ; "
            "sinon, vous pouvez le demander au 0 809 401 401 ou le retirer au centre des finances "
            "publiques.\n\n"
            "Par ailleurs, si vos revenus sont connus de l'administration et que votre situation "
            "n'a pas changé, vous bénéficiez peut-être de la déclaration automatique : si les "
            "informations du document reçu sont exactes, vous n'avez rien à faire. En cas de "
            "doute, un conseiller France Services peut vérifier avec vous."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip",),
        "channel": "sp_plus",
        "subject": "Centre des impôts : porte close sans rendez-vous",
        "body": (
            "Je me suis déplacé au centre des finances publiques pour une question sur ma taxe "
            "foncière. Porte fermée, affiche « accueil uniquement sur rendez-vous l'après-midi ». "
            "J'ai posé une demi-journée de congé pour rien. Personne au téléphone non plus. Le "
            "service public, c'est pour les usagers, pas l'inverse."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous regrettons le déplacement inutile que vous avez effectué. Les horaires d'accueil "
            "varient selon les centres : beaucoup reçoivent sans rendez-vous le matin et "
            "uniquement sur rendez-vous l'après-midi, afin de préparer les dossiers et de limiter "
            "l'attente. Ces horaires sont indiqués dans la rubrique « Contact » "
            "d'impots.gouv.fr.\n\n"
            "Pour votre question sur la taxe foncière, vous pouvez écrire via la messagerie "
            "sécurisée de votre espace particulier, appeler le 0 809 401 401 (appel non surtaxé), "
            "ou prendre un rendez-vous téléphonique ou au guichet depuis impots.gouv.fr, ce qui "
            "vous garantit d'être reçu à l'heure prévue. Les France Services peuvent également "
            "vous aider. Votre remarque a été transmise au responsable du centre."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : jeune couple pacsé, première déclaration",
        "body": (
            "M. {name} et sa compagne se sont pacsés en juillet 2025. Ils ne savent pas comment "
            "déclarer leurs revenus cette année : une déclaration commune ou chacun la sienne ? "
            "Ils ont chacun leur numéro fiscal. Elle a gagné nettement plus que lui en 2025."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Pour l'année du PACS, vous avez le choix : soit une déclaration commune pour toute "
            "l'année 2025, soit deux déclarations séparées, chacun déclarant l'ensemble de ses "
            "revenus de l'année. À partir des revenus 2026, l'imposition sera obligatoirement "
            "commune.\n\n"
            "La déclaration commune est souvent plus avantageuse lorsque les revenus sont très "
            "différents, ce qui semble être votre cas, mais ce n'est pas systématique : le "
            "simulateur d'impots.gouv.fr permet de comparer les deux options avant de choisir.\n\n"
            "Si ce n'est pas déjà fait, signalez votre PACS dans la rubrique « Gérer mon "
            "prélèvement à la source » de votre espace. Lors de la déclaration en ligne, l'un de "
            "vous indiquera le PACS dans la rubrique situation de famille et choisira l'option "
            "retenue ; le conseiller France Services peut vous accompagner pour cette étape."
        ),
    },
    {
        "topic": "impots",
        "kinds": ("dgfip",),
        "channel": "web_form",
        "subject": "Pourquoi j'ai reçu un virement des impôts en janvier ?",
        "body": (
            "Bonjour, j'ai reçu un virement de 742 € de la DGFiP le 15 janvier. Je n'ai rien "
            "demandé. Je crains une erreur et de devoir rembourser plus tard. Je paie une aide à "
            "domicile pour ma mère qui vit chez moi et je fais des dons aux Restos du cœur. Merci "
            "de m'éclairer. {name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Ce virement correspond très probablement à l'avance versée mi-janvier au titre de "
            "certaines réductions et crédits d'impôt récurrents : emploi d'un salarié à domicile, "
            "frais de garde de jeunes enfants, dons aux associations, notamment. Elle représente "
            "60 % des avantages calculés sur les dépenses que vous avez déclarées l'année "
            "précédente.\n\n"
            "Il ne s'agit pas d'une erreur, mais d'une avance : le montant définitif sera calculé "
            "d'après la déclaration de vos dépenses de l'année écoulée, au printemps. Si vos "
            "dépenses ont nettement diminué, vous pourriez devoir rembourser une partie de "
            "l'avance à l'été. Si vous savez qu'elles vont baisser, vous pouvez réduire ou refuser "
            "l'avance de l'année suivante dans la rubrique « Gérer mon prélèvement à la source », "
            "avant la mi-décembre."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail", "france_services"),
        "channel": "email",
        "subject": "Démission : est-ce que j'ai droit au chômage ?",
        "body": (
            "Bonjour,\n"
            "J'ai démissionné de mon CDI de vendeuse fin janvier car l'ambiance était devenue "
            "invivable (mon manager me criait dessus devant les clients). Je voudrais m'inscrire à "
            "France Travail. Est-ce que j'ai droit aux allocations ? J'ai travaillé 3 ans dans ce "
            "magasin.\n"
            "Merci,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Vous pouvez vous inscrire dès maintenant sur francetravail.fr : l'inscription vous "
            "donne accès à un accompagnement dans votre recherche d'emploi, quelle que soit la "
            "façon dont votre contrat a pris fin. En revanche, une démission n'ouvre en principe "
            "pas droit à l'allocation chômage (ARE), sauf si elle est considérée comme légitime. "
            "La réglementation prévoit une liste de cas, par exemple le départ pour suivre un "
            "conjoint, ou une démission faisant suite à des faits délictueux subis au travail pour "
            "lesquels une plainte a été déposée.\n\n"
            "Si votre démission n'est pas reconnue comme légitime, vous pourrez, après 121 jours "
            "de chômage, demander un réexamen de votre situation auprès de l'instance paritaire "
            "régionale, en justifiant de vos recherches d'emploi actives. Si vous estimez que "
            "votre départ a été provoqué par le comportement de votre employeur, un défenseur "
            "syndical ou un avocat pourra vous conseiller sur un éventuel recours devant le "
            "conseil de prud'hommes."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "sp_plus",
        "subject": "Radié pour un oubli d'actualisation",
        "body": (
            "J'ai oublié de m'actualiser en décembre, pendant les fêtes : j'étais chez ma mère "
            "malade. Résultat : plus d'inscription, plus de paiement, et il a fallu tout refaire. "
            "Un simple SMS de rappel et ça ne serait pas arrivé. Quatre ans de cotisations et on "
            "est traité comme un fraudeur pour un clic oublié."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre mécontentement, dans un contexte familial déjà difficile. "
            "L'actualisation mensuelle est indispensable pour maintenir votre inscription et le "
            "versement de vos allocations ; à défaut, l'inscription prend fin, mais il ne s'agit "
            "en aucun cas d'une sanction pour fraude. Des rappels sont envoyés par e-mail et dans "
            "l'application : vérifiez que vos coordonnées et vos préférences de notification sont "
            "à jour.\n\n"
            "Après votre réinscription, vos droits restants à l'allocation ne sont pas perdus : "
            "ils reprennent là où ils s'étaient arrêtés. Si votre oubli s'explique par un motif "
            "sérieux, comme l'état de santé de votre mère, écrivez à votre conseiller via la "
            "messagerie de votre espace : une régularisation de la période manquante peut être "
            "étudiée au vu de justificatifs, sans garantie. Votre remarque sur les rappels a été "
            "transmise."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : inscription France Travail après un CDD, pas d'adresse e-mail",
        "body": (
            "M. {name}, 45 ans, agent de production, a vu son CDD de 18 mois se terminer vendredi. "
            "C'est sa première inscription. Il n'a pas d'adresse e-mail et lit difficilement le "
            "français. Il a son certificat de travail mais pas l'attestation employeur. Il demande "
            "quand il sera payé."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'inscription se fait en ligne sur francetravail.fr ; le conseiller France Services "
            "peut la faire avec vous et vous aider à créer une adresse e-mail, nécessaire pour "
            "recevoir vos informations. Munissez-vous de votre pièce d'identité, de votre numéro "
            "de sécurité sociale, d'un RIB et, si possible, d'un CV. Votre inscription vaut "
            "demande d'allocation.\n\n"
            "L'attestation employeur est transmise directement par votre ancien employeur à France "
            "Travail : vous n'avez pas à la fournir, sauf si France Travail vous signale qu'elle "
            "manque. Avec 18 mois de travail, vous remplissez a priori la condition de durée "
            "d'emploi.\n\n"
            "Le paiement commence après un délai d'attente de 7 jours, auquel s'ajoute un différé "
            "si vous avez perçu une indemnité de congés payés ; l'allocation est ensuite versée "
            "chaque mois, après votre actualisation. Signalez à votre conseiller vos difficultés "
            "de lecture : un accompagnement adapté et des ateliers de français peuvent vous être "
            "proposés."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "phone",
        "subject": "Appel : quand vais-je recevoir mon premier paiement ?",
        "body": (
            "Mme {name} appelle : inscrite depuis le 6 janvier après une rupture conventionnelle, "
            "elle a reçu sa notification de droits (environ 48 € par jour) mais rien sur son "
            "compte. Son ancien employeur lui a versé une indemnité de rupture de 4 200 €, dont 1 "
            "500 € au-delà du minimum légal, et 9 jours de congés payés."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Avant le premier versement, plusieurs délais s'appliquent à compter de la fin de "
            "votre contrat : un différé correspondant à vos 9 jours de congés payés, un différé "
            "spécifique calculé sur la part de votre indemnité de rupture qui dépasse le minimum "
            "légal (ici environ deux semaines), puis le délai d'attente de 7 jours. Votre "
            "indemnisation commence donc plusieurs semaines après la fin de votre contrat.\n\n"
            "L'allocation est ensuite versée chaque mois, à terme échu, après votre actualisation "
            ": le premier paiement interviendra au début du mois qui suit le premier mois "
            "indemnisé. Le détail de ces différés figure dans votre notification de droits et dans "
            "la rubrique « Mes paiements » de votre espace ; en cas de doute, interrogez votre "
            "conseiller via la messagerie."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "sp_question",
        "subject": "Un mi-temps pendant le chômage, je perds mes allocations ?",
        "body": (
            "Bonjour, je touche l'ARE depuis 5 mois et on me propose un CDD à mi-temps de 4 mois "
            "comme secrétaire médicale. Si j'accepte, est-ce que je perds toutes mes allocations ? "
            "Est-ce que ça vaut le coup financièrement ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Accepter ce mi-temps ne vous fait pas perdre vos droits : vous pouvez cumuler une "
            "partie de votre allocation avec votre salaire. Chaque mois, lors de l'actualisation, "
            "vous déclarez les heures travaillées et le salaire brut ; l'allocation est alors "
            "réduite de 70 % de ce salaire brut, et le total perçu ne peut pas dépasser votre "
            "ancien salaire de référence.\n\n"
            "Les jours non indemnisés ne sont pas perdus : ils repoussent d'autant la date de fin "
            "de vos droits, et ce nouveau contrat pourra vous permettre d'en acquérir de nouveaux. "
            "Reprendre une activité est donc presque toujours avantageux financièrement ; le "
            "simulateur de francetravail.fr vous permet d'estimer le montant."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail", "france_services"),
        "channel": "web_form",
        "subject": "Mon ancien employeur n'envoie pas l'attestation",
        "body": (
            "Bonjour, mon contrat dans un restaurant s'est terminé le 31 décembre. France Travail "
            "me dit qu'il manque l'attestation employeur pour calculer mes droits. Le patron me "
            "dit qu'il « s'en occupe » depuis 5 semaines. Je n'ai aucun revenu. Qu'est-ce que je "
            "peux faire de mon côté ?\n"
            "{name} – 4 impasse du Moulin, 21000 Dijon"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Votre employeur a l'obligation de transmettre l'attestation à la fin du contrat. "
            "Adressez-lui une demande écrite, de préférence par courrier recommandé, en rappelant "
            "cette obligation : le défaut de remise peut être sanctionné et vous ouvrir droit à "
            "des dommages et intérêts.\n\n"
            "En parallèle, déposez dans votre espace personnel sur francetravail.fr tous les "
            "justificatifs de votre activité : contrat de travail, bulletins de salaire, "
            "certificat de travail. Signalez à votre conseiller que vous êtes sans ressources ; il "
            "vous indiquera les suites possibles. Si l'employeur persiste, vous pouvez saisir le "
            "conseil de prud'hommes en référé pour obtenir le document.\n\n"
            "En attendant, le CCAS de votre commune peut étudier une aide d'urgence, et vos droits "
            "éventuels au RSA peuvent être vérifiés sur caf.fr."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail", "caf"),
        "channel": "email",
        "subject": "Inscrite automatiquement à France Travail avec le RSA ?",
        "body": (
            "Bonjour,\n"
            "Je touche le RSA depuis novembre, je suis seule avec mon fils de 2 ans. J'ai reçu un "
            "courrier disant que je suis inscrite à France Travail et que je dois signer un « "
            "contrat d'engagement » avec 15 heures d'activité par semaine. Je n'ai pas de mode de "
            "garde pour mon fils. Est-ce qu'on va me couper le RSA ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Depuis 2025, les personnes qui demandent ou perçoivent le RSA sont inscrites "
            "automatiquement à France Travail, ou suivies par un autre organisme, et signent un "
            "contrat d'engagement. Ce contrat prévoit en principe une quinzaine d'heures "
            "d'activités par semaine (ateliers, formation, démarches d'insertion, immersion en "
            "entreprise), mais cette durée est adaptée à chaque situation et peut être réduite, "
            "notamment en cas de contraintes familiales comme l'absence de mode de garde pour un "
            "jeune enfant.\n\n"
            "Votre RSA n'est pas suspendu du fait de cette inscription. Lors de votre premier "
            "rendez-vous, expliquez votre situation : les activités seront définies avec vous et "
            "des solutions de garde pourront être recherchées, comme les crèches à vocation "
            "d'insertion professionnelle. Une sanction ne peut intervenir qu'en cas de manquement "
            "non justifié au contrat, et après que vous avez pu présenter vos explications."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "sp_plus",
        "subject": "Une conseillère qui a vraiment cru en moi",
        "body": (
            "Après 10 ans comme chauffeur-livreur avec des problèmes de dos, je voulais me "
            "reconvertir sans savoir dans quoi. Ma conseillère France Travail d'Alès m'a proposé "
            "une immersion en entreprise, puis une formation de technicien de maintenance "
            "entièrement financée. Je commence en CDI le mois prochain. Un grand merci à elle."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Félicitations pour votre nouveau poste, et merci pour ce témoignage, transmis avec "
            "plaisir à votre conseillère et à l'agence d'Alès. Les immersions professionnelles et "
            "les formations financées sont précisément là pour permettre ce type de "
            "reconversion.\n\n"
            "N'oubliez pas de déclarer votre reprise d'emploi lors de votre prochaine "
            "actualisation ou depuis votre espace personnel, afin d'éviter tout trop-perçu. Nous "
            "vous souhaitons une belle réussite dans ce nouveau métier."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "phone",
        "subject": "Appel : rupture conventionnelle et chômage pour un cadre de 52 ans",
        "body": (
            "M. {name}, cadre de 52 ans, appelle avant de signer une rupture conventionnelle. Son "
            "employeur lui propose 35 000 € d'indemnité. Il veut savoir s'il aura droit au chômage "
            "tout de suite, et pendant combien de temps. Il travaille dans l'entreprise depuis 14 "
            "ans."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La rupture conventionnelle ouvre droit à l'allocation chômage (ARE) si les conditions "
            "habituelles sont remplies, ce qui semble être votre cas. Le versement ne commence "
            "toutefois pas immédiatement : au délai d'attente de 7 jours s'ajoutent un différé lié "
            "à l'indemnité de congés payés et un différé spécifique, calculé sur la part de "
            "l'indemnité de rupture supérieure au minimum légal, dans la limite de 150 jours.\n\n"
            "La durée d'indemnisation dépend de votre durée d'emploi et de votre âge à la fin du "
            "contrat ; à 52 ans, elle est au maximum de 18 mois selon les règles actuelles. Pour "
            "les allocations élevées, une dégressivité peut s'appliquer après quelques mois. Avant "
            "de signer, estimez votre situation avec le simulateur de francetravail.fr, qui tient "
            "compte du montant de l'indemnité proposée."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : utiliser son CPF pour une formation",
        "body": (
            "Mme {name}, 58 ans, aide-soignante, veut suivre une formation en bureautique pour "
            "passer sur un poste administratif. Elle a entendu dire qu'elle avait « environ 3 000 "
            "€ » sur son CPF mais ne sait pas comment y accéder. Elle reçoit des appels de "
            "sociétés qui proposent de « l'aider à utiliser son CPF »."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Votre compte personnel de formation (CPF) se consulte uniquement sur le site officiel "
            "moncompteformation.gouv.fr ou son application. Pour vous connecter et valider une "
            "inscription, il faut une identité numérique sécurisée, comme L'Identité Numérique La "
            "Poste ou France Identité ; le conseiller France Services peut vous aider à la "
            "créer.\n\n"
            "Une fois connectée, vous verrez votre solde et pourrez rechercher des formations "
            "certifiantes en bureautique, près de chez vous ou à distance. Une participation "
            "forfaitaire d'un peu plus de 100 € est demandée pour chaque formation, sauf "
            "exceptions. Un conseil en évolution professionnelle, gratuit, peut aussi vous aider à "
            "construire votre projet.\n\n"
            "Attention : le démarchage téléphonique pour le CPF est interdit. Ne communiquez "
            "jamais vos identifiants ni vos codes, et signalez ces appels sur signal.conso.gouv.fr."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "sp_question",
        "subject": "France Travail me réclame un trop-perçu de 1 260 €",
        "body": (
            "Bonjour, j'ai reçu une notification de trop-perçu de 1 260 € de France Travail. Ils "
            "disent que j'ai déclaré mon salaire de septembre en retard. Je suis en CDD à temps "
            "partiel et l'argent est déjà dépensé. Je ne comprends pas le calcul. Est-ce que je "
            "peux contester ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Un trop-perçu apparaît souvent lorsqu'un salaire est pris en compte après le "
            "versement de l'allocation du mois concerné : l'allocation est alors recalculée à la "
            "baisse. Le détail du calcul figure dans la notification et dans votre espace "
            "personnel.\n\n"
            "Si vous contestez le montant, adressez une réclamation écrite via la messagerie de "
            "votre espace, en joignant vos bulletins de salaire. Si vous reconnaissez la dette "
            "mais ne pouvez pas la rembourser en une fois, demandez un échelonnement, ou une "
            "remise si votre situation financière le justifie. À défaut d'accord, le remboursement "
            "peut être retenu sur vos allocations futures, dans certaines limites. En cas de "
            "désaccord persistant, vous pouvez saisir le médiateur régional de France Travail."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "web_form",
        "subject": "Créer mon entreprise de traiteur en touchant le chômage",
        "body": (
            "Bonjour, je suis indemnisée depuis 2 mois (environ 1 450 € par mois, droits jusqu'en "
            "juin 2027) et je voudrais créer mon activité de traiteur en micro-entreprise. J'ai "
            "entendu parler de l'ARCE. Vaut-il mieux prendre l'ARCE ou garder mes allocations ? "
            "Merci. {name} — saveursdumonde.projet@gmail.com"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Deux options s'offrent à vous. Avec le maintien de l'allocation, vous continuez à "
            "percevoir chaque mois votre ARE, réduite en fonction des revenus que vous tirez de "
            "votre activité : cette solution sécurise les débuts, surtout si votre chiffre "
            "d'affaires est irrégulier. Avec l'aide à la reprise ou à la création d'entreprise "
            "(ARCE), vous recevez 60 % de vos droits restants sous forme de capital, en deux "
            "versements espacés de six mois.\n\n"
            "L'ARCE est utile si vous avez besoin de financer un investissement de départ "
            "(matériel, local) ; elle suppose d'avoir obtenu l'exonération de début d'activité "
            "(ACRE). Le choix doit être fait au moment de la création. Parlez-en à votre "
            "conseiller avant d'immatriculer votre entreprise : il pourra aussi vous orienter vers "
            "un accompagnement à la création."
        ),
    },
    {
        "topic": "emploi",
        "kinds": ("france_travail",),
        "channel": "email",
        "subject": "Rendez-vous manqué, j'étais malade",
        "body": (
            "Bonjour,\n"
            "J'avais rendez-vous hier à 10 h avec ma conseillère à l'agence de Créteil mais "
            "j'avais une gastro avec de la fièvre, je n'ai même pas pu prévenir. Est-ce que je "
            "vais être radié ? J'ai un certificat du médecin.\n"
            "{name}\n"
            "Identifiant France Travail : 4587210B"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Une absence à un rendez-vous n'entraîne pas de sanction lorsqu'elle est justifiée par "
            "un motif légitime, comme la maladie. Transmettez dès aujourd'hui votre certificat "
            "médical via la messagerie de votre espace sur francetravail.fr, en précisant la date "
            "du rendez-vous manqué ; un nouveau rendez-vous vous sera proposé.\n\n"
            "Si vous recevez malgré tout un courrier annonçant une sanction envisagée, répondez "
            "dans le délai indiqué en joignant le justificatif : vous pouvez toujours présenter "
            "vos explications avant toute décision. Si votre médecin vous a prescrit un arrêt de "
            "travail, signalez-le aussi lors de votre actualisation."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "sp_question",
        "subject": "Comment demander ma retraite ?",
        "body": (
            "Bonjour, je suis née en 1964 et je voudrais partir à la retraite le plus tôt "
            "possible. J'ai travaillé dans le privé puis 8 ans comme agent territorial. Je ne sais "
            "pas à qui m'adresser, ni quand faire la demande. Est-ce que je dois faire un dossier "
            "pour chaque caisse ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Une seule démarche suffit : la demande de retraite en ligne sur info-retraite.fr, "
            "transmise à l'ensemble de vos régimes (régime général, Agirc-Arrco, CNRACL pour vos "
            "années dans la fonction publique territoriale...). Il est conseillé de la déposer 6 "
            "mois avant la date de départ souhaitée.\n\n"
            "L'âge légal et le nombre de trimestres requis pour le taux plein dépendent de votre "
            "année de naissance, et les règles ont été modifiées récemment pour plusieurs "
            "générations. Vérifiez votre situation dans votre espace personnel sur "
            "info-retraite.fr, dont le simulateur tient compte des derniers textes ; selon l'âge "
            "auquel vous avez commencé à travailler, un départ anticipé pour carrière longue est "
            "peut-être possible.\n\n"
            "Avant toute chose, vérifiez votre relevé de carrière et faites corriger les "
            "éventuelles erreurs : c'est la base du calcul. Vous pouvez aussi demander un "
            "entretien gratuit avec un conseiller retraite."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "email",
        "subject": "Trimestres manquants sur mon relevé de carrière",
        "body": (
            "Bonjour,\n"
            "En consultant mon relevé de carrière sur info-retraite.fr, j'ai vu qu'il manque les "
            "années 1986 et 1987 : j'étais apprenti boulanger à Lens puis j'ai fait mon service "
            "militaire. Tout est à zéro. J'ai encore quelques fiches de paie abîmées et mon livret "
            "militaire. J'ai 61 ans et je ne veux pas perdre de trimestres.\n"
            "{name}\n"
            "Tél : 03 53 01 46 29"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Vous avez bien fait de vérifier : ces périodes peuvent être régularisées. "
            "Connectez-vous sur info-retraite.fr et utilisez le service « Corriger ma carrière » : "
            "signalez chaque période manquante et joignez vos justificatifs numérisés (bulletins "
            "de salaire, contrat d'apprentissage, certificat de travail). La demande est transmise "
            "au régime concerné.\n\n"
            "Le service militaire donne lieu à des trimestres dits « assimilés », validés sur "
            "justificatif : votre livret militaire ou, à défaut, un état des services obtenu "
            "auprès des archives militaires. Si certains bulletins sont illisibles, d'autres "
            "preuves peuvent être acceptées, comme une attestation de l'employeur. Notez que les "
            "périodes d'apprentissage anciennes ont parfois validé moins de trimestres, compte "
            "tenu des faibles salaires de l'époque.\n\n"
            "Faites cette démarche dès maintenant, avant votre demande de retraite : le traitement "
            "des corrections peut prendre plusieurs mois."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "france_services",
        "subject": "Accompagnement : pension de réversion après le décès du mari",
        "body": (
            "Mme {name}, 67 ans, a perdu son mari en décembre. Il était retraité de la SNCF après "
            "une première carrière dans le privé. Elle touche une petite retraite de 780 € "
            "(ancienne aide à domicile). Sa fille lui a dit qu'elle avait droit à « la réversion » "
            "mais elle ne sait pas à qui la demander. Elle a apporté l'acte de décès et son livret "
            "de famille."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Toutes nos condoléances. Vous pouvez demander la pension de réversion auprès de tous "
            "les régimes de retraite de votre mari en une seule démarche, grâce au service de "
            "demande de réversion en ligne sur info-retraite.fr. Le conseiller France Services "
            "peut l'effectuer avec vous.\n\n"
            "Les conditions varient selon les régimes : au régime général, la réversion est "
            "soumise à un plafond de ressources, sans condition de durée de mariage ; au régime de "
            "la SNCF, il n'y a pas de condition de ressources mais une condition de durée de "
            "mariage ou d'enfant ; la retraite complémentaire Agirc-Arrco est versée sans "
            "condition de ressources. Chaque régime étudiera donc votre droit séparément.\n\n"
            "Préparez l'acte de décès, votre livret de famille ou acte de mariage, vos avis "
            "d'impôt, un RIB et vos justificatifs de ressources. Au régime général, si la demande "
            "est déposée dans l'année qui suit le décès, la réversion peut prendre effet dès le "
            "mois suivant le décès."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "phone",
        "subject": "Appel : premier paiement de retraite pas arrivé",
        "body": (
            "M. {name} appelle : il est retraité depuis le 1er février (régime général), il "
            "pensait recevoir sa pension début février et n'a rien reçu. Il a eu la notification "
            "de la Carsat mais rien de l'Agirc-Arrco. Il n'a plus de salaire depuis janvier et "
            "commence à s'inquiéter."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La retraite du régime général est payée à terme échu : la pension de février est "
            "versée début mars, aux alentours du 9. Il est donc normal que vous n'ayez encore rien "
            "reçu de la Carsat.\n\n"
            "Pour la retraite complémentaire, l'Agirc-Arrco traite votre demande séparément : en "
            "l'absence de notification, votre dossier est probablement encore à l'étude. Vérifiez "
            "votre espace personnel sur agirc-arrco.fr ou contactez votre caisse ; les sommes dues "
            "depuis votre date de départ vous seront versées en rappel une fois les droits "
            "calculés.\n\n"
            "Si cette période vous met en difficulté, le CCAS de votre commune peut étudier une "
            "aide ponctuelle, et votre banque un aménagement temporaire."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "sp_plus",
        "subject": "Trois mois sans pension après 42 ans de travail",
        "body": (
            "J'ai fait ma demande de retraite 5 mois avant mon départ, comme conseillé. Départ le "
            "1er octobre, premier versement reçu le 12 janvier. Trois mois à vivre sur mes "
            "économies, des dizaines d'appels, des pièces redemandées que j'avais déjà envoyées. "
            "Je trouve ça indigne après 42 ans de cotisations."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre colère : un tel délai n'est pas acceptable lorsqu'une demande a "
            "été déposée dans les temps. Votre témoignage est transmis aux organismes "
            "concernés.\n\n"
            "Vérifiez que le versement de janvier comprend bien les rappels depuis le 1er octobre, "
            "pour chacun de vos régimes : le détail figure dans votre espace personnel ou sur la "
            "notification de paiement. Si ce n'est pas le cas, ou si une erreur subsiste, adressez "
            "une réclamation écrite à votre caisse de retraite, en rappelant la date de dépôt de "
            "votre demande complète. En l'absence de réponse satisfaisante, vous pouvez saisir le "
            "médiateur de l'Assurance retraite ou celui de l'Agirc-Arrco.\n\n"
            "Un conseiller France Services peut vous aider à rédiger ces démarches."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services", "mairie"),
        "channel": "web_form",
        "subject": "Minimum vieillesse et maison en héritage",
        "body": (
            "Bonjour, ma mère a 78 ans et touche 690 € de retraite par mois. On m'a dit qu'elle "
            "pourrait avoir le minimum vieillesse, mais aussi que l'État reprendrait sa maison à "
            "son décès. Est-ce vrai ? Elle tient à laisser la maison à ses petits-enfants. Merci, "
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Avec une retraite de 690 € par mois, votre mère pourrait bénéficier de l'allocation "
            "de solidarité aux personnes âgées (ASPA), qui complète ses ressources jusqu'à un "
            "montant minimum, d'un peu plus de 1 000 € par mois pour une personne seule. La maison "
            "qu'elle occupe n'est pas prise en compte dans ses ressources.\n\n"
            "Les sommes versées au titre de l'ASPA peuvent effectivement être récupérées au décès, "
            "mais uniquement sur la part de la succession qui dépasse un seuil fixé par décret (un "
            "peu plus de 100 000 € en métropole) et dans une limite annuelle. L'État ne « reprend "
            "» donc pas la maison : selon la valeur de la succession, il peut ne rien y avoir à "
            "rembourser, et les héritiers peuvent régler la somme due sans vendre le bien.\n\n"
            "La demande se fait auprès de sa caisse de retraite, en ligne ou avec un formulaire "
            "papier. Un conseiller France Services ou le CCAS peut vous aider à la constituer."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "email",
        "subject": "J'ai travaillé 12 ans en Allemagne, comment ça se passe ?",
        "body": (
            "Bonjour,\n"
            "Je suis française, j'ai travaillé 12 ans à Stuttgart (1995–2007) puis en France "
            "jusqu'à aujourd'hui. J'aurai 63 ans l'an prochain. Est-ce que je dois faire une "
            "demande en Allemagne ? Est-ce que mes années allemandes comptent pour mes trimestres "
            "en France ?\n"
            "Mit freundlichen Grüßen / Cordialement,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Grâce aux règlements européens de coordination, une seule demande suffit : déposez-la "
            "auprès de votre caisse de retraite en France, pays où vous résidez. Elle transmettra "
            "votre dossier à l'organisme allemand (Deutsche Rentenversicherung), qui étudiera vos "
            "droits selon ses propres règles. Mentionnez bien vos périodes allemandes et, si vous "
            "l'avez, votre numéro d'assurance allemand.\n\n"
            "Vos années en Allemagne sont prises en compte pour déterminer si vous avez droit au "
            "taux plein en France, mais chaque pays ne vous verse qu'une pension correspondant aux "
            "années cotisées chez lui. L'âge de départ étant différent en Allemagne, la pension "
            "allemande pourrait être versée plus tard que la française.\n\n"
            "Des journées de conseil franco-allemandes sont régulièrement organisées par les "
            "caisses de retraite des deux pays : renseignez-vous auprès de votre caisse pour y "
            "prendre rendez-vous."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "phone",
        "subject": "Appel : reprendre un petit boulot une fois retraité",
        "body": (
            "M. {name}, 66 ans, ancien comptable, retraité depuis 2 ans, appelle car une "
            "entreprise lui propose des missions à temps partiel. Il demande s'il a le droit de "
            "travailler, s'il va perdre une partie de sa retraite, et si ces nouvelles cotisations "
            "augmenteront sa pension."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Oui, vous pouvez reprendre une activité. Comme vous avez liquidé toutes vos retraites "
            "à taux plein, le cumul emploi-retraite est dit « intégral » : vous pouvez cumuler "
            "votre pension et vos nouveaux revenus sans plafond. Seule précaution : si vous "
            "retravaillez pour votre dernier employeur, un délai de 6 mois après le départ en "
            "retraite doit être respecté, ce qui est votre cas.\n\n"
            "Depuis la réforme de 2023, les cotisations versées pendant un cumul intégral "
            "permettent, sous conditions et dans certaines limites, de se constituer une seconde "
            "pension, demandée lorsque vous cesserez définitivement votre activité. Informez votre "
            "caisse de retraite de votre reprise d'activité dans le mois qui suit."
        ),
    },
    {
        "topic": "retraite",
        "kinds": ("france_services",),
        "channel": "france_services",
        "subject": "Accompagnement : passer à temps partiel avant la retraite",
        "body": (
            "Mme {name}, 61 ans, comptable dans une PME, envisage de passer à 60 % pour ses deux "
            "dernières années de travail. Elle a entendu parler de la « retraite progressive » et "
            "veut savoir si elle y a droit et ce qu'elle toucherait. Son employeur y est plutôt "
            "favorable."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La retraite progressive permet de travailler à temps partiel tout en percevant une "
            "fraction de votre retraite. Depuis septembre 2025, elle est accessible dès 60 ans, à "
            "condition de justifier de 150 trimestres et d'exercer une activité à temps partiel "
            "comprise entre 40 % et 80 % d'un temps plein.\n\n"
            "En travaillant à 60 %, vous percevriez 40 % de votre retraite provisoire, en plus de "
            "votre salaire. Vous continuez à cotiser, et votre retraite définitive sera recalculée "
            "lorsque vous cesserez complètement de travailler.\n\n"
            "La demande se fait en ligne sur info-retraite.fr, avec une attestation de votre "
            "employeur précisant votre temps de travail. Le conseiller France Services peut vous "
            "aider à estimer le montant à l'aide du simulateur."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("caf", "france_services"),
        "channel": "email",
        "subject": "RSA suspendu, j'ai oublié la déclaration trimestrielle",
        "body": (
            "Bonjour,\n"
            "Je n'ai pas reçu mon RSA ce mois-ci. En regardant sur le site, je vois que je n'ai "
            "pas fait ma déclaration trimestrielle de ressources : j'étais hospitalisé 10 jours et "
            "j'ai complètement oublié. Est-ce que je peux encore la faire ? Est-ce que je vais "
            "récupérer l'argent du mois ?\n"
            "{name}, allocataire n° 1198842"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Oui, vous pouvez encore faire votre déclaration trimestrielle : connectez-vous sans "
            "attendre sur caf.fr ou l'application. Certains montants, comme les salaires ou les "
            "indemnités, sont désormais préremplis : vérifiez-les et complétez les ressources "
            "manquantes.\n\n"
            "Une fois la déclaration enregistrée et traitée, le versement reprend normalement, et "
            "le mois suspendu vous est versé en rappel si vos droits sont confirmés. Si rien n'a "
            "changé d'ici une dizaine de jours, écrivez à votre CAF depuis votre espace en "
            "signalant votre hospitalisation.\n\n"
            "Pour éviter un nouvel oubli, activez les notifications de l'application : vous "
            "recevrez un rappel à chaque échéance trimestrielle."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("caf",),
        "channel": "sp_plus",
        "subject": "Prime d'activité divisée par deux sans explication",
        "body": (
            "Ma prime d'activité est passée de 212 € à 98 € du jour au lendemain. Sur le site, "
            "aucune explication claire, juste un nouveau montant. J'ai appelé le 3230, on m'a dit "
            "que c'était « le calcul ». Mon salaire n'a pas bougé. J'aimerais juste comprendre ce "
            "qu'on me reproche."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre incompréhension, et il ne s'agit en aucun cas d'un reproche. La "
            "prime d'activité est calculée pour trois mois à partir des ressources du trimestre "
            "précédent, et de celles de toutes les personnes de votre foyer. Une baisse peut donc "
            "survenir même si votre salaire habituel est stable : prime ou heures supplémentaires "
            "perçues au trimestre précédent, revenus d'un conjoint, fin d'une autre prestation, "
            "changement dans la situation d'un enfant...\n\n"
            "Le détail du calcul, avec les ressources retenues, est consultable dans votre espace "
            "caf.fr, rubrique « Mes paiements ». Si un montant vous paraît erroné, signalez-le "
            "depuis votre espace ; vous pouvez aussi demander un rendez-vous avec un conseiller, "
            "ou former un recours amiable dans les 2 mois. Votre remarque sur le manque "
            "d'explications a été transmise."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("caf", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : demande de RSA après un départ du domicile conjugal",
        "body": (
            "Mme {name}, 38 ans, vient de quitter le domicile conjugal avec sa fille de 8 ans "
            "après des violences. Elle est hébergée par une amie à Saint-Nazaire. Elle n'a aucun "
            "revenu et pas de compte bancaire à son nom. Elle ne connaît pas son numéro "
            "allocataire : c'était son mari qui gérait tout."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Vous pouvez demander le RSA à votre nom ; en tant que parent isolé, un montant majoré "
            "peut s'appliquer. La demande se fait en ligne sur caf.fr, avec l'aide du conseiller "
            "France Services. Vous deviendrez allocataire avec un dossier distinct de celui de "
            "votre ex-conjoint, et les prestations liées à votre fille vous seront versées une "
            "fois la séparation déclarée.\n\n"
            "Si vous avez déposé plainte ou obtenu une ordonnance de protection, vous pouvez aussi "
            "demander l'aide universelle d'urgence pour les victimes de violences conjugales, "
            "versée rapidement par la CAF. Pour le compte bancaire, vous avez le droit d'ouvrir un "
            "compte à votre seul nom ; en cas de refus, la Banque de France peut désigner une "
            "banque.\n\n"
            "Le 3919, gratuit et anonyme, peut vous écouter et vous orienter à tout moment. Le "
            "travailleur social du département ou le CCAS peut aussi vous proposer une aide "
            "d'urgence et vous accompagner pour l'hébergement."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("caf", "france_services"),
        "channel": "phone",
        "subject": "Appel : indu de prime d'activité de 2 300 €, impossible à rembourser",
        "body": (
            "M. {name} appelle, très inquiet : la CAF lui réclame 2 300 € de prime d'activité "
            "versée « à tort » en 2025. Il dit avoir déclaré ses revenus correctement mais n'avoir "
            "pas signalé que sa compagne s'était installée chez lui en avril. Il gagne 1 500 € par "
            "mois et a deux crédits en cours."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La prime d'activité tient compte des ressources de l'ensemble du foyer : l'arrivée de "
            "votre compagne aurait dû être déclarée, ce qui explique ce trop-perçu. Si vous ne "
            "contestez pas le principe de la dette, plusieurs solutions existent pour ne pas vous "
            "mettre en difficulté.\n\n"
            "Vous pouvez demander un échéancier adapté à votre budget, depuis votre espace caf.fr "
            "ou par courrier. À défaut, la dette sera récupérée par retenues sur vos prestations, "
            "dans une limite calculée selon vos ressources. Vous pouvez aussi demander une remise "
            "de dette, totale ou partielle, en exposant vos charges et votre bonne foi ; elle est "
            "examinée au cas par cas. Si vous contestez le montant, un recours amiable est "
            "possible dans les 2 mois suivant la notification.\n\n"
            "Déclarez dès maintenant votre vie en couple si ce n'est pas fait, pour que la dette "
            "n'augmente pas. Un Point conseil budget peut aussi vous aider gratuitement à faire le "
            "point sur vos crédits."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("mairie", "france_services"),
        "channel": "sp_question",
        "subject": "Sans domicile, comment recevoir mon courrier ?",
        "body": (
            "Bonjour, je dors chez des amis ou dans ma voiture depuis plusieurs mois. Je n'ai plus "
            "d'adresse et je ne reçois plus mes courriers (impôts, CAF, banque). On m'a dit qu'il "
            "fallait une « domiciliation ». Où faire cette demande ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "La domiciliation permet aux personnes sans domicile stable de disposer gratuitement "
            "d'une adresse pour recevoir leur courrier et faire valoir leurs droits : prestations "
            "sociales, carte d'identité, inscription sur les listes électorales, compte "
            "bancaire...\n\n"
            "Adressez-vous au centre communal d'action sociale (CCAS) de la commune où vous "
            "séjournez ou avec laquelle vous avez un lien, ou à une association agréée par la "
            "préfecture. Après un entretien, vous recevrez une attestation d'élection de domicile, "
            "valable un an et renouvelable, à transmettre à vos organismes. Vous devrez vous "
            "manifester régulièrement, au moins une fois tous les trois mois, pour relever votre "
            "courrier.\n\n"
            "Le CCAS pourra aussi faire le point avec vous sur vos droits et vos possibilités "
            "d'hébergement ; le 115 est joignable gratuitement pour une mise à l'abri."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("mairie", "france_services"),
        "channel": "web_form",
        "subject": "Besoin d'aide urgente pour finir le mois",
        "body": (
            "Bonjour, je suis maman solo de 3 enfants. Ce mois-ci j'ai eu une grosse réparation de "
            "voiture (obligatoire pour aller au travail) et il ne me reste que 40 € pour finir le "
            "mois, on est le 12. Je ne sais pas vers qui me tourner, j'ai honte de demander. "
            "Est-ce que la mairie peut aider ?\n"
            "{name}, 06 39 98 64 10"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Vous avez bien fait de nous écrire : il n'y a aucune honte à demander de l'aide dans "
            "cette situation. Le centre communal d'action sociale (CCAS) peut étudier une aide "
            "ponctuelle, sous forme de bons alimentaires ou d'aide financière d'urgence, et vous "
            "orienter vers une épicerie solidaire ou une association d'aide alimentaire (Restos du "
            "cœur, Secours populaire, Secours catholique, Croix-Rouge).\n\n"
            "Contactez le CCAS dès que possible par téléphone ou à l'accueil de la mairie, en "
            "apportant vos justificatifs de ressources et de charges, ainsi que la facture de "
            "réparation. Un travailleur social du département peut aussi vous accompagner et, "
            "selon les cas, solliciter une aide financière de votre CAF.\n\n"
            "Enfin, vérifiez que vous percevez toutes les aides auxquelles vous avez droit grâce "
            "au simulateur de mesdroitssociaux.gouv.fr."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("france_travail", "france_services"),
        "channel": "email",
        "subject": "22 ans, sans travail, je n'ai droit à rien ?",
        "body": (
            "Bonjour,\n"
            "J'ai 22 ans, j'ai arrêté la fac en deuxième année et je cherche du travail depuis 6 "
            "mois. Je vis chez ma mère qui a peu de revenus. J'ai voulu demander le RSA mais le "
            "simulateur dit que je n'y ai pas droit. Est-ce qu'il existe quelque chose pour les "
            "jeunes ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le RSA est en effet réservé aux personnes de 25 ans et plus, sauf exceptions "
            "(parents, jeunes ayant déjà travaillé deux ans). En revanche, le contrat d'engagement "
            "jeune (CEJ) correspond à votre situation : il s'agit d'un accompagnement intensif de "
            "15 à 20 heures par semaine (formation, stages, ateliers, mises en situation "
            "professionnelle) pendant 6 à 12 mois, avec une allocation pouvant aller jusqu'à un "
            "peu plus de 500 € par mois selon vos ressources et celles de votre foyer.\n\n"
            "Pour en bénéficier, contactez la Mission locale de votre secteur ou inscrivez-vous à "
            "France Travail. Le site 1jeune1solution.gouv.fr recense aussi les offres d'emploi, "
            "d'alternance et les aides destinées aux jeunes. Dès que vous travaillerez, pensez à "
            "vérifier vos droits à la prime d'activité."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("france_services",),
        "channel": "sp_plus",
        "subject": "Merci à la France Services de Lodève",
        "body": (
            "Je n'arrivais pas à faire ma demande de RSA, le site me demandait des choses que je "
            "ne comprenais pas et mon téléphone plantait. À la France Services, Nadia a pris une "
            "heure avec moi, on a tout fait ensemble, scanné les papiers, et elle m'a même "
            "expliqué comment faire la déclaration trimestrielle. Dix jours après j'avais la "
            "réponse. Vraiment un grand merci."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Merci beaucoup pour ce message chaleureux, que nous avons transmis à Nadia et à toute "
            "l'équipe. Accompagner chacun dans ses démarches en ligne est précisément notre "
            "mission.\n\n"
            "N'hésitez pas à revenir nous voir pour vos prochaines déclarations trimestrielles ou "
            "toute autre démarche : nos conseillers peuvent vous aider pour la CAF, mais aussi "
            "l'Assurance Maladie, les impôts, France Travail ou la retraite. Pour une déclaration "
            "trimestrielle, pensez simplement à apporter vos identifiants caf.fr et vos "
            "justificatifs de ressources du trimestre."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("caf",),
        "channel": "phone",
        "subject": "Appel : la prime d'activité pour un apprenti ?",
        "body": (
            "Mme {name} appelle pour son fils de 19 ans, apprenti en BTS, payé 1 180 € net par "
            "mois. Un collègue de l'entreprise lui a dit que les apprentis pouvaient toucher la "
            "prime d'activité. Elle-même perçoit la prime d'activité et les allocations "
            "familiales. Elle ne sait pas si son fils doit faire sa propre demande."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Les apprentis et étudiants salariés peuvent bénéficier de la prime d'activité lorsque "
            "leurs revenus d'activité atteignent au moins 78 % du Smic net, soit un peu plus de 1 "
            "100 € par mois. Avec 1 180 € nets, votre fils pourrait donc y être éligible.\n\n"
            "Selon sa situation, et notamment s'il est encore considéré comme à votre charge, il "
            "peut être pris en compte dans votre propre prime d'activité ou déposer sa propre "
            "demande. Le simulateur de caf.fr permet de comparer les deux hypothèses avant de "
            "faire la démarche.\n\n"
            "Par ailleurs, avec ce niveau de salaire, votre fils n'est plus considéré comme à "
            "charge pour les allocations familiales : pensez à déclarer sa rémunération sur caf.fr "
            "pour éviter un trop-perçu."
        ),
    },
    {
        "topic": "solidarite",
        "kinds": ("caf",),
        "channel": "sp_question",
        "subject": "RSA : je dois déclarer un héritage ?",
        "body": (
            "Bonjour, je touche le RSA et ma grand-mère m'a laissé 8 000 € en héritage, placés sur "
            "un livret A. Est-ce que je dois le déclarer à la CAF ? Est-ce que je vais perdre mon "
            "RSA ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Oui, vous devez déclarer cette somme, mais vous ne perdrez pas votre RSA pour autant. "
            "Un héritage n'est pas un revenu : le capital lui-même ne vient pas en déduction de "
            "votre allocation. En revanche, l'épargne est prise en compte sous la forme d'un "
            "revenu théorique égal à 3 % par an de son montant, soit environ 60 € par trimestre "
            "pour 8 000 €.\n\n"
            "Indiquez ce capital lors de votre prochaine déclaration trimestrielle de ressources, "
            "dans la rubrique prévue pour les placements. Votre RSA sera légèrement réduit en "
            "conséquence. Ne pas le déclarer vous exposerait à un rappel des sommes perçues à tort."
        ),
    },
    {
        "topic": "handicap",
        "kinds": ("caf", "france_services"),
        "channel": "email",
        "subject": "Mon AAH se termine en juin, que faire ?",
        "body": (
            "Bonjour,\n"
            "Je perçois l'AAH depuis 2021 pour une maladie psychiatrique. D'après mon dernier "
            "courrier, mes droits se terminent le 30 juin. Je n'ai rien reçu de la MDPH. Est-ce "
            "que c'est à moi de faire le renouvellement ? J'ai peur de me retrouver sans rien cet "
            "été.\n"
            "{name}\n"
            "14 avenue Jean-Jaurès, 63000 Clermont-Ferrand"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Oui, c'est à vous de demander le renouvellement auprès de la MDPH de votre "
            "département ; il est recommandé de le faire environ 6 mois avant la fin des droits. "
            "Il n'est pas trop tard, mais il faut agir rapidement.\n\n"
            "Votre dossier comprend le formulaire de demande, un certificat médical de moins d'un "
            "an rempli par votre psychiatre ou votre médecin traitant, une pièce d'identité et un "
            "justificatif de domicile. De nombreuses MDPH acceptent le dépôt en ligne ; sinon, "
            "envoyez-le par courrier ou déposez-le à l'accueil, et conservez l'accusé de "
            "réception.\n\n"
            "Si la décision tarde à l'approche du 30 juin, signalez-le à la MDPH et à votre CAF en "
            "rappelant la date de dépôt, afin d'éviter une interruption de paiement. Le conseiller "
            "France Services peut vous aider à constituer le dossier."
        ),
    },
    {
        "topic": "handicap",
        "kinds": ("caf", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : premier dossier MDPH pour un enfant autiste",
        "body": (
            "Mme {name} est venue avec son fils Yanis, 6 ans, qui vient d'être diagnostiqué "
            "autiste par le centre de ressources autisme. L'école lui a conseillé de « faire un "
            "dossier MDPH » pour obtenir une AESH. Elle ne sait pas par où commencer, le "
            "formulaire fait 20 pages. Elle travaille à temps partiel pour s'occuper de lui."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le dossier MDPH permet de demander en une seule fois plusieurs aides pour Yanis : "
            "l'accompagnement par une AESH dans le cadre d'un projet personnalisé de "
            "scolarisation, et l'allocation d'éducation de l'enfant handicapé (AEEH), versée par "
            "la CAF, éventuellement avec un complément tenant compte de la réduction de votre "
            "temps de travail.\n\n"
            "Il faut joindre : le formulaire de demande, un certificat médical de moins d'un an "
            "rempli par le médecin qui suit Yanis, le compte rendu du diagnostic, le document "
            "d'évaluation de la scolarité rempli avec l'école, ainsi que votre pièce d'identité et "
            "un justificatif de domicile. Le formulaire est long, mais vous ne remplissez que les "
            "parties qui vous concernent ; la partie décrivant votre vie quotidienne et vos "
            "attentes est la plus importante.\n\n"
            "Le conseiller peut vous aider à le compléter. Le délai de réponse des MDPH est "
            "souvent de plusieurs mois : déposez le dossier au plus vite, idéalement avant le "
            "printemps pour la rentrée suivante."
        ),
    },
    {
        "topic": "handicap",
        "kinds": ("mairie", "france_services"),
        "channel": "sp_plus",
        "subject": "Huit mois d'attente pour une réponse de la MDPH",
        "body": (
            "Dossier déposé en juin pour une demande de RQTH et de carte mobilité inclusion. Huit "
            "mois plus tard, toujours rien. Sur le site, « dossier en cours d'évaluation ». "
            "Pendant ce temps, mon employeur attend la RQTH pour adapter mon poste. Je me sens "
            "complètement oublié."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre découragement et regrettons ce délai, bien supérieur au délai "
            "de 4 mois prévu par les textes. Les MDPH font face à un nombre très important de "
            "demandes, ce qui n'excuse pas l'absence d'information sur l'avancement de votre "
            "dossier.\n\n"
            "Écrivez à la MDPH en rappelant la date de dépôt et l'urgence liée à l'aménagement de "
            "votre poste : certaines demandes peuvent être traitées en priorité. Le silence gardé "
            "au-delà de 4 mois vaut refus implicite, ce qui vous ouvre la possibilité d'un recours "
            "administratif ; la MDPH dispose aussi d'une personne chargée de la conciliation.\n\n"
            "En attendant, l'aménagement de votre poste peut déjà être étudié avec le médecin du "
            "travail, sans attendre la RQTH. Un conseiller France Services peut vous aider à "
            "rédiger votre courrier."
        ),
    },
    {
        "topic": "handicap",
        "kinds": ("caf",),
        "channel": "phone",
        "subject": "Appel : est-ce que je perds l'AAH si je m'installe en couple ?",
        "body": (
            "Mme {name}, 41 ans, perçoit l'AAH. Elle appelle car elle va emménager avec son "
            "compagnon, qui gagne environ 2 400 € par mois. Une amie lui a dit qu'elle allait "
            "perdre son allocation. Elle hésite à s'installer avec lui pour cette raison."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Rassurez-vous : depuis le 1er octobre 2023, les revenus du conjoint ne sont plus pris "
            "en compte dans le calcul de l'AAH. Votre allocation dépend uniquement de vos propres "
            "ressources, que vous viviez seule ou en couple ; vous pouvez donc vous installer avec "
            "votre compagnon sans perdre votre AAH pour ce motif.\n\n"
            "Vous devez néanmoins déclarer votre vie en couple à la CAF, car elle a des effets sur "
            "d'autres aides calculées sur les ressources du foyer, comme l'aide au logement, la "
            "prime d'activité ou la complémentaire santé solidaire. Les simulateurs de caf.fr vous "
            "permettent d'estimer ces changements avant votre emménagement."
        ),
    },
    {
        "topic": "handicap",
        "kinds": ("mairie", "france_services"),
        "channel": "sp_question",
        "subject": "Carte de stationnement pour mon père",
        "body": (
            "Bonjour, mon père de 84 ans ne peut plus marcher plus de 100 mètres sans s'arrêter "
            "(insuffisance cardiaque). Nous voudrions une carte de stationnement handicapé pour "
            "pouvoir le déposer près des commerces. Où faut-il la demander ? Il touche l'APA."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "La carte mobilité inclusion (CMI) mention « stationnement » correspond à la situation "
            "de votre père. Comme il bénéficie de l'allocation personnalisée d'autonomie (APA), la "
            "demande ne passe pas par la MDPH : elle se fait auprès du département, qui gère son "
            "APA, par exemple lors d'une réévaluation ou sur simple demande écrite à ses "
            "services.\n\n"
            "La carte permet à votre père, ou à la personne qui le transporte, de se garer sur les "
            "places réservées et, dans la plupart des communes, de stationner gratuitement sur les "
            "places publiques. Elle doit être apposée de façon visible derrière le pare-brise, "
            "uniquement lorsque votre père est présent dans le véhicule."
        ),
    },
    {
        "topic": "handicap",
        "kinds": ("mairie", "france_services"),
        "channel": "web_form",
        "subject": "À quoi sert la RQTH ?",
        "body": (
            "Bonjour, j'ai une polyarthrite et je suis en CDI dans une grande entreprise. Mon "
            "médecin me conseille de demander la RQTH. Je n'ai pas envie que mon employeur le "
            "sache. Est-ce obligatoire de lui dire ? Qu'est-ce que ça m'apporte concrètement ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La reconnaissance de la qualité de travailleur handicapé (RQTH) est attribuée par la "
            "MDPH. Vous n'avez aucune obligation de la communiquer à votre employeur : c'est vous "
            "qui décidez si, et quand, vous l'utilisez.\n\n"
            "Si vous choisissez de la faire valoir, elle peut vous permettre d'obtenir un "
            "aménagement de poste (matériel, horaires, télétravail) financé en partie par des "
            "aides dédiées, un suivi renforcé par la médecine du travail, l'accompagnement d'un "
            "conseiller spécialisé et, dans certaines entreprises, des avantages prévus par un "
            "accord handicap. Elle est aussi utile en cas de changement d'emploi ou de "
            "reconversion.\n\n"
            "La demande se fait avec le formulaire MDPH et un certificat médical de moins d'un an. "
            "Selon l'évolution de votre maladie, la RQTH peut être accordée pour plusieurs années, "
            "voire sans limitation de durée."
        ),
    },
    {
        "topic": "handicap",
        "kinds": ("caf",),
        "channel": "email",
        "subject": "AAH et reprise d'un travail à mi-temps",
        "body": (
            "Bonjour,\n"
            "Je touche l'AAH à taux plein et on me propose un poste à mi-temps dans une entreprise "
            "adaptée. Est-ce que je vais perdre l'AAH ? Combien je peux gagner sans que ça baisse "
            "? Merci de votre réponse.\n"
            "{name}\n"
            "e-mail : cyclo.lyon69@free.fr"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Reprendre une activité ne vous fait pas perdre l'AAH : l'allocation est réduite en "
            "fonction de vos revenus, avec des règles favorables. Pendant les 6 premiers mois de "
            "reprise, vous pouvez cumuler intégralement votre salaire et votre AAH.\n\n"
            "Ensuite, seule une partie de votre salaire est prise en compte : un abattement de 80 "
            "% s'applique sur la part inférieure à 30 % du Smic brut, et de 40 % au-delà. "
            "Concrètement, avec un mi-temps, vous conserverez en général une AAH réduite, et vos "
            "revenus totaux seront supérieurs à ceux d'aujourd'hui.\n\n"
            "Lorsque vous travaillez, vous déclarez vos ressources chaque trimestre à la CAF. Le "
            "simulateur de caf.fr vous permettra d'estimer votre AAH selon le salaire proposé."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services",),
        "channel": "email",
        "subject": "Impossible de renouveler mon titre de séjour, aucun rendez-vous",
        "body": (
            "Bonjour,\n\n"
            "Ma carte de séjour « salarié » expire le 28 mars. Cela fait 5 semaines que j'essaie "
            "tous les jours de prendre rendez-vous sur le site de la préfecture de Bobigny : « "
            "aucun créneau disponible ». Mon employeur m'a dit que sans document valable il devra "
            "suspendre mon contrat. Je suis très inquiet. Que puis-je faire ?\n\n"
            "{name}\n"
            "Tél. 06 39 98 52 36"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La plupart des renouvellements de titres de séjour, dont la carte « salarié », se "
            "font désormais entièrement en ligne, sans rendez-vous, sur le site de "
            "l'Administration numérique pour les étrangers en France (ANEF) : "
            "administration-etrangers-en-france.interieur.gouv.fr. Vérifiez que votre démarche y "
            "est proposée et déposez votre demande sans attendre, avant la date d'expiration.\n\n"
            "Une fois la demande déposée, vous pourrez télécharger une attestation de prolongation "
            "d'instruction, qui prouve la régularité de votre séjour et vous permet de continuer à "
            "travailler pendant l'examen de votre dossier. Transmettez-en une copie à votre "
            "employeur.\n\n"
            "Si votre démarche n'est pas disponible en ligne, conservez les preuves datées de vos "
            "tentatives (captures d'écran) et écrivez à la préfecture par courrier recommandé. Le "
            "Défenseur des droits peut aussi être saisi. Une France Services ou le point d'accueil "
            "numérique de la préfecture peut vous aider à utiliser l'ANEF."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services",),
        "channel": "france_services",
        "subject": "Accompagnement : dépôt d'une demande de titre étudiant sur l'ANEF",
        "body": (
            "M. {name}, de nationalité tunisienne, étudiant en master à Poitiers, est venu car il "
            "n'arrive pas à finaliser sa demande de renouvellement de titre de séjour étudiant sur "
            "l'ANEF. Le site refuse ses fichiers (« format non valide ») et il ne sait pas quels "
            "justificatifs de ressources fournir. Son titre expire dans 7 semaines."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'ANEF n'accepte que certains formats (en général PDF, JPEG ou PNG), avec une taille "
            "maximale par fichier. Les photos prises avec certains smartphones sont enregistrées "
            "dans un format refusé : il faut les convertir, ou numériser les documents. Le "
            "conseiller France Services peut scanner vos pièces avec vous.\n\n"
            "Pour un renouvellement de titre étudiant, préparez votre passeport, votre titre "
            "actuel, un justificatif de domicile, votre certificat d'inscription pour l'année en "
            "cours, vos relevés de notes, une photo d'identité numérique et un justificatif de "
            "ressources suffisantes : relevés bancaires, attestation de bourse, virements "
            "réguliers de votre famille ou contrat de travail. Le montant de référence est "
            "d'environ 615 € par mois.\n\n"
            "Déposez la demande avant l'expiration de votre titre : vous pourrez alors télécharger "
            "une attestation de prolongation d'instruction, qui couvre votre séjour pendant "
            "l'examen du dossier."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services",),
        "channel": "sp_plus",
        "subject": "J'ai perdu mon travail à cause du retard de la préfecture",
        "body": (
            "Demande de renouvellement déposée 3 mois avant l'expiration de ma carte. "
            "L'attestation de prolongation a expiré, puis plus rien pendant 6 semaines, aucune "
            "nouvelle attestation. Mon employeur ne pouvait plus me garder légalement. Je "
            "travaille en France depuis 9 ans, je paie mes impôts, et je me retrouve sans emploi à "
            "cause d'un délai administratif."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous mesurons les conséquences très lourdes de cette situation et regrettons "
            "sincèrement ce qui vous arrive. Tant que votre demande est en cours d'examen, "
            "l'attestation de prolongation d'instruction doit en principe être renouvelée, afin "
            "que vous restiez en mesure de prouver la régularité de votre séjour.\n\n"
            "Vérifiez dans votre espace ANEF si une nouvelle attestation est disponible ou si une "
            "pièce complémentaire vous est demandée. À défaut, utilisez le formulaire de contact "
            "de l'ANEF et écrivez à la préfecture en demandant en urgence la délivrance d'une "
            "nouvelle attestation ; le Défenseur des droits peut également intervenir. Pour vos "
            "droits vis-à-vis de votre employeur, un syndicat, une maison de justice et du droit "
            "ou une association spécialisée pourra vous conseiller."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services",),
        "channel": "phone",
        "subject": "Appel : conditions pour demander la nationalité française",
        "body": (
            "Mme {name}, d'origine sénégalaise, vit en France depuis 7 ans avec une carte de "
            "séjour pluriannuelle. Elle est mariée à un compatriote, a deux enfants nés en France "
            "et travaille comme aide-soignante en CDI. Elle veut savoir si elle peut demander la "
            "nationalité française et comment."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Vous pouvez demander la naturalisation si vous résidez en France de manière régulière "
            "et habituelle depuis au moins 5 ans, ce qui est votre cas. Les autres conditions "
            "principales portent sur le centre de vos intérêts, familiaux et professionnels, en "
            "France (vos enfants et votre CDI sont des éléments favorables), sur des ressources "
            "stables, sur le respect des principes de la République et sur un niveau de français "
            "attesté par un diplôme ou une certification ; le niveau exigé a été relevé, "
            "vérifiez-le au moment de votre demande.\n\n"
            "La demande se fait en ligne sur le site de l'ANEF, rubrique dédiée à la nationalité "
            "française. Vous devrez fournir notamment votre acte de naissance traduit, votre titre "
            "de séjour, vos avis d'imposition et votre attestation de niveau de français. Un "
            "entretien est ensuite organisé en préfecture ; la procédure dure souvent plus d'un "
            "an. Un conseiller France Services peut vous aider à préparer le dossier."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services",),
        "channel": "sp_question",
        "subject": "Visa étudiant : faut-il faire quelque chose en arrivant ?",
        "body": (
            "Bonjour, je suis arrivée du Vietnam il y a 5 semaines avec un visa long séjour "
            "étudiant (VLS-TS). Une amie m'a dit qu'il faut le « valider ». Je pensais que le visa "
            "suffisait. Que dois-je faire et avant quand ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Votre amie a raison : le VLS-TS doit être validé en ligne dans les 3 mois suivant "
            "votre arrivée en France, sur le site de l'ANEF. Sans cette validation, votre visa ne "
            "vaut plus titre de séjour au-delà de ces 3 mois, et vous pourriez rencontrer des "
            "difficultés, notamment pour revenir en France après un voyage.\n\n"
            "Vous aurez besoin de votre numéro de visa, de votre date d'entrée, de votre adresse "
            "en France et d'une carte bancaire pour acquitter la taxe, dont le montant est indiqué "
            "en ligne. La confirmation est immédiate : conservez le document obtenu avec votre "
            "passeport. Pensez aussi à vous inscrire à l'Assurance Maladie sur "
            "etudiant-etranger.ameli.fr."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services", "mairie"),
        "channel": "web_form",
        "subject": "Faire venir ma femme et mes enfants",
        "body": (
            "Bonjour, je suis marocain, en France depuis 3 ans avec une carte de séjour "
            "pluriannuelle, je travaille comme maçon en CDI (1 850 € net). Je voudrais faire venir "
            "ma femme et nos deux enfants. J'habite un T2 de 42 m² à Villeneuve-d'Ascq. Comment "
            "faire ? Merci. {name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La procédure de regroupement familial permet de faire venir votre épouse et vos "
            "enfants mineurs. Les principales conditions sont : résider régulièrement en France "
            "depuis au moins 18 mois, disposer de ressources stables au moins égales au Smic (un "
            "peu plus pour une famille de quatre personnes, calculé sur les 12 derniers mois) et "
            "d'un logement d'une surface suffisante.\n\n"
            "Votre salaire paraît suffisant. Pour le logement, la surface minimale exigée dépend "
            "de la zone géographique et de la taille de la famille ; pour quatre personnes, elle "
            "est de l'ordre de 42 à 48 m², votre T2 est donc à la limite. La mairie ou l'OFII "
            "vérifiera ce point lors de l'instruction.\n\n"
            "La demande se dépose auprès de l'Office français de l'immigration et de l'intégration "
            "(OFII), en ligne sur le site de l'ANEF ; la décision est rendue par la préfecture, "
            "dans un délai de 6 mois en principe. Un conseiller France Services peut vous aider à "
            "préparer le dossier."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services",),
        "channel": "email",
        "subject": "Voyager avec l'attestation de prolongation d'instruction ?",
        "body": (
            "Bonjour,\n"
            "Ma carte de résident expire le 20 avril. J'ai déposé ma demande de renouvellement sur "
            "l'ANEF en février et j'ai une attestation de prolongation d'instruction. Ma mère est "
            "malade en Algérie et je voudrais y aller deux semaines en mai. Est-ce que je pourrai "
            "revenir en France avec cette attestation ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Soyez prudent avant de partir. L'attestation de prolongation d'instruction prouve la "
            "régularité de votre séjour en France, mais toutes les attestations ne permettent pas "
            "de revenir sur le territoire après un voyage, une fois votre carte expirée.\n\n"
            "Lisez attentivement les mentions figurant sur votre attestation : si elle n'indique "
            "pas qu'elle autorise les allers-retours, vous risquez de devoir demander un visa de "
            "retour auprès du consulat de France en Algérie, ce qui peut prendre du temps. Si "
            "votre voyage est indispensable, interrogez la préfecture via le formulaire de contact "
            "de l'ANEF avant de réserver, en expliquant la situation de votre mère ; votre "
            "nouvelle carte sera peut-être disponible avant mai."
        ),
    },
    {
        "topic": "etrangers",
        "kinds": ("france_services",),
        "channel": "france_services",
        "subject": "Accompagnement : renouvellement de la protection temporaire (Ukraine)",
        "body": (
            "Mme {name}, ukrainienne, arrivée en 2022 avec sa fille, bénéficie de la protection "
            "temporaire. Son autorisation provisoire de séjour arrive à échéance et elle a reçu un "
            "message en français qu'elle ne comprend pas bien. Elle travaille comme femme de "
            "chambre dans un hôtel et a peur de perdre son travail. Sa fille de 15 ans sert "
            "d'interprète."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "La protection temporaire accordée aux personnes déplacées d'Ukraine a été prolongée "
            "au niveau européen, actuellement jusqu'en mars 2027. Votre autorisation provisoire de "
            "séjour doit être renouvelée selon les modalités fixées par votre préfecture, le plus "
            "souvent en ligne ou sur convocation. Le message que vous avez reçu concerne "
            "probablement ce renouvellement : le conseiller France Services peut le lire avec vous "
            "et vous aider à faire la démarche.\n\n"
            "Tant que votre autorisation, ou le document de renouvellement, est valable, vous "
            "conservez le droit de travailler. Dès que vous recevez le nouveau document, "
            "remettez-en une copie à votre employeur."
        ),
    },
    {
        "topic": "citoyennete",
        "kinds": ("mairie", "france_services"),
        "channel": "sp_question",
        "subject": "Inscription sur les listes électorales après un déménagement",
        "body": (
            "Bonjour, j'ai déménagé de Nantes à Angers en décembre. Est-ce que je suis "
            "automatiquement inscrit sur les listes à Angers ? Jusqu'à quand puis-je m'inscrire "
            "pour pouvoir voter aux prochaines élections ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Non, l'inscription n'est pas automatique après un déménagement ; elle ne l'est que "
            "pour les jeunes qui atteignent 18 ans et les personnes naturalisées. Vous devez "
            "demander votre inscription sur les listes électorales d'Angers, ce qui entraînera "
            "automatiquement votre radiation de la liste de Nantes.\n\n"
            "La demande se fait en ligne sur service-public.fr, avec une copie de votre pièce "
            "d'identité et un justificatif de domicile de moins de 3 mois, ou à l'accueil de la "
            "mairie. Pour voter à une élection, l'inscription doit être faite au plus tard le "
            "sixième vendredi précédant le scrutin. Vous pourrez ensuite vérifier votre "
            "inscription et votre bureau de vote avec le service « Interroger sa situation "
            "électorale » de service-public.fr."
        ),
    },
    {
        "topic": "citoyennete",
        "kinds": ("mairie",),
        "channel": "email",
        "subject": "Faire une procuration pour ma mère",
        "body": (
            "Bonjour,\n"
            "Je serai en déplacement professionnel le jour des prochaines élections. Je voudrais "
            "que ma mère vote pour moi. Elle habite à Marseille et moi à Aix-en-Provence, elle "
            "n'est pas inscrite dans la même commune. Est-ce possible ? Dois-je aller au "
            "commissariat ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Oui, c'est possible : la personne à qui vous donnez procuration peut être inscrite "
            "dans une autre commune que vous. Votre mère devra cependant se rendre dans votre "
            "bureau de vote, à Aix-en-Provence, pour voter à votre place.\n\n"
            "Faites la demande sur maprocuration.gouv.fr, en indiquant votre numéro national "
            "d'électeur et celui de votre mère (ils figurent sur la carte électorale et dans le "
            "service « Interroger sa situation électorale »). Il faut ensuite la valider : soit en "
            "vous présentant avec votre pièce d'identité dans n'importe quel commissariat ou "
            "gendarmerie, soit entièrement en ligne si vous disposez de l'identité numérique "
            "France Identité.\n\n"
            "Faites la démarche le plus tôt possible, pour que la procuration soit bien "
            "enregistrée par la mairie avant le scrutin."
        ),
    },
    {
        "topic": "citoyennete",
        "kinds": ("mairie", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : recensement citoyen oublié à 16 ans",
        "body": (
            "Mme {name} est venue avec son fils Enzo, qui a eu 16 ans il y a 4 mois. Le lycée "
            "demande « l'attestation de recensement » pour l'inscription aux épreuves du bac de "
            "français. Ils ne savaient pas qu'il fallait faire cette démarche. Ils ont le livret "
            "de famille et la carte d'identité d'Enzo."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le recensement citoyen est obligatoire pour tous les jeunes Français dans les 3 mois "
            "qui suivent leur 16e anniversaire. Enzo a un peu dépassé ce délai, mais il peut "
            "régulariser sa situation sans pénalité, jusqu'à ses 25 ans.\n\n"
            "La démarche se fait à la mairie de votre domicile avec sa carte d'identité, le livret "
            "de famille et un justificatif de domicile, ou en ligne sur service-public.fr si votre "
            "commune le propose. L'attestation de recensement est remise à l'issue de la démarche "
            ": conservez-la précieusement, car il n'en est pas délivré de duplicata. Enzo sera "
            "ensuite convoqué à la journée défense et citoyenneté (JDC), dont le certificat sera "
            "demandé pour d'autres examens."
        ),
    },
    {
        "topic": "citoyennete",
        "kinds": ("mairie", "france_services"),
        "channel": "phone",
        "subject": "Appel : acte de naissance pour une personne née en Algérie",
        "body": (
            "Mme {name}, 70 ans, née à Oran en 1955 de parents français, appelle car le notaire "
            "lui demande un acte de naissance pour une succession. Elle a écrit à la mairie "
            "d'Oran, sans réponse. Elle ne sait pas où s'adresser."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Les actes d'état civil des Français nés en Algérie avant l'indépendance sont "
            "conservés par le Service central d'état civil du ministère de l'Europe et des "
            "Affaires étrangères, situé à Nantes, et non par les mairies algériennes.\n\n"
            "La demande est gratuite. Elle se fait en ligne, depuis service-public.fr ou le site "
            "France Diplomatie, ou par courrier adressé à ce service. Indiquez vos nom, prénoms, "
            "date et lieu de naissance, les noms de vos parents et le type d'acte souhaité : pour "
            "un notaire, il s'agit en général d'une copie intégrale. L'acte vous est envoyé par "
            "courrier, habituellement en quelques semaines.\n\n"
            "Sachez aussi que beaucoup de notaires peuvent demander eux-mêmes les actes par voie "
            "dématérialisée : renseignez-vous auprès de votre étude. Méfiez-vous des sites privés "
            "qui font payer cette démarche."
        ),
    },
    {
        "topic": "citoyennete",
        "kinds": ("mairie",),
        "channel": "web_form",
        "subject": "Acte de naissance : faut-il payer ?",
        "body": (
            "Bonjour, j'ai besoin d'un acte de naissance pour mon mariage. Sur internet, on me "
            "propose de le recevoir en 48 h pour 29,90 €. Est-ce que c'est le site officiel ? Je "
            "suis née à Saint-Étienne et j'habite à Lyon.\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Non, il ne s'agit pas d'un site officiel : la délivrance d'un acte de naissance est "
            "toujours gratuite. Ces sites privés se contentent le plus souvent de transmettre "
            "votre demande à la mairie, ce que vous pouvez faire vous-même.\n\n"
            "Pour un mariage, la mairie demande une copie intégrale ou un extrait avec filiation "
            "de moins de 3 mois. Dans de nombreux cas, la mairie où vous vous mariez peut "
            "l'obtenir directement par voie dématérialisée auprès de votre commune de naissance : "
            "demandez-lui d'abord si vous devez le fournir. Sinon, faites la demande gratuitement "
            "auprès de la mairie de Saint-Étienne, en ligne sur service-public.fr ou sur son site, "
            "par courrier ou au guichet."
        ),
    },
    {
        "topic": "citoyennete",
        "kinds": ("mairie",),
        "channel": "sp_plus",
        "subject": "Mariage : un service état civil au top",
        "body": (
            "Nous nous sommes mariés en septembre à la mairie de Colmar. Dossier déposé en juin, "
            "l'agent nous a tout expliqué clairement et a vérifié nos papiers en amont pour éviter "
            "les mauvaises surprises (mon acte de naissance étranger devait être traduit, elle "
            "nous l'a dit tout de suite). Le jour J, tout était parfait. Merci !"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Toutes nos félicitations pour votre mariage, et merci pour ce message, transmis avec "
            "plaisir au service état civil. Nous sommes heureux que la préparation du dossier se "
            "soit bien passée.\n\n"
            "Votre livret de famille vous a été remis le jour de la cérémonie : conservez-le "
            "précieusement. Si vous souhaitez utiliser le nom de votre conjoint comme nom d'usage, "
            "vous pourrez le faire figurer sur vos papiers d'identité lors de leur prochain "
            "renouvellement. Nous vous souhaitons beaucoup de bonheur."
        ),
    },
    {
        "topic": "citoyennete",
        "kinds": ("mairie",),
        "channel": "sp_plus",
        "subject": "Rayé des listes électorales sans être prévenu",
        "body": (
            "Je suis allé voter dimanche dans le même bureau que d'habitude, et on m'a dit que je "
            "n'étais plus inscrit. Je vis à la même adresse depuis 20 ans ! Personne ne m'a "
            "prévenu. J'ai été privé de mon droit de vote. Je veux comprendre ce qui s'est passé "
            "et que ça ne se reproduise pas."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre colère : être empêché de voter est particulièrement grave. Une "
            "radiation peut avoir plusieurs origines : une inscription enregistrée dans une autre "
            "commune, par exemple à la suite d'une erreur d'homonymie, un courrier revenu avec la "
            "mention « n'habite pas à l'adresse indiquée », ou une décision de la commission de "
            "contrôle. Un courrier d'information est normalement envoyé, mais il a pu ne pas vous "
            "parvenir.\n\n"
            "Consultez d'abord le service « Interroger sa situation électorale » sur "
            "service-public.fr, qui indique si vous êtes inscrit ailleurs. Le service élections de "
            "la mairie vous expliquera l'origine de la radiation, et vous pouvez dès maintenant "
            "redemander votre inscription, en ligne ou en mairie.\n\n"
            "Sachez pour l'avenir qu'un électeur omis par erreur peut saisir le tribunal "
            "judiciaire jusqu'au jour du scrutin, afin d'obtenir sa réinscription et de pouvoir "
            "voter."
        ),
    },
    {
        "topic": "energie",
        "kinds": ("france_services", "mairie"),
        "channel": "email",
        "subject": "Pas reçu le chèque énergie cette année",
        "body": (
            "Bonjour,\n"
            "Je recevais le chèque énergie chaque année au printemps (environ 150 €) mais cette "
            "année je n'ai rien reçu. Mes revenus n'ont pas augmenté, je suis toujours seule, en "
            "revanche j'ai déménagé en juillet dans la même ville. Est-ce que je l'ai perdu ?\n"
            "{name}\n"
            "7 rue des Acacias, 80000 Amiens"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le chèque énergie est attribué automatiquement à partir de vos informations fiscales "
            "(revenu fiscal de référence et composition du foyer) croisées avec les données des "
            "fournisseurs d'énergie, puis envoyé au logement correspondant. Votre déménagement "
            "peut expliquer que votre situation n'ait pas été reconnue automatiquement.\n\n"
            "Vérifiez d'abord votre éligibilité sur chequeenergie.gouv.fr. Si vous êtes éligible "
            "mais n'avez rien reçu, faites une demande en ligne sur ce site, avec votre avis "
            "d'impôt et une facture d'énergie à votre nouvelle adresse, ou appelez le numéro vert "
            "0 805 204 805. Pensez aussi à toujours déclarer vos revenus, même faibles : c'est "
            "indispensable pour recevoir le chèque."
        ),
    },
    {
        "topic": "energie",
        "kinds": ("france_services",),
        "channel": "france_services",
        "subject": "Accompagnement : utiliser son chèque énergie pour des granulés",
        "body": (
            "M. {name}, 68 ans, a reçu un chèque énergie de 194 € mais se chauffe avec un poêle à "
            "granulés. Le vendeur de granulés du village n'accepte pas le chèque papier. Il "
            "voudrait savoir s'il peut l'utiliser pour sa facture d'électricité, et s'il doit le "
            "faire tout de suite."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le chèque énergie peut régler toute dépense d'énergie du logement (électricité, gaz, "
            "fioul, bois, granulés) auprès des professionnels qui l'acceptent. Tous les "
            "fournisseurs d'électricité et de gaz sont tenus de l'accepter ; pour le bois et les "
            "granulés, seuls les vendeurs enregistrés le prennent. La liste est consultable sur "
            "chequeenergie.gouv.fr.\n\n"
            "Si votre vendeur local ne l'accepte pas, vous pouvez l'utiliser pour votre facture "
            "d'électricité : en ligne sur chequeenergie.gouv.fr avec le numéro du chèque, ou en "
            "l'envoyant à votre fournisseur avec une copie de votre facture. Vous pouvez aussi "
            "demander sa pré-affectation : les chèques des années suivantes seront alors "
            "directement déduits de vos factures.\n\n"
            "Rien ne presse : le chèque est valable jusqu'au 31 mars de l'année suivant son "
            "émission. Le conseiller France Services peut faire la démarche en ligne avec vous."
        ),
    },
    {
        "topic": "energie",
        "kinds": ("france_services", "mairie"),
        "channel": "sp_question",
        "subject": "MaPrimeRénov' pour remplacer une chaudière fioul",
        "body": (
            "Bonjour, nous voulons remplacer notre vieille chaudière fioul par une pompe à chaleur "
            "air/eau dans notre maison de 1978 en Dordogne. Un artisan nous a fait un devis de 14 "
            "000 €. Combien peut-on toucher avec MaPrimeRénov' et comment faire la demande ? Nous "
            "sommes retraités, avec des revenus modestes."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "MaPrimeRénov' peut financer le remplacement d'une chaudière fioul par une pompe à "
            "chaleur. Le montant dépend de vos revenus, les ménages modestes bénéficiant des "
            "forfaits les plus élevés, et il peut être complété par les primes des certificats "
            "d'économies d'énergie (CEE). Les barèmes évoluant régulièrement, utilisez le "
            "simulateur de france-renov.gouv.fr pour obtenir une estimation à jour.\n\n"
            "Point essentiel : la demande doit être déposée sur maprimerenov.gouv.fr avant de "
            "signer le devis et de commencer les travaux, avec un devis établi par un artisan "
            "certifié RGE. N'engagez rien avant d'avoir reçu l'accord.\n\n"
            "Un conseiller France Rénov', gratuit et indépendant, peut vous accompagner (0 808 800 "
            "700). Le reste à charge peut être financé par un éco-prêt à taux zéro, et votre "
            "caisse de retraite propose parfois des aides complémentaires. Méfiez-vous des "
            "démarchages téléphoniques."
        ),
    },
    {
        "topic": "energie",
        "kinds": ("france_services", "mairie"),
        "channel": "phone",
        "subject": "Appel : menace de coupure d'électricité",
        "body": (
            "Mme {name} appelle : elle a reçu une lettre de son fournisseur d'électricité "
            "annonçant une réduction de puissance puis une coupure pour une dette de 680 €. Elle "
            "vit avec ses 2 enfants et est en arrêt maladie depuis 3 mois. On est en février. "
            "Numéro : 05 36 49 18 02."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Du 1er novembre au 31 mars, pendant la trêve hivernale, votre fournisseur ne peut pas "
            "couper l'électricité de votre résidence principale. Il peut en revanche réduire la "
            "puissance, sauf si vous bénéficiez du chèque énergie.\n\n"
            "Contactez dès maintenant votre fournisseur pour lui expliquer votre situation et "
            "demander un échéancier. Sollicitez aussi une aide du fonds de solidarité pour le "
            "logement (FSL), volet énergie, par l'intermédiaire du CCAS de votre commune ou d'un "
            "travailleur social du département ; le CCAS peut également étudier une aide "
            "ponctuelle. Vérifiez enfin vos droits au chèque énergie sur chequeenergie.gouv.fr.\n\n"
            "En cas de désaccord avec votre fournisseur, le service public energie-info.fr et le "
            "médiateur national de l'énergie peuvent vous renseigner gratuitement."
        ),
    },
    {
        "topic": "energie",
        "kinds": ("france_services", "mairie"),
        "channel": "sp_plus",
        "subject": "Travaux finis il y a 7 mois, toujours pas de prime",
        "body": (
            "Isolation des combles et fenêtres terminées en juillet, demande de paiement envoyée "
            "avec toutes les factures. Depuis : « dossier en cours de traitement ». On a avancé 9 "
            "000 € avec un prêt. Impossible d'avoir au téléphone quelqu'un qui sait où en est le "
            "dossier. C'est décourageant pour ceux qui veulent faire des travaux écologiques."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Nous comprenons votre découragement et regrettons ce délai. Les demandes de paiement "
            "MaPrimeRénov' font aujourd'hui l'objet de contrôles renforcés, notamment pour lutter "
            "contre la fraude, ce qui allonge le traitement de certains dossiers.\n\n"
            "Vérifiez dans votre espace sur maprimerenov.gouv.fr qu'aucune pièce complémentaire ne "
            "vous est demandée : il manque souvent une mention sur la facture (qualification RGE "
            "de l'entreprise, surfaces, performances des matériaux). Si tout est complet, écrivez "
            "via la messagerie de votre espace et contactez votre conseiller France Rénov' (0 808 "
            "800 700), qui peut parfois relayer les situations bloquées. En l'absence de réponse, "
            "le Défenseur des droits peut être saisi.\n\n"
            "Votre témoignage est transmis aux services concernés. Un conseiller France Services "
            "peut vous aider dans ces démarches."
        ),
    },
    {
        "topic": "energie",
        "kinds": ("france_services", "mairie"),
        "channel": "web_form",
        "subject": "Démarchage pour une rénovation « à 1 € », arnaque ?",
        "body": (
            "Bonjour, une société m'appelle tous les jours en disant être « mandatée par l'État » "
            "pour des travaux de rénovation subventionnés ; ils veulent passer cette semaine pour "
            "un audit gratuit. Ils m'ont demandé mon numéro fiscal et mon avis d'imposition. Ma "
            "mère de 82 ans a déjà signé quelque chose avec eux hier. Que faire ?\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Soyez très prudents : aucune entreprise n'est mandatée par l'État pour démarcher les "
            "particuliers, et le démarchage téléphonique pour des travaux de rénovation "
            "énergétique est interdit. Ne communiquez jamais votre numéro fiscal, vos identifiants "
            "ni votre avis d'imposition : ils pourraient servir à déposer des demandes d'aides à "
            "votre nom.\n\n"
            "Pour votre mère : un contrat signé à domicile peut être annulé sans justification "
            "dans un délai de 14 jours, par lettre recommandée avec accusé de réception ou à "
            "l'aide du formulaire de rétractation joint au contrat. Aucun paiement ne peut être "
            "exigé dans les 7 jours suivant la signature. Faites la démarche rapidement.\n\n"
            "Signalez cette société sur signal.conso.gouv.fr. Pour un conseil neutre et gratuit "
            "sur vos projets de travaux, contactez France Rénov' au 0 808 800 700."
        ),
    },
    {
        "topic": "energie",
        "kinds": ("france_services",),
        "channel": "email",
        "subject": "Régularisation d'électricité énorme après mon emménagement",
        "body": (
            "Bonjour,\n"
            "J'ai emménagé dans un appartement en octobre et mon fournisseur me facture 1 120 € de "
            "régularisation, alors que je vis seul et travaille toute la journée. Je pense qu'ils "
            "ont utilisé le relevé du précédent locataire ou une estimation. Ils ne répondent pas "
            "à mes réclamations. Vers qui me tourner ?\n"
            "{name}\n"
            "Tél : 06 39 98 23 71"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Une régularisation aussi élevée peut venir d'un index de départ erroné, par exemple "
            "la consommation de l'occupant précédent, ou d'estimations successives. Comparez "
            "l'index noté sur votre état des lieux d'entrée, ou sur une photo du compteur, avec "
            "celui de la facture. Si votre logement est équipé d'un compteur Linky, votre "
            "consommation réelle depuis votre arrivée est consultable gratuitement dans votre "
            "espace client du gestionnaire de réseau.\n\n"
            "Adressez ensuite une réclamation écrite à votre fournisseur, de préférence par lettre "
            "recommandée, avec ces justificatifs, en demandant une facture rectifiée. Sans réponse "
            "satisfaisante dans un délai de deux mois, vous pouvez saisir gratuitement le "
            "médiateur national de l'énergie, via le site energie-info.fr. Si vous devez payer une "
            "partie de la somme, demandez un échéancier."
        ),
    },
    {
        "topic": "etudes",
        "kinds": ("france_services",),
        "channel": "sp_question",
        "subject": "Comment demander une bourse pour la rentrée ?",
        "body": (
            "Bonjour, je suis en terminale et je vais aller à la fac l'année prochaine. Mes "
            "parents sont séparés et ma mère a des revenus modestes. Quand et comment faut-il "
            "demander la bourse ? Est-ce qu'il faut attendre les résultats de Parcoursup ?"
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "N'attendez pas Parcoursup : la demande de bourse sur critères sociaux se fait via le "
            "dossier social étudiant (DSE), sur messervices.etudiant.gouv.fr. La campagne ouvre en "
            "début d'année, et il est recommandé de déposer votre dossier au plus tard fin mai "
            "pour être payé dès la rentrée. Le même dossier permet de demander un logement en "
            "résidence universitaire.\n\n"
            "La bourse est calculée à partir des revenus de vos parents figurant sur l'avis fiscal "
            "de l'avant-dernière année, du nombre d'enfants à charge et de la distance entre le "
            "domicile et l'établissement. Lorsque les parents sont séparés, ce sont en principe "
            "les revenus du parent qui vous a à charge qui sont retenus, en tenant compte de la "
            "pension alimentaire.\n\n"
            "Le simulateur de bourse disponible sur etudiant.gouv.fr vous donnera une première "
            "estimation. Vous confirmerez ensuite votre inscription à la rentrée pour déclencher "
            "les paiements."
        ),
    },
    {
        "topic": "etudes",
        "kinds": ("france_services",),
        "channel": "email",
        "subject": "Bourse toujours pas versée en octobre",
        "body": (
            "Bonjour,\n"
            "Je suis en L1 de psychologie à Rouen. Ma notification de bourse (échelon 4) est "
            "arrivée en août mais je n'ai toujours rien reçu, ni en septembre ni en octobre. Je "
            "paie mon loyer avec mon job étudiant et je commence à être à découvert. Est-ce normal "
            "?\n"
            "{name}\n"
            "INE : 1234567890A"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Le versement de la bourse nécessite que votre inscription administrative à "
            "l'université ait été transmise et enregistrée par le Crous. Un retard s'explique le "
            "plus souvent par une inscription non encore transmise, un RIB manquant ou une pièce "
            "en attente.\n\n"
            "Vérifiez sur messervices.etudiant.gouv.fr l'état de votre dossier social étudiant et "
            "la mention de mise en paiement. Si tout semble en ordre, contactez le Crous via le "
            "service d'assistance en ligne et demandez au service de scolarité de votre université "
            "de confirmer la transmission de votre inscription. Une fois la situation régularisée, "
            "les mois de retard vous seront versés en rappel.\n\n"
            "En attendant, le service social du Crous peut étudier une aide financière d'urgence : "
            "n'hésitez pas à le solliciter."
        ),
    },
    {
        "topic": "etudes",
        "kinds": ("caf", "france_services"),
        "channel": "france_services",
        "subject": "Accompagnement : étudiant en résidence Crous, demande d'APL",
        "body": (
            "M. {name}, 19 ans, étudiant boursier à Limoges, vient d'obtenir une chambre en "
            "résidence Crous (loyer 310 €). Il n'a jamais eu de compte CAF ; ses parents touchent "
            "encore les allocations familiales pour ses petits frères. Il demande s'il a droit à "
            "l'APL et si cela fera baisser les aides de ses parents."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Oui, vous pouvez demander l'aide au logement pour votre chambre en résidence Crous. "
            "La demande se fait sur caf.fr, à votre nom, en créant votre propre espace allocataire "
            ": munissez-vous de votre numéro de sécurité sociale, d'un RIB et de votre contrat de "
            "location. Le droit s'ouvre à partir du mois suivant votre entrée dans le logement.\n\n"
            "Selon la situation, percevoir une aide au logement à votre nom peut avoir un effet "
            "sur les prestations de vos parents, car vous pourriez ne plus être considéré comme à "
            "leur charge pour la CAF. Les simulateurs de caf.fr permettent de comparer ; vos "
            "parents peuvent aussi interroger leur CAF avant votre demande.\n\n"
            "Sur le plan fiscal, cette aide ne les empêche pas de continuer à vous rattacher à "
            "leur foyer. Le conseiller France Services peut faire la demande avec vous."
        ),
    },
    {
        "topic": "etudes",
        "kinds": ("france_services",),
        "channel": "sp_plus",
        "subject": "Merci pour l'aide sur mon dossier de bourse",
        "body": (
            "L'an dernier, ma demande de bourse avait été refusée et je n'avais pas compris "
            "pourquoi. Cette année, la conseillère de la France Services de Montluçon a repris mon "
            "dossier social étudiant avec moi : il y avait une erreur dans les revenus de mon "
            "père. Dossier corrigé, j'ai obtenu l'échelon 3. Sans elle, j'aurais sûrement arrêté "
            "mes études."
        ),
        "reply": (
            "Madame, Monsieur,\n\n"
            "Merci beaucoup pour ce témoignage, que nous avons transmis à votre conseillère. Nous "
            "sommes très heureux que votre dossier ait pu aboutir et que vous puissiez poursuivre "
            "vos études sereinement.\n\n"
            "Pensez à renouveler votre dossier social étudiant chaque année, avant fin mai, et à "
            "signaler tout changement de situation. En cas de difficulté en cours d'année, le "
            "service social du Crous peut aussi accorder des aides ponctuelles. Notre équipe reste "
            "à votre disposition."
        ),
    },
    {
        "topic": "etudes",
        "kinds": ("dgfip", "france_services"),
        "channel": "phone",
        "subject": "Appel : rattacher mon fils étudiant ou déduire une pension ?",
        "body": (
            "M. {name} appelle : son fils de 21 ans est étudiant à Bordeaux, il lui verse 400 € "
            "par mois pour son loyer et ses courses. Il se demande s'il vaut mieux le rattacher à "
            "sa déclaration d'impôt ou déduire ce qu'il lui verse. Son fils a un petit job d'été "
            "(2 800 € sur l'année)."
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Les deux options ne se cumulent pas. Avec le rattachement, possible jusqu'à 25 ans "
            "pour un étudiant, vous bénéficiez d'une demi-part supplémentaire, dont l'avantage est "
            "plafonné à environ 1 800 € par an ; les revenus de votre fils s'ajoutent aux vôtres, "
            "mais les salaires des étudiants de moins de 26 ans sont exonérés dans une certaine "
            "limite, ce qui couvre son job d'été.\n\n"
            "Avec la déduction d'une pension alimentaire, vous déduisez de vos revenus les sommes "
            "versées, soit 4 800 € par an dans votre cas, dans la limite d'un plafond proche de 7 "
            "000 € ; votre fils doit alors déclarer cette pension dans ses propres revenus.\n\n"
            "Le rattachement est souvent plus avantageux pour les revenus moyens, la pension pour "
            "les revenus élevés. Comparez les deux avec le simulateur d'impots.gouv.fr, et "
            "vérifiez l'effet du choix sur les aides de votre fils, comme l'aide au logement."
        ),
    },
    {
        "topic": "etudes",
        "kinds": ("france_services", "caf"),
        "channel": "web_form",
        "subject": "Si je travaille, est-ce que je perds ma bourse ?",
        "body": (
            "Bonjour, je suis boursière échelon 5 et on me propose un job de caissière 12 h par "
            "semaine. Est-ce que mon salaire va faire baisser ma bourse ? Et est-ce que je dois le "
            "déclarer au Crous ? Merci ! {name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Votre bourse est calculée à partir des revenus de vos parents figurant sur leur avis "
            "fiscal de l'avant-dernière année, et non de vos propres revenus : votre salaire ne la "
            "fera pas baisser cette année, et vous n'avez pas à le déclarer au Crous.\n\n"
            "En revanche, le maintien de la bourse suppose d'être assidue aux cours et de vous "
            "présenter aux examens ; un défaut d'assiduité peut entraîner une demande de "
            "remboursement. Veillez donc à ce que vos horaires restent compatibles avec vos "
            "études.\n\n"
            "Si vous percevez une aide au logement, déclarez ce salaire à la CAF, car il sera pris "
            "en compte dans vos ressources. Sur le plan fiscal, si vos parents vous rattachent à "
            "leur foyer, les salaires des étudiants de moins de 26 ans sont exonérés dans une "
            "certaine limite."
        ),
    },
    {
        "topic": "etudes",
        "kinds": ("france_services",),
        "channel": "email",
        "subject": "Étudiant étranger : combien d'heures puis-je travailler ?",
        "body": (
            "Hello, bonjour, je suis étudiant indien en master à Grenoble avec un titre de séjour "
            "étudiant. J'ai trouvé un job dans un restaurant. Mon employeur me demande si j'ai le "
            "droit de travailler et combien d'heures. Aussi, est-ce que je dois payer la CVEC même "
            "si je suis étranger ?\n"
            "{name}\n"
            "+33 6 39 98 70 15"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Votre titre de séjour « étudiant » vous autorise à travailler sans autorisation de "
            "travail particulière, dans la limite de 964 heures par an, soit environ 60 % de la "
            "durée légale annuelle, ce qui représente une vingtaine d'heures par semaine en "
            "moyenne. Avant votre embauche, votre employeur doit effectuer une déclaration auprès "
            "de la préfecture, en ligne.\n\n"
            "La contribution de vie étudiante et de campus (CVEC) est due par tous les étudiants "
            "en formation initiale dans l'enseignement supérieur, quelle que soit leur "
            "nationalité. En sont notamment exonérés les boursiers sur critères sociaux, les "
            "réfugiés et les demandeurs d'asile. Elle se règle sur cvec.etudiant.gouv.fr, et "
            "l'attestation est demandée pour l'inscription dans votre établissement."
        ),
    },
]

FIRST_NAMES: list[str] = [
    "Marie",
    "Jean",
    "Nathalie",
    "Philippe",
    "Isabelle",
    "Thomas",
    "Camille",
    "Nicolas",
    "Chloé",
    "Julien",
    "Léa",
    "Hugo",
    "Manon",
    "Lucas",
    "Émilie",
    "Mathieu",
    "Sophie",
    "Antoine",
    "Inès",
    "Mohamed",
    "Fatima",
    "Karim",
    "Yasmine",
    "Mamadou",
    "Aïssatou",
    "Moussa",
    "Linh",
    "Jean-Pierre",
    "Marie-Claude",
    "Anne-Sophie",
    "Jean-Baptiste",
    "Hélène",
    "Françoise",
    "Gérard",
    "Monique",
    "Bernard",
    "Josiane",
    "Noémie",
    "Zoé",
    "Théo",
    "Maëlle",
    "Loïc",
    "Gaëlle",
    "Océane",
    "Jérôme",
    "Stéphane",
    "Agnès",
    "Rémi",
    "Benoît",
    "Joëlle",
    "Élodie",
    "Kévin",
    "Rachid",
    "Samira",
    "Youssef",
    "Ibrahima",
    "João",
    "Giulia",
    "Ewa",
    "Anh",
]

LAST_NAMES: list[str] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Perrin",
    "Morin",
    "Clément",
    "Gauthier",
    "Fontaine",
    "Chevalier",
    "Masson",
    "Sanchez",
    "Nguyen",
    "Boyer",
    "Lemaire",
    "Duval",
    "Joly",
    "Roche",
    "Meyer",
    "Meunier",
    "Pérez",
    "Marchand",
    "Dufour",
    "Brun",
    "Benali",
    "Haddad",
    "Diallo",
    "Traoré",
    "Ben Ahmed",
    "Mansouri",
    "Kaya",
    "Da Silva",
    "Ferreira",
    "Rossi",
    "Kowalski",
    "Le Goff",
    "Le Gall",
    "Tran",
    "Cissé",
    "N'Diaye",
    "Dos Santos",
    "Hoarau",
    "Payet",
    "Jean-Baptiste",
    "Bouvier",
    "Lemoine",
]
