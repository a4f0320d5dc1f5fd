// Table-driven tests for the shared Arabic/Latin normalizer and the Light10 (Lucene) stemmer.
import { describe, expect, it } from 'vitest'
import {
  analyze,
  analyzeDocument,
  normalizeAndStem,
  normalizeText,
  stemArabic,
  tokenize,
} from '../../src/lib/arabic.js'

describe('normalizeText', () => {
  it.each([
    ['fatha, shadda, damma, sukun', 'مُحَمَّد', 'محمد'],
    ['fathatan', 'شكرًا', 'شكرا'],
    ['dammatan', 'كتابٌ', 'كتاب'],
    ['kasratan', 'بيتٍ', 'بيت'],
    ['kasra', 'بِسم', 'بسم'],
    ['sukun', 'مَسْجِد', 'مسجد'],
    ['fully vocalised sentence', 'ذَهَبَ الوَلَدُ إِلَى المَدْرَسَةِ', 'ذهب الولد الي المدرسه'],
    ['superscript alef U+0670', 'هٰذا', 'هذا'],
    ['superscript alef inside a word', 'الرَّحْمٰن', 'الرحمن'],
    ['stray hamza above U+0654 on a non-composing letter', 'ب\u0654', 'ب'],
    ['tatweel', 'الـــرئيس', 'الرييس'],
    ['tatweel plus tashkeel', 'جَـمِـيـل', 'جميل'],
    ['tatweel only', 'ـــ', ''],
  ])('strips %s', (_label, input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  const marks = [...Array.from({ length: 0x065f - 0x064b + 1 }, (_, i) => 0x064b + i), 0x0670].map((cp) => [
    cp.toString(16).toUpperCase(),
    `ب${String.fromCodePoint(cp)}ت`,
  ])
  it.each(marks)('strips mark U+%s between two letters', (_cp, input) => {
    expect(normalizeText(input)).toBe('بت')
  })

  it.each([
    ['hamza below', 'إيران', 'ايران'],
    ['hamza above', 'أيران', 'ايران'],
    ['bare alef', 'ايران', 'ايران'],
    ['madda', 'آمن', 'امن'],
    ['wasla', 'ٱلله', 'الله'],
    ['decomposed madda (alef + U+0653)', 'ا\u0653من', 'امن'],
    ['decomposed hamza above (alef + U+0654)', 'ا\u0654حمد', 'احمد'],
    ['alef maksura', 'مصطفى', 'مصطفي'],
    ['alef maksura in a particle', 'على', 'علي'],
    ['teh marbuta', 'مدرسة', 'مدرسه'],
    ['waw with hamza', 'مؤتمر', 'موتمر'],
    ['waw with hamza and teh marbuta', 'رؤية', 'رويه'],
    ['yeh with hamza', 'رئيس', 'رييس'],
    ['yeh with hamza and teh marbuta', 'هيئة', 'هييه'],
    ['decomposed yeh with hamza (yeh + U+0654)', 'ري\u0654يس', 'رييس'],
  ])('maps %s', (_label, input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  it.each([
    ['٢٠١٧', '2017'],
    ['۱۲', '12'],
    ['٠١٢٣٤٥٦٧٨٩', '0123456789'],
    ['۰۱۲۳۴۵۶۷۸۹', '0123456789'],
    ['عام ٢٠١٧م', 'عام 2017م'],
    ['2024 و٢٠٢٥', '2024 و2025'],
  ])('converts digits in %s', (input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  it.each([
    ['Café', 'cafe'],
    ['NAÏVE', 'naive'],
    ['Über', 'uber'],
    ['São Paulo', 'sao paulo'],
    ['Ümit', 'umit'],
    ['Ñ', 'n'],
    ['Crème Brûlée', 'creme brulee'],
    ['Cafe\u0301 (decomposed)', 'cafe (decomposed)'],
    ['İstanbul', 'istanbul'],
    ['Łódź', 'łodz'], // Ł has no decomposition, so only the acute accents fold
    ['ＦＵＬＬ width', 'full width'],
    ['ﬁnance', 'finance'],
  ])('folds Latin %s', (input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  it.each([
    ['lam-alef ligature', 'ﻻ', 'لا'],
    ['isolated and initial presentation forms', 'ﺑﻴﺖ', 'بيت'],
    ['honorific ligature U+FDFA', '\uFDFA', 'صلي الله عليه وسلم'],
    ['circled digit', '①', '1'],
    ['no-break space', 'a\u00A0b', 'a b'],
  ])('applies NFKC to %s', (_label, input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  it.each([
    ['Latin mark after an Arabic letter is not folded', 'ب\u0301', 'ب\u0301'],
    ['Persian letters outside the rules are kept', 'کتاب', 'کتاب'],
    ['mixed scripts keep their order', 'Café مُحَمَّد ٢٠١٧', 'cafe محمد 2017'],
    ['empty string', '', ''],
  ])('preserves: %s', (_label, input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  it.each([
    'مُحَمَّد',
    'الـــرئيس',
    'ا\u0653من',
    'ا\u064E\u0653',
    'Cafe\u0301',
    'İstanbul',
    '\uFDFA',
    'Ñandú «الإيرانيّة»',
  ])('is idempotent and NFC for %j', (input) => {
    const once = normalizeText(input)
    expect(normalizeText(once)).toBe(once)
    expect(once).toBe(once.normalize('NFC'))
  })
})

describe('tokenize', () => {
  it.each<[string, string, string[]]>([
    ['empty string', '', []],
    ['whitespace only', ' \t\n\u00A0 ', []],
    ['punctuation only', '«»،؟!…', []],
    [
      'Arabic comma and question mark',
      'قال الرئيس، هل نذهب إلى طهران؟',
      ['قال', 'الرييس', 'هل', 'نذهب', 'الي', 'طهران'],
    ],
    ['guillemets', '«الاتفاق النووي»', ['الاتفاق', 'النووي']],
    ['hyphens and dashes', 'ما-بعد—الحرب', ['ما', 'بعد', 'الحرب']],
    ['Arabic semicolon and diacritics', 'مُحَمَّدٌ؛ وَعَلِيٌّ', ['محمد', 'وعلي']],
    ['tatweel and ASCII quotes', 'الـــرئيس: "Biden"!', ['الرييس', 'biden']],
    ['mixed Arabic and English', 'iPhone 15 يصل إلى مصر', ['iphone', '15', 'يصل', 'الي', 'مصر']],
    ['dates with Arabic-Indic digits', '٢٠١٧/٠٥/١٢', ['2017', '05', '12']],
    ['percent sign', 'ارتفع ٪٥ أو 5%', ['ارتفع', '5', 'او', '5']],
    ['emoji and newlines', 'مرحبا 👋\nWorld', ['مرحبا', 'world']],
    ['apostrophes split English', "Iran's talks", ['iran', 's', 'talks']],
    ['marks outside the stripped ranges stay inside the word', 'नमस्ते दुनिया', ['नमस्ते', 'दुनिया']],
  ])('%s', (_label, input, expected) => {
    expect(tokenize(input)).toEqual(expected)
  })
})

describe('stemArabic', () => {
  // Inputs are already normalized (ة→ه, ئ→ي, أ/إ→ا), as analyze() feeds them.
  it.each([
    ['ال', 'الاتفاق', 'اتفاق'],
    ['وال', 'والاتفاق', 'اتفاق'],
    ['وال', 'والملف', 'ملف'],
    ['بال + ات', 'بالمفاوضات', 'مفاوض'],
    ['كال + ه (from ة)', 'كالعاده', 'عاد'],
    ['فال', 'فالقرار', 'قرار'],
    ['لل', 'للرييس', 'رييس'],
    ['ال', 'الرييس', 'رييس'],
    ['ال + ي', 'النووي', 'نوو'],
    ['ي', 'نووي', 'نوو'],
    ['ال + ين then ي in the same pass', 'الايرانيين', 'ايران'],
    ['ان', 'ايران', 'اير'],
    ['و + ها', 'وزيرها', 'زير'],
    ['و (root letter, Light10 still strips it)', 'وزير', 'زير'],
    ['ون', 'معلمون', 'معلم'],
    ['ين', 'مهندسين', 'مهندس'],
    ['يه (from ية)', 'سياسيه', 'سياس'],
    ['ال + يه', 'العربيه', 'عرب'],
    ['ال + ه', 'الدوله', 'دول'],
    ['ها then ات', 'مكتباتها', 'مكتب'],
    ['ات', 'مفاوضات', 'مفاوض'],
    ['only one prefix is removed', 'الولايات', 'ولا'],
  ])('strips %s: %s → %s', (_rule, input, expected) => {
    expect(stemArabic(input)).toBe(expected)
  })

  // ب alone is not a Light10 prefix (only بال is): بطهران keeps its ب and only loses ان.
  it.each([
    ['بطهران', 'بطهر'],
    ['طهران', 'طهر'],
  ])('has no bare ب prefix: %s → %s', (input, expected) => {
    expect(stemArabic(input)).toBe(expected)
  })

  it.each([
    ['two letters', 'في', 'في'],
    ['two letters', 'من', 'من'],
    ['three letters: و needs a 4-letter word', 'ولد', 'ولد'],
    ['three letters: و needs a 4-letter word', 'وما', 'وما'],
    ['no affix', 'محمد', 'محمد'],
    ['no affix', 'ملف', 'ملف'],
    ['ال would leave one letter', 'الم', 'الم'],
    ['ال would leave one letter', 'الف', 'الف'],
    ['ال leaves two letters, then ها would leave none', 'الها', 'ها'],
    ['لل would leave one letter, ه still goes', 'لله', 'لل'],
    ['ي would leave one letter', 'هي', 'هي'],
  ])('does not over-stem (%s): %s → %s', (_why, input, expected) => {
    expect(stemArabic(input)).toBe(expected)
  })

  // Light10 has no stop list or name lexicon: these are its real outputs, consistent on docs and queries.
  it.each([
    ['الى normalizes to الي, whose ي suffix is removed', 'الي', 'ال'],
    ['a name ending in ين', 'بوتين', 'بوت'],
    ['a name ending in ان', 'اردوغان', 'اردوغ'],
    ['a 3-letter word can lose a 1-letter suffix', 'وله', 'ول'],
  ])('Light10 quirk (%s): %s → %s', (_why, input, expected) => {
    expect(stemArabic(input)).toBe(expected)
  })

  it.each(['running', 'Café', '2017', '', 'नमस्ते', 'کتاب'])('returns non-Arabic %j unchanged', (input) => {
    expect(stemArabic(input)).toBe(input)
  })
})

describe('analyze', () => {
  it.each([
    ['إيران', 'ايران'],
    ['الاتفاق', 'اتفاق'],
    ['والاتفاق', 'الاتفاق'],
    ['النووي', 'نووي'],
    ['والملف', 'ملف'],
    ['للرئيس', 'الرئيس'],
    ['العربية', 'عربي'],
    ['الدولة', 'دول'],
    ['بالمفاوضات', 'مفاوضات'],
    ['مُحَمَّد', 'محمد'],
  ])('gives %s and %s the same terms', (a, b) => {
    expect(analyze(a)).toEqual(analyze(b))
  })

  it('keeps بطهران and طهران apart (no bare ب prefix in Light10)', () => {
    expect(analyze('بطهران')).not.toEqual(analyze('طهران'))
  })

  it.each<[string, string, string[]]>([
    ['empty', '', []],
    ['Arabic phrase', 'وزير الخارجية الإيراني', ['زير', 'خارج', 'ايران']],
    [
      'English is normalized, not stemmed',
      'The Negotiations Continued',
      ['the', 'negotiations', 'continued'],
    ],
    ['mixed', 'Café الاتفاق 2017', ['cafe', 'اتفاق', '2017']],
    ['compound names', 'أردوغان وبوتين', ['اردوغ', 'بوت']],
    ['English stays as normalized', 'Ümit Iran', ['umit', 'iran']],
  ])('%s', (_label, input, expected) => {
    expect(analyze(input)).toEqual(expected)
  })
})

describe('normalizeAndStem', () => {
  it.each([
    ['empty', '', ''],
    ['punctuation only', '؟!،', ''],
    [
      'news sentence',
      'أعلنت الحكومةُ الإيرانية، يوم الأحد ٢٠١٧، أن المفاوضات مع الولايات المتحدة بشأن الملف النووي ستستأنف في فيينا.',
      'اعلنت حكوم ايران يوم احد 2017 ان مفاوض مع ولا متحد بش ملف نوو ستستانف في فيينا',
    ],
    [
      'mixed-script sentence',
      'قال الرئيسُ Emmanuel Macron في باريس: «الاتفاقُ مُمكنٌ».',
      'قال رييس emmanuel macron في باريس اتفاق ممكن',
    ],
  ])('%s', (_label, input, expected) => {
    expect(normalizeAndStem(input)).toBe(expected)
  })

  it('produces the same string for a query and a document wording', () => {
    expect(normalizeAndStem('الاتفاق النووي الإيراني')).toBe(normalizeAndStem('اتفاق نووي ايراني'))
  })
})

describe('analyzeDocument', () => {
  // A document word with a one-letter proclitic is also indexed under the stem of the word without it.
  it.each<[string, string[]]>([
    ['بطهران', ['بطهر', 'طهر']],
    ['وبطهران', ['بطهر', 'طهر']],
    ['لإيران', ['لاير', 'اير']],
    ['كالعادة', ['عاد']],
    ['فالقرار', ['قرار']],
    ['بالاتفاق', ['اتفاق']],
    ['للرئيس', ['رييس']],
    ['والملف', ['ملف']],
    ['بوتين', ['بوت']],
    ['لبنان', ['لبن']],
    ['بيت', ['بيت']],
    ['ولد', ['ولد']],
    ['طهران', ['طهر']],
    ['بشأن', ['بش', 'شان']],
    ['Café 2017', ['cafe', '2017']],
  ])('%s → %j', (input, expected) => {
    expect(analyzeDocument(input)).toEqual(expected)
  })

  it.each([
    ['بطهران', 'طهران'],
    ['لإيران', 'إيران'],
    ['وبطهران', 'طهران'],
  ])('a query for %s or %s finds a document that says %s', (document, query) => {
    const terms = analyzeDocument(document)
    for (const term of analyze(query)) expect(terms).toContain(term)
    for (const term of analyze(document)) expect(terms).toContain(term)
  })

  it('agrees with analyze() on words without a one-letter proclitic', () => {
    const text = 'أعلنت الحكومةُ الإيرانية أن المفاوضات مع الولايات المتحدة حول الملف النووي ستستأنف'
    expect(analyzeDocument(text)).toEqual(analyze(text))
  })
})
