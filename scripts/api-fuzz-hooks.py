"""Schemathesis hooks for scripts/api-fuzz: what a well-behaved client does
that a schema cannot say.

- Idempotency-Key: a client makes a fresh key for each new request. The
  fuzzer draws keys from the schema and so repeats them with different
  bodies, which the API rightly refuses (422 idempotency_key_reused). A key
  that is valid is replaced by a fresh valid one; an invalid one is left for
  the negative tests.
- Custom string formats the API document uses ("phone", "e164",
  "time-zone", and "password" for new passwords): values valid by rules that
  live in data (libphonenumber's numbering plans, the IANA zone database,
  zxcvbn's dictionaries) rather than in a pattern. The document describes
  each; here the fuzzer gets real examples of each.
- Disposition codes are unique within a campaign or queue, as the document
  says; JSON Schema cannot say "unique by one property", so a repeated code
  in a generated body is renamed (code_2, code_3, ...), which keeps a valid
  body valid and an invalid one invalid.
- A CSV upload (text/csv) is a file with a header: the fuzzer sends real
  call lists (name, phone, email columns) rather than random text.
- A contact's phone numbers ("format": "phone") must also match the
  document's pattern of the characters numbers are written with. Where the
  fuzzer drew a string from that pattern alone (e.g. sixty-three zeros), it
  is replaced by a real number: a valid string stays valid, one that breaks
  the pattern (e.g. a masked number read back from an answer) is left to be
  refused.
"""

import re
import uuid

import schemathesis
from hypothesis import strategies as st

KEY = re.compile(r"[!-~]{1,128}")

# Valid numbers (libphonenumber) from several numbering plans: fixed, mobile
# and toll-free, in the countries a demo tenant calls.
E164_NUMBERS = [
    "+442079460999",
    "+442071838750",
    "+447911123456",
    "+33142685300",
    "+33612345678",
    "+4930123456",
    "+4915123456789",
    "+12025550143",
    "+14155550100",
    "+61291234567",
    "+34912345678",
    "+390612345678",
    "+31201234567",
    "+35314312345",
]

TIME_ZONES = [
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Tokyo",
    "UTC",
]

schemathesis.openapi.format("e164", st.sampled_from(E164_NUMBERS))
schemathesis.openapi.format("phone", st.sampled_from(E164_NUMBERS))
schemathesis.openapi.format("time-zone", st.sampled_from(TIME_ZONES))
schemathesis.openapi.format(
    "password",
    st.sampled_from(["correct horse battery staple 7421", "Tr1stl1ne-qv8#Lm2@pZ", "velvet-anchor-91-mosaic-kettle"]),
)


def csv_file(rows):
    lines = ["name,phone,email"]
    for i, (number, with_email) in enumerate(rows):
        lines.append(f"Person {i},{number},{f'person{i}@example.org' if with_email else ''}")
    return ("\n".join(lines) + "\n").encode()


schemathesis.openapi.media_type(
    "text/csv",
    st.lists(st.tuples(st.sampled_from(E164_NUMBERS), st.booleans()), min_size=1, max_size=5).map(csv_file),
)


def unique_codes(dispositions):
    seen = set()
    for item in dispositions:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue
        code, n = item["code"], 1
        while code in seen:
            n += 1
            code = f"{item['code'][:36]}_{n}"
        item["code"] = code
        seen.add(code)


def real_numbers(phones, pattern):
    for i, number in enumerate(phones):
        if isinstance(number, str) and len(number) <= 64 and pattern.search(number) and number not in E164_NUMBERS:
            phones[i] = E164_NUMBERS[i % len(E164_NUMBERS)]


PHONE_PATTERNS = {}


def phone_pattern(case):
    """The pattern the document gives a contact's phone numbers."""
    if "pattern" not in PHONE_PATTERNS:
        contact = case.operation.schema.raw_schema["components"]["schemas"]["ContactInput"]
        PHONE_PATTERNS["pattern"] = re.compile(contact["properties"]["phones"]["items"]["pattern"])
    return PHONE_PATTERNS["pattern"]


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if isinstance(case.body, dict) and isinstance(case.body.get("dispositions"), list):
        unique_codes(case.body["dispositions"])
    if isinstance(case.body, dict) and isinstance(case.body.get("phones"), list) and case.path.startswith("/api/contacts"):
        real_numbers(case.body["phones"], phone_pattern(case))
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and KEY.fullmatch(headers[name]):
            headers[name] = uuid.uuid4().hex
