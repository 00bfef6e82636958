// /whisk.system/utils/cat, as the openwhisk-catalog's: joins "lines" (default []) with newlines into
// "payload"; a "lines" that is not an array fails as the catalog's action does (developer error).
function main(params) {
  const lines = params.lines || [];
  return { lines: lines, payload: lines.join('\n') };
}
