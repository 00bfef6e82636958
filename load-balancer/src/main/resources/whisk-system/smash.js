// /whisk.system/utils/smash, as the openwhisk-catalog's: nests every parameter under the name given
// in "$fieldName" ({a: 1, $fieldName: "p"} gives {p: {a: 1}}).
function main(params) {
  const field = params.$fieldName;
  if (typeof field !== 'string') {
    return { error: "Expected an argument '$fieldName' of type 'string'." };
  }
  delete params.$fieldName;
  const out = {};
  out[field] = params;
  return out;
}
