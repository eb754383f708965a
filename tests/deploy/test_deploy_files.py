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


def test_compose_services_ports_and_addresses_agree() -> None:
    document = compose()
    services = document["services"]
    assert {"postgres", "redis", "migrate", "rasa", "actions", "gateway", "nginx"} <= set(services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        if "env_file" in service:
            assert (DEPLOY / service["env_file"]).resolve() == ENV_TEMPLATE
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                assert source in document["volumes"], (name, volume)
    assert services["rasa"]["deploy"]["replicas"] == 2 and services["gateway"]["deploy"]["replicas"] == 2
    assert services["actions"]["deploy"]["replicas"] == 2
    env = services["gateway"]["environment"]
    for name in ("gateway", "rasa", "actions", "migrate"):
        assert services[name]["environment"]["DATABASE_URL"] == env["DATABASE_URL"], name
    rasa_command = services["rasa"]["command"][0]
    rasa = urlsplit(env["RASA_URL"])
    assert rasa.hostname == "rasa" and f"--port {rasa.port}" in rasa_command
    actions = urlsplit(env["ACTION_SERVER_URL"])
    assert actions.hostname == "actions" and ["--port", str(actions.port)] == services["actions"]["command"][-2:]
    assert urlsplit(env["DATABASE_URL"]).hostname == "postgres"
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    assert int(env["RASA_WORKERS"]) > 1  # several workers: the Redis lock store is shared
    nginx_conf = (DEPLOY / "docker" / "nginx.conf").read_text()
    assert f"server gateway:{env['GATEWAY_PORT']}" in nginx_conf
    # Every value the containers get is a setting the code reads.
    names = settings_names()
    for name, service in services.items():
        if "env_file" in service:
            assert set(service["environment"]) <= names, name
    # The compose settings load as a production configuration.
    values = {k: v for k, v in template().items() if v} | {k: str(v) for k, v in env.items()}
    values.pop("MUSRENBANG_MODEL")  # inside the container
    values["MUSRENBANG_VAR"] = "/tmp"
    assert settings.load(values).rasa_workers == 2


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
