// /whisk.system/utils/hosturl, as the openwhisk-catalog's: the URL that invokes an action ("path":
// NAME or PKG/NAME), a trigger ("trigger": true) or a web action ("web": true, optional "ext"),
// built from the API host and the caller's namespace; without "path" the collection's URL.
const WEB_EXTENSIONS = ['.html', '.http', '.json', '.svg', '.text'];

function main(params) {
  const host = process.env.__OW_API_HOST;
  const ns = process.env.__OW_NAMESPACE;
  const web = params.web === true;
  if (web && params.trigger) {
    return { error: 'triggers are not allowed for web actions.' };
  }
  if (web && params.ext && !WEB_EXTENSIONS.includes(params.ext)) {
    return {
      error: 'extension for web action must be one of [' + WEB_EXTENSIONS.map(e => '"' + e + '"').join(', ') + '].'
    };
  }
  if (!web && params.trigger && params.path.includes('/')) {
    return { error: 'triggers are not allowed in packages.' };
  }
  const base = web
    ? host + '/api/v1/web/' + ns
    : host + '/api/v1/namespaces/' + ns + '/' + (params.trigger === true ? 'triggers' : 'actions');
  if (!params.path) {
    return { url: base };
  }
  const path = web && !params.path.includes('/') ? 'default/' + params.path : params.path;
  return { url: base + '/' + path + (web ? params.ext || '' : '') };
}
