"""A consistent CLI (issue 14): every command that `modelfacts --help`
lists (so a new one is covered without touching this file) answers --help
with its usage, every flag of the command table and examples, exits 2 on
a usage error, and names each meaning with one flag (--registry URL,
--origin NAME, --token-file FILE; never --url). The bash completion is the
table's own output and completes what the table lists. Run from a
directory of its own with nothing but MODELFACTS_URL and
MODELFACTS_TOKEN_FILE, the CLI registers an organisation, signs, submits
and queries; and against scripts/run.sh (what `make run` runs) it works
from the export lines the banner prints, or with no token setting at all
from the state directory run.sh records."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import mf
from harness import ROOT, SHARED, Skip, free_port, sh

CLI = os.path.join(ROOT, "bin", "modelfacts")
COMPLETION = os.path.join(ROOT, "cli", "modelfacts.bash-completion")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9_-]*")


def commands():
    """The commands `modelfacts --help` lists, nested ones too."""
    out = sh(CLI, "--help").stdout
    listed = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    names = [re.split(r"\s{2,}", line.strip())[0]
             for line in listed.splitlines()]
    assert "admin create-org" in names and "import fmti" in names, names
    return names


def table_flags():
    """Each command's flags, read back from the command table's output:
    the completion script's _modelfacts_flags."""
    script = sh(CLI, "completion", "bash").stdout
    body = script.split("_modelfacts_flags() {", 1)[1].split("esac", 1)[0]
    return {m.group(1): m.group(2).split()
            for m in re.finditer(r'"([^"]+)"\) echo "([^"]*)" ;;', body)}


def bare(flags):
    return {f.rstrip("=") for f in flags}


def test_every_command_has_help_with_flags_and_examples(t):
    names = commands()
    flags = table_flags()
    for name in names:
        p = sh(CLI, *name.split(), "--help", check=False)
        assert p.returncode == 0, (name, p.returncode, p.stderr)
        out = p.stdout
        assert out.startswith("usage:"), (name, out[:200])
        assert "\nexamples:\n" in out, (name, out)
        examples = out.split("\nexamples:\n", 1)[1].splitlines()
        runs = [e for e in examples
                if re.match(r"^\s+(\S+=\S+ )*modelfacts " +
                            re.escape(name) + r"( |$)", e)]
        assert runs, (name, examples)
        # every flag of the table is described, and every flag the help
        # mentions is in the table (the command's own or its nested ones)
        own = bare(flags.get(name, []))
        nested = set()
        for other in names:
            if other.startswith(name + " "):
                nested |= bare(flags.get(other, []))
        for f in own:
            assert f in out, (name, f)
        # (an example that pipes into another command may use its flags)
        own_text = re.sub(r"modelfacts (?!" + re.escape(name) +
                          r"\b)[a-z][^\n&|;]*", "", out)
        mentioned = set(FLAG.findall(own_text)) - {"--help"}
        assert mentioned <= own | nested, (name, mentioned - own - nested)


def test_usage_errors_exit_2(t):
    for name in commands():
        p = sh(CLI, *name.split(), "--no-such-flag", check=False)
        assert p.returncode == 2, (name, p.returncode, p.stdout)
        assert p.stdout == "", (name, p.stdout)
    p = sh(CLI, "no-such-command", check=False)
    assert p.returncode == 2 and "unknown command" in p.stderr, p.stderr
    p = sh(CLI, "import", "no-such-source", check=False)
    assert p.returncode == 2 and "unknown source" in p.stderr, p.stderr
    p = sh(CLI, "verify-log", "no-such", check=False)
    assert p.returncode == 2, p


def test_one_flag_name_per_meaning(t):
    meanings = {"URL": "--registry", "ORIGIN": "--origin"}
    for name in commands():
        out = sh(CLI, *name.split(), "--help").stdout
        assert "--url" not in out, (name, out)
        for flag, meta in re.findall(r"(--[a-z-]+)[ =]([A-Z]+)\b(?!=)", out):
            if meta in meanings:
                assert flag == meanings[meta], (name, flag, meta)
            if flag == "--registry":
                assert meta == "URL", (name, flag, meta)
            if flag == "--origin":
                assert meta == "NAME", (name, flag, meta)
            if flag == "--token-file":
                assert meta == "FILE", (name, flag, meta)
    for name, flags in table_flags().items():
        assert not bare(flags) & {"--url", "--server", "--endpoint"}, name


def test_completion_is_the_tables_and_completes_it(t):
    generated = sh(CLI, "completion", "bash").stdout
    with open(COMPLETION) as f:
        assert f.read() == generated, \
            "cli/modelfacts.bash-completion is stale: regenerate it with " \
            "bin/modelfacts completion bash > cli/modelfacts.bash-completion"
    if shutil.which("bash") is None:
        return
    names = commands()
    flags = table_flags()
    # ask the completion function itself, as bash would
    probes = []
    for name in names:
        probes.append((name.split()[:-1] + [name.split()[-1][:3]],
                       name.split()[-1]))
        for f in bare(flags.get(name, [])):
            probes.append((name.split() + [f[:-1]], f))
    script = ["source " + COMPLETION]
    for words, _ in probes:
        quoted = " ".join("'" + w + "'" for w in ["modelfacts"] + words)
        script.append(f"COMP_WORDS=({quoted}); COMP_CWORD={len(words)}; "
                      '_modelfacts; echo "${COMPREPLY[*]}"')
    out = sh("bash", "-c", "\n".join(script)).stdout.splitlines()
    assert len(out) == len(probes), out
    for (words, want), got in zip(probes, out):
        assert want in got.split(), (words, want, got)


def clean_env(home, **extra):
    """Only what the CLI is meant to need: no token, no URL unless given."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
    env.update(extra)
    return env


def cli_from(cwd, env, *args, check=True):
    return sh(CLI, *args, cwd=cwd, env=env, check=check)


def publish_from_elsewhere(t, env, cwd, org):
    """admin create-org, sign, submit, query: run in cwd with env."""
    keyid = cli_from(cwd, env, "keygen", "--out", org).stdout.strip()
    p = cli_from(cwd, env, "admin", "create-org", "--org", org, "--name",
                 org.title(), "--role", "developer", "--public-key",
                 org + ".pub")
    assert keyid in p.stdout, p.stdout
    with open(os.path.join(cwd, "payload.json"), "w") as f:
        json.dump(mf.disclosure(org, "elsewhere", 1), f)
    env_json = cli_from(cwd, env, "sign", "--key", org + ".key",
                        "payload.json").stdout
    with open(os.path.join(cwd, "envelope.json"), "w") as f:
        f.write(env_json)
    p = cli_from(cwd, env, "submit", "envelope.json")
    assert f"accepted disclosure {org}/elsewhere version 1" in p.stdout, p
    p = cli_from(cwd, env, "query", "--org", org, "--json")
    assert [m["model"] for m in json.loads(p.stdout)["models"]] == \
        ["elsewhere"], p.stdout


def test_the_cli_from_another_directory_with_the_environment(t):
    cwd = os.path.join(t.dir, "elsewhere")
    os.makedirs(cwd)
    env = clean_env(cwd, MODELFACTS_URL=t.server.url,
                    MODELFACTS_TOKEN_FILE=os.path.join(t.server.state_dir,
                                                       "admin.token"))
    publish_from_elsewhere(t, env, cwd, "envco")
    # without the token file, nothing found: a precise message, exit 2,
    # nothing registered
    p = cli_from(cwd, clean_env(cwd, MODELFACTS_URL=t.server.url), "admin",
                 "create-org", "--org", "notoken", "--name", "N", "--role",
                 "developer", "--public-key", "envco.pub", check=False)
    assert p.returncode == 2 and "MODELFACTS_TOKEN_FILE" in p.stderr, p
    assert t.server.get("/v1/orgs/notoken").status == 404


def test_import_url_is_a_deprecated_alias_and_registry_is_the_url(t):
    cwd = os.path.join(t.dir, "import")
    os.makedirs(cwd)
    env = clean_env(cwd)
    missing = os.path.join(cwd, "no-fmti-here")
    p = cli_from(cwd, env, "import", "fmti", missing, "--out", "out",
                 "--url", t.server.url, check=False)
    assert "--url is deprecated: use --registry URL" in p.stderr, p.stderr
    # --registry is the URL now: an origin name there is refused, saying so
    p = cli_from(cwd, env, "import", "fmti", missing, "--out", "out",
                 "--registry", "modelfacts.localhost", check=False)
    assert p.returncode == 2 and "--origin NAME" in p.stderr, p.stderr


def test_import_submit_from_elsewhere(t):
    """import fmti --submit with only the two variables set: the origin
    asked from the registry, the curator's key kept beside the admin
    token (the state directory), nothing written to the current one."""
    data = os.path.join(SHARED, "fmti")
    if not os.path.isdir(data):
        raise Skip(f"FMTI data not found at {data}")
    cwd = os.path.join(t.dir, "import-elsewhere")
    os.makedirs(cwd)
    env = clean_env(cwd, MODELFACTS_URL=t.server.url,
                    MODELFACTS_TOKEN_FILE=os.path.join(t.server.state_dir,
                                                       "admin.token"))
    p = cli_from(cwd, env, "import", "fmti", data, "--submit")
    assert re.search(r"submitted [1-9]\d* disclosures and 37 assessments",
                     p.stdout), p.stdout
    assert p.stderr == "" or "deprecated" not in p.stderr, p.stderr
    assert os.path.exists(os.path.join(t.server.state_dir, "fmti-keys",
                                       "fmti-import.key"))
    assert os.listdir(cwd) == [], os.listdir(cwd)


def test_make_run_banner_and_state_pointer(t):
    """scripts/run.sh (what `make run` runs) against this cluster: its
    banner's export lines are enough from any directory, and with no token
    setting at all the CLI finds the state directory run.sh recorded for
    its port under $HOME/.local/state, never over HTTP."""
    home = os.path.join(t.dir, "home")
    cwd = os.path.join(t.dir, "anywhere")
    var = os.path.join(t.dir, "run-var")
    os.makedirs(home)
    os.makedirs(cwd)
    port = free_port()
    db = t.cluster.createdb("t_cli_run")
    log_path = os.path.join(t.dir, "run.log")
    log = open(log_path, "w")
    run = subprocess.Popen(
        [os.path.join(ROOT, "scripts", "run.sh")], cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT,
        env=dict(clean_env(home), PORT=str(port), MF_VAR=var,
                 DATABASE_URL=db))
    pointer = os.path.join(home, ".local", "state", "modelfacts",
                           f"port-{port}")
    try:
        exports = {}
        deadline = time.time() + 30
        while time.time() < deadline and len(exports) < 2:
            assert run.poll() is None, open(log_path).read()
            with open(log_path) as f:
                exports = dict(re.findall(
                    r"^\s+export (MODELFACTS_\w+)=(\S+)$", f.read(), re.M))
            time.sleep(0.2)
        assert exports.get("MODELFACTS_URL") == f"http://127.0.0.1:{port}", \
            open(log_path).read()
        token_file = exports["MODELFACTS_TOKEN_FILE"]
        assert os.path.isabs(token_file), token_file
        assert os.path.samefile(token_file, os.path.join(var, "admin.token"))
        publish_from_elsewhere(t, clean_env(cwd, **exports), cwd, "banner")

        # no token setting: the pointer file names the state directory
        with open(pointer) as f:
            assert os.path.samefile(f.read().strip(), var)
        assert os.stat(pointer).st_mode & 0o077 == 0, oct(
            os.stat(pointer).st_mode)
        env = clean_env(home, MODELFACTS_URL=exports["MODELFACTS_URL"])
        cli_from(cwd, env, "keygen", "--out", "pointed")
        p = cli_from(cwd, env, "admin", "create-org", "--org", "pointed",
                     "--name", "Pointed", "--role", "developer",
                     "--public-key", "pointed.pub")
        assert "registered pointed" in p.stdout, p.stdout
        # another user's home (or another port) finds nothing
        other = os.path.join(t.dir, "other-home")
        os.makedirs(other)
        p = cli_from(cwd, clean_env(other,
                                    MODELFACTS_URL=exports["MODELFACTS_URL"]),
                     "admin", "create-org", "--org", "nobody", "--name",
                     "N", "--role", "developer", "--public-key",
                     "pointed.pub", check=False)
        assert p.returncode == 2 and "no admin token" in p.stderr, p
        # the registry never says where its state (or token) is
        with open(token_file) as f:
            token = f.read().strip()
        info = sh("curl", "-fsS", exports["MODELFACTS_URL"] +
                  "/v1/registry").stdout
        assert token not in info and var not in info, info
    finally:
        run.send_signal(signal.SIGINT)
        stuck = None
        try:
            run.wait(30)
        except subprocess.TimeoutExpired:
            # seen once under a loaded machine: keep what it was doing
            stuck = sh("ps", "-e", "--forest", "-o",
                       "pid,ppid,stat,etime,args").stdout
            run.kill()
            run.wait()
        log.close()
    assert stuck is None, ("run.sh did not stop within 30 s of SIGINT",
                           open(log_path).read()[-3000:], stuck[-6000:])
    assert not os.path.exists(pointer), "run.sh left its state pointer"
