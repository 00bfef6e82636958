// API routes with the official `openwhisk` npm client (ow.routes.create/list/get/delete), called with
// plain HTTP (fetch) at the gwApiUrl the server answers. Run by ConformanceIT (every *.test.js), which
// starts a real server and sets OW_APIHOST, OW_GUEST_KEY and OW_BOB_KEY.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const openwhisk = require('openwhisk')

const apihost = process.env.OW_APIHOST
const guest = openwhisk({ apihost, api_key: process.env.OW_GUEST_KEY })
const bob = openwhisk({ apihost, api_key: process.env.OW_BOB_KEY })
const run = Date.now().toString(36)

async function rejects (promise, statusCode, messagePart) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.statusCode, statusCode, `expected HTTP ${statusCode}, got ${err.statusCode}: ${err.message}`)
    if (messagePart) assert.match(err.error.error, new RegExp(messagePart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    assert.match(err.error.code, /\S+/, 'error bodies carry the request id as "code"')
    return true
  })
}

test('routes: create, list, get, call with path parameters, delete', async () => {
  const book = `route-book-${run}`
  const page = `route-page-${run}`
  await guest.actions.create({
    name: book,
    action: 'function main(p) { return { id: p.id, q: p.q || null, method: p.__ow_method } }',
    annotations: { 'web-export': true }
  })
  await guest.actions.create({
    name: page,
    action: 'function main(p) { return { body: "<p>page " + p.id + " at " + p.__ow_path + "</p>" } }',
    annotations: { 'web-export': true }
  })
  const basepath = `/shop-${run}`
  const created = await guest.routes.create({ basepath, relpath: '/books/{id}', operation: 'GET', action: book })
  assert.equal(created.gwApiActivated, true)
  assert.equal(created.gwApiUrl, `${apihost}/api/gw/guest${basepath}`)
  assert.equal(created.apidoc.basePath, basepath)
  const op = created.apidoc.paths['/books/{id}'].get
  assert.deepEqual(op['x-openwhisk'], {
    namespace: 'guest', package: 'default', action: book, url: `${apihost}/api/v1/web/guest/default/${book}.json`
  })
  assert.equal(op.parameters[0].name, 'id')
  assert.ok(!JSON.stringify(created).includes(process.env.OW_GUEST_KEY.split(':')[1]), 'no API key in the document')

  await guest.routes.create({ basepath, relpath: '/pages/{id}', operation: 'get', action: page, responsetype: 'http' })

  const listed = await guest.routes.list()
  const mine = listed.apis.filter(a => a.value.apidoc.basePath === basepath)
  assert.equal(mine.length, 1)
  assert.deepEqual(Object.keys(mine[0].value.apidoc.paths).sort(), ['/books/{id}', '/pages/{id}'])

  const got = await guest.routes.get({ basepath })
  assert.equal(got.apis.length, 1)
  assert.equal(got.apis[0].value.gwApiUrl, created.gwApiUrl)

  const r = await fetch(`${created.gwApiUrl}/books/42?q=x`)
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type'), /^application\/json/)
  assert.deepEqual(await r.json(), { id: '42', q: 'x', method: 'get' })

  const html = await fetch(`${created.gwApiUrl}/pages/7`)
  assert.equal(html.status, 200)
  assert.equal(html.headers.get('content-type'), 'text/html; charset=UTF-8')
  assert.equal(await html.text(), '<p>page 7 at /pages/7</p>')

  const wrongMethod = await fetch(`${created.gwApiUrl}/books/42`, { method: 'POST' })
  assert.equal(wrongMethod.status, 405)
  assert.equal(wrongMethod.headers.get('allow'), 'GET')
  assert.match((await wrongMethod.json()).error, /POST is not allowed/)
  const nothing = await fetch(`${created.gwApiUrl}/authors/1`)
  assert.equal(nothing.status, 404)
  assert.match((await nothing.json()).code, /\S+/)

  // delete one operation, then the whole API
  await guest.routes.delete({ basepath, relpath: '/pages/{id}', operation: 'GET' })
  assert.equal((await fetch(`${created.gwApiUrl}/pages/7`)).status, 404)
  assert.equal((await fetch(`${created.gwApiUrl}/books/1`)).status, 200)
  await guest.routes.delete({ basepath })
  assert.equal((await guest.routes.get({ basepath })).apis.length, 0)
  assert.equal((await fetch(`${created.gwApiUrl}/books/1`)).status, 404)
})

test('routes: another namespace cannot read, delete, overwrite or borrow a route', async () => {
  const action = `route-own-${run}`
  await guest.actions.create({ name: action, action: 'function main(p) { return { who: "guest" } }', annotations: { 'web-export': true } })
  const basepath = `/private-${run}`
  const created = await guest.routes.create({ basepath, relpath: '/x', operation: 'GET', action })

  const seen = await bob.routes.list()
  assert.ok(!seen.apis.some(a => a.value.apidoc.basePath === basepath), 'bob does not see guest\'s API')
  assert.equal((await bob.routes.get({ basepath })).apis.length, 0)
  await rejects(bob.routes.delete({ basepath }), 404, `API '${basepath}' does not exist`)
  // bob's API on the same base path is bob's own; guest's keeps answering
  await rejects(bob.routes.create({ basepath, relpath: '/x', operation: 'GET', action: `/guest/${action}` }), 403, 'own namespace')
  await rejects(bob.routes.create({ basepath, relpath: '/x', operation: 'GET', action }), 404, 'does not exist')
  const r = await fetch(`${created.gwApiUrl}/x`)
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { who: 'guest' })
  // the management calls need a key
  const anon = await fetch(`${apihost}/api/v1/web/whisk.system/apimgmt/getApi`)
  assert.equal(anon.status, 401)
  await guest.routes.delete({ basepath })
})

test('routes: a non-web action, bad paths, methods and response types get 400 with error and code', async () => {
  const plain = `route-plain-${run}`
  await guest.actions.create({ name: plain, action: 'function main() { return {} }' })
  await rejects(guest.routes.create({ basepath: `/b-${run}`, relpath: '/x', operation: 'GET', action: plain }), 400, 'is not a web action')
  const web = `route-web-${run}`
  await guest.actions.create({ name: web, action: 'function main() { return {} }', annotations: { 'web-export': true } })
  await rejects(guest.routes.create({ basepath: `/b-${run}`, relpath: 'x', operation: 'GET', action: web }), 400, "must start with '/'")
  await rejects(guest.routes.create({ basepath: `/b-${run}`, relpath: '/../x', operation: 'GET', action: web }), 400, 'illegal segment')
  await rejects(guest.routes.create({ basepath: `/b-${run}`, relpath: '/x', operation: 'BREW', action: web }), 400, "operation 'BREW' is not supported")
  await rejects(guest.routes.create({ basepath: `/b-${run}`, relpath: '/x', operation: 'GET', action: web, responsetype: 'xml' }), 400, "response type 'xml'")
  await rejects(guest.routes.create({ swagger: { basePath: `/s-${run}`, paths: {} } }), 400, 'swagger is missing the info field')
  assert.equal((await guest.routes.get({ basepath: `/b-${run}` })).apis.length, 0, 'nothing half-written')
})
