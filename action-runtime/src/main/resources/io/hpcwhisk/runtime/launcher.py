# HPC-Whisk action loop for Python 3.
#
# Protocol with the pilot, one JSON object per line:
#   stdin line 1: {"init": {"main": NAME, "entry": PATH}}    -> fd 3: {"ok": true} | {"ok": false, "error": MSG}
#   stdin line n: {"value": PARAMS, "activation_id": ..., ...} -> fd 3: the action's result
# After each activation the launcher writes an end marker line on stdout and on stderr before the
# result, so the pilot knows that every log line of the activation has arrived.
import glob
import importlib.util
import json
import os
import sys
import traceback

MARKER = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"
out = os.fdopen(3, "wb")
sys.stdout.reconfigure(line_buffering=True)
sys.stderr.reconfigure(line_buffering=True)


def send(text):
    out.write(text.encode("utf-8"))
    out.write(b"\n")
    out.flush()


def load_action(init):
    main_name = init.get("main") or "main"
    entry = os.path.abspath(init["entry"])
    if os.path.isdir(entry):
        module_file = os.path.join(entry, "__main__.py")
        if not os.path.exists(module_file):
            raise Exception("Zip file does not include __main__.py")
        for site in glob.glob(os.path.join(entry, "virtualenv", "lib", "python3*", "site-packages")):
            sys.path.insert(0, site)
        sys.path.insert(0, entry)
        os.chdir(entry)
    else:
        module_file = entry
        sys.path.insert(0, os.path.dirname(entry))
    spec = importlib.util.spec_from_file_location("main__", module_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules["main__"] = module
    spec.loader.exec_module(module)
    fn = getattr(module, main_name, None)
    if not callable(fn):
        raise Exception("Action entrypoint '%s' is not a function." % main_name)
    return fn


def main():
    action = None
    ow_keys = []
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        if action is None:
            try:
                action = load_action(message.get("init", {}))
                send(json.dumps({"ok": True}))
            except BaseException as e:
                traceback.print_exc(file=sys.stderr)
                sys.stderr.flush()
                send(json.dumps({"ok": False, "error": "%s: %s" % (type(e).__name__, e)}))
                sys.exit(1)
            continue
        for key in ow_keys:
            os.environ.pop(key, None)
        ow_keys = []
        for key, value in message.items():
            if key != "value":
                name = "__OW_" + key.upper()
                os.environ[name] = value if isinstance(value, str) else json.dumps(value)
                ow_keys.append(name)
        try:
            result = action(message.get("value") or {})
            if result is None:
                result = {}
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            result = {"error": "An error has occurred: %s: %s" % (type(e).__name__, e)}
        try:
            text = json.dumps(result, ensure_ascii=False)
        except (TypeError, ValueError) as e:
            text = "unserialisable result: %s" % e
        sys.stdout.write(MARKER + "\n")
        sys.stderr.write(MARKER + "\n")
        sys.stdout.flush()
        sys.stderr.flush()
        send(text)


main()
