#!/usr/bin/python3
"""lever playground's server against hostile requests, with the standard library only (no browser): what a
probe found once, checked for good. Usage: server_test.py LEVER."""
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile

failures = []


def check(ok, what, detail=""):
    if not ok:
        failures.append(what)
        print(f"FAIL: {what} {detail}")


def request(port, method, path, body=None, headers=None, timeout=20):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    connection.request(method, path, body=data, headers=headers or {"Content-Type": "application/json"})
    response = connection.getresponse()
    text = response.read()
    connection.close()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, {"raw": text[:200]}


def chunked(port, path, total):
    """POSTs `total` bytes as a chunked body; returns the status (or None if the server closed first)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.putrequest("POST", path)
    connection.putheader("Transfer-Encoding", "chunked")
    connection.putheader("Content-Type", "application/json")
    connection.endheaders()
    chunk = b" " * 65536
    sent = 0
    try:
        connection.send(b"%x\r\n{\r\n" % 1)
        while sent < total:
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        connection.send(b"1\r\n}\r\n0\r\n\r\n")
    except OSError:
        pass
    try:
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))


def upload(port, name, text):
    data = text if isinstance(text, bytes) else text.encode()
    return request(port, "POST", "/api/tables?name=" + urllib.parse.quote(name), data, {"Content-Type": "text/csv"},
                   timeout=120)


def first_event(port, session, kind, timeout=120):
    """The first `kind` event of a session's stream, parsed (None when the stream ends first)."""
    stream = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    stream.request("GET", f"/api/sessions/{session}/events")
    response = stream.getresponse()
    event = None
    try:
        for line in response:
            line = line.decode("utf-8", "replace")
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: ") and event == kind:
                return json.loads(line[6:])
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        stream.close()
    return None


def tables_checks(port, server):
    """Uploaded tables as a review probed them: Latin-1 names, width, quoting, quota, classes, names."""
    cities = ["M\xe1laga", "C\xe1diz"]
    rows = "".join(f"{i % 7 / 7:.3f},{i % 5 / 5:.3f},{cities[i % 2]}\n" for i in range(40))
    status, table = upload(port, "latin1.csv", ("a,b,city\n" + rows).encode("latin-1"))
    check(status == 201, "a Latin-1 table uploads", (status, table))
    status, session = request(port, "POST", "/api/sessions", timeout=120, body={"table": table.get("table"), "label": "city"})
    check(status == 201, "a Latin-1 table trains", (status, session))
    data = first_event(port, session.get("id"), "data")
    check(data is not None and data.get("classes") == 2, "a Latin-1 table's names stream (replaced)", data)
    check(server.poll() is None, "the server survives a Latin-1 table")
    status, reply = request(port, "GET", "/api/favicon.ico")
    check(status < 500, "the server still answers after a Latin-1 table", status)

    wide = ",".join(f"c{i}" for i in range(600)) + ",y\n" + ",".join("1" for _ in range(600)) + ",0\n"
    status, table = upload(port, "wide.csv", wide + wide.split("\n", 1)[1].replace(",0\n", ",1\n"))
    status, reply = request(port, "POST", "/api/sessions", timeout=120, body={"table": table.get("table"), "label": "y"})
    check(status == 400 and "at most 500 inputs" in reply.get("error", ""), "a 600-column table is refused",
          (status, reply))

    # A label with spaces kept by quotes, a column named with "=" as an axis, the file's name as the user has it.
    answers = ['" no "', '" yes "', '" yes "']
    rows = "".join(f"{i % 9 / 9:.3f},{i % 4 / 4:.3f},{answers[i % 3]}\n" for i in range(60))
    status, table = upload(port, "../my data.csv", 'a=1,"b ",y\n' + rows)
    check(status == 201 and table.get("name") == "my data.csv", "an upload keeps its base name", table)
    status, session = request(port, "POST", "/api/sessions", timeout=120,
                              body={"table": table.get("table"), "label": "y", "plane": ["a=1", "b "]})
    check(status == 201 and "--train-file 'my data.csv'" in session.get("command", ""),
          "a column with '=' is an axis, and the name is quoted", (status, session))
    if status == 201:
        request(port, "POST", f"/api/sessions/{session['id']}/control", {"action": "step"})
        first_event(port, session["id"], "frame")
        status, reply = request(port, "GET", f"/api/sessions/{session['id']}/export", timeout=120)
        check(status == 200 and "raw" in reply, "a table with quoted spaces exports", (status, reply))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", f"/api/sessions/{session['id']}/export")
        archive = zipfile.ZipFile(io.BytesIO(connection.getresponse().read()))
        leaked = [n for n in archive.namelist() if b"lever-export-" in archive.read(n) or
                  b"lever-playground-" in archive.read(n)]
        check(not leaked, "the export names no server path", leaked)
        connection.close()

    # 300 text classes: more than a byte holds per cell.
    rows = "".join(f"{i / 600:.4f},{(i * 7) % 600 / 600:.4f},k{i % 300}\n" for i in range(600))
    status, table = upload(port, "many.csv", "a,b,y\n" + rows)
    status, reply = request(port, "POST", "/api/sessions", timeout=120, body={"table": table.get("table"), "label": "y"})
    check(status == 400 and "at most 255" in reply.get("error", ""), "300 classes are refused", (status, reply))

    # Uploads past the quota replace tables no run uses.
    statuses = {upload(port, f"t{i}.csv", "a,b,y\n1,2,0\n3,4,1\n")[0] for i in range(70)}
    check(statuses == {201}, "70 uploads: the unused tables make room", statuses)


def main():
    server = subprocess.Popen([sys.argv[1], "playground", "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))

    # A second server on a port in use: exit 2 with the reason, not a silent share of the port.
    try:
        second = subprocess.run([sys.argv[1], "playground", "--port", str(port)], capture_output=True, text=True,
                                timeout=20)
        check(second.returncode == 2 and "cannot listen on 127.0.0.1:" in second.stderr, "a port in use",
              (second.returncode, second.stdout, second.stderr))
    except subprocess.TimeoutExpired:  # run() killed it
        check(False, "a port in use", "a second server started on the same port")

    # The documented linear model: "hidden": [] (the page sends it for an empty field).
    status, reply = request(port, "POST", "/api/sessions", {"hidden": []})
    check(status == 201 and "--hidden ''" in reply.get("command", ""), "hidden [] is a linear model", reply)
    # A name cut in the middle of a UTF-8 character, a negative dropout: 400 with a JSON error.
    status, reply = request(port, "POST", "/api/sessions", ("{\"" + "a" * 59 + "\u00e9\":1}").encode())
    check(status == 400 and "unknown knob" in reply.get("error", ""), "cut UTF-8 in an error", (status, reply))
    status, reply = request(port, "POST", "/api/sessions", {"dataset": "a" * 59 + "\u00e9"})
    check(status == 400, "cut UTF-8 in a value", (status, reply))
    status, reply = request(port, "POST", "/api/sessions", {"dropout": -1})
    check(status == 400 and "Dropout rate" in reply.get("error", ""), "dropout -1", (status, reply))
    status, reply = request(port, "POST", "/api/sessions", {"seed": 18446744073709551615})
    check(status != 201 or "--seed -1" not in reply.get("command", ""), "a huge seed does not wrap", reply)
    # No such session, no such path: 404 with a JSON error.
    status, reply = request(port, "DELETE", "/api/sessions/0123456789abcdef")
    check(status == 404 and "error" in reply, "DELETE of no session", (status, reply))
    status, reply = request(port, "GET", "/api/nothing")
    check(status == 404 and "error" in reply, "unknown path", (status, reply))

    # A chunked body beyond 64 KiB: 413, and the server does not keep what it was sent.
    before = rss_kib(server.pid)
    status = chunked(port, "/api/sessions", 64 << 20)
    check(status in (413, None), "chunked 64 MiB body refused", status)
    check(rss_kib(server.pid) - before < 32 << 10, "chunked body not kept in memory",
          f"{before} -> {rss_kib(server.pid)} KiB")

    tables_checks(port, server)

    # A busy session (12 layers of 256 units, batches of 1000, at any speed) does not hold up the others.
    status, heavy = request(port, "POST", "/api/sessions", {"hidden": [256] * 12, "batch_size": 1000})
    status, light = request(port, "POST", "/api/sessions", {})
    request(port, "POST", f"/api/sessions/{heavy['id']}/control", {"action": "play", "steps_per_second": 1e9})
    stream = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    stream.request("GET", f"/api/sessions/{heavy['id']}/events")
    events = stream.getresponse()
    reader = threading.Thread(target=lambda: [events.read(4096) for _ in range(200)], daemon=True)
    reader.start()
    time.sleep(12)  # past the reaper's round (every 10 s)
    started = time.time()
    status, reply = request(port, "GET", f"/api/sessions/{light['id']}/command", timeout=30)
    waited = time.time() - started
    check(status == 200 and waited < 5, "another session answers while one trains a big network",
          f"{status} after {waited:.1f} s")
    for _ in range(5):
        request(port, "POST", f"/api/sessions/{heavy['id']}/control", {"action": "step"})
    started = time.time()
    status, reply = request(port, "POST", f"/api/sessions/{heavy['id']}/control", {"action": "pause"}, timeout=30)
    check(status == 200 and time.time() - started < 5, "pause answers within a slice",
          f"{status} after {time.time() - started:.1f} s")

    # SIGTERM while a stream is open: the server stops, exit 0.
    request(port, "POST", f"/api/sessions/{heavy['id']}/control", {"action": "play"})
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        code = "still running after 20 s"
    check(code == 0, "SIGTERM stops the server with exit 0", code)
    stream.close()
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
