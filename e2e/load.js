// Steady FaaS load for the end-to-end test, through the official openwhisk npm client:
//   node e2e/load.js DURATION_SECONDS RATE_PER_SECOND OUTPUT_FILE
// Environment: OW_APIHOST, OW_AUTH (default OpenWhisk's guest key). Invokes e2e-node and e2e-py in turn,
// blocking and non-blocking in turn; writes one JSON line per invocation to OUTPUT_FILE:
//   {"seq":N,"action":...,"blocking":true|false,"id":ACTIVATION_ID|null,"status":..., "error":...}
// "id" is null when the server did not accept the invocation (for example while it restarts).
const fs = require('fs')
const openwhisk = require('openwhisk')

const GUEST = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP'
const [duration, rate, output] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]]
const ow = openwhisk({ apihost: process.env.OW_APIHOST, api_key: process.env.OW_AUTH || GUEST })
const out = fs.openSync(output, 'w')
const actions = ['e2e-node', 'e2e-py']
let seq = 0
let inFlight = 0

function record (entry) {
  fs.writeSync(out, JSON.stringify(entry) + '\n')
}

function once () {
  const n = seq++
  const action = actions[n % 2]
  const blocking = Math.floor(n / 2) % 2 === 0
  inFlight++
  ow.actions.invoke({ name: action, params: { n }, blocking })
    .then(r => record({ seq: n, action, blocking, id: r.activationId || null,
      status: r.response ? r.response.status : 'accepted' }))
    .catch(err => {
      // a blocking invoke that ended in an error still carries its activation
      const body = err.error || {}
      const id = body.activationId || null
      record({ seq: n, action, blocking, id, status: body.response ? body.response.status : 'error',
        error: String(err.message || err).slice(0, 200) })
    })
    .finally(() => { inFlight-- })
}

const start = Date.now()
const timer = setInterval(() => {
  if (Date.now() - start >= duration * 1000) {
    clearInterval(timer)
    const wait = setInterval(() => {
      if (inFlight === 0) {
        clearInterval(wait)
        fs.closeSync(out)
        console.log(`load.js: ${seq} invocations sent`)
      }
    }, 200)
    return
  }
  once()
}, 1000 / rate)
