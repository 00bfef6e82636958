// Web actions created with the official `openwhisk` npm client, called with plain HTTP (fetch).
// Run by WebActionsNpmIT (JUnit), which starts a real server and sets OW_APIHOST and OW_GUEST_KEY.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const openwhisk = require('openwhisk')

const apihost = process.env.OW_APIHOST
const ow = openwhisk({ apihost, api_key: process.env.OW_GUEST_KEY })
const run = Date.now().toString(36)

test('an action created with web-export through the client answers a plain GET', async () => {
  const name = `web-hello-${run}`
  await ow.actions.create({
    name,
    action: 'function main(p) { return { body: "<p>hello " + (p.name || "nobody") + "</p>" } }',
    annotations: { 'web-export': true }
  })
  const r = await fetch(`${apihost}/api/v1/web/guest/default/${name}?name=npm`)
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('content-type'), 'text/html; charset=UTF-8')
  assert.equal(r.headers.get('access-control-allow-origin'), '*')
  assert.match(r.headers.get('x-openwhisk-activation-id'), /^[0-9a-f]{32}$/)
  assert.equal(await r.text(), '<p>hello npm</p>')

  const json = await fetch(`${apihost}/api/v1/web/guest/default/${name}.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'json' })
  })
  assert.equal(json.status, 200)
  assert.deepEqual(await json.json(), { body: '<p>hello json</p>' })

  // the activation is the owner's: the client reads its record with the owner's key
  const id = r.headers.get('x-openwhisk-activation-id')
  const record = await ow.activations.get({ name: id })
  assert.equal(record.response.result.body, '<p>hello npm</p>')
})

test('wsk --web true equivalents: raw-http and final set by annotations, and web-export false', async () => {
  const raw = `web-raw-${run}`
  await ow.actions.create({
    name: raw,
    action: 'function main(p) { return { q: p.__ow_query, b: p.__ow_body, m: p.__ow_method } }',
    annotations: { 'web-export': true, 'raw-http': true, final: true }
  })
  const r = await fetch(`${apihost}/api/v1/web/guest/default/${raw}.json?a=1`, {
    method: 'PUT',
    headers: { 'content-type': 'text/plain' },
    body: 'plain text'
  })
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { q: 'a=1', b: 'plain text', m: 'put' })

  const fixed = `web-final-${run}`
  await ow.actions.create({
    name: fixed,
    action: 'function main(p) { return { body: "hello " + p.name } }',
    params: { name: 'Jane' },
    annotations: { 'web-export': true, final: true }
  })
  assert.equal(await (await fetch(`${apihost}/api/v1/web/guest/default/${fixed}`)).text(), 'hello Jane')
  const override = await fetch(`${apihost}/api/v1/web/guest/default/${fixed}?name=Mallory`)
  assert.equal(override.status, 400)
  assert.match((await override.json()).error, /not allowed/)

  // --web false: the same action is no longer reachable
  await ow.actions.update({
    name: fixed,
    action: 'function main(p) { return { body: "hello " + p.name } }',
    annotations: { 'web-export': false }
  })
  const gone = await fetch(`${apihost}/api/v1/web/guest/default/${fixed}`)
  assert.equal(gone.status, 404)
  assert.equal((await gone.json()).error, 'The requested resource does not exist.')
})
