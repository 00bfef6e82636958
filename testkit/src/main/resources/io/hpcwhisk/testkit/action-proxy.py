#!/usr/bin/python3
# HPC-Whisk's test action proxy: OpenWhisk's docker-action contract (POST /init, POST /run on
# port 8080) with a few behaviours chosen by the parameter "op", for the container-action tests.
import json, os, signal, socket, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a container that ignores SIGTERM
state = {"init": None, "runs": 0}


def act(params, env):
    op = params.get("op", "echo")
    if op == "echo":
        print("echo " + json.dumps(params, sort_keys=True), flush=True)
        print("to stderr", file=sys.stderr, flush=True)
        return {"params": params, "runs": state["runs"], "pid": os.getpid(),
                "hostname": os.uname().nodename, "uid": os.getuid(),
                "activation": env.get("__OW_ACTIVATION_ID"), "action": env.get("__OW_ACTION_NAME"),
                "init": state["init"]}
    if op == "sleep":
        time.sleep(float(params.get("seconds", 1)))
        return {"slept": params.get("seconds", 1)}
    if op == "alloc":
        blocks = []
        for _ in range(int(params.get("mb", 1))):
            blocks.append(bytearray(1024 * 1024))
        return {"allocated": len(blocks)}
    if op == "flood":
        line = "x" * 1000
        for _ in range(int(params.get("lines", 100000))):
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
        return {"flooded": True}
    if op == "read":
        try:
            with open(params["path"], "rb") as f:
                return {"read": True, "bytes": len(f.read())}
        except OSError as e:
            return {"read": False, "errno": e.errno, "why": str(e)}
    if op == "write":
        try:
            with open(params["path"], "w") as f:
                f.write("x")
            return {"written": True}
        except OSError as e:
            return {"written": False, "why": str(e)}
    if op == "ls":
        try:
            return {"entries": sorted(os.listdir(params["path"]))}
        except OSError as e:
            return {"entries": None, "why": str(e)}
    if op == "caps":
        with open("/proc/self/status") as f:
            return {l.split(":")[0]: l.split(":")[1].strip() for l in f
                    if l.startswith(("Cap", "NoNewPrivs", "Uid"))}
    if op == "connect":
        try:
            socket.create_connection((params["host"], int(params["port"])), timeout=3).close()
            return {"connected": True}
        except OSError as e:
            return {"connected": False, "why": str(e)}
    if op == "gateway":
        with open("/proc/net/route") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] == "00000000":
                    return {"gateway": socket.inet_ntoa(bytes.fromhex(fields[2])[::-1])}
        return {"gateway": None}
    if op == "fail":
        return {"error": "failed on purpose"}
    if op == "exit":
        os._exit(3)
    return {"error": "unknown op " + op}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        message = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/init":
            value = message.get("value", {})
            if state["init"] is not None:
                self.reply(403, {"error": "cannot initialize the action more than once"})
                return
            state["init"] = {"main": value.get("main"), "has_code": "code" in value,
                             "env": value.get("env", {})}
            self.reply(200, {"ok": True})
            return
        if self.path == "/run":
            state["runs"] += 1
            env = {"__OW_" + k.upper(): str(v) for k, v in message.items() if k != "value"}
            try:
                result = act(message.get("value", {}), env)
                status = 502 if "error" in result else 200
            except Exception as e:  # the action's own failure
                result, status = {"error": str(e)}, 502
            self.reply(status, result)
            print(SENTINEL, flush=True)
            print(SENTINEL, file=sys.stderr, flush=True)
            return
        self.reply(404, {"error": "no such path"})


HTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
