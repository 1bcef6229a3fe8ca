// Runs SQL files through DuckDB (the @duckdb/node-api package, installed outside the
// repository) in one in-memory database and prints the result of the last statement
// as tab-separated lines. Relative paths in the SQL resolve against the current
// directory. With --timings, each statement's wall time goes to stderr. Usage:
//   DUCKDB_NODE_API=/path/to/node_modules/@duckdb/node-api \
//     node bench/sql/run_duckdb.mjs [--threads N] [--memory-limit SIZE] [--timings] FILE.sql...
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const args = process.argv.slice(2);
const options = {};
let timings = false;
const files = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--threads') options.threads = args[++i];
  else if (args[i] === '--memory-limit') options.memory_limit = args[++i];
  else if (args[i] === '--timings') timings = true;
  else files.push(args[i]);
}
const modulePath = process.env.DUCKDB_NODE_API;
if (!modulePath || files.length === 0) {
  console.error('usage: DUCKDB_NODE_API=DIR node run_duckdb.mjs [--threads N] [--memory-limit SIZE] [--timings] FILE.sql...');
  process.exit(2);
}
const entry = JSON.parse(readFileSync(join(modulePath, 'package.json'), 'utf8')).main ?? 'lib/index.js';
const { DuckDBInstance } = await import(pathToFileURL(join(modulePath, entry)).href);

const instance = await DuckDBInstance.create(':memory:', options);
const connection = await instance.connect();
let last = null;
for (const file of files) {
  const statements = await connection.extractStatements(readFileSync(file, 'utf8'));
  for (let i = 0; i < statements.count; ++i) {
    const start = performance.now();
    const prepared = await statements.prepare(i);
    last = await prepared.runAndReadAll();
    if (timings) {
      console.error(`${((performance.now() - start) / 1000).toFixed(3)} s  ${file} #${i + 1}`);
    }
  }
}
if (last) {
  for (const row of last.getRowsJS()) console.log(row.map((v) => (v === null ? '' : String(v))).join('\t'));
}
connection.closeSync();
