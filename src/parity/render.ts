// The parity report for people: a text table per service pair for a terminal, or Markdown for a
// pull-request comment. Markers: ≠ declared values differ, ~ live value differs from the declaration.

import type { ParityPair, ParityReport, ParityRow } from "./compare.ts";

const cell = (declared: string | undefined, live: string | undefined) =>
  declared === undefined ? "—" : live === undefined ? declared : `${declared} (live ${live})`;
const marker = (row: ParityRow) =>
  `${row.differs ? "≠" : " "}${row.fromLive !== undefined || row.toLive !== undefined ? "~" : " "}`;

function heading(pair: ParityPair, report: ParityReport): string {
  const where = (s: ParityPair["from"]) => (s ? `${s.namespace}/${s.name}` : "(missing)");
  return `${pair.kind} ${pair.key}: ${report.from} ${where(pair.from)} ↔ ${report.to} ${where(pair.to)}`;
}

function findings(pair: ParityPair, report: ParityReport): string[] {
  return [
    ...(pair.from?.findings ?? []).map((f) => `${report.from}: ${f}`),
    ...(pair.to?.findings ?? []).map((f) => `${report.to}: ${f}`),
  ];
}

export function renderParityText(report: ParityReport): string {
  const lines: string[] = [];
  for (const pair of report.pairs) {
    lines.push(heading(pair, report));
    if (pair.rows.length === 0) {
      for (const f of findings(pair, report)) lines.push(`  ! ${f}`);
      lines.push("");
      continue;
    }
    const width = Math.max(5, ...pair.rows.map((r) => r.field.length));
    const fromWidth = Math.max(report.from.length, ...pair.rows.map((r) => cell(r.from, r.fromLive).length));
    lines.push(`  ${"field".padEnd(width)}  ${report.from.padEnd(fromWidth)}  ${report.to}`);
    for (const row of pair.rows) {
      const from = cell(row.from, row.fromLive).padEnd(fromWidth);
      lines.push(`${marker(row)}${row.field.padEnd(width)}  ${from}  ${cell(row.to, row.toLive)}`);
    }
    for (const f of findings(pair, report)) lines.push(`  ! ${f}`);
    lines.push("");
  }
  lines.push(summary(report));
  return lines.join("\n");
}

export function renderParityMarkdown(report: ParityReport): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  const lines = [`## driftguard parity: ${report.from} ↔ ${report.to}`, "", summary(report), ""];
  for (const pair of report.pairs) {
    lines.push(`### ${escape(heading(pair, report))}`, "");
    if (pair.rows.length > 0) lines.push(`| | field | ${report.from} | ${report.to} |`, "|---|---|---|---|");
    for (const row of pair.rows) {
      const mark = marker(row).trim() || " ";
      lines.push(
        `| ${mark} | \`${row.field}\` | ${escape(cell(row.from, row.fromLive))} | ${escape(cell(row.to, row.toLive))} |`,
      );
    }
    const notes = findings(pair, report);
    if (notes.length > 0) lines.push("", ...notes.map((f) => `- ⚠️ ${escape(f)}`));
    lines.push("");
  }
  lines.push("≠ declared values differ · ~ live value differs from the declaration");
  return lines.join("\n");
}

function summary(report: ParityReport): string {
  return report.toReview === 0
    ? `${report.pairs.length} pair(s) in parity`
    : `${report.toReview} of ${report.pairs.length} pair(s) to review (≠ declared values differ, ~ live drift, ! policy finding or refusal)`;
}
