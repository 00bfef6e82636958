// /whisk.system/utils/head: the first "num" (default 1) entries of the array "lines".
function main(params) {
  if (!Array.isArray(params.lines)) {
    return { error: 'head needs an array parameter "lines"' };
  }
  const num = Number.isInteger(params.num) ? params.num : 1;
  return { lines: params.lines.slice(0, num), num: num };
}
