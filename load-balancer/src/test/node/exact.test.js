// OpenWhisk's exact behaviour through the official `openwhisk` npm client, one test per client API
// (actions, activations, namespaces, packages, rules, triggers) plus the /whisk.system/utils actions.
// Run by ConformanceIT (JUnit), which starts a real server and sets OW_APIHOST, OW_GUEST_KEY, OW_BOB_KEY.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const openwhisk = require('openwhisk')

const apihost = process.env.OW_APIHOST
const guest = openwhisk({ apihost, api_key: process.env.OW_GUEST_KEY })
const bob = openwhisk({ apihost, api_key: process.env.OW_BOB_KEY })
const run = 'x' + Date.now().toString(36)
const name = (base) => `${base}-${run}`
const ECHO = 'function main(p) { return p }'

async function rejects (promise, statusCode, messagePart) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.statusCode, statusCode, `expected HTTP ${statusCode}, got ${err.statusCode}: ${err.message}`)
    if (messagePart) assert.ok(JSON.stringify(err.error).includes(messagePart), `${JSON.stringify(err.error)} names ${messagePart}`)
    return true
  })
}

async function raw (key, path) {
  const res = await fetch(`${apihost}/api/v1${path}`, {
    headers: { Authorization: 'Basic ' + Buffer.from(key).toString('base64') }
  })
  return { status: res.status, body: await res.json() }
}

test('actions: empty code is accepted as OpenWhisk does; invoking it is a developer error', async () => {
  const n = name('placeholder')
  const created = await guest.actions.create({ name: n, action: '' })
  assert.equal(created.exec.code, '')
  assert.equal(created.exec.kind, 'nodejs:20')
  await assert.rejects(guest.actions.invoke({ name: n, blocking: true }), (err) => {
    assert.equal(err.statusCode, 502)
    assert.equal(err.error.response.status, 'action developer error')
    assert.deepEqual(err.error.response.result, { error: 'Missing main/no code to execute.' })
    return true
  })
  await guest.actions.update({ name: n, action: ECHO })
  assert.deepEqual(await guest.actions.invoke({ name: n, blocking: true, result: true, params: { a: 1 } }), { a: 1 })
  const noCode = await guest.actions.get({ name: n, code: false })
  assert.equal(noCode.exec.code, undefined)
  await rejects(guest.actions.update({ name: n, action: ECHO, limits: { concurrency: 4 } }), 400,
    'concurrency 4 exceeds allowed threshold of 1')
  assert.equal((await guest.actions.get({ name: n })).limits.concurrency, 1, 'the refused update changed nothing')
  await guest.actions.delete({ name: n })
})

test('activations: list newest first, skip/limit, count, name filter, since, docs, get/result/logs', async () => {
  const pkg = name('actpkg')
  const n = name('act')
  await guest.actions.create({ name: n, action: ECHO })
  await guest.packages.create({ name: pkg })
  await guest.actions.create({ name: `${pkg}/inner`, action: ECHO })
  const ids = []
  for (let i = 0; i < 3; i++) {
    ids.push((await guest.actions.invoke({ name: n, blocking: true, params: { i } })).activationId)
  }
  const innerId = (await guest.actions.invoke({ name: `${pkg}/inner`, blocking: true })).activationId
  const listed = await guest.activations.list({ name: n })
  assert.deepEqual(listed.map(a => a.activationId), [...ids].reverse(), 'newest first')
  assert.equal(listed[0].response, undefined, 'the list view leaves out the response')
  const page = await guest.activations.list({ name: n, skip: 1, limit: 1 })
  assert.deepEqual(page.map(a => a.activationId), [ids[1]])
  assert.deepEqual(await guest.activations.list({ name: n, count: true }), { activations: 3 })
  assert.deepEqual(await guest.activations.list({ name: `${pkg}/inner`, count: true }), { activations: 1 })
  const docs = await guest.activations.list({ name: `${pkg}/inner`, docs: true })
  assert.equal(docs[0].activationId, innerId)
  assert.equal(docs[0].response.success, true)
  const newest = await guest.activations.get({ name: ids[2] })
  // what wsk activation poll asks: everything since the last start it saw
  const since = await guest.activations.list({ name: n, since: newest.start })
  assert.deepEqual(since.map(a => a.activationId), [ids[2]])
  assert.deepEqual(await guest.activations.list({ name: n, since: newest.start + 1 }), [])
  const upto = await guest.activations.list({ name: n, upto: newest.start - 1 })
  assert.ok(!upto.some(a => a.activationId === ids[2]))
  assert.deepEqual((await guest.activations.result({ name: ids[0] })).result, { i: 0 })
  assert.ok(Array.isArray((await guest.activations.logs({ name: ids[0] })).logs))
  await rejects(guest.activations.list({ limit: 201 }), 400, 'is not in the range of 0 to 200')
  await rejects(guest.activations.list({ since: 'yesterday' }), 400, 'yesterday')
  await rejects(guest.activations.list({ count: true, docs: true }), 400, "'docs' is not permitted with 'count'")
  await rejects(bob.activations.get({ name: ids[0] }), 404)
  await guest.actions.delete({ name: `${pkg}/inner` })
  await guest.packages.delete({ name: pkg })
  await guest.actions.delete({ name: n })
})

test('namespaces: list, the client\'s get, and the REST summary of GET /namespaces/{ns}', async () => {
  assert.deepEqual(await guest.namespaces.list(), ['guest'])
  const n = name('nsaction')
  await guest.actions.create({ name: n, action: ECHO })
  const summary = await guest.namespaces.get()
  assert.deepEqual(Object.keys(summary).sort(), ['actions', 'packages', 'rules', 'triggers'])
  assert.ok(summary.actions.some(a => a.name === n))
  const rest = await raw(process.env.OW_GUEST_KEY, '/namespaces/guest')
  assert.equal(rest.status, 200)
  assert.deepEqual(Object.keys(rest.body), ['actions', 'packages', 'rules', 'triggers'])
  assert.deepEqual(rest.body.actions.map(a => a.name).sort(), summary.actions.map(a => a.name).sort())
  const foreign = await raw(process.env.OW_BOB_KEY, '/namespaces/guest')
  assert.equal(foreign.status, 403)
  assert.match(foreign.body.error, /not authorized/)
  await guest.actions.delete({ name: n })
})

test('packages: create, get, list, update, bind, delete; whisk.system/utils is public', async () => {
  const p = name('pkg')
  const created = await guest.packages.create({ name: p, package: { parameters: [{ key: 'a', value: 1 }] } })
  assert.equal(created.name, p)
  await rejects(guest.packages.create({ name: p }), 409)
  assert.ok((await guest.packages.list()).some(x => x.name === p))
  const updated = await guest.packages.update({ name: p, package: { parameters: [{ key: 'a', value: 2 }] } })
  assert.equal(updated.version, '0.0.2')
  assert.deepEqual((await guest.packages.get({ name: p })).parameters, [{ key: 'a', value: 2 }])
  const utils = await guest.packages.get({ name: '/whisk.system/utils' })
  const utilNames = utils.actions.map(a => a.name).sort()
  assert.deepEqual(utilNames, ['cat', 'date', 'echo', 'head', 'hosturl', 'namespace', 'smash', 'sort', 'split'])
  await guest.packages.delete({ name: p })
  await rejects(guest.packages.get({ name: p }), 404)
})

test('triggers and rules: create, get, list, update, disable, enable, fire, delete', async () => {
  const t = name('trig')
  const r = name('rule')
  const a = name('ruled')
  await guest.actions.create({ name: a, action: ECHO })
  await guest.triggers.create({ name: t })
  assert.ok((await guest.triggers.list()).some(x => x.name === t))
  await guest.triggers.update({ name: t, trigger: { parameters: [{ key: 'from', value: 'trigger' }] } })
  await guest.rules.create({ name: r, trigger: t, action: a })
  assert.equal((await guest.rules.get({ name: r })).status, 'active')
  assert.ok((await guest.rules.list()).some(x => x.name === r))
  await guest.rules.disable({ name: r })
  assert.equal((await guest.rules.get({ name: r })).status, 'inactive')
  await guest.rules.enable({ name: r })
  const fired = await guest.triggers.invoke({ name: t, params: { x: 1 } })
  assert.match(fired.activationId, /^[0-9a-f]{32}$/)
  const summary = await guest.namespaces.get()
  assert.ok(summary.rules.some(x => x.name === r) && summary.triggers.some(x => x.name === t))
  await guest.rules.delete({ name: r })
  await guest.triggers.delete({ name: t })
  await guest.actions.delete({ name: a })
  await rejects(guest.triggers.get({ name: t }), 404)
})

test('/whisk.system/utils with missing parameters answer as the catalog\'s actions', async () => {
  const util = (n, params) => guest.actions.invoke({ name: `/whisk.system/utils/${n}`, blocking: true, result: true, params })
  assert.deepEqual(await util('sort', {}), { length: 0, lines: [] })
  assert.deepEqual(await util('cat', {}), { lines: [], payload: '' })
  assert.deepEqual(await util('head', {}), { lines: [], num: 1 })
  assert.deepEqual(await util('echo', {}), {})
  assert.deepEqual(await util('namespace', {}), { namespace: 'guest' })
  assert.deepEqual(await util('smash', { $fieldName: 'p', a: 1 }), { p: { a: 1 } })
  assert.deepEqual(await util('hosturl', { path: 'utils/echo' }), { url: `${apihost}/api/v1/namespaces/guest/actions/utils/echo` })
  assert.match((await util('date', {})).date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  await assert.rejects(util('split', {}), (err) => {
    assert.equal(err.statusCode, 502)
    assert.match(err.error.response.result.error, /^An error has occurred/)
    return true
  })
})
