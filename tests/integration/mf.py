"""Test helpers for modelfacts documents, keys and envelopes.

Keys are made and signatures computed with the real `openssl` and
`ssh-keygen` command-line tools, never with the registry's own code, so a
test of the registry's verification is a test against independent
implementations. Payloads start from the project's examples/ and get their
header fields (registry, subject, issued_at, seq, supersedes) set here.
"""
import base64
import copy
import datetime
import hashlib
import json
import os
import subprocess

from harness import ROOT, sh

PAYLOAD_TYPES = {
    "disclosure": "application/vnd.modelfacts.disclosure.v1+json",
    "eval-result": "application/vnd.modelfacts.eval-result.v1+json",
    "assessment": "application/vnd.modelfacts.assessment.v1+json",
    "key-event": "application/vnd.modelfacts.key-event.v1+json",
}
ORIGIN = "modelfacts.localhost"


def now(offset_s=0):
    t = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=offset_s)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def pae(ptype, body):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def b64(data):
    return base64.b64encode(data).decode()


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


class Key:
    """A key pair made by openssl or ssh-keygen in directory d."""

    def __init__(self, d, name, kind="ed25519"):
        self.kind = kind
        self.priv = os.path.join(d, name + ".key")
        self.pub_path = os.path.join(d, name + ".pub")
        for p in (self.priv, self.pub_path, self.priv + ".pub"):
            if os.path.exists(p):
                os.remove(p)
        if kind == "ssh-ed25519":
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
               name, "-f", self.priv)
            self.public = open(self.priv + ".pub").read().strip()
            # ssh-keygen cannot export Ed25519 as PKCS#8: build the SPKI
            # from the SSH wire blob (string "ssh-ed25519", string key).
            blob = base64.b64decode(self.public.split()[1])
            n = int.from_bytes(blob[0:4], "big")
            assert blob[4:4 + n] == b"ssh-ed25519"
            pk = blob[8 + n:]
            der = bytes.fromhex("302a300506032b6570032100") + pk
            with open(self.pub_path, "w") as f:
                f.write("-----BEGIN PUBLIC KEY-----\n" + b64(der) +
                        "\n-----END PUBLIC KEY-----\n")
        else:
            gen = {"ed25519": ["-algorithm", "ed25519"],
                   "ecdsa-p256": ["-algorithm", "EC", "-pkeyopt",
                                  "ec_paramgen_curve:P-256"],
                   "rsa-pss": ["-algorithm", "RSA", "-pkeyopt",
                               "rsa_keygen_bits:2048"]}[kind]
            sh("openssl", "genpkey", *gen, "-out", self.priv)
            sh("openssl", "pkey", "-in", self.priv, "-pubout", "-out",
               self.pub_path)
            self.public = open(self.pub_path).read()
        der = subprocess.run(["openssl", "pkey", "-pubin", "-in",
                              self.pub_path, "-outform", "DER"],
                             stdout=subprocess.PIPE, check=True).stdout
        self.keyid = hashlib.sha256(der).hexdigest()

    def sign(self, msg):
        """Signs msg with the CLI tools; returns the raw signature."""
        tmp = self.priv + ".msg"
        with open(tmp, "wb") as f:
            f.write(msg)
        try:
            if self.kind == "ed25519":
                return subprocess.run(
                    ["openssl", "pkeyutl", "-sign", "-rawin", "-inkey",
                     self.priv, "-in", tmp], stdout=subprocess.PIPE,
                    check=True).stdout
            if self.kind == "ecdsa-p256":
                return subprocess.run(
                    ["openssl", "dgst", "-sha256", "-sign", self.priv, tmp],
                    stdout=subprocess.PIPE, check=True).stdout
            if self.kind == "rsa-pss":
                return subprocess.run(
                    ["openssl", "dgst", "-sha256", "-sigopt",
                     "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                     "-sign", self.priv, tmp], stdout=subprocess.PIPE,
                    check=True).stdout
            # ssh-keygen -Y sign writes tmp.sig, armored
            if os.path.exists(tmp + ".sig"):
                os.remove(tmp + ".sig")
            sh("ssh-keygen", "-q", "-Y", "sign", "-n", "modelfacts", "-f",
               self.priv, tmp)
            lines = open(tmp + ".sig").read().strip().splitlines()
            assert lines[0] == "-----BEGIN SSH SIGNATURE-----"
            return base64.b64decode("".join(lines[1:-1]))
        finally:
            os.remove(tmp)


def envelope(payload, keys, ptype=None, raw=False):
    """A DSSE envelope (bytes) of payload (dict or bytes) signed by keys."""
    body = payload if isinstance(payload, bytes) else \
        json.dumps(payload, indent=1).encode()
    if ptype is None:
        ptype = PAYLOAD_TYPES[json.loads(body)["type"]]
    msg = pae(ptype, body)
    sigs = [{"keyid": k.keyid, "sig": b64(k.sign(msg))} for k in keys]
    env = {"payloadType": ptype, "payload": b64(body), "signatures": sigs}
    return env if raw else json.dumps(env).encode()


def example(name):
    with open(os.path.join(ROOT, "examples", name)) as f:
        return json.load(f)


def header(doc, org, model, seq, issued_at=None, registry=ORIGIN):
    doc["registry"] = registry
    doc["subject"] = {"org": org} if model is None else \
        {"org": org, "model": model}
    doc["issued_at"] = issued_at or now()
    doc["seq"] = seq
    return doc


def disclosure(org, model, seq, supersedes=None, name="disclosure-open.json",
               **kw):
    d = header(example(name), org, model, seq, **kw)
    d["supersedes"] = supersedes
    return d


def eval_result(org, model, seq, third_party, disclosure_sha=None, **kw):
    d = header(example("eval-result-third-party.json" if third_party else
                       "eval-result-self-reported.json"), org, model, seq,
               **kw)
    d["assurance"] = "third_party" if third_party else "self_reported"
    if disclosure_sha:
        d["subject"]["disclosure"] = "sha256:" + disclosure_sha
    return d


def assessment(org, model, seq, **kw):
    return header(example("assessment.json"), org, model, seq, **kw)


def key_event(org, seq, action, new_key=None, target=None, **kw):
    d = {"type": "key-event", "registry": kw.get("registry", ORIGIN),
         "subject": {"org": org}, "issued_at": kw.get("issued_at") or now(),
         "seq": seq, "action": action}
    if new_key is not None:
        d["key"] = {"public_key": new_key.public}
    if action == "rotate":
        d["replaces"] = target
    if action == "revoke":
        d["keyid"] = target
        d["reason"] = "superseded in a test"
    return d


class Registry:
    """A running modelfactsd seen through its HTTP API."""

    def __init__(self, server):
        self.s = server
        self.token = open(os.path.join(server.state_dir,
                                       "admin.token")).read().strip()
        self.seqs = {}

    def create_org(self, org, role, key, name=None):
        r = self.s.post("/v1/admin/orgs", body={
            "org": org, "name": name or org.title(), "role": role,
            "public_key": key.public},
            headers={"Authorization": "Bearer " + self.token})
        assert r.status == 201, r
        assert r.json()["keyid"] == key.keyid, (r.json(), key.keyid)
        return r

    def next_seq(self, org):
        self.seqs[org] = self.seqs.get(org, 0) + 1
        return self.seqs[org]

    def submit(self, env):
        return self.s.post("/v1/submissions", body=env)

    def counts(self, t):
        """Everything a submission could change, for 'nothing stored'."""
        return t.sql("SELECT (SELECT count(*) FROM submissions),"
                     " (SELECT count(*) FROM versions),"
                     " (SELECT count(*) FROM evals),"
                     " (SELECT count(*) FROM assessments),"
                     " (SELECT count(*) FROM keys),"
                     " (SELECT count(*) FROM models),"
                     " (SELECT coalesce(sum(last_seq), 0) FROM orgs),"
                     " (SELECT count(*) FROM log_nodes),"
                     " (SELECT string_agg(keyid || status, ',' ORDER BY"
                     "  keyid) FROM keys)")[0]


def deep(doc):
    return copy.deepcopy(doc)


# --- RFC 9162 Merkle trees, written here from the RFC so the registry's
# --- proofs are checked by code that shares nothing with it.

def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """Merkle Tree Hash of a list of leaf hashes (RFC 9162 §2.1.1)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, lh, proof, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, lh
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, proof, root1, root2):
    """RFC 9162 §2.1.4.2."""
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0 or size1 > size2 or not proof:
        return False
    if size1 & (size1 - 1) == 0:
        proof = [root1] + list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


def parse_checkpoint(note):
    """(origin, size, root bytes, signed text, [(name, sig bytes)])."""
    text, _, sigs = note.partition("\n\n")
    lines = text.split("\n")
    out = []
    for line in sigs.strip("\n").split("\n"):
        assert line.startswith("\u2014 "), line
        name, sig = line[2:].rsplit(" ", 1)
        out.append((name, base64.b64decode(sig)))
    return lines[0], int(lines[1]), base64.b64decode(lines[2]), \
        (text + "\n").encode(), out


def proof_hashes(p):
    return [base64.b64decode(h) for h in p["hashes"]]
