// /whisk.system/utils/date, as the openwhisk-catalog's: the current time as an ISO-8601 string
// (what a Date becomes in JSON), e.g. {"date": "2016-03-22T00:59:55.961Z"}.
function main() {
  const now = new Date();
  console.log('It is now ' + now);
  return { date: now.toISOString() };
}
