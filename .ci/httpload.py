#!/usr/bin/python3
"""Load on the HTTP interactions endpoint of a real avnbot binary, signed independently (PyNaCl).

Starts BINARY with DISCORD_GATEWAY=false, HTTP_ADDR on a free port, a fresh key pair and
DISCORD_API_BASE pointing at a sink that answers every REST call (where deferred answers are
edited in), then posts N signed /ask interactions, CONCURRENCY at a time, each with a question of
CHARS characters, and prints the HTTP response time (what Discord's 3-second deadline applies to):
p50, p99, max, and how many were deferred (type 5) and edited in later.

Needs Debian's python3-nacl (apt-get install python3-nacl); the Go tests do not.

    go build -o /tmp/avnbot ./cmd/avnbot
    /usr/bin/python3 .ci/httpload.py /tmp/avnbot --n 500 --concurrency 50 --chars 6000
"""
import argparse, http.client, http.server, json, os, socket, subprocess, sys, threading, time
import nacl.signing

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

class Sink(http.server.BaseHTTPRequestHandler):
    patches = 0
    lock = threading.Lock()
    def do_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if self.command == "PATCH":
            with Sink.lock:
                Sink.patches += 1
        body = b'{"id":"1","channel_id":"1","content":"","author":{"id":"1","username":"x","discriminator":"0"},"timestamp":"2026-01-01T00:00:00Z","type":0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_PATCH = do_POST = do_GET = do_DELETE = do_PUT = do_any
    def log_message(self, *a):
        pass

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--chars", type=int, default=6000)
    a = ap.parse_args()

    key = nacl.signing.SigningKey.generate()
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = free_port()
    env = dict(os.environ, DISCORD_GATEWAY="false", DISCORD_TOKEN="", HTTP_ADDR=f"127.0.0.1:{port}",
               DISCORD_PUBLIC_KEY=key.verify_key.encode().hex(), LOG_LEVEL="warn", METRICS_ADDR="",
               DISCORD_API_BASE=f"http://127.0.0.1:{sink.server_address[1]}")
    proc = subprocess.Popen([a.binary, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("the endpoint did not come up")

        sentence = ("I was told I have avascular necrosis in my left hip after steroids and I wonder "
                    "how many focused shockwave sessions I would need. ")
        question = (sentence * (a.chars // len(sentence) + 1))[:a.chars]
        lat, kinds, lock = [], {}, threading.Lock()
        counter = iter(range(a.n))

        def worker():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                body = json.dumps({
                    "id": str(1100000000000000000 + i), "application_id": "100000000000000002", "type": 2,
                    "token": f"token-{i}", "version": 1, "guild_id": "1300000000000000001",
                    "channel_id": "1400000000000000001",
                    "member": {"user": {"id": str(1500000000000000000 + i), "username": "patient", "discriminator": "0"},
                               "roles": [], "joined_at": "2025-01-01T00:00:00+00:00", "deaf": False, "mute": False},
                    "data": {"id": "1200000000000000001", "name": "ask", "type": 1,
                             "options": [{"name": "question", "type": 3, "value": question}]},
                }).encode()
                ts = str(int(time.time())).encode()
                sig = key.sign(ts + body).signature.hex()
                start = time.monotonic()
                conn.request("POST", "/interactions", body, {"Content-Type": "application/json",
                             "X-Signature-Ed25519": sig, "X-Signature-Timestamp": ts.decode()})
                r = conn.getresponse()
                data = r.read()
                took = time.monotonic() - start
                t = json.loads(data).get("type") if r.status == 200 else f"HTTP {r.status}"
                with lock:
                    lat.append(took)
                    kinds[t] = kinds.get(t, 0) + 1

        threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        time.sleep(3)  # let deferred answers be edited in
        lat.sort()
        pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000
        print(f"{a.n} requests, concurrency {a.concurrency}, {a.chars}-character questions, {wall:.1f} s: "
              f"p50 {pct(.5):.0f} ms, p99 {pct(.99):.0f} ms, max {lat[-1]*1000:.0f} ms; "
              f"response types {kinds}; deferred answers edited in: {Sink.patches}")
    finally:
        proc.terminate()
        proc.wait()
        sink.shutdown()

if __name__ == "__main__":
    main()
