// /whisk.system/utils/date: the current date and time where the action runs.
function main() {
  return { date: new Date().toString() };
}
