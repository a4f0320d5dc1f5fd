/** Turns what a reader typed into a safe FTS5 MATCH expression: every word a quoted string, all ANDed. */
import { analyze, stemArabic, tokenize } from '../../lib/arabic.js'

/** Longer queries are a 400 rather than silently cut, so no one is surprised by what was searched. */
export const MAX_QUERY_LENGTH = 200

/** More distinct words than this add nothing to a news search and only cost time; the rest are ignored. */
export const MAX_QUERY_TERMS = 32

/** An FTS5 string: the text in double quotes, inner quotes doubled. Nothing inside it is FTS5 syntax. */
export function quoteFtsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`
}

/** The distinct analyzed terms of a query, in order; the same analyzer the documents went through. */
export function queryTerms(q: string): string[] {
  return [...new Set(analyze(q))].slice(0, MAX_QUERY_TERMS)
}

/**
 * The MATCH expression for `q`, or null when it has no word to search for (only punctuation, say).
 * `NEAR`, `AND`, `title:`, `*`, `-` and parentheses never reach FTS5 as operators: the tokenizer drops the
 * punctuation, and what remains is quoted, so `NOT` is searched as the word "not".
 */
export function buildMatchExpression(q: string): string | null {
  const terms = queryTerms(q)
  if (terms.length === 0) return null
  return terms.map(quoteFtsString).join(' AND ')
}

/** Both spellings a query word may take for a prefix match on names: normalized, and its Light10 stem. */
export function prefixForms(q: string): string[][] {
  return tokenize(q)
    .slice(0, MAX_QUERY_TERMS)
    .map((token) => [...new Set([token, stemArabic(token)])])
}

/** The normalized words and their stems that a name offers to prefix matching. */
export function nameForms(name: string): string[] {
  const forms = new Set<string>()
  for (const token of tokenize(name)) {
    forms.add(token)
    forms.add(stemArabic(token))
  }
  return [...forms]
}

/** True when every query word is the start of some word of the name (compared normalized, or stemmed). */
export function namePrefixMatches(queryForms: string[][], forms: string[]): boolean {
  return queryForms.every((alternatives) =>
    alternatives.some((prefix) => forms.some((form) => form.startsWith(prefix))),
  )
}
