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
  const rule = f.rule?.id ?? f.rule_id ?? f.rule;
  let scope = f.scope?.value ?? f.scope_value ?? f.scope;
  if (typeof scope === 'string') scope = scope.replace(/^[a-z_]+:/, '');
  for (const point of f.timeline ?? []) {
    const outcome = point.outcome;
    if (!outcome || outcome === 'compliant' || outcome === 'not_evaluated') continue;
    console.log([rule, scope, point.day ?? point.date, outcome].join('\t'));
  }
}
