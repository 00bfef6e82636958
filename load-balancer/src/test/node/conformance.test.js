// Conformance of the HPC-Whisk API with the official `openwhisk` npm client.
// Run by ConformanceIT (JUnit), which starts a real server and sets:
//   OW_APIHOST (http://127.0.0.1:PORT), OW_GUEST_KEY, OW_BOB_KEY, ZIP_ACTION (path of a nodejs zip).
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const openwhisk = require('openwhisk')

const apihost = process.env.OW_APIHOST
const guest = openwhisk({ apihost, api_key: process.env.OW_GUEST_KEY })
const bob = openwhisk({ apihost, api_key: process.env.OW_BOB_KEY })
const run = Date.now().toString(36)
const name = (base) => `${base}-${run}`

const HELLO = 'function main(params) { console.log("hello log line"); return { greeting: "Hello, " + (params.name || "stranger") + "!" } }'
const FAILING = 'function main(params) { return { error: "failed on purpose" } }'

async function eventually (fn, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (e) {
      if (Date.now() > deadline) throw e
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  }
}

async function rejects (promise, statusCode, messagePart) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.statusCode, statusCode, `expected HTTP ${statusCode}, got ${err.statusCode}: ${err.message}`)
    if (messagePart) assert.match(err.error.error, new RegExp(messagePart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    assert.match(err.error.code, /\S+/, 'error bodies carry the request id as "code"')
    return true
  })
}

test('namespaces list shows the caller\'s namespace', async () => {
  assert.deepEqual(await guest.namespaces.list(), ['guest'])
})

test('actions: create, get, list, update, delete', async () => {
  const n = name('hello')
  const created = await guest.actions.create({ name: n, action: HELLO })
  assert.equal(created.name, n)
  assert.equal(created.version, '0.0.1')
  assert.equal(created.exec.kind, 'nodejs:20')
  await rejects(guest.actions.create({ name: n, action: HELLO }), 409, 'resource already exists')
  const got = await guest.actions.get({ name: n })
  assert.equal(got.exec.code, HELLO)
  const noCode = await guest.actions.get({ name: n, code: false })
  assert.equal(noCode.exec.code, undefined)
  const listed = await guest.actions.list()
  assert.ok(listed.some(a => a.name === n))
  const count = await guest.actions.list({ count: true })
  assert.ok(count.actions >= 1)
  const updated = await guest.actions.update({ name: n, action: HELLO, limits: { timeout: 5000, memory: 128 } })
  assert.equal(updated.version, '0.0.2')
  assert.equal(updated.limits.timeout, 5000)
  await guest.actions.delete({ name: n })
  await rejects(guest.actions.get({ name: n }), 404, 'does not exist')
})

test('blocking invoke returns the record; result=true only the result; logs are kept', async () => {
  const n = name('greet')
  await guest.actions.create({ name: n, action: HELLO })
  const record = await guest.actions.invoke({ name: n, blocking: true, params: { name: 'Ada' } })
  assert.equal(record.response.status, 'success')
  assert.equal(record.response.success, true)
  assert.equal(record.response.statusCode, 0)
  assert.deepEqual(record.response.result, { greeting: 'Hello, Ada!' })
  assert.equal(record.name, n)
  assert.equal(record.namespace, 'guest')
  assert.match(record.activationId, /^[0-9a-f]{32}$/)
  const path = record.annotations.find(a => a.key === 'path')
  assert.equal(path.value, `guest/${n}`)
  assert.ok(record.annotations.some(a => a.key === 'limits'))
  assert.ok(record.annotations.some(a => a.key === 'waitTime'))
  assert.ok(record.annotations.some(a => a.key === 'initTime'), 'the first run is a cold start')
  assert.ok(record.end >= record.start)

  const result = await guest.actions.invoke({ name: n, blocking: true, result: true, params: { name: 'Bo' } })
  assert.deepEqual(result, { greeting: 'Hello, Bo!' })

  const got = await guest.activations.get(record.activationId)
  assert.equal(got.activationId, record.activationId)
  const logs = await guest.activations.logs(record.activationId)
  assert.ok(logs.logs.some(l => l.includes('hello log line')), JSON.stringify(logs))
  const res = await guest.activations.result(record.activationId)
  assert.deepEqual(res.result, { greeting: 'Hello, Ada!' })
  assert.equal(res.success, true)
})

test('non-blocking invoke answers 202 with an id; the record appears in the list', async () => {
  const n = name('async')
  await guest.actions.create({ name: n, action: HELLO })
  const { activationId } = await guest.actions.invoke({ name: n, params: { name: 'Cy' } })
  assert.match(activationId, /^[0-9a-f]{32}$/)
  const record = await eventually(() => guest.activations.get(activationId))
  assert.deepEqual(record.response.result, { greeting: 'Hello, Cy!' })
  const list = await guest.activations.list({ name: n, limit: 5 })
  assert.ok(list.some(a => a.activationId === activationId))
  const docs = await guest.activations.list({ name: n, docs: true })
  assert.ok(docs[0].response)
  const counted = await guest.activations.list({ name: n, count: true })
  assert.ok(counted.activations >= 1)
})

test('an application error is HTTP 502 with the record', async () => {
  const n = name('fails')
  await guest.actions.create({ name: n, action: FAILING })
  await assert.rejects(guest.actions.invoke({ name: n, blocking: true }), (err) => {
    assert.equal(err.statusCode, 502)
    assert.match(err.message, /failed on purpose/, 'the client finds the error in the record')
    assert.equal(err.error.response.status, 'application error')
    assert.equal(err.error.response.statusCode, 1)
    assert.deepEqual(err.error.response.result, { error: 'failed on purpose' })
    return true
  })
})

test('a zipped nodejs action runs', async () => {
  const n = name('zipped')
  const zip = fs.readFileSync(process.env.ZIP_ACTION)
  const created = await guest.actions.create({ name: n, action: zip, kind: 'nodejs:20' })
  assert.equal(created.exec.binary, true)
  const result = await guest.actions.invoke({ name: n, blocking: true, result: true, params: { x: 2 } })
  assert.deepEqual(result, { zipped: true, doubled: 4 })
})

test('package-qualified actions, package parameters and bindings', async () => {
  const pkg = name('pkg')
  await guest.packages.create({ name: pkg, package: { parameters: [{ key: 'name', value: 'from package' }] } })
  await guest.actions.create({ name: `${pkg}/inner`, action: HELLO })
  const result = await guest.actions.invoke({ name: `${pkg}/inner`, blocking: true, result: true })
  assert.deepEqual(result, { greeting: 'Hello, from package!' })
  const got = await guest.packages.get({ name: pkg })
  assert.ok(got.actions.some(a => a.name === 'inner'))
  await rejects(guest.packages.delete({ name: pkg }), 409, 'Package not empty')

  const binding = name('bound')
  await guest.packages.create({
    name: binding,
    package: { binding: { namespace: 'whisk.system', name: 'utils' }, parameters: [{ key: 'extra', value: 1 }] }
  })
  const echoed = await guest.actions.invoke({ name: `${binding}/echo`, blocking: true, result: true, params: { a: 'b' } })
  assert.deepEqual(echoed, { extra: 1, a: 'b' })
  await guest.packages.delete({ name: binding })
  await guest.actions.delete({ name: `${pkg}/inner` })
  await guest.packages.delete({ name: pkg })
})

test('/whisk.system/utils/echo and sort', async () => {
  const echoed = await guest.actions.invoke({ name: '/whisk.system/utils/echo', blocking: true, result: true, params: { hi: 'there' } })
  assert.deepEqual(echoed, { hi: 'there' })
  const sorted = await guest.actions.invoke({ name: '/whisk.system/utils/sort', blocking: true, result: true, params: { lines: ['c', 'a', 'b'] } })
  assert.deepEqual(sorted, { lines: ['a', 'b', 'c'], length: 3 })
  const pkgs = await guest.packages.list({ namespace: 'whisk.system' })
  assert.ok(pkgs.some(p => p.name === 'utils'))
})

test('a sequence runs its components in order, passing results along', async () => {
  const n = name('seq')
  await guest.actions.create({ name: n, sequence: ['/whisk.system/utils/split', '/whisk.system/utils/sort'] })
  const record = await guest.actions.invoke({ name: n, blocking: true, params: { payload: 'pear\napple\nfig' } })
  assert.deepEqual(record.response.result, { lines: ['apple', 'fig', 'pear'], length: 3 })
  assert.equal(record.logs.length, 2, 'the logs of a sequence are its component activation ids')
  const first = await guest.activations.get(record.logs[0])
  assert.equal(first.name, 'split')
})

test('triggers and rules: fire runs the actions of active rules', async () => {
  const trigger = name('trig')
  const action = name('ruled')
  const rule = name('rule')
  await guest.actions.create({ name: action, action: HELLO })
  await guest.triggers.create({ name: trigger, trigger: { parameters: [{ key: 'name', value: 'trigger' }] } })
  await guest.rules.create({ name: rule, trigger, action })
  const got = await guest.rules.get({ name: rule })
  assert.equal(got.status, 'active')
  assert.equal(got.trigger.name, trigger)

  const fired = await guest.triggers.invoke({ name: trigger })
  assert.match(fired.activationId, /^[0-9a-f]{32}$/)
  const triggerRecord = await eventually(() => guest.activations.get(fired.activationId))
  const line = JSON.parse(triggerRecord.logs[0])
  assert.equal(line.success, true)
  const actionRecord = await eventually(() => guest.activations.get(line.activationId))
  assert.deepEqual(actionRecord.response.result, { greeting: 'Hello, trigger!' })

  await guest.rules.disable({ name: rule })
  assert.equal((await guest.rules.get({ name: rule })).status, 'inactive')
  const none = await guest.triggers.invoke({ name: trigger })
  assert.ok(!none || !none.activationId, 'no active rule: 204 and no activation')
  await guest.rules.enable({ name: rule })
  const t = await guest.triggers.get({ name: trigger })
  assert.equal(t.rules[`guest/${rule}`].status, 'active')
  await guest.rules.delete({ name: rule })
  await guest.triggers.delete({ name: trigger })
})

test('authentication failures are 401, a foreign namespace is 403', async () => {
  const wrong = openwhisk({ apihost, api_key: '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrongkey' })
  await rejects(wrong.actions.list(), 401, 'The supplied authentication is invalid.')
  const n = name('mine')
  await guest.actions.create({ name: n, action: HELLO })
  await rejects(bob.actions.get({ name: `/guest/${n}` }), 403, 'not authorized')
  await rejects(bob.actions.invoke({ name: `/guest/${n}`, blocking: true }), 403, 'not authorized')
  await rejects(bob.actions.list({ namespace: 'guest' }), 403)
  assert.deepEqual(await bob.actions.list(), [])
})

test('limits and bad input get OpenWhisk\'s status codes', async () => {
  await rejects(guest.actions.create({ name: name('t'), action: HELLO, limits: { timeout: 50 } }), 400,
    'duration 50 milliseconds below allowed threshold of 100 milliseconds')
  await rejects(guest.actions.create({ name: name('t'), action: HELLO, limits: { timeout: 300001 } }), 400,
    'exceeds allowed threshold of 300000 milliseconds')
  await rejects(guest.actions.create({ name: name('m'), action: HELLO, limits: { memory: 64 } }), 400,
    'memory 64 MB below allowed threshold of 128 MB')
  await rejects(guest.actions.create({ name: name('m'), action: HELLO, limits: { memory: 4096 } }), 400,
    'memory 4096 MB exceeds allowed threshold of 2048 MB')
  await rejects(guest.actions.create({ name: name('k'), action: HELLO, kind: 'nodejs:6' }), 400, 'valid kinds are')
  await rejects(guest.actions.create({ name: 'bad;name', action: HELLO }), 400, 'illegal characters')
  const n = name('big')
  await guest.actions.create({ name: n, action: HELLO })
  await rejects(guest.actions.invoke({ name: n, params: { big: 'x'.repeat(1024 * 1024) } }), 413,
    'Request larger than allowed')
  await rejects(guest.actions.get({ name: name('missing') }), 404)
  const limits = await guest.actions.client.request('GET', 'namespaces/_/limits')
  assert.ok(limits.firesPerMinute > 0)
})

test('per-namespace rate limits answer 429 with OpenWhisk\'s message', async () => {
  // ConformanceIT sets fires-per-minute to 5; bob's namespace is used by no other test that fires
  const trigger = name('busy')
  await bob.triggers.create({ name: trigger })
  let refused = null
  for (let i = 0; i < 6 && !refused; i++) {
    try {
      await bob.triggers.invoke({ name: trigger })
    } catch (e) {
      refused = e
    }
  }
  assert.ok(refused, 'the sixth fire in a minute is refused')
  assert.equal(refused.statusCode, 429)
  assert.match(refused.error.error, /Too many requests in the last minute \(count: 5, allowed: 5\)\./)
})
