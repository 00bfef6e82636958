// /whisk.system/utils/sort: sorts the array "lines" and reports how many there are.
function main(params) {
  if (!Array.isArray(params.lines)) {
    return { error: 'sort needs an array parameter "lines"' };
  }
  const lines = params.lines.slice().sort();
  return { lines: lines, length: lines.length };
}
