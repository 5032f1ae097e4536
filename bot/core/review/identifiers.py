"""Validation of Dutch identifiers, so that only real-looking ones are
flagged: a nine-digit number is a BSN only if it passes the 11-proof, and an
IBAN only if its mod-97 check holds."""

from __future__ import annotations

import re

# Lengths of IBANs by country (the common European ones; others: 15-34).
IBAN_LENGTHS = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "ES": 24, "IT": 27, "LU": 20,
    "AT": 20, "CH": 21, "DK": 18, "FI": 18, "IE": 22, "NO": 15, "PL": 28, "PT": 25, "SE": 24,
}
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def is_valid_bsn(value: str) -> bool:
    """The burgerservicenummer 11-proof: nine digits d0..d8 with
    sum(d[i] * (9 - i) for i in 0..7) - d8 divisible by 11 (not all zeros)."""
    digits = [c for c in value if c.isdigit()]
    if len(digits) != 9 or not all("0" <= c <= "9" for c in digits):
        return False
    d = [int(c) for c in digits]
    if not any(d):
        return False
    total = sum(d[i] * (9 - i) for i in range(8)) - d[8]
    return total % 11 == 0


def is_valid_iban(value: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to
    numbers (A=10 … Z=35), and the result mod 97 must be 1."""
    iban = "".join(value.split()).upper()
    if not _IBAN_SHAPE.fullmatch(iban):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    if not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1
