"""The hostile-input corpus (issue 15): every request kept in
tests/hostile/corpus.jsonl is sent to a real modelfactsd over loopback
(raw sockets for the framing cases), and each must get the status and
error code the README and web/static/openapi.json document for it.

The registry holds a few accepted documents and receives no valid new
submission during the run: a `pg_dump --data-only` of its database (rows
sorted within each table) and a listing of the git repository (refs and
every object's name, type and size) are compared before and after the
whole corpus, and must be byte-identical. /healthz is asked after every
50 requests and the process must be alive at the end. Cases marked
`known_issue` in the corpus are reported as failures of their own.

Submissions whose signatures must be real (the `build` cases) are made
here with keys created by the openssl and ssh-keygen CLIs (mf.Key), then
spoiled as the case says."""
import base64
import collections
import hashlib
import json
import os
import re
import socket
import subprocess
import time

import mf
from harness import PGBIN, ROOT, sh

CORPUS = os.path.join(ROOT, "tests", "hostile", "corpus.jsonl")
# P-256's group order
N = int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        16)
S = {}


# -- the registry the corpus runs against ----------------------------------

def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    d = t.dir
    keys = {"acme": mf.Key(d, "acme", "ed25519"),
            "beta": mf.Key(d, "beta", "ecdsa-p256"),
            "ssh": mf.Key(d, "ssh", "ssh-ed25519"),
            "evals": mf.Key(d, "evals", "rsa-pss"),
            "otherlab": mf.Key(d, "otherlab", "ed25519"),
            "assessor": mf.Key(d, "assessor", "ed25519"),
            "stranger": mf.Key(d, "stranger", "ed25519"),
            "stranger_ssh": mf.Key(d, "stranger_ssh", "ssh-ed25519"),
            "newkey": mf.Key(d, "newkey", "ed25519")}
    orgs = {"acme": ("acme", "developer"), "beta": ("beta", "developer"),
            "ssh": ("sshlab", "developer"),
            "evals": ("evalhouse", "evaluator"),
            "otherlab": ("otherlab", "evaluator"),
            "assessor": ("auditor", "assessor")}
    for k, (org, role) in orgs.items():
        reg.create_org(org, role, keys[k])
    S.update(reg=reg, keys=keys, orgs=orgs, accepted={})

    def accept(name, doc, key):
        env = mf.envelope(doc, [key])
        r = reg.submit(env)
        assert r.status == 201, r
        S["accepted"][name] = env
        return r.json()
    r = accept("accepted_acme", mf.disclosure(
        "acme", "acme-7b", reg.next_seq("acme")), keys["acme"])
    accept("accepted_beta", mf.disclosure(
        "beta", "beta-1", reg.next_seq("beta")), keys["beta"])
    accept("accepted_ssh", mf.disclosure(
        "sshlab", "ssh-1", reg.next_seq("sshlab")), keys["ssh"])
    accept("accepted_eval", mf.eval_result(
        "acme", "acme-7b", reg.next_seq("evalhouse"), True,
        r["payload_sha256"]), keys["evals"])
    S["acme_head"] = "sha256:" + r["payload_sha256"]
    wait_idle(t)
    return S


def wait_idle(t, timeout=60):
    """Until every logged entry is published and the git repository
    stops changing."""
    deadline = time.time() + timeout
    last = None
    while True:
        n, total, pub = t.sql(
            "SELECT (SELECT count(*) FROM submissions WHERE log_index IS"
            " NOT NULL), (SELECT count(*) FROM submissions),"
            " (SELECT count(*) FROM publications)")[0]
        snap = git_state(t)
        if n == total == pub and snap == last:
            return
        last = snap
        assert time.time() < deadline, f"publisher not idle: {n}/{pub}"
        time.sleep(0.5)


def git_dir(t):
    for root, dirs, files in os.walk(t.server.state_dir):
        if "HEAD" in files and "objects" in dirs and "refs" in dirs:
            return root
    raise AssertionError("no git repository under the state directory")


def git_state(t):
    """Refs, and every object (name, type, size), sorted."""
    g = git_dir(t)
    refs = sh("git", "--git-dir", g, "for-each-ref",
              "--format=%(refname) %(objectname)").stdout
    head = open(os.path.join(g, "HEAD")).read()
    objs = sh("git", "--git-dir", g, "cat-file", "--batch-all-objects",
              "--batch-check").stdout
    return head + refs + "\n".join(sorted(objs.splitlines()))


def db_state(t):
    """pg_dump --data-only, each table's rows sorted; without the leader
    leases, whose expiry the running server renews every few seconds
    (migrations/0011_lease.sql: time, not data a request could write)."""
    out = sh(os.path.join(PGBIN, "pg_dump"), "-h", t.cluster.sock, "-U",
             "modelfacts", "-d", t.dbname, "--data-only",
             "--exclude-table-data=leader_lease", "--no-comments").stdout
    lines, block, res = out.splitlines(), None, []
    for line in lines:
        if line.startswith(("\\restrict ", "\\unrestrict ")):
            continue  # pg_dump's random per-dump key
        if block is not None:
            if line == "\\.":
                res += sorted(block) + [line]
                block = None
            else:
                block.append(line)
        else:
            res.append(line)
            if line.startswith("COPY "):
                block = []
    return "\n".join(res)


# -- building signed submissions -------------------------------------------

def sign_ssh(key, msg, namespace="modelfacts"):
    tmp = key.priv + ".msg"
    with open(tmp, "wb") as f:
        f.write(msg)
    try:
        if os.path.exists(tmp + ".sig"):
            os.remove(tmp + ".sig")
        sh("ssh-keygen", "-q", "-Y", "sign", "-n", namespace, "-f",
           key.priv, tmp)
        lines = open(tmp + ".sig").read().strip().splitlines()
        return base64.b64decode("".join(lines[1:-1]))
    finally:
        for p in (tmp, tmp + ".sig"):
            if os.path.exists(p):
                os.remove(p)


def sign_pss(key, msg, opts):
    tmp = key.priv + ".msg"
    with open(tmp, "wb") as f:
        f.write(msg)
    try:
        args = []
        for o in opts:
            args += ["-sigopt", o]
        md = "-sha256"
        return subprocess.run(
            ["openssl", "dgst", md] + args + ["-sign", key.priv, tmp],
            stdout=subprocess.PIPE, check=True).stdout
    finally:
        os.remove(tmp)


def der_int(v, raw=None):
    b = raw if raw is not None else v.to_bytes(
        (v.bit_length() + 8) // 8 or 1, "big")
    return b"\x02" + bytes([len(b)]) + b


def der_parse(sig):
    assert sig[0] == 0x30
    i = 2
    rl = sig[i + 1]
    r = int.from_bytes(sig[i + 2:i + 2 + rl], "big")
    i += 2 + rl
    sl = sig[i + 1]
    s = int.from_bytes(sig[i + 2:i + 2 + sl], "big")
    return r, s


def der_seq(body, long_form=False):
    if long_form:
        return b"\x30\x81" + bytes([len(body)]) + body
    return b"\x30" + bytes([len(body)]) + body


def ecdsa_trick(sig, trick):
    r, s = der_parse(sig)
    if trick == "der_leading_zero_r":
        rb = r.to_bytes((r.bit_length() + 8) // 8, "big")
        return der_seq(der_int(0, b"\x00" + rb) + der_int(s))
    if trick == "der_long_form_len":
        return der_seq(der_int(r) + der_int(s), long_form=True)
    if trick == "der_trailing":
        return sig + b"\x00"
    if trick == "der_indefinite":
        return b"\x30\x80" + der_int(r) + der_int(s) + b"\x00\x00"
    if trick == "der_p1363":
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if trick == "der_neg_s":
        v = -s
        return der_seq(der_int(r) + der_int(0, v.to_bytes(
            (v.bit_length() + 8) // 8, "big", signed=True)))
    if trick == "der_zero_s":
        return der_seq(der_int(r) + der_int(0, b"\x00"))
    if trick == "der_r_equals_n":
        return der_seq(der_int(N) + der_int(s))
    if trick in ("high_s", "high_s_flip"):
        hs = s if s > N // 2 else N - s
        if trick == "high_s_flip":
            r ^= 1
        return der_seq(der_int(r) + der_int(hs))
    raise AssertionError(trick)


def signer_keys(name):
    return [S["keys"][k] for k in name.split("+")]


def org_of(k):
    return S["orgs"].get(k, (k, None))[0]


def seq_of(org):
    return S["reg"].seqs.get(org, 0) + 1


def make_doc(kind, signer):
    """A payload (bytes) that would be accepted if well signed by signer's
    organisation; kinds named fresh_* spoil it in one documented way."""
    reg = S["reg"]
    if kind == "fresh" and signer in ("ssh", "beta"):
        org = org_of(signer)
        return mf.disclosure(org, "hostile-new", seq_of(org))
    if kind == "fresh" and signer == "evals":
        kind = "fresh_eval"
    if kind in ("fresh", "fresh_wrong_registry", "fresh_old",
                "fresh_future", "fresh_stale_seq", "fresh_bad_supersedes",
                "fresh_invalid_doc"):
        kw = {}
        if kind == "fresh_wrong_registry":
            kw["registry"] = "evil.example"
        if kind == "fresh_old":
            kw["issued_at"] = mf.now(-30 * 86400)
        if kind == "fresh_future":
            kw["issued_at"] = mf.now(30 * 86400)
        seq = seq_of("acme") - (1 if kind == "fresh_stale_seq" else 0)
        d = mf.disclosure("acme", "hostile-new" if kind != "fresh_bad_"
                          "supersedes" else "acme-7b", seq, **kw)
        if kind == "fresh_bad_supersedes":
            d["supersedes"] = "sha256:" + "0" * 64
        if kind == "fresh_invalid_doc":
            d["seq"] = "one"
        return d
    if kind == "fresh_beta":
        return mf.disclosure("beta", "hostile-new", seq_of("beta"))
    if kind == "fresh_eval":
        return mf.eval_result("acme", "acme-7b", seq_of("evalhouse"), True)
    if kind == "eval_unknown_org":
        return mf.eval_result("no-such-org", "x", seq_of("evalhouse"), True)
    if kind == "eval_unknown_disclosure":
        return mf.eval_result("acme", "acme-7b", seq_of("evalhouse"), True,
                              "0" * 64)
    if kind == "fresh_assessment":
        return mf.assessment("acme", "acme-7b", seq_of("auditor"))
    if kind == "key_event_for_beta":
        return mf.key_event("beta", seq_of("beta"), "add",
                            new_key=S["keys"]["newkey"])
    raise AssertionError(kind)


def sign_with(key, msg, trick):
    if trick == "sshsig_namespace_git":
        return sign_ssh(key, msg, "git")
    if trick == "sshsig_other_key":
        return sign_ssh(S["keys"]["stranger_ssh"], msg)
    pss = {"pss_salt_0": ["rsa_padding_mode:pss", "rsa_pss_saltlen:0"],
           "pss_salt_64": ["rsa_padding_mode:pss", "rsa_pss_saltlen:64"],
           "pss_salt_max": ["rsa_padding_mode:pss", "rsa_pss_saltlen:max"],
           "pss_mgf1_sha1": ["rsa_padding_mode:pss", "rsa_pss_saltlen:32",
                             "rsa_mgf1_md:sha1"],
           "pkcs1v15": ["rsa_padding_mode:pkcs1"]}
    if trick in pss:
        return sign_pss(key, msg, pss[trick])
    if trick == "pss_sha512":
        tmp = key.priv + ".msg"
        with open(tmp, "wb") as f:
            f.write(msg)
        try:
            return subprocess.run(
                ["openssl", "dgst", "-sha512", "-sigopt",
                 "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                 "-sign", key.priv, tmp], stdout=subprocess.PIPE,
                check=True).stdout
        finally:
            os.remove(tmp)
    return key.sign(msg)


def spoil_sig(sig, trick, key):
    if trick == "flip_last_byte":
        return sig[:-1] + bytes([sig[-1] ^ 1])
    if trick == "flip_first_byte":
        return bytes([sig[0] ^ 0x40]) + sig[1:]
    if trick == "empty_sig":
        return b""
    if trick in ("truncate_1", "pss_short_by_1"):
        return sig[:-1]
    if trick == "truncate_half":
        return sig[:len(sig) // 2]
    if trick in ("append_zero", "pss_long_by_1"):
        return sig + b"\x00"
    if trick.startswith("sshsig_truncate_"):
        n = int(trick.rsplit("_", 1)[1])
        return sig[:min(n, len(sig) - 1)]
    if trick == "sshsig_magic":
        return b"SSHSIH" + sig[6:]
    if trick == "sshsig_version_2":
        return sig[:6] + (2).to_bytes(4, "big") + sig[10:]
    if trick == "sshsig_hash_sha1":
        i = sig.rfind(b"sha512")
        assert i > 0
        return sig[:i] + b"sha511" + sig[i + 6:]
    if trick.startswith("der_") or trick.startswith("high_s"):
        return ecdsa_trick(sig, trick)
    return sig


def build(case):
    b = case["build"]
    trick = b.get("trick", "none")
    signer = b["signer"]
    eval_pt = mf.PAYLOAD_TYPES["eval-result"]
    if b["doc"].startswith("accepted_"):
        env0 = json.loads(S["accepted"][b["doc"]])
        if signer == "same":
            return S["accepted"][b["doc"]]
        body = base64.b64decode(env0["payload"])
        ptype = env0["payloadType"]
    else:
        doc = make_doc(b["doc"], signer if case["category"] == "signature"
                       else "acme")
        body = json.dumps(doc, indent=1).encode()
        ptype = mf.PAYLOAD_TYPES[doc["type"]]
    keys = signer_keys(signer)
    if b["doc"] == "key_event_for_beta":
        keys = keys + [S["keys"]["newkey"]]
    env_ptype = sign_ptype = ptype
    payload, tb, lb = body, ptype.encode(), len(body)
    prefix = b"DSSEv1"
    if trick == "swap_payload_type_signed":
        sign_ptype = eval_pt if ptype != eval_pt else \
            mf.PAYLOAD_TYPES["disclosure"]
    if trick == "ptype_eval_for_disclosure":
        env_ptype = sign_ptype = eval_pt
    for t_, v in (("ptype_unknown",
                   "application/vnd.modelfacts.unknown.v1+json"),
                  ("ptype_json", "application/json"),
                  ("ptype_uppercase", ptype.upper()),
                  ("ptype_trailing_space", ptype + " ")):
        if trick == t_:
            env_ptype = sign_ptype = v
    tb = sign_ptype.encode()
    lt = len(tb) + (1 if trick == "pae_length_lies_type" else 0)
    if trick == "pae_length_lies_body":
        lb -= 1
    if trick == "pae_v0":
        prefix = b"DSSEv0"
    msg = b"%s %d %s %d %s" % (prefix, lt, tb, lb, body)
    if trick == "pae_no_prefix":
        msg = b"%d %s %d %s" % (len(tb), tb, len(body), body)
    if trick == "raw_payload_signed":
        msg = body
    if trick == "other_payload_sig":
        msg = mf.pae(sign_ptype, body + b"\n")
    if trick == "payload_appended_space":
        payload = body + b" "
    sigs = []
    for k in keys:
        sig = sign_with(k, msg, trick)
        sigs.append({"keyid": k.keyid, "sig": sig})
    sigs[0]["sig"] = spoil_sig(sigs[0]["sig"], trick, keys[0])
    if trick == "keyid_of_other_known":
        other = "acme" if keys[0] is not S["keys"]["acme"] else "beta"
        sigs[0]["keyid"] = S["keys"][other].keyid
    if trick == "keyid_unknown":
        sigs[0]["keyid"] = hashlib.sha256(b"nobody").hexdigest()
    if trick == "keyid_uppercase":
        sigs[0]["keyid"] = sigs[0]["keyid"].upper()
    if trick == "twice":
        sigs = sigs + [dict(sigs[0])]
    env = {"payloadType": env_ptype, "payload": mf.b64(payload),
           "signatures": [{"keyid": s["keyid"], "sig": mf.b64(s["sig"])}
                          for s in sigs]}
    return json.dumps(env).encode()


# -- sending ---------------------------------------------------------------

def send_raw(port, data, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        s.sendall(data)
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def check(case, status, body, headers, answers=1):
    """None when the answer is as documented, else what differed."""
    want = case["expect"]
    want = want if isinstance(want, list) else [want]
    problems = []
    if status not in want:
        problems.append(f"status {status}, documented {want}")
    code = case.get("code")
    if code is not None:
        codes = code if isinstance(code, list) else [code]
        try:
            got = json.loads(body)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            got = None
        if got not in codes:
            problems.append(f"code {got!r}, documented {codes}")
    ctype = case.get("ctype")
    hv = {k.lower(): v.strip() for k, v in headers}
    if ctype and not any((hv.get("content-type") or "").startswith(c)
                         for c in ctype):
        problems.append(f"content type {hv.get('content-type')}")
    if case.get("allow") and status == 405 and "allow" not in hv:
        problems.append("405 without Allow")
    if case.get("single_answer") and answers != 1:
        problems.append(f"{answers} answers on one connection")
    return "; ".join(problems) or None


def run_case(t, case):
    srv = t.server
    if "raw" in case:
        out = send_raw(srv.port, base64.b64decode(case["raw"]))
        answers = len(re.findall(rb"(?:^|\r\n)HTTP/1\.[01] \d{3} ", out))
        if not out:
            return 0, "no answer"
        head, _, body = out.partition(b"\r\n\r\n")
        first = head.split(b"\r\n")
        status = int(first[0].split()[1])
        headers = [tuple(x.decode("latin1").split(":", 1))
                   for x in first[1:] if b":" in x]
        problem = check(case, status, body, headers, answers)
        if problem and answers != 1:
            problem += f": {out[:600]!r}"
        return status, problem
    if "build" in case:
        body = build(case)
        headers = {"Content-Type": "application/json"}
    else:
        body = case.get("body")
        if "body_b64" in case:
            body = base64.b64decode(case["body_b64"])
        headers = case.get("headers") or {}
    r = srv.request(case["method"], case["path"], body=body,
                    headers=headers)
    return r.status, check(case, r.status, r.body, r.headers)


def test_hostile_corpus(t):
    setup(t)
    cases = [json.loads(line) for line in open(CORPUS)]
    assert len(cases) >= 500, len(cases)
    db0, git0 = db_state(t), git_state(t)
    tried = collections.Counter()
    ok = collections.Counter()
    wrong, known = [], []
    for i, case in enumerate(cases):
        tried[case["category"]] += 1
        status, problem = run_case(t, case)
        if problem is None:
            ok[case["category"]] += 1
            if case.get("known_issue"):
                wrong.append(f"{case['id']}: marked known_issue but as "
                             "documented now")
        elif case.get("known_issue"):
            known.append(f"{case['id']}: {problem} ({case['known_issue']})")
        else:
            wrong.append(f"{case['id']}: {problem}")
        if i % 50 == 49:
            r = t.server.get("/healthz")
            assert r.status == 200, f"healthz after {i + 1}: {r}"
    assert t.server.proc.poll() is None, "modelfactsd died"
    assert t.server.get("/healthz").status == 200
    wait_idle(t)
    db1, git1 = db_state(t), git_state(t)
    print(f"   hostile corpus: {len(cases)} requests tried")
    for cat in sorted(tried):
        print(f"     {cat:13} {tried[cat]:5} tried, {ok[cat]:5} as "
              "documented")
    print(f"   known issues: {len(known)}; other differences: {len(wrong)}")
    for w in known:
        print("     KNOWN ISSUE " + w)
    for w in wrong:
        print("     DIFFERS " + w)
    if db0 != db1:
        import difflib
        print("\n".join(list(difflib.unified_diff(
            db0.splitlines(), db1.splitlines(), lineterm=""))[:60]))
    assert db0 == db1, "the database changed during the corpus"
    assert git0 == git1, "the git repository changed during the corpus"
    assert not wrong, f"{len(wrong)} requests not answered as documented"


def test_server_log_is_utf8(t):
    """README "Request hygiene": bytes that are not UTF-8 are logged as
    \\xNN. The corpus's overlong sequences (%e0%80%ae) must not reach the
    log raw."""
    with open(t.server.log_path, "rb") as f:
        data = f.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise AssertionError(f"server log line {line} holds raw bytes that "
                             f"are not UTF-8: {data[e.start:e.start + 8]!r}")


def test_known_issues(t):
    """The cases marked known_issue: each is a finding (listed above)."""
    cases = [json.loads(line) for line in open(CORPUS)]
    marked = [c["id"] for c in cases if c.get("known_issue")]
    assert not marked, f"{len(marked)} known issues: {marked[:20]}"
