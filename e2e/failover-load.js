// Steady FaaS load while servers fail, through the official openwhisk npm client (FailoverIT):
//   node e2e/failover-load.js DURATION_SECONDS RATE_PER_SECOND OUTPUT_FILE
// Environment: OW_APIHOST (HAProxy in front of the servers), OW_AUTH (default OpenWhisk's guest key).
// Invokes e2e-node and e2e-py in turn, blocking and non-blocking in turn. A blocking invocation that
// fails without an activation id — HTTP 502 or 503, or no answer at all (connection refused, reset,
// timed out) — is sent again, at most 3 times, 1 s apart: that is the client retry FailoverIT counts
// as retry-safe. A non-blocking invocation is never resent. One JSON line per invocation:
//   {"seq":N,"action":...,"blocking":true|false,"sentMs":EPOCH_MS,"endMs":EPOCH_MS,
//    "id":ACTIVATION_ID|null,"status":"success"|"accepted"|"application error"|...|"error",
//    "code":HTTP_STATUS|null,"error":...,"attempts":[{"ms":EPOCH_MS,"code":...,"id":...,"error":...}]}
// "id" is the activation id of the last attempt (null when no attempt was accepted).
const fs = require('fs')
const openwhisk = require('openwhisk')

const GUEST = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP'
const [duration, rate, output] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]]
if (!(duration > 0) || !(rate > 0) || !output) {
  console.error('usage: node e2e/failover-load.js DURATION_SECONDS RATE_PER_SECOND OUTPUT_FILE')
  process.exit(2)
}
const ow = openwhisk({ apihost: process.env.OW_APIHOST, api_key: process.env.OW_AUTH || GUEST })
const out = fs.openSync(output, 'w')
const actions = ['e2e-node', 'e2e-py']
const RETRIES = 3
let seq = 0
let inFlight = 0

function record (entry) {
  fs.writeSync(out, JSON.stringify(entry) + '\n')
}

// The HTTP status of a failed call, or null when there was no answer (connection error).
function codeOf (err) {
  return err.statusCode || (err.error && err.error.statusCode) || null
}

function retryable (err, body) {
  const code = codeOf(err)
  return !body.activationId && (code === null || code === 502 || code === 503)
}

async function once (n) {
  const action = actions[n % 2]
  const blocking = Math.floor(n / 2) % 2 === 0
  const sentMs = Date.now()
  const attempts = []
  for (let attempt = 0; ; attempt++) {
    const ms = Date.now()
    try {
      const r = await ow.actions.invoke({ name: action, params: { n }, blocking })
      const id = r.activationId || null
      attempts.push({ ms, code: 200, id })
      return record({ seq: n, action, blocking, sentMs, endMs: Date.now(), id,
        status: r.response ? r.response.status : 'accepted', code: blocking ? 200 : 202, attempts })
    } catch (err) {
      // a blocking invoke that ended in an error still carries its activation
      const body = (err.error && typeof err.error === 'object') ? err.error : {}
      const id = body.activationId || null
      const error = String(err.message || err).slice(0, 200)
      attempts.push({ ms, code: codeOf(err), id, error })
      if (blocking && attempt < RETRIES && retryable(err, body)) {
        await new Promise(resolve => setTimeout(resolve, 1000))
        continue
      }
      return record({ seq: n, action, blocking, sentMs, endMs: Date.now(), id,
        status: body.response ? body.response.status : (id ? 'accepted' : 'error'),
        code: codeOf(err), error, attempts })
    }
  }
}

// Sends at RATE per second on average: a tick that comes late (a loaded machine) sends what is due.
const start = Date.now()
const timer = setInterval(() => {
  const elapsed = Date.now() - start
  if (elapsed >= duration * 1000) {
    clearInterval(timer)
    const wait = setInterval(() => {
      if (inFlight === 0) {
        clearInterval(wait)
        fs.closeSync(out)
        console.log(`failover-load.js: ${seq} invocations sent in ${duration} s`)
      }
    }, 200)
    return
  }
  const due = Math.floor(elapsed * rate / 1000) + 1
  while (seq < due) {
    inFlight++
    once(seq++).finally(() => { inFlight-- })
  }
}, Math.max(10, Math.floor(1000 / rate)))
