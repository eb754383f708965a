"""The deployment files agree with the code: the env template names every setting core/settings.py reads
(and nothing else) and is a valid production configuration; the systemd units run the modules that exist;
the compose file (docker is not available here) loads, uses the official Rasa images at the locked
versions, and its services, ports and addresses point at each other. The nginx site itself is run by
`./musrenbang cluster` (tests/cluster) and checked by `nginx -t` here when nginx is installed."""

from __future__ import annotations

import configparser
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from core import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_TEMPLATE = DEPLOY / "musrenbang.env"
NGINX = Path("/usr/sbin/nginx")


def settings_names() -> set[str]:
    """Every environment variable core/settings.py reads (`_env*("NAME", ...)`, `environ.get("NAME")`)."""
    source = (ROOT / "core" / "settings.py").read_text()
    return set(re.findall(r"(?:_env\w*|environ\.get)\(\s*\"([A-Z][A-Z0-9_]+)\"", source))


def template() -> dict[str, str]:
    values = {}
    for line in ENV_TEMPLATE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_the_env_template_names_every_setting_and_only_settings() -> None:
    names = settings_names()
    assert {"DATABASE_URL", "SESSION_SECRET", "COOKIE_SECURE", "REDIS_URL"} <= names  # the scan finds them
    written = set(template())
    assert sorted(names - written) == [], "settings missing from deploy/musrenbang.env"
    assert sorted(written - names) == [], "deploy/musrenbang.env names what core/settings.py never reads"


def test_the_env_template_is_a_valid_production_configuration(tmp_path) -> None:
    values = {name: value for name, value in template().items() if value}
    values["MUSRENBANG_VAR"] = str(tmp_path)
    config = settings.load(values)
    assert config.mode == "production" and config.database_url.startswith("postgresql")
    assert config.redis_url and config.rasa_workers == 2
    assert config.log_format == "json"


def units() -> dict[str, configparser.ConfigParser]:
    parsed = {}
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read(path)
        parsed[path.name] = parser
    return parsed


def test_every_unit_runs_a_module_that_exists_with_the_installed_env_file() -> None:
    found = units()
    assert set(found) == {"musrenbang-migrate.service", "musrenbang-gateway@.service", "musrenbang-rasa@.service",
                          "musrenbang-actions@.service"}
    for name, unit in found.items():
        service = unit["Service"]
        assert service["EnvironmentFile"] == "/etc/musrenbang/musrenbang.env", name
        commands = [service["ExecStart"], *([service["ExecStartPre"]] if "ExecStartPre" in service else [])]
        for command in commands:
            for module in re.findall(r"-m ([a-z_.]+)", command):
                assert importlib.util.find_spec(module.split(".")[0]) is not None, (name, module)
                assert (ROOT / (module.replace(".", "/") + ".py")).exists() or (
                    ROOT / module.replace(".", "/") / "__main__.py").exists(), (name, module)
    assert found["musrenbang-migrate.service"]["Service"]["Type"] == "oneshot"
    for name in ("musrenbang-gateway@.service", "musrenbang-rasa@.service", "musrenbang-actions@.service"):
        assert "musrenbang-migrate.service" in found[name]["Unit"]["Requires"]
        assert found[name]["Service"]["Restart"] == "always"


def test_the_nginx_site_balances_the_ports_the_target_starts() -> None:
    site = (DEPLOY / "nginx" / "musrenbang.conf").read_text()
    upstreams = dict(re.findall(r"upstream (\w+) \{(.*?)\}", site, re.S))
    ports = {name: re.findall(r"server 127\.0\.0\.1:(\d+)", body) for name, body in upstreams.items()}
    target = (DEPLOY / "systemd" / "musrenbang.target").read_text()
    for upstream, unit in (("musrenbang_gateways", "gateway"), ("musrenbang_rasa", "rasa"),
                           ("musrenbang_actions", "actions")):
        assert ports[upstream] and sorted(ports[upstream]) == sorted(re.findall(rf"musrenbang-{unit}@(\d+)", target))
    env = template()
    assert f"listen 127.0.0.1:{urlsplit(env['RASA_URL']).port};" in site
    assert f"listen 127.0.0.1:{urlsplit(env['ACTION_SERVER_URL']).port};" in site
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path) -> None:
    from ops import cluster

    config = cluster.nginx_config(tmp_path, cluster.Ports.default(20000))
    result = subprocess.run([str(NGINX), "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def lock_version(lock: str, package: str) -> str:
    text = (ROOT / "requirements" / lock).read_text()
    return re.search(rf"^{re.escape(package)}==([\w.]+)", text, re.M | re.I).group(1)


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def dockerfile_base(service: dict) -> str:
    path = ROOT / service["build"]["dockerfile"]
    assert (DEPLOY / service["build"]["context"]).resolve() == ROOT
    return re.search(r"^FROM (\S+)", path.read_text(), re.M).group(1)


def test_compose_uses_the_official_rasa_images_at_the_locked_versions() -> None:
    services = compose()["services"]
    assert dockerfile_base(services["rasa"]) == f"rasa/rasa:{lock_version('rasa.lock', 'rasa')}"
    assert dockerfile_base(services["actions"]) == f"rasa/rasa-sdk:{lock_version('rasa.lock', 'rasa-sdk')}"
    assert dockerfile_base(services["rasa"]).startswith("rasa/rasa:3.6.")
    # What the Dockerfiles add is pinned as in the Rasa lock.
    for dockerfile in ("rasa.Dockerfile", "actions.Dockerfile"):
        for package, version in re.findall(r"([A-Za-z][\w-]+)==([\w.]+)", (DEPLOY / "docker" / dockerfile).read_text()):
            assert lock_version("rasa.lock", package) == version, (dockerfile, package)


APP_SERVICES = ("migrate", "actions", "rasa", "gateway")  # the project's images, reading musrenbang.env


def compose_env(template_values: dict[str, str] | None = None) -> dict[str, str]:
    """What a gateway container sees: the env file (for containers: DATABASE_URL's host is `postgres`, as the
    compose file's header says), then the compose file's environment."""
    values = {k: v for k, v in (template_values or template()).items() if v}
    values["DATABASE_URL"] = values["DATABASE_URL"].replace("@127.0.0.1:", "@postgres:")
    return values | {k: str(v) for k, v in compose()["services"]["gateway"]["environment"].items()}


def test_compose_services_ports_and_addresses_agree() -> None:
    document = compose()
    services = document["services"]
    assert {"postgres", "redis", "migrate", "rasa", "actions", "gateway", "nginx", "models", "minio",
            "buckets"} <= set(services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        if "env_file" in service:
            assert (DEPLOY / service["env_file"]).resolve() == ENV_TEMPLATE
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).resolve().is_relative_to(ROOT), (name, volume)
            else:
                assert source in document["volumes"], (name, volume)
    assert {name for name, service in services.items() if "env_file" in service} == set(APP_SERVICES)
    assert services["rasa"]["deploy"]["replicas"] == 2 and services["gateway"]["deploy"]["replicas"] == 2
    assert services["actions"]["deploy"]["replicas"] == 2
    env = services["gateway"]["environment"]
    for name in APP_SERVICES:
        assert "DATABASE_URL" not in services[name]["environment"], name  # the env file's, with its secret
    rasa_command = services["rasa"]["command"][0]
    rasa = urlsplit(env["RASA_URL"])
    assert rasa.hostname == "rasa" and f"--port {rasa.port}" in rasa_command
    actions = urlsplit(env["ACTION_SERVER_URL"])
    assert actions.hostname == "actions" and ["--port", str(actions.port)] == services["actions"]["command"][-2:]
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    assert int(env["RASA_WORKERS"]) > 1  # several workers: the Redis lock store is shared
    # The deployment's shape, from which RASA_CONCURRENCY follows, is the replicas'.
    assert int(env["RASA_PROCESSES"]) == services["rasa"]["deploy"]["replicas"]
    assert int(env["GATEWAY_PROCESSES"]) == services["gateway"]["deploy"]["replicas"]
    nginx_conf = (DEPLOY / "docker" / "nginx.conf").read_text()
    assert f"server gateway:{env['GATEWAY_PORT']}" in nginx_conf
    # The model server: Rasa pulls from the `models` service, which runs the very site file on ./models.
    model = urlsplit(env["MODEL_URL"])
    assert env["MUSRENBANG_MODEL"] == "" and model.hostname == "models" and model.path == "/models/musrenbang.tar.gz"
    models_site = (DEPLOY / "nginx" / "musrenbang-models.conf").read_text()
    assert f"listen 127.0.0.1:{model.port};" in models_site and "root /var/lib/musrenbang;" in models_site
    assert "./nginx/musrenbang-models.conf:/etc/musrenbang/musrenbang-models.conf:ro" in services["models"]["volumes"]
    assert "./models:/var/lib/musrenbang/models:ro" in services["models"]["volumes"]
    assert services["rasa"]["depends_on"]["models"] == {"condition": "service_healthy"}
    assert services["models"]["image"].startswith("nginx:")
    # Photos in MinIO's bucket: the services wait for the bucket (they refuse to start without it).
    assert services["minio"]["image"].startswith("minio/minio:RELEASE.")
    assert services["buckets"]["image"].startswith("minio/mc:RELEASE.")
    assert urlsplit(env["S3_ENDPOINT_URL"]).hostname == "minio" and env["MEDIA_DIR"] == ""
    assert settings.s3_location(env["MEDIA_URL"])[0] == "musrenbang-media"
    for name in ("gateway", "actions"):
        assert services[name]["depends_on"]["buckets"] == {"condition": "service_completed_successfully"}
    # The compose settings load as a production configuration that passes the start checks.
    values = compose_env() | {"MUSRENBANG_VAR": "/tmp", "SESSION_SECRET": "s", "RASA_TOKEN": "t",
                              "S3_ACCESS_KEY_ID": "musrenbang", "S3_SECRET_ACCESS_KEY": "a-secret-key"}
    loaded = settings.load(values)
    assert loaded.rasa_workers == 2 and loaded.model_url and loaded.model_file is None
    assert loaded.rasa_concurrency == 8 and loaded.media_url.startswith("s3://")
    assert urlsplit(loaded.database_url).hostname == "postgres"


def interpolated(document: object) -> list[str]:
    """Every variable compose fills in from --env-file (`${NAME}`, `${NAME:?message}`; `$$` is a literal $)."""
    text = yaml.safe_dump(document)
    return re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text.replace("$$", ""))


SECRET = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY")


def test_compose_env_names_only_settings_and_takes_every_secret_from_the_env_file() -> None:
    document, names = compose(), settings_names()
    written = set(template())
    for name, service in document["services"].items():
        environment = service.get("environment", {})
        # Every service's environment is made of the settings core/settings.py reads (PostgreSQL and MinIO
        # take theirs from DATABASE_URL and the S3 keys), and what compose fills in comes from the env file.
        assert set(environment) <= names, (name, sorted(set(environment) - names))
        for key, value in environment.items():
            value = str(value)
            if SECRET.search(key) or key in settings.REQUIRED_SECRETS:
                assert re.fullmatch(r"\$\{" + key + r"(:\?[^}]*)?\}", value), (name, key)  # never a literal
            parts = urlsplit(value)
            if parts.scheme and parts.password:
                assert parts.password.startswith("${"), (name, key)
    assert set(interpolated(document)) <= names & written
    assert {"DATABASE_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"} <= set(interpolated(document))
    # No password anywhere in the file itself (its comments aside).
    lines = [line for line in (DEPLOY / "compose.yaml").read_text().splitlines() if not line.lstrip().startswith("#")]
    for line in lines:
        assert not re.search(r"://[^/\s:@]+:[^$@\s]+@", line), line
        assert not re.match(r"(?i)\s*-?\s*\w*(password|secret)\w*[:=]\s*[^$\s{]", line), line


def test_compose_publishes_only_nginx_and_internal_ports_on_loopback() -> None:
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            if name == "nginx":
                assert str(port).split(":")[-1] in ("80", "443"), port
            else:  # an internal service (MinIO's console): the host's loopback only
                assert str(port).startswith("127.0.0.1:"), (name, port)


def _shell(command: str) -> str:
    """A compose command as the container's /bin/sh sees it: compose turns `$$` into `$` (and the commands
    hold no `${VAR}` of compose's own)."""
    assert not re.search(r"(?<!\$)\$(?!\$)", command.replace("$$", "")), command
    return command.replace("$$", "$")


def _stand_ins(directory: Path, *programs: str) -> str:
    """PATH with programs that print their arguments (and the variables given) instead of running."""
    directory.mkdir(exist_ok=True)
    for program in programs:
        script = directory / program
        script.write_text(f'#!/bin/sh\necho "{program} $*"\nenv | grep -E "^(POSTGRES|MINIO)_" | sort\n')
        script.chmod(0o755)
    return f"{directory}:/usr/bin:/bin"


def test_compose_commands_do_what_the_file_says(tmp_path) -> None:
    """The containers' shell commands, run here with stand-ins for the images' programs."""
    services = compose()["services"]
    path = _stand_ins(tmp_path / "bin", "docker-entrypoint.sh", "minio", "mc", "nginx", "python", "rasa")

    def run(name: str, **env: str) -> str:
        result = subprocess.run(["/bin/sh", "-c", _shell(services[name]["command"][0])], capture_output=True,
                                text=True, env={"PATH": path, **env}, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    # PostgreSQL is created with the user, password and database of DATABASE_URL.
    out = run("postgres", DATABASE_URL="postgresql+asyncpg://musrenbang:0a1b2c@postgres:5432/musrenbang?ssl=disable")
    assert "POSTGRES_USER=musrenbang\n" in out and "POSTGRES_PASSWORD=0a1b2c\n" in out
    assert "POSTGRES_DB=musrenbang\n" in out and "docker-entrypoint.sh postgres" in out
    # MinIO's root keys are the services' S3 keys; the bucket of MEDIA_URL is made, private.
    out = run("minio", S3_ACCESS_KEY_ID="musrenbang", S3_SECRET_ACCESS_KEY="k" * 16)
    assert "MINIO_ROOT_USER=musrenbang\n" in out and f"MINIO_ROOT_PASSWORD={'k' * 16}\n" in out
    s3 = {k: str(v) for k, v in services["buckets"]["environment"].items() if k in ("MEDIA_URL", "S3_ENDPOINT_URL")}
    out = run("buckets", **s3, S3_ACCESS_KEY_ID="musrenbang", S3_SECRET_ACCESS_KEY="k" * 16)
    assert f"mc alias set store http://minio:9000 musrenbang {'k' * 16}" in out
    assert "mc mb --ignore-existing store/musrenbang-media" in out
    assert "mc anonymous set none store/musrenbang-media" in out
    # The model server runs the very site file, its loopback listener opened to the compose network.
    etc = tmp_path / "etc"
    (etc / "nginx" / "conf.d").mkdir(parents=True)
    for volume in services["models"]["volumes"]:  # the files compose mounts, where the container sees them
        source, target = volume.split(":")[:2]
        if (DEPLOY / source).is_file():
            (etc / Path(target).relative_to("/etc")).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(DEPLOY / source, etc / Path(target).relative_to("/etc"))
    command = _shell(services["models"]["command"][0]).replace("/etc/", f"{etc}/")
    result = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, env={"PATH": path}, timeout=30)
    assert result.returncode == 0 and "nginx -g daemon off;" in result.stdout, result.stderr
    served = (etc / "nginx" / "conf.d" / "default.conf").read_text()
    assert served == (DEPLOY / "nginx" / "musrenbang-models.conf").read_text().replace(
        "listen 127.0.0.1:5003;", "listen 5003;")
    # Rasa starts without --model (it pulls from MODEL_URL); a model file, if one were given, would be loaded.
    out = run("rasa", RASA_WORKERS="2", RASA_TOKEN="t", MUSRENBANG_MODEL="")
    assert "rasa run --enable-api" in out and "--model" not in out and "--endpoints /tmp/endpoints.yml" in out
    given = run("rasa", RASA_WORKERS="2", RASA_TOKEN="t", MUSRENBANG_MODEL="/models/m.tar.gz")
    assert "--model /models/m.tar.gz" in given


def test_rasa_concurrency_follows_the_deployment_and_fits_the_nginx_keepalive() -> None:
    """Each gateway keeps RASA_CONCURRENCY turns in Rasa; unset, it follows the Rasa processes x workers the
    env file declares (4 per worker, shared by the gateways, at least 8), and the nginx site keeps enough
    connections to Rasa for all gateways' turns."""
    values = {k: v for k, v in template().items() if v} | {"MUSRENBANG_VAR": "/tmp"}
    assert "RASA_CONCURRENCY" not in values  # empty in the template: derived
    config = settings.load(values)
    assert (config.rasa_processes, config.rasa_workers, config.gateway_processes) == (2, 2, 2)
    assert config.rasa_concurrency == 8
    site = (DEPLOY / "nginx" / "musrenbang.conf").read_text()
    keepalive = int(re.search(r"upstream musrenbang_rasa \{.*?keepalive (\d+);", site, re.S).group(1))
    assert config.gateway_processes * config.rasa_concurrency <= keepalive
    bigger = settings.load(values | {"RASA_PROCESSES": "4", "RASA_WORKERS": "4"})
    assert bigger.rasa_concurrency == 32  # 4 x 4 workers x 4 turns / 2 gateways
    assert settings.load(values | {"RASA_PROCESSES": "3", "RASA_WORKERS": "3", "GATEWAY_PROCESSES": "4"}
                         ).rasa_concurrency == 9  # 36 / 4
    assert settings.load(values | {"RASA_PROCESSES": "1", "RASA_WORKERS": "1"}).rasa_concurrency == 8  # the floor
    assert settings.load(values | {"RASA_CONCURRENCY": "5", "RASA_PROCESSES": "8"}).rasa_concurrency == 5  # as set
    assert settings.load({"MUSRENBANG_VAR": "/tmp"}).rasa_concurrency == 8  # a laptop, as before
    with pytest.raises(settings.ConfigError, match="RASA_PROCESSES must be at least 1"):
        settings.load(values | {"RASA_PROCESSES": "0"})
    with pytest.raises(settings.ConfigError, match="RASA_CONCURRENCY must be at least 1"):
        settings.load(values | {"RASA_CONCURRENCY": "0"})


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units() -> None:
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, (DEPLOY / "systemd").glob("*"))],
                            capture_output=True, text=True, timeout=60)
    problems = [line for line in result.stderr.splitlines() if "musrenbang" in line
                and "not found" not in line.lower() and "is not executable" not in line]  # not installed here
    assert not problems, result.stderr


def test_the_cluster_runs_the_units_command_lines(tmp_path) -> None:
    """`./musrenbang cluster` reads the units themselves: this checkout for /opt/musrenbang, the instance
    port for %i, systemd's $$ as the shell's $."""
    from ops import cluster
    from ops.stack import VENVS

    gateway = cluster.unit_command("musrenbang-gateway@.service", "18410", tmp_path)
    assert gateway.start == [str(VENVS / "app" / "bin" / "python"), "-m", "bot"]
    assert gateway.env["GATEWAY_PORT"] == "18410" and gateway.env["PYTHONPATH"] == str(ROOT)
    rasa = cluster.unit_command("musrenbang-rasa@.service", "18420", tmp_path)
    assert rasa.pre == [[str(VENVS / "app" / "bin" / "python"), "-m", "ops.endpoints", "--out",
                         str(tmp_path / "endpoints-18420.yml")]]
    assert rasa.start[:2] == ["/bin/sh", "-c"] and '"$RASA_TOKEN"' in rasa.start[2] and "$$" not in rasa.start[2]
    assert "--port 18420" in rasa.start[2] and str(VENVS / "rasa" / "bin" / "rasa") in rasa.start[2]
