// /whisk.system/utils/split, as the openwhisk-catalog's: "payload" (as a string) split at
// "separator" (default: line breaks, \n or \r\n); "payload" is required (without it the action
// fails, a developer error, as the catalog's does).
function main(params) {
  const separator = params.separator || /\r?\n/;
  const text = params.payload.toString();
  return { lines: text.split(separator), payload: params.payload };
}
