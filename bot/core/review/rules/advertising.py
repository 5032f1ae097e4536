"""The advertising rule: hidden advertising (discount codes, sponsored posts,
affiliate and referral links) and selling in the institution's groups."""

from __future__ import annotations

from bot.core.review.rules.base import Hit, each, rx
from bot.core.review.rules.context import meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_ADVERT = rx(
    r"\b(?:kortingscodes?|actiecodes?|promotiecodes?|promocodes?|promo\s+codes?|discount\s+codes?|coupon\s+codes?|"
    r"couponcode|voucher\s+codes?|vouchercode|referral\s+(?:link|code)|affiliate(?:\s+link)?|affiliatelink|"
    r"partnerlink|gesponsord|gesponsorde|sponsored\s+(?:post|content|by)|betaalde\s+samenwerking|"
    r"paid\s+partnership|in\s+samenwerking\s+met\s+(?:het\s+merk|merk)|"
    r"(?:use|gebruik|met|with|enter|voer)\s+(?:my\s+|mijn\s+|de\s+|the\s+)?(?:code|kortingscode)\s*:?\s*(?-i:[A-Z][A-Z0-9]{2,}\d*)|"
    r"\d{1,2}\s?%\s?(?:korting|off|discount)|gratis\s+verzending|free\s+shipping|koop\s+nu|buy\s+now|"
    r"bestel\s+(?:nu|vandaag)|order\s+now|shop\s+now)\b|"
    r"(?<![\w#])#(?:ad|ads|advertentie|advertorial|reclame|sponsored|gesponsord|spon|affiliate|"
    r"affiliatelink)\b|"
    r"\bhttps?://[^\s]{0,200}?[?&](?:ref|aff|affiliate|tag|partner|coupon|referral)=[^\s&]{1,60}"
)
_SELL = rx(
    r"\b(?:te\s+koop|for\s+sale|ik\s+verkoop|verkoop\s+(?:mijn|ik)|ik\s+verkoop|i'?m\s+selling|i\s+am\s+selling|"
    r"selling\s+my|vraagprijs|asking\s+price|bieden\s+vanaf|(?:dm|pb|app)\s+(?:me\s+)?(?:for|voor)\s+"
    r"(?:price|prices|prijs|prijzen|info)|(?:nu\s+)?verkrijgbaar\s+(?:in|via|bij)\s+mijn|available\s+in\s+my\s+"
    r"(?:shop|webshop|store)|mijn\s+webshop|my\s+(?:webshop|online\s+shop|etsy))\b|"
    r"€\s?\d+(?:[.,]\d{2}|,-)?\s*(?:per\s+stuk|p\.?\s?st\b|each\b|p/st\b|per\s+ticket\b|o\.?\s?b\.?o\b|ono\b|obo\b)|"
    r"\b(?:wie\s+wil\s+(?:mijn|m'n|onze)\s+(?:[\w-]+\s+){0,4}?(?:kopen|overnemen|hebben)|"
    r"who\s+wants\s+to\s+buy|anyone\s+(?:want|wants|wanna|interested\s+in)\s+(?:to\s+)?buy(?:ing)?|"
    r"(?:wants?|want\s+to)\s+buy\s+my)\b"
)


def check(d: Draft, inst: Institutions) -> list[Hit]:
    hits = []
    for pattern, kind in ((_ADVERT, "ad"), (_SELL, "sell")):
        for m in each(pattern, d.text):
            if negated(d, m.start()):
                continue
            hits.append(Hit("advertising", kind, "low" if meta(d, m.start()) else "medium", m.start(), m.end()))
    return hits
