// Creates and invokes actions with the official openwhisk npm client, one step per element of the JSON array
// given as the only argument:
//   {"op": "create", "name": N, "kind": K, "code": C, "limits": {...}, "annotations": [{key, value}]}
//   {"op": "invoke", "name": N, "params": {...}, "parallel": 2}   (blocking; `parallel` calls at once)
//   node e2e/devices.js '[{"op":"create",...},{"op":"invoke",...}]'
// Prints one JSON line per step: {step, name, results: [{result} | {error, statusCode, body}]} (create: one
// element). Environment: OW_APIHOST (default http://127.0.0.1:3233), OW_AUTH (default OpenWhisk's guest key).
const openwhisk = require('openwhisk')

const GUEST = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP'
const ow = openwhisk({
  apihost: process.env.OW_APIHOST || 'http://127.0.0.1:3233',
  api_key: process.env.OW_AUTH || GUEST
})

function failure (err) {
  return { error: err.message, statusCode: err.statusCode, body: err.error }
}

async function create (s) {
  const action = { exec: { kind: s.kind, code: s.code } }
  if (s.limits) action.limits = s.limits
  if (s.annotations) action.annotations = s.annotations
  try {
    const created = await ow.actions.update({ name: s.name, action })
    return [{ limits: created.limits, annotations: created.annotations }]
  } catch (err) {
    return [failure(err)]
  }
}

async function invoke (s) {
  const calls = []
  for (let i = 0; i < (s.parallel || 1); i++) {
    calls.push(ow.actions.invoke({ name: s.name, params: s.params || {}, blocking: true, result: true })
      .then(result => ({ result }), failure))
  }
  return Promise.all(calls)
}

async function main () {
  const steps = JSON.parse(process.argv[2])
  for (const s of steps) {
    const results = s.op === 'create' ? await create(s) : await invoke(s)
    console.log(JSON.stringify({ step: s.op, name: s.name, results }))
  }
}

main().catch(err => { console.error(err.message); process.exit(1) })
