"""The pre-commit hook `dsgvo-gen-check`, run by pre-commit itself as a user's repo would.

pre-commit clones the hook repository at a commit and pip-installs it into an
environment of its own (from PyPI, so this test needs the network). The clone
is of a snapshot of this tree, committed in a scratch repository, so that the
test checks the files as they are, committed or not, also in a fresh CI clone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dsgvo_gen.scaffold import init_project
from tests.conftest import ROOT, must_finish_within

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "dsgvo-gen tests",
    "GIT_AUTHOR_EMAIL": "tests@dsgvo-gen.invalid",
    "GIT_COMMITTER_NAME": "dsgvo-gen tests",
    "GIT_COMMITTER_EMAIL": "tests@dsgvo-gen.invalid",
}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_IDENTITY}
    # CI may run as root in a checkout owned by another user; git then refuses to read
    # the repository ("dubious ownership") unless told it is safe.
    command = ["git", "-c", "safe.directory=*", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit_all(folder: Path) -> None:
    git("init", "-q", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "snapshot", cwd=folder)


def snapshot_of_this_tree(target: Path) -> Path:
    """The files git tracks or would track here, committed in a repository of their own."""
    listing = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is skipped
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    commit_all(target)
    return target


def try_hook(hooks: Path, repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "dsgvo-gen-check",
               "--all-files", "--color", "never"]  # fmt: skip
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def test_hook_passes_a_new_project_and_fails_on_a_missing_fact(tmp_path: Path) -> None:
    with must_finish_within(1200):
        hooks = snapshot_of_this_tree(tmp_path / "dsgvo-gen")
        repo = tmp_path / "privacy"
        init_project(repo)
        commit_all(repo)

        passed = try_hook(hooks, repo, tmp_path / "pre-commit-home")
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "dsgvo-gen check" in passed.stdout and "Passed" in passed.stdout

        descriptor = repo / "providers" / "jitsi-self-hosted.yaml"
        descriptor.write_text(descriptor.read_text().replace("[art6-1-b]", "[]", 1))
        git("add", "-A", cwd=repo)
        failed = try_hook(hooks, repo, tmp_path / "pre-commit-home")
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "Failed" in failed.stdout and "error[DG303]" in failed.stdout


def test_the_readme_snippet_works_as_it_is(tmp_path: Path) -> None:
    """The README's `.pre-commit-config.yaml` (repo: local, the installed dsgvo-gen)."""
    from tests.test_readme import blocks

    (snippet,) = [b for b in blocks("yaml") if "repo: local" in b]
    repo = tmp_path / "privacy"
    init_project(repo)
    (repo / ".pre-commit-config.yaml").write_text(snippet)
    commit_all(repo)
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(tmp_path / "home"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True,
                              timeout=300)  # fmt: skip

    passed = run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "dsgvo-gen check" in passed.stdout and "Passed" in passed.stdout
    descriptor = repo / "providers" / "jitsi-self-hosted.yaml"
    descriptor.write_text(descriptor.read_text().replace("[art6-1-b]", "[]", 1))
    failed = run()
    assert failed.returncode == 1 and "error[DG303]" in failed.stdout, failed.stdout
