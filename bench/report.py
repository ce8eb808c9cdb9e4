"""BENCHMARKS.md and plots from the benchmark's results."""
import os
import statistics

ORDER = ["nanosshd", "nanosshd-privsep", "nanosshd-noprivsep", "nanosshd-single", "sshd", "dropbear", "tinysshd"]


def _servers(res):
    seen = {x["server"] for k in ("throughput", "login", "memory") for x in res[k]}
    return [s for s in ORDER if s in seen] + sorted(seen - set(ORDER))


def _stats(vals):
    return statistics.median(vals), min(vals), max(vals)


def _cell(vals, fmt):
    if not vals:
        return "n/a"
    med, lo, hi = _stats(vals)
    if len(vals) == 1:
        return fmt.format(med)
    return (fmt + " ({}–{})").format(med, fmt.format(lo), fmt.format(hi))


def _ratio(a, b):
    if not a or not b:
        return "n/a"
    return f"{statistics.median(a) / statistics.median(b):.2f}"


def throughput_table(res, servers):
    rows = ["| cipher | direction | " + " | ".join(servers) + " | nanosshd / sshd |",
            "|---|---|" + "---|" * len(servers) + "---|"]
    ciphers = []
    for x in res["throughput"]:
        if x["cipher"] not in ciphers:
            ciphers.append(x["cipher"])
    for c in ciphers:
        for d in ("download", "upload"):
            cells = []
            col = {}
            for s in servers:
                v = [x["mb_s"] for x in res["throughput"]
                     if x["server"] == s and x["cipher"] == c and x["direction"] == d]
                col[s] = v
                cells.append(_cell(v, "{:.0f}"))
            rows.append(f"| {c} | {d} | " + " | ".join(cells) +
                        f" | {_ratio(col.get('nanosshd'), col.get('sshd'))} |")
    return "\n".join(rows)


def cpu_table(res, servers, key="cpu_s_per_gib"):
    rows = ["| cipher | direction | " + " | ".join(servers) + " |",
            "|---|---|" + "---|" * len(servers)]
    ciphers = []
    for x in res["throughput"]:
        if x["cipher"] not in ciphers:
            ciphers.append(x["cipher"])
    for c in ciphers:
        for d in ("download", "upload"):
            cells = [_cell([x[key] for x in res["throughput"]
                            if key in x and x["server"] == s and x["cipher"] == c and x["direction"] == d],
                           "{:.2f}") for s in servers]
            rows.append(f"| {c} | {d} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def login_table(res, servers, key, fmt):
    rows = ["| key exchange | " + " | ".join(servers) + " | nanosshd / sshd |",
            "|---|" + "---|" * len(servers) + "---|"]
    kexes = []
    for x in res["login"]:
        if x["kex"] not in kexes:
            kexes.append(x["kex"])
    for k in kexes:
        col = {s: [x[key] for x in res["login"] if x["server"] == s and x["kex"] == k]
               for s in servers}
        rows.append(f"| {k} | " + " | ".join(_cell(col[s], fmt) for s in servers) +
                    f" | {_ratio(col.get('nanosshd'), col.get('sshd'))} |")
    return "\n".join(rows)


def memory_table(res, servers):
    counts = sorted({x["sessions"] for x in res["memory"]})
    rows = ["| sessions | " + " | ".join(servers) + " |",
            "|---|" + "---|" * len(servers)]
    for n in counts:
        cells = []
        for s in servers:
            v = [x["pss_kb_per_session"] for x in res["memory"]
                 if x["server"] == s and x["sessions"] == n]
            cells.append(f"{v[0]:.0f}" if v else "n/a")
        rows.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def sessions_servers(res):
    seen = {x["server"] for x in res.get("sessions", [])}
    return [s for s in ORDER if s in seen] + sorted(seen - set(ORDER))


def sessions_table(res, key, fmt):
    servers = sessions_servers(res)
    counts = sorted({x["sessions"] for x in res["sessions"]})
    rows = ["| sessions | " + " | ".join(servers) + " |",
            "|---|" + "---|" * len(servers)]
    for n in counts:
        cells = []
        for s in servers:
            v = [x[key] for x in res["sessions"] if x["server"] == s and x["sessions"] == n]
            cells.append(fmt(v[0]) if v else "n/a")
        rows.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def handshakes_line(res):
    """Sessions opened per second of server CPU at the largest count every
    server reached, nanosshd single-process mode against sshd."""
    def at(server):
        v = sorted((x["sessions"], x["per_cpu_s"]) for x in res["sessions"]
                   if x["server"] == server and x["sessions"] >= 10)
        return dict(v)
    a, b = at("nanosshd-single"), at("sshd")
    common = sorted(set(a) & set(b))
    if not common or not b[common[-1]]:
        return ""
    n = common[-1]
    return (f"Handshakes per second of server CPU (one core) at {n:,} sessions: "
            f"nanosshd single-process {a[n]:.0f}, sshd {b[n]:.0f} "
            f"({a[n] / b[n]:.1f}x).")


def sftp_table(res):
    rows = ["| server | SFTP server | put | get |", "|---|---|---|---|"]
    seen = []
    for x in res.get("sftp", []):
        k = (x["server"], x["variant"])
        if k not in seen:
            seen.append(k)
    for s, v in seen:
        cells = [_cell([x["mb_s"] for x in res["sftp"] if x["server"] == s and
                        x["variant"] == v and x["direction"] == d], "{:.0f}")
                 for d in ("put", "get")]
        rows.append(f"| {s} | {v} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def sftp_pairs(res):
    """Per server with two SFTP servers: the first over the second, round by
    round (both ran within minutes of each other), so the machine's load
    drifting between rounds cancels out."""
    lines = []
    by = {}
    for x in res.get("sftp", []):
        by.setdefault(x["server"], {}).setdefault(x["variant"], {})[
            (x["direction"], x["round"])] = x["mb_s"]
    for srv, variants in by.items():
        if len(variants) != 2:
            continue
        (va, a), (vb, b) = list(variants.items())
        cells = []
        for d in ("put", "get"):
            r = [a[k] / b[k] for k in a if k[0] == d and k in b and b[k] > 0]
            cells.append(f"{d} {_cell(r, '{:.2f}')}")
        lines.append(f"{srv}: {va} over {vb}, per round: " + ", ".join(cells) + ".")
    return "\n".join(lines)


def plots(res, servers, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    made = []
    # Throughput: one group of bars per cipher and direction.
    groups = []
    for x in res["throughput"]:
        g = (x["cipher"], x["direction"])
        if g not in groups:
            groups.append(g)
    if groups:
        fig, ax = plt.subplots(figsize=(10, 4.5))
        w = 0.8 / max(1, len(servers))
        for i, s in enumerate(servers):
            ys = []
            for c, d in groups:
                v = [x["mb_s"] for x in res["throughput"]
                     if x["server"] == s and x["cipher"] == c and x["direction"] == d]
                ys.append(statistics.median(v) if v else 0)
            ax.bar([j + i * w for j in range(len(groups))], ys, w, label=s)
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(groups))])
        ax.set_xticklabels([f"{c.replace('+', chr(10) + '+')}\n{d}" for c, d in groups],
                           fontsize=7)
        ax.set_ylabel("MB/s (median)")
        ax.set_title("Bulk throughput over loopback")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "throughput.png"), dpi=110)
        plt.close(fig)
        made.append("throughput.png")
    kexes = []
    for x in res["login"]:
        if x["kex"] not in kexes:
            kexes.append(x["kex"])
    if kexes:
        fig, ax = plt.subplots(figsize=(8, 4))
        w = 0.8 / max(1, len(servers))
        for i, s in enumerate(servers):
            ys = []
            for k in kexes:
                v = [x["ms"] for x in res["login"] if x["server"] == s and x["kex"] == k]
                ys.append(statistics.median(v) if v else 0)
            ax.bar([j + i * w for j in range(len(kexes))], ys, w, label=s)
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(kexes))])
        ax.set_xticklabels(kexes)
        ax.set_ylabel("ms (median)")
        ax.set_title("Login time (ssh ... true)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "login.png"), dpi=110)
        plt.close(fig)
        made.append("login.png")
    if res["memory"]:
        fig, ax = plt.subplots(figsize=(7, 4))
        for s in servers:
            pts = sorted((x["sessions"], x["pss_kb_per_session"]) for x in res["memory"]
                         if x["server"] == s)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=s)
        ax.set_xscale("log")
        ax.set_xlabel("idle sessions")
        ax.set_ylabel("kB PSS per session")
        ax.set_title("Server memory per idle session")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "memory.png"), dpi=110)
        plt.close(fig)
        made.append("memory.png")
    if res.get("sessions"):
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
        for s in sessions_servers(res):
            pts = sorted((x["sessions"], x["pss_kb_per_session"], x["server_pss_kb"])
                         for x in res["sessions"] if x["server"] == s)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=s)
                ax2.plot([p[0] for p in pts], [p[2] / 1024 for p in pts], marker="o",
                         label=s)
        for a_, yl, t in ((ax, "kB PSS per session", "Memory per session"),
                          (ax2, "MiB PSS, whole server", "Server memory")):
            a_.set_xscale("log")
            a_.set_xlabel("sessions held (nanossh-loadgen)")
            a_.set_ylabel(yl)
            a_.set_title(t)
            a_.legend()
        ax2.set_yscale("log")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "sessions.png"), dpi=110)
        plt.close(fig)
        made.append("sessions.png")
    return made


def write(res, out):
    servers = _servers(res)
    m = res["machine"]
    cfg = res["config"]
    lines = [
        "# nanossh benchmarks",
        "",
        f"Measured {res['date']} with `bench/run.sh`"
        + (" --quick (a functional run; the figures mean little)" if cfg["quick"] else "")
        + f" ({', '.join(cfg.get('tests', []))}): {cfg['rounds']} rounds; every "
        "server on 127.0.0.1, interleaved, the machine's OpenSSH client logging "
        "in as a throwaway user with /bin/sh. Medians, with min–max in brackets.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
        f"{m['os']}, Linux {m['kernel']}; load average {m.get('loadavg_start', '?')} "
        f"at the start and {m.get('loadavg_end', '?')} at the end of the run.",
        "",
        "Versions: " + "; ".join(f"{k}: {v}" for k, v in res["versions"].items()) + ".",
        "",
    ]
    if res["throughput"]:
        lines += [
            f"## Bulk throughput (MB/s, {cfg['size_mib']} MiB per transfer)",
            "",
            "Time from the first to the last byte of the data (the login is not "
            "counted); download is `head -c N /dev/zero` on the server, upload "
            "is `cat | wc -c` there.",
            "",
            throughput_table(res, servers),
            "",
            "## Server CPU per GiB (seconds)",
            "",
            "CPU of every process of the server (counted by "
            f"{res.get('cpu_accounting', '?')}), the user's command included "
            "(the same for all).",
            "",
            cpu_table(res, servers),
            "",
            "## Client CPU per GiB (seconds)",
            "",
            "CPU of the ssh client of the same transfers: user and system "
            "time of the whole process, its login included (small against a "
            "transfer of hundreds of MiB). The client and the server share the "
            "machine's cores: with C seconds of client CPU per GiB, no "
            "server can move more than 1/C GiB per second to or from that "
            "client, and the client's and the server's CPU together bound "
            "the rate on two cores.",
            "",
            cpu_table(res, servers, "client_cpu_s_per_gib"),
            "",
        ]
    if res.get("sftp"):
        lines += [
            "## SFTP (MB/s)",
            "",
            f"OpenSSH's sftp putting and getting {cfg.get('sftp_size_mib', '?')} MiB "
            "(tmpfs on both sides; login included): nanosshd's built-in "
            "internal-sftp, OpenSSH's sftp-server run by the same nanosshd, and "
            "sshd's internal-sftp.",
            "",
            sftp_table(res),
            "",
        ]
        pairs = sftp_pairs(res)
        if pairs:
            lines += [pairs, ""]
    if res["login"]:
        lines += [
            f"## Login time (ms, {cfg['logins']} logins per key exchange per round)",
            "",
            "`ssh USER@127.0.0.1 true` with an ed25519 key, wall clock.",
            "",
            login_table(res, servers, "ms", "{:.0f}"),
            "",
            "## Server CPU per login (ms)",
            "",
            login_table(res, servers, "cpu_ms", "{:.1f}"),
            "",
        ]
    if res["memory"]:
        lines += [
            "## Memory per idle session (kB PSS)",
            "",
            "PSS of the server's own processes with N idle authenticated "
            "sessions (each with a session channel running `sleep`), less the "
            "idle server's, divided by N.",
            "",
            memory_table(res, servers),
            "",
        ]
    if res.get("sessions"):
        lines += [
            "## Sessions held at once (nanossh-loadgen)",
            "",
            "One `nanossh-loadgen` process (the engine's client role, epoll) "
            "opens N connections, each logged in with the throwaway user's "
            "ed25519 key (curve25519-sha256, chacha20-poly1305) and with a "
            "session channel open and no command, holds them while the "
            "server's PSS is read, then closes them. nanosshd-single is "
            "nanosshd with `SingleProcess yes`, run as the throwaway user.",
            "",
            "kB PSS per session (server's PSS less the idle server's, over N):",
            "",
            sessions_table(res, "pss_kb_per_session", lambda v: f"{v:,.0f}"),
            "",
            "The whole server's PSS (MiB):",
            "",
            sessions_table(res, "server_pss_kb", lambda v: f"{v / 1024:,.1f}"),
            "",
            "Sessions opened per second (wall clock; the load generator shares "
            "the machine) and per second of the server's CPU:",
            "",
            sessions_table(res, "per_s", lambda v: f"{v:,.0f}"),
            "",
            sessions_table(res, "per_cpu_s", lambda v: f"{v:,.0f}"),
            "",
            handshakes_line(res),
            "",
        ]
    if res.get("note_mlkem") and res["login"]:
        lines += [f"Not measured: mlkem768x25519-sha256 logins: {res['note_mlkem']}.", ""]
    if res["unsupported"]:
        lines += ["## Not available", ""]
        for u in res["unsupported"]:
            lines.append(f"- {u['server']}: {u['what']}: {u['why']}")
        lines.append("")
    made = plots(res, servers, out)
    if made:
        lines += ["## Plots", ""] + [f"![{p}]({p})" for p in made] + [""]
    with open(os.path.join(out, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))
