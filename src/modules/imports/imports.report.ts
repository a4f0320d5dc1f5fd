/** The import's report: counts per kind and why, the warnings, and its text form for a person. */

export const REPORT_KINDS = ['post', 'comment', 'term', 'attachment', 'other'] as const
export type ReportKind = (typeof REPORT_KINDS)[number]

export type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped'

export interface KindCounts {
  created: number
  updated: number
  unchanged: number
  skipped: number
  /** Items of this kind that carry at least one warning (imported or skipped). */
  warned: number
  /** Why items were skipped, and how many for each reason. */
  skippedBecause: Record<string, number>
}

export interface ImportWarning {
  kind: ReportKind
  /** The WordPress id (post, comment, term); null when the item had none. */
  wpId: number | null
  message: string
}

export interface ImportReport {
  /** The site the export comes from (its base blog URL), as the records key it. */
  site: string | null
  wxrVersion: string | null
  dryRun: boolean
  /** <item> elements read. */
  items: number
  /** Characters XML 1.0 forbids, dropped before parsing. */
  forbiddenCharacters: number
  /** Articles given their cover image in the second pass (the attachment came after the post). */
  coverImagesResolved: number
  counts: Record<ReportKind, KindCounts>
  /** The first warnings, in the order they arose; `warningsOmitted` counts the rest. */
  warnings: ImportWarning[]
  warningsOmitted: number
  /** Why the import stopped early (not WXR, broken XML); what came before it is imported. */
  error: { message: string; line: number | null } | null
  durationMs: number
}

/** How many warnings a report lists; the rest are counted. */
export const MAX_LISTED_WARNINGS = 1000

export function emptyReport(dryRun: boolean): ImportReport {
  const counts = Object.fromEntries(
    REPORT_KINDS.map((kind) => [
      kind,
      { created: 0, updated: 0, unchanged: 0, skipped: 0, warned: 0, skippedBecause: {} },
    ]),
  ) as Record<ReportKind, KindCounts>
  return {
    site: null,
    wxrVersion: null,
    dryRun,
    items: 0,
    forbiddenCharacters: 0,
    coverImagesResolved: 0,
    counts,
    warnings: [],
    warningsOmitted: 0,
    error: null,
    durationMs: 0,
  }
}

/** Counts one item's outcome, its skip reason and its warnings. */
export function tally(
  report: ImportReport,
  kind: ReportKind,
  wpId: number | null,
  outcome: Outcome,
  details: { reason?: string; warnings?: string[] } = {},
): void {
  const counts = report.counts[kind]
  counts[outcome]++
  if (outcome === 'skipped' && details.reason)
    counts.skippedBecause[details.reason] = (counts.skippedBecause[details.reason] ?? 0) + 1
  const warnings = details.warnings ?? []
  if (warnings.length > 0) counts.warned++
  for (const message of warnings) warn(report, kind, wpId, message)
}

export function warn(report: ImportReport, kind: ReportKind, wpId: number | null, message: string): void {
  if (report.warnings.length < MAX_LISTED_WARNINGS) report.warnings.push({ kind, wpId, message })
  else report.warningsOmitted++
}

const LABELS: Record<ReportKind, string> = {
  post: 'posts',
  comment: 'comments',
  term: 'terms',
  attachment: 'attachments',
  other: 'other items',
}

/** The report as a person reads it in a terminal. */
export function formatReport(report: ImportReport, listWarnings = 50): string {
  const lines: string[] = []
  const seconds = (report.durationMs / 1000).toFixed(1)
  const verb = report.dryRun ? 'Dry run (nothing written)' : 'Imported'
  lines.push(
    `${verb}: ${report.site ?? 'unknown site'}${report.wxrVersion ? ` (WXR ${report.wxrVersion})` : ''}, ` +
      `${report.items} items in ${seconds} s`,
  )
  if (report.forbiddenCharacters > 0)
    lines.push(`${report.forbiddenCharacters} characters that XML forbids were dropped`)
  lines.push('')
  const header = ['', 'created', 'updated', 'unchanged', 'skipped', 'warned']
  const rows = REPORT_KINDS.map((kind) => {
    const c = report.counts[kind]
    return [LABELS[kind], c.created, c.updated, c.unchanged, c.skipped, c.warned].map(String)
  })
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] as string).length)))
  for (const row of [header, ...rows])
    lines.push(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
        .join('  '),
    )
  if (report.coverImagesResolved > 0)
    lines.push('', `${report.coverImagesResolved} cover images set after the attachments were read`)

  const reasons = REPORT_KINDS.flatMap((kind) =>
    Object.entries(report.counts[kind].skippedBecause).map(
      ([reason, n]) => `  ${LABELS[kind]}: ${n} ${reason}`,
    ),
  )
  if (reasons.length > 0) lines.push('', 'Skipped:', ...reasons)

  const total = report.warnings.length + report.warningsOmitted
  if (total > 0) {
    const shown = report.warnings.slice(0, listWarnings)
    lines.push('', shown.length < total ? `Warnings (the first ${shown.length} of ${total}):` : 'Warnings:')
    for (const w of shown) lines.push(`  ${w.kind}${w.wpId === null ? '' : ` ${w.wpId}`}: ${w.message}`)
  }
  if (report.error) lines.push('', `Stopped: ${report.error.message}`)
  return lines.join('\n')
}
