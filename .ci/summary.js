// Prints the plain closing line the landing reads, from Jest's JSON results.
const fs = require("node:fs");

function summarise(file) {
  try {
    const results = JSON.parse(fs.readFileSync(file, "utf8"));
    return {
      passed: results.numPassedTests,
      failed: results.numFailedTests + (results.numRuntimeErrorTestSuites || 0),
      skipped: results.numPendingTests + (results.numTodoTests || 0),
    };
  } catch (err) {
    console.error(`no Jest results in ${file}: ${err.message}`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

const { passed, failed, skipped } = summarise(process.argv[2]);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
