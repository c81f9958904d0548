// Prints the plain closing line the landing reads, from Jest's JSON results.
const fs = require("node:fs");
const file = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const results = JSON.parse(fs.readFileSync(file, "utf8"));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numRuntimeErrorTestSuites || 0);
  skipped = results.numPendingTests + (results.numTodoTests || 0);
} catch (err) {
  console.error(`no Jest results in ${file}: ${err.message}`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
