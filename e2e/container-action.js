// Creates a container action with the official openwhisk npm client, as `wsk action create NAME --docker IMAGE`
// does (exec {kind: 'blackbox', image}), then invokes it blocking once per JSON-PARAMS argument:
//   node e2e/container-action.js NAME IMAGE [JSON-PARAMS ...]
// Prints one JSON line per step. Environment: OW_APIHOST (default http://127.0.0.1:3233), OW_AUTH (default
// OpenWhisk's guest key).
const openwhisk = require('openwhisk')

const GUEST = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP'
const ow = openwhisk({
  apihost: process.env.OW_APIHOST || 'http://127.0.0.1:3233',
  api_key: process.env.OW_AUTH || GUEST
})

async function main () {
  const [name, image, ...params] = process.argv.slice(2)
  try {
    await ow.actions.update({ name, action: { exec: { kind: 'blackbox', image } } })
    console.log(JSON.stringify({ step: 'create', name, image }))
  } catch (err) {
    console.log(JSON.stringify({ step: 'create', error: err.message, statusCode: err.statusCode }))
    return
  }
  for (const p of params) {
    try {
      const activation = await ow.actions.invoke({ name, params: JSON.parse(p), blocking: true })
      console.log(JSON.stringify({ step: 'invoke', activation }))
    } catch (err) {
      console.log(JSON.stringify({ step: 'invoke', error: err.message, statusCode: err.statusCode, activation: err.error }))
    }
  }
}

main().catch(err => { console.error(err.message); process.exit(1) })
