// /whisk.system/utils/sort, as the openwhisk-catalog's: "lines" (default []) in JavaScript's default
// sort order (as strings), and their number; without "lines": {"lines": [], "length": 0}.
function main(params) {
  const lines = params.lines || [];
  lines.sort();
  return { lines: lines, length: lines.length };
}
