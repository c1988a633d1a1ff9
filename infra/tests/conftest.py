"""Shared loaders: the templates through cfn-lint's CloudFormation YAML reader (it knows the
short intrinsic tags such as !Sub), workflows and sources as plain files."""

import re
from pathlib import Path

import pytest
import yaml
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def template() -> dict:
    return cfn_yaml.load(str(ROOT / "infra" / "template.yaml"))


@pytest.fixture(scope="session")
def bootstrap() -> dict:
    return cfn_yaml.load(str(ROOT / "infra" / "bootstrap.yaml"))


@pytest.fixture(scope="session")
def resources(template) -> dict:
    return template["Resources"]


@pytest.fixture(scope="session")
def deploy_workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())


def rust_sources(folder: str) -> str:
    return "\n".join(p.read_text() for p in sorted((ROOT / folder).rglob("*.rs")))


def rust_string_constant(path: str, name: str) -> str:
    """The value of `pub const NAME: &str = "...";`, with `\\`-newline continuations joined
    the way rustc joins them (the newline and the next line's leading spaces vanish)."""
    source = (ROOT / path).read_text()
    match = re.search(rf'const {name}: &str =\s*"((?:[^"\\]|\\.)*)";', source, re.DOTALL)
    assert match, f"{name} not found in {path}"
    return re.sub(r"\\\n\s*", "", match.group(1))


def statements(role: dict) -> list:
    return [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]
