// /whisk.system/utils/namespace, as the openwhisk-catalog's: the namespace of the key that invoked
// it.
function main() {
  return { namespace: process.env.__OW_NAMESPACE };
}
