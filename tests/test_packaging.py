"""Packaging checks: pinned, hashed requirements that match pyproject.toml, no registry
addresses or lock files in the repository, and the README's commands wired to the Makefile
and CI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME_FILE = ROOT / "requirements.txt"
DEV_FILE = ROOT / "requirements-dev.txt"

# Host names of package registries. Written as regexes so that this file does not match itself.
REGISTRY_HOSTS = re.compile(
    rb"pypi\.org|pythonhosted\.org|registry\.npmjs\.org|registry\.yarnpkg\.com"
    rb"|deb\.debian\.org|security\.debian\.org",
    re.IGNORECASE,
)
# Directories never committed (see .gitignore); used only when git cannot list the files.
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "build",
}
SKIP_PATHS = {"bench/out"}

REQ_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)"
)


def normalize(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(path: Path) -> list[str]:
    """Lines of a requirements file with backslash continuations joined, comments dropped."""
    out: list[str] = []
    buf = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            out.append(buf.strip())
        buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def pins(path: Path) -> dict[str, str]:
    """Normalised name -> pinned version, for every requirement in the file."""
    result: dict[str, str] = {}
    for line in logical_lines(path):
        m = REQ_LINE.match(line)
        assert m, f"{path.name}: not a `name==version` pin: {line[:80]!r}"
        name = normalize(m["name"])
        assert name not in result, f"{path.name}: {name} is pinned twice"
        result[name] = m["version"]
    return result


def project_requirements(extra: str | None = None) -> list[Requirement]:
    project = PYPROJECT["project"]
    specs = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(spec) for spec in specs]


def repo_files() -> list[Path]:
    """Files that are (or would be) committed: git's view when available, else a walk."""
    if shutil.which("git"):
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        if proc.returncode == 0 and proc.stdout:
            names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
            return [ROOT / n for n in names if (ROOT / n).is_file()]
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = Path(dirpath).relative_to(ROOT)
        dirnames[:] = [
            d
            for d in dirnames
            if d not in SKIP_DIRS
            and not d.endswith(".egg-info")
            and (rel / d).as_posix() not in SKIP_PATHS
        ]
        files.extend(Path(dirpath) / f for f in filenames)
    return files


# (a) pyproject.toml and the requirements files agree ----------------------------------------


@pytest.mark.parametrize("req", project_requirements(), ids=str)
def test_runtime_dependency_pinned_in_both_files(req: Requirement) -> None:
    for path in (RUNTIME_FILE, DEV_FILE):
        pinned = pins(path)
        name = normalize(req.name)
        assert name in pinned, f"{req.name} missing from {path.name}: run `make requirements`"
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"{path.name} pins {name}=={pinned[name]}, pyproject.toml asks for {req}: "
            "run `make requirements`"
        )


@pytest.mark.parametrize("req", project_requirements("dev"), ids=str)
def test_dev_dependency_pinned_in_dev_file_only(req: Requirement) -> None:
    name = normalize(req.name)
    dev = pins(DEV_FILE)
    assert name in dev, f"{req.name} missing from requirements-dev.txt: run `make requirements`"
    assert req.specifier.contains(dev[name], prereleases=True), (
        f"requirements-dev.txt pins {name}=={dev[name]}, pyproject.toml asks for {req}"
    )
    # Streamlit Community Cloud installs requirements.txt: it must hold runtime packages only.
    assert name not in pins(RUNTIME_FILE), f"dev tool {name} is in requirements.txt"


@pytest.mark.parametrize("req", project_requirements("batch"), ids=str)
def test_batch_extra_pinned_in_dev_file_only(req: Requirement) -> None:
    """CI tests the Dask path, so the dev file holds the batch extra; the app does not."""
    name = normalize(req.name)
    dev = pins(DEV_FILE)
    assert name in dev, f"{req.name} missing from requirements-dev.txt: run `make requirements`"
    assert req.specifier.contains(dev[name], prereleases=True)
    assert name not in pins(RUNTIME_FILE), f"batch package {name} is in requirements.txt"


def test_runtime_pins_identical_in_dev_file() -> None:
    runtime, dev = pins(RUNTIME_FILE), pins(DEV_FILE)
    assert runtime.keys() <= dev.keys(), sorted(runtime.keys() - dev.keys())
    differing = {n: (v, dev[n]) for n, v in runtime.items() if dev[n] != v}
    assert not differing, f"versions differ between the two files: {differing}"


# (b) every requirement is hash-checked ------------------------------------------------------


@pytest.mark.parametrize("path", [RUNTIME_FILE, DEV_FILE], ids=lambda p: p.name)
def test_every_requirement_has_hashes(path: Path) -> None:
    lines = logical_lines(path)
    assert lines, f"{path.name} is empty"
    for line in lines:
        assert not line.startswith("-"), f"{path.name}: option line not allowed: {line[:80]!r}"
        assert re.search(r"--hash=sha256:[0-9a-f]{64}\b", line), (
            f"{path.name}: no sha256 hash on {line.split()[0]}"
        )


@pytest.mark.parametrize("path", [RUNTIME_FILE, DEV_FILE], ids=lambda p: p.name)
def test_header_says_how_to_regenerate(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("\n", 5)[:5]
    text = "\n".join(header)
    assert "uv pip compile pyproject.toml" in text and "--generate-hashes" in text
    assert "make requirements" in text


# (c) no registry addresses anywhere in the repository ---------------------------------------


def test_no_registry_host_in_repository() -> None:
    offenders: list[str] = []
    for path in repo_files():
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data[:8192]:  # binary file
            continue
        for lineno, line in enumerate(data.splitlines(), 1):
            if REGISTRY_HOSTS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}")
    assert not offenders, f"package registry host named in: {offenders}"


# (d) no lock files ---------------------------------------------------------------------------


def test_no_lock_files() -> None:
    locks = [p for p in repo_files() if p.name in {"uv.lock", "package-lock.json"}]
    locks += [p for p in (ROOT / "uv.lock", ROOT / "package-lock.json") if p.exists()]
    assert not locks, f"lock files must not be committed: {sorted(set(map(str, locks)))}"


# (e) README commands, Makefile targets and CI agree ------------------------------------------


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets: set[str] = set()
    for m in re.finditer(r"^([A-Za-z0-9_.\-][A-Za-z0-9_.\- ]*?)\s*:(?!=)", text, re.MULTILINE):
        targets.update(m[1].split())
    return targets


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_readme_command_is_a_makefile_target(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(command)}\b", readme, re.MULTILINE), (
        f"README.md does not show `{command}`"
    )
    assert command.split()[1] in makefile_targets()


def test_ci_runs_make_test() -> None:
    ci = ROOT / ".ci" / "run"
    code = [ln.strip() for ln in ci.read_text(encoding="utf-8").splitlines()]
    code = [ln for ln in code if ln and not ln.startswith("#")]
    assert "set -euo pipefail" in code
    assert any(re.match(r"make test(\s|$)", ln) for ln in code), ".ci/run must run `make test`"
    assert os.access(ci, os.X_OK), ".ci/run is not executable"


def test_streamlit_upload_limit_matches_readme() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit = config["server"]["maxUploadSize"]
    assert f"{limit} MB" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_streamlit_upload_limit_is_the_articles_byte_limit() -> None:
    """The uploader refuses in the browser, before sending anything, what geo.articles would
    refuse. Streamlit's megabyte is 1,048,576 bytes in a browser on Windows and 1,000,000
    elsewhere, so the browser's limit is MAX_BYTES or a little less."""
    from geo.articles import MAX_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_BYTES


def test_readers_never_see_error_details() -> None:
    """Finding 8 of issue 14: Streamlit showed readers full tracebacks by default."""
    from streamlit.config import ShowErrorDetailsConfigOptions

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE


# (f) a fresh machine's pip and Python versions (issue 12) ------------------------------------

PIP_FILE = ROOT / "requirements-pip.txt"
OLDEST_PIP_FILE = ROOT / ".ci" / "pip-oldest.txt"


def makefile_variable(name: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(rf"^{name}\s*:?=\s*(\S+)", text, re.MULTILINE)
    assert m, f"the Makefile sets no {name}"
    return m[1]


@pytest.mark.parametrize("path", [PIP_FILE, OLDEST_PIP_FILE], ids=lambda p: p.name)
def test_pip_pins_are_hashed(path: Path) -> None:
    (line,) = logical_lines(path)
    assert line.startswith("pip=="), line
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}\b", line)) >= 1


def test_pip_pin_is_the_makefiles() -> None:
    assert pins(PIP_FILE) == {"pip": makefile_variable("PIP_VERSION")}


def test_venv_pip_is_brought_up_before_any_install() -> None:
    """`make setup` and `make setup-dev` install requirements-pip.txt first: the stamp of every
    requirements file depends on the pip stamp, which installs requirements-pip.txt."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(
        r"^\$\(PIP_STAMP\):.*\n\t\$\(PIP_INSTALL\) -r requirements-pip\.txt", text, re.M
    )
    for stamp in ("RUNTIME_STAMP", "DEV_STAMP"):
        assert re.search(rf"^\$\({stamp}\): \$\(PIP_STAMP\)", text, re.MULTILINE), stamp


#: Readers that may stop before their input ends. Under `set -o pipefail` the writer then dies of
#: SIGPIPE whenever it writes after they stop, and the whole run fails with exit 141, only now and
#: then (it did once, two seconds in, on `make --version | head -n 1`).
EARLY_EXIT_READERS = re.compile(r"\|\s*(head\b|grep\s+(-\w*[qlm]|--quiet|--max-count))")


def test_ci_pipelines_read_to_the_end() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    code = [ln for ln in ci.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    early = [ln.strip() for ln in code if EARLY_EXIT_READERS.search(ln.split("  #")[0])]
    assert not early, f"pipes into a reader that can stop early, under pipefail: {early}"


def test_ci_sets_up_from_the_oldest_bundled_pip() -> None:
    """Python 3.11.0 bundles pip 22.3: CI starts .venv from it and runs `make setup` with it,
    before `make test`."""
    assert pins(OLDEST_PIP_FILE) == {"pip": "22.3"}
    code = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    code = [ln for ln in code if ln and not ln.startswith("#")]
    oldest = next(i for i, ln in enumerate(code) if ".ci/pip-oldest.txt" in ln)
    setup = code.index("make setup")
    test = next(i for i, ln in enumerate(code) if re.match(r"make test(\s|$)", ln))
    assert oldest < setup < test


def test_supported_pythons_agree() -> None:
    """pyproject.toml, the Makefile's check and the README name the same lowest Python, and the
    classifiers are the versions the README says were tested."""
    lowest = re.fullmatch(r">=3\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert lowest, PYPROJECT["project"]["requires-python"]
    minor = int(lowest[1])
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    checks = re.findall(r"sys\.version_info < \(3, (\d+)\)", makefile)
    assert checks and {int(c) for c in checks} == {minor}
    assert f"older than Python 3.{minor}" in makefile
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Python 3.{minor} or newer" in readme
    tested = re.search(r"tested on ((?:3\.\d+, )*3\.\d+ and 3\.\d+)", readme)
    assert tested, "README.md does not say which Pythons were tested"
    versions = re.findall(r"3\.\d+", tested[1])
    classifiers = {
        c.rsplit(" :: ", 1)[1]
        for c in PYPROJECT["project"]["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert classifiers == set(versions)
    assert min(versions, key=lambda v: int(v.split(".")[1])) == f"3.{minor}"
