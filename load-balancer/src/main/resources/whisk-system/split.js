// /whisk.system/utils/split: splits the string "payload" at "separator" (default a newline).
function main(params) {
  const payload = typeof params.payload === 'string' ? params.payload : '';
  const separator = typeof params.separator === 'string' ? params.separator : '\n';
  return { lines: payload.split(separator), payload: payload };
}
