"""Hearsay: a rumour passed on ("ik hoorde dat…", "rumour has it"). The
accuracy rule reports it; the confidential rule reads it as context (an
unannounced reorganisation passed on as a rumour is a leak)."""

from __future__ import annotations

from bot.core.review.rules.base import rx

RUMOUR = rx(
    r"\b(?:ik\s+(?:hoorde|hoor|heb\s+(?:net\s+|vandaag\s+)?(?:ge)?hoord)\s+(?:\w+\s+){0,4}?dat|"
    r"(?:hoorde|gehoord)\s+(?:via\s+via|in\s+de\s+wandelgangen|van\s+(?:een\s+)?(?:collega|iemand))|"
    r"naar\s+verluidt|geruchten?|het\s+gerucht|geruchtenmolen|wandelgangen|via\s+via|niet\s+bevestigd|"
    r"onbevestigd|onbevestigde|ongecontroleerd|men\s+zegt|ze\s+zeggen\s+dat|"
    r"i\s+(?:just\s+|have\s+|'ve\s+)?(?:heard|hear)\s+(?:(?:\w+\s+){0,4}?that|(?:from|through|via)\s|"
    r"(?:\w+\s+){1,3}?(?:is|are|will|was|were|has|have|gets?|might|may)\b)|"
    r"ik\s+(?:hoorde|heb\s+gehoord)\s+(?:\w+\s+){1,3}?(?:is|gaat|wordt|zijn|gaan|worden|moet|stopt|komt|krijgt)\b|heard\s+(?:through|on)\s+the\s+grapevine|"
    r"rumou?rs?|rumou?red|word\s+on\s+the\s+street|grapevine|unconfirmed|unverified|allegedly|reportedly|"
    r"people\s+are\s+saying|they\s+say\s+that)\b"
)
HEDGE = rx(r"\b(?:het\s+schijnt|schijnt\s+(?:dat|het|ze|er|hij|zij)|schijnbaar|blijkbaar|apparently|supposedly|"
           r"i\s+think\s+i\s+heard)\b")

