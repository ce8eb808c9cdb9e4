"""LogVerbose: a pattern naming file:function():line forces that debug
line out above the LogLevel (the tests run at DEBUG1; the line checked
is a DEBUG2 one), prefixed with where it was written, as sshd does."""
from conftest import explain, ssh, wait_for_log


def start(start_server, keys, tmp_path, extra=()):
    ak = tmp_path / "ak"
    ak.write_text(keys["ed25519"].line() + "\n")
    ak.chmod(0o644)
    return start_server(authkeys_file=False,
                        opts=[f"AuthorizedKeysFile /nonexistent/ak {ak}",
                              *extra])


def test_forced_line(start_server, keys, tmp_path):
    srv = start(start_server, keys, tmp_path,
                ["LogVerbose=authcb.c:find_key():*,!*:*:1"])
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 0, explain(srv, res)
    assert wait_for_log(srv, "debug2: authcb.c:find_key():"), explain(srv, res)
    assert "/nonexistent/ak" in srv.log_text(), explain(srv, res)


def test_not_forced_without_match(start_server, keys, tmp_path):
    srv = start(start_server, keys, tmp_path,
                ["LogVerbose=kex.c:*:* authcb.c:find_key():1"])
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 0, explain(srv, res)
    assert wait_for_log(srv, "Accepted publickey"), explain(srv, res)
    assert "debug2:" not in srv.log_text(), explain(srv, res)
