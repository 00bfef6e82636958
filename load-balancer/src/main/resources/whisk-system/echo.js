// /whisk.system/utils/echo, as the openwhisk-catalog's: returns its parameters unchanged.
function main(params) {
  return params;
}
