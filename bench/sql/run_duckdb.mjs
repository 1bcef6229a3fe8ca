// Runs SQL files through DuckDB (the @duckdb/node-api package, installed outside the
// repository) in one in-memory database and prints the result of the last statement
// as tab-separated lines. Relative paths in the SQL resolve against the current
// directory. Usage:
//   DUCKDB_NODE_API=/path/to/node_modules/@duckdb/node-api \
//     node bench/sql/run_duckdb.mjs [--threads N] FILE.sql...
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const args = process.argv.slice(2);
let threads = null;
const files = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--threads') threads = args[++i];
  else files.push(args[i]);
}
const modulePath = process.env.DUCKDB_NODE_API;
if (!modulePath || files.length === 0) {
  console.error('usage: DUCKDB_NODE_API=DIR node run_duckdb.mjs [--threads N] FILE.sql...');
  process.exit(2);
}
const entry = JSON.parse(readFileSync(join(modulePath, 'package.json'), 'utf8')).main ?? 'lib/index.js';
const { DuckDBInstance } = await import(pathToFileURL(join(modulePath, entry)).href);

const options = threads ? { threads: String(threads) } : {};
const instance = await DuckDBInstance.create(':memory:', options);
const connection = await instance.connect();
let last = null;
for (const file of files) {
  const statements = await connection.extractStatements(readFileSync(file, 'utf8'));
  for (let i = 0; i < statements.count; ++i) {
    const prepared = await statements.prepare(i);
    last = await prepared.runAndReadAll();
  }
}
if (last) {
  for (const row of last.getRowsJS()) console.log(row.map((v) => (v === null ? '' : String(v))).join('\t'));
}
connection.closeSync();
