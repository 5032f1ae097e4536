"""The knowledge base: faithful copies, metadata, CAO mapping, commentary
kept out, and structure-aware passages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ingest.documents import load_knowledge, split_sentences

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
SHARED = REPO.parent / "shared" / "sources"

COMMENTARY = [
    "Onthul alle informatie",
    "Maak Social Media richtlijnen offensief",
    "Erwin Blom",
    "handig je do's en don'ts",
    "BeantwoordenVerwijderen",
    "Op Dé Managementconferentie",
    "Download het document",
    "met dank aan ROC West-Brabant",
]


@pytest.mark.parametrize(
    "copy, source",
    [
        ("leiden-social-media-richtlijnen.txt", "universiteit-leiden-social-media-richtlijnen.txt"),
        ("rocwb-gebruikscode-social-media.txt", "roc-west-brabant-gebruikscode-social-media.txt"),
    ],
)
def test_documents_are_faithful_copies_of_the_sources(copy, source):
    if not (SHARED / source).exists():
        pytest.skip(f"shared sources not beside the checkout: {SHARED}")
    assert (KNOWLEDGE / "documents" / copy).read_bytes() == (SHARED / source).read_bytes()


def test_document_metadata(knowledge):
    infos = knowledge.organisations()
    assert infos["leiden"].organisation == "Universiteit Leiden"
    assert infos["leiden"].collective_agreement == "CAO Nederlandse Universiteiten"
    assert infos["rocwb"].organisation == "ROC West-Brabant"
    # ROC's document cites no collective agreement, so none is ever invented.
    assert infos["rocwb"].collective_agreement is None
    for info in infos.values():
        assert info.contact_nl and info.contact_en
    assert "Marketing & Communicatie" in infos["rocwb"].contact_nl
    assert "social media contactpersoon" in infos["leiden"].contact_nl


def test_every_passage_quotes_its_document_verbatim(knowledge):
    cao_text = (KNOWLEDGE / "cao" / "cao-nu.yaml").read_text(encoding="utf-8")
    for p in knowledge.passages:
        if p.kind == "cao":
            assert p.text in knowledge.documents["leiden"].text, p.section
            continue
        source = knowledge.documents[p.org].text
        for line in p.text.split("\n"):
            assert line in source, (p.section, line)
    assert cao_text


def test_commentary_is_never_a_passage(knowledge):
    for p in knowledge.passages:
        for marker in COMMENTARY:
            assert marker not in p.text, (p.section, marker)
    roc_sections = {p.section for p in knowledge.passages if p.org == "rocwb"}
    assert not any("offensief" in s for s in roc_sections)


def test_cao_articles_are_entries_of_their_own_and_mapping_is_consistent(knowledge):
    cao = yaml.safe_load((KNOWLEDGE / "cao" / "cao-nu.yaml").read_text(encoding="utf-8"))
    ids = {a["id"] for a in cao["articles"]}
    assert ids == {
        "CAO-NU art. 1.8 lid 2", "CAO-NU art. 1.16 lid 1", "CAO-NU art. 1.16 lid 2",
        "CAO-NU art. 1.16 lid 3", "CAO-NU art. 1.16 lid 4",
    }
    cao_passages = {p.cao[0] for p in knowledge.passages if p.kind == "cao"}
    assert cao_passages == ids
    # Every article linked from a guideline exists.
    for path in (KNOWLEDGE / "guidelines").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        linked = set(data.get("basis_cao") or [])
        for note in data["sections"].values():
            linked |= set(note.get("cao") or [])
            for part in note.get("parts") or []:
                linked |= set(part.get("cao") or [])
        assert linked <= ids, linked - ids
    for p in knowledge.passages:
        assert set(p.cao) <= ids


def test_leiden_guidelines_link_the_cao_articles_behind_them(knowledge):
    by_section = {p.section: p for p in knowledge.passages if p.org == "leiden" and p.kind == "guideline"}
    assert by_section["Behoud vertrouwelijkheid"].cao == ("CAO-NU art. 1.16 lid 1", "CAO-NU art. 1.16 lid 4")
    assert set(by_section["Preambule"].cao) == {"CAO-NU art. 1.8 lid 2", "CAO-NU art. 1.16 lid 1"}
    # Art. 1.8 lid 2 is what every Leiden guideline rests on: named once per
    # answer (basis_cao), not glued to every citation.
    assert "CAO-NU art. 1.8 lid 2" not in by_section["Behoud Privacy"].cao
    # ROC never carries a CAO article.
    assert all(not p.cao for p in knowledge.passages if p.org == "rocwb")


def test_footnotes_are_not_glued_to_behoud_privacy(knowledge):
    privacy = [p for p in knowledge.passages if p.section == "Behoud Privacy"]
    assert privacy
    for p in privacy:
        assert "Art. 1.8" not in p.text and "lid 1." not in p.text and "geheimhouding" not in p.text
    guideline = next(p for p in privacy if p.kind == "guideline")
    assert guideline.text.endswith("niet passend is voor een openbaar forum.")


def test_structure_one_passage_per_guideline_and_each_list_item_alone(knowledge):
    sections = {(p.org, p.section) for p in knowledge.passages if p.kind == "guideline"}
    for heading in ["Behoud vertrouwelijkheid", "Behoud Privacy", "Begrijp uw persoonlijke verantwoordelijkheid.",
                    "Wees bewust van aansprakelijkheid", "Respecteer uw publiek / doelgroep", "Gebruik een disclaimer",
                    "Logo", "Vraag om goedkeuring", "Wees nauwkeurig", "Starten account", "Vervanging wachtwoorden",
                    "Respect", "Preambule"]:
        assert ("leiden", heading) in sections, heading
    for heading in ["1. Je bent zelf verantwoordelijk", "2. Persprotocol blijft gelden",
                    "3. Houd privé en werk gescheiden", "4. Twitter onthoudt alles",
                    "5. Geef nooit vertrouwelijke informatie van ROC West-Brabant"]:
        assert ("rocwb", heading) in sections, heading
    items = [p for p in knowledge.passages if p.kind == "item"]
    leiden_items = [p.text for p in items if p.org == "leiden"]
    assert len(leiden_items) == 10 and leiden_items[0] == "Publiceer geen vertrouwelijke informatie."
    assert len([p for p in items if p.section == "6. Do’s"]) == 8
    assert len([p for p in items if p.section == "7. Don’ts"]) == 9
    # Heading path and organisation go into what is embedded.
    item = next(p for p in items if p.text.startswith("Citeer geen"))
    assert item.path == ("Richtlijnen gebruik social media", "7. Don’ts")
    embedded = item.embedding_text()
    assert "ROC West-Brabant" in embedded and "7. Don’ts" in embedded and item.text in embedded


def test_passage_ids_are_stable_content_hashes():
    first = {p.slot: p.id for p in load_knowledge(KNOWLEDGE).passages}
    second = {p.slot: p.id for p in load_knowledge(KNOWLEDGE).passages}
    assert first == second
    assert len(set(first.values())) == len(first)


def test_sentence_splitting_keeps_brackets_and_quotes():
    text = "Plaats alleen foto's (huidige collega's, enz.) In sommige gevallen kan het. \"Privé\" bestaat niet."
    assert split_sentences(text) == [
        "Plaats alleen foto's (huidige collega's, enz.)",
        "In sommige gevallen kan het.",
        "\"Privé\" bestaat niet.",
    ]
