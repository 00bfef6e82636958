// Invokes an action of HPC-Whisk with the official openwhisk npm client (the example `hpc-whisk up` prints):
//   node e2e/invoke.js [ACTION] [JSON-PARAMS]
// Environment: OW_APIHOST (default http://127.0.0.1:3233), OW_AUTH (default OpenWhisk's guest key).
const openwhisk = require('openwhisk')

const GUEST = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP'
const ow = openwhisk({
  apihost: process.env.OW_APIHOST || 'http://127.0.0.1:3233',
  api_key: process.env.OW_AUTH || GUEST
})
const name = process.argv[2] || 'demo/hello'
const params = JSON.parse(process.argv[3] || '{"name":"Slurm"}')

ow.actions.invoke({ name, params, blocking: true, result: true })
  .then(result => console.log(JSON.stringify(result)))
  .catch(err => { console.error(`invoke of ${name} failed: ${err.message}`); process.exit(1) })
