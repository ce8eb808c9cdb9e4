"""sshd parity details that OpenSSH's regress suite checks (envpass,
proxy-connect, banner, key-options): SetEnv's first value wins, the
environment of an inetd-mode session, large banners, user:style names,
expiry-time past 2038 and PermitUserEnvironment."""
import os
import subprocess

import pytest

from conftest import explain, ssh


def write(path, text):
    path.write_text(text)
    os.chmod(path, 0o644)
    return str(path)


# ---- SetEnv: the first value of a name wins (regress/envpass.sh) -------------

def test_setenv_first_value_of_a_name_wins(start_server, keys, tmp_path):
    cfg = write(tmp_path / "sshd_config",
                "SetEnv _XXX_TEST=foo _XXX_TEST=bar OTHER=1\n"
                "SetEnv _XXX_TEST=later\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], 'echo "$_XXX_TEST $OTHER"',
              opts=["SetEnv=_XXX_TEST=client"])
    assert res.returncode == 0 and res.stdout == b"foo 1\n", \
        explain(srv, res, "SetEnv A=foo A=bar must set A=foo, as sshd does")


def test_setenv_first_value_wins_in_match(start_server, keys, tmp_path):
    cfg = write(tmp_path / "sshd_config",
                "SetEnv _XXX_TEST=global\n"
                "Match User root\n    SetEnv _XXX_TEST=foo _XXX_TEST=bar\n"
                "Match all\n    SetEnv _XXX_TEST=second\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], 'echo "$_XXX_TEST"')
    assert res.returncode == 0 and res.stdout == b"foo\n", \
        explain(srv, res, "the first Match block's first value must win")

