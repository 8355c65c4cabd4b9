#!/usr/bin/env python3
"""Writes tests/hostile/corpus.jsonl, the hostile-input corpus of issue 15.

Run once and commit its output; tests/integration/test_hostile.py replays
the kept file against a real server. The script is kept so the corpus can
be regenerated and reviewed, but the requests that count are the ones in
corpus.jsonl. Every line is one request with the answer the README's
refusal table, its "Request hygiene" section and web/static/openapi.json
document for it:

  id, category        a unique name and the figure it counts under
  method, path        as sent (the path percent-encoded exactly as kept)
  headers, body       body is text; body_b64 when it holds raw bytes
  raw                 a whole request sent over a raw socket (base64)
  build               a submission the runner builds at run time, because
                      its signatures need the run's keys (see the runner)
  expect              the documented status, or a list when the
                      documentation allows either
  code                the documented error code (null: no JSON body
                      documented, e.g. a libmicrohttpd refusal or a badge)
  single_answer       raw cases: exactly one response may come back
  known_issue         set by hand where the server is known to differ
"""
import base64
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Values that name something real in the runner's registry.
GOOD = {"org": "acme", "model": "acme-7b", "n": "1", "id": "modelfacts-v1",
        "sha256": "0" * 64, "size": "1", "index": "0", "path*": "HEAD"}

# Path tricks; those with a control byte are refused by the HTTP layer
# before any route ("invalid_path"), the rest cannot name a resource.
CONTROL = ["%00", "acme%00", "a%00.txt", "%0a", "a%0d%0aX-Injected:%201",
           "%1b[31m", "%7f", "a%09b"]
# Bytes that are not UTF-8 once decoded: refused like control bytes (the
# database would refuse them as a parameter).
NOT_UTF8 = ["%c0%ae%c0%ae", "%c0%af", "%e0%80%ae%e0%80%ae", "%ff%fe"]
OTHER = ["..", "%2e%2e", "%2E%2E", ".%2e", "..%2f..%2fetc%2fpasswd",
         "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%c0%ae%c0%ae", "%c0%af",
         "%e0%80%ae%e0%80%ae", "%ff%fe", "a;b", "acme;x=1", "a%3bb",
         "..%5c..%5cwindows", "%5c", "A" * 300, "b" * 3000, "%", "%zz",
         "%25", "%u002e", "-acme", "ACME", "acme%20"]


def routes():
    """(method, pattern) from api/routes.c, the route table."""
    out = []
    src = open(os.path.join(ROOT, "api", "routes.c")).read()
    for line in src.splitlines():
        line = line.strip()
        if line.startswith('{"') and '"/' in line:
            parts = line.split('"')
            out.append((parts[1], parts[3]))
    return out


def params(pattern):
    return [s[s.index("{") + 1:s.index("}")] for s in pattern.split("/")
            if "{" in s]


def fill(pattern, values):
    for k, v in values.items():
        pattern = pattern.replace("{" + k + "}", v)
    return pattern


def documented(openapi, pattern, method):
    """The statuses the OpenAPI document lists for a route."""
    key = pattern.replace("{path*}", "{path}")
    op = openapi["paths"].get(key, {}).get(method.lower(), {})
    return sorted(int(s) for s in op.get("responses", {}) if s.isdigit())


def path_cases(openapi):
    cases = []
    for method, pattern in routes():
        if method != "GET":
            continue
        for p in params(pattern):
            docs = documented(openapi, pattern, method)
            for i, trick in enumerate(CONTROL + OTHER):
                vals = dict(GOOD)
                vals[p] = trick
                path = fill(pattern, vals)
                c = {"category": "path", "method": "GET", "path": path,
                     "id": f"path {pattern} {{{p}}} #{i}"}
                if trick in CONTROL or trick in NOT_UTF8:
                    c.update(expect=400, code="invalid_path")
                elif pattern.startswith("/badge/"):
                    # a grey "not found" badge, image/svg+xml (OpenAPI);
                    # a trick that changes the segments matches no route
                    c.update(expect=404, code=None,
                             ctype=["image/svg+xml", "application/json"])
                else:
                    # cannot name a resource: 404; a route documenting
                    # 400 invalid_parameter may say so instead
                    c.update(expect=[400, 404] if 400 in docs else 404,
                             code=["invalid_parameter", "not_found"]
                             if 400 in docs else "not_found")
                cases.append(c)
    return cases


def method_cases():
    cases = []
    for method, pattern in routes():
        path = fill(pattern, GOOD)
        others = ["PUT", "DELETE", "PATCH"] + (["POST"] if method == "GET"
                                              else ["GET"])
        for m in others:
            cases.append({"category": "method", "method": m, "path": path,
                          "id": f"method {m} {pattern}", "expect": 405,
                          "code": "method_not_allowed", "allow": True,
                          "body": "{}" if m != "GET" else None})
    return cases


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()
                            ).decode()


PT = "application/vnd.modelfacts.disclosure.v1+json"


def env(payload="eyJ0eXBlIjoiZGlzY2xvc3VyZSJ9", ptype=PT,
        sigs=None):
    return {"payloadType": ptype, "payload": payload,
            "signatures": sigs if sigs is not None else
            [{"keyid": "ab" * 32, "sig": b64(b"x" * 64)}]}


def submission(cid, cat, body, code, expect=400, ctype="application/json",
               raw=False):
    c = {"category": cat, "method": "POST", "path": "/v1/submissions",
         "headers": {"Content-Type": ctype} if ctype else {},
         "id": cid, "expect": expect, "code": code}
    if isinstance(body, bytes):
        c["body_b64"] = b64(body)
    else:
        c["body"] = body if isinstance(body, str) else json.dumps(body)
    return c


def json_cases():
    bad = ["", " ", "{", "}", "[", "{]", "{\"payloadType\":}", "nul",
           "tru", "{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\" 1}",
           "{\"a\":01}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":+1}",
           "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-}", "{\"a\":\"\\x41\"}",
           "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}", "{\"a\":1}{",
           "{\"a\":1} x", "/* c */{}", "{\"a\":1}//", "\"\\ud800\"x",
           "{\"a\":[1,2}", "{\"a\":{\"b\":1]}", "\x00{}", "{\"a\":\"\x01\"}"]
    cases = [submission(f"json malformed #{i}", "json", b, "invalid_json")
             for i, b in enumerate(bad)]
    dup = ['{"payloadType":"a","payloadType":"b","payload":"","signatures":[]}',
           '{"payload":"YQ==","payload":"Yg==","payloadType":"x","signatures":[]}',
           '{"signatures":[{"keyid":"a","keyid":"b","sig":"c"}],"payload":"","payloadType":"x"}']
    cases += [submission(f"json duplicate key #{i}", "json", b,
                         "duplicate_json_key") for i, b in enumerate(dup)]
    # not an envelope: right JSON, wrong shape
    # a JSON text that is not an object: either code (the table lists both)
    for i, b in enumerate([[], 1, "s", None, True, 1.5, [{}]]):
        cases.append(submission(f"json not an object #{i}", "json", b,
                                ["invalid_json", "invalid_envelope"]))
    shapes = [{}, {"payload": "YQ=="},
              {"payloadType": PT, "payload": "YQ=="},
              {"payloadType": PT, "payload": "YQ==", "signatures": []},
              {"payloadType": PT, "payload": "YQ==", "signatures": {}},
              {"payloadType": 1, "payload": "YQ==", "signatures": []},
              {"payloadType": PT, "payload": 1, "signatures": []},
              env(sigs=[{"keyid": "ab" * 32}]), env(sigs=[{"sig": "YQ=="}]),
              env(sigs=[1]), env(sigs=[{"keyid": 1, "sig": "YQ=="}]),
              env(sigs=[{"keyid": "ab" * 32, "sig": b64(b"x" * 64)}] * 9),
              dict(env(), extra=1), dict(env(), payloadType=None),
              env(sigs=[{"keyid": "ab" * 32, "sig": b64(b"x" * 64),
                         "x": {"y": 1}}])]
    cases += [submission(f"json not an envelope #{i}", "json", b,
                         "invalid_envelope") for i, b in enumerate(shapes)]
    # deep nesting: arrays, objects, and in the payload position
    for i, d in enumerate([64, 200, 1000, 10000, 100000]):
        cases.append(submission(f"json deep array {d}", "nesting",
                                "[" * d + "]" * d,
                                ["invalid_json", "invalid_envelope"]))
        if d <= 10000:  # 100,000 deep objects would be 800 kB kept here
            cases.append(submission(f"json deep object {d}", "nesting",
                                    '{"a":' * d + "1" + "}" * d,
                                    ["invalid_json", "invalid_envelope"]))
        cases.append(submission(f"json deep member {d}", "nesting",
                                '{"payloadType":"' + PT + '","payload":"",'
                                '"signatures":' + "[" * d + "]" * d + "}",
                                ["invalid_json", "invalid_envelope"]))
    # huge numbers where strings or arrays belong, and on their own
    nums = ["1e999999", "-1e999999", "9" * 400, "1" + "0" * 5000,
            "123456789012345678901234567890", "1e-99999", "-0",
            "18446744073709551616", "9223372036854775808"]
    for i, n in enumerate(nums):
        cases.append(submission(f"number alone #{i}", "numbers", n,
                                ["invalid_json", "invalid_envelope"]))
        cases.append(submission(
            f"number as payloadType #{i}", "numbers",
            '{"payloadType":' + n + ',"payload":"YQ==","signatures":[]}',
            ["invalid_json", "invalid_envelope"]))
        cases.append(submission(
            f"number as signatures #{i}", "numbers",
            '{"payloadType":"' + PT + '","payload":"YQ==","signatures":'
            + n + '}', ["invalid_json", "invalid_envelope"]))
    return cases


def base64_cases():
    bad = ["!!!!", "YQ=", "YQ===", "Y Q==", "YQ==\n", "=YQ=",
           "YQ==YQ==", "YQ%3D%3D", "\u00e9\u00e9==", "YWJj*", "YW=j"]
    # DESIGN.md 1: both alphabets are accepted; unpadded base64 decodes
    # too, so these envelopes are refused at the next step: the keyid
    # names no registered key
    fine = ["YQ", "-_-_", "Zm9vYg", "_w", "YWJj"]
    cases = []
    for i, b in enumerate(fine):
        cases.append(submission(f"base64 accepted alphabet #{i}", "base64",
                                env(payload=b), "unknown_key", expect=403))
    # a raw control byte inside a JSON string is not JSON at all
    cases.append(submission("base64 raw NUL", "base64",
                            env(payload="Y\x00Q="), "invalid_json"))
    for i, b in enumerate(bad):
        cases.append(submission(f"base64 payload #{i}", "base64",
                                env(payload=b), "invalid_base64"))
        cases.append(submission(
            f"base64 sig #{i}", "base64",
            env(sigs=[{"keyid": "ab" * 32, "sig": b}]),
            ["invalid_base64"]))
    return cases


def utf8_cases():
    bad = [b"\xff", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
           b"\xf4\x90\x80\x80", b"\x80", b"\xc3", b"\xe2\x82",
           b"\xf0\x9f\x98", b"\xfe\xfe\xff\xff", b"\xc0\x80",
           b"\xf8\x88\x80\x80\x80"]
    cases = []
    for i, b in enumerate(bad):
        cases.append(submission(
            f"utf8 in payloadType #{i}", "utf8",
            b'{"payloadType":"x' + b + b'","payload":"YQ==",'
            b'"signatures":[]}', "invalid_utf8"))
        cases.append(submission(
            f"utf8 in a key #{i}", "utf8",
            b'{"payload' + b + b'":"YQ==","payloadType":"x",'
            b'"signatures":[]}', "invalid_utf8"))
        cases.append(submission(f"utf8 bare #{i}", "utf8", b'"' + b + b'"',
                                "invalid_utf8"))
    return cases


def ctype_cases():
    cases = []
    types = ["text/plain", "application/x-www-form-urlencoded",
             "multipart/form-data; boundary=x", "application/xml",
             "application/json; charset=latin1", None, "",
             "application/json\r\nX-A: b".split("\r")[0] + "; x=\"",
             "application/octet-stream", "image/png"]
    bodies = [("a=1&b=2", "invalid_json"), ("<x/>", "invalid_json"),
              ("{}", "invalid_envelope")]
    for i, ct in enumerate(types):
        for j, (b, code) in enumerate(bodies):
            # the body is judged as a DSSE envelope whatever the header
            # says (the OpenAPI documents no 415 for a Content-Type)
            cases.append(submission(f"ctype {i}/{j}", "content_type", b,
                                    code, ctype=ct))
    return cases


ADMIN = [("/v1/admin/orgs", {"org": "evil", "name": "Evil",
                             "role": "developer", "public_key": "x"}),
         ("/v1/admin/orgs/acme/keys", {"public_key": "x"}),
         ("/v1/admin/indices", {"id": "evil"})]


def admin_cases():
    cases = []
    auths = [None, "Bearer ", "Bearer wrong", "bearer wrong",
             "Basic YWRtaW46YWRtaW4=", "Bearer " + "A" * 4000,
             "Token x", "Bearer\ttabbed", "Bearer x y"]
    for path, body in ADMIN:
        for i, a in enumerate(auths):
            cases.append({"category": "authz", "method": "POST",
                          "path": path, "id": f"admin {path} auth #{i}",
                          "headers": {"Content-Type": "application/json",
                                      **({"Authorization": a} if a is not None
                                         else {})},
                          "body": json.dumps(body), "expect": 401,
                          "code": "unauthorized"})
    return cases


def raw(lines, body=b""):
    return b"".join(x + b"\r\n" for x in lines) + b"\r\n" + body


def smuggling_cases():
    smuggle = b"GET /v1/admin/orgs HTTP/1.1\r\nHost: x\r\n\r\n"
    env_body = json.dumps(env()).encode()
    cl = str(len(env_body)).encode()
    reqs = [
        ("CL+TE", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                   b"Content-Length: " + cl, b"Transfer-Encoding: chunked"],
         env_body, 400, "bad_request"),
        ("TE+CL", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                   b"Transfer-Encoding: chunked", b"Content-Length: 4"],
         b"0\r\n\r\n" + smuggle, 400, "bad_request"),
        ("CL+TE smuggled", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                            b"Content-Length: 5",
                            b"Transfer-Encoding: chunked"],
         b"0\r\n\r\n" + smuggle, 400, "bad_request"),
        ("two CL same", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                         b"Content-Length: " + cl, b"Content-Length: " + cl],
         env_body, 400, "bad_request"),
        ("two CL differ", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                           b"Content-Length: 2", b"Content-Length: " + cl],
         env_body, 400, "bad_request"),
        ("two CL GET", [b"GET /healthz HTTP/1.1", b"Host: x",
                        b"Content-Length: 0", b"Content-Length: 0"],
         b"", 400, "bad_request"),
        ("CL+TE GET", [b"GET /healthz HTTP/1.1", b"Host: x",
                       b"Content-Length: 0", b"Transfer-Encoding: chunked"],
         b"0\r\n\r\n", 400, "bad_request"),
        # RFC 9112 5.2: a server MUST reject obs-fold with 400 or replace
        # it with a space; this one rejects it (the folded line reaches it
        # as a field name starting with white space), so a folded header
        # can never be read as one of its own (a TE there: CL+TE)
        ("obs-fold", [b"GET /healthz HTTP/1.1", b"Host: x",
                      b"X-A: a", b" folded: yes"], b"", 400, "bad_request"),
        ("obs-fold TE", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                         b"Content-Length: " + cl,
                         b"X-A: a", b"\tTransfer-Encoding: chunked"],
         env_body, 400, "bad_request"),
        ("space before colon", [b"GET /healthz HTTP/1.1", b"Host: x",
                                b"X-A : b"], b"", 400, None),
        ("space before colon TE", [b"POST /v1/submissions HTTP/1.1",
                                   b"Host: x", b"Content-Length: " + cl,
                                   b"Transfer-Encoding : chunked"],
         env_body, 400, None),
        ("space before colon CL", [b"POST /v1/submissions HTTP/1.1",
                                   b"Host: x", b"Content-Length : 2"],
         env_body, 400, None),
        ("no Host 1.1", [b"GET /healthz HTTP/1.1"], b"", 400, None),
        ("two Host", [b"GET /healthz HTTP/1.1", b"Host: a", b"Host: b"],
         b"", 400, None),
        ("header without colon", [b"GET /healthz HTTP/1.1", b"Host: x",
                                  b"NoColonHere"], b"", 400, None),
        ("CL negative", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                         b"Content-Length: -1"], b"", 400, None),
        ("CL not a number", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                             b"Content-Length: 1x"], b"", 400, None),
        ("CL plus sign", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                          b"Content-Length: +2"], b"{}", 400, None),
        ("bad chunk size", [b"POST /v1/submissions HTTP/1.1", b"Host: x",
                            b"Transfer-Encoding: chunked"],
         b"zz\r\n{}\r\n0\r\n\r\n", 400, None),
        ("raw control in path", [b"GET /v1/models/acme\x01/x HTTP/1.1",
                                 b"Host: x"], b"", 400, None),
        ("raw backslash path", [b"GET /v1/models/acme\\..\\x HTTP/1.1",
                                b"Host: x"], b"", 404, "not_found"),
        ("raw dotdot git", [b"GET /labels.git/../../../etc/passwd HTTP/1.1",
                            b"Host: x"], b"", 404, "not_found"),
        ("raw backslash git", [b"GET /labels.git/..\\..\\config HTTP/1.1",
                               b"Host: x"], b"", 404, "not_found"),
        ("raw %00 git", [b"GET /labels.git/HEAD%00.txt HTTP/1.1",
                         b"Host: x"], b"", 400, "invalid_path"),
    ]
    # libmicrohttpd 0.9.75 answers these four itself, before the server
    # sees the request, and writes its 400's status line and headers
    # twice on the closing connection (README, "Request hygiene"): still
    # 400, but not a single answer.
    mhd_own = {"no Host 1.1", "CL negative", "CL not a number",
               "CL plus sign"}
    cases = []
    for name, lines, body, status, code in reqs:
        cases.append({"category": "smuggling", "id": f"raw {name}",
                      "raw": b64(raw(lines, body)), "expect": status,
                      "code": code, "single_answer": name not in mhd_own})
    return cases


def sig_cases():
    """Submissions whose signatures the runner makes with the run's keys.
    build.doc: what is signed (a fresh disclosure of acme's, an accepted
    envelope, ...); build.trick: how it is spoiled."""
    B = []

    def add(trick, expect, code, doc="fresh", signer="acme", **kw):
        B.append({"category": "signature", "id": f"sig {doc} {signer} "
                  f"{trick} {len(B)}", "method": "POST",
                  "path": "/v1/submissions",
                  "build": dict(doc=doc, signer=signer, trick=trick, **kw),
                  "expect": expect, "code": code})
    for signer in ["acme", "beta", "ssh", "evals"]:
        add("flip_last_byte", 403, "bad_signature", signer=signer)
        add("flip_first_byte", 403, "bad_signature", signer=signer)
        add("empty_sig", [400, 403], ["invalid_envelope", "bad_signature"],
            signer=signer)
        add("keyid_of_other_known", 403, "bad_signature", signer=signer)
        add("keyid_unknown", 403, "unknown_key", signer=signer)
        add("keyid_uppercase", 403, ["unknown_key", "bad_signature"],
            signer=signer)
        add("swap_payload_type_signed", 403, "bad_signature",
            signer=signer)
        add("pae_length_lies_type", 403, "bad_signature", signer=signer)
        add("pae_length_lies_body", 403, "bad_signature", signer=signer)
        add("pae_no_prefix", 403, "bad_signature", signer=signer)
        add("pae_v0", 403, "bad_signature", signer=signer)
        add("raw_payload_signed", 403, "bad_signature", signer=signer)
        add("truncate_1", 403, "bad_signature", signer=signer)
        add("truncate_half", 403, "bad_signature", signer=signer)
        add("append_zero", 403, "bad_signature", signer=signer)
        add("other_payload_sig", 403, "bad_signature", signer=signer)
        add("payload_appended_space", 403, "bad_signature", signer=signer)
    for n in [4, 10, 20, 40, 60, 80, 100, 200]:
        add(f"sshsig_truncate_{n}", 403, "bad_signature", signer="ssh")
    for t in ["sshsig_namespace_git", "sshsig_magic", "sshsig_version_2",
              "sshsig_hash_sha1", "sshsig_other_key"]:
        add(t, 403, "bad_signature", signer="ssh")
    for t in ["der_leading_zero_r", "der_long_form_len", "der_trailing",
              "der_indefinite", "der_p1363", "der_neg_s", "der_zero_s",
              "der_r_equals_n"]:
        add(t, 403, "bad_signature", signer="beta")
    for t in ["pss_salt_0", "pss_salt_64", "pss_salt_max", "pss_sha512",
              "pss_mgf1_sha1", "pkcs1v15", "pss_short_by_1",
              "pss_long_by_1"]:
        add(t, 403, "bad_signature", signer="evals", doc="fresh_eval")
    # a well-signed payload with the wrong payloadType in the envelope
    add("ptype_eval_for_disclosure", 422, "validation_failed")
    add("ptype_unknown", 415, "unsupported_payload_type")
    add("ptype_json", 415, "unsupported_payload_type")
    add("ptype_uppercase", 415, "unsupported_payload_type")
    add("ptype_trailing_space", 415, "unsupported_payload_type")
    # high-S ECDSA over an accepted payload of beta: it verifies (ECDSA
    # is malleable) and is the same payload: already accepted, nothing new
    add("high_s", 200, None, doc="accepted_beta", signer="beta")
    add("high_s_flip", 403, "bad_signature", doc="accepted_beta",
        signer="beta")
    return B


def authz_cases():
    B = []

    def add(doc, signer, expect, code, trick="none"):
        B.append({"category": "authz", "id": f"authz {doc} by {signer}",
                  "method": "POST", "path": "/v1/submissions",
                  "build": dict(doc=doc, signer=signer, trick=trick),
                  "expect": expect, "code": code})
    add("fresh_beta", "acme", 403, "wrong_organisation")
    add("fresh", "beta", 403, "wrong_organisation")
    add("fresh", "evals", 403, "role_not_permitted")
    add("fresh", "assessor", 403, "role_not_permitted")
    add("fresh_eval", "acme", 403, "role_not_permitted")
    add("fresh_assessment", "acme", 403, "role_not_permitted")
    add("fresh_assessment", "evals", 403, "role_not_permitted")
    add("fresh_eval", "assessor", 403, "role_not_permitted")
    add("fresh", "acme+beta", 403, "forbidden")
    add("fresh", "stranger", 403, "unknown_key")
    add("key_event_for_beta", "acme", 403, "wrong_organisation")
    add("fresh_wrong_registry", "acme", 400, "wrong_registry")
    add("fresh_old", "acme", 400, "issued_at_out_of_window")
    add("fresh_future", "acme", 400, "issued_at_out_of_window")
    add("fresh_stale_seq", "acme", 409, "stale_seq")
    add("fresh_bad_supersedes", "acme", 409, "stale_supersedes")
    add("fresh_invalid_doc", "acme", 422, "validation_failed")
    add("eval_unknown_org", "evals", 404, "unknown_subject")
    add("eval_unknown_disclosure", "evals", 404, "unknown_subject")
    return B


def replay_cases():
    B = []

    def add(doc, signer, expect, code, trick="none"):
        B.append({"category": "replay", "id": f"replay {doc} {signer} "
                  f"{trick}", "method": "POST", "path": "/v1/submissions",
                  "build": dict(doc=doc, signer=signer, trick=trick),
                  "expect": expect, "code": code})
    add("accepted_acme", "same", 200, None)
    add("accepted_acme", "acme", 200, None)
    add("accepted_acme", "acme+stranger", 200, None)
    add("accepted_acme", "beta", 403, "wrong_organisation")
    add("accepted_acme", "evals", 403, "role_not_permitted")
    add("accepted_acme", "stranger", 403, "unknown_key")
    add("accepted_acme", "acme", 422, "validation_failed",
        trick="ptype_eval_for_disclosure")
    add("accepted_acme", "acme", 403, "bad_signature",
        trick="keyid_of_other_known")
    add("accepted_acme", "acme", 400, "duplicate_signature",
        trick="twice")
    add("accepted_beta", "acme", 403, "wrong_organisation")
    add("accepted_beta", "beta", 200, None)
    add("accepted_eval", "otherlab", 403, "wrong_organisation")
    add("accepted_eval", "acme", 403, "role_not_permitted")
    add("accepted_eval", "evals", 200, None)
    return B


def known_issues():
    """tests/hostile/known_issues.json: case id -> the finding it shows
    (kept by hand from the runner's report, never to hide a case)."""
    p = os.path.join(HERE, "known_issues.json")
    return json.load(open(p)) if os.path.exists(p) else {}


def main():
    openapi = json.load(open(os.path.join(ROOT, "web", "static",
                                          "openapi.json")))
    cases = (path_cases(openapi) + method_cases() + json_cases() +
             base64_cases() + utf8_cases() + ctype_cases() +
             admin_cases() + smuggling_cases() + sig_cases() +
             authz_cases() + replay_cases())
    ids = set()
    known = known_issues()
    for c in cases:
        if c["id"] in known:
            c["known_issue"] = known[c["id"]]
        assert c["id"] not in ids, c["id"]
        ids.add(c["id"])
    with open(os.path.join(HERE, "corpus.jsonl"), "w") as f:
        for c in cases:
            f.write(json.dumps(c, sort_keys=True) + "\n")
    print(len(cases), "requests")


if __name__ == "__main__":
    main()
