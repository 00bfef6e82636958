// HPC-Whisk action loop for Node.js (not strict mode: plain action code may declare a global main).
//
// Protocol with the pilot, one JSON object per line:
//   stdin line 1: {"init": {"main": NAME, "entry": PATH}}   -> fd 3: {"ok": true} | {"ok": false, "error": MSG}
//   stdin line n: {"value": PARAMS, "activation_id": ..., ...} -> fd 3: the action's result
// After each activation the launcher writes an end marker line on stdout and on stderr before the
// result, so the pilot knows that every log line of the activation has arrived.
const fs = require('fs');
const path = require('path');
const Module = require('module');
const readline = require('readline');

const MARKER = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
// Slurm signals every process of a preempted job: the pilot drains, so in-flight work must go on.
process.on('SIGTERM', () => {});
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Prefix of a result line that reports a developer error with its message (a JSON string): no result
// of JSON.stringify starts with it.
const DEVELOPER_ERROR = '!developer-error ';

function send(value) {
  const bytes = Buffer.from(value + '\n', 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    offset += fs.writeSync(3, bytes, offset, bytes.length - offset);
  }
}

function evalPlainCode(code, mainName, require, module, exports) {
  // Direct eval in this function's scope: a top-level "function main" or "const main" is visible
  // to the trailing expression, and module/exports/require behave as in a CommonJS file.
  return eval(code + '\n;(typeof ' + mainName + ' === "function" ? ' + mainName
      + ' : (module.exports && module.exports.' + mainName + '))');
}

function loadAction(init) {
  const mainName = init.main || 'main';
  if (!IDENTIFIER.test(mainName)) {
    throw new Error('main must be a JavaScript identifier, got "' + mainName + '"');
  }
  const entry = path.resolve(init.entry);
  let fn;
  if (fs.statSync(entry).isDirectory()) {
    if (!fs.existsSync(path.join(entry, 'package.json')) && !fs.existsSync(path.join(entry, 'index.js'))) {
      throw new Error('Zipped actions must contain either package.json or index.js at the root.');
    }
    const exported = require(entry);
    fn = typeof exported === 'function' && mainName === 'main' ? exported : exported[mainName];
  } else {
    const actionModule = { exports: {} };
    const actionRequire = Module.createRequire(entry);
    fn = evalPlainCode(fs.readFileSync(entry, 'utf8'), mainName, actionRequire, actionModule, actionModule.exports);
  }
  if (typeof fn !== 'function') {
    throw new Error('Action entrypoint \'' + mainName + '\' is not a function.');
  }
  return fn;
}

let action = null;
// The __OW_* variables of the previous activation, name -> value: only what changed is written to
// process.env (each write is a setenv call), and what the new activation lacks is deleted.
const owEnv = new Map();

function setActivationEnv(message) {
  const seen = new Set();
  for (const key of Object.keys(message)) {
    if (key === 'value') continue;
    const name = '__OW_' + key.toUpperCase();
    const raw = message[key];
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw);
    seen.add(name);
    if (owEnv.get(name) !== value || process.env[name] !== value) {
      process.env[name] = value;
      owEnv.set(name, value);
    }
  }
  for (const name of owEnv.keys()) {
    if (!seen.has(name)) {
      delete process.env[name];
      owEnv.delete(name);
    }
  }
}

function toResult(value) {
  if (value === undefined || value === null) return {};
  return value;
}

// A rejected promise becomes {error: ...} as in OpenWhisk's nodejs runtime (serialize-error): an Error as
// {name, message, stack} plus its own enumerable fields, anything else as it is; reject() with nothing
// (or a falsy value) as {error: {}}.
function serializeError(error) {
  if (!(error instanceof Error)) return error;
  const out = {};
  for (const key of Object.keys(error)) {
    const value = error[key];
    if (typeof value !== 'function') out[key] = value;
  }
  out.name = error.name;
  out.message = error.message;
  out.stack = error.stack;
  return out;
}

function toError(error) {
  if (!error) return { error: {} };
  return { error: serializeError(error) };
}

async function handle(line) {
  if (line.trim() === '') return;
  const message = JSON.parse(line);
  if (action === null) {
    try {
      action = loadAction(message.init || {});
      send(JSON.stringify({ ok: true }));
    } catch (e) {
      console.error(e && e.stack ? e.stack : String(e));
      send(JSON.stringify({ ok: false, error: e && e.message ? e.message : String(e) }));
      process.exit(1);
    }
    return;
  }
  setActivationEnv(message);
  let result;
  let returned;
  try {
    returned = action(message.value || {});
  } catch (e) {
    // OpenWhisk's nodejs runtime: an error thrown out of main (not a rejected promise) fails /run
    // with 502 "An error has occurred: " + error, which the invoker records as a developer error
    if (e instanceof Error) console.error(e.stack);
    process.stdout.write(MARKER + '\n');
    process.stderr.write(MARKER + '\n');
    send(DEVELOPER_ERROR + JSON.stringify('An error has occurred: ' + String(e)));
    return;
  }
  try {
    result = toResult(await returned);
  } catch (e) {
    if (e instanceof Error) console.error(e.stack);
    result = toError(e);
  }
  let text;
  try {
    text = JSON.stringify(result);
  } catch (e) {
    text = 'unserialisable result: ' + e.message;
  }
  process.stdout.write(MARKER + '\n');
  process.stderr.write(MARKER + '\n');
  send(text === undefined ? 'undefined' : text);
}

let chain = Promise.resolve();
const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on('line', (line) => {
  chain = chain.then(() => handle(line)).catch((e) => {
    console.error('action loop failure: ' + (e && e.stack ? e.stack : e));
    process.exit(2);
  });
});
lines.on('close', () => chain.then(() => process.exit(0)));
