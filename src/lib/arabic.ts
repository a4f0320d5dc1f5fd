// Text normalizer and light Arabic stemmer shared by indexing and search, so documents and queries match.

// Tashkeel (U+064B–U+065F), superscript alef (U+0670) and tatweel (U+0640) carry no lexical meaning.
const DIACRITICS = /[\u064B-\u065F\u0670\u0640]/g

const LETTER_MAP: Readonly<Record<string, string>> = {
  '\u0623': '\u0627', // أ → ا
  '\u0625': '\u0627', // إ → ا
  '\u0622': '\u0627', // آ → ا
  '\u0671': '\u0627', // ٱ → ا
  '\u0649': '\u064A', // ى → ي
  '\u0629': '\u0647', // ة → ه
  '\u0624': '\u0648', // ؤ → و
  '\u0626': '\u064A', // ئ → ي
}
const MAPPED_LETTERS = /[\u0623\u0625\u0622\u0671\u0649\u0629\u0624\u0626]/g

// Arabic-Indic (U+0660–U+0669) and Extended Arabic-Indic (U+06F0–U+06F9) digits.
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g

// Only a Latin letter and the marks attached to it are decomposed, so Arabic can never lose characters here.
const LATIN_WITH_MARKS = /\p{Script=Latin}\p{M}*/gu
const LATIN_COMBINING = /[\u0300-\u036F]/g

// A word starts with a letter or digit; trailing marks stay attached so scripts with vowel signs are not split.
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu

const ARABIC_LETTER = /[\u0621-\u064A]/

// Light10 as implemented by Lucene's ArabicStemmer: order matters in both lists.
const PREFIXES = ['ال', 'وال', 'بال', 'كال', 'فال', 'لل', 'و'] as const
const SUFFIXES = ['ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'ية', 'ه', 'ة', 'ي'] as const

export function normalizeText(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .replace(LATIN_WITH_MARKS, (m) => m.normalize('NFD').replace(LATIN_COMBINING, ''))
      .replace(DIACRITICS, '')
      .replace(MAPPED_LETTERS, (c) => LETTER_MAP[c] ?? c)
      .replace(EASTERN_DIGITS, (d) => String((d.codePointAt(0) ?? 0) - (d >= '\u06F0' ? 0x06f0 : 0x0660)))
      // Removing marks can unblock compositions; NFC keeps equal words byte-identical.
      .normalize('NFC')
  )
}

export function tokenize(text: string): string[] {
  return normalizeText(text).match(WORD) ?? []
}

// Lucene's startsWithCheckLength: the one-letter و needs a 4-letter word, other prefixes must leave 2 letters.
function startsWithCheckLength(word: string, prefix: string): boolean {
  if (prefix.length === 1 && word.length < 4) return false
  return word.length >= prefix.length + 2 && word.startsWith(prefix)
}

function endsWithCheckLength(word: string, suffix: string): boolean {
  return word.length >= suffix.length + 2 && word.endsWith(suffix)
}

/** The length of the Light10 prefix that stemArabic removes from `word`, 0 when none. */
function prefixLength(word: string): number {
  // Only the first matching prefix is removed.
  for (const prefix of PREFIXES) if (startsWithCheckLength(word, prefix)) return prefix.length
  return 0
}

export function stemArabic(word: string): string {
  if (!ARABIC_LETTER.test(word)) return word
  let stem = word.slice(prefixLength(word))
  // Single pass over the list; every suffix that still matches is removed, so e.g. ها then ات can both go.
  for (const suffix of SUFFIXES) {
    if (endsWithCheckLength(stem, suffix)) stem = stem.slice(0, -suffix.length)
  }
  return stem
}

export function analyze(text: string): string[] {
  // English inflection is left to the FTS5 porter tokenizer.
  return tokenize(text).map((token) => (ARABIC_LETTER.test(token) ? stemArabic(token) : token))
}

export function normalizeAndStem(text: string): string {
  return analyze(text).join(' ')
}

// One-letter proclitics Light10 leaves on (it only knows them glued to ال): bi-, li-, ka-, fa-.
const PROCLITICS = new Set(['\u0628', '\u0644', '\u0643', '\u0641'])
const WAW = '\u0648'
const MIN_BARE_STEM = 3

/**
 * The word without a one-letter proclitic (optionally after و), or null. Only for words Light10 gave no
 * multi-letter prefix (بال, لل… are handled there), and never when the rest starts with و: no proclitic can
 * precede it, so ب in بوتين is a root letter.
 */
function withoutProclitic(word: string): string | null {
  if (prefixLength(word) > 1) return null
  const start = word[0] === WAW ? 1 : 0
  if (!PROCLITICS.has(word[start] ?? '')) return null
  const rest = word.slice(start + 1)
  if (rest.length < MIN_BARE_STEM || rest.startsWith(WAW)) return null
  return rest
}

/**
 * The terms a document is indexed under: analyze()'s, plus, for an Arabic word that starts with a one-letter
 * proclitic (ب ل ك ف, optionally after و), the stem of the word without it, so that طهران finds بطهران and
 * ايران finds لإيران. Only documents get the extra term: a query for بطهران still asks for بطهران. The extra
 * term is kept only when it has at least 3 letters, which keeps لبنان from being found by بن.
 */
export function analyzeDocument(text: string): string[] {
  const terms: string[] = []
  for (const token of tokenize(text)) {
    let termsOfToken = documentTermCache.get(token)
    if (termsOfToken === undefined) {
      termsOfToken = documentTerms(token)
      if (documentTermCache.size >= TERM_CACHE_LIMIT) documentTermCache.clear()
      documentTermCache.set(token, termsOfToken)
    }
    for (const term of termsOfToken) terms.push(term)
  }
  return terms
}

// Prose repeats its words, so the terms of a token are cached: indexing a 3 KB body is then mostly lookups.
// The cap bounds memory; clearing all at once is crude but keeps the hot path to one Map lookup.
const TERM_CACHE_LIMIT = 200_000
const documentTermCache = new Map<string, readonly string[]>()

function documentTerms(token: string): readonly string[] {
  if (!ARABIC_LETTER.test(token)) return [token]
  const stem = stemArabic(token)
  const bare = withoutProclitic(token)
  if (bare === null) return [stem]
  const extra = stemArabic(bare)
  return extra.length >= MIN_BARE_STEM && extra !== stem ? [stem, extra] : [stem]
}
