// Prints the non-compliant points of `tosguard scan --out` findings (JSONL on stdin)
// as tab-separated rule, scope value, day, outcome: the rows the SQL versions print
// (bench/sql/*/output.sql), so the two can be compared with diff. Every day of a
// finding's timeline is a point; timelines of one scope's findings overlap, so
// sort -u the output.
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const f = JSON.parse(line);
  for (const point of f.timeline) {
    if (point.outcome === 'compliant' || point.outcome === 'not_evaluated') continue;
    console.log([f.rule, f.scope.value, point.day, point.outcome].join('\t'));
  }
}
