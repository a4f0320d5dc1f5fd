/** Turns what a reader typed into the analyzed terms every search index takes, and prefix forms for tag names. */
import { analyze, stemArabic, tokenize } from '../../lib/arabic.js'

/** Longer queries are a 400 rather than silently cut, so no one is surprised by what was searched. */
export const MAX_QUERY_LENGTH = 200

/** More distinct words than this add nothing to a news search and only cost time; the rest are ignored. */
export const MAX_QUERY_TERMS = 32

/** The distinct analyzed terms of a query, in order; the same analyzer the documents went through. */
export function queryTerms(q: string): string[] {
  return [...new Set(analyze(q))].slice(0, MAX_QUERY_TERMS)
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

// A name's forms depend on the name alone, so they are cached by name; the cap bounds memory.
const nameFormsCache = new Map<string, string[]>()
const NAME_CACHE_LIMIT = 50_000

function cachedNameForms(name: string): string[] {
  let forms = nameFormsCache.get(name)
  if (forms === undefined) {
    if (nameFormsCache.size >= NAME_CACHE_LIMIT) nameFormsCache.clear()
    forms = nameForms(name)
    nameFormsCache.set(name, forms)
  }
  return forms
}

/**
 * The names (with their ids) that have, for every query word, a word starting with it (both normalized, or both
 * stemmed): `اير` finds `إيران`. Tags are few, so they are matched in JS with the one normalizer rather than
 * kept in a second index. Null when the query has no word.
 */
export function matchingNames<T extends { name: string }>(q: string, candidates: T[]): T[] | null {
  const query = prefixForms(q)
  if (query.length === 0) return null
  return candidates.filter((candidate) => namePrefixMatches(query, cachedNameForms(candidate.name)))
}
