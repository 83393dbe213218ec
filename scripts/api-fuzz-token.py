"""Signs in to a fresh demo as its owner over the public API (password, then
authenticator enrolment with a TOTP computed here), creates an API token
holding every scope the API document names and a spare one to revoke, and
prints the first's secret and the spare's id."""

import base64
import hashlib
import hmac
import http.cookiejar
import json
import struct
import sys
import time
import urllib.request

base, tenant, username, password = sys.argv[1:5]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
csrf = None


def call(method, path, body=None):
    headers = {"Content-Type": "application/json"}
    if csrf:
        headers["X-CSRF-Token"] = csrf
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with opener.open(request) as response:
        return json.load(response)


def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


session = call("POST", "/api/session", {"tenant": tenant, "username": username, "password": password})
csrf = session["csrf_token"]
enrolment = call("POST", "/api/mfa/enrolment")
session = call("POST", "/api/mfa/enrolment/confirm", {"code": totp(enrolment["secret"])})
csrf = session["csrf_token"]
document = call("GET", "/api/openapi.json")
scopes = sorted(
    {op["x-trustline-action"] for item in document["paths"].values() for op in item.values() if "x-trustline-action" in op}
)
created = call("POST", "/api/tokens", {"name": "API fuzzer", "scopes": scopes, "expires_in_days": 1})
spare = call("POST", "/api/tokens", {"name": "revoked by the API fuzzer", "scopes": ["account.view"], "expires_in_days": 1})
print(created["token"], spare["details"]["id"])
