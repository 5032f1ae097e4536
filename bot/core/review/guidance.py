"""What each finding says, in Dutch and English.

Messages and suggestions are fixed, institution-neutral texts: nothing is
generated. What a finding cites, and any advice of the institution's own,
is each institution's data (knowledge/review/<org>.yaml, policy.py).
"""

from __future__ import annotations

# Every kind of finding each rule reports ("semantic": found by the learned
# layer; face, location and metadata: found in an image). A review policy may
# cite differently per kind; a kind not listed here is a typo in the policy.
KINDS: dict[str, frozenset[str]] = {
    "confidential": frozenset({"label", "not_yet", "exam", "meeting", "internal_doc", "salary", "reorg_leak",
                               "reorg", "semantic"}),
    "privacy": frozenset({"health", "grades", "personal_life", "photo", "photo_mocking", "face", "semantic"}),
    "personal_data": frozenset({"iban", "phone", "phone_public", "bsn", "student_number", "staff_number", "email",
                                "address", "address_unclear", "location", "metadata", "semantic"}),
    "offensive": frozenset({"obscene", "slur", "vulgar", "discrimination", "insult", "semantic"}),
    "emotional": frozenset({"anger", "emoji", "exclaim", "shouting", "semantic"}),
    "on_behalf": frozenset({"speaks_for", "semantic"}),
    "logo": frozenset({"profile", "personal_use", "semantic"}),
    "advertising": frozenset({"ad", "sell", "semantic"}),
    "quoting_colleagues": frozenset({"quote", "internal", "semantic"}),
    "copyright": frozenset({"found_online", "music", "screenshot", "mark", "video", "semantic"}),
    "accuracy": frozenset({"rumour", "hedge", "semantic"}),
}


# (rule, kind) → language → (message, suggestion); (rule, "*") is the rule's default.
MESSAGES: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    # ------------------------------------------------------------ confidential
    ("confidential", "label"): {
        "en": ("The draft marks this information as confidential or secret. Confidential information about the "
               "institution, its students, alumni or colleagues must not be posted.",
               "Remove the confidential information. Share only what has been published, and link to the official source."),
        "nl": ("Het concept noemt deze informatie vertrouwelijk of geheim. Vertrouwelijke informatie over de "
               "instelling, studenten, alumni of collega's hoort niet op social media.",
               "Haal de vertrouwelijke informatie weg. Deel alleen wat al gepubliceerd is en verwijs naar de officiële bron."),
    },
    ("confidential", "not_yet"): {
        "en": ("This information has not been announced yet or is for internal use only.",
               "Wait until it has been announced officially, then share the press release or news item by linking to the original source."),
        "nl": ("Deze informatie is nog niet bekendgemaakt of is alleen voor intern gebruik.",
               "Wacht tot het officieel is aangekondigd en deel dan het persbericht of nieuwsbericht met een link naar de originele bron."),
    },
    ("confidential", "reorg_leak"): {
        "en": ("This shares news about a reorganisation or job cuts that has not been announced publicly.",
               "Don't post it. Wait for the official announcement and then link to it instead of describing it yourself."),
        "nl": ("Dit deelt nieuws over een reorganisatie of banenverlies dat nog niet openbaar is aangekondigd.",
               "Plaats dit niet. Wacht op de officiële aankondiging en link daar dan naar in plaats van het zelf te beschrijven."),
    },
    ("confidential", "reorg"): {
        "en": ("A reorganisation is mentioned. Only share it once it has been announced publicly.",
               "Link to the official announcement (press release or news item) instead of describing it yourself."),
        "nl": ("Er wordt een reorganisatie genoemd. Deel dit alleen als het al openbaar is aangekondigd.",
               "Link naar de officiële aankondiging (persbericht of nieuwsbericht) in plaats van het zelf te beschrijven."),
    },
    ("confidential", "exam"): {
        "en": ("Exam questions and answers are confidential.",
               "Remove the exam questions or answers. Only share practice material that the programme has published."),
        "nl": ("Tentamenvragen en antwoorden zijn vertrouwelijk.",
               "Haal de tentamenvragen of antwoorden weg. Deel alleen oefenmateriaal dat de opleiding zelf heeft gepubliceerd."),
    },
    ("confidential", "meeting"): {
        "en": ("This reports what was said or decided in an internal meeting.",
               "Don't share what is discussed in internal meetings. Wait for the official communication and share that."),
        "nl": ("Dit vertelt wat er in een intern overleg is gezegd of besloten.",
               "Deel niet wat er in intern overleg besproken wordt. Wacht op de officiële communicatie en deel die."),
    },
    ("confidential", "internal_doc"): {
        "en": ("This shares an internal document (a memo, minutes, internal figures).",
               "Don't post internal documents. Ask the owner or the communications department what may be shared."),
        "nl": ("Dit deelt een intern document (memo, notulen, interne cijfers).",
               "Plaats geen interne documenten. Vraag de eigenaar of de afdeling communicatie wat gedeeld mag worden."),
    },
    ("confidential", "salary"): {
        "en": ("This discloses someone's salary or income.",
               "Remove the salary details. A colleague's pay is confidential."),
        "nl": ("Dit maakt iemands salaris of inkomen bekend.",
               "Haal de salarisgegevens weg. Het salaris van een collega is vertrouwelijk."),
    },
    # ------------------------------------------------------------ privacy
    ("privacy", "health"): {
        "en": ("This shares health information about an identifiable person.",
               "Remove the health details and the person's name. Share this only with their explicit consent, or let them share it themselves."),
        "nl": ("Dit deelt gezondheidsinformatie over een herkenbaar persoon.",
               "Haal de medische details en de naam weg. Deel dit alleen met uitdrukkelijke toestemming van de persoon, of laat het de persoon zelf delen."),
    },
    ("privacy", "grades"): {
        "en": ("This shares someone's results or performance (grades, failing, a warning or dismissal).",
               "Remove the name and the results. Never share a student's or colleague's results or performance publicly."),
        "nl": ("Dit deelt iemands resultaten of functioneren (cijfers, zakken, een waarschuwing of ontslag).",
               "Haal de naam en de resultaten weg. Deel de resultaten of het functioneren van een student of collega nooit openbaar."),
    },
    ("privacy", "personal_life"): {
        "en": ("This shares private information about an identifiable person.",
               "Remove the private details. Only share information about someone with their consent."),
        "nl": ("Dit deelt privé-informatie over een herkenbaar persoon.",
               "Haal de privégegevens weg. Deel alleen informatie over iemand met diens toestemming."),
    },
    ("privacy", "photo"): {
        "en": ("The draft shares a photo or video of identifiable people. You need their consent.",
               "Ask everyone in the photo for consent before posting, or use a photo in which no one can be recognised. Remove names you have no consent for."),
        "nl": ("Het concept deelt een foto of video van herkenbare personen. Daarvoor heb je hun toestemming nodig.",
               "Vraag iedereen op de foto om toestemming voordat je plaatst, of gebruik een foto waarop niemand herkenbaar is. Haal namen weg waarvoor je geen toestemming hebt."),
    },
    ("privacy", "photo_mocking"): {
        "en": ("The draft shares a photo of an identifiable person to make fun of them.",
               "Don't post it. Mocking someone with their photo harms them; speak about others with respect."),
        "nl": ("Het concept deelt een foto van een herkenbaar persoon om die belachelijk te maken.",
               "Plaats dit niet. Iemand belachelijk maken met een foto schaadt die persoon; spreek met respect over anderen."),
    },
    ("privacy", "face"): {
        "en": ("The photo shows a recognisable face. Photos of individuals need their consent.",
               "Post it only if everyone recognisable has agreed, or post the blurred copy instead."),
        "nl": ("Op de foto staat een herkenbaar gezicht. Voor foto's van personen heb je hun toestemming nodig.",
               "Plaats de foto alleen als iedereen die herkenbaar is ermee instemt, of plaats de vervaagde kopie."),
    },
    # ------------------------------------------------------------ personal data
    ("personal_data", "location"): {
        "en": ("The photo file holds the GPS position where it was taken, which can give away a home or other private place.",
               "Post the safe copy: it has no location or other metadata."),
        "nl": ("Het fotobestand bevat de GPS-positie waar de foto is gemaakt; die kan een huisadres of andere privéplek verraden.",
               "Plaats de veilige kopie: daarin staan geen locatie of andere metadata."),
    },
    ("personal_data", "metadata"): {
        "en": ("The photo file holds metadata such as when it was taken or the name of the camera's owner.",
               "Post the safe copy: it has no metadata."),
        "nl": ("Het fotobestand bevat metadata, zoals wanneer de foto is gemaakt of de naam van de eigenaar van de camera.",
               "Plaats de veilige kopie: daarin staan geen metadata."),
    },
    ("personal_data", "bsn"): {
        "en": ("This contains a citizen service number (BSN). Identifying data protected by law never belongs on social media.",
               "Remove the BSN entirely."),
        "nl": ("Dit bevat een burgerservicenummer (BSN). Wettelijk beschermde identificerende gegevens horen nooit op social media.",
               "Haal het BSN volledig weg."),
    },
    ("personal_data", "iban"): {
        "en": ("This contains a bank account number (IBAN).",
               "Remove the IBAN. If people need to pay, refer them to the official payment page."),
        "nl": ("Dit bevat een bankrekeningnummer (IBAN).",
               "Haal het IBAN weg. Moeten mensen betalen, verwijs dan naar de officiële betaalpagina."),
    },
    ("personal_data", "email"): {
        "en": ("This contains a personal e-mail address.",
               "Remove the address, or use a generic address of the department (such as info@ or communicatie@) unless the person agreed to publish theirs."),
        "nl": ("Dit bevat een persoonlijk e-mailadres.",
               "Haal het adres weg of gebruik een algemeen adres van de afdeling (zoals info@ of communicatie@), tenzij de persoon heeft ingestemd met publicatie."),
    },
    ("personal_data", "phone"): {
        "en": ("This contains a personal (mobile) phone number.",
               "Remove the phone number, or use the department's general number."),
        "nl": ("Dit bevat een persoonlijk (mobiel) telefoonnummer.",
               "Haal het telefoonnummer weg of gebruik het algemene nummer van de afdeling."),
    },
    ("personal_data", "phone_public"): {
        "en": ("This contains a phone number. Make sure it is a public office number, not a private one.",
               "Use the department's general number rather than a personal one."),
        "nl": ("Dit bevat een telefoonnummer. Controleer of het een openbaar kantoornummer is en geen privénummer.",
               "Gebruik het algemene nummer van de afdeling in plaats van een persoonlijk nummer."),
    },
    ("personal_data", "student_number"): {
        "en": ("This contains a student number, which identifies a student.",
               "Remove the student number."),
        "nl": ("Dit bevat een studentnummer, waarmee een student te identificeren is.",
               "Haal het studentnummer weg."),
    },
    ("personal_data", "staff_number"): {
        "en": ("This contains a staff number, which identifies an employee.",
               "Remove the staff number."),
        "nl": ("Dit bevat een personeelsnummer, waarmee een medewerker te identificeren is.",
               "Haal het personeelsnummer weg."),
    },
    ("personal_data", "address"): {
        "en": ("This contains a home address.",
               "Remove the address. Never post where someone lives."),
        "nl": ("Dit bevat een woonadres.",
               "Haal het adres weg. Plaats nooit waar iemand woont."),
    },
    ("personal_data", "address_unclear"): {
        "en": ("This contains an address. Make sure it is a public address (a building or venue), not someone's home.",
               "Keep public addresses only; remove any home address."),
        "nl": ("Dit bevat een adres. Controleer of het een openbaar adres is (een gebouw of locatie) en geen woonadres.",
               "Laat alleen openbare adressen staan; haal een woonadres weg."),
    },
    # ------------------------------------------------------------ offensive
    ("offensive", "*"): {
        "en": ("This contains an insult, obscenity or vulgar language.",
               "Remove the offensive word and rephrase respectfully, or don't post it."),
        "nl": ("Dit bevat een belediging, obsceniteit of grof taalgebruik.",
               "Haal het grove woord weg en formuleer het respectvol, of plaats het bericht niet."),
    },
    ("offensive", "slur"): {
        "en": ("This contains a racist or discriminatory slur.",
               "Remove it. Discriminatory and racist language is never acceptable; don't post this."),
        "nl": ("Dit bevat een racistisch of discriminerend scheldwoord.",
               "Haal het weg. Discriminerende en racistische taal is nooit acceptabel; plaats dit niet."),
    },
    ("offensive", "discrimination"): {
        "en": ("This generalises about a group of people in a discriminatory way.",
               "Remove the generalisation. Speak about people with respect and don't post this."),
        "nl": ("Dit generaliseert op een discriminerende manier over een groep mensen.",
               "Haal de generalisatie weg. Spreek met respect over anderen en plaats dit niet."),
    },
    ("offensive", "insult"): {
        "en": ("This insults people personally.",
               "Remove the insult and describe the issue factually and respectfully."),
        "nl": ("Dit beledigt mensen persoonlijk.",
               "Haal de belediging weg en beschrijf het probleem feitelijk en respectvol."),
    },
    ("offensive", "vulgar"): {
        "en": ("This contains vulgar language.",
               "Replace the vulgar word with a neutral one."),
        "nl": ("Dit bevat grof taalgebruik.",
               "Vervang het grove woord door een neutraal woord."),
    },
    # ------------------------------------------------------------ emotional
    ("emotional", "*"): {
        "en": ("This reads as written in anger (loaded words, capitals or exclamation marks).",
               "Wait until you are calm before posting: sleep on it, then rewrite it factually without capitals, exclamation marks or loaded words. When in doubt, don't post."),
        "nl": ("Dit leest alsof het in boosheid is geschreven (beladen woorden, hoofdletters of uitroeptekens).",
               "Wacht met posten tot je rustig bent: slaap er een nacht over en herschrijf het dan feitelijk, zonder hoofdletters, uitroeptekens of beladen woorden. Bij twijfel niet plaatsen."),
    },
    # ------------------------------------------------------------ on behalf
    ("on_behalf", "*"): {
        "en": ("This speaks on behalf of the institution. Official positions need approval and go through the spokesperson.",
               "Write in your own name."),
        "nl": ("Dit spreekt namens de instelling. Officiële standpunten hebben goedkeuring nodig en lopen via de woordvoering.",
               "Schrijf op persoonlijke titel."),
    },
    # ------------------------------------------------------------ logo
    ("logo", "profile"): {
        "en": ("An official logo as a profile picture or on a personal account is not allowed.",
               "Use a photo of yourself as your profile picture; official logos are for the institution's own (brand) accounts."),
        "nl": ("Een officieel logo als profielfoto of op een persoonlijk account is niet toegestaan.",
               "Gebruik een pasfoto van jezelf als profielfoto; officiële logo's zijn voor de eigen (merk)accounts van de instelling."),
    },
    ("logo", "personal_use"): {
        "en": ("The institution's logo is used on a personal account or for your own activities.",
               "Remove the logo from your personal account, cards or side activities. Official logos are for official accounts only, and never without permission."),
        "nl": ("Het logo van de instelling wordt gebruikt op een persoonlijk account of voor eigen activiteiten.",
               "Haal het logo weg van je persoonlijke account, visitekaartjes of nevenactiviteiten. Officiële logo's zijn alleen voor officiële accounts, en nooit zonder toestemming."),
    },
    # ------------------------------------------------------------ advertising
    ("advertising", "ad"): {
        "en": ("This looks like (hidden) advertising: a discount code, sponsored content or an affiliate link.",
               "Remove the discount code or affiliate link, and don't use the institution's name or channels to promote products or personal activities."),
        "nl": ("Dit lijkt (verkapte) reclame: een kortingscode, gesponsorde inhoud of een affiliatelink.",
               "Haal de kortingscode of affiliatelink weg en gebruik de naam of kanalen van de instelling niet om producten of eigen activiteiten te promoten."),
    },
    ("advertising", "sell"): {
        "en": ("This sells something. The institution's groups and channels are not a marketplace.",
               "Post it on a marketplace site (such as Marktplaats) instead of in the institution's (LinkedIn) group."),
        "nl": ("Dit verkoopt iets. De groepen en kanalen van de instelling zijn geen Marktplaats.",
               "Zet het op een verkoopsite (zoals Marktplaats) in plaats van in de (LinkedIn-)groep van de instelling."),
    },
    # ------------------------------------------------------------ quoting colleagues
    ("quoting_colleagues", "*"): {
        "en": ("This quotes a colleague.",
               "Don't quote colleagues without their permission. Give your own view instead, or ask the colleague to share it themselves."),
        "nl": ("Dit citeert een collega.",
               "Citeer geen collega's zonder hun toestemming. Geef je eigen mening, of vraag de collega het zelf te delen."),
    },
    ("quoting_colleagues", "internal"): {
        "en": ("This quotes a colleague about internal matters.",
               "Remove the quote. What colleagues say internally stays internal; wait for the official communication."),
        "nl": ("Dit citeert een collega over interne zaken.",
               "Haal het citaat weg. Wat collega's intern zeggen blijft intern; wacht op de officiële communicatie."),
    },
    # ------------------------------------------------------------ copyright
    ("copyright", "*"): {
        "en": ("This uses someone else's work (a photo, music, video, article or logo) apparently without permission.",
               "Use your own material or material whose licence allows it (such as Creative Commons), or ask the maker for permission and credit them. For articles, share a link instead of a screenshot."),
        "nl": ("Dit gebruikt werk van een ander (foto, muziek, video, artikel of logo) kennelijk zonder toestemming.",
               "Gebruik eigen materiaal of materiaal met een licentie die het toestaat (zoals Creative Commons), of vraag de maker om toestemming en vermeld de bron. Deel bij artikelen een link in plaats van een screenshot."),
    },
    # ------------------------------------------------------------ accuracy
    ("accuracy", "rumour"): {
        "en": ("This passes on a rumour or an unverified claim.",
               "Check the facts before posting and name your source, with a link where possible. If you can't verify it, don't post it."),
        "nl": ("Dit geeft een gerucht of een onbevestigde bewering door.",
               "Controleer de feiten voordat je plaatst en noem je bron, met een link als dat kan. Kun je het niet controleren, plaats het dan niet."),
    },
    ("accuracy", "hedge"): {
        "en": ("This presents something as hearsay ('apparently').",
               "Check the fact and link to the source, or leave it out."),
        "nl": ("Dit brengt iets als van-horen-zeggen ('blijkbaar', 'het schijnt').",
               "Controleer het feit en link naar de bron, of laat het weg."),
    },
    ("confidential", "*"): {
        "en": ("This appears to share confidential information (unannounced news, exam content, internal matters or salaries).",
               "Remove it. Share only what has been published officially, and link to the official source."),
        "nl": ("Dit lijkt vertrouwelijke informatie te delen (nog niet aangekondigd nieuws, tentameninhoud, interne zaken of salarissen).",
               "Haal het weg. Deel alleen wat officieel gepubliceerd is en verwijs naar de officiële bron."),
    },
    ("privacy", "*"): {
        "en": ("This shares private information about an identifiable person.",
               "Remove the person's name and the private details, or share it only with their explicit consent."),
        "nl": ("Dit deelt privé-informatie over een herkenbaar persoon.",
               "Haal de naam en de privégegevens weg, of deel dit alleen met uitdrukkelijke toestemming van de persoon."),
    },
    ("personal_data", "*"): {
        "en": ("This contains personal data that identifies someone.",
               "Remove the personal data."),
        "nl": ("Dit bevat persoonsgegevens waarmee iemand te identificeren is.",
               "Haal de persoonsgegevens weg."),
    },
    ("logo", "*"): {
        "en": ("The institution's logo is used on a personal account or for your own activities.",
               "Remove the logo. Official logos are for the institution's own accounts only, and never without permission."),
        "nl": ("Het logo van de instelling wordt gebruikt op een persoonlijk account of voor eigen activiteiten.",
               "Haal het logo weg. Officiële logo's zijn alleen voor de eigen accounts van de instelling, en nooit zonder toestemming."),
    },
    ("advertising", "*"): {
        "en": ("This looks like (hidden) advertising or selling: a referral link, a discount or promotion of a product or your own business.",
               "Remove the promotion. Don't use the institution's name or channels to advertise products or personal activities."),
        "nl": ("Dit lijkt (verkapte) reclame of verkoop: een persoonlijke link, korting of promotie van een product of eigen bedrijf.",
               "Haal de promotie weg. Gebruik de naam of kanalen van de instelling niet om producten of eigen activiteiten aan te prijzen."),
    },
    ("accuracy", "*"): {
        "en": ("This passes on something unverified (a rumour or hearsay).",
               "Check the facts before posting and name your source, with a link where possible. If you can't verify it, don't post it."),
        "nl": ("Dit geeft iets onbevestigds door (een gerucht of iets van horen zeggen).",
               "Controleer de feiten voordat je plaatst en noem je bron, met een link als dat kan. Kun je het niet controleren, plaats het dan niet."),
    },
}


def message(rule: str, kind: str, language: str) -> tuple[str, str]:
    entry = MESSAGES.get((rule, kind)) or MESSAGES[(rule, "*")]
    return entry.get(language) or entry["en"]
