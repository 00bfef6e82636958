// The official `openwhisk` npm client's `feeds` API against HPC-Whisk's /whisk.system/alarms.
// Run by FeedsConformanceIT (JUnit), which starts a real server and sets OW_APIHOST and OW_BOB_KEY.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const openwhisk = require('openwhisk')

const apihost = process.env.OW_APIHOST
const bob = openwhisk({ apihost, api_key: process.env.OW_BOB_KEY })
const run = Date.now().toString(36)
const name = (base) => `${base}-${run}`

test('feeds: create, get, update and delete an interval alarm', async () => {
  const trigger = name('every-minute')
  await bob.triggers.create({ name: trigger })
  const feed = '/whisk.system/alarms/interval'

  const created = await bob.feeds.create({ name: feed, trigger, params: { minutes: 1, trigger_payload: { from: 'npm' } } })
  assert.equal(created.response.success, true)
  assert.deepEqual(created.response.result, { status: 'success' })

  const got = await bob.feeds.get({ name: feed, trigger })
  assert.equal(got.response.result.config.minutes, 1)
  assert.equal(got.response.result.config.name, trigger)
  assert.deepEqual(got.response.result.config.payload, { from: 'npm' })
  assert.equal(got.response.result.status.active, true)

  await bob.feeds.update({ name: feed, trigger, params: { minutes: 2 } })
  const updated = await bob.feeds.get({ feedName: feed, trigger })
  assert.equal(updated.response.result.config.minutes, 2)

  const deleted = await bob.feeds.delete({ name: feed, trigger })
  assert.deepEqual(deleted.response.result, { status: 'success' })
  await assert.rejects(bob.feeds.get({ name: feed, trigger }), (err) => {
    assert.equal(err.statusCode, 502)
    assert.match(err.message, /has no interval alarm/)
    return true
  })
  await bob.triggers.delete({ name: trigger })
})

test('feeds: a cron alarm with a bad pattern is refused with the parameter named', async () => {
  const trigger = name('bad-cron')
  await bob.triggers.create({ name: trigger })
  await assert.rejects(
    bob.feeds.create({ name: '/whisk.system/alarms/alarm', trigger, params: { cron: '99 * * * *' } }),
    (err) => {
      assert.equal(err.statusCode, 502)
      assert.match(err.message, /cron pattern '99 \* \* \* \*' is not valid/)
      assert.doesNotMatch(err.message, /Exception|\tat /)
      return true
    })
  // the trigger made by the user (without the feed annotation) stays, with no alarm
  const t = await bob.triggers.get({ name: trigger })
  assert.equal(t.name, trigger)
  await bob.triggers.delete({ name: trigger })
})

test('feeds: a once alarm takes an ISO date in the future and refuses one in the past', async () => {
  const trigger = name('once')
  await bob.triggers.create({ name: trigger })
  const feed = '/whisk.system/alarms/once'
  await assert.rejects(
    bob.feeds.create({ name: feed, trigger, params: { date: '2001-01-01T00:00:00Z' } }),
    /date parameter '2001-01-01T00:00:00Z' must be in the future/)
  const date = new Date(Date.now() + 3600 * 1000).toISOString()
  await bob.feeds.create({ name: feed, trigger, params: { date, deleteAfterFire: 'true' } })
  const got = await bob.feeds.get({ name: feed, trigger })
  assert.equal(got.response.result.config.deleteAfterFire, 'true')
  assert.equal(new Date(got.response.result.config.date).getTime(), new Date(date).getTime())
  // deleting the trigger deletes the alarm
  await bob.triggers.delete({ name: trigger })
  await bob.triggers.create({ name: trigger })
  await assert.rejects(bob.feeds.get({ name: feed, trigger }), /has no once alarm/)
  await bob.triggers.delete({ name: trigger })
})
