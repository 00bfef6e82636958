// /whisk.system/utils/namespace: the namespace of the caller.
function main() {
  return { namespace: process.env.__OW_NAMESPACE };
}
