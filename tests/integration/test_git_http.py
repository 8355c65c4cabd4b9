"""Dumb-HTTP cloning of the published repository: a bare repository
populated with the real git CLI (commits, annotated and lightweight tags,
a pack and loose objects) is served by the real modelfactsd, cloned with
stock git, and compared with the source; path traversal gets 404."""
import os
import shutil

from harness import sh

GIT_ENV = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1",
               HOME="/nonexistent", GIT_AUTHOR_NAME="Dev",
               GIT_AUTHOR_EMAIL="dev@example.org", GIT_COMMITTER_NAME="Dev",
               GIT_COMMITTER_EMAIL="dev@example.org")


def git(*args, cwd=None, check=True):
    return sh("git", *args, cwd=cwd, env=GIT_ENV, check=check)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def populate(t):
    """The source: a bare repository with packed and loose objects."""
    bare = os.path.join(t.dir, "labels.git")
    work = os.path.join(t.dir, "work")
    for d in (bare, work):
        shutil.rmtree(d, ignore_errors=True)
    git("init", "-q", "--bare", "-b", "main", bare)
    git("init", "-q", "-b", "main", work)
    for i in range(40):
        org, model = f"org{i % 5}", f"model-{i % 3}"
        base = os.path.join(work, "models", org, model)
        write(os.path.join(base, "label.md"), f"# {org}/{model}\n{i}\n")
        write(os.path.join(base, "label.json"), '{"entry": %d}\n' % i)
        write(os.path.join(work, "log", "checkpoint"), f"size {i + 1}\n")
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", f"Publish {org}/{model}\n\nLog-Index: {i}",
            cwd=work)
        if i % 10 == 3:
            git("tag", "-a", "-m", f"{org}/{model} v{i}",
                f"{org}/{model}/v{i}", cwd=work)
        if i % 10 == 7:
            git("tag", f"{org}/{model}/v{i}", cwd=work)
    git("push", "-q", bare, "main", "--tags", cwd=work)
    git("--git-dir", bare, "repack", "-q", "-a", "-d")
    # A few more commits, pushed small enough to stay loose objects.
    for i in range(40, 44):
        write(os.path.join(work, "orgs", "org1", "keys", f"k{i}.pem"),
              f"key {i}\n")
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", f"Key event\n\nLog-Index: {i}", cwd=work)
    git("tag", "org1/keys/v44", cwd=work)
    git("push", "-q", bare, "main", "--tags", cwd=work)
    packs = [f for f in os.listdir(os.path.join(bare, "objects", "pack"))
             if f.endswith(".pack")]
    loose = [d for d in os.listdir(os.path.join(bare, "objects"))
             if len(d) == 2 and os.listdir(os.path.join(bare, "objects", d))]
    assert len(packs) == 1 and loose, (packs, loose)
    return bare


def server_for(t):
    if getattr(t, "git_server", None) is None:
        bare = populate(t)
        t.git_bare = bare
        t.git_server = t.new_server(args=["--git-dir", bare], name="gitsrv")
    return t.git_server


def test_default_repository_is_created_at_start(t):
    s = t.server
    head = os.path.join(s.state_dir, "labels.git", "HEAD")
    assert open(head).read() == "ref: refs/heads/main\n"
    r = s.get("/labels.git/info/refs")
    assert r.status == 200 and r.body == b"", r
    # an empty repository clones (with git's warning) rather than failing
    dest = os.path.join(t.dir, "empty-clone")
    p = git("clone", f"{s.url}/labels.git", dest, check=False)
    assert p.returncode == 0, p.stderr
    assert "empty repository" in p.stderr, p.stderr


def test_clone_over_dumb_http_matches_source(t):
    s = server_for(t)
    dest = os.path.join(t.dir, "clone")
    shutil.rmtree(dest, ignore_errors=True)
    p = git("clone", f"{s.url}/labels.git", dest, check=False)
    assert p.returncode == 0, p.stderr
    src = ["--git-dir", t.git_bare]
    fmt = "--format=%H%n%B"
    assert (git("log", fmt, "main", cwd=dest).stdout
            == git(*src, "log", fmt, "main").stdout)
    assert git("log", "--oneline", cwd=dest).stdout.count("\n") == 44
    assert (git("tag", "-l", cwd=dest).stdout
            == git(*src, "tag", "-l").stdout)
    assert len(git("tag", "-l", cwd=dest).stdout.split()) == 9
    peel = "--format=%(refname) %(objectname) %(*objectname)"
    assert (git("for-each-ref", peel, "refs/tags", cwd=dest).stdout
            == git(*src, "for-each-ref", peel, "refs/tags").stdout)
    # HEAD told the client which branch to check out
    assert git("symbolic-ref", "HEAD", cwd=dest).stdout == \
        "refs/heads/main\n"
    assert open(os.path.join(dest, "orgs", "org1", "keys",
                             "k43.pem")).read() == "key 43\n"
    git("fsck", "--strict", cwd=dest)


def test_info_refs_matches_git_update_server_info(t):
    s = server_for(t)
    copy = os.path.join(t.dir, "copy.git")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(t.git_bare, copy, symlinks=True)
    git("--git-dir", copy, "update-server-info", "--force")
    r = s.get("/labels.git/info/refs")
    assert r.status == 200, r
    assert r.body == open(os.path.join(copy, "info", "refs"), "rb").read()
    assert b"^{}" in r.body  # annotated tags are peeled
    r = s.get("/labels.git/objects/info/packs")
    want = open(os.path.join(copy, "objects", "info", "packs"), "rb").read()
    assert sorted(r.body.splitlines()) == sorted(want.splitlines()), r


def test_content_types_and_caching(t):
    s = server_for(t)
    for path, ctype in (("info/refs", "text/plain; charset=utf-8"),
                        ("HEAD", "text/plain"),
                        ("objects/info/packs", "text/plain; charset=utf-8")):
        r = s.get("/labels.git/" + path)
        assert r.status == 200, (path, r)
        assert r.header("Content-Type") == ctype, (path, r.headers)
        assert "no-cache" in r.header("Cache-Control"), r.headers
    assert s.get("/labels.git/HEAD").body == b"ref: refs/heads/main\n"
    # smart HTTP falls back to dumb: the same plain file
    plain = s.get("/labels.git/info/refs")
    r = s.get("/labels.git/info/refs?service=git-upload-pack")
    assert r.status == 200 and r.body == plain.body, r
    assert r.header("Content-Type") == "text/plain; charset=utf-8"

    pack_dir = os.path.join(t.git_bare, "objects", "pack")
    pack = [f for f in os.listdir(pack_dir) if f.endswith(".pack")][0]
    for name, ctype in ((pack, "application/x-git-packed-objects"),
                        (pack[:-5] + ".idx",
                         "application/x-git-packed-objects-toc")):
        r = s.get("/labels.git/objects/pack/" + name)
        assert r.status == 200, r
        assert r.header("Content-Type") == ctype
        assert "immutable" in r.header("Cache-Control")
        assert r.body == open(os.path.join(pack_dir, name), "rb").read()
        h = s.request("HEAD", "/labels.git/objects/pack/" + name)
        assert h.status == 200 and h.body == b"", h
        assert int(h.header("Content-Length")) == len(r.body)

    objects = os.path.join(t.git_bare, "objects")
    d = [x for x in os.listdir(objects)
         if len(x) == 2 and os.listdir(os.path.join(objects, x))][0]
    f = os.listdir(os.path.join(objects, d))[0]
    r = s.get(f"/labels.git/objects/{d}/{f}")
    assert r.status == 200, r
    assert r.header("Content-Type") == "application/x-git-loose-object"
    assert "immutable" in r.header("Cache-Control")
    assert r.body == open(os.path.join(objects, d, f), "rb").read()
    # an object that is not (or no longer) loose: 404, the client then
    # looks in the packs
    r = s.get("/labels.git/objects/00/" + "0" * 38)
    assert r.status == 404, r


def test_path_traversal_and_other_files_are_404(t):
    s = server_for(t)
    bad = [
        "/labels.git/../../etc/passwd",
        "/labels.git/%2e%2e/%2e%2e/etc/passwd",
        "/labels.git/objects/%2e%2e/config",
        "/labels.git/objects/zz/" + "0" * 38,
        "/labels.git/objects/AB/" + "C" * 38,
        "/labels.git/objects/ab/" + "0" * 37,
        "/labels.git/objects/ab/" + "0" * 38 + "/x",
        "/labels.git/objects/pack/pack-" + "0" * 40 + ".keep",
        "/labels.git/objects/pack/../../config",
        "/labels.git/objects/info/alternates",
        "/labels.git/objects/info/http-alternates",
        "/labels.git/config",
        "/labels.git/packed-refs",
        "/labels.git/refs/heads/main",
        "/labels.git/info/refs/../../config",
        "/labels.git//etc/passwd",
        "/labels.git/HEAD/",
        "/labels.git/hooks/pre-receive.sample",
    ]
    # (a "%00" or other control byte in the path is 400 invalid_path
    # before routing: test_http_hygiene.py)
    for path in bad:
        r = s.get(path)
        assert r.status == 404, (path, r)
        err = r.json()["error"]
        assert err["code"] == "not_found", (path, err)
        assert b"root:" not in r.body and b"[core]" not in r.body
    r = s.post("/labels.git/info/refs", body=b"x")
    assert r.status == 405, r
