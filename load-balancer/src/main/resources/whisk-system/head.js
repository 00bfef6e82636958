// /whisk.system/utils/head, as the openwhisk-catalog's: the first "num" entries of "lines"
// ("lines" defaults to [], a missing or zero "num" to 1); the result echoes "num".
function main(params) {
  const lines = params.lines || [];
  const num = params.num || 1;
  return { lines: lines.slice(0, num), num: num };
}
