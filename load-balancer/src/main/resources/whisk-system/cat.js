// /whisk.system/utils/cat: joins the array "lines" into one string "payload".
function main(params) {
  if (!Array.isArray(params.lines)) {
    return { error: 'cat needs an array parameter "lines"' };
  }
  return { lines: params.lines, payload: params.lines.join('\n') };
}
