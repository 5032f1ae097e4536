"""Word lists for the review rules, Dutch and English.

Single words are matched as whole words (a set lookup on the draft's letter
runs), so "klassiek", "assessment" or "Scunthorpe" never match a short swear
word inside them. Dutch writes compounds as one word, so a few swear-word
prefixes are matched only with the endings listed here: "kankerlijer" is an
insult, "kankeronderzoek" is research.
"""

from __future__ import annotations

from bot.core.review.normalise import fold_accents


def _words(text: str) -> frozenset[str]:
    # Drafts are read with accents folded (normalise.py): "geïrriteerd" → "geirriteerd".
    return frozenset(fold_accents(text).split())


# ---------------------------------------------------------------- offensive
# Strong obscenity and personal insults (high).
OFFENSIVE_STRONG = _words("""
    kut kutje klootzak klootzakken lul lulletje oetlul eikel eikels hoer hoeren hoerenjong slet sletten
    trut trutten teef godverdomme godverdomse godver godsklere kolere klerelijer teringlijer tyfuslijer
    kankerlijer debiel debielen randdebiel mongool mongolen mongooltje idioot idioten imbeciel imbecielen
    sukkel sukkels achterlijk achterlijke zakkenwasser lulhannes rotzak rotzakken rotwijf schoft schoften
    fuck fucking fucked fucker fuckers motherfucker motherfuckers fck fkn bullshit asshole assholes
    arsehole arseholes bastard bastards bitch bitches cunt cunts dickhead dickheads prick pricks twat twats
    wanker wankers slut sluts whore whores retard retards retarded moron morons idiot idiots imbecile
    imbeciles dumbass jackass scumbag scumbags douchebag douchebags stfu
""")
# Insults that are also first names (Dick, Lul?): only when written in lower case.
OFFENSIVE_LOWERCASE = _words("""
    dick dicks
""")
# Racist, discriminatory and homophobic slurs (high).
SLURS = _words("""
    nikker nikkers neger negers negerin zwartjoekel zwartjoekels makak makakken spleetoog spleetogen
    poepchinees poepchinezen zandneger zandnegers geitenneuker geitenneukers flikker flikkers
    nigger niggers nigga niggas faggot faggots fag fags kike kikes spic spics chink chinks paki pakis
    tranny trannies gook gooks wetback wetbacks raghead ragheads towelhead towelheads
""")
# Vulgarity (high, like every offensive finding since issue 12).
OFFENSIVE_MILD = _words("""
    klote shit shitty wtf crap pissed kloten
""")
# Swear-word prefixes of Dutch compounds, with the endings that make an
# insult or vulgarity of them (kutschool, kankerlijer, teringzooi...).
COMPOUND_PREFIXES = ("kut", "kanker", "tering", "tyfus", "klote", "kolere", "godver", "fuck", "shit")
COMPOUND_ENDINGS = _words("""
    lijer lijers hoer hoeren zooi joch wijf wijven lul lullen mongool mongolen debiel debielen homo homos
    flikker flikkers marokkaan marokkanen turk turken jood joden neger negers kind kinderen school leraar
    lerares docent docenten student studenten leerling leerlingen collega collegas baas vent venten weer
    baan werk sukkel sukkels idioot idioten hond honden aap apen bende ding dingen land stad regering
    bestuur directie universiteit instelling organisatie
    head heads hole holes storm show face ing er ers y
""")

# ---------------------------------------------------------------- emotional
ANGER_STRONG = _words("""
    woedend woest razend pisnijdig laaiend witheet ziedend schandalig schandalige schande walgelijk
    walgelijke kotsbeu spuugzat furious livid enraged outraged outrageous disgrace disgraceful
    disgusting appalling shameful infuriating infuriated
""")
ANGER_MILD = _words("""
    boos kwaad geïrriteerd geirriteerd irritant belachelijk belachelijke absurd absurde onacceptabel
    onaanvaardbaar waardeloos waardeloze incompetent incompetente gefrustreerd frustrerend schaamteloos
    angry annoyed annoying ridiculous unacceptable useless pathetic frustrated frustrating incompetent
    shameless fuming unbelievable incompetence incompetentie
""")
POSITIVE = _words("""
    geweldig geweldige fantastisch fantastische prachtig prachtige trots blij bedankt dank dankjewel
    dankuwel top super mooi mooie gefeliciteerd feest genoten leuk leuke fijn fijne gaaf gave
    amazing great awesome proud thanks thank congratulations congrats wonderful fantastic happy excited
    love lovely brilliant beautiful welcome welkom success succes
""")
ANGRY_EMOJI = "😡🤬😤👿🖕💢"

# All-capital words that are abbreviations, not shouting.
ACRONYMS = _words("""
    CAO NU HR MT CVB RVB ICT HBO MBO WO VWO HAVO VMBO BSN IBAN NOS NRC AD EU NL
    UK USA VS AI IT PR PDF FAQ CEO CFO CTO KPI BV NV OR GMR MR UR OK TV VR AR DM PM CV BPV BOL BBL SLB
    UWV DUO OCW COVID NWO ERC KNAW VSNU UNL WHW ECTS BSA HRM AVG GDPR QR URL RSVP FYI ASAP NB PS TBA
    CET MC PHD MSC BSC MA BA LLM MBA NGO RIVM GGD WHO UN UNESCO API SQL HTML CSS IOS ID BTW KVK ZZP
    OV ANP AP NPO VPRO KRO NCRV EO MAX BNR RTL SBS ESPN BBC CNN FC PSV AZ ABN AMRO ING ASN SNS KPN
    XL XXL DIY LOL OMG CC MOOC SDG ESG LGBTQ LGBTQI LHBTI LHBTIQ HQ CBS TNO VU UVA TU UU RUG EUR
""")

# ---------------------------------------------------------------- names
# Capitalised words that are not people's names, for the heuristic that
# decides whether a sentence is about an identifiable person.
NOT_NAMES = _words("""
    de het een en van ik je jij u uw mijn mag kan wij we zij ze niet geen wel is zijn was met voor op
    aan als dat die dit wat wie waar hoe waarom over naar bij ook nog maar of er om te tot uit door zo
    dan al deze onze ons mij helaas gelukkig vandaag gisteren morgen vanochtend vanmiddag vanavond
    toen nu hier daar dus want sinds sorry beste lieve hoi hallo hey dag goedemorgen nieuws update
    tip let op vraag vragen dank bedankt trots blij fijn mooi wat welkom gefeliciteerd succes
    the a an and of i you your my we they not no is are was with for on at as that this what who
    where how why to from by also but or if then our us me it its his her he she unfortunately
    today yesterday tomorrow sadly luckily now here there so since sorry dear hi hello hey news
    great proud happy thanks thank welcome congratulations good please just
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni
    juli augustus september oktober november december monday tuesday wednesday thursday friday
    saturday sunday january february march may june july august october
    universiteit university den haag amsterdam rotterdam utrecht nederland netherlands dutch english engels nederlands
    linkedin twitter facebook instagram youtube tiktok google whatsapp teams slack x hyves bluesky
    mastodon faculteit faculty hogeschool college school campus open opendag dag day week
    marketing communicatie communication communications raad bestuur board hr ict
""")
