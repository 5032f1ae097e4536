"""The deployment files hold together: Kubernetes manifests, compose.yaml,
.env.example and the Dockerfile, checked for the fields each needs and against
each other and the code (setting names, ports, versions).

No cluster and no Docker engine needed: the files are parsed with PyYAML.
(Schema validation proper is done with kubernetes-validate, check-jsonschema's
compose-spec schema and hadolint where they are installed: see deploy/README-deploy.md.)
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
ENV_EXAMPLE = REPO / ".env.example"

# Read by the image or by libraries, not by Settings; allowed in env listings.
EXTRA_ENV = {"ANONYMIZED_TELEMETRY", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HOME", "PORT",
             "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
PLACEHOLDER = "REPLACE-ME"


# ---------------------------------------------------------------- helpers

def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _pin(package: str) -> str:
    for dep in _pyproject()["project"]["dependencies"]:
        m = re.fullmatch(rf"{re.escape(package)}==([\w.]+)", dep.strip())
        if m:
            return m.group(1)
    raise AssertionError(f"{package} is not pinned in pyproject.toml")


def _project_version() -> str:
    return _pyproject()["project"]["version"]


def setting_env_names() -> dict[str, list[str]]:
    """Settings field -> its environment variable names (the upper-case aliases)."""
    from pydantic import AliasChoices

    from bot.settings import Settings

    out = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
        names = [c for c in choices if isinstance(c, str) and c.isupper()]
        assert names, f"setting {name} has no environment variable name"
        out[name] = names
    return out


def all_env_names() -> set[str]:
    return {n for names in setting_env_names().values() for n in names}


def _load_k8s() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc is not None:
                docs.append((path.name, doc))
    return docs


K8S_DOCS = _load_k8s()


def _of_kind(kind: str) -> list[dict]:
    return [d for _, d in K8S_DOCS if d.get("kind") == kind]


def _by_name(kind: str, name: str) -> dict:
    found = [d for d in _of_kind(kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} named {name}, found {len(found)}"
    return found[0]


def _ids(kind: str) -> list[str]:
    return [d["metadata"]["name"] for d in _of_kind(kind)]


def _workloads() -> list[dict]:
    return _of_kind("Deployment") + _of_kind("StatefulSet") + _of_kind("Job")


def _pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def _container_ports(pod_spec: dict) -> dict:
    ports = {}
    for c in pod_spec["containers"]:
        for p in c.get("ports", []):
            ports[p["containerPort"]] = p["containerPort"]
            if "name" in p:
                ports[p["name"]] = p["containerPort"]
    return ports


def _image_ok(image: str) -> None:
    name, _, tag = image.rpartition(":")
    assert name and tag and "/" not in tag, f"image {image!r} has no tag"
    assert tag != "latest", f"image {image!r} uses latest"


def _mem(value: str) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9}
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)?", str(value))
    assert m, f"bad memory quantity {value!r}"
    return float(m.group(1)) * units.get(m.group(2) or "", 1)


def _cpu(value) -> float:
    value = str(value)
    return float(value[:-1]) / 1000 if value.endswith("m") else float(value)


# ---------------------------------------------------------------- Kubernetes: every document

def test_k8s_manifests_exist():
    kinds = {d["kind"] for _, d in K8S_DOCS}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "Job", "StatefulSet"} <= kinds, kinds


@pytest.mark.parametrize("source, doc", K8S_DOCS, ids=[f"{s}:{d.get('kind')}/{d.get('metadata', {}).get('name')}"
                                                         for s, d in K8S_DOCS])
def test_k8s_document_basics(source, doc):
    assert isinstance(doc.get("apiVersion"), str) and doc["apiVersion"], source
    assert isinstance(doc.get("kind"), str) and doc["kind"], source
    meta = doc.get("metadata") or {}
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", meta.get("name", "")), f"{source}: bad metadata.name"
    assert "namespace" not in meta, f"{source}: manifests are namespace-free (use kubectl -n)"
    expected_api = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Service": "v1", "ConfigMap": "v1",
                    "Secret": "v1", "Job": "batch/v1", "Ingress": "networking.k8s.io/v1",
                    "PodDisruptionBudget": "policy/v1"}
    if doc["kind"] in expected_api:
        assert doc["apiVersion"] == expected_api[doc["kind"]], f"{source}: {doc['kind']} apiVersion"


def test_k8s_names_are_unique_per_kind():
    seen = [(d["kind"], d["metadata"]["name"]) for _, d in K8S_DOCS]
    assert len(seen) == len(set(seen)), seen


# ---------------------------------------------------------------- Kubernetes: workloads

@pytest.mark.parametrize("name", _ids("Deployment"))
def test_deployment(name):
    dep = _by_name("Deployment", name)
    spec = dep["spec"]
    assert spec["replicas"] >= 2, "the bots run as at least two stateless replicas"
    labels = spec["template"]["metadata"]["labels"]
    selector = spec["selector"]["matchLabels"]
    assert selector and all(labels.get(k) == v for k, v in selector.items()), "selector must match the pod labels"

    pod = _pod_spec(dep)
    ports = _container_ports(pod)
    (container,) = pod["containers"]
    _image_ok(container["image"])
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        http = container[probe]["httpGet"]
        assert http["path"] == path, f"{probe} must ask {path}"
        assert http["port"] in ports, f"{probe} port {http['port']!r} is not a container port"
    if "startupProbe" in container:
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"

    res = container["resources"]
    for part in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(res[part]), f"resources.{part} needs cpu and memory"
    assert 512 * 2**20 <= _mem(res["requests"]["memory"]) <= _mem(res["limits"]["memory"]) <= 2 * 2**30
    assert _cpu(res["requests"]["cpu"]) <= _cpu(res["limits"]["cpu"])

    # The app's port is the one the process listens on (SLACK_PORT / TEAMS_PORT).
    serves = " ".join(container.get("command", []) + container.get("args", []))
    from bot.settings import Settings

    defaults = Settings.model_fields
    port = defaults["slack_port"].default if "slack" in serves else defaults["teams_port"].default
    assert port in ports.values(), f"{name} must expose {port}"
    assert "serve" in serves and ("slack" in serves or "teams" in serves)


@pytest.mark.parametrize("kind, name", [(d["kind"], d["metadata"]["name"]) for d in _workloads()])
def test_workloads_run_as_non_root(kind, name):
    pod = _pod_spec(_by_name(kind, name))
    pod_sc = pod.get("securityContext") or {}
    for c in pod["containers"]:
        sc = {**pod_sc, **(c.get("securityContext") or {})}
        assert sc.get("runAsNonRoot") is True, f"{kind}/{name}: runAsNonRoot"
        assert sc.get("runAsUser", 1) != 0
        assert sc.get("allowPrivilegeEscalation") is False, f"{kind}/{name}: allowPrivilegeEscalation"
        assert "ALL" in ((c.get("securityContext") or {}).get("capabilities") or {}).get("drop", [])
        _image_ok(c["image"])
        # A read-only root needs somewhere writable for temp files.
        if sc.get("readOnlyRootFilesystem"):
            mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{kind}/{name}: read-only root without a /tmp volume"


@pytest.mark.parametrize("kind, name", [(d["kind"], d["metadata"]["name"]) for d in _workloads()])
def test_workload_env_comes_from_configmap_and_secret(kind, name):
    pod = _pod_spec(_by_name(kind, name))
    configmaps = {d["metadata"]["name"]: d for d in _of_kind("ConfigMap")}
    secrets = {d["metadata"]["name"]: d for d in _of_kind("Secret")}
    known = all_env_names() | EXTRA_ENV
    for c in pod["containers"]:
        if c["image"].split("/")[-1].startswith("socialpolicy:"):
            refs = [e["configMapRef"]["name"] for e in c.get("envFrom", []) if "configMapRef" in e]
            assert refs and all(r in configmaps for r in refs), f"{kind}/{name}: envFrom a ConfigMap in deploy/k8s"
        for e in c.get("envFrom", []):
            if "secretRef" in e:
                assert e["secretRef"]["name"] in secrets
        for e in c.get("env", []):
            assert e["name"] in known, f"{kind}/{name}: {e['name']} is not a setting"
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                assert ref["name"] in secrets, f"{kind}/{name}: no Secret {ref['name']}"
                assert ref["key"] in secrets[ref["name"]]["stringData"], f"{kind}/{name}: no key {ref['key']}"
            ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
            if ref:
                assert ref["key"] in configmaps[ref["name"]]["data"]


def test_secrets_are_not_in_the_configmap():
    for cm in _of_kind("ConfigMap"):
        for key in cm["data"]:
            assert not re.search(r"TOKEN|SECRET|PASSWORD|DATABASE_URL", key), f"{key} belongs in the Secret"


def test_configmap_keys_are_settings():
    known = all_env_names() | EXTRA_ENV
    for cm in _of_kind("ConfigMap"):
        for key, value in cm["data"].items():
            assert key in known, f"ConfigMap key {key} is not a setting (typo?)"
            assert isinstance(value, str), f"ConfigMap values are strings: quote {key}"


def test_configmap_values_are_valid_settings(monkeypatch):
    from bot.settings import Settings

    for name in all_env_names():
        monkeypatch.delenv(name, raising=False)
    for cm in _of_kind("ConfigMap"):
        for key, value in cm["data"].items():
            monkeypatch.setenv(key, value)
    s = Settings()
    assert s.chroma_host == "chroma" and s.chroma_port == 8000


def test_secret_is_a_template_with_placeholders_only():
    for secret in _of_kind("Secret"):
        assert "data" not in secret, "no base64 data: stringData placeholders only"
        assert secret["stringData"], "the template names the keys it needs"
        known = all_env_names()
        for key, value in secret["stringData"].items():
            assert key in known, f"Secret key {key} is not a setting"
            assert value == "" or PLACEHOLDER in str(value), f"Secret {key} must be a {PLACEHOLDER} placeholder"
            assert not re.search(r"xox[bpa]-\d|xapp-\d", str(value)), f"{key} looks like a real Slack token"
        needed = {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"}
        assert needed <= set(secret["stringData"])


@pytest.mark.parametrize("name", _ids("Service"))
def test_service_selects_a_workload_and_its_port(name):
    svc = _by_name("Service", name)
    selector = svc["spec"]["selector"]
    assert svc["spec"]["ports"], "a Service needs ports"
    matches = [w for w in _of_kind("Deployment") + _of_kind("StatefulSet")
               if all(w["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())]
    assert matches, f"Service {name} selects no Deployment or StatefulSet"
    ports = _container_ports(_pod_spec(matches[0]))
    for p in svc["spec"]["ports"]:
        assert isinstance(p["port"], int)
        assert p.get("targetPort", p["port"]) in ports, f"Service {name}: targetPort {p.get('targetPort')!r}"


def test_statefulset_for_chroma():
    (sts,) = _of_kind("StatefulSet")
    spec = sts["spec"]
    headless = _by_name("Service", spec["serviceName"])
    assert headless["spec"].get("clusterIP") == "None", "a StatefulSet's serviceName is a headless Service"
    claims = spec["volumeClaimTemplates"]
    assert claims and all(c["spec"]["resources"]["requests"]["storage"] for c in claims)
    claim_names = {c["metadata"]["name"] for c in claims}
    (container,) = _pod_spec(sts)["containers"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert any(n in claim_names for n in mounts), "the pod mounts its claim"
    assert "/data" in mounts.values(), "the chroma image persists to /data"
    assert container["image"] == f"chromadb/chroma:{_pin('chromadb')}", "server and client at the same version"
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/v2/heartbeat"
    # The bots find it under the name in the ConfigMap.
    cm = _by_name("ConfigMap", "socialpolicy-config")["data"]
    assert cm["CHROMA_HOST"] == spec["serviceName"]
    assert int(cm["CHROMA_PORT"]) in _container_ports(_pod_spec(sts)).values()


def test_ingest_job():
    (job,) = _of_kind("Job")
    pod = _pod_spec(job)
    assert pod["restartPolicy"] in ("Never", "OnFailure")
    (container,) = pod["containers"]
    argv = container.get("command", []) + container.get("args", [])
    assert "ingest" in argv
    assert job["spec"].get("backoffLimit") is not None
    _image_ok(container["image"])


def test_bot_images_are_the_project_version():
    version = _project_version()
    images = {c["image"] for w in _workloads() for c in _pod_spec(w)["containers"]
              if "socialpolicy" in c["image"]}
    assert images, "no socialpolicy image in the manifests"
    assert all(i.endswith(f"/socialpolicy:{version}") or i == f"socialpolicy:{version}" for i in images), images


def test_ingress_routes_to_services():
    for ing in _of_kind("Ingress"):
        paths = {}
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                backend = p["backend"]["service"]
                svc = _by_name("Service", backend["name"])
                port = backend["port"]
                assert port.get("name") in {x.get("name") for x in svc["spec"]["ports"]} or \
                    port.get("number") in {x["port"] for x in svc["spec"]["ports"]}
                paths[p["path"]] = backend["name"]
        assert paths.get("/slack/events") == "socialpolicy-slack"


def test_probed_paths_are_served():
    """The probes and routes above are the servers' contract."""
    for server, paths in (("slack", ["/healthz", "/readyz", "/metrics"]),
                          ("teams", ["/healthz", "/readyz", "/metrics", "/api/messages"])):
        source = REPO / "bot" / "channels" / server / "server.py"
        if not source.exists():
            pytest.skip(f"{source.relative_to(REPO)} is not there yet")
        text = source.read_text(encoding="utf-8")
        for path in paths:
            assert f'"{path}"' in text or f"'{path}'" in text, f"{server} server does not route {path}"


# ---------------------------------------------------------------- compose

@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _env(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _depends(service: dict) -> dict:
    dep = service.get("depends_on") or {}
    return {name: {"condition": "service_started"} for name in dep} if isinstance(dep, list) else dep


def test_compose_services(compose):
    services = compose["services"]
    assert {"bot", "bot-teams", "chroma", "ingest", "postgres"} <= set(services)
    assert services["bot-teams"]["profiles"] == ["teams"]
    assert services["postgres"]["profiles"] == ["postgres"]
    assert "profiles" not in services["bot"] and "profiles" not in services["chroma"] and "profiles" not in services["ingest"]


def test_compose_images_are_pinned(compose):
    for name, svc in compose["services"].items():
        if "image" in svc:
            _image_ok(svc["image"])
    assert compose["services"]["chroma"]["image"] == f"chromadb/chroma:{_pin('chromadb')}"
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    assert compose["services"]["bot"]["image"] == f"socialpolicy:{_project_version()}"


def test_compose_build_paths_exist(compose):
    for name, svc in compose["services"].items():
        build = svc.get("build")
        if build:
            context = (COMPOSE.parent / build["context"]).resolve()
            assert context == REPO, f"{name}: build context is the repository root"
            assert (context / build["dockerfile"]).resolve() == DOCKERFILE
        env_file = svc.get("env_file")
        if env_file:
            files = env_file if isinstance(env_file, list) else [env_file]
            for f in files:
                path = f["path"] if isinstance(f, dict) else f
                target = (COMPOSE.parent / path).resolve()
                assert target == REPO / ".env", f"{name}: env_file is the .env next to .env.example"


def test_compose_ingest_runs_once_after_chroma(compose):
    ingest = compose["services"]["ingest"]
    argv = ingest["command"] if isinstance(ingest["command"], list) else shlex.split(ingest["command"])
    assert "ingest" in argv
    assert _depends(ingest)["chroma"]["condition"] == "service_healthy"
    assert str(ingest.get("restart", "no")) == "no"


@pytest.mark.parametrize("name, port", [("bot", 3000), ("bot-teams", 3978)])
def test_compose_bots(compose, name, port):
    svc = compose["services"][name]
    env = _env(svc)
    assert env["CHROMA_HOST"] == "chroma" and env["CHROMA_PORT"] == "8000"
    assert "SLACK_APP_TOKEN" not in env, "the compose bot runs in HTTP mode"
    deps = _depends(svc)
    assert deps["chroma"]["condition"] == "service_healthy"
    assert deps["ingest"]["condition"] == "service_completed_successfully"
    assert deps["postgres"]["condition"] == "service_healthy" and deps["postgres"]["required"] is False
    argv = svc["command"]
    assert argv[:1] == ["serve"] and argv[1] == ("slack" if name == "bot" else "teams")
    assert any(str(p).endswith(f":{port}") for p in svc["ports"])
    test = " ".join(svc["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/healthz" in test


def test_compose_healthchecks_and_volumes(compose):
    services = compose["services"]
    for name in ("chroma", "postgres", "bot", "bot-teams"):
        assert services[name]["healthcheck"]["test"], f"{name} needs a healthcheck"
    assert "/api/v2/heartbeat" in " ".join(services["chroma"]["healthcheck"]["test"])
    assert any(v.endswith(":/data") for v in services["chroma"]["volumes"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    named = {v.split(":", 1)[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith((".", "/"))}
    assert named <= set(compose.get("volumes") or {}), "named volumes must be declared"
    assert _env(services["chroma"]).get("ANONYMIZED_TELEMETRY") == "False"


def test_compose_database_url_example_matches_postgres_service(compose):
    pg = _env(compose["services"]["postgres"])
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    m = re.search(r"^#\s*DATABASE_URL=(postgresql://\S+)$", text, re.M)
    assert m, ".env.example shows a DATABASE_URL for the postgres profile"
    from sqlalchemy.engine import make_url

    url = make_url(m.group(1))
    default = lambda v: re.fullmatch(r"\$\{\w+:-(.*)\}", v).group(1)  # noqa: E731
    assert url.host == "postgres" and url.port == 5432
    assert url.username == default(pg["POSTGRES_USER"]) and url.database == default(pg["POSTGRES_DB"])
    assert url.password == default(pg["POSTGRES_PASSWORD"])


# ---------------------------------------------------------------- .env.example

def _env_example_entries() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(set entries, commented-out entries, lines)."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    active, commented = {}, {}
    for line in lines:
        m = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        if m:
            active[m.group(1)] = m.group(2)
            continue
        m = re.fullmatch(r"#\s*([A-Z][A-Z0-9_]*)=(.*)", line)
        if m:
            commented[m.group(1)] = m.group(2)
    return active, commented, lines


def test_env_example_mentions_every_setting():
    active, commented, _ = _env_example_entries()
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for field, names in setting_env_names().items():
        assert names[0] in active or names[0] in commented, f"{names[0]} ({field}) missing from .env.example"
        for other in names[1:]:
            assert other in text, f"{other} ({field}) is not mentioned"


def test_env_example_names_only_known_variables():
    active, commented, _ = _env_example_entries()
    known = all_env_names() | EXTRA_ENV
    unknown = (set(active) | set(commented)) - known
    assert not unknown, f"not settings: {unknown}"


def test_env_example_every_setting_has_a_comment():
    _, _, lines = _env_example_entries()
    for i, line in enumerate(lines):
        if re.fullmatch(r"#?\s*[A-Z][A-Z0-9_]*=.*", line):
            j = i - 1
            # Skip sibling entries of the same block (e.g. the POSTGRES_* trio).
            while j >= 0 and re.fullmatch(r"#\s*[A-Z][A-Z0-9_]*=.*", lines[j]):
                j -= 1
            assert j >= 0 and lines[j].startswith("#") and not lines[j].startswith("# ---"), \
                f"line {i + 1} ({line.split('=')[0].lstrip('# ')}) needs a comment above it"


def test_env_example_is_grouped():
    text = ENV_EXAMPLE.read_text(encoding="utf-8").lower()
    headers = [h.strip() for h in re.findall(r"^# -+ (.+)$", text, re.M)]
    order = ["store", "models", "organisation", "database", "slack", "teams", "logging"]
    positions = []
    for group in order:
        hits = [i for i, h in enumerate(headers) if group in h]
        assert hits, f"no '{group}' group in .env.example"
        positions.append(hits[0])
    assert positions == sorted(positions), headers
    assert "config file" in text


def test_env_example_values_are_valid_settings(monkeypatch):
    """Copied to .env as it is, the file must start the app (no empty int, no bad literal)."""
    from bot.settings import Settings

    for name in all_env_names():
        monkeypatch.delenv(name, raising=False)
    active, commented, _ = _env_example_entries()
    for key, value in active.items():
        monkeypatch.setenv(key, value)
    s = Settings()
    assert s.chroma_host is None and s.database_url is None and s.slack_app_token is None
    assert s.slack_port == 3000 and s.teams_port == 3978
    # The commented-out examples are valid too.
    for key, value in commented.items():
        if key in all_env_names():
            monkeypatch.setenv(key, value)
    Settings()


def test_env_example_holds_no_secrets():
    active, commented, _ = _env_example_entries()
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_PASSWORD"):
        assert active.get(key, "") == "", f"{key} must be empty in the example"


# ---------------------------------------------------------------- Dockerfile

def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out, buf = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def test_dockerfile_base_and_tags():
    ins = _instructions()
    froms = [a for i, a in ins if i == "FROM"]
    assert froms and froms[0].split()[0].startswith("python:3.11-slim")
    for f in froms:
        _image_ok(f.split()[0])
    assert "latest" not in DOCKERFILE.read_text(encoding="utf-8").lower().replace("the latest", "")


def test_dockerfile_cpu_torch_first():
    ins = [(i, a) for i, a in _instructions() if i == "RUN"]
    text = " ".join(a for _, a in ins)
    m = re.search(r"pip install[^&;]*\btorch==([\w.]+)[^&;]*--index-url (\S+)", text)
    assert m, "torch is installed on its own from an index"
    assert m.group(1) == _pin("torch")
    assert m.group(2).rstrip("/") == "https://download.pytorch.org/whl/cpu"
    assert text.index("torch==") < text.index("pip install --no-cache-dir ."), "torch before the project"


def test_dockerfile_runs_as_non_root_with_healthcheck():
    ins = _instructions()
    users = [a for i, a in ins if i == "USER"]
    assert users, "the image sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), "the last USER is not root"
    last_user = max(n for n, (i, _) in enumerate(ins) if i == "USER")
    assert not [i for i, _ in ins[last_user:] if i == "RUN"], "nothing runs as root after USER"

    (health,) = [a for i, a in ins if i == "HEALTHCHECK"]
    assert "curl" not in health and "wget" not in health
    assert "urllib" in health and "127.0.0.1" in health and "/healthz" in health and "PORT" in health


def test_dockerfile_entrypoint_ports_and_contents():
    ins = _instructions()
    get = lambda name: [a for i, a in ins if i == name]  # noqa: E731
    assert json.loads(get("ENTRYPOINT")[-1]) == ["socialpolicy"]
    assert json.loads(get("CMD")[-1]) == ["serve", "slack"]
    exposed = {p for a in get("EXPOSE") for p in a.split()}
    from bot.settings import Settings

    assert {str(Settings.model_fields["slack_port"].default), str(Settings.model_fields["teams_port"].default)} <= exposed
    copies = " ".join(get("COPY"))
    for needed in ("pyproject.toml", "README.md", "bot/", "ingest/", "knowledge/"):
        assert needed in copies, f"COPY {needed}"
        assert (REPO / needed.rstrip("/")).exists()
    env = " ".join(get("ENV"))
    # A non-editable install cannot find knowledge/ next to the package.
    assert "SOCIALPOLICY_KNOWLEDGE_DIR=/app/knowledge" in env
    assert "SOCIALPOLICY_DATA_DIR=" in env
    workdir = get("WORKDIR")[-1]
    assert workdir == "/app"
